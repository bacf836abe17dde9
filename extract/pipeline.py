"""Assemble the SCHEMA.md record for one article from the cheap steps up (see DESIGN.md).

`_extract` runs the steps in order; each lives in the module for its part of the record:
extract.meeting (event kinds and date), extract.blocs, extract.members (member and attendance
lists), extract.outcomes (roles and awards) and extract.province. The glue steps here only find
the unit spans those steps read.
"""

from __future__ import annotations

from datetime import date

from extract import awards as aw
from extract import dates as dt
from extract import roles
from extract.blocs import bloc_facts
from extract.confirm import confirm_open_class
from extract.document import Document, body_sentences, build
from extract.guests import BlocKind
from extract.lexicon import ukey
from extract.limits import MAX_ARTICLE_BYTES, check_text_size
from extract.meeting import read_meeting
from extract.members import finish_members, kind_from_bloc_names, kind_from_members, read_member_lists
from extract.outcomes import read_awards, read_roles
from extract.pagedate import parse_page_date
from extract.province import assign_province
from extract.record import EvidenceMaker, Record, ScalarFact
from extract.spanindex import SpanIndex
from extract.textnorm import normalize
from extract.units import (
    UnitSpan,
    gazetteer_spans,
    open_units,
    place_units,
    province_continuations,
)


def extract_record(
    text: str,
    *,
    doc_id: str,
    url: str | None = None,
    published: str | None = None,
    province_hint: str | None = None,
    max_bytes: int = MAX_ARTICLE_BYTES,
) -> Record:
    """Run every step on one article and return its record (offsets into `text`).

    Raises ArticleTooLargeError above `max_bytes` of UTF-8 (before any work) and NotTextError for
    text that is mostly control characters.
    """
    check_text_size(text, cap=max_bytes)
    return _extract(text, doc_id=doc_id, url=url, published=published, province_hint=province_hint)


def _extract(
    text: str, *, doc_id: str, url: str | None, published: str | None, province_hint: str | None
) -> Record:
    """The steps, cheapest first; each later step reads what the earlier ones found."""
    norm = normalize(text)
    doc = build(norm)
    rec = Record(doc_id=doc_id)
    ev = EvidenceMaker(norm)
    w = norm.text

    pub = _published(rec, doc, published, ev)
    meeting = read_meeting(rec, doc, url, pub, ev)
    sentences = body_sentences(doc)
    gaz, units = _units(w, sentences)
    rec.blocs = bloc_facts(w, sentences, ev)
    bloc = kind_from_bloc_names(rec, BlocKind())
    members, list_items, bloc = read_member_lists(rec, w, sentences, gaz, ev, bloc)
    bloc = kind_from_members(members, bloc)
    all_units = _with_places(w, sentences, units + list_items, bloc)
    read_roles(rec, w, sentences, all_units, meeting, members, ev, bloc)
    read_awards(rec, w, sentences, all_units, gaz, meeting.reviewed, members, ev, bloc)
    _date_rotating_flags(rec)
    finish_members(rec, members)
    assign_province(rec, w, url, province_hint, ev)
    return rec


def _date_rotating_flags(rec: Record) -> None:
    """A rotating flag with no year is the one its recipient holds as Khối trưởng of a stated year;
    then flag any award still without a year.

    Read after roles and awards: "năm 2019 Liên đoàn Lao động tỉnh nhận nhiệm vụ Khối trưởng … trao Cờ
    luân lưu cho Liên đoàn Lao động tỉnh" dates the flag 2019 even at a pact meeting that reviews no year.
    """
    leaders = {ukey(r.unit): r.year for r in rec.roles if r.role == "khoi_truong" and r.year}
    for a in rec.awards:
        if a.award == "co_luan_luu" and a.year is None and ukey(a.recipient) in leaders:
            a.year = leaders[ukey(a.recipient)]
    if any(a.year is None for a in rec.awards):
        rec.flags.append("award_without_year")  # once every award has the year it will get


def _published(rec: Record, doc: Document, published: str | None, ev: EvidenceMaker) -> date | None:
    """The publication date: the crawler's metadata, else the page's date line.

    Read first: it completes the year of the event date ("ngày 15/1").
    """
    pub = dt.parse_iso(published)
    if pub:
        rec.published = ScalarFact(None, 1.0, "metadata", field_name="published", value=pub.isoformat())
    elif doc.dateline:
        pub = parse_page_date(doc.dateline.text)
        if pub:
            rec.published = ScalarFact(
                ev(doc.dateline.start, doc.dateline.end),
                0.85,
                "dateline",
                field_name="published",
                value=pub.isoformat(),
            )
    return pub


def _units(w: str, sentences: list[tuple[int, int]]) -> tuple[list[UnitSpan], list[UnitSpan]]:
    """Gazetteer units, and those plus open-class units (captured from their head word).

    Open-class capture runs only in sentences with a role, an award or a list ("gồm"), where the
    relation steps can use what it finds.
    """
    gaz = gazetteer_spans(w)
    units: list[UnitSpan] = list(gaz)
    near = SpanIndex(gaz)
    for s, e in sentences:
        if roles.ROLE_RE.search(w, s, e) or aw.AWARD_RE.search(w, s, e) or "gồm" in w[s:e]:
            # only names touching this sentence can block a capture in it (open-class units stay
            # inside their sentence, and sentences do not overlap)
            taken = [(u.start, u.end) for u in near.within(s, e)]
            found = confirm_open_class(w, s, e, open_units(w, s, e, taken))
            units += found
    return gaz, units


def _with_places(
    w: str, sentences: list[tuple[int, int]], units: list[UnitSpan], bloc: BlocKind
) -> list[UnitSpan]:
    """`units` plus provinces and districts acting as units, sorted by position.

    A place is a unit in a role sentence ("Tỉnh Đắk Lắk - Cụm trưởng") and, in a cluster of
    provinces, in an award sentence; read after the member lists, which tell whether it is a cluster.
    """
    near = SpanIndex(units)
    places = [
        p
        for s, e in sentences
        if roles.ROLE_RE.search(w, s, e) or (bloc.provinces_are_members and aw.AWARD_RE.search(w, s, e))
        for p in place_units(w, s, e, near.within(s, e))
    ]
    spread = province_continuations(w, units)
    return sorted(units + places + spread, key=lambda u: (u.start, -u.end))
