"""The bloc's members, one fact per unit, gathered from every step that names one.

Member lists ("gồm: …") and attendance sentences ("Dự hội nghị có lãnh đạo …") come first; role
holders and award recipients join later through `add_member`. The lists also tell what kind of bloc
it is (of ministries, of provinces), which decides who is a guest for the rest of the article.
"""

from __future__ import annotations

import re
from dataclasses import replace

from extract import lists
from extract.confirm import confirm_open_class
from extract.guests import BlocKind, is_guest, is_ministry
from extract.lexicon import lexicon, ukey
from extract.places import longest_place
from extract.record import Evidence, EvidenceMaker, MemberFact, Record
from extract.spanindex import SpanIndex
from extract.units import TITLE_BEFORE_RE, TITLE_REACH, UnitSpan, canonicalize, open_units

Members = dict[str, MemberFact]  # unit key → its fact, in the order first read

_ATTEND_RE = re.compile(
    r"(?:dự|tham dự|đến dự)(?:\s+hội nghị|\s+lễ[^,]{0,30})?\s+(?:còn\s+)?có[^.:;]{0,40}?"
    r"(?:lãnh đạo|đại diện)\s+(?:các\s+)?",
    re.I,
)
_ATTEND_OPEN_RE = re.compile(
    r"\W*(?:tham\s+)?dự\s+(?:hội\s+nghị|lễ|buổi)?[^.:;]{0,40}?\s(?:còn\s+)?có\s", re.I
)
_GUESTS_OPEN_RE = re.compile(r"\W*(?:cùng\s+(?:tham\s+)?dự|đến\s+dự|dự\s+[^.;]{0,40}?\scòn\s+có)", re.I)
_ATTEND_WHO_RE = re.compile(r"(?:lãnh\s+đạo|đại\s+diện)\s+(?:lãnh\s+đạo\s+)?(?:các\s+)?", re.I)
_MINISTRY_BLOC_RE = re.compile(r"\bcác\s+bộ\b|\bbộ,\s*ngành", re.I)
_PRESS_BEFORE_RE = re.compile(r"phóng\s+viên\s*$|báo\s+chí\s*$", re.I)

# How sure a member is, by how it was read: a unit of a member list keeps most of its own confidence;
# one read from an attendance sentence less (guests attend too); one named only through its
# officials' titles least.
LIST_CONF = 0.95
ATTENDING_CONF = 0.8
OFFICIALS_CONF = 0.75
# A count stated this close before a list's first item is the list's ("09 đơn vị thành viên gồm: …")
_COUNT_REACH = 80
# Two ministries in one list make a bloc of ministries; one alone is the ministry that steers it
_MIN_MINISTRIES = 2
# After a bare "đại diện" an attendance list names at least this many units that are not guests;
# fewer ("có đại diện Ban Dân vận Tỉnh ủy, Sở Nội vụ") are guests named one by one
_MIN_ATTENDEES = 3
# Members from this many provinces make the bloc a cluster of provinces
_MIN_CLUSTER_PROVINCES = 2


def kind_from_bloc_names(rec: Record, bloc: BlocKind) -> BlocKind:
    """`bloc`, marked a bloc of ministries when its name says so ("Khối thi đua các Bộ, ngành …")."""
    if any(_MINISTRY_BLOC_RE.search(b.name) for b in rec.blocs):
        return replace(bloc, ministries_are_members=True)
    return bloc


