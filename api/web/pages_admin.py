"""The account's administration as pages: its users, its API keys, its audit log (the twins of
``api/routes/users.py``, ``api/routes/api_keys.py`` and ``api/routes/audit.py``).

They are reserved exactly as the API reserves those routes: to the account's administrators, and to
operators, who belong to no account and name one with ``?account_id=`` for its users and audit log
(the keys an operator manages are its own, as the API answers); anyone else gets a 403 page on every
page and form. Every change goes through the use case the API calls, so that the last administrator
stays one here too; every form carries the session's CSRF token and is refused without it. A secret
(an initial password, a key) is shown in the one answer that makes it, never in an address; no page
is cached (``Cache-Control: no-store``, set for every page in ``api.web``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from api.bounds import Email, IdPath, Offset, OperatorsAccount
from api.deps import SessionDep, client_address, target_account
from api.problems import ApiCode, Problem, status_of
from api.schemas_accounts import DossierId, KeyName
from api.web.admin_view import AuditWords, ShownUser, dossiers_said, role_said, shown_user
from api.web.auth import Refused, Viewer, ViewerDep, form_is_ours
from api.web.pages_account import refusal
from api.web.pages_work import NotVisible
from api.web.render import Page, language, render
from ingest.accounts import dossiers, keys, users
from ingest.accounts.audit import Action, Actor, entries
from ingest.accounts.keys import ApiKeyError
from ingest.accounts.tables import ApiKey, User
from ingest.accounts.users import UserError
from ingest.platform.columns import utcnow
from ingest.platform.errors import DomainError

router = APIRouter(prefix="/app/admin", include_in_schema=False)
PAGE_SIZE = 25
# Dossiers offered as checkboxes in one form: far more than a firm keeps.
MAX_DOSSIERS = 2_000
# The confirmed actions on a user (a page asks first, then its form posts).
CONFIRMED = ("deactivate", "reset-password", "delete")
# What a page may say was just done (``?done=``, after a change and its 303).
DONE = frozenset({"saved", "deactivated", "reactivated", "unlocked", "deleted", "revoked"})
Done = Annotated[str, Query(max_length=20)]
# What the person types is checked against the API's own bounds, and refused in a sentence.
_KEY_NAME = TypeAdapter(KeyName)
_EMAIL = TypeAdapter(Email)

CsrfField = Annotated[str, Form(max_length=200)]
RoleField = Annotated[Literal["admin", "user"], Form()]
DossierIds = Annotated[list[DossierId], Form(max_length=10_000)]
AccountField = Annotated[str, Form(pattern=r"^([A-Za-z0-9_-]{1,64})?$")]


def _administrator(viewer: ViewerDep) -> Viewer:
    """The API's `require_admin`, answered as a page."""
    if not viewer.principal.is_admin:
        raise Refused(viewer, status_of(ApiCode.admins_only), "admin.admins_only")
    return viewer


AdminDep = Annotated[Viewer, Depends(_administrator)]


def _form_sender(request: Request, viewer: AdminDep, csrf_token: CsrfField = "") -> Viewer:
    """An administrator whose form came with its session's CSRF token (else nothing is done)."""
    if not form_is_ours(request, csrf_token):
        raise Refused(viewer, 403, "error.csrf")
    return viewer


FormDep = Annotated[Viewer, Depends(_form_sender)]


def _page(request: Request, viewer: Viewer) -> Page:
    return Page(request, language(request), viewer.user, viewer.csrf)


def _account(viewer: Viewer, account_id: str | None) -> str:
    """The account managed: the viewer's own; an operator names it (the API's `target_account`)."""
    try:
        return target_account(viewer.principal, account_id)
    except Problem as exc:
        if exc.code == ApiCode.not_found:
            raise NotVisible(account_id) from exc
        raise Refused(viewer, exc.status, f"admin.refused.{exc.code}") from exc


def _scope(viewer: Viewer, account_id: str) -> dict[str, str]:
    """The query an operator's links and forms carry to stay on the account (nothing for its own)."""
    return {"account_id": account_id} if viewer.principal.is_operator else {}


