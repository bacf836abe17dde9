"""Editors' pages and API: sign in and out, the review queue, corrections, undo.

Every write depends on `require_writer` (a signed-in editor or admin and the session's CSRF
token) and makes one store correction in one transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from store import corrections
from store.accounts import note_login, recent_failures, user_named
from store.corrections import corrections_of
from store.review_queue import next_in_queue, review_queue
from thidua.web import actions
from thidua.web.deps import (
    Ctx,
    CurrentViewer,
    OptionalId,
    ReadDB,
    RowId,
    SignedIn,
    WriteDB,
    Writer,
    signed_in,
)
from thidua.web.passwords import verify_password
from thidua.web.schemas import CorrectionCreate, CorrectionOut, QueueItemOut, UndoCreate
from thidua.web.security import LOGIN_COOKIE, SESSION_COOKIE

router = APIRouter()

QueuePage = Annotated[int, Query(ge=1, le=100_000)]
MAX_NAME: Final = 128


def _cookie(ctx: Ctx, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.web_cookie_secure,
        path="/",
    )


def _local_path(target: str | None) -> str:
    """Return `target` if it is a path of this site, else the queue (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/review"


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# --- signing in --------------------------------------------------------------------------


def _login_form(
    ctx: Ctx, request: Request, viewer: Any, *, next_path: str, message: str | None = None, status: int = 200
) -> HTMLResponse:
    nonce, token = ctx.signer.login_pair()
    response = ctx.templates.TemplateResponse(
        request,
        "login.html",
        {"viewer": viewer, "token": token, "next_path": next_path, "message": message},
        status_code=status,
    )
    _cookie(ctx, response, LOGIN_COOKIE, nonce, 3600)
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, ctx: Ctx, viewer: CurrentViewer, next: str | None = None) -> HTMLResponse:
    return _login_form(ctx, request, viewer, next_path=_local_path(next))


@router.post("/login", response_class=HTMLResponse, tags=["editors"], status_code=303)
def login(
    request: Request,
    ctx: Ctx,
    db: WriteDB,
    viewer: CurrentViewer,
    name: Annotated[str, Form(max_length=MAX_NAME)],
    password: Annotated[str, Form(max_length=1024)],
    login_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/review",
) -> Response:
    """Sign in with a name and password (HTML form); sets the session cookie and goes on to `next`."""
    next_path = _local_path(next)
    if not ctx.signer.login_ok(request.cookies.get(LOGIN_COOKIE), login_token):
        raise HTTPException(
            403, "the sign-in form expired or did not come from this site; reload it and try again"
        )
    s = ctx.settings
    ip = _client_ip(request)
    failures = recent_failures(db, name=name, ip=ip, window=timedelta(minutes=s.web_login_window_minutes))
    if (
        failures.by_name >= s.web_login_max_failures_per_user
        or failures.by_ip >= s.web_login_max_failures_per_ip
    ):
        raise HTTPException(
            429,
            f"too many failed sign-ins; wait {s.web_login_window_minutes} minutes and try again",
            headers={"Retry-After": str(s.web_login_window_minutes * 60)},
        )
    user = user_named(db, name)
    ok = verify_password(user.password_hash if user else None, password)
    note_login(db, name=name, ip=ip, succeeded=ok)
    db.commit()
    if not ok or user is None:
        return _login_form(
            ctx, request, viewer, next_path=next_path, message="wrong name or password", status=401
        )
    cookie, _ = ctx.signer.new_session(user.id)
    response = RedirectResponse(next_path, status_code=303)
    _cookie(ctx, response, SESSION_COOKIE, cookie, s.web_session_minutes * 60)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout", tags=["editors"], status_code=303)
def logout(viewer: Writer) -> Response:
    """Sign out (needs the CSRF token, so another site cannot sign an editor out)."""
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- the queue ---------------------------------------------------------------------------


def _queue(db: Any, page: int) -> list[QueueItemOut]:
    return [
        QueueItemOut(
            article_id=i.article_id, title=i.title, flags=i.flags, lowest_confidence=i.lowest_confidence
        )
        for i in review_queue(db, limit=50, offset=(page - 1) * 50)
    ]


