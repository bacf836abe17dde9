"""The meeting an article reports: its kinds, the years it reviews or plans, and its date.

Articles name the meeting in the title and the lead's opening sentence ("Hội nghị tổng kết công
tác thi đua năm 2025 …"), so kinds and period years are read there (the URL slug stands in when
they name no kind); the event date is the first date the opening lines give, its year completed
from the page date or the period.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from extract import dates as dt
from extract.document import Document
from extract.record import EvidenceMaker, Record, ScalarFact
from extract.textnorm import fold

_KIND_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tong_ket", re.compile(r"(?<!trù bị )(?<!báo cáo )tổng\s+kết", re.I)),
    ("so_ket", re.compile(r"sơ\s+kết", re.I)),
    ("giao_uoc", re.compile(r"ký\s+(?:kết\s+)?(?:bản\s+)?(?:cam\s+kết\s+)?giao\s+ước", re.I)),
    (
        "trien_khai",
        re.compile(
            r"triển\s+khai\s+(?!thực\s+hiện|có\s+hiệu|hiệu\s+quả)(?:\S+\s+){0,2}?(?:nhiệm\s+vụ|kế\s+hoạch|phương\s+hướng"
            r"|chương\s+trình|công\s+tác|phong\s+trào|thi\s+đua)"
            # "phát động (và|,) ký kết giao ước thi đua": two verbs, one object
            r"|phát\s+động(?:(?:\s+và|\s*,)\s*ký(?:\s+kết)?\s+giao\s+ước)?\s+(?:(?:phong\s+trào|đợt|cuộc)\s+)?"
            r"(?:\S+\s+){0,2}?thi\s+đua",
            re.I,
        ),
    ),
)
# a tense or manner word right before "triển khai" (no meeting word between) narrates work done;
# looked for this close before it, so an earlier clause's "đã" does not count
_NARRATED_REACH = 40
_NARRATED_RE = re.compile(
    r"(?:đã|đang|sẽ|tiếp\s+tục|chủ\s+động|tích\s+cực)(?:(?!hội\s+nghị|tổ\s+chức|họp)[^.;])*$", re.I
)
# a plan adopted at the meeting ("thông qua Kế hoạch phát động …") is the launch itself, whatever
# tense governs the adopting verb
_PLAN_NOUN_RE = re.compile(r"(?:kế\s+hoạch|dự\s+thảo|chương\s+trình)\s+$", re.I)
# "đã triển khai công tác thi đua và tổ chức ký kết giao ước": coordinated with the meeting's own act,
# the narrated verb is something the meeting did; read this far after the cue, within the clause
_COORDINATED_REACH = 80
_COORDINATED_RE = re.compile(r"[^.;]*?\svà\s+(?:tổ\s+chức\s+)?(?:ký\s+kết|tổng\s+kết|sơ\s+kết)(?!\w)", re.I)
# "Chỉ thị số 29/CT-UBND … về việc phát động thi đua …": the subject of a cited document, not the meeting
_CITED_SUBJECT_RE = re.compile(r"về\s+việc\s+$", re.I)
# the headline's slug says what the meeting is, with the same exclusions as the text
# ("trien-khai-hieu-qua-cac-phong-trao" is praise for work done, not a launch)
_SLUG_NOT_A_KIND_RE = re.compile(r"trien-khai-(?:thuc-hien|co-hieu|hieu-qua)")
_SLUG_KINDS = (
    ("tong_ket", "tong-ket"),
    ("so_ket", "so-ket"),
    ("giao_uoc", "giao-uoc"),
    ("trien_khai", "trien-khai"),
)
_PERIOD_RE = re.compile(
    r"(?P<cue>tổng\s+kết|sơ\s+kết|giao\s+ước|triển\s+khai|phương\s+hướng|kế\s+hoạch)[^.;]{0,120}?năm\s+(?P<y>(?:19|20)\d\d)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Meeting:
    """What later steps need to know of the meeting: its kinds, reviewed and planned years, and date."""

    kinds: list[str]
    reviewed: int | None
    planned: int | None
    day: date | None
    # the emulation year the article's work is about ("bình xét thi đua năm 2023", "kiểm tra công tác
    # thi đua, khen thưởng năm 2015"): dates roles when no reviewed or planned year is named
    covered: int | None = None
    # the year the article names most often ("trong năm 2023 …"), when it names one at least twice
    named: int | None = None

    @property
    def active_year(self) -> int | None:
        """The year the meeting is about: reviewed, else planned, else the emulation year it covers,
        else its date's, else the year the article names most."""
        return (
            self.reviewed
            or self.planned
            or self.covered
            or (self.day.year if self.day else None)
            or self.named
        )


