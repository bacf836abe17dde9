"""Researchers' pages and API (no sign-in, read-only): home, search, record, timelines, export.

Each page has its JSON twin under ``/api``; both call the same store functions.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Final, Literal, TypeVar, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.background import BackgroundTask

from extract.record import EVENT_KINDS, AwardKind, AwardStatus, Issuer, RoleKind
from store.browse import (
    MAX_PAGE,
    MAX_PER_PAGE,
    BrowsePage,
    Filters,
    article_text,
    browse,
    matching_ids,
    overview,
    raw_page,
)
from store.corrections import corrections_of
from store.current import current_record
from store.data_version import data_version
from store.exports import export_records
from store.models import FACT_KINDS
from store.research import bloc_timeline, unit_timeline
from thidua.quality import measured_quality
from thidua.web.cache import HEADER as CACHE_HEADER
from thidua.web.cache import RAW, Codec, data_read_earlier, model_codec
from thidua.web.charts import stacked_bars
from thidua.web.deps import Ctx, CurrentViewer, ReadDB, RowId, Viewer
from thidua.web.highlight import fact_spans, segments
from thidua.web.schemas import (
    AwardCount,
    CorrectionOut,
    FacetIndexStatus,
    FacetValue,
    Overview,
    Quality,
    RawPageOut,
    RecordOut,
    SearchResult,
    SearchRow,
    Status,
    Timeline,
)

router = APIRouter()
T = TypeVar("T")

Sort = Literal["date", "title", "province", "bloc", "members", "awards", "review"]
ExportFormat = Literal["csv", "jsonl", "parquet"]
# which filter each facet's values set when clicked
FACET_PARAM: Final = {
    "province": "province",
    "province_2025": "province",
    "year": "year",
    "bloc": "bloc",
    "unit": "unit",
    "award": "award",
    "award_status": "award_status",
    "review_state": "review",
}
CHOICES: Final = {
    "award": get_args(AwardKind),
    "award_status": get_args(AwardStatus),
    "issuer": get_args(Issuer),
    "role": get_args(RoleKind),
    "event_kind": EVENT_KINDS,
    "review": ("machine", "corrected", "review"),
    "field": FACT_KINDS,
}
YEAR_PATTERN: Final = r"^[0-9]{0,4}$"


def _blank(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _year(value: str | None) -> int | None:
    return int(value) if value else None


async def search_filters(
    q: Annotated[
        str | None, Query(max_length=500, description="Words in the article's title or text.")
    ] = None,
    province: Annotated[
        str | None, Query(max_length=500, description="A province, old or 2025 name (diacritics optional).")
    ] = None,
    year: Annotated[
        str | None, Query(pattern=YEAR_PATTERN, description="Year of the meeting or publication.")
    ] = None,
    year_from: Annotated[str | None, Query(pattern=YEAR_PATTERN)] = None,
    year_to: Annotated[str | None, Query(pattern=YEAR_PATTERN)] = None,
    bloc: Annotated[
        str | None, Query(max_length=500, description="A bloc's number or words of its name.")
    ] = None,
    unit: Annotated[str | None, Query(max_length=500, description="Words of a unit's name.")] = None,
    award: Annotated[
        str | None, Query(max_length=40, description="An award code (co_thi_dua, bang_khen, …).")
    ] = None,
    award_status: Annotated[str | None, Query(max_length=40, description="proposed or conferred.")] = None,
    review: Annotated[str | None, Query(max_length=40, description="machine, corrected or review.")] = None,
) -> Filters:
    return Filters(
        q=_blank(q),
        province=_blank(province),
        year=_year(year),
        year_from=_year(year_from),
        year_to=_year(year_to),
        bloc=_blank(bloc),
        unit=_blank(unit),
        award=_blank(award),
        award_status=_blank(award_status),
        review=_blank(review),
    )


SearchFilters = Annotated[Filters, Depends(search_filters)]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]


def _facets(result: BrowsePage) -> dict[str, list[FacetValue]]:
    return {
        name: [FacetValue(value=v, count=n) for v, n in counts.items()]
        for name, counts in result.facets.items()
    }


SEARCH_CODEC: Final = model_codec(SearchResult)
OVERVIEW_CODEC: Final = model_codec(Overview)


def _version(ctx: Ctx, db: Any) -> Any:
    """The store's data version, which every cache key of this request ends with and the in-memory
    facet index must have been built at: read once, before the data, so a rendered page or body
    and the result inside it share one key's version."""
    return data_version(db) if ctx.cache.size > 0 or ctx.facet_index is not None else None