def read_member_lists(
    rec: Record,
    w: str,
    sentences: list[tuple[int, int]],
    gaz: list[UnitSpan],
    ev: EvidenceMaker,
    bloc: BlocKind,
) -> tuple[Members, list[UnitSpan], BlocKind]:
    """Members named in lists and attendance sentences, every list item as a unit span, and the
    bloc's kind as the lists leave it.

    Flags a list whose stated count ("gồm 7 đơn vị") differs from the units read. A list naming
    two ministries marks a bloc of ministries: from that sentence on its ministries are members
    rather than guests.
    """
    members: Members = {}
    list_items: list[UnitSpan] = []
    near = SpanIndex(gaz)
    host_kinds = _place_kinds_of_blocs(rec)
    for s, e in sentences:
        for start, end, name in _host_places(w, s, e, host_kinds):
            add_member(members, name, ev(start, end), HOST_PLACE_CONF, "host_place", bloc)
        local = near.within(s, e)  # the lists read only names inside the sentence
        items = confirm_open_class(w, s, e, lists.member_lists(w, s, e, local))
        for it in items:
            list_items.append(UnitSpan(it.start, it.end, it.canonical, it.confidence, it.rule))
        count = lists.stated_count(
            w, max(s, (items[0].start - _COUNT_REACH) if items else s), items[0].start if items else s
        )
        if sum(1 for it in items if is_ministry(it.canonical)) >= _MIN_MINISTRIES:
            bloc = replace(bloc, ministries_are_members=True)  # made of ministries: they are its members
        real = [it for it in items if not is_guest(it.canonical, bloc)]
        if items and count and count != len(real) and f"count_mismatch:{count}!={len(real)}" not in rec.flags:
            rec.flags.append(f"count_mismatch:{count}!={len(real)}")
        for it in real:
            add_member(
                members,
                it.canonical,
                ev(it.start, it.end),
                it.confidence * LIST_CONF,
                f"list:{it.rule}",
                bloc,
            )
        for ls, le, strict in _attending_regions(w, s, e):
            attendees = confirm_open_class(w, s, e, lists.parse_list_region(w, ls, le, local))
            # "đại diện Ban Dân vận Tỉnh ủy": one body named alone is a guest; members come as a list
            if strict and len([it for it in attendees if not is_guest(it.canonical, bloc)]) < _MIN_ATTENDEES:
                continue
            for it in attendees:
                if (
                    not is_guest(it.canonical, bloc)
                    and not _in_person_title(w, it.start)
                    and not _PRESS_BEFORE_RE.search(w, max(s, it.start - 12), it.start)
                ):
                    add_member(
                        members,
                        it.canonical,
                        ev(it.start, it.end),
                        it.confidence * ATTENDING_CONF,
                        "attending",
                        bloc,
                    )
        for u in _attending_officials(w, s, e, local, bloc):
            add_member(
                members,
                u.canonical,
                ev(u.start, u.end),
                u.confidence * OFFICIALS_CONF,
                "attending_officials",
                bloc,
            )
        for u in _co_chairs(w, s, e, local, bloc):
            add_member(
                members, u.canonical, ev(u.start, u.end), u.confidence * CO_CHAIR_CONF, "co_chair", bloc
            )
        for u in _ranked_units(w, s, e, local):
            add_member(members, u.canonical, ev(u.start, u.end), u.confidence * RANKED_CONF, "ranked", bloc)
    return members, list_items, bloc


# A bloc of places ("Khối thi đua các huyện, thành phố") meets in turn at one of them: the place of that
# kind it meets at ("tổ chức tại huyện A") is a member. Less sure than a list: the venue may be a town
# of another kind's bloc.
HOST_PLACE_CONF = 0.6
_PLACE_KIND = r"(?:huyện|quận|thị xã|thành phố|xã|phường)"
_BLOC_OF_PLACES_RE = re.compile(
    rf"(?:các|\d+)\s+(?P<kinds>{_PLACE_KIND}(?:\s*,\s*{_PLACE_KIND})*)"
    rf"|(?P<pair>(?:huyện|quận|thị xã|xã|phường)\s*,\s*{_PLACE_KIND})",
    re.I,
)
_HOSTED_AT_RE = re.compile(
    r"(?:tổ\s+chức|diễn\s+ra|họp)\s+tại\s+(?:(?:trụ\s+sở|hội\s+trường)\s+(?:UBND\s+|Ủy\s+ban\s+nhân\s+dân\s+)?)?"
    r"(?P<kind>huyện|quận|thị\s+xã|thành\s+phố|xã|phường)\s+(?P<name>[A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,3})",
    re.I,
)


