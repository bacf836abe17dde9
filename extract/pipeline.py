"""Extraction as one pipeline of named steps over one `Article` (extract/article.py).

`STEPS` at the end of this module is the order, and the only place it is written down. Each step
is a function `step(article) -> None` with one job: it reads the layers earlier steps left on the
article and adds its own. The work itself lives in the module named beside each step; the steps
here only say what each reads and writes.

 1. normalize_text          text → `norm` (working text + offset map), `evidence`
 2. classify_lines          norm → `doc` (title, page date line, lead, boilerplate, body, captions)
 3. read_published          metadata or doc's date line → `published`, record.published
 4. read_meeting            doc, published → `meeting`, record.event_kinds, record.event_date (meeting.py)
 5. split_sentences         doc → `sentences`
 6. find_gazetteer_units    norm → `gazetteer` (units.py, spaCy PhraseMatcher)
 7. find_open_units         sentences, gazetteer → `units` (+ open-class, model-confirmed: confirm.py)
 8. read_blocs              sentences → record.blocs (blocs.py)
 9. bloc_kind_from_names    record.blocs → `bloc` (a bloc of ministries?) (members.py)
10. read_member_lists       sentences, gazetteer, bloc → `members`, `list_items`, `bloc` (members.py,
                            lists.py)
11. bloc_kind_from_members  members → `bloc` (a cluster of provinces?) (members.py)
12. add_place_units         units, list_items, bloc → `all_units` (units.py)
13. read_roles              all_units, meeting, bloc → record.roles, `members` (outcomes.py, roles.py)
14. read_awards             all_units, gazetteer, meeting, bloc → record.awards, `members` (outcomes.py,
                            awards.py)
15. date_rotating_flags     record.roles → award years, flag award_without_year (outcomes.py)
16. finish_members          members → record.members (members.py)
17. assign_province         record.blocs, record.members, url → record.province (province.py)

Cheap steps come first; a later step may read any earlier layer, never a later one (see DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Callable

from extract import awards, blocs, dates, meeting, members, outcomes, province, roles
from extract.article import Article
from extract.brands import brand_units
from extract.confirm import confirm_open_class
from extract.document import body_sentences, build
from extract.limits import MAX_ARTICLE_BYTES, check_text_size
from extract.pagedate import date_in_url, parse_page_date
from extract.record import EvidenceMaker, Record, ScalarFact
from extract.spanindex import SpanIndex
from extract.textnorm import normalize
from extract.units import UnitSpan, gazetteer_spans, open_units, place_units, province_continuations

Step = Callable[[Article], None]

# a date read from the URL alone: CMS stamps are exact, but a number in a path can look like one
URL_DATE_CONF = 0.7


def normalize_text(article: Article) -> None:
    """NFC, one tone-mark convention, legacy encodings decoded, with the map back to the stored text."""
    article.norm = normalize(article.text)
    article.evidence = EvidenceMaker(article.norm)


def classify_lines(article: Article) -> None:
    """Tell the title, the page's date line, the lead and boilerplate from the body."""
    article.doc = build(article.norm)


def read_published(article: Article) -> None:
    """The publication date: the crawler's metadata, else the page's date line, else the URL's.

    Read first: it completes the year of the event date ("ngày 15/1").
    """
    rec, doc = article.record, article.doc
    pub = dates.parse_iso(article.published_meta)
    if pub:
        rec.published = ScalarFact(None, 1.0, "metadata", field_name="published", value=pub.isoformat())
    elif doc.dateline and (pub := parse_page_date(doc.dateline.text)):
        rec.published = ScalarFact(
            article.evidence(doc.dateline.start, doc.dateline.end),
            0.85,
            "dateline",
            field_name="published",
            value=pub.isoformat(),
        )
    elif (pub := date_in_url(article.url)) is not None:
        # no date printed: the one the CMS wrote into the article's URL
        rec.published = ScalarFact(
            None, URL_DATE_CONF, "url_date", field_name="published", value=pub.isoformat()
        )
    article.published = pub


def read_meeting(article: Article) -> None:
    """Event kinds and the event date (into the record), and the meeting that dates roles and awards."""
    article.meeting = meeting.read_meeting(
        article.record, article.doc, article.url, article.published, article.evidence
    )


def split_sentences(article: Article) -> None:
    """Title, body and caption sentences; relation patterns match one sentence at a time."""
    article.sentences = body_sentences(article.doc)


def find_gazetteer_units(article: Article) -> None:
    """Every gazetteer unit in the working text, longest first, without overlaps."""
    article.gazetteer = gazetteer_spans(article.norm.text)