def read_meeting(rec: Record, doc: Document, url: str | None, pub: date | None, ev: EvidenceMaker) -> Meeting:
    """Write the event kinds and event date into `rec`; return the meeting, which dates roles and awards."""
    w = doc.text
    heads = doc.head_spans()
    title = (doc.title.start, doc.title.end) if doc.title else None
    kinds = _event_kinds(w, heads, rec, ev, title)
    if not kinds:
        # no kind in the headline or lead: the photo's caption names the meeting it shows
        kinds = _event_kinds(w, _scene_captions(doc), rec, ev, conf=KIND_IN_CAPTION_CONF)
    if not kinds:
        kinds = _slug_kinds(url, rec)
    reviewed, planned = _period_years(w, heads)
    day = _event_date(doc, pub, reviewed, planned, kinds, rec, ev)
    covered = _covered_year(w, heads)
    return Meeting(kinds, reviewed, planned, day, covered, _most_named_year(w))


_NAMED_YEAR_RE = re.compile(r"năm\s+((?:19|20)\d\d)(?!\s*[-–]\s*\d)", re.I)
# a year named this often is what the article is about, not a date it cites in passing
_MIN_YEAR_MENTIONS = 1


def _most_named_year(w: str) -> int | None:
    """The year the text names most often after "năm" (school years "2023 - 2024" excluded)."""
    counts = Counter(int(m.group(1)) for m in _NAMED_YEAR_RE.finditer(w))
    if not counts:
        return None
    year, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return year if n >= _MIN_YEAR_MENTIONS else None


_COVERED_RE = re.compile(
    r"(?:thi\s+đua|khen\s+thưởng|bình\s+xét)[^.;]{0,80}?năm\s+(?P<y>(?:19|20)\d\d)(?!\s*[-–]\s*\d)", re.I
)


def _covered_year(w: str, heads: list[tuple[int, int]]) -> int | None:
    """The emulation year named with its work ("công tác thi đua, khen thưởng năm 2015"): the opening
    lines first, then the first such mention in the body."""
    for s, e in heads:
        m = _COVERED_RE.search(w, s, e)
        if m:
            return int(m.group("y"))
    m = _COVERED_RE.search(w)
    return int(m.group("y")) if m else None


# a meeting date whose year comes from the period it reviews, not the text or the page date
PERIOD_YEAR_CONF = 0.8
# a meeting that prepares another names the other's kind: "trù bị", "chuẩn bị cho", "(nội dung) cho Hội nghị"
_PREPARES_REACH = 30
_PREPARES_RE = re.compile(
    r"(?:trù\s+bị|chuẩn\s+bị(?:\s+cho)?|(?<!\w)cho)\s+(?:(?:hội\s+nghị|buổi)\s+)?$", re.I
)


def _quoted(w: str, start: int, pos: int) -> bool:
    """Is `pos` inside quotation marks opened after `start` (a seminar's or a movement's title)?"""
    before = w[start:pos]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


KIND_IN_TITLE_CONF = 0.9
KIND_IN_LEAD_CONF = 0.8
# a scene caption names the meeting photographed, but captions are also reused from other days
KIND_IN_CAPTION_CONF = 0.6
_SCENE_CAPTION_RE = re.compile(r"(?:quang|toàn)\s+cảnh\s+(?:hội\s+nghị|buổi|lễ)(?!\w)", re.I)


def _scene_captions(doc: Document) -> list[tuple[int, int]]:
    """Lines that open as a photo's scene caption: "Quang cảnh Hội nghị …", "Toàn cảnh buổi lễ …"."""
    return [
        (ln.start, ln.end)
        for ln in doc.lines
        if ln.kind in ("body", "caption") and _SCENE_CAPTION_RE.match(doc.text, ln.start, ln.end)
    ]