def _place_kinds_of_blocs(rec: Record) -> set[str]:
    """The kinds of place the article's blocs are made of ("các huyện, thành phố" → huyện, thành phố)."""
    kinds: set[str] = set()
    for b in rec.blocs:
        for m in _BLOC_OF_PLACES_RE.finditer(b.name):
            kinds |= {k.strip().lower() for k in re.split(r"\s*,\s*", m.group("kinds") or m.group("pair"))}
    return kinds


def _host_places(w: str, s: int, e: int, kinds: set[str]) -> list[tuple[int, int, str]]:
    """Places of the bloc's own kind the meeting was held at, as (start, end, name)."""
    out: list[tuple[int, int, str]] = []
    if not kinds:
        return out
    for m in _HOSTED_AT_RE.finditer(w, s, e):
        kind = re.sub(r"\s+", " ", m.group("kind").lower())
        if kind not in kinds:
            continue
        known = longest_place(m.group("name"), kind)
        name = known or m.group("name")
        out.append((m.start("kind"), m.start("name") + len(name), f"{kind} {name}"))
    return out


# the units whose heads chair the bloc's meeting together are its leader and deputy: members, named
# through their officials' titles ("Ông A, Giám đốc Sở X và ông B, Chánh Thanh tra tỉnh đồng chủ trì")
CO_CHAIR_CONF = 0.75
_CO_CHAIR_RE = re.compile(r"(?<!\w)(?:đồng|cùng)\s+chủ\s+trì(?!\w)", re.I)
_CHAIR_TITLE_RE = re.compile(r"(?:chánh|chỉ\s+huy\s+trưởng)\s*$", re.I)
# co-chairs are at least two
_MIN_CO_CHAIRS = 2


def _co_chairs(w: str, s: int, e: int, gaz: list[UnitSpan], bloc: BlocKind) -> list[UnitSpan]:
    """The units named in the titles of the people who co-chair the meeting, before "đồng chủ trì"."""
    m = _CO_CHAIR_RE.search(w, s, e)
    if m is None:
        return []
    named = [u for u in gaz if s <= u.start and u.end <= m.start()]
    units = named + open_units(w, s, m.start(), [(u.start, u.end) for u in named])
    chairs = [
        u
        for u in units
        if (_in_person_title(w, u.start) or _CHAIR_TITLE_RE.search(w, max(s, u.start - TITLE_REACH), u.start))
        and not is_guest(u.canonical, bloc)
    ]
    return sorted(chairs, key=lambda u: u.start) if len(chairs) >= _MIN_CO_CHAIRS else []


# a unit the bloc ranks is a member; a little less sure than a list, as rankings may name a guest's
RANKED_CONF = 0.85
# "X được các thành viên bình xét xếp thứ nhất", "Y xếp thứ hai", "Z và W xếp hạng ba": the verb
# follows its unit within a clause; after a comma or a parenthesis it ranks something else ("Sở A vận
# hành …, chỉ số cải cách hành chính xếp thứ 2/63")
_RANKED_RE = re.compile(r"^[^;.,()]{0,80}?\bxếp\s+(?:thứ|hạng|loại)\b", re.I)
_JOINED_RE = re.compile(r"\s*(?:,|\svà|&)\s*$")


def _ranked_units(w: str, s: int, e: int, units: list[UnitSpan]) -> list[UnitSpan]:
    """Units the sentence ranks ("… xếp thứ hai"), with those joined to a ranked one by "và" or ","."""
    if "xếp" not in w[s:e]:
        return []
    inside = sorted((u for u in units if s <= u.start and u.end <= e), key=lambda u: u.start)
    out: list[UnitSpan] = []
    for i in range(len(inside) - 1, -1, -1):
        u = inside[i]
        nxt = inside[i + 1] if i + 1 < len(inside) else None
        gap_end = nxt.start if nxt else e
        if _RANKED_RE.match(w[u.end : gap_end]) or (
            nxt in out and _JOINED_RE.match(w[u.end : gap_end]) and ";" not in w[u.end : gap_end]
        ):
            out.append(u)
    return out[::-1]