def find_open_units(article: Article) -> None:
    """The gazetteer units plus open-class units captured from their head word.

    Open-class capture runs only in sentences with a role, an award or a list ("gồm"), where the
    relation steps can use what it finds; the span model confirms the names it also finds.
    """
    w, gaz = article.norm.text, article.gazetteer
    units: list[UnitSpan] = list(gaz)
    near = SpanIndex(gaz)
    for s, e in article.sentences:
        if (
            roles.ROLE_RE.search(w, s, e)
            or awards.AWARD_RE.search(w, s, e)
            or "gồm" in w[s:e]
            or awards.LEAD_RANK_RE.search(w, s, e)
        ):
            # only names touching this sentence can block a capture in it (open-class units stay
            # inside their sentence, and sentences do not overlap)
            taken = [(u.start, u.end) for u in near.within(s, e)]
            found = confirm_open_class(w, s, e, open_units(w, s, e, taken))
            units += found
            units += brand_units(w, s, e, taken + [(u.start, u.end) for u in found])
    article.units = units


def read_blocs(article: Article) -> None:
    """One bloc fact per bloc the article names, with its other names as aliases."""
    article.record.blocs = blocs.bloc_facts(
        article.norm.text, article.sentences, article.evidence, article.url
    )


def bloc_kind_from_names(article: Article) -> None:
    """A bloc named as one of ministries ("Khối thi đua các Bộ, ngành …") has ministries as members."""
    article.bloc = members.kind_from_bloc_names(article.record, article.bloc)


def read_member_lists(article: Article) -> None:
    """Members named in member lists and attendance sentences; a list of ministries marks the bloc's kind."""
    article.members, article.list_items, article.bloc = members.read_member_lists(
        article.record,
        article.norm.text,
        article.sentences,
        article.gazetteer,
        article.evidence,
        article.bloc,
    )


def bloc_kind_from_members(article: Article) -> None:
    """Members from two or more provinces make the bloc a cluster of provinces."""
    article.bloc = members.kind_from_members(article.members, article.bloc)


def add_place_units(article: Article) -> None:
    """The units and list items plus provinces and districts acting as units, sorted by position.

    A place is a unit in a role sentence ("Tỉnh Đắk Lắk - Cụm trưởng") and, in a cluster of
    provinces, in an award sentence; read after the member lists, which tell whether it is a cluster.
    """
    w = article.norm.text
    units = article.units + article.list_items
    near = SpanIndex(units)
    places = [
        p
        for s, e in article.sentences
        if roles.ROLE_RE.search(w, s, e)
        or (article.bloc.provinces_are_members and awards.AWARD_RE.search(w, s, e))
        for p in place_units(w, s, e, near.within(s, e))
    ]
    spread = province_continuations(w, units + places)
    article.all_units = sorted(units + places + spread, key=lambda u: (u.start, -u.end))


def read_roles(article: Article) -> None:
    """Khối trưởng and Khối phó with their years; role holders join the members."""
    outcomes.read_roles(
        article.record,
        article.norm.text,
        article.sentences,
        article.all_units,
        article.meeting,
        article.members,
        article.evidence,
        article.bloc,
    )


def read_awards(article: Article) -> None:
    """Awards, one per recipient, kind and issuer; recipients join the members."""
    outcomes.read_awards(
        article.record,
        article.norm.text,
        article.sentences,
        article.all_units,
        article.gazetteer,
        article.meeting.reviewed,
        article.members,
        article.evidence,
        article.bloc,
    )


def date_rotating_flags(article: Article) -> None:
    """A rotating flag without a year takes its holder's Khối trưởng year, a handed-on flag's holder
    leads the bloc in its year when no sentence names a leader; flag awards still without a year."""
    outcomes.date_rotating_flags(article.record)


def finish_members(article: Article) -> None:
    """Members of the bloc's kind, then the members into the record, a bare province dropped where
    its unit is named too."""
    members.add_members_of_bloc_kind(
        article.record, article.gazetteer, article.members, article.evidence, article.bloc
    )
    members.finish_members(article.record, article.members)


def assign_province(article: Article) -> None:
    """The bloc's province (registry, URL host or text); none for a cluster of provinces or ministries."""
    province.assign_province(
        article.record, article.norm.text, article.url, article.province_hint, article.evidence
    )


# The order of extraction, and the only place it is written. A step may read any layer an earlier
# step wrote (extract/article.py says which step writes which layer).
STEPS: tuple[Step, ...] = (
    normalize_text,
    classify_lines,
    read_published,
    read_meeting,
    split_sentences,
    find_gazetteer_units,
    find_open_units,
    read_blocs,
    bloc_kind_from_names,
    read_member_lists,
    bloc_kind_from_members,
    add_place_units,
    read_roles,
    read_awards,
    date_rotating_flags,
    finish_members,
    assign_province,
)


def run(article: Article, steps: tuple[Step, ...] = STEPS) -> Article:
    """Run `steps` in order on `article` and return it."""
    for step in steps:
        step(article)
    return article


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
    article = Article(text, doc_id, url=url, published_meta=published, province_hint=province_hint)
    return run(article).record