def _event_kinds(
    w: str,
    heads: list[tuple[int, int]],
    rec: Record,
    ev: EvidenceMaker,
    title: tuple[int, int] | None = None,
    conf: float | None = None,
) -> list[str]:
    """The kinds the given opening lines name (`conf`: their confidence, else by title or lead)."""
    kinds: list[str] = []
    for kind, rx in _KIND_RES:
        for s, e in heads:
            m = rx.search(w, s, e)
            if (
                m
                and kind == "trien_khai"
                and _NARRATED_RE.search(w, max(s, m.start() - _NARRATED_REACH), m.start())
                and not _PLAN_NOUN_RE.search(w, max(s, m.start() - _PREPARES_REACH), m.start())
                and not _COORDINATED_RE.match(w, m.end(), min(e, m.end() + _COORDINATED_REACH))
            ):
                # "các đơn vị đã chủ động triển khai nhiệm vụ …" tells the year's work, not the meeting
                m = None
            if m and (
                _PREPARES_RE.search(w, max(s, m.start() - _PREPARES_REACH), m.start())
                or _CITED_SUBJECT_RE.search(w, max(s, m.start() - _PREPARES_REACH), m.start())
                or _quoted(w, s, m.start())
            ):
                m = None  # "rà soát nội dung cho Hội nghị tổng kết", a seminar's title “… tổng kết …”
            if m:
                kinds.append(kind)
                # the headline names what the article reports; the lead also narrates the year's work
                c = conf if conf is not None else KIND_IN_TITLE_CONF if (s, e) == title else KIND_IN_LEAD_CONF
                rec.event_kinds.append(
                    ScalarFact(ev(m.start(), m.end()), c, "kind_cue", field_name="event_kind", value=kind)
                )
                break
    return kinds


def _slug_kinds(url: str | None, rec: Record) -> list[str]:
    """The kinds the URL's slug names (the page's headline, when the text lost it)."""
    kinds: list[str] = []
    if url:
        slug = _SLUG_NOT_A_KIND_RE.sub("", urlsplit(url).path.lower())
        for kind, token in _SLUG_KINDS:
            if token in slug:
                kinds.append(kind)
                rec.event_kinds.append(ScalarFact(None, 0.6, "url_slug", field_name="event_kind", value=kind))
    return kinds


def _period_years(w: str, heads: list[tuple[int, int]]) -> tuple[int | None, int | None]:
    """The year the meeting reviews ("tổng kết … năm 2025") and the year it plans for."""
    reviewed = planned = None
    # the lead's sentence is more exact than a headline ("… NĂM 2026" for 2025's review)
    for s, e in reversed(heads):
        for m in _PERIOD_RE.finditer(w, s, e):
            cue, y = fold(m.group("cue")), int(m.group("y"))
            if cue.startswith(("tong", "so ket")):
                reviewed = reviewed or y
            else:
                planned = planned or y
    return reviewed, planned


# The meeting's date is given in the title or the lead's first lines; a date further down is one the
# article cites (a decision, last year's meeting)
_EVENT_DATE_LINES = 4


def _event_date(
    doc: Document,
    pub: date | None,
    reviewed: int | None,
    planned: int | None,
    kinds: list[str],
    rec: Record,
    ev: EvidenceMaker,
) -> date | None:
    """The first date of the title and the lead's opening lines, its year completed."""
    w = doc.text
    body = [ln for ln in doc.lines if ln.kind in ("body", "title")]
    if doc.lead:
        body = [ln for ln in body if ln.start >= doc.lead.start or ln is doc.title]
    for ln in body[:_EVENT_DATE_LINES]:
        for hit in dt.find_event_dates(w, ln.start, ln.end):
            period = reviewed or planned
            reviews = reviewed is not None and "tong_ket" in kinds
            if reviews:
                period = reviewed
            d = dt.resolve_year(hit, published=pub, period_year=period, reviews_year=reviews)
            # a year completed from the period the meeting reviews is rarely wrong, a stated one never
            conf = 0.9 if hit.year or pub else PERIOD_YEAR_CONF
            if d is None and pub is None and period is None:
                d = dt.year_from_text(hit, w)  # no page date, no period: the dates the article itself cites
                conf = 0.5
                if d is not None:
                    rec.flags.append("event_year_inferred")
            if d is None:
                continue
            rec.event_date = ScalarFact(
                ev(hit.start, hit.end), conf, "lead_date", field_name="event_date", value=d.isoformat()
            )
            if pub and d > pub:
                rec.flags.append("event_after_publication")
            return d
    return None