def _cached(
    ctx: Ctx,
    response: Response,
    key: tuple[Any, ...],
    version: Any,
    compute: Callable[[], T],
    codec: Codec[T],
) -> T:
    """Return `compute()`, or the value cached for `key` at data version `version`
    (thidua/web/cache.py); say which in the response's cache header.

    A hit says "hit". A miss of a page or body computed from a result cached under its own key
    keeps what that lookup said: "miss" means this request ran the query.
    """
    if version is not None and not ctx.cache.settled(version):  # the data is changing: not kept
        response.headers[CACHE_HEADER] = "miss"
        return compute()
    value, hit = ctx.cache.get_or_compute((*key, version), compute, codec)
    if hit:
        response.headers[CACHE_HEADER] = "hit"
    else:
        response.headers.setdefault(CACHE_HEADER, "miss")
    result: T = value
    return result


def _json(body: bytes, response: Response) -> Response:
    """The JSON body as sent, with the cache header `_cached` set (only that one: the injected
    response's others, such as a length, are not this body's)."""
    return Response(
        body, media_type="application/json", headers={CACHE_HEADER: response.headers[CACHE_HEADER]}
    )


def _dump(model: Any) -> bytes:
    """The model as the JSON body FastAPI would send, without validating it again."""
    body: bytes = model.model_dump_json().encode()
    return body


def _search(
    ctx: Ctx,
    db: Any,
    response: Response,
    version: Any,
    filters: Filters,
    sort: str,
    order: str,
    page: int,
    per_page: int,
) -> SearchResult:
    # `filters` is a frozen dataclass of the normalised parameters (blanks are None)
    key = ("records", filters, sort, order, page, per_page)
    return _cached(
        ctx,
        response,
        key,
        version,
        lambda: _result(ctx, db, version, filters, sort, order, page, per_page),
        SEARCH_CODEC,
    )


def _result(
    ctx: Ctx, db: Any, version: Any, filters: Filters, sort: str, order: str, page: int, per_page: int
) -> SearchResult:
    """One page of search results, computed (`store.browse.browse`), its facets counted from the
    worker's in-memory index when that is current at `version`."""
    index = None if ctx.facet_index is None else ctx.facet_index.current(version)
    if index is not None:  # counted from a copy made then: a cached result is as old
        data_read_earlier(index.age())
    result = browse(
        db,
        filters,
        sort=sort,
        descending=order == "desc",
        page=page,
        per_page=per_page,
        index=index,
        version=version,
    )
    return SearchResult(
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        names_over=result.names_over,
        sort=sort,
        order="desc" if order == "desc" else "asc",
        filters=filters.given(),
        rows=[SearchRow(**r) for r in result.rows],
        facets=_facets(result),
    )


def _render(ctx: Ctx, request: Request, viewer: Viewer, template: str, **data: Any) -> HTMLResponse:
    return ctx.templates.TemplateResponse(request, template, {"viewer": viewer, "choices": CHOICES, **data})


def _anonymous(viewer: Viewer) -> bool:
    """Whether the viewer is nobody: no user, no session, no CSRF token, no refused cookie."""
    return viewer == Viewer()


def _page(
    ctx: Ctx,
    viewer: Viewer,
    response: Response,
    key: tuple[Any, ...],
    version: Any,
    render: Callable[[], HTMLResponse],
) -> HTMLResponse:
    """The page `render` makes, with the cache header; for an anonymous viewer the bytes rendered
    for `key` at `version` are kept and sent again (thidua/web/cache.py says why that is safe).
    A signed-in viewer's page, with their name and CSRF token, is rendered for them alone."""
    if not _anonymous(viewer):
        page = render()
        page.headers[CACHE_HEADER] = response.headers[CACHE_HEADER]
        return page
    body = _cached(ctx, response, key, version, lambda: bytes(render().body), RAW)
    return HTMLResponse(body, headers={CACHE_HEADER: response.headers[CACHE_HEADER]})


# --- home --------------------------------------------------------------------------------


def _overview(db: Any) -> Overview:
    data = overview(db)
    data["awards_by_year"] = [
        AwardCount(year=y, province=p, awards=n)
        for y, provs in data["awards_by_year"].items()
        for p, n in provs.items()
    ]
    return Overview(**data)


def _cached_overview(ctx: Ctx, db: Any, response: Response, version: Any) -> Overview:
    return _cached(ctx, response, ("overview",), version, lambda: _overview(db), OVERVIEW_CODEC)


@router.get("/api/overview", response_model=Overview, tags=["research"])
def api_overview(ctx: Ctx, db: ReadDB, response: Response) -> Response:
    """What the database holds: counts, provinces, years, awards by year and province."""
    version = _version(ctx, db)
    body = _cached(
        ctx,
        response,
        ("overview.json",),
        version,
        lambda: _dump(_cached_overview(ctx, db, response, version)),
        RAW,
    )
    return _json(body, response)


