"""Units and blocs as entities: their list and pages (everyone), and editors' merges, splits and
undos, each previewed before it is confirmed.

Every write goes: preview (a GET, `store.entity_preview`, nothing written; a refusal shows the
store's named error) → confirm (a POST with the session's CSRF token, `Writer`) → one call of
`store.entity_corrections` in one transaction. The confirmation carries the preview's `state`,
so a group another editor changed in between is refused (409) rather than merged blind.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from store import entity_corrections as ec
from store.entities import entities_by_id
from store.entity_pages import MAX_PAGE, entity_detail, list_entities
from store.entity_preview import preview_merge, preview_split, preview_undo
from store.models import EntityCorrection
from thidua.web.charts import stacked_bars
from thidua.web.deps import (
    MAX_ID,
    Ctx,
    CurrentViewer,
    ReadDB,
    RowId,
    SignedIn,
    Viewer,
    WriteDB,
    Writer,
    signed_in,
)
from thidua.web.routes_research import show_value
from thidua.web.schemas import (
    EntityChange,
    EntityCorrectionOut,
    EntityDetail,
    EntityList,
    EntityPreview,
    MergeCreate,
)

router = APIRouter()

Kind = Literal["unit", "bloc"]
Text = Annotated[str | None, Query(max_length=500)]
ListPage = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Ids = Annotated[list[int], Query(max_length=100, description="Entity ids; the first one's name is kept.")]
FormReason = Annotated[str | None, Form(max_length=4000)]
FormState = Annotated[str | None, Form(max_length=4000)]
MAX_IDS: Final = 100


def _check_ids(ids: list[int]) -> list[int]:
    """Ids from a query or form: the same bounds as a path's (a larger one names nothing)."""
    bad = [i for i in ids if not 1 <= i <= MAX_ID]
    if bad:
        raise HTTPException(422, f"ids: {bad[0]} is not an entity id (1 to {MAX_ID})")
    return ids


def _render(ctx: Ctx, request: Request, viewer: Viewer, template: str, **data: Any) -> HTMLResponse:
    return ctx.templates.TemplateResponse(
        request, template, {"viewer": viewer, "show_value": show_value, **data}
    )


def _login_first(request: Request) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": here}), status_code=303)


def _correction_out(db: Any, correction_id: int) -> EntityCorrectionOut:
    for c in ec.entity_corrections_of(db):
        if c["id"] == correction_id:
            return EntityCorrectionOut(**c)
    raise LookupError(f"entity correction {correction_id} vanished")  # pragma: no cover


# --- reading (everyone) --------------------------------------------------------------------


@router.get("/api/entities", response_model=EntityList, tags=["entities"])
def api_entities(
    db: ReadDB,
    kind: Kind = "unit",
    province: Text = None,
    name: Text = None,
    page: ListPage = 1,
) -> EntityList:
    """Units or blocs, 50 a page, filtered by province (old or 2025 name) and words of a name or alias."""
    return EntityList(**list_entities(db, kind=kind, province=province or None, name=name or None, page=page))


@router.get("/api/entities/{entity_id}", response_model=EntityDetail, tags=["entities"])
def api_entity(db: ReadDB, entity_id: RowId) -> EntityDetail:
    """One unit or bloc: aliases, merged group, the current records naming it, its corrections."""
    return EntityDetail(**entity_detail(db, entity_id))