# units of one kind named through their officials' titles in one attendance sentence: at least this
# many make a list of the bloc's members ("đồng chí A, Viện trưởng VKSND tỉnh X; đồng chí B, Phó Viện
# trưởng VKSND tỉnh Y; …"); one or two such units are usually guests
_MIN_OFFICIALS = 3


def _attending_officials(w: str, s: int, e: int, gaz: list[UnitSpan], bloc: BlocKind) -> list[UnitSpan]:
    """Units named in the titles of the people an attendance sentence lists, when several are alike."""
    if not _ATTEND_OPEN_RE.match(w, s, e) or _GUESTS_OPEN_RE.match(w, s, e):
        return []
    titled = [
        u
        for u in gaz
        if s <= u.start < e and _in_person_title(w, u.start) and not is_guest(u.canonical, bloc)
    ]
    by_kind: dict[str, list[UnitSpan]] = {}
    for u in titled:
        by_kind.setdefault(" ".join(u.canonical.split()[:3]), []).append(u)
    return [u for group in by_kind.values() if len(group) >= _MIN_OFFICIALS for u in group]


def kind_from_members(members: Members, bloc: BlocKind) -> BlocKind:
    """`bloc`, marked a cluster of provinces when members come from two or more provinces.

    In such a cluster "UBND tỉnh Gia Lai" is a member, not a guest, and provinces named in award
    sentences are read as units.
    """
    lex = lexicon()
    provinces = {
        p.name
        for mf in members.values()
        for p in [lex.province(mf.unit) or lex.province_of_unit(mf.unit)]
        if p
    }
    if len(provinces) >= _MIN_CLUSTER_PROVINCES:
        return replace(bloc, provinces_are_members=True)
    return bloc


def _attending_regions(w: str, s: int, e: int) -> list[tuple[int, int, bool]]:
    """Where an attendance sentence lists the bloc's units: after each "lãnh đạo"/"đại diện", up to ";".

    "Cùng dự có …", "Đến dự còn có …" list guests, not members.
    """
    regions = []
    for m in _ATTEND_RE.finditer(w, s, e):
        # "có đại diện Sở Nội vụ – cơ quan thường trực …; lãnh đạo các đơn vị …": a body named alone after
        # "đại diện" (no "các") is a guest unless a list follows
        strict = not re.search(r"các\s*$", m.group()) and "đại diện" in m.group().lower()
        regions.append((m.end(), _region_end(w, m.end(), e) if strict else e, strict))
    if _ATTEND_OPEN_RE.match(w, s, e) and not _GUESTS_OPEN_RE.match(w, s, e):
        for m in _ATTEND_WHO_RE.finditer(w, s, e):
            regions.append((m.end(), _region_end(w, m.end(), e), True))
    if _GUESTS_OPEN_RE.match(w, s, e) and not re.search(r"trong\s+(?:khối|cụm)|thành\s+viên", w[s:e], re.I):
        return []
    return regions


def _region_end(w: str, start: int, end: int) -> int:
    """An attendance region ends at ";" or where the next "(cùng) lãnh đạo …" begins."""
    m = re.compile(r";|\s(?:cùng|và)\s+(?:lãnh\s+đạo|đại\s+diện)\s", re.I).search(w, start, end)
    return m.start() if m else end


def _in_person_title(w: str, pos: int) -> bool:
    """The unit at `pos` comes right after a person's title ("Giám đốc Sở Y tế"): attendance skips it."""
    return bool(TITLE_BEFORE_RE.search(w[max(0, pos - TITLE_REACH) : pos]))


