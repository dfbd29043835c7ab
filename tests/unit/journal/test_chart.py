"""Who a supplier is, whichever of its numbers an invoice prints; the accounts' names."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.journal.chart import account_label, in_eu, is_expense_account, supplier_identity
from tests.unit.journal.invoices import field


def ids(**values: str) -> dict[str, Any]:
    return {key: field(value) for key, value in values.items()}


@pytest.mark.parametrize(("fields", "key"), [
    (ids(supplier_siren="732 829 320"), "siren:732829320"),
    (ids(supplier_siret="73282932000074"), "siren:732829320"),
    (ids(supplier_vat="FR44732829320"), "siren:732829320"),
    (ids(supplier_siren="732829321", supplier_vat="FR44732829320"), "siren:732829320"),  # a bad SIREN skipped
    (ids(supplier_vat="de 123456789"), "vat:DE123456789"),
    (ids(supplier_vat="EL123456789"), "vat:EL123456789"),
    (ids(supplier_vat="GB 999.999-999"), "vat:GB999999999"),  # outside the EU: a supplier all the same
    (ids(supplier_vat="FR00732829320"), None),  # a French VAT number whose key fails
    (ids(supplier_siren="732829321"), None),
    (ids(supplier_name="Dupont"), None),
])  # fmt: skip
def test_a_supplier_is_named_by_its_siren_else_its_vat_number(fields: dict[str, Any], key: str | None) -> None:
    identity = supplier_identity(fields)
    assert (identity.key if identity else None) == key
    if identity is not None:
        assert identity.number == "401" + identity.key.split(":")[1]


def test_a_supplier_without_a_name_is_named_by_its_number() -> None:
    identity = supplier_identity(ids(supplier_siren="732829320"))
    assert identity is not None and identity.name == "Fournisseur 732829320" and identity.country is None


def test_member_states_and_accounts() -> None:
    assert in_eu("DE") and in_eu("EL") and in_eu("XI") and not in_eu("FR") and not in_eu("CH") and not in_eu(None)
    assert account_label("607000") == "Achats de marchandises" and account_label("445660").startswith("TVA")
    assert account_label("6071") == "Achats de marchandises" and account_label("6999") == "Compte 6999"
    assert account_label("606100").startswith("Achats non stockés")
    assert is_expense_account("606000") and is_expense_account("218300") and not is_expense_account("401000")
    assert not is_expense_account("6") and not is_expense_account("60a000")