@router.get("/api/status", response_model=Status, tags=["research"])
def api_status(ctx: Ctx, db: ReadDB) -> Status:
    """What the worker that answered holds in memory: whether its facet index is current (searches
    count from it), behind (the changes since are read from SQL beside it) or being built (they
    count in SQL meanwhile). Operators and the load bench ask it after a start."""
    if ctx.facet_index is None:
        return Status(facet_index=FacetIndexStatus(state="off", records=None, age_seconds=None))
    return Status(facet_index=FacetIndexStatus(**ctx.facet_index.status(data_version(db))))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, ctx: Ctx, db: ReadDB, viewer: CurrentViewer, response: Response) -> HTMLResponse:
    version = _version(ctx, db)

    def render() -> HTMLResponse:
        data = _cached_overview(ctx, db, response, version)
        by_year: dict[str, dict[str, int]] = {}
        for c in data.awards_by_year:
            by_year.setdefault(str(c.year), {})[c.province] = c.awards
        return _render(ctx, request, viewer, "home.html", data=data, chart=stacked_bars(by_year))

    return _page(ctx, viewer, response, ("home.html",), version, render)


# --- search ------------------------------------------------------------------------------


@router.get("/api/records", response_model=SearchResult, tags=["research"])
def api_search(
    ctx: Ctx,
    db: ReadDB,
    response: Response,
    filters: SearchFilters,
    sort: Sort = "date",
    order: Literal["asc", "desc"] = "desc",
    page: Page = 1,
    per_page: PerPage = 50,
) -> Response:
    """Current records passing the filters: one sorted page, the total, facet counts over all."""
    version = _version(ctx, db)
    # only the body is kept: most API queries are asked once (a result cached beside it was a
    # second file written and a second serialisation per miss, for nothing)
    body = _cached(
        ctx,
        response,
        ("records.json", filters, sort, order, page, per_page),
        version,
        lambda: _dump(_result(ctx, db, version, filters, sort, order, page, per_page)),
        RAW,
    )
    return _json(body, response)


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    ctx: Ctx,
    db: ReadDB,
    viewer: CurrentViewer,
    response: Response,
    filters: SearchFilters,
    sort: Sort = "date",
    order: Literal["asc", "desc"] = "desc",
    page: Page = 1,
    per_page: PerPage = 50,
) -> HTMLResponse:
    version = _version(ctx, db)
    params = {k: str(v) for k, v in filters.given().items()}

    current: dict[str, Any] = {**params, "sort": sort, "order": order, "per_page": per_page}
    encoded: dict[tuple[str, str], str] = {}

    def pair(key: str, value: Any) -> str:
        # a page holds some 60 links sharing most of their parameters: each is encoded once
        # (urlencode of every link was a fifth of the page's CPU)
        item = (key, str(value))
        text = encoded.get(item)
        if text is None:
            text = encoded[item] = urlencode([item])
        return text

    def link(**changes: Any) -> str:
        """The search URL with the current filters, sort and page, some of them changed."""
        merged = {**current, **changes}
        return "?" + "&".join(pair(k, v) for k, v in merged.items() if v not in (None, ""))

    def export_link(fmt: str) -> str:
        return "/api/export?" + urlencode({**params, "format": fmt})

    def render() -> HTMLResponse:
        result = _search(ctx, db, response, version, filters, sort, order, page, per_page)
        return _render(
            ctx,
            request,
            viewer,
            "search.html",
            result=result,
            filters=filters,
            params=params,
            link=link,
            export_link=export_link,
            pages=max(1, -(-result.total // per_page)),
            facet_param=FACET_PARAM,
        )

    # the page shows the normalised parameters only (`filters`, `params`), never the raw URL
    return _page(
        ctx, viewer, response, ("search.html", filters, sort, order, page, per_page), version, render
    )


# --- one record --------------------------------------------------------------------------


def _record(db: Any, article_id: int) -> RecordOut:
    record = current_record(db, article_id)
    return RecordOut(
        record=record,
        text=article_text(db, article_id),
        history=[CorrectionOut(**c) for c in corrections_of(db, article_id=article_id)],
    )


@router.get("/api/records/{article_id}", response_model=RecordOut, tags=["research"])
def api_record(db: ReadDB, article_id: RowId) -> RecordOut:
    """One article's current record, its text and the history of its corrections."""
    return _record(db, article_id)


@router.get("/api/records/{article_id}/raw", response_model=RawPageOut, tags=["research"])
def api_raw(db: ReadDB, article_id: RowId) -> RawPageOut:
    """The raw page the article was made from, as text."""
    raw = raw_page(db, article_id)
    return RawPageOut(
        url=raw.url,
        final_url=raw.final_url,
        status=raw.status,
        fetched_at=raw.fetched_at.isoformat(),
        encoding=raw.encoding,
        text=raw.text,
    )


def show_value(value: Any) -> str:
    """A fact's value as one line of text (the template escapes it)."""
    if isinstance(value, dict):
        parts = [str(v) for k, v in value.items() if v not in (None, [], "") and k != "aliases"]
        return " · ".join(parts)
    return "" if value is None else str(value)


@router.get("/records/{article_id}", response_class=HTMLResponse, include_in_schema=False)
def record_page(
    request: Request, ctx: Ctx, db: ReadDB, viewer: CurrentViewer, article_id: RowId, done: int | None = None
) -> HTMLResponse:
    data = _record(db, article_id)
    facts = data.record["facts"]
    raw = raw_page(db, article_id)
    return _render(
        ctx,
        request,
        viewer,
        "record.html",
        data=data,
        record=data.record,
        facts=facts,
        segments=segments(data.text, fact_spans(facts)),
        raw=raw,
        show_value=show_value,
        done=done,
        record_json=json.dumps(data.record, ensure_ascii=False, indent=2, default=str),
    )


# --- timelines ---------------------------------------------------------------------------


def _unit_chart(years: list[dict[str, Any]]) -> Any:
    """Records naming the unit per year, by bloc (a record in two blocs counts in each)."""
    return stacked_bars(
        {_year_label(e["year"]): {b["name"]: b["records"] for b in e["blocs"]} for e in years}
    )


def _bloc_chart(years: list[dict[str, Any]]) -> Any:
    """How many distinct members and leaders the bloc's records name per year."""
    return stacked_bars(
        {_year_label(e["year"]): {"members": len(e["members"]), "leaders": len(e["leaders"])} for e in years}
    )


def _year_label(year: int | None) -> str:
    return str(year) if year is not None else "undated"


Name = Annotated[str, Query(min_length=1, max_length=500)]


@router.get("/api/units/timeline", response_model=Timeline, tags=["research"])
def api_unit_timeline(db: ReadDB, name: Name) -> Timeline:
    """A unit's blocs, roles and awards, year by year."""
    return Timeline(name=name, years=unit_timeline(db, name))


@router.get("/api/blocs/timeline", response_model=Timeline, tags=["research"])
def api_bloc_timeline(db: ReadDB, name: Name) -> Timeline:
    """A bloc's members and leaders, year by year."""
    return Timeline(name=name, years=bloc_timeline(db, name))


@router.get("/units", response_class=HTMLResponse, include_in_schema=False)
def unit_page(request: Request, ctx: Ctx, db: ReadDB, viewer: CurrentViewer, name: Name) -> HTMLResponse:
    years = unit_timeline(db, name)
    chart = _unit_chart(years)
    return _render(ctx, request, viewer, "timeline.html", kind="unit", name=name, years=years, chart=chart)


@router.get("/blocs", response_class=HTMLResponse, include_in_schema=False)
def bloc_page(request: Request, ctx: Ctx, db: ReadDB, viewer: CurrentViewer, name: Name) -> HTMLResponse:
    years = bloc_timeline(db, name)
    chart = _bloc_chart(years)
    return _render(ctx, request, viewer, "timeline.html", kind="bloc", name=name, years=years, chart=chart)


# --- measured quality --------------------------------------------------------------------


@router.get("/api/quality", response_model=Quality, tags=["research"])
def api_quality(db: ReadDB) -> Quality:
    """Precision and recall of each extractor version against the records editors verified,
    and the share of editors' fixes that hit facts in the review queue's first fifth."""
    return Quality(**measured_quality(db))


@router.get("/quality", response_class=HTMLResponse, include_in_schema=False)
def quality_page(request: Request, ctx: Ctx, db: ReadDB, viewer: CurrentViewer) -> HTMLResponse:
    return _render(ctx, request, viewer, "quality.html", data=Quality(**measured_quality(db)))


# --- export ------------------------------------------------------------------------------


@router.get(
    "/api/export",
    response_class=FileResponse,
    tags=["research"],
    responses={200: {"content": {"application/zip": {}}, "description": "The export folder as a zip file."}},
)
def api_export(db: ReadDB, filters: SearchFilters, format: ExportFormat = "csv") -> FileResponse:
    """The current records passing the filters, exported by the store (with its manifest), zipped."""
    ids = matching_ids(db, filters)  # every match, in the same selection as the search page
    work = Path(tempfile.mkdtemp(prefix="thidua-web-export-"))
    try:
        export_records(db, fmt=format, target=work / "export", filters=filters.given(), article_ids=ids)
        archive = work / f"thidua-{format}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted((work / "export").iterdir()):
                zf.write(path, path.name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return FileResponse(
        archive,
        media_type="application/zip",
        filename=archive.name,
        background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
    )
