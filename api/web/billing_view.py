"""Statements and usage as a reader sees them: lines described in the page's language, amounts and
dates in its formats, the totals, and the sheet the PDF is drawn from.

The statement page and its PDF are built from the same `ShownStatement`, itself made of the lines
the CSV exports (``ingest.billing.statements.lines_of``), so the three never disagree. A line's stored
label is the service's own English sentence; the pages describe it from its kind and its period's
dates instead, which is what an accountant filing it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from babel.numbers import format_currency
from sqlmodel import Session

from api.web.render import PARIS, Page
from ingest.accounts.tables import Account
from ingest.billing.statement_pdf import SheetLine, StatementSheet
from ingest.billing.statements import correction_of, lines_of
from ingest.billing.subscriptions import bounds, get_subscription
from ingest.billing.tables import Statement, StatementLine
from ingest.contract.billing import LineKind

_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def day(value: datetime) -> str:
    """A date as ``dd/mm/yyyy`` in Paris time (both languages of the pages write it so)."""
    return value.astimezone(PARIS).strftime("%d/%m/%Y")


def span(page: Page, start: datetime, end: datetime) -> str:
    """A period as ``du 31/01/2026 au 28/02/2026`` (its end is the next period's start)."""
    return page.t("statements.span", start=day(start), end=day(end))


def unit_euros(cents: Decimal | int, lang: str) -> str:
    """An exact unit price in euros: two decimals at least, more when it holds a fraction of a cent
    (0,396 €), as the statement multiplies it."""
    return format_currency(Decimal(cents) / 100, "EUR", locale=_LOCALES[lang], decimal_quantization=False)


@dataclass(frozen=True)
class ShownLine:
    """A line in words: what it bills, over which period (a line of its own on the page and in the
    PDF, so that a long description stays readable in a narrow column)."""

    what: str
    period: str
    quantity: int
    unit_price: str
    amount_cents: int


@dataclass(frozen=True)
class ShownStatement:
    """A statement with its lines described, its totals, and the statements around it."""

    statement: Statement
    account_name: str
    lines: list[ShownLine]
    credits_cents: int
    corrects: Statement | None
    corrected_by: Statement | None

    @property
    def charges_cents(self) -> int:
        """Everything but the availability credits (the total is this plus the credits)."""
        return self.statement.total_cents - self.credits_cents


def kind_text(page: Page, statement: Statement) -> str:
    return page.t(f"statements.kind.{statement.kind}")


def describe(page: Page, line: StatementLine, corrected: Statement | None) -> str:
    """What a line bills, in words, from its kind; a correction's cancelling lines (negative
    quantities) say which statement they cancel."""
    try:
        what = page.t(f"statements.line.{line.kind}")
    except KeyError:  # a kind this page does not know yet: the service's own sentence
        return line.label
    if line.quantity < 0 and corrected is not None:
        return page.t("statements.line.cancels", number=corrected.number, what=what)
    return what


def _shown(page: Page, line: StatementLine, activation: datetime, corrected: Statement | None) -> ShownLine:
    period = bounds(activation, line.period_index)
    return ShownLine(describe(page, line, corrected), page.t("statements.line.period", span=span(page, period.start,
                                                                                                period.end)),
                     line.quantity, unit_euros(Decimal(line.unit_price_cents), page.lang), line.amount_cents)


def show_statement(session: Session, page: Page, statement: Statement) -> ShownStatement:
    """The statement as its page and its PDF show it."""
    activation = get_subscription(session, statement.account_id).activation_at
    corrects = session.get(Statement, statement.corrects_id) if statement.corrects_id else None
    stored = lines_of(session, statement.id)
    lines = [_shown(page, line, activation, corrects) for line in stored]
    credits = sum(line.amount_cents for line in stored if line.kind == LineKind.AVAILABILITY_CREDIT)
    account = session.get(Account, statement.account_id)
    return ShownStatement(statement, account.name if account else "", lines, credits, corrects,
                          correction_of(session, statement.id))


def totals(page: Page, shown: ShownStatement) -> list[tuple[str, str]]:
    """Sub-total and credits when there are credits, then the total (the last pair)."""
    rows = []
    if shown.credits_cents:
        rows.append((page.t("statements.charges"), page.euros(shown.charges_cents)))
        rows.append((page.t("statements.credits"), page.euros(shown.credits_cents)))
    rows.append((page.t("statements.grand_total"), page.euros(shown.statement.total_cents)))
    return rows


def notes(page: Page, shown: ShownStatement) -> list[str]:
    """What a reader must know to file the statement: a correction, or its being corrected."""
    said = []
    if shown.corrects is not None:
        said.append(page.t("statements.corrects", number=shown.corrects.number))
    if shown.corrected_by is not None:
        said.append(page.t("statements.corrected_by", number=shown.corrected_by.number))
    said.append(page.t("statements.currency"))
    return said


def title(page: Page, statement: Statement) -> str:
    return page.t("statements.title_one", number=statement.number)


def sheet(page: Page, shown: ShownStatement) -> StatementSheet:
    """What the PDF says: the same lines, totals and notes as the page."""
    s = shown.statement
    facts = [(page.t("statements.period"), span(page, s.period_start, s.period_end)),
             (page.t("statements.issued"), day(s.issued_at)),
             (page.t("statements.kind"), kind_text(page, s))]
    lines = [SheetLine(f"{line.what}\n{line.period}", page.number(line.quantity), line.unit_price,
                       page.euros(line.amount_cents)) for line in shown.lines]
    headings = (page.t("statements.description"), page.t("statements.quantity"), page.t("statements.unit_price"),
                page.t("statements.amount"))
    return StatementSheet(
        lang=page.lang, title=title(page, s), provider=(page.t("app"), page.t("statements.provider")),
        client_label=page.t("statements.client"),
        client=(shown.account_name, page.t("statements.account_ref", id=s.account_id)),
        facts=facts, headings=headings, lines=lines, totals=totals(page, shown),
        footer=page.t("statements.footer", title=title(page, s), account=shown.account_name, page="{page}",
                      pages="{pages}"),
        issued_at=s.issued_at, notes=notes(page, shown))
