"""Member lists: where a list of units begins ("gồm", "các đơn vị trong Khối:", "09 Sở, ngành …:"),
where it ends, and how it splits into units.

Lists work sentence by sentence over the working text, on the gazetteer spans extract.units found:
";" always separates; "," and "và" separate only where a unit begins, so names with commas inside
stay whole; the type a list omits is restored from its plural head ("các sở: Y tế, Tư pháp").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract import places
from extract.lexicon import UNIT_HEADS, kind_word, lexicon
from extract.units import (
    BARE_KIND_TAIL_RE,
    UnitSpan,
    canonicalize,
    capture_forward,
    head_starts,
    names_known_unit,
    starts_with_head,
)

_LIST_TRIGGER_RE = re.compile(
    r"(?:(?:bao\s+)?gồm(?:\s+có)?(?:\s+các\s+đơn\s+vị)?|thành viên(?: trong khối)?\s*:"
    r"|các đơn vị(?: trong| thuộc)? (?:khối|cụm)\s*:"
    r"|(?:\d+|các)\s+(?:đơn vị|cơ quan)(?:[^.;:]{0,40})?:"
    r"|(?<=khối )(?:còn\s+)?có(?=\s+[A-ZĐ])|(?<=cụm )(?:còn\s+)?có(?=\s+[A-ZĐ])"
    r"|có\s+\d+\s+(?:đơn vị|doanh nghiệp|thành viên|cơ quan|hội|trường|ngân hàng)\s*\("
    r"|(?:đó|cụ thể)\s+là\s*:)\s*:?\s*",
    re.IGNORECASE,
)
_HEADS = "|".join(sorted(map(re.escape, UNIT_HEADS), key=len, reverse=True))
_LIST_HEAD_RE = re.compile(
    r"(?:(?P<n>\d+)\s+|các\s+)(?P<head>Sở(?:,\s*ngành)?|sở(?:,\s*ngành)?"
    r"|Ban Quản lý[^:;,]{0,60}|Ban[^:;,]{0,40}"
    r"|Phòng[^:;,]{0,30}|Sở [A-ZĐ][^:;,]{0,30}|(?:cơ quan\s+|tờ\s+)?[Bb]áo(?:\s+Đảng)?"
    # any other capitalised unit head with its type words: "các Trường THPT:", "các Trung tâm Y tế:"
    rf"|(?:{_HEADS})(?:\s+[^:;,\s]+){{0,4}})\s*:\s*",
)
# "gồm các huyện: A, B và C", "07 huyện, thị xã trong Cụm: A, B": each item is a place of that kind
_PLACE_HEAD_RE = re.compile(
    r"(?:các|\d+)\s+(?P<loc>huyện|thị xã|thành phố|quận|tỉnh|địa phương)"
    r"(?:\s*,\s*(?:huyện|thị xã|thành phố|quận))*"
    r"(?:\s+(?:trong|thuộc)\s+(?i:khối|cụm)[^:;.]{0,30}?)?\s*:?\s*(?=[A-ZĐ])"
)
_SPREAD_RE = re.compile(  # "VKSND các huyện A, B và thị xã C", "BHXH các tỉnh: A, B"
    r"(?P<unit>[A-ZĐ](?:(?!\svà\s)[^,;:]){1,60}?)\s+(?:các|\d+)\s+"
    r"(?P<locs>(?P<loc>tỉnh|huyện|thị xã|thành phố|quận)(?:(?:,|\s+và)\s*(?:huyện|thành phố|thị xã|quận))*)"
    r"(?:\s+trong\s+(?:khối|cụm)[^:]{0,30})?"
    r"(?:\s+(?:gồm|là))?\s*:?\s*",
)
_SPREAD_TAIL_RE = re.compile(
    r"\s+các\s+"
    r"(?P<locs>(?P<loc>tỉnh|huyện|thị xã|thành phố|quận)(?:(?:,|\s+và)\s*(?:huyện|thành phố|thị xã|quận))*)"
    r"(?:\s+trong\s+(?:khối|cụm)[^:]{0,30})?"
    r"(?:\s+(?:gồm|là))?\s*:?\s*",
    re.IGNORECASE,
)
_LIST_END_RE = re.compile(
    r"[.!?](?:\s|$)|\n|\s(?:tổ chức(?!\s+(?:tín dụng|chính trị|xã hội|đoàn thể))|vừa|đã|đang|tiến hành"
    r"|cùng ký|ký kết|tham gia|tham dự"
    r"|thuộc Khối|thuộc khối"
    r"|nhằm|với tổng|đồng chủ trì|với\s+\d|và\s+(?:công nhận|tặng|trao|đề nghị|bầu|được))(?!\w)"
)
# "09 đơn vị", "7 tỉnh" — but not "Khối thi đua số 3 tỉnh Thái Bình" (a bloc number)
_COUNT_RE = re.compile(
    r"(?<!số )(?<!khối )(?<!cụm )(?<!đua )(\d+)\s+(?:đơn vị|cơ quan|tập thể|sở|thành viên|tỉnh|Sở)",
    re.IGNORECASE,
)


# A bare place name has at most this many words: district and town names have two or three ("Thuận
# Thành", "Phú Quốc"), four leaves room for a longer one; a longer run of capitalised words in a list
# of places is a unit's name, and the list of places has ended.
MAX_PLACE_WORDS = 4


@dataclass(frozen=True, slots=True)
class ListItem:
    start: int
    end: int
    canonical: str
    confidence: float
    rule: str


_CUT_RE = re.compile(r";|,|\svà\s|\s&\s|\scùng\s")
_TAIL_RE = re.compile(r"\s((?:Tỉnh|Thành|Huyện)\s+ủy|(?:Tỉnh|Thành|Huyện)\s+Ủy)$")
# a district named by its number, the kind written once for a run of numbers ("các Quận 1, 3, 10")
_NUMBERED_PLACE_RE = re.compile(r"(?<!\w)(?P<kind>[Qq]uận|[Pp]hường)\s+\d{1,2}(?![\d/\w])")
_BARE_NUMBER_RE = re.compile(r"\s*\d{1,2}(?![\d/\w.,]\d)(?=\s*(?:[,;(]|và\s|$))")
# a number whose kind is borrowed from the item before it is a little less sure than a named district
NUMBERED_PLACE_CONF = 0.9
_LOCALITY_RE = re.compile(r"^(huyện|thị xã|thành phố|quận|thị trấn|xã|phường)\s", re.IGNORECASE)


def _paren_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"\([^()]*\)?", text[start:end]):
        out.append((start + m.start(), start + m.end()))
    return out


def _starts_unit(text: str, pos: int, end: int, gaz: list[UnitSpan]) -> bool:
    """Does a unit name begin at `pos` (after spaces, a count or "các")?"""
    # "… và đơn vị cụm trưởng Công an tỉnh X": the unit after its role's words
    m = re.match(
        r"\s*(?:(?:\d+|các|đại diện|lãnh đạo|đơn vị|cơ quan|(?:cụm|khối)\s+(?:trưởng|phó))\s+)*",
        text[pos:end],
        re.IGNORECASE,
    )
    p = pos + (m.end() if m else 0)
    intro = _SUBLIST_INTRO_RE.match(text, pos, end)  # "và 5 tổ chức tín dụng là Agribank …"
    if intro and intro.end() < end:
        p = intro.end()
    if any(u.start == p for u in gaz):
        return True
    if re.match(r"(?:huyện|thị xã|thành phố|quận)\s+[A-ZĐ]", text[p:end]):
        return True  # "VKSND huyện A và thị xã B": the head is shared
    first = re.split(r"[,;:.()]|\svà\s", text[p:end], maxsplit=1)[0].strip()
    if starts_with_head(text, p) or lexicon().province(first):
        return True
    # a known unit written without its locality ("… và Cơ quan Thi hành án dân sự thành phố")
    return first[:1].isupper() and names_known_unit(first)


def split_list(
    text: str, start: int, end: int, gaz: list[UnitSpan], *, head: str | None = None, loc: str | None = None
) -> list[ListItem]:
    """Split a list of units, keeping gazetteer names (with their commas and "và") whole.

    ";" always separates; "," and "và" separate where the next words begin a unit (or where the
    list's type word was given, "các Sở: Y tế, Tư pháp"). Parentheses are never cut.
    """
    protected = [(u.start, u.end) for u in gaz if u.start >= start and u.end <= end] + _paren_spans(
        text, start, end
    )
    if head and not loc:
        protected += _typed_names(text, start, end, head)
    first_plural = _PLURAL_HEAD_RE.match(text, start, end)
    if first_plural and not head:
        # "các Sở Tư pháp; Kế hoạch và Đầu tư; Lao động, Thương binh và Xã hội": names with commas stay whole
        protected += _typed_names(text, first_plural.end(), end, _cap(first_plural.group(1)))
    carried = _carried_type(text, start, end, gaz) if not (head or loc) else None
    carried_starts: set[int] = set()
    if carried:
        # "Sở Tài chính, Xây dựng, Văn hóa, Thể thao và Du lịch": the first item's type is understood
        # for the bare names after it; runs that name a known unit with that type are items
        runs = _typed_names(text, start, end, carried[0])
        protected += runs
        carried_starts = {a for a, _ in runs}
    # "các Quận 1, 3, 5 và quận Tân Bình": bare numbers after a numbered district are districts too
    numbered = _NUMBERED_PLACE_RE.search(text, start, end)
    bounds = [start]
    plural: str | None = None  # "các Ban Tổ chức, Tuyên giáo, Dân vận Tỉnh ủy": the head word is shared
    last_headed = start  # where the last item that names its head word begins
    for m in _CUT_RE.finditer(text, start, end):
        p = m.start()
        if any(a <= p < b for a, b in protected):
            continue
        seg = bounds[-1] + len(text[bounds[-1] : p]) - len(text[bounds[-1] : p].lstrip(" :"))
        if starts_with_head(text, seg):
            last_headed = seg
        pm = _PLURAL_HEAD_RE.match(text, bounds[-1], p)
        plural = _cap(pm.group(1)) if pm else plural if not starts_with_head(text, bounds[-1]) else None
        sep = m.group().strip()
        shared = (head or loc or plural) and text[m.end() : m.end() + 3].lstrip()[:1].isupper()
        nxt = m.end() + len(text[m.end() : end]) - len(text[m.end() : end].lstrip())
        if sep != ";" and not (
            # in a typed list every comma cuts, except before lowercase words that go on the name of
            # an item with its own head ("…; Ban Phát triển năng lực, đào tạo nghề …")
            (
                (head or loc)
                and sep == ","
                and not (text[nxt : nxt + 1].islower() and starts_with_head(text, seg))
            )
            or shared
            or nxt in carried_starts
            or _repeats_type_word(text, last_headed, nxt)
            or _starts_unit(text, m.end(), end, gaz)
            or (numbered and numbered.start() < p and _BARE_NUMBER_RE.match(text, m.end(), end))
            or _district_after_place_head(text, last_headed, nxt, end)
        ):
            continue
        bounds += [p, m.end()]
    bounds.append(end)
    items: list[ListItem] = []
    raw: list[tuple[int, int, int, str]] = []
    for a, b in zip(bounds[::2], bounds[1::2], strict=False):
        seg_s, seg_e = _item_extent(text, a, b, gaz)
        if seg_e > seg_s:
            raw.append((a, seg_s, seg_e, text[seg_s:seg_e]))
    prev_surface = ""
    plural = None
    for n, (seg_a, seg_s, seg_e, surface) in enumerate(raw):
        if loc and n and starts_with_head(re.sub(r"^\d+\s+", "", surface), 0):
            # "… tỉnh C và 3 Phòng Tư pháp thuộc UBND các huyện A, B": a new sub-list
            items.extend(parse_list_region(text, seg_s, end, gaz))
            break
        if not loc and n and _SPREAD_RE.match(surface):
            # "UBND thành phố A và UBND các huyện: B, C": the rest spreads one name over places
            items.extend(parse_list_region(text, seg_s, end, gaz))
            break
        if loc and not (
            lexicon().province(surface)
            or ((loc != "tỉnh" or n) and surface[:1].isupper() and len(surface.split()) <= MAX_PLACE_WORDS)
            or (loc != "tỉnh" and places.is_district(surface))
        ):
            # the list of places has ended ("…, Long An và Tiền Giang, do Sở Y tế A làm Cụm trưởng");
            # after the first province a city that stands for its province ("Vũng Tàu") goes on
            break
        if loc:
            c = canonicalize(f"{head} {_place_with_kind(surface, loc)}")
        elif numbered and numbered.start() < seg_s and _BARE_NUMBER_RE.fullmatch(surface):
            c = canonicalize(f"{numbered.group('kind')} {surface}")
            c = (c[0], c[1] * NUMBERED_PLACE_CONF, "numbered_place") if c else None
        else:
            pm = _PLURAL_HEAD_RE.match(text, seg_a, seg_e)
            plural = _cap(pm.group(1)) if pm else plural if not starts_with_head(surface, 0) else None
            c = canonicalize(surface, head=head or (plural if not pm else None))
            borrowed = _shared_head(prev_surface, surface)
            if borrowed and (
                c is None or c[2] == "province" or (c[2] == "open_class" and not starts_with_head(surface, 0))
            ):
                c = canonicalize(f"{borrowed} {surface}") or c
        if c is None and surface[:1].islower() and starts_with_head(_cap(surface), 0):
            c = canonicalize(_cap(surface))  # "trường ĐH Tây Bắc" in a list: a head word written small
        placed = _PLACE_ITEM_RE.fullmatch(surface) if c is None else None
        if placed and placed.group("kind") and placed.group("kind").lower() != "tỉnh":
            c = (surface[0].lower() + surface[1:], 0.7, "place")  # "huyện Kbang" in a list of units
        if c:
            items.append(ListItem(seg_s, seg_e, c[0], c[1], c[2]))
            prev_surface = text[seg_s:seg_e] if starts_with_head(text, seg_s) else prev_surface
    return _share_tails(text, items)


_ITEM_NOISE_RE = re.compile(
    r"(?:(?:và|cùng|các|đại diện|lãnh đạo|đơn vị|tập thể|cơ quan|thành viên|đ/c|\d+"
    r"|(?:cụm|khối)\s+(?:trưởng|phó))\s+)+",
    re.IGNORECASE,
)


# what may follow a gazetteer name inside a list item: a place or a proper name
# ("… huyện Tân Lạc", "… Hòa Bình")
_NAME_TAIL_RE = re.compile(
    r"(?:\s+(?:tỉnh|thành phố|huyện|thị xã|quận|khu vực|chi nhánh|số)?\s*"
    r"[A-ZĐ0-9][\wÀ-ỹ]*(?:\s+[A-ZĐ0-9][\wÀ-ỹ]*)*)+"
)


_SUBLIST_INTRO_RE = re.compile(
    r"(?:và\s+)?(?:\d+|các)\s+[^\s,;:]+(?:\s+[^\s,;:]+){0,3}?\s+(?:là|gồm)\s*:?\s*", re.I
)


def _kinds(m: re.Match[str]) -> str:
    """The place kinds a list is spread over: "tỉnh", "địa phương", or districts' kinds as written
    ("huyện, thị xã")."""
    loc = m.group("loc").lower()
    if loc in ("tỉnh", "địa phương"):
        return loc
    span = m.group("locs") if "locs" in m.re.groupindex else m.string[m.start("loc") : m.end()]
    return ", ".join(dict.fromkeys(re.findall(r"huyện|thị xã|thành phố|quận", span.lower())))


def _district_kind(name: str, loc: str) -> str:
    """The kind of a district a list names without one.

    The list's kind when it names one ("UBND các huyện: A, B" → "huyện B", even for a huyện that is a
    thị xã in extract.places' newer data: the article knows its time); among several ("UBND các huyện,
    thị xã: A, B") the one that extract.places knows for that place.
    """
    kinds = loc.split(", ")
    fits = [k for k in kinds if places.is_district(f"{k} {name}")]
    return fits[0] if len(fits) == 1 else kinds[0]


def _place_with_kind(surface: str, loc: str) -> str:
    """A place of a list spread over places, with its kind; a place written with its kind keeps it."""
    kind, name = places.split_kind(surface)
    if kind is not None and kind != "tỉnh":
        return f"{kind} {name}"
    return f"{_district_kind(surface, loc)} {surface}"


# A list item, already cut at its separators, may be a long name: the longest in the gazetteer has 18
# words ("Ngân hàng Nông nghiệp và Phát triển nông thôn Việt Nam chi nhánh Bà Rịa - Vũng Tàu"), so
# items get more room than a unit captured in running prose (units.MAX_NAME_WORDS).
MAX_ITEM_WORDS = 30


def _item_extent(text: str, a: int, b: int, gaz: list[UnitSpan]) -> tuple[int, int]:
    """Trim a list segment to the unit name it holds: no leading "đại diện", no trailing clause."""
    seg = text[a:b]
    s = a + len(seg) - len(seg.lstrip(" ,;:-–"))
    e = a + len(seg.rstrip(" ,;:.-–/"))
    intro = _SUBLIST_INTRO_RE.match(text, s, e)
    if intro and intro.end() < e:
        s = intro.end()  # "5 tổ chức tín dụng là Agribank …": the item is the name after the intro
    noise = _ITEM_NOISE_RE.match(text, s, e)
    if (
        noise
        and noise.end() < e
        and (starts_with_head(text, noise.end()) or any(u.start == noise.end() for u in gaz))
    ):
        s = noise.end()
    g = next((u for u in gaz if u.start == s and u.end <= e), None)
    if g:
        tail = _NAME_TAIL_RE.match(text, g.end, e)
        return s, tail.end() if tail else g.end
    if starts_with_head(text, s):
        stop = capture_forward(
            text, s, e, name_from=g.end if g else None, max_words=MAX_ITEM_WORDS, in_list=True
        )
        while stop < e and text[stop : stop + 2].lstrip().startswith("("):
            # "Ngân hàng TMCP Ngoại thương Việt Nam (Vietcombank) chi nhánh An Giang": the name goes on
            close = text.find(")", stop, e)
            if close < 0 or not re.match(
                r"\s+(?:chi nhánh|tỉnh|thành phố|huyện|khu vực|tại)\s", text[close + 1 : e]
            ):
                break
            stop = capture_forward(text, s, e, name_from=close + 1, max_words=MAX_ITEM_WORDS, in_list=True)
        if stop > s:
            e = stop
    paren = re.search(r"\s*\([^()]*\)?\s*$", text[s:e])
    if paren and paren.start() > 0:
        e = s + paren.start()  # "Sở Y tế (Khối trưởng)": the role stays outside the name
    return s, e


# "các Sở Y tế, Tư pháp", "các sở Nội vụ, Tài chính": a plural head shared by the names after it
_PLURAL_HEAD_RE = re.compile(
    r"\s*(?:\d+\s+|các\s+)(Ban|Sở|Phòng|Hội|Trường|Cục|ban|sở|phòng|hội|trường|cục)\s+(?=[A-ZĐ])"
)


def _typed_names(text: str, start: int, end: int, head: str) -> list[tuple[int, int]]:
    """In "04 sở, ngành: Tư pháp, Lao động, Thương binh và Xã hội", the runs that name one unit with the type.

    A run may also end before a "và" that joins the next item ("Kế hoạch và Đầu tư và Ban …").
    """
    seps = [start] + [start + m.end() for m in re.finditer(r"[,;]\s*", text[start:end])]
    ends = [start + m.start() for m in re.finditer(r"\s*[,;]", text[start:end])] + [end]
    out: list[tuple[int, int]] = []
    for i, a in enumerate(seps):
        cands = [ends[i + k - 1] for k in (3, 2, 1) if i + k - 1 < len(ends)]
        if i < len(ends):
            cands += [a + m.start() for m in re.finditer(r"\s(?:và|cùng)\s", text[a : ends[i]])][::-1]
        for b in cands:
            c = canonicalize(f"{head} {text[a:b]}")
            if c and c[2] != "open_class" and c[1] >= 0.9:
                out.append((a, b))
                break
    return out


def _carried_type(text: str, start: int, end: int, gaz: list[UnitSpan]) -> tuple[str, int] | None:
    """The head word ("Sở") of a list's first item, when that item is a known unit, and where it ends."""
    m = _ITEM_NOISE_RE.match(text, start, end)
    p = m.end() if m else start
    p += len(text[p:end]) - len(text[p:end].lstrip(" :"))
    g = next((u for u in gaz if u.start == p), None)
    hm = starts_with_head(text, p)
    return (hm, g.end) if g and hm else None


# the type word after a head: an abbreviation ("THPT") or a capitalised word with its lowercase
# followers ("Tiểu học", "Mầm non"), then the proper name
_TYPE_WORD_RE = re.compile(r"\s+([A-ZĐ][A-ZĐ]+|[A-ZĐ][a-zà-ỹđ]+(?:\s+[a-zà-ỹđ]+){0,2})\s+(?=[A-ZĐ])")


def _repeats_type_word(text: str, seg_start: int, pos: int) -> bool:
    """Does the text at `pos` repeat the type word that follows the head of the item at `seg_start`?

    "Trường THPT Lê Lợi, THPT Nguyễn Du": "THPT" after "Trường" comes again, so a new item starts.
    """
    hm = starts_with_head(text, seg_start)
    if not hm:
        return False
    tm = _TYPE_WORD_RE.match(text, seg_start + len(hm))
    if not tm:
        return False
    word = tm.group(1)
    return text.startswith(word, pos) and bool(
        re.match(r"\s+[A-ZĐ]", text[pos + len(word) : pos + len(word) + 2])
    )


# heads named after the district they serve: "Huyện ủy A, B, C" lists the party committees of A, B, C
_DISTRICT_HEAD_RE = re.compile(r"(?:Huyện|Thị|Quận|Thành)\s+(?:ủy|đoàn)(?=\s+[A-ZĐ])")


def _district_after_place_head(text: str, item_start: int, pos: int, end: int) -> bool:
    """Does a bare district's name start at `pos`, in a list whose item at `item_start` opens with a
    head named after its district ("Huyện ủy Ea Súp, Krông Bông")?"""
    if not _DISTRICT_HEAD_RE.match(text, item_start, end):
        return False
    first = re.split(r"[,;:.()]|\svà\s", text[pos:end], maxsplit=1)[0].strip()
    return first[:1].isupper() and places.is_district(first)


def _shared_head(prev: str, surface: str) -> str | None:
    """The words an item borrows from the one before: "VKSND huyện A và thị xã B" → "VKSND"."""
    if not prev:
        return None
    ph = _DISTRICT_HEAD_RE.match(prev)
    if ph and surface[:1].isupper() and places.is_district(surface):
        return ph.group()  # "Huyện ủy Ea Súp, Krông Bông" → "Huyện ủy Krông Bông"
    if prov := lexicon().province(surface):
        # "Công an tỉnh Lạng Sơn, Cao Bằng": a bare province after a provincial unit names the same unit,
        # with the province's own kind ("BHXH tỉnh Hải Dương, Hải Phòng": Hải Phòng is a "thành phố")
        pm = re.match(r"^(.*?\S)\s+(?:tỉnh|thành phố|TP\.?)\s+\S", prev)
        return f"{pm.group(1)} {kind_word(prov)}" if pm and starts_with_head(prev, 0) else None
    loc = _LOCALITY_RE.match(surface)
    if loc:
        m = re.search(r"^(.*?)\s+(?:huyện|thị xã|thành phố|quận|thị trấn|xã|phường)\s", prev, re.IGNORECASE)
        return m.group(1) if m else None
    hm = starts_with_head(prev, 0)
    if hm and _repeats_type_word(f"{prev}, {surface}", 0, len(prev) + 2):
        return hm  # "Trường THPT Chu Văn An, THPT Lương Thế Vinh" → "Trường THPT Lương Thế Vinh"
    if hm and surface[:1].isupper():
        cand = canonicalize(f"{hm} {surface}")
        return hm if cand and cand[2] != "open_class" else None  # "Sở Y tế, Giáo dục và Đào tạo"
    return None


def _share_tails(text: str, items: list[ListItem]) -> list[ListItem]:
    """ "Ban Tổ chức, Ban Tuyên giáo Tỉnh ủy": the last item's "Tỉnh ủy" belongs to each of them;
    "Công an, Tòa án nhân dân và Chi cục Thuế thành phố": so does a bare locality kind."""
    out = list(items)
    for i, it in enumerate(items):
        # a last item ending with a locality kind and no name: "… và Chi cục Thuế thành phố"
        kind = BARE_KIND_TAIL_RE.search(text[it.start : it.end])
        if kind and it.canonical.endswith(" " + kind.group(1).lower()):
            j = i - 1
            while j >= 0 and ";" not in text[out[j].end : out[j + 1].start]:
                surface = text[out[j].start : out[j].end]
                if out[j].canonical.endswith(" tỉnh") and not re.search(r"(?i)tỉnh", surface):
                    # the province was only the gazetteer's default for a name without its locality
                    name = out[j].canonical[: -len(" tỉnh")] + " " + kind.group(1).lower()
                    conf = min(out[j].confidence, 0.85)
                    out[j] = ListItem(out[j].start, out[j].end, name, conf, "shared_tail")
                j -= 1
            continue
        tail = _TAIL_RE.search(text[it.start : it.end])
        if not tail:
            continue
        j = i - 1
        while j >= 0 and ";" not in text[out[j].end : out[j + 1].start]:
            if out[j].rule in ("open_class", "type_restored") and not _TAIL_RE.search(out[j].canonical):
                c = canonicalize(f"{out[j].canonical} {tail.group(1)}")
                if c:
                    out[j] = ListItem(out[j].start, out[j].end, c[0], min(c[1], 0.85), "shared_tail")
            j -= 1
    return out


# A list trigger ("gồm", "có") opens a member list only when a word of blocs or units ("khối",
# "đơn vị", "sở", …) stands this close before it: "Khối thi đua số 3 do Sở Y tế làm Khối trưởng gồm"
# fits, a "gồm" about something else a sentence later does not.
_TRIGGER_CONTEXT_REACH = 120
# "07 Sở, ngành thuộc Khối thi đua số 2, gồm:": the counted head word stands this close before "gồm"
_COUNTED_HEAD_REACH = 70
# "Chủ tịch UBND 05 huyện trong Cụm: A, B": the unit spread over the places starts this close
# before the count
_SPREAD_UNIT_REACH = 50


def member_lists(text: str, start: int, end: int, gaz: list[UnitSpan]) -> list[ListItem]:
    """Units listed as members after "gồm", "các đơn vị trong Khối:", "N đơn vị:" …"""
    out: list[ListItem] = []
    done = start
    for m in _LIST_TRIGGER_RE.finditer(text, start, end):
        if m.start() < done:
            continue  # inside the list an earlier trigger opened ("gồm 05 đơn vị: …")
        ctx = text[max(start, m.start() - _TRIGGER_CONTEXT_REACH) : m.start()].lower()
        if not re.search(
            r"khối|cụm|đơn vị|thành viên|cơ quan|sở|tỉnh|ngành|huyện|địa phương", ctx + m.group().lower()
        ):
            continue
        ls = m.end()
        inner = re.search(r"(?:bao\s+)?gồm(?:\s+có)?\s*:?\s*|\slà\s+(?=các\s)", m.group())
        if inner and inner.start() > 0:
            # "09 đơn vị thành viên gồm các sở: …", "6 đơn vị là các sở: …": the type comes after "gồm"/"là"
            ls = m.start() + inner.end()
        typed = None if _LIST_HEAD_RE.match(text, ls, end) else _TYPED_COUNT_RE.match(text, ls, end)
        paren = _paren_list(text, ls, end)
        if paren:
            # "gồm 05 tổ chức đoàn thể (A, B, …)": the list is what the parentheses hold
            out.extend(parse_list_region(text, paren[0], paren[1], gaz))
            done = paren[1]
            continue
        before = (
            None
            if typed
            else _COUNTED_HEAD_BEFORE_RE.search(text, max(start, m.start() - _COUNTED_HEAD_REACH), m.start())
        )
        places_before = (
            None
            if typed
            else _PLACES_BEFORE_RE.search(text, max(start, m.start() - _COUNTED_HEAD_REACH), m.start())
        )
        if places_before and before and before.start() > places_before.start():
            places_before = None  # the nearer count before "gồm" says what the list holds
        place_items = (
            _place_items(text, ls, list_end(text, ls, end, gaz), places_before.group("loc"))
            if places_before
            and _PLACE_ITEM_RE.match(text, ls, end)
            # "lãnh đạo Sở Tư pháp các tỉnh trong Cụm gồm: …" spreads a unit over the provinces instead
            and not _unit_spread_over(
                text, max(start, places_before.start() - _SPREAD_UNIT_REACH), places_before.start()
            )
            else []
        )
        if len(place_items) >= 2:
            # "5 huyện, thị đồng bằng gồm: A, B, thị xã C và D": places of the kind counted before "gồm"
            out.extend(place_items)
            done = place_items[-1].end
            continue
        if typed:
            ls = typed.end()  # "gồm 06 đơn vị: A; B" lists after the colon
        elif not before and not _opens_list(text, ls, end, gaz):
            continue  # "gồm 05 thành viên có trách nhiệm …" describes, it does not list
        le = list_end(text, ls, end, gaz)
        if before and before.group("type").strip() and _all_provinces(text, ls, le):
            # "các sở LĐ-TB&XH trong Cụm gồm: Kon Tum, Gia Lai": one unit of each province
            head = _cap(before.group("head")) + before.group("type")
            out.extend(split_list(text, ls, le, gaz, head=head, loc="tỉnh"))
        elif before and not _LIST_HEAD_RE.match(text, ls, le):
            # "07 Sở, ngành thuộc Khối, gồm: Tư pháp, …": the type comes before "gồm"
            out.extend(_split_with_subheads(text, ls, le, gaz, _cap(before.group("head"))))
        else:
            region = parse_list_region(text, ls, le, gaz)
            out.extend(region)
            if region:
                # "đoàn 1 gồm các tỉnh A, B, địa điểm …; đoàn 2 gồm các tỉnh C, D": a list that ends
                # before its region does leaves room for the next "gồm"
                le = min(le, max(it.end for it in region))
        done = le
    for m in _BLOC_UNITS_PAREN_RE.finditer(text, start, end):
        # "… và 07 trường trong khối thi đua (trường A; trường B; …)": a counted list of the bloc's units
        if m.start() < done:
            continue
        close = text.find(")", m.end(), end)
        if close > m.end() and len(re.findall(r"[;,]", text[m.end() : close])) >= 1:
            out.extend(parse_list_region(text, m.end(), close, gaz))
            done = close
    for m in _RANKED_PLACES_RE.finditer(text, start, end):
        if m.start() < done:
            continue
        loc = re.sub(r"\s+", " ", m.group("loc").lower())
        loc = "thành phố" if loc == "tp" else loc
        items = _place_items(text, m.end(), list_end(text, m.end(), end, gaz), loc)
        out.extend(items)
        done = items[-1].end if items else done
    for m in _BLOC_PLACES_PAREN_RE.finditer(text, start, end):
        if m.start() < done:
            continue
        close = text.find(")", m.end(), end)
        if close > m.end():
            out.extend(_place_items(text, m.end(), close, m.group("loc")))
            done = close
    for m in _PLACES_TRIGGER_RE.finditer(text, start, end):
        # "Chủ tịch UBND 05 huyện trong Cụm: A, B" — the unit word before the count is spread over the places
        if m.start() < done:
            continue
        heads = head_starts(text, max(start, m.start() - _SPREAD_UNIT_REACH), m.start())
        if not heads:
            continue
        unit = text[heads[-1] : m.start()].strip()
        le = list_end(text, m.end(), end, gaz)
        out.extend(split_list(text, m.end(), le, gaz, head=unit, loc=_kinds(m)))
    return out


# "07 Sở, ngành thuộc Khối," right before "gồm": a count or "các" and a head word
_COUNTED_HEAD_BEFORE_RE = re.compile(
    rf"(?:\d+|các)\s+(?P<full>(?P<head>{_HEADS}|sở|ban|trường|hội|phòng)(?:\s*,\s*(?:ban\s*,\s*)?ngành)?"
    r"(?P<type>(?:\s+[^\s,.;:()]+){0,5}?))(?=\s+(?:thuộc|trong|của)\s|[,\s]*$)"
    r"[^.;:()]{0,50}?[,\s]*$"
)
# a count or plural noun phrase whose list follows in parentheses: "06 đơn vị đoàn thể (A, B)",
# "các đơn vị trong cụm thi đua số 2 (A, B và C)"
_PAREN_LIST_RE = re.compile(
    r"\s*(?:(?:lãnh\s+đạo|đại\s+diện)\s+)*(?:\d+|các)\s+"
    r"(?:đơn\s+vị|cơ\s+quan|thành\s+viên|tập\s+thể|trường|doanh\s+nghiệp|địa\s+phương"
    r"|huyện|tỉnh|sở|hội|ngân\s+hàng|tổ\s+chức)[^.;:()]{0,60}\(",
    re.IGNORECASE,
)


# a count of the bloc's units and their list in parentheses, with no "gồm": "07 trường trong khối thi
# đua các trường đại học, cao đẳng (A; B; …)"
_BLOC_UNITS_PAREN_RE = re.compile(
    r"(?<!\w)(?:\d+|các)\s+(?:đơn\s+vị|cơ\s+quan|trường|thành\s+viên|doanh\s+nghiệp|hội|sở|ngành)"
    r"\s+(?:trong|thuộc|của)\s+(?i:khối|cụm)[^.;:()]{0,80}\(",
)
# the places ranked after the leader: "các huyện tiếp theo là A, B và C", "các TP còn lại gồm: A, B" —
# members of the bloc named by their rank
_RANKED_PLACES_RE = re.compile(
    r"(?<!\w)(?:các|những)\s+(?P<loc>tỉnh|TP|thành\s+phố|huyện|quận|thị\s+xã)\s+"
    r"(?:tiếp\s+theo|còn\s+lại|xếp\s+sau|đứng\s+sau|kế\s+tiếp)\s+(?:lần\s+lượt\s+)?(?:là|gồm)\s*:?\s*(?=[A-ZĐ])",
    re.IGNORECASE,
)
# a bloc counted in places, its places in parentheses: "cụm 7 tỉnh biên giới phía Bắc (A, B, …)"
_BLOC_PLACES_PAREN_RE = re.compile(
    r"(?<!\w)(?i:khối|cụm)(?:\s+thi\s+đua)?\s+\d+\s+(?P<loc>tỉnh|huyện)[^.;:()]{0,60}\(",
)


def _unit_spread_over(text: str, start: int, pos: int) -> bool:
    """Does a unit name run right up to `pos` ("Sở Tư pháp các tỉnh …"), with no comma or "và"
    between, so that the places after it are that unit's?"""
    heads = head_starts(text, start, pos)
    if not heads:
        return False
    name = text[heads[-1] : pos].strip()
    known = canonicalize(name)  # "Sở Văn hóa, Thể thao và Du lịch": commas and "và" inside a name
    return (known is not None and known[2] != "open_class") or not re.search(r",|\svà\s", name)


# how far before "các tỉnh"/"N huyện" a unit name spread over the places may start
_SPREAD_UNIT_REACH = 60
# a count of places right before "gồm": "5 huyện, thị đồng bằng gồm:", "các huyện miền núi gồm"
_PLACES_BEFORE_RE = re.compile(
    # not a bloc's number ("Khối thi đua số 5 tỉnh Lạng Sơn gồm …")
    r"(?<!số )(?<!khối )(?<!cụm )(?<!đua )(?:\d+|các)\s+(?P<loc>huyện|thị xã|quận|tỉnh)"
    r"(?:\s*,\s*(?:thị xã|thị|thành phố|quận|huyện))*"
    r"(?:\s+[^\s.;:()]+){0,4}?[,\s]*$"
)


def _paren_list(text: str, pos: int, end: int) -> tuple[int, int] | None:
    """The inside of a parenthesised list announced by a count or plural noun at `pos`, if any."""
    m = _PAREN_LIST_RE.match(text, pos, end)
    if not m:
        return None
    close = text.find(")", m.end(), end)
    return (m.end(), close) if close > m.end() else None


def _all_provinces(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a list of bare place names, most of them provinces? ("Vũng Tàu" is a city
    that articles use for its province)"""
    items = [x.strip(" .") for x in re.split(r",|;|\svà\s", text[start:end]) if x.strip(" .")]
    provinces = sum(1 for x in items if lexicon().province(x))
    return (
        len(items) >= 2
        and provinces * 3 >= len(items) * 2
        and all(x[:1].isupper() and len(x.split()) <= MAX_PLACE_WORDS for x in items)
    )


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


_TYPED_COUNT_RE = re.compile(
    r"\s*(?:\d+|các)\s+(?:đơn\s+vị|cơ\s+quan|thành\s+viên|tập\s+thể|trường|doanh\s+nghiệp|công\s+ty|bệnh\s+viện"
    r"|hội|ngân\s+hàng|bộ|tổ\s+chức|tỉnh\s*,\s*thành(?:\s+phố)?)"
    r"[^.;:]{0,60}:\s*",
    re.IGNORECASE,
)


_PLACES_TRIGGER_RE = re.compile(
    r"\s(?:các|\d+)\s+(?P<locs>(?P<loc>huyện|tỉnh|thị xã|thành phố|quận)"
    r"(?:(?:,|\s+và)\s*(?:huyện|thành phố|thị xã|quận))*)\s+(?:trong|thuộc)\s+(?:khối|cụm)"
    r"[^:.;]{0,30}?:\s*",
    re.IGNORECASE,
)


def list_end(text: str, start: int, end: int, gaz: list[UnitSpan]) -> int:
    """Where a list that starts at `start` ends: a full stop or a clause verb outside any unit name."""
    for m in _LIST_END_RE.finditer(text, start, end):
        if not any(u.start <= m.start() < u.end for u in gaz):
            return m.start()
    return end


def _opens_list(text: str, pos: int, end: int, gaz: list[UnitSpan]) -> bool:
    if re.match(
        r"\s*(?:(?:\d+|các)\s+)?(?:đơn vị|cơ quan|thành viên|sở|ban|tỉnh|huyện|địa phương)[^.;:]{0,40}:",
        text[pos:end],
        re.I,
    ):
        return True
    return _starts_unit(text, pos, end, gaz) or bool(re.match(r"\s*(?:\d+|các)\s+[A-ZĐ]", text[pos:end]))


def parse_list_region(text: str, ls: int, le: int, gaz: list[UnitSpan]) -> list[ListItem]:
    """The units listed in text[ls:le]: a list with its type word, one name spread over places, or plain."""
    paren = _paren_list(text, ls, le)
    if paren:
        return parse_list_region(text, paren[0], paren[1], gaz)
    place_m = _PLACE_HEAD_RE.match(text, ls, le)
    if place_m:
        return _place_items(text, place_m.end(), le, _kinds(place_m))
    head_m = _LIST_HEAD_RE.match(text, ls, le)
    spread_m = _SPREAD_RE.match(text, ls, le)
    g = next((u for u in gaz if u.start == ls), None)
    if g:  # "Sở Lao động, Thương binh và Xã hội các tỉnh: A, B" (a name with commas spread over provinces)
        gm = _SPREAD_TAIL_RE.match(text, g.end, le)
        if gm:
            return split_list(text, gm.end(), le, gaz, head=text[g.start : g.end], loc=_kinds(gm))
    if spread_m and not any(u.start == ls and u.end > spread_m.end() for u in gaz):
        unit = spread_m.group("unit")
        return split_list(text, spread_m.end(), le, gaz, head=unit, loc=_kinds(spread_m))
    if head_m:
        head = head_m.group("head").split(",")[0].strip()
        head = head[0].upper() + head[1:]
        if re.match(r"(?:cơ quan\s+|tờ\s+)?báo", head, re.IGNORECASE):
            head = "Báo"  # "06 cơ quan báo Đảng: Sơn La, …" → "Báo Sơn La"
        # "08 Sở Nội vụ: Phú Yên, Đắk Nông" → "Sở Nội vụ tỉnh Phú Yên"
        if " " in head and head.startswith("Sở"):
            return split_list(text, head_m.end(), le, gaz, head=head, loc="tỉnh")
        return _split_with_subheads(text, head_m.end(), le, gaz, head)
    return _split_with_subheads(text, ls, le, gaz, None)


_PLACE_ITEM_RE = re.compile(
    r"(?:(?P<kind>(?i:huyện|thị xã|thành phố|quận|tỉnh))\s+)?"
    r"(?P<name>[A-ZĐ][\wÀ-ỹ]*(?:(?:\s+|\s?[-–]\s?)[A-ZĐ][\wÀ-ỹ]*){0,3})"
)


def _place_items(text: str, start: int, end: int, loc: str) -> list[ListItem]:
    """The places of a list announced by its kind ("các huyện: A, B và thị xã C"), each with its kind."""
    out: list[ListItem] = []
    pos = start
    while m := _PLACE_ITEM_RE.match(text, pos, end):
        name = m.group("name")
        said = (m.group("kind") or "").lower()  # "Thị xã Hoàng Mai" in a list of huyện
        kind = said or (loc if loc in ("tỉnh", "địa phương") else _district_kind(name, loc))
        prov = lexicon().province(name)
        if kind == "tỉnh" and prov is None:
            break
        if kind == "địa phương":
            # "các địa phương: A, B": a province is "tỉnh A"; a district's kind is not said, so its name
            kind = "tỉnh" if prov else ""
        if prov and kind == "tỉnh":
            name = prov.name
        out.append(ListItem(m.start(), m.end(), f"{kind} {name}".strip(), 0.8, "place_list"))
        sep = re.match(r"\s*(?:,|;|\svà|&)\s*", text[m.end() : end])
        if not sep:
            break
        pos = m.end() + sep.end()
    return out


def _split_with_subheads(
    text: str, ls: int, le: int, gaz: list[UnitSpan], head: str | None
) -> list[ListItem]:
    # "các Trung tâm …: Khuyến công; Thú y; các Chi cục: Kiểm lâm; Thủy lợi"
    out: list[ListItem] = []
    sub = re.compile(r"(?:^|[;,]\s*|\svà\s+)(?:các\s+)(?P<h>[A-ZĐ][^:;,]{1,80}):\s*")
    pos, cur_head = ls, head
    for m in sub.finditer(text, ls, le):
        if m.start() > pos:
            out.extend(split_list(text, pos, m.start(), gaz, head=cur_head))
        cur_head = m.group("h").strip()
        pos = m.end()
    out.extend(split_list(text, pos, le, gaz, head=cur_head))
    return out


def stated_count(text: str, start: int, end: int) -> int | None:
    """The count a list announces ("09 đơn vị gồm: …"), if any."""
    m = _COUNT_RE.search(text, start, end)
    return int(m.group(1)) if m else None
