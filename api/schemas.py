"""Shapes of the API's answers, apart from the tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, model_validator

from api.bounds import Name


class DossierCreate(BaseModel):
    name: Name
    siren: str | None = Field(default=None, max_length=20, description="9-digit SIREN, checked (Luhn)")


class DossierPublic(BaseModel):
    id: str
    name: str
    siren: str | None
    created_at: datetime


class DocumentBrief(BaseModel):
    id: str
    filename: str
    state: str
    reason: str | None = None
    message: str | None = None


class RejectedFile(BaseModel):
    filename: str
    reason: str
    message: str


class FlowDecisionPublic(BaseModel):
    reason: str = Field(description="stable code of the rule that set the flow, e.g. above_daily_volume")
    message: str = Field(description="that rule in words, with its figures")


class FlowFields(BaseModel):
    """Where a batch stands: its flow and why, and when it will be (or was) done."""

    flow: str = Field(description="daily (48-hour commitment) or bulk (archive, live ETA)")
    flow_decision: FlowDecisionPublic
    reclassified_at: datetime | None = Field(None, description="when invoice dates moved the batch to bulk")
    due_at: datetime | None = Field(None, description="daily flow: receipt + 48 hours")
    eta: datetime | None = Field(None, description="expected finish: daily flow first come, first served; "
                                                   "bulk under the fair schedule")
    eta_computed_at: datetime | None = None
    eta_basis: str | None = Field(None, description="what the ETA stands on: measured (the flow's own recent "
                                                    "documents and pace), borrowed (the other flow's, or too "
                                                    "few of its own yet), none (priors)")
    eta_earliest: datetime | None = Field(None, description="with eta_latest, the range the ETA may fall in "
                                                            "when it is not measured (null when it is)")
    eta_latest: datetime | None = None
    flow_code: str = Field(deprecated=True, description="Deprecated, removed in the next release: "
                                                        "flow_decision.reason")
    flow_reason: str = Field(deprecated=True, description="Deprecated, removed in the next release: "
                                                          "flow_decision.message")
    expected_at: datetime | None = Field(None, deprecated=True, description="Deprecated, removed in the next "
                                                                            "release: eta (daily flow only)")
    sla_state: str | None = Field(None, description="daily flow: on_track, at_risk, breached or met")
    finished_at: datetime | None = None


class BatchPublic(FlowFields):
    id: str
    dossier_id: str
    uploaded_by: str | None = Field(default=None, description="The user who sent it (null: before users were tracked)")
    received_at: datetime
    state: str = Field(description="open while any document is unfinished, then done")
    counts: dict[str, int]
    documents: list[DocumentBrief]
    rejected: list[RejectedFile]


class BatchSummary(FlowFields):
    id: str
    dossier_id: str
    uploaded_by: str | None = None
    received_at: datetime
    state: str
    counts: dict[str, int]


T = TypeVar("T")


def next_offset(total: int, limit: int, offset: int) -> int | None:
    return offset + limit if offset + limit < total else None


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None

    @classmethod
    def of(cls, items: list[T], total: int, limit: int, offset: int) -> Page[T]:
        """One page of ``total`` results, and where the next one starts (None on the last)."""
        return cls(items=items, total=total, limit=limit, offset=offset,
                   next_offset=next_offset(total, limit, offset))


class FieldValue(BaseModel):
    value: str | list[dict[str, str]] = Field(description="Amounts as decimal strings, dates as ISO dates")
    confidence: float
    source: str = Field(description="einvoice | text | ocr | correction (a person's, PATCH …/fields)")


class FlagPublic(BaseModel):
    code: str
    message: str


class EInvoicePublic(BaseModel):
    flavour: str
    profile: str | None


class DocumentPublic(BaseModel):
    id: str
    batch_id: str
    dossier_id: str
    filename: str
    kind: str
    size: int
    sha256: str
    state: str
    reason: str | None
    message: str | None
    pages: int | None
    text_chars: int | None
    einvoice_flavour: str | None
    attempts: int
    received_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    facts: dict[str, Any] | None
    fields: dict[str, FieldValue] | None = Field(
        default=None, description="Invoice fields by key (document_type, supplier_name, …, iban, customer_name, "
                                  "customer_vat, po_number, payment_terms, line_items: a list of lines, each "
                                  "{description, quantity, unit (a UN/ECE rec. 20 code), unit_price, vat_rate, "
                                  "net_amount, confidence (the line's own, a decimal string)} with the keys read), as "
                                  "corrected when a person corrected them; absent fields are omitted")
    flags: list[FlagPublic] | None = Field(default=None, description="Checks that failed, for review")
    einvoice: EInvoicePublic | None = None
    duplicate_of: str | None = Field(default=None, description="The original this document repeats; "
                                                               "a duplicate is not counted")
    reference_date: date | None = Field(default=None, description="Decides the two-year history")

    @model_validator(mode="before")
    @classmethod
    def _einvoice_from_row(cls, data: Any) -> Any:
        # A table row carries the e-invoice as two columns; the API shows one object.
        if isinstance(data, dict) or not hasattr(data, "einvoice_flavour"):
            return data
        values = {name: getattr(data, name, None) for name in cls.model_fields if name != "einvoice"}
        flavour = getattr(data, "einvoice_flavour", None)
        values["einvoice"] = ({"flavour": flavour, "profile": getattr(data, "einvoice_profile", None)}
                              if flavour else None)
        return values