@router.get("/api/entity-corrections", response_model=list[EntityCorrectionOut], tags=["entities"])
def api_entity_corrections(
    db: ReadDB, entity_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> list[EntityCorrectionOut]:
    """Every merge, split and undo of entities (of one entity, if given), oldest first."""
    return [EntityCorrectionOut(**c) for c in ec.entity_corrections_of(db, entity_id=entity_id)]


@router.get("/entities", response_class=HTMLResponse, include_in_schema=False)
def entities_page(
    request: Request,
    ctx: Ctx,
    db: ReadDB,
    viewer: CurrentViewer,
    kind: Kind = "unit",
    province: Text = None,
    name: Text = None,
    page: ListPage = 1,
    ids: Annotated[list[int], Query(max_length=MAX_IDS)] = [],  # noqa: B006  # FastAPI copies it
) -> HTMLResponse:
    chosen = _check_ids(ids)
    result = EntityList(
        **list_entities(db, kind=kind, province=province or None, name=name or None, page=page)
    )
    params = {k: v for k, v in {"kind": kind, "province": province, "name": name}.items() if v}
    pages = max(1, -(-result.total // result.per_page))
    known = entities_by_id(db, chosen)
    chosen_names = {i: known[i].name for i in dict.fromkeys(chosen) if i in known}

    def unpick(entity_id: int) -> str:
        rest = [i for i in chosen_names if i != entity_id]
        return "?" + urlencode({**params, "page": page, "ids": rest}, doseq=True)

    return _render(
        ctx,
        request,
        viewer,
        "entities.html",
        result=result,
        kind=kind,
        province=province or "",
        name=name or "",
        chosen=chosen,
        chosen_names=chosen_names,
        shown={e.id for e in result.rows},
        unpick=unpick,
        pages=pages,
        link=lambda p: (
            "?" + urlencode({**params, "page": p} | ({"ids": chosen} if chosen else {}), doseq=True)
        ),
    )


@router.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
def entity_page(
    request: Request, ctx: Ctx, db: ReadDB, viewer: CurrentViewer, entity_id: RowId, done: int | None = None
) -> HTMLResponse:
    data = EntityDetail(**entity_detail(db, entity_id))
    ids = {m.id for m in data.group} | {i for c in data.corrections for i in c.entity_ids}
    names = {e.id: e.name for e in entities_by_id(db, ids).values()}
    # the group's facts by year and field: the timeline that follows merges (the /units and
    # /blocs timelines follow the words of a name)
    by_year: dict[str, dict[str, int]] = {}
    for r in sorted(data.records, key=lambda r: (r.year is None, r.year or 0)):
        counts = by_year.setdefault(str(r.year) if r.year is not None else "undated", {})
        for f in r.facts:
            counts[f.field] = counts.get(f.field, 0) + 1
    return _render(
        ctx, request, viewer, "entity.html", data=data, done=done, names=names, chart=stacked_bars(by_year)
    )


@router.get("/entity-corrections", response_class=HTMLResponse, include_in_schema=False)
def entity_history_page(
    request: Request, ctx: Ctx, db: ReadDB, viewer: CurrentViewer, done: int | None = None
) -> HTMLResponse:
    rows = [EntityCorrectionOut(**c) for c in reversed(ec.entity_corrections_of(db))]  # newest first
    names = {e.id: e.name for e in entities_by_id(db, {i for c in rows for i in c.entity_ids}).values()}
    return _render(ctx, request, viewer, "entity_history.html", rows=rows, names=names, done=done)


# --- previews (editors; nothing is written) ------------------------------------------------


@router.get("/api/entity-merge/preview", response_model=EntityPreview, tags=["editors"])
def api_preview_merge(db: ReadDB, viewer: SignedIn, ids: Ids) -> EntityPreview:
    """What merging the entities would change (nothing is written): groups before and after, the
    facts, records and years that move, or the store's refusal. Editors only."""
    return EntityPreview(**preview_merge(db, _check_ids(ids)))


@router.get("/api/entities/{entity_id}/split/preview", response_model=EntityPreview, tags=["editors"])
def api_preview_split(db: ReadDB, viewer: SignedIn, entity_id: RowId) -> EntityPreview:
    """What taking the entity out of its merged group would change (nothing is written)."""
    return EntityPreview(**preview_split(db, entity_id))


@router.get(
    "/api/entity-corrections/{correction_id}/undo/preview", response_model=EntityPreview, tags=["editors"]
)
def api_preview_undo(db: ReadDB, viewer: SignedIn, correction_id: RowId) -> EntityPreview:
    """What undoing the entity correction would change (nothing is written)."""
    return EntityPreview(**preview_undo(db, correction_id))


def _preview_page(
    ctx: Ctx,
    request: Request,
    signed: Viewer,
    preview: dict[str, Any],
    *,
    confirm: str,
    back: str,
    orders: list[tuple[int, str, str]] | None = None,
) -> Response:
    """The preview of a merge, split or undo, with the form that confirms it."""
    return _render(
        ctx,
        request,
        signed,
        "entity_preview.html",
        p=EntityPreview(**preview),
        confirm=confirm,
        back=back,
        orders=orders or [],
    )


@router.get("/entity-merge", response_class=HTMLResponse, include_in_schema=False)
def merge_preview_page(
    request: Request,
    ctx: Ctx,
    db: ReadDB,
    viewer: CurrentViewer,
    ids: Annotated[list[int], Query(max_length=MAX_IDS)] = [],  # noqa: B006  # FastAPI copies it
) -> Response:
    if viewer.user is None and viewer.problem is None:
        return _login_first(request)
    signed = signed_in(viewer)
    chosen = _check_ids(ids)
    preview = preview_merge(db, chosen)
    # "keep this one's name": the same merge with that entity first (a group keeps the name of
    # the first entity's representative)
    rep_name = {m["id"]: g["representative"]["name"] for g in preview["before"] for m in g["members"]}
    orders = [
        (
            i,
            rep_name.get(i, f"#{i}"),
            "/entity-merge?" + urlencode({"ids": [i, *[j for j in chosen if j != i]]}, doseq=True),
        )
        for i in dict.fromkeys(chosen)
    ]
    back = "/entities?" + urlencode({"ids": chosen}, doseq=True)
    return _preview_page(ctx, request, signed, preview, confirm="/entity-merge", back=back, orders=orders)


@router.get("/entities/{entity_id}/split", response_class=HTMLResponse, include_in_schema=False)
def split_preview_page(
    request: Request, ctx: Ctx, db: ReadDB, viewer: CurrentViewer, entity_id: RowId
) -> Response:
    if viewer.user is None and viewer.problem is None:
        return _login_first(request)
    return _preview_page(
        ctx,
        request,
        signed_in(viewer),
        preview_split(db, entity_id),
        confirm=f"/entities/{entity_id}/split",
        back=f"/entities/{entity_id}",
    )


@router.get("/entity-corrections/{correction_id}/undo", response_class=HTMLResponse, include_in_schema=False)
def undo_preview_page(
    request: Request, ctx: Ctx, db: ReadDB, viewer: CurrentViewer, correction_id: RowId
) -> Response:
    if viewer.user is None and viewer.problem is None:
        return _login_first(request)
    return _preview_page(
        ctx,
        request,
        signed_in(viewer),
        preview_undo(db, correction_id),
        confirm=f"/entity-corrections/{correction_id}/undo",
        back="/entity-corrections",
    )


# --- writes (editors, CSRF; one store call each) -------------------------------------------


def _merge(db: Any, viewer: Viewer, ids: list[int], reason: str | None, state: str | None) -> int:
    assert viewer.user is not None  # require_writer made sure
    row = ec.merge_entities(
        db, entity_ids=ids, editor=viewer.user.name, reason=reason or None, expect_state=state
    )
    db.commit()
    return row.id


def _split(db: Any, viewer: Viewer, entity_id: int, reason: str | None, state: str | None) -> int:
    assert viewer.user is not None
    row = ec.split_entity(
        db, entity_id=entity_id, editor=viewer.user.name, reason=reason or None, expect_state=state
    )
    db.commit()
    return row.id


def _undo(
    db: Any, viewer: Viewer, correction_id: int, reason: str | None, state: str | None
) -> EntityCorrection:
    assert viewer.user is not None
    row = ec.undo_entity_correction(
        db, correction_id=correction_id, editor=viewer.user.name, reason=reason or None, expect_state=state
    )
    db.commit()
    return row


@router.post("/api/entity-merge", response_model=EntityCorrectionOut, status_code=201, tags=["editors"])
def api_merge(db: WriteDB, viewer: Writer, body: MergeCreate) -> EntityCorrectionOut:
    """Merge units (or blocs) that are the same; the first one's name is kept. Needs the session
    and the CSRF token (``X-CSRF-Token``); refusals are the store's named errors (404, 409, 422)."""
    return _correction_out(db, _merge(db, viewer, list(body.entity_ids), body.reason, body.state))


@router.post(
    "/api/entities/{entity_id}/split", response_model=EntityCorrectionOut, status_code=201, tags=["editors"]
)
def api_split(db: WriteDB, viewer: Writer, entity_id: RowId, body: EntityChange) -> EntityCorrectionOut:
    """Take the entity out of its merged group (a wrong merge). Needs the session and the CSRF token."""
    return _correction_out(db, _split(db, viewer, entity_id, body.reason, body.state))


@router.post(
    "/api/entity-corrections/{correction_id}/undo",
    response_model=EntityCorrectionOut,
    status_code=201,
    tags=["editors"],
)
def api_entity_undo(
    db: WriteDB, viewer: Writer, correction_id: RowId, body: EntityChange
) -> EntityCorrectionOut:
    """Undo a merge, split or undo of entities (one more correction). Needs the session and the CSRF token."""
    return _correction_out(db, _undo(db, viewer, correction_id, body.reason, body.state).id)


@router.post("/entity-merge", tags=["editors"], status_code=303)
def form_merge(
    db: WriteDB,
    viewer: Writer,
    ids: Annotated[list[int], Form(max_length=MAX_IDS)],
    reason: FormReason = None,
    state: FormState = None,
) -> Response:
    """Confirm a merge from its preview page (HTML form); on to the merged entity."""
    chosen = _check_ids(ids)
    done = _merge(db, viewer, chosen, reason, state)
    return RedirectResponse(f"/entities/{chosen[0]}?done={done}", status_code=303)


@router.post("/entities/{entity_id}/split", tags=["editors"], status_code=303)
def form_split(
    db: WriteDB, viewer: Writer, entity_id: RowId, reason: FormReason = None, state: FormState = None
) -> Response:
    """Confirm a split from its preview page (HTML form); back to the entity."""
    done = _split(db, viewer, entity_id, reason, state)
    return RedirectResponse(f"/entities/{entity_id}?done={done}", status_code=303)


@router.post("/entity-corrections/{correction_id}/undo", tags=["editors"], status_code=303)
def form_entity_undo(
    db: WriteDB, viewer: Writer, correction_id: RowId, reason: FormReason = None, state: FormState = None
) -> Response:
    """Confirm an undo from its preview page (HTML form); on to the first entity it names."""
    row = _undo(db, viewer, correction_id, reason, state)
    return RedirectResponse(f"/entities/{row.entity_ids[0]}?done={row.id}", status_code=303)