def add_member(
    members: Members, canonical: str, evidence: Evidence, conf: float, rule: str, bloc: BlocKind
) -> None:
    """Add `canonical` as a member unless it is one already (the first reading wins) or a guest of a
    bloc like `bloc`."""
    k = ukey(canonical)
    if not k or k in members or is_guest(canonical, bloc):
        return
    members[k] = MemberFact(evidence, round(min(conf, 1.0), 3), rule, unit=canonical, surface=evidence.text)


def member_for_province(canonical: str, members: Members) -> str:
    """A bare province named as a recipient ("tặng Cờ cho Bắc Kạn, Phú Thọ") means its member unit."""
    p = lexicon().province(canonical)
    if not p:
        return canonical
    for mf in members.values():
        if mf.unit.endswith(" " + p.name) and mf.unit != p.name:
            return mf.unit
    return canonical


# "Khối thi đua các Hội đặc thù", "Cụm thi đua các trường THPT": a bloc named by the plural of its
# members' kind; every unit of that kind the article names is then one of them
_BLOC_OF_KIND_RE = re.compile(r"(?:khối|cụm)(?:\s+thi\s+đua)?\s+các\s+(?P<kind>hội|trường)\b", re.I)
# a national body of that kind ("Hội Chữ thập đỏ Việt Nam") steers the provincial ones, it is no member
_NATIONAL_RE = re.compile(r"(?:Việt Nam|Trung ương)$")
# a member read only because its kind matches the bloc's: less sure than one a list names
BLOC_KIND_CONF = 0.6


def add_members_of_bloc_kind(
    rec: Record, gaz: list[UnitSpan], members: Members, ev: EvidenceMaker, bloc: BlocKind
) -> None:
    """Units of the kind a bloc is named by ("Khối thi đua các Hội …": "Hội Nông dân tỉnh")."""
    kinds = {m.group("kind").lower() for b in rec.blocs if (m := _BLOC_OF_KIND_RE.search(b.name))}
    if not kinds:
        return
    for u in gaz:
        head = u.canonical.split()[0].lower() if u.canonical else ""
        full = " ".join(u.canonical.split()[:2]).lower()
        if (
            (head in kinds or full in kinds)
            and not _NATIONAL_RE.search(u.canonical)
            and not _in_person_title(ev.norm.text, u.start)
        ):
            add_member(
                members, u.canonical, ev(u.start, u.end), u.confidence * BLOC_KIND_CONF, "bloc_kind", bloc
            )


def finish_members(rec: Record, members: Members) -> None:
    """Write the members into `rec`, a bare province dropped where its unit is named too, or read as
    the bloc's kind of unit ("Cụm thi đua Công an các tỉnh …: A, B" → "Công an tỉnh A")."""
    rec.members = _drop_bare_provinces([_as_bloc_unit(m, rec) for m in members.values()])
    if any(m.rule.endswith("open_class") for m in rec.members):
        rec.flags.append("open_class_unit")


# "Cụm thi đua Sở Tư pháp các tỉnh Tây Bắc": the kind of unit each province sends to the bloc
_BLOC_UNIT_KIND_RE = re.compile(
    r"^(?:khối|cụm)(?:\s+thi\s+đua)?\s+(?P<x>[A-ZĐ][^,;()]{1,40}?)\s+(?:các|\d+)\s+tỉnh", re.I
)


def _as_bloc_unit(m: MemberFact, rec: Record) -> MemberFact:
    """A bare province member of a bloc named by its kind of unit stands for that province's unit."""
    prov = lexicon().province(re.sub(r"^tỉnh\s+", "", m.unit))
    if prov is None:
        return m
    for b in rec.blocs:
        km = _BLOC_UNIT_KIND_RE.match(b.name)
        c = canonicalize(f"{km.group('x')} tỉnh {prov.name}") if km else None
        if c and c[2] != "open_class":
            return MemberFact(
                m.evidence, min(m.confidence, c[1]), f"{m.rule}+bloc_unit", unit=c[0], surface=m.surface
            )
    return m


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
