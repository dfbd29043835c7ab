"""The pages' texts: every audited action has its words in each language."""

from __future__ import annotations

import pytest

from api.web.texts import TEXTS
from ingest.accounts.audit import Action


@pytest.mark.parametrize("language", sorted(TEXTS))
@pytest.mark.parametrize("action", list(Action))
def test_every_audited_action_has_a_name_and_a_sentence(language: str, action: Action) -> None:
    # The audit page lists every action in its filter and says each entry in a sentence.
    assert f"admin.action.{action.value}" in TEXTS[language]
    assert f"admin.audit.s.{action.value}" in TEXTS[language]
