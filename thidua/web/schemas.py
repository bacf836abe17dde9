"""The JSON API's request and response shapes (they make the OpenAPI schema at /openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class FacetValue(BaseModel):
    value: str | int | None = Field(description="The facet's value; null: missing (no province, undated).")
    count: int


class SearchRow(BaseModel):
    article_id: int
    title: str | None
    url: str
    date: str | None = Field(description="Event date, else published date (YYYY-MM-DD).")
    year: int | None
    province: str | None
    bloc: str | None = Field(description="The first bloc's name.")
    members: int
    roles: int
    awards: int
    review: Literal["machine", "corrected", "review"]
    extractor_version: str | None


class SearchResult(BaseModel):
    total: int
    page: int
    per_page: int
    sort: str
    order: Literal["asc", "desc"]
    filters: dict[str, Any]
    rows: list[SearchRow]
    facets: dict[str, list[FacetValue]]
    # the bloc and unit facets count the names of this many matches, the newest (all when ≤ 2,000)
    names_over: int


class AwardCount(BaseModel):
    year: int
    province: str
    awards: int


class Overview(BaseModel):
    articles: int
    bloc_news_articles: int
    records: int
    facts: dict[str, int]
    provinces: list[str]
    years: list[int]
    corrections: int
    awards_by_year: list[AwardCount]


class FacetIndexStatus(BaseModel):
    state: Literal["current", "behind", "stale", "building", "none", "off"]
    records: int | None
    age_seconds: float | None
    full_builds: int = 0
    updates: int = 0


class Status(BaseModel):
    """What the worker that answered holds: its in-memory facet index (store/facet_index.py)."""

    facet_index: FacetIndexStatus


class CorrectionOut(BaseModel):
    id: int
    created_at: str | None
    editor: str
    action: str
    field: str | None
    fact_keys: list[str]
    result_keys: list[str]
    old_value: Any = None
    new_value: Any = None
    evidence: dict[str, Any] | None
    reason: str | None
    record_id: int | None
    undoes: int | None
    in_force: bool


class RecordOut(BaseModel):
    record: dict[str, Any] = Field(
        description="The current record (store.current.current_record): SCHEMA.md fields, every "
        "fact with its source, confidence, rule, evidence and corrections, review flags."
    )
    text: str = Field(description="The article's stored text; evidence offsets point into it.")
    history: list[CorrectionOut]


class RawPageOut(BaseModel):
    url: str
    final_url: str
    status: int
    fetched_at: str
    encoding: str | None
    text: str = Field(description="The raw HTML as text (show it escaped: it comes from the internet).")


class Timeline(BaseModel):
    name: str
    years: list[dict[str, Any]]


class QueueItemOut(BaseModel):
    article_id: int
    title: str | None
    flags: int
    lowest_confidence: float | None


class CorrectionCreate(BaseModel):
    action: Literal["accept", "change", "add", "delete", "verify"]
    fact: str | None = Field(
        default=None,
        description="The fact: its key (member:so y te) or place (member#2); accept/change/delete.",
    )
    field: str | None = Field(
        default=None, description="The field of an add, or of a verify (null: the whole record)."
    )
    value: Any = Field(
        default=None,
        description="A SCHEMA.md value: text for published, event_date, province, event_kind and member; "
        "an object for bloc, role and award (a change may give only the keys that change).",
    )
    reason: str | None = None
    evidence: list[int] | None = Field(
        default=None, min_length=2, max_length=2, description="[start, end) offsets in the article's text."
    )


class UndoCreate(BaseModel):
    reason: str | None = None


class FieldScore(BaseModel):
    precision: float
    recall: float
    f1: float
    tp: int
    gold: int
    pred: int


class VersionQuality(BaseModel):
    extractor_version: str
    records: int = Field(description="Verified records this version has a machine record of.")
    fields: dict[str, FieldScore]


class QueueWork(BaseModel):
    facts_ranked: int
    fixes: int = Field(
        description="Editors' changes, deletes, merges and splits of newest-run machine facts."
    )
    in_first_fifth: int
    share: float | None
    unranked: int


class Quality(BaseModel):
    verified_records: int
    by_version: list[VersionQuality]
    queue: QueueWork


# --- entities: units and blocs across articles, merges and splits ----------------------------

EntityIds = Annotated[
    list[Annotated[int, Field(ge=1, le=2**31 - 1)]],
    Field(max_length=100, description="Entity ids; the first one's name is kept."),
]
Reason = Annotated[str | None, Field(default=None, max_length=4000)]
State = Annotated[
    str | None,
    Field(
        default=None,
        max_length=4000,
        description="The preview's `state`: the write is refused (409) if the groups changed since.",
    ),
]


class EntityBrief(BaseModel):
    id: int
    name: str
    kind: str
    province: str | None


class Linked(BaseModel):
    facts: dict[str, int] = Field(
        description="Linked facts of current records by field (bloc, member, role, award)."
    )
    fact_count: int
    records: int
    years: list[int] = Field(description="Years of those records (meeting, else publication).")
    undated_records: int


class EntityRow(BaseModel):
    id: int
    kind: str
    name: str
    province: str | None
    province_2025: str | None
    aliases: list[str]
    articles: int = Field(description="Articles with a fact linked to this entity.")
    group: list[int] = Field(
        description="The merged group, representative first (itself alone if not merged)."
    )
    merged_into: int | None


class EntityList(BaseModel):
    total: int
    page: int
    per_page: int
    rows: list[EntityRow]


class GroupMember(EntityBrief, Linked):
    aliases: list[str]


class EntityFactOut(BaseModel):
    field: str
    key: str
    value: Any
    entity_id: int = Field(description="The member of the group the fact is linked to.")


class EntityRecord(BaseModel):
    article_id: int
    title: str | None
    url: str
    province: str | None
    year: int | None
    facts: list[EntityFactOut]


class EntityCorrectionOut(BaseModel):
    id: int
    created_at: str | None
    editor: str
    action: Literal["merge", "split", "undo"]
    entity_ids: list[int]
    reason: str | None
    undoes: int | None
    in_force: bool


class EntityDetail(BaseModel):
    entity: dict[str, Any] = Field(
        description="store.entities.describe: names, aliases, provinces, 2025 links, merge group."
    )
    representative: EntityBrief
    group: list[GroupMember]
    records: list[EntityRecord] = Field(description="The newest 200 current records naming the group.")
    linked: Linked
    linked_articles: int
    corrections: list[EntityCorrectionOut]


class PreviewGroup(Linked):
    representative: EntityBrief
    members: list[EntityBrief]
    new_years: list[int] = Field(default=[], description="After: years its timeline gains.")


class Move(Linked):
    model_config = ConfigDict(populate_by_name=True)

    entity: EntityBrief
    from_: EntityBrief = Field(alias="from")
    to: EntityBrief


class Refusal(BaseModel):
    error: str = Field(description="The store's named error (SelfMergeError, EntityKindError, …).")
    message: str


class EntityPreview(BaseModel):
    action: Literal["merge", "split", "undo"]
    entity_ids: list[int]
    undoes: int | None
    allowed: bool
    refusal: Refusal | None
    before: list[PreviewGroup]
    after: list[PreviewGroup]
    moves: list[Move] = Field(description="Each entity whose facts would show under another entity.")
    state: str


class MergeCreate(BaseModel):
    entity_ids: EntityIds
    reason: Reason
    state: State


class EntityChange(BaseModel):
    reason: Reason
    state: State