@router.get("/api/review/queue", response_model=list[QueueItemOut], tags=["editors"])
def api_queue(db: ReadDB, viewer: SignedIn, page: QueuePage = 1) -> list[QueueItemOut]:
    """Records waiting for review (flags first, then lowest confidence), 50 a page; editors only."""
    return _queue(db, page)


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def queue_page(
    request: Request, ctx: Ctx, db: ReadDB, viewer: CurrentViewer, page: QueuePage = 1
) -> Response:
    if viewer.user is None and viewer.problem is None:
        return RedirectResponse("/login?next=/review", status_code=303)
    signed = signed_in(viewer)  # an expired or unknown session: 401 with the reason
    return ctx.templates.TemplateResponse(
        request, "queue.html", {"viewer": signed, "items": _queue(db, page), "page": page}
    )


@router.get("/review/next", include_in_schema=False)
def next_record(db: ReadDB, viewer: SignedIn, after: OptionalId = None) -> Response:
    target = next_in_queue(db, after=after)
    return RedirectResponse(f"/records/{target}" if target is not None else "/review", status_code=303)


# --- corrections -------------------------------------------------------------------------


def _out(db: Any, article_id: int, correction_id: int) -> CorrectionOut:
    for c in corrections_of(db, article_id=article_id):
        if c["id"] == correction_id:
            return CorrectionOut(**c)
    raise HTTPException(500, f"correction {correction_id} vanished")  # pragma: no cover


@router.post(
    "/api/records/{article_id}/corrections", response_model=CorrectionOut, status_code=201, tags=["editors"]
)
def api_correct(db: WriteDB, viewer: Writer, article_id: RowId, body: CorrectionCreate) -> CorrectionOut:
    """Make one correction (accept, change, add, delete, verify) as the signed-in editor.

    Needs the session cookie and its CSRF token in the ``X-CSRF-Token`` header.
    """
    assert viewer.user is not None
    evidence = None if body.evidence is None else actions.evidence_from(*body.evidence)
    row = actions.apply(
        db,
        article_id=article_id,
        action=body.action,
        editor=viewer.user.name,
        fact=body.fact,
        field=body.field,
        value=body.value,
        reason=body.reason,
        evidence=evidence,
    )
    actions.link_entities(db, row)
    db.commit()
    return _out(db, article_id, row.id)


@router.post(
    "/api/corrections/{correction_id}/undo", response_model=CorrectionOut, status_code=201, tags=["editors"]
)
def api_undo(db: WriteDB, viewer: Writer, correction_id: RowId, body: UndoCreate) -> CorrectionOut:
    """Undo a correction (one more correction). Needs the session and the CSRF token."""
    assert viewer.user is not None
    row = corrections.undo(db, correction_id=correction_id, editor=viewer.user.name, reason=body.reason)
    actions.link_entities(db, row)
    db.commit()
    return _out(db, row.article_id, row.id)


@router.post("/records/{article_id}/correct", tags=["editors"], status_code=303)
async def form_correct(request: Request, db: WriteDB, viewer: Writer, article_id: RowId) -> Response:
    """Make one correction from the record page's forms (HTML); back to the record."""
    assert viewer.user is not None
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if any(len(v) > 4000 for v in form.values()):
        raise HTTPException(422, "a form field is longer than 4,000 characters")
    action = form.get("action", "")
    field = form.get("field") or None
    fact = form.get("fact") or None
    value: Any = None
    if action in ("change", "add"):
        fld = field or (fact.split(":")[0].split("#")[0] if fact else "")
        value = actions.value_from_form(fld, form, partial=action == "change")
    row = actions.apply(
        db,
        article_id=article_id,
        action=action,
        editor=viewer.user.name,
        fact=fact,
        field=field if action in ("add", "verify") else None,
        value=value,
        reason=form.get("reason"),
        evidence=actions.evidence_from(form.get("ev_start"), form.get("ev_end")),
    )
    actions.link_entities(db, row)
    db.commit()
    return RedirectResponse(f"/records/{article_id}?done={row.id}#history", status_code=303)


@router.post("/corrections/{correction_id}/undo", tags=["editors"], status_code=303)
async def form_undo(request: Request, db: WriteDB, viewer: Writer, correction_id: RowId) -> Response:
    """Undo a correction from the record page's history (HTML); back to the record."""
    assert viewer.user is not None
    form = await request.form()
    reason = form.get("reason")
    row = corrections.undo(
        db,
        correction_id=correction_id,
        editor=viewer.user.name,
        reason=reason[:4000] if isinstance(reason, str) else None,
    )
    actions.link_entities(db, row)
    db.commit()
    return RedirectResponse(f"/records/{row.article_id}?done={row.id}#history", status_code=303)