def _actor(request: Request, viewer: Viewer) -> Actor:
    return Actor.of(viewer.principal, client_address(request))


def _dossier_names(session: Session, account_id: str) -> dict[str, str]:
    rows, _ = dossiers.account_dossiers(session, account_id, limit=MAX_DOSSIERS, offset=0)
    return {d.id: d.name for d in rows}


def _managed_user(session: Session, viewer: Viewer, user_id: str) -> User:
    """A user the viewer manages (`users.account_user`); another account's answers 404."""
    try:
        return users.account_user(session, viewer.principal, user_id)
    except UserError as exc:
        raise NotVisible(user_id) from exc


def _rights(dossier_ids: list[str] | None) -> list[str] | None:
    """The form's choice as the use case takes it: no dossier ticked is every dossier of the account
    (None), present and to come; some ticked limit the user to them. (The API can also limit a user
    to no dossier at all; the form does not offer it.)"""
    return sorted(set(dossier_ids)) if dossier_ids else None


def _done(done: str) -> str:
    return done if done in DONE else ""


def _see_other(path: str, **query: str) -> RedirectResponse:
    """After a change, the page that shows it (303: the browser gets it, a reload changes nothing)."""
    return RedirectResponse(f"{path}?{urlencode(query)}" if query else path, status_code=303)


# --- users --------------------------------------------------------------------------------------


def _users_page(request: Request, viewer: Viewer, session: Session, account_id: str, *, offset: int = 0,
                status: int = 200, error: str | None = None, form: dict[str, Any] | None = None,
                done: str = "") -> HTMLResponse:
    page = _page(request, viewer)
    names = _dossier_names(session, account_id)
    rows, total = users.list_users(session, account_id, limit=PAGE_SIZE, offset=offset)
    items: list[ShownUser] = [shown_user(session, u, names) for u in rows]
    form = form or {"email": "", "role": "user", "dossier_ids": []}
    return render(page, "admin_users.html", status=status, items=items, total=total, offset=offset,
                  size=PAGE_SIZE, names=names, error=error, form=form, done=_done(done),
                  scope=_scope(viewer, account_id), current="users")


@router.get("/users", response_class=HTMLResponse)
def user_list(request: Request, viewer: AdminDep, session: SessionDep, account_id: OperatorsAccount = None,
              offset: Offset = 0, done: Done = "") -> HTMLResponse:
    return _users_page(request, viewer, session, _account(viewer, account_id), offset=offset, done=done)


@router.post("/users", response_class=HTMLResponse)
def user_add(request: Request, viewer: FormDep, session: SessionDep, email: Annotated[str, Form(max_length=1_000)],
             role: RoleField = "user", dossier_ids: DossierIds | None = None,
             account_id: AccountField = "") -> HTMLResponse:
    """A new user with a generated initial password, shown once on the answer."""
    account = _account(viewer, account_id or None)
    page = _page(request, viewer)
    form = {"email": email, "role": role, "dossier_ids": dossier_ids or []}

    def refused(message: str, status: int) -> HTMLResponse:
        return _users_page(request, viewer, session, account, status=status, error=message, form=form)

    try:
        address = _EMAIL.validate_python(email)
    except ValidationError:
        return refused(page.t("error.invalid_email"), 422)
    rights = _rights(dossier_ids)
    try:
        new = users.create_user(session, _actor(request, viewer), account, address, role, dossier_ids=rights,
                                now=utcnow())
    except UserError as exc:
        session.rollback()
        return refused(refusal(page, exc), status_of(exc.code))
    assert new.initial_password is not None  # generated: the form chooses none
    said = {"role": role_said(page, new.user.role).lower(),
            "dossiers": dossiers_said(page, rights, _dossier_names(session, account))}
    return render(page, "admin_password.html", status=201, user=new.user, password=new.initial_password,
                  created=True, scope=_scope(viewer, account), current="users", **said)


