"""Pages: the Jinja2 environment, the two languages, and French (or English) formats.

Escaping is the template engine's alone (autoescape on every template); no page builds HTML by
hand. Dates are shown in Europe/Paris time as ``30/11/2026 14:05``, amounts as ``1 234,56 €``
(Babel, with the locale's own spaces). French is the default; ``?lang=en`` (kept in a cookie) or a
browser that asks for English first switches to English.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.web.banner import maintenance_near
from api.web.texts import LANGUAGES, TEXTS

PARIS = ZoneInfo("Europe/Paris")
LANG_COOKIE = "bordereau_lang"
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
_TEMPLATES = Path(__file__).with_name("templates")


def language(request: Request) -> str:
    """The page's language: an explicit ``?lang=``, else the cookie, else the browser's first
    choice among ours, else French."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LANGUAGES:
        return asked
    accept = request.headers.get("accept-language", "").lower()
    firsts = [part.split(";")[0].strip()[:2] for part in accept.split(",") if part.strip()]
    return next((lang for lang in firsts if lang in LANGUAGES), "fr")


def when(value: datetime | None, lang: str) -> str:
    if value is None:
        return "—"
    return format_datetime(value, "dd/MM/yyyy HH:mm", tzinfo=PARIS, locale=_LOCALES[lang])


def euros(cents: int, lang: str) -> str:
    return format_currency(Decimal(cents) / 100, "EUR", locale=_LOCALES[lang])


def number(value: int, lang: str) -> str:
    return format_decimal(value, locale=_LOCALES[lang])


def locale_of(lang: str) -> str:
    """Babel's locale for a page language, for a page that formats more than the above."""
    return _LOCALES[lang]


ENV = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(default=True),
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
ENV.globals["maintenance_near"] = maintenance_near  # the banner of base.html


class Page:
    """What every template gets: the language, its texts and formats, the signed-in user."""

    def __init__(self, request: Request, lang: str, user: Any = None, csrf: str = "") -> None:
        self.request, self.lang, self.user, self.csrf = request, lang, user, csrf

    def t(self, key: str, **values: Any) -> str:
        """The text `key` in the page's language (French when English lacks it)."""
        text = TEXTS[self.lang].get(key) or TEXTS["fr"][key]
        return text.format(**values) if values else text

    def explain(self, kind: str, code: str | None, fallback: str, **values: Any) -> str:
        """A reason (``kind`` ``reason`` or ``flowreason``) in the page's language when it has a text for
        `code`, else the service's own sentence `fallback`."""
        text = TEXTS[self.lang].get(f"{kind}.{code}") if code else None
        return text.format(**values) if text else fallback

    def when(self, value: datetime | None) -> str:
        return when(value, self.lang)

    def euros(self, cents: int) -> str:
        return euros(cents, self.lang)

    def number(self, value: int) -> str:
        return number(value, self.lang)

    def url(self, path: str, **query: Any) -> str:
        """`path` with the non-empty `query` parameters (the template escapes the result)."""
        kept = {k: v for k, v in query.items() if v not in (None, "")}
        return f"{path}?{urlencode(kept)}" if kept else path


def render(page: Page, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = ENV.get_template(template).render(page=page, t=page.t, **context)
    response = HTMLResponse(html, status_code=status)
    if page.request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, page.lang, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response
