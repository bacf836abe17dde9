"""Assemble the SCHEMA.md record for one article from the cheap steps up (see DESIGN.md)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import cache, partial
from urllib.parse import urlsplit

from extract import awards as aw
from extract import blocs as bl
from extract import dates as dt
from extract import relations as rel
from extract.document import Document, build
from extract.lexicon import lexicon, ukey
from extract.pagedate import parse_page_date
from extract.record import (
    AwardFact,
    BlocFact,
    Evidence,
    MemberFact,
    Record,
    RoleFact,
    ScalarFact,
)
from extract.textnorm import Normalized, fold, normalize
from extract.units import (
    MINISTRIES_ARE_MEMBERS,
    PROVINCES_ARE_MEMBERS,
    UnitSpan,
    gazetteer_spans,
    is_guest,
    is_ministry,
    open_units,
    place_units,
)

_KIND_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tong_ket", re.compile(r"(?<!trù bị )(?<!báo cáo )tổng\s+kết", re.I)),
    ("so_ket", re.compile(r"sơ\s+kết", re.I)),
    ("giao_uoc", re.compile(r"ký\s+(?:kết\s+)?(?:bản\s+)?(?:cam\s+kết\s+)?giao\s+ước", re.I)),
    (
        "trien_khai",
        re.compile(
            r"triển\s+khai\s+(?!thực\s+hiện|có\s+hiệu)(?:\S+\s+){0,2}?(?:nhiệm\s+vụ|kế\s+hoạch|phương\s+hướng|chương\s+trình"
            r"|công\s+tác|phong\s+trào)|phát\s+động\s+(?:(?:phong\s+trào|đợt|cuộc)\s+)?(?:\S+\s+){0,2}?thi\s+đua",
            re.I,
        ),
    ),
)
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
_SENT_YEAR_RE = re.compile(r"^\W*(?:trong\s+)?năm\s+((?:19|20)\d\d)\s*,", re.I)
_ATTEND_RE = re.compile(
    r"(?:dự|tham dự|đến dự)(?:\s+hội nghị|\s+lễ[^,]{0,30})?\s+(?:còn\s+)?có[^.:;]{0,40}?"
    r"(?:lãnh đạo|đại diện)\s+(?:các\s+)?",
    re.I,
)
_GENERIC_BLOC_RE = re.compile(r"(?<![\wÀ-ỹ])(?:[Kk]hối|[Cc]ụm)\s+[Tt]hi\s+đua(?![\wÀ-ỹ])")
_REMAINING_RE = re.compile(r"(?:các|tất cả các)\s+đơn\s+vị\s+còn\s+lại", re.I)


def extract_record(
    text: str,
    *,
    doc_id: str,
    url: str | None = None,
    published: str | None = None,
    province_hint: str | None = None,
) -> Record:
    """Run every step on one article and return its record (offsets into `text`)."""
    # per article: is the bloc a cluster of provinces, or of ministries?
    tokens = (PROVINCES_ARE_MEMBERS.set(False), MINISTRIES_ARE_MEMBERS.set(False))
    try:
        return _extract(text, doc_id=doc_id, url=url, published=published, province_hint=province_hint)
    finally:
        PROVINCES_ARE_MEMBERS.reset(tokens[0])
        MINISTRIES_ARE_MEMBERS.reset(tokens[1])


def _extract(
    text: str, *, doc_id: str, url: str | None, published: str | None, province_hint: str | None
) -> Record:
    norm = normalize(text)
    doc = build(norm)
    rec = Record(doc_id=doc_id)
    ev = _EvidenceMaker(norm)
    w = norm.text

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

    heads = doc.head_spans()
    kinds = _event_kinds(w, heads, url, rec, ev)
    reviewed, planned = _period_years(w, heads)
    event_day = _event_date(doc, pub, reviewed, planned, kinds, rec, ev)

    sentences = _sentences(doc)
    gaz = gazetteer_spans(w)
    units: list[UnitSpan] = list(gaz)
    taken = [(u.start, u.end) for u in gaz]
    for s, e in sentences:
        if rel.ROLE_RE.search(w, s, e) or aw.AWARD_RE.search(w, s, e) or "gồm" in w[s:e]:
            found = open_units(w, s, e, taken)
            units += found
            taken += [(u.start, u.end) for u in found]

    # blocs
    mentions = [m for s, e in sentences for m in bl.find_mentions(w, s, e)]
    groups = bl.group_mentions(mentions)
    for g in groups:
        name = bl.best_name(g)
        aliases = sorted({m.name for m in g.mentions if ukey(m.name) != ukey(name)}, key=len, reverse=True)
        first = g.mentions[0]
        rec.blocs.append(
            BlocFact(
                ev(first.start, first.end),
                0.9 if g.number or "thi đua" in name.lower() else 0.7,
                "bloc_pattern",
                name=name,
                number=g.number,
                aliases=aliases,
            )
        )
    if not groups:
        # the article only ever says "Khối thi đua"/"Cụm thi đua": still one bloc, unnamed
        generic = [m for s, e in sentences for m in _GENERIC_BLOC_RE.finditer(w, s, e)]
        if len(generic) >= 2:
            g0 = generic[0]
            name = re.sub(r"\s+", " ", g0.group(0))
            rec.blocs.append(
                BlocFact(
                    ev(g0.start(), g0.end()),
                    0.5,
                    "bloc_generic",
                    name=name[0].upper() + name[1:],
                    number=None,
                    aliases=[],
                )
            )

    # members from lists
    members: dict[str, MemberFact] = {}
    list_items: list[UnitSpan] = []
    for s, e in sentences:
        items = rel.member_lists(w, s, e, gaz)
        for it in items:
            list_items.append(UnitSpan(it.start, it.end, it.canonical, it.confidence, it.rule))
        count = rel.stated_count(
            w, max(s, (items[0].start - 80) if items else s), items[0].start if items else s
        )
        if sum(1 for it in items if is_ministry(it.canonical)) >= 2:
            MINISTRIES_ARE_MEMBERS.set(True)  # the bloc is made of ministries: they are its members here
        real = [it for it in items if not is_guest(it.canonical)]
        if items and count and count != len(real) and f"count_mismatch:{count}!={len(real)}" not in rec.flags:
            rec.flags.append(f"count_mismatch:{count}!={len(real)}")
        for it in real:
            _add_member(
                members, it.canonical, ev(it.start, it.end), it.confidence * 0.95, f"list:{it.rule}", w
            )
        for ls, le, strict in _attending_regions(w, s, e):
            attendees = rel._parse_list_region(w, ls, le, gaz)
            # "đại diện Ban Dân vận Tỉnh ủy": one body named alone is a guest; members come as a list
            if strict and len([it for it in attendees if not is_guest(it.canonical)]) < 3:
                continue
            for it in attendees:
                if (
                    not is_guest(it.canonical)
                    and not _in_person_title(w, it.start)
                    and not _PRESS_BEFORE_RE.search(w, max(s, it.start - 12), it.start)
                ):
                    _add_member(
                        members, it.canonical, ev(it.start, it.end), it.confidence * 0.8, "attending", w
                    )
    lex = lexicon()
    provinces = {p.name for mf in members.values() for p in [lex.province(mf.unit)] if p} | {
        p.name for mf in members.values() for p in lex.provinces if mf.unit.endswith(" " + p.name)
    }
    if len(provinces) >= 2:
        PROVINCES_ARE_MEMBERS.set(True)
    places = [
        p
        for s, e in sentences
        if rel.ROLE_RE.search(w, s, e) or (PROVINCES_ARE_MEMBERS.get() and aw.AWARD_RE.search(w, s, e))
        for p in place_units(w, s, e, units + list_items)
    ]
    all_units = sorted(units + list_items + places, key=lambda u: (u.start, -u.end))

    # roles
    active_year = reviewed or planned or (event_day.year if event_day and kinds else None)
    seen_roles: set[tuple[str, str, int | None]] = set()
    for s, e in sentences:
        sy = _SENT_YEAR_RE.match(w[s:e])
        for role_hit in rel.find_roles(w, s, e, all_units):
            if is_guest(role_hit.unit.canonical):
                continue
            if role_hit.year == -1:
                year = None
            elif role_hit.year:
                year = role_hit.year
            elif role_hit.this_year:
                year = event_day.year if event_day else active_year
            elif sy:
                year = int(sy.group(1))
            elif role_hit.elected and active_year:
                year = (reviewed + 1) if reviewed else active_year
            else:
                year = active_year
            key = (ukey(role_hit.unit.canonical), role_hit.role, year)
            stated = bool(role_hit.year or role_hit.this_year or sy)
            if key in seen_roles or (not stated and any(k[:2] == key[:2] for k in seen_roles)):
                continue  # a later bare "Trưởng khối phát biểu" repeats the role already read
            seen_roles.add(key)
            rec.roles.append(
                RoleFact(
                    ev(role_hit.unit.start, role_hit.cue_end),
                    0.8 * role_hit.unit.confidence + 0.15,
                    "role_pattern",
                    unit=role_hit.unit.canonical,
                    role=role_hit.role,
                    year=year,
                )
            )
            _add_member(
                members,
                role_hit.unit.canonical,
                ev(role_hit.unit.start, role_hit.unit.end),
                0.85,
                "role_holder",
                w,
            )

    # awards
    awarded: dict[tuple[str, str, str], AwardFact] = {}
    remaining: list[tuple[aw.AwardHit, tuple[int, int]]] = []
    hits_with_count: list[aw.AwardHit] = []
    for s, e in sentences:
        for hit in aw.find_awards(w, s, e, all_units, gaz, reviewed_year=reviewed):
            if hit.stated_count:
                hits_with_count.append(hit)
            if hit.recipient is None:
                remaining.append((hit, (s, e)))
                continue
            _add_award(
                rec,
                awarded,
                members,
                hit,
                hit.recipient.canonical,
                ev(hit.recipient.start, hit.recipient.end),
                ev(hit.cue_start, hit.cue_end),
                hit.confidence,
                w,
            )
    for hit, _sentence in remaining:  # "các đơn vị còn lại": the members not awarded before in the article
        # "Tỉnh Đoàn" awarded before is the member "Tỉnh Đoàn Sơn La", unless provinces tell members apart
        full: dict[str, set[str]] = {}  # unit key without its province → the provinces it is named with
        for mf in members.values():
            base = _key_without_province(ukey(mf.unit))
            full.setdefault(base, set()).add(ukey(mf.unit)[len(base) :].strip())
        short = partial(_short_key, full=full)
        got = {
            short(k[0])
            for k, a in awarded.items()
            if a.evidence is None or a.evidence.start < ev(hit.cue_start, hit.cue_end).start
        }
        for mf in list(members.values()):
            # a bare "Bắc Kạn" in a list is that province's member
            unit = _member_for_province(mf.unit, members)
            if short(ukey(unit)) not in got:
                _add_award(rec, awarded, members, hit, unit, None, ev(hit.cue_start, hit.cue_end), 0.6, w)
    by_cue = Counter(h.cue_start for h in hits_with_count)
    for cue, n in by_cue.items():
        stated_count = next(h.stated_count for h in hits_with_count if h.cue_start == cue)
        if stated_count != n:
            rec.flags.append(f"award_count_mismatch:{stated_count}!={n}")

    rec.members = _drop_bare_provinces(list(members.values()))
    if any(m.rule.endswith("open_class") for m in rec.members):
        rec.flags.append("open_class_unit")
    _province(rec, w, url, province_hint, ev)
    return rec


class _EvidenceMaker:
    def __init__(self, norm: Normalized) -> None:
        self.norm = norm

    def __call__(self, start: int, end: int) -> Evidence:
        s, e = self.norm.to_orig(start, end)
        return Evidence(s, e, self.norm.original[s:e])


def _sentences(doc: Document) -> list[tuple[int, int]]:
    from underthesea import sent_tokenize  # punkt parameters; fast (~1 ms per article)

    out: list[tuple[int, int]] = []
    w = doc.text
    for ln in doc.body_lines():
        pos = ln.start
        for sent in sent_tokenize(w[ln.start : ln.end]):
            i = w.find(sent[:30], pos, ln.end)
            if i < 0:
                continue
            out.append((i, min(ln.end, i + len(sent))))
            pos = i + len(sent)
    return out


def _event_kinds(
    w: str, heads: list[tuple[int, int]], url: str | None, rec: Record, ev: _EvidenceMaker
) -> list[str]:
    kinds: list[str] = []
    for kind, rx in _KIND_RES:
        for s, e in heads:
            m = rx.search(w, s, e)
            if m and not re.search(r"trù\s+bị\s*$", w[max(s, m.start() - 8) : m.start()]):
                kinds.append(kind)
                rec.event_kinds.append(
                    ScalarFact(ev(m.start(), m.end()), 0.9, "kind_cue", field_name="event_kind", value=kind)
                )
                break
    if not kinds and url:
        slug = urlsplit(url).path.lower()
        for kind, token in _SLUG_KINDS:
            if token in slug:
                kinds.append(kind)
                rec.event_kinds.append(ScalarFact(None, 0.6, "url_slug", field_name="event_kind", value=kind))
    return kinds


def _period_years(w: str, heads: list[tuple[int, int]]) -> tuple[int | None, int | None]:
    reviewed = planned = None
    for s, e in reversed(
        heads
    ):  # the lead's sentence is more exact than a headline ("… NĂM 2026" for 2025's review)
        for m in _PERIOD_RE.finditer(w, s, e):
            cue, y = fold(m.group("cue")), int(m.group("y"))
            if cue.startswith(("tong", "so ket")):
                reviewed = reviewed or y
            else:
                planned = planned or y
    return reviewed, planned


def _event_date(
    doc: Document,
    pub: date | None,
    reviewed: int | None,
    planned: int | None,
    kinds: list[str],
    rec: Record,
    ev: _EvidenceMaker,
) -> date | None:
    w = doc.text
    body = [ln for ln in doc.lines if ln.kind in ("body", "title")]
    if doc.lead:
        body = [ln for ln in body if ln.start >= doc.lead.start or ln is doc.title]
    for ln in body[:4]:
        for hit in dt.find_event_dates(w, ln.start, ln.end):
            period = reviewed or planned
            reviews = reviewed is not None and "tong_ket" in kinds
            if reviews:
                period = reviewed
            d = dt.resolve_year(hit, published=pub, period_year=period, reviews_year=reviews)
            conf = 0.9 if hit.year or pub else 0.7
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


_ATTEND_OPEN_RE = re.compile(
    r"\W*(?:tham\s+)?dự\s+(?:hội\s+nghị|lễ|buổi)?[^.:;]{0,40}?\s(?:còn\s+)?có\s", re.I
)
_GUESTS_OPEN_RE = re.compile(r"\W*(?:cùng\s+(?:tham\s+)?dự|đến\s+dự|dự\s+[^.;]{0,40}?\scòn\s+có)", re.I)
_ATTEND_WHO_RE = re.compile(r"(?:lãnh\s+đạo|đại\s+diện)\s+(?:lãnh\s+đạo\s+)?(?:các\s+)?", re.I)
_PRESS_BEFORE_RE = re.compile(r"phóng\s+viên\s*$|báo\s+chí\s*$", re.I)


def _attending_regions(w: str, s: int, e: int) -> list[tuple[int, int, bool]]:
    """Where an attendance sentence lists the bloc's units: after each "lãnh đạo"/"đại diện", up to ";".

    "Cùng dự có …", "Đến dự còn có …" list guests, not members.
    """
    regions = [(m.end(), e, False) for m in _ATTEND_RE.finditer(w, s, e)]
    if _ATTEND_OPEN_RE.match(w, s, e) and not _GUESTS_OPEN_RE.match(w, s, e):
        for m in _ATTEND_WHO_RE.finditer(w, s, e):
            end = w.find(";", m.end(), e)
            regions.append((m.end(), end if end >= 0 else e, True))
    if _GUESTS_OPEN_RE.match(w, s, e) and not re.search(r"trong\s+(?:khối|cụm)|thành\s+viên", w[s:e], re.I):
        return []
    return regions


def _drop_bare_provinces(members: list[MemberFact]) -> list[MemberFact]:
    """A bare province in a list ("gồm: Bắc Kạn, Thái Nguyên") stands for that province's unit
    when one is named."""
    lex = lexicon()
    out = []
    for m in members:
        p = lex.province(m.unit)
        if p and any(o is not m and o.unit.endswith(" " + p.name) for o in members):
            continue
        place = re.match(r"(?:tỉnh|huyện|thị xã|thành phố|quận)\s", m.unit)
        if place and any(o is not m and o.unit.endswith(" " + m.unit) for o in members):
            continue  # "huyện Lộc Ninh" beside "Ủy ban nhân dân huyện Lộc Ninh"
        out.append(m)
    return out


def _short_key(key: str, *, full: dict[str, set[str]]) -> str:
    base = _key_without_province(key)
    return base if len(full.get(base, set()) - {""}) <= 1 else key


def _key_without_province(key: str) -> str:
    """ "tinh doan son la" and "tinh doan" are one unit when telling who was awarded already."""
    words = key.split()
    lex = lexicon()
    for i in range(1, len(words)):
        if lex.province(" ".join(words[i:])):
            return " ".join(words[:i])
    return key


def _member_for_province(canonical: str, members: dict[str, MemberFact]) -> str:
    """A bare province named as a recipient ("tặng Cờ cho Bắc Kạn, Phú Thọ") means its member unit."""
    p = lexicon().province(canonical)
    if not p:
        return canonical
    for mf in members.values():
        if mf.unit.endswith(" " + p.name) and mf.unit != p.name:
            return mf.unit
    return canonical


def _add_award(
    rec: Record,
    awarded: dict[tuple[str, str, str], AwardFact],
    members: dict[str, MemberFact],
    hit: aw.AwardHit,
    recipient: str,
    unit_ev: Evidence | None,
    cue_ev: Evidence,
    conf: float,
    w: str,
) -> None:
    recipient = _member_for_province(recipient, members)
    if is_guest(recipient):
        return
    # one award per recipient, kind and issuer:
    # "Cờ thi đua của UBND tỉnh" and "Cờ thi đua của Chính phủ" are two
    k = (ukey(recipient), hit.award, hit.issuer or "")
    old = awarded.get(k) or next(
        (a for (r, kind, iss), a in awarded.items() if (r, kind) == k[:2] and (not iss or not hit.issuer)),
        None,
    )
    if old is not None:
        if old.issuer is None and hit.issuer:
            old.issuer = hit.issuer
        if hit.year_stated and old.year != hit.year and old.rule == "award_pattern":
            old.year = hit.year  # a headline's bare "đón nhận Cờ thi đua" is dated by the body
            old.rule = "award_pattern:stated_year"
        return
    rule = "award_pattern:stated_year" if hit.year_stated else "award_pattern"
    fact = AwardFact(
        cue_ev,
        round(conf, 3),
        rule,
        recipient=recipient,
        award=hit.award,
        issuer=hit.issuer,
        year=hit.year,
        status=hit.status,
    )
    awarded[k] = fact
    rec.awards.append(fact)
    if unit_ev is not None:
        _add_member(members, recipient, unit_ev, 0.75, "award_recipient", w)
    if hit.year is None and "award_without_year" not in rec.flags:
        rec.flags.append("award_without_year")


_TITLE_BEFORE_RE = re.compile(
    r"(giám đốc|chủ tịch|bí thư"
    r"|hiệu trưởng|viện trưởng|chánh án|trưởng ban|trưởng phòng|tổng biên tập|cục trưởng)\s*$",
    re.I,
)


def _in_person_title(w: str, pos: int) -> bool:
    return bool(_TITLE_BEFORE_RE.search(w[max(0, pos - 25) : pos]))


def _add_member(
    members: dict[str, MemberFact], canonical: str, evidence: Evidence, conf: float, rule: str, w: str
) -> None:
    k = ukey(canonical)
    if not k or k in members or is_guest(canonical):
        return
    members[k] = MemberFact(evidence, round(min(conf, 1.0), 3), rule, unit=canonical, surface=evidence.text)


@cache
def _province_matcher() -> tuple[dict[str, str], re.Pattern[str]]:
    """One pattern for every province name and variant (longest first), and the name each spelling means."""
    names: dict[str, str] = {}
    for p in lexicon().provinces:
        for v in {p.name, *(x for x in p.variants if len(x) > 4)}:
            names.setdefault(v, p.name)
    alt = "|".join(re.escape(v) for v in sorted(names, key=len, reverse=True))
    return names, re.compile(rf"(?<![\wÀ-ỹ])(?:{alt})(?![\wÀ-ỹ])")


def _province(rec: Record, w: str, url: str | None, hint: str | None, ev: _EvidenceMaker) -> None:
    lex = lexicon()
    # a cluster of several provinces belongs to none of them
    # (by the province each belongs to since 2025: a merged province's old parts are one province)
    provs_in_members = {
        p.merged_into or p.name
        for m in rec.members
        for p in lex.provinces
        if m.unit.endswith(p.name) and (m.unit == p.name or m.unit.endswith(" " + p.name))
    }
    bloc_names = " ".join(b.name for b in rec.blocs)
    if re.search(r"\b[Bb]ộ,|các\s+[Bb]ộ(?:\s|,)|[Bb]ộ\s+ngành", bloc_names):
        return  # a bloc of ministries is national
    if (
        len(provs_in_members) >= 2
        or re.search(r"(?<!số )(?<!đua )(?<!khối )(?<!cụm )\b\d+\s+tỉnh|các\s+tỉnh", bloc_names, re.I)
        or sum(1 for p in lex.provinces if p.name in bloc_names) >= 2
        or re.search(r"\bBộ\s|Việt Nam", bloc_names)
    ):
        return
    if hint:
        rec.province = ScalarFact(None, 0.95, "registry", field_name="province", value=hint)
        return
    if url:
        host = (urlsplit(url).hostname or "").lower().replace("-", "")
        best = max((p for p in lex.provinces if p.slug in host), key=lambda p: len(p.slug), default=None)
        if best:
            rec.province = ScalarFact(None, 0.9, "url_host", field_name="province", value=best.name)
            return
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, int]] = {}
    names, rx = _province_matcher()
    for m in rx.finditer(w):
        name = names[m.group(0)]
        if name == "Hồ Chí Minh" and not re.search(
            r"(?:thành phố|TP\.?)\s*$", w[max(0, m.start() - 12) : m.start()], re.I
        ):
            continue  # the President ("tư tưởng, đạo đức Hồ Chí Minh", "Đoàn TNCS Hồ Chí Minh"), not the city
        counts[name] += 1
        first.setdefault(name, (m.start(), m.end()))
    if counts:
        name, n = counts.most_common(1)[0]
        s, e = first[name]
        rec.province = ScalarFact(
            ev(s, e), 0.6 if n == 1 else 0.75, "text_mention", field_name="province", value=name
        )