def _user_page(request: Request, viewer: Viewer, session: Session, user: User, *, status: int = 200,
               error: str | None = None, done: str = "") -> HTMLResponse:
    assert user.account_id is not None  # account_user: a user of an account
    names = _dossier_names(session, user.account_id)
    shown = shown_user(session, user, names)
    chosen = users.user_dossier_ids(session, user)
    return render(_page(request, viewer), "admin_user.html", status=status, shown=shown, u=user, names=names,
                  chosen=chosen or [], error=error, done=_done(done), myself=user.id == viewer.user.id,
                  scope=_scope(viewer, user.account_id), current="users")


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, user_id: IdPath, viewer: AdminDep, session: SessionDep,
              done: Done = "") -> HTMLResponse:
    return _user_page(request, viewer, session, _managed_user(session, viewer, user_id), done=done)


def _change(request: Request, viewer: Viewer, session: Session, user: User, done: str,
            **change: Any) -> Response:
    """One change through the use case; its refusal (the last administrator, say) on the user's page."""
    try:
        users.change_user(session, _actor(request, viewer), user, now=utcnow(), **change)
    except DomainError as exc:
        session.rollback()
        session.refresh(user)
        return _user_page(request, viewer, session, user, status=status_of(exc.code),
                          error=refusal(_page(request, viewer), exc))
    return _see_other(f"/app/admin/users/{user.id}", done=done)


@router.post("/users/{user_id}", response_class=HTMLResponse)
def user_rights(request: Request, user_id: IdPath, viewer: FormDep, session: SessionDep, role: RoleField,
                dossier_ids: DossierIds | None = None) -> Response:
    """Change a user's role and the dossiers it is limited to."""
    user = _managed_user(session, viewer, user_id)
    return _change(request, viewer, session, user, "saved", role=role, dossier_ids=_rights(dossier_ids))


@router.post("/users/{user_id}/reactivate", response_class=HTMLResponse)
def user_reactivate(request: Request, user_id: IdPath, viewer: FormDep, session: SessionDep) -> Response:
    return _change(request, viewer, session, _managed_user(session, viewer, user_id), "reactivated", active=True)


@router.post("/users/{user_id}/unlock", response_class=HTMLResponse)
def user_unlock(request: Request, user_id: IdPath, viewer: FormDep, session: SessionDep) -> Response:
    return _change(request, viewer, session, _managed_user(session, viewer, user_id), "unlocked", locked=False)


@router.post("/users/{user_id}/deactivate", response_class=HTMLResponse)
def user_deactivate(request: Request, user_id: IdPath, viewer: FormDep, session: SessionDep) -> Response:
    """Deactivate a user: its sessions end and its keys stop at once (the last administrator stays)."""
    return _change(request, viewer, session, _managed_user(session, viewer, user_id), "deactivated", active=False)


@router.post("/users/{user_id}/reset-password", response_class=HTMLResponse)
def user_reset_password(request: Request, user_id: IdPath, viewer: FormDep, session: SessionDep) -> HTMLResponse:
    """Back to a generated initial password, shown once on the answer; the user's sessions end."""
    user = _managed_user(session, viewer, user_id)
    password = users.reset_password(session, _actor(request, viewer), user, utcnow())
    assert user.account_id is not None
    return render(_page(request, viewer), "admin_password.html", user=user, password=password, created=False,
                  scope=_scope(viewer, user.account_id), current="users")


@router.post("/users/{user_id}/delete", response_class=HTMLResponse)
def user_delete(request: Request, user_id: IdPath, viewer: FormDep, session: SessionDep) -> Response:
    """Delete a user: it stops at once, its keys are revoked, its uploads stay attributed to it."""
    user = _managed_user(session, viewer, user_id)
    account_id = user.account_id
    assert account_id is not None
    try:
        users.delete_user(session, _actor(request, viewer), user, utcnow())
    except DomainError as exc:
        session.rollback()
        session.refresh(user)
        return _user_page(request, viewer, session, user, status=status_of(exc.code),
                          error=refusal(_page(request, viewer), exc))
    return _see_other("/app/admin/users", done="deleted", **_scope(viewer, account_id))


