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


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_every_flag_a_document_can_raise_is_said_in_each_language(language: str) -> None:
    from ingest.documents.checks import FlagCode
    from ingest.documents.understand import NoticeCode

    codes = [code.value for code in FlagCode] + [code.value for code in NoticeCode if code != NoticeCode.DUPLICATE]
    assert [code for code in codes if f"document.flag.{code}" not in TEXTS[language]] == []