@router.get("/users/{user_id}/{action}", response_class=HTMLResponse)
def user_confirm(request: Request, user_id: IdPath, action: Annotated[str, Path(max_length=20)], viewer: AdminDep,
                 session: SessionDep) -> HTMLResponse:
    """Ask before an action that cannot be taken back in one click (its form posts to this address)."""
    if action not in CONFIRMED:
        raise NotVisible(action)
    user = _managed_user(session, viewer, user_id)
    assert user.account_id is not None
    return render(_page(request, viewer), "admin_confirm.html", action=action, u=user,
                  myself=user.id == viewer.user.id, back=f"/app/admin/users/{user.id}",
                  target=f"/app/admin/users/{user.id}/{action}", scope=_scope(viewer, user.account_id),
                  current="users")


# --- API keys -----------------------------------------------------------------------------------


def _keys_page(request: Request, viewer: Viewer, session: Session, *, status: int = 200, error: str | None = None,
               name: str = "", done: str = "") -> HTMLResponse:
    """Every live key of the account (an operator: its own, as the API lists them)."""
    return render(_page(request, viewer), "admin_keys.html", status=status,
                  items=keys.keys_of(session, viewer.principal), error=error, name=name, done=_done(done), scope={},
                  current="keys")


@router.get("/keys", response_class=HTMLResponse)
def key_list(request: Request, viewer: AdminDep, session: SessionDep, done: Done = "") -> HTMLResponse:
    return _keys_page(request, viewer, session, done=done)


@router.post("/keys", response_class=HTMLResponse)
def key_create(request: Request, viewer: FormDep, session: SessionDep,
               name: Annotated[str, Form(max_length=1_000)] = "") -> HTMLResponse:
    """A new key acting with the viewer's rights, shown once on the answer."""
    page = _page(request, viewer)
    try:
        clean = _KEY_NAME.validate_python(name)
    except ValidationError:
        return _keys_page(request, viewer, session, status=422, error=page.t("admin.keys.name_invalid"), name=name)
    owner = session.get(User, viewer.user.id)
    assert owner is not None  # the viewer was resolved from this row on this request
    key, plaintext = keys.create_key(session, _actor(request, viewer), owner, clean, utcnow())
    return render(page, "admin_key.html", status=201, key=key, secret=plaintext, scope={}, current="keys")


def _managed_key(session: Session, viewer: Viewer, key_id: str) -> tuple[ApiKey, User]:
    """A key the viewer manages (`keys.managed_key`); another's answers 404."""
    try:
        return keys.managed_key(session, viewer.principal, key_id)
    except ApiKeyError as exc:
        raise NotVisible(key_id) from exc


@router.get("/keys/{key_id}/revoke", response_class=HTMLResponse)
def key_confirm(request: Request, key_id: IdPath, viewer: AdminDep, session: SessionDep) -> HTMLResponse:
    key, owner = _managed_key(session, viewer, key_id)
    return render(_page(request, viewer), "admin_confirm.html", action="revoke", key=key, owner=owner,
                  myself=False, back="/app/admin/keys", target=f"/app/admin/keys/{key.id}/revoke", scope={},
                  current="keys")


@router.post("/keys/{key_id}/revoke", response_class=HTMLResponse)
def key_revoke(request: Request, key_id: IdPath, viewer: FormDep, session: SessionDep) -> Response:
    """Revoke a key: its next request is refused."""
    try:
        keys.revoke_key(session, _actor(request, viewer), viewer.principal, key_id, utcnow())
    except ApiKeyError as exc:
        raise NotVisible(key_id) from exc
    return _see_other("/app/admin/keys", done="revoked")


# --- audit log ----------------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, viewer: AdminDep, session: SessionDep, account_id: OperatorsAccount = None,
              action: Action | Literal[""] = "", offset: Offset = 0) -> HTMLResponse:
    """Who changed what, when and from where: newest first, of one kind of action if asked."""
    account = _account(viewer, account_id)
    page = _page(request, viewer)
    rows, total = entries(session, account, limit=PAGE_SIZE, offset=offset, action=action or None)
    words = AuditWords.of(session, page, account, rows, _dossier_names(session, account))
    items = [(e, words.sentence(e)) for e in rows]
    filters = {"action": str(action), **_scope(viewer, account)}
    return render(page, "admin_audit.html", items=items, total=total, offset=offset, size=PAGE_SIZE,
                  actions=list(Action), filters=filters, scope=_scope(viewer, account), current="audit")

