"""Unit names: finding them, splitting member lists, and turning a mention into a canonical name.

Gazetteer names are matched first (spaCy PhraseMatcher, longest first) so that commas and "và"
inside names ("Sở Văn hóa, Thể thao và Du lịch") never split them; units in no list are captured
from their head word ("Trường …", "Công ty …") up to the first clause word, using underthesea's
POS tags to tell "tổ chức" the verb from "tổ chức" inside a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import spacy
from spacy.matcher import PhraseMatcher
from spacy.util import filter_spans

from extract import places
from extract.lexicon import UNIT_HEADS, Lexicon, kind_word, lexicon, ukey
from extract.limits import GAZETTEER_WINDOW_CHARS
from extract.textnorm import fold


@dataclass(frozen=True, slots=True)
class UnitSpan:
    start: int
    end: int
    canonical: str
    confidence: float
    rule: str


# head words as lists write them, and in the title case some portals use ("Trung Tâm Khuyến Nông")
_HEAD_WORDS = sorted(
    set(UNIT_HEADS)
    | {" ".join(w[:1].upper() + w[1:] for w in h.split()) for h in UNIT_HEADS if not h.isupper()},
    key=len,
    reverse=True,
)
_HEADS_ALT = "|".join(map(re.escape, _HEAD_WORDS))
# "Hội nghị", "Trường hợp", "Phòng họp" start with a head word but are not units
_HEAD_RE = re.compile(
    rf"(?<![\w])({_HEADS_ALT})(?![\w])(?!\s+(?:nghị|Nghị|thao|Thao|thi|viên|diễn|trường|hợp|họp|chống|ngừa|khi|cáo|chí|hành|bố|giám|động|trình"
    # "Lữ đoàn trưởng Lữ đoàn 405": a head word before "trưởng" is its commander's title
    r"|trưởng)(?!\w))"
)
_ROLE_WORDS = (
    r"(?:khối|cụm)\s+trưởng|(?:phó\s+)?trưởng\s+(?:khối|cụm)|(?:khối|cụm)\s+phó"
    r"|phó\s+(?:khối|cụm)(?:\s+trưởng)?"
)
PERSON_TITLES = (
    # "Lăng Chủ tịch Hồ Chí Minh", "Bảo tàng Chủ tịch Hồ Chí Minh": the President's name goes on a unit's
    r"(?:phó\s+)?(?:giám đốc|chủ tịch(?!\s+Hồ\s+Chí\s+Minh)|bí thư|hiệu trưởng|viện trưởng|chánh án"
    r"|trưởng ban|trưởng phòng"
    r"|tổng biên tập|chánh văn phòng|chánh thanh tra|cục trưởng|chi cục trưởng|thủ trưởng|(?<!bộ\s)tư lệnh"
    r"|chỉ huy trưởng|bộ trưởng|thứ trưởng|chủ nhiệm|đại tá|thượng tá|trung tá|đồng chí|ông|bà|ths\.?|ts\.?)"
)
# Words that end a unit name when they appear after it (clause verbs, prepositions, roles, years).
_STOP_RE = re.compile(
    r"\s*(?:[,;:!?()\[\]“”\"«»]|\.(?![\wÀ-ỹ])|\svà\s(?=(?:lãnh đạo|đại diện|các|cán bộ|\d|"
    + PERSON_TITLES
    + r"))|\s?[-–—]\s(?=(?:"
    + _ROLE_WORDS
    + r"|"
    + PERSON_TITLES
    + r"|đơn vị|cơ quan)(?!\w))|$|\svà\s(?=(?:"
    + _HEADS_ALT
    + r")(?!\w))|\s(?:"
    # "làm" the verb, not the noun "việc làm" ("Trung tâm Dịch vụ việc làm")
    r"đã|đang|sẽ|vừa|được|là|làm(?<!việc làm)|tiến hành|có|với|tại|cho|trong|để|nhằm|cùng"
    r"|đồng chủ trì|chủ trì|ký|bầu"
    r"|nhận|đạt|giữ|vì|do|từ|theo|đến|tới|gồm|bao gồm|phụ trách|dẫn đầu|tham gia|tham dự|đề nghị|trao"
    r"|dự(?!\s+(?:án|thảo|toán|kiến|trữ|báo|bị)(?!\w))"
    r"|tặng|vinh dự|đón nhận|này|nay|khi|thì|mà|thuộc khối|thuộc cụm|nhất trí|thống nhất|báo cáo|phát biểu"
    r"|xem xét|quyết định|phê duyệt|khen thưởng|ghi nhận|biểu dương|chỉ đạo|hướng dẫn|phối hợp|đánh giá"
    r"|đề xuất|xin|từ chối"
    r"|bàn giao|chuyển giao|hỗ trợ|đảm bảo|bảo đảm|đảm nhận|đảm nhiệm|chủ động|tích cực|luôn|cũng|vẫn|còn"
    r"|đều|sẽ|luân phiên|thời gian qua|vừa qua"
    r"|năm\s+(?:19|20)\d\d|năm học|" + _ROLE_WORDS + r"|" + PERSON_TITLES + r")(?!\w))",
    re.IGNORECASE,
)
_AMBIGUOUS_VERBS = re.compile(r"\s(tổ chức|thực hiện|triển khai)(?!\w)", re.IGNORECASE)
_LEADING_NOISE_RE = re.compile(
    r"^(?:(?:và|cùng|các|đại diện|lãnh đạo|đơn vị|tập thể|cơ quan|thành viên|đ/c|\d+|0\d)\s+)+", re.IGNORECASE
)
# "Viện trưởng Viện Kiểm sát …", "Giám đốc Sở Y tế": the unit is what follows the person's title
_TITLE_PREFIX_RE = re.compile(rf"^{PERSON_TITLES}\s+(?=(?:{_HEADS_ALT})(?!\w))", re.IGNORECASE)
# a person's title right before a unit name: "Giám đốc Sở Y tế" names the person, the unit follows;
# searched in the last TITLE_REACH characters before the unit, room for the longest title it names
# ("tổng biên tập") with the spaces and the words its look-behinds read
TITLE_REACH = 25
TITLE_BEFORE_RE = re.compile(
    r"(giám đốc|chủ tịch|bí thư"
    r"|hiệu trưởng|viện trưởng|chánh án|trưởng ban|trưởng phòng|tổng biên tập|cục trưởng"
    r"|bộ trưởng|thứ trưởng|chủ nhiệm|(?<!khối )(?<!cụm )trưởng)\s*$",
    re.I,
)


@cache
def _nlp() -> spacy.language.Language:
    # spaCy's rule tokenizer on a blank vi pipeline: ~100x faster than word segmentation and
    # deterministic, so gazetteer patterns and text always tokenise alike.
    return spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})


@cache
def _matcher() -> PhraseMatcher:
    nlp = _nlp()
    m = PhraseMatcher(nlp.vocab, attr="LOWER")
    lex = lexicon()
    m.add("UNIT", [nlp.make_doc(p) for p in lex.phrases])
    return m


def gazetteer_spans(text: str) -> list[UnitSpan]:
    """Every gazetteer unit in the text, longest first, without overlaps."""
    lex = lexicon()
    out: list[UnitSpan] = []
    for start, end in _gazetteer_matches(text):
        canonical = lex.units.get(ukey(text[start:end]))
        if canonical is None:
            continue
        end2, suffix = _province_suffix(text, end, lex)
        name = canonical if not suffix else _with_province(canonical, suffix)
        if not suffix and name.endswith(" tỉnh"):
            city = _CITY_TAIL_RE.match(text, end)
            if city or fold(text[start:end]).endswith("thanh pho"):
                # a centrally-run city's "Hội Nông dân thành phố"
                name, end2 = name[:-5] + " thành phố", city.end() if city else end2
        out.append(UnitSpan(start, end2, name, 0.95, "gazetteer"))
    return out


# A window that starts inside a long line overlaps the previous one by more than the longest
# gazetteer name, so a name cut at one window's end is read whole in the next.
_GAZ_OVERLAP = 400


def _gazetteer_matches(text: str) -> list[tuple[int, int]]:
    """Character spans of gazetteer names, longest first without overlaps, sorted by start.

    spaCy reads the text in chunks of whole lines of at most GAZETTEER_WINDOW_CHARS (a name never
    spans a line break, so this finds what one Doc of the whole text would), and a longer line in
    overlapping windows: the memory spaCy needs (about 70 bytes a character) stays bounded.
    """
    nlp, matcher = _nlp(), _matcher()
    found: list[tuple[int, int]] = []
    for a, b, own_lo, own_hi in _chunks(text, GAZETTEER_WINDOW_CHARS):
        doc = nlp.make_doc(text[a:b])
        for sp in filter_spans([doc[s:e] for _, s, e in matcher(doc)]):
            s, e = a + sp.start_char, a + sp.end_char
            if own_lo <= s < own_hi and not (found and s < found[-1][1]):
                found.append((s, e))
    return found


def _chunks(text: str, size: int) -> list[tuple[int, int, int, int]]:
    """(start, end, own_start, own_end) windows covering `text`; a match belongs to the window that
    owns its start. Chunks end at line breaks; only a line longer than `size` is cut inside."""
    out: list[tuple[int, int, int, int]] = []
    pos, own, n = 0, 0, len(text)
    while pos < n:
        if n - pos <= size:
            out.append((pos, n, own, n))
            break
        nl = text.rfind("\n", pos, pos + size)
        if nl > pos and own == pos:
            out.append((pos, nl, pos, nl))
            pos = own = nl + 1
            continue
        # inside a long line: end at a space, own up to an overlap before the end
        end = text.rfind(" ", pos + size // 2, pos + size)
        end = pos + size if end < 0 else end
        own_hi = end - _GAZ_OVERLAP
        out.append((pos, end, own, own_hi))
        space = text.rfind(" ", own_hi - _GAZ_OVERLAP, own_hi)
        pos, own = (space + 1 if space >= 0 else own_hi), own_hi
    return out


_CITY_TAIL_RE = re.compile(r"\s+thành phố(?!\s+[A-ZĐ])")
_PROV_SUFFIX_RE = re.compile(
    r"\s+(?:(tỉnh|thành phố|TP\.?)\s+)?([A-ZĐÂĂÊÔƠƯ][\wÀ-ỹ]*(?:(?:\s+|\s?[-–]\s?)[A-ZĐÂĂÊÔƠƯ][\wÀ-ỹ]*){0,3})"
)


def _province_suffix(text: str, end: int, lex: Lexicon) -> tuple[int, str | None]:
    m = _PROV_SUFFIX_RE.match(text, end)
    if not m:
        return end, None
    ends = [m.start(2) + w.end() for w in re.finditer(r"[\wÀ-ỹ]+", m.group(2))]
    for e in reversed(ends):
        p = lex.province(text[m.start(2) : e])
        if p:
            return e, p.name
    return end, None


def _with_province(canonical: str, province: str) -> str:
    base = canonical[:-5] if canonical.endswith(" tỉnh") else canonical
    city = _CITY_BODY_RE.match(base)
    prov = lexicon().province(province)
    if city and prov is not None and prov.kind == "thành phố":
        # a centrally-run city's party committee and youth union are "Thành ủy", "Thành đoàn"
        return f"Thành {city.group(1)} {province}"
    # "Công an thành phố Hải Phòng", "Công an tỉnh Nam Định": the province's own kind
    return f"{base} {kind_word(prov) if prov is not None else 'tỉnh'} {province}"


_CITY_BODY_RE = re.compile(r"Tỉnh (ủy|đoàn)$")


def expand_abbreviations(name: str) -> str:
    """Spell out abbreviations inside a unit name ("Sở KH&CN" → "Sở Khoa học và Công nghệ")."""
    out = name
    for abbr, full in lexicon().abbreviations:
        if abbr in out:
            out = re.sub(rf"(?<![\wÀ-ỹ&-]){re.escape(abbr)}(?![\wÀ-ỹ&])", full, out)
    return re.sub(r"\s+", " ", out).strip()


# A mention longer than this is a clause, not a unit name (the longest gazetteer name has 82 characters)
_MAX_MENTION_CHARS = 160


# a bare province where a unit is expected ("gồm: Hà Giang, Cao Bằng"): in lists of a cluster of
# provinces nearly always the province itself as a member (30 of 30 such list items right on dev)
PROVINCE_AS_UNIT_CONF = 0.8
# a name ending with a locality kind and no place name after it
BARE_KIND_TAIL_RE = re.compile(r"\s(thành phố|huyện|thị xã|quận)$", re.IGNORECASE)


def canonicalize(surface: str, *, head: str | None = None) -> tuple[str, float, str] | None:
    """Turn a mention into (canonical name, confidence, rule); None if it is not a unit.

    `head` restores a unit type that a list omitted ("các sở: Y tế" → head "Sở").
    """
    lex = lexicon()
    s = _LEADING_NOISE_RE.sub("", surface.strip(' ,;:.-–()"“”')).strip()
    s = _TITLE_PREFIX_RE.sub("", s)
    s = re.sub(r"\s*\((?:[^()]*)\)?\s*$", "", s).strip()  # "(Khối trưởng)", or its cut-off "(Khối trưởng"
    s = re.sub(r"\s*\([^()]{1,30}\)(?=\s)", "", s)  # "Ngân hàng … (BIDV) chi nhánh …": the short name aside
    if not s or len(s) > _MAX_MENTION_CHARS:
        return None
    kind_tail = BARE_KIND_TAIL_RE.search(s)
    if kind_tail and kind_tail.start() > 0:
        # "Viện Kiểm sát nhân dân thành phố": a provincial unit of a city (or district) named by kind only
        base = canonicalize(s[: kind_tail.start()], head=head)
        if base and base[2] == "gazetteer" and base[0].endswith(" tỉnh"):
            return f"{base[0][: -len(' tỉnh')]} {kind_tail.group(1).lower()}", base[1], base[2]
    for cand, conf, rule in _candidates(s, head):
        canonical = lex.units.get(ukey(cand))
        if canonical:
            return canonical, conf, rule
        with_prov = _split_province_tail(cand, lex)
        if with_prov:
            return with_prov, conf, rule
    expanded = expand_abbreviations(s)
    if head and not _has_head(expanded, head):
        expanded = expand_abbreviations(f"{head} {expanded}")
    expanded = re.sub(r"\btrực thuộc\b", "thuộc", expanded)
    hm = _HEAD_RE.match(expanded)
    if hm and len(expanded.split()) > len(
        hm.group(1).split()
    ):  # a head word alone ("Văn phòng") names nothing
        return expanded, 0.6, "open_class"
    if lex.province(s):
        return s, PROVINCE_AS_UNIT_CONF, "province"
    return None


def _split_province_tail(name: str, lex: Lexicon) -> str | None:
    """ "Sở Nội vụ tỉnh Phú Yên" → the gazetteer unit with its province ("… tỉnh Phú Yên")."""
    words = name.split()
    for i in range(len(words) - 1, 0, -1):
        prov = lex.province(" ".join(words[i:]))
        if prov is None or words[i].lower() in ("và", "cùng"):
            continue
        j = i - 1 if words[i - 1].lower() in ("tỉnh", "phố") else i
        if words[j - 1].lower() in ("và", "cùng") or words[j - 1].endswith(","):
            continue  # "Báo Cao Bằng và Bắc Kạn" is two units, not one with a province
        if words[j - 1 : j + 1] == ["thành", "phố"] or words[j].lower() == "phố":
            j -= 1
        base = lex.units.get(ukey(" ".join(words[:j])))
        if base:
            return _with_province(base, prov.name)
    return None


def _has_head(name: str, head: str) -> bool:
    """Does `name` already carry the list's type? A type of several words must be there whole: in
    "các Trường THPT: Trường Sơn, …" the school is "Trường THPT Trường Sơn"."""
    if " " in head.strip() and _PROPER_NAME_RE.fullmatch(name):
        # a name of capitalised syllables only is a proper name that takes the type ("Trường Sơn",
        # "Trường Chinh"); "Ban Phát triển năng lực" has lowercase words, so it is a unit of its own
        return ukey(name).startswith(ukey(head) + " ") or ukey(expand_abbreviations(name)).startswith(
            ukey(expand_abbreviations(head)) + " "
        )
    return bool(_HEAD_RE.match(name))


_PROPER_NAME_RE = re.compile(r"[A-ZĐ][\wÀ-ỹ]*(?:[\s-]+[A-ZĐ0-9][\wÀ-ỹ]*){0,4}")


def _candidates(s: str, head: str | None) -> list[tuple[str, float, str]]:
    exp = expand_abbreviations(s)
    out = [(s, 0.95, "gazetteer"), (exp, 0.9, "abbreviation")]
    if head and not _has_head(s, head):
        out += [(f"{head} {s}", 0.85, "type_restored"), (f"{head} {exp}", 0.85, "type_restored")]
    return out


def names_known_unit(name: str) -> bool:
    """Is `name` itself a gazetteer unit (not a person's title before one: "Phó Chánh Văn phòng UBND")?"""
    if _TITLE_PREFIX_RE.match(name):
        return False
    known = canonicalize(name)
    return known is not None and known[2] == "gazetteer"


def starts_with_head(text: str, pos: int) -> str | None:
    """The unit head word ("Sở", "Trường", "Ủy ban nhân dân") a capitalised name starts with at `pos`."""
    m = _HEAD_RE.match(text, pos)
    return m.group(1) if m and text[pos : pos + 1].isupper() else None


def head_starts(text: str, start: int, end: int) -> list[int]:
    """Where capitalised unit head words ("Sở", "UBND", "Phòng" …) begin in text[start:end]."""
    return [m.start() for m in _HEAD_RE.finditer(text, start, end) if text[m.start()].isupper()]


# Inside a list item (whose bounds the list splitter has already set, cutting only where a unit
# begins) a comma before lowercase words is part of the name ("Trung tâm Quan trắc đất, nước và không
# khí"), unless an apposition follows (", đơn vị dẫn đầu Cụm"); "tại" before a place names a
# branch ("Phân hiệu Trường Đại học X tại tỉnh Y"); "cho" before the group a fund or centre serves
# ("Quỹ Bảo lãnh tín dụng cho doanh nghiệp nhỏ và vừa") names whom it serves.
_IN_LIST_GOES_ON_RE = re.compile(
    r",\s*(?=[a-zà-ỹđ])"
    r"(?!(?:và|cùng|các|đã|đang|sẽ|được|là|tổ chức|với|cho|do|nhằm|đơn vị|cơ quan|tập thể|nơi|người)\s)"
    r"|\s*tại\s+(?=[A-ZĐ]|tỉnh|thành phố|huyện)"
    r"|\s*cho\s+(?=(?:các\s+)?(?:doanh\s+nghiệp|DN(?:NVV)?|người|trẻ\s+em|phụ\s+nữ|nông\s+dân|hộ|học\s+sinh"
    r"|sinh\s+viên|thanh\s+niên)(?!\w))"
)


# An open-class unit captured in running prose stops after this many words when no clause word has
# ended it: gazetteer names reach 16–18 words only for bank branches, which the gazetteer itself finds.
MAX_NAME_WORDS = 16
# The POS tagger reads an ambiguous verb ("tổ chức") with this many characters after it: the next
# word or two decide between the verb and a noun inside a name ("tổ chức tín dụng")
_POS_CONTEXT_AFTER = 12
# a capture shorter than this is a head word with nothing after it ("Sở", "Ban")
_MIN_CAPTURE_CHARS = 4


def capture_forward(
    text: str,
    start: int,
    limit: int,
    *,
    name_from: int | None = None,
    max_words: int = MAX_NAME_WORDS,
    in_list: bool = False,
) -> int:
    """Return where an open-class unit starting at `start` (on its head word) ends.

    `name_from`: the name is known to run at least to there (a gazetteer name with commas inside).
    `in_list`: the name is one item of a list already split, so commas before lowercase words and
    "tại <place>" stay inside it.
    """
    m = _STOP_RE.search(text, max(start + 1, name_from or 0), limit)
    while m and in_list and (_IN_LIST_GOES_ON_RE.match(text, m.start(), limit) or _capitalised_word(m)):
        m = _STOP_RE.search(text, m.end(), limit)
    end = m.start() if m else limit
    # "tổ chức"/"thực hiện" end the name only when they are the verb (underthesea POS decides)
    amb = _AMBIGUOUS_VERBS.search(text, start + 1, end)
    while amb:
        if _is_verb_here(text[start : amb.end() + _POS_CONTEXT_AFTER], amb.start() - start + 1):
            return amb.start()
        amb = _AMBIGUOUS_VERBS.search(text, amb.end(), end)
    words = text[start:end].split()
    if len(words) > max_words:
        return start + len(" ".join(words[:max_words]))
    return end


def _capitalised_word(m: re.Match[str]) -> bool:
    """A stop word written with a capital inside a list item is a word of the name ("Trung tâm Tư vấn
    và Hỗ trợ …"), not the clause's verb; punctuation and "và" still stop."""
    word = m.group().strip()
    return (
        word[:1].isupper()
        and word[:1].isalpha()
        and not word.lower().startswith("và")
        and not _ROLE_OR_TITLE_RE.match(word)  # "… Khối trưởng", "… Giám đốc …" still end the name
    )


_ROLE_OR_TITLE_RE = re.compile(rf"(?:{_ROLE_WORDS}|{PERSON_TITLES}|năm\s)", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _is_verb_here(chunk: str, offset: int) -> bool:
    from underthesea import pos_tag  # heavy import: only when an ambiguous verb needs it

    pos = 0
    for word, tag in pos_tag(chunk):
        i = chunk.find(word, pos)
        if i < 0:
            continue
        if i >= offset:
            return tag in ("V", "R")
        pos = i + len(word)
    return False


def open_units(text: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[UnitSpan]:
    """Units not in the gazetteer, captured from their head word, outside spans already taken."""
    out: list[UnitSpan] = []
    for m in _HEAD_RE.finditer(text, start, end):
        s = m.start()
        if any(a <= s < b for a, b in taken) or not text[s].isupper() or _inside_place_name(text, s, m.end()):
            continue
        e = capture_forward(text, s, end)
        if e - s < _MIN_CAPTURE_CHARS:
            continue
        c = canonicalize(text[s:e])
        if c and c[2] != "province":
            out.append(UnitSpan(s, e, c[0], c[1], c[2]))
            taken = [*taken, (s, e)]
    return out


_NAME_BEFORE_RE = re.compile(r"(?:[A-ZĐ][\wÀ-ỹ]*\s+){1,3}$")


def _inside_place_name(text: str, start: int, end: int) -> bool:
    """Is the head word at text[start:end] the last syllable of a place's name ("Hải Phòng")?"""
    before = _NAME_BEFORE_RE.search(text, max(0, start - 40), start)
    if before is None:
        return False
    words = before.group().split()
    for k in range(len(words)):
        name = " ".join([*words[k:], text[start:end]])
        if lexicon().province(name) or places.is_district(name):
            return True
    return False


_PLACE_RE = re.compile(
    r"(?<![\w])(?P<kind>[Tt]ỉnh|[Hh]uyện|[Tt]hị xã|[Tt]hành phố|[Qq]uận|[Tt]hị trấn|[Pp]hường|[Xx]ã)\s+"
    r"(?P<name>[A-ZĐ0-9][\wÀ-ỹ]*(?:\s+(?:[-–]\s+)?[A-ZĐ0-9][\wÀ-ỹ]*){0,4})"
)
# kinds read only when the place is known: "Quận 1", "Thị trấn …" are rarer as units and their names
# ("quận" + number) look like other things
_KNOWN_ONLY = frozenset({"quận", "thị trấn"})


def place_units(text: str, start: int, end: int, taken: list[UnitSpan]) -> list[UnitSpan]:
    """Provinces, districts and communes acting as members of a cluster ("Tỉnh Đắk Lắk - Cụm trưởng"),
    outside named units.

    The name is the longest one extract.places knows for that kind ("Xã Đạo Trù Cụm trưởng" → "xã Đạo
    Trù"); a district or commune it does not know (renamed or merged away before its data) is kept as
    written.
    """
    out: list[UnitSpan] = []
    for m in _PLACE_RE.finditer(text, start, end):
        if any(u.start <= m.start() < u.end for u in taken):
            continue
        kind = m.group("kind").lower()
        known = places.longest_place(m.group("name"), kind)
        if kind == "tỉnh":
            p = places.province_named(known) if known else None
            if p is None:
                continue
            name, stop = f"tỉnh {p.name}", m.start("name") + len(known or "")
        elif known:
            name, stop = f"{kind} {known}", m.start("name") + len(known)
        elif kind in _KNOWN_ONLY or not m.group("name")[:1].isalpha():
            continue
        else:
            plain = re.match(r"[\wÀ-ỹ]+(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,3}", m.group("name"))
            name, stop = (
                f"{kind} {plain.group() if plain else m.group('name')}",
                m.start("name") + (plain.end() if plain else len(m.group("name"))),
            )
        out.append(UnitSpan(m.start(), stop, name, 0.6, "place"))
    for m in _BARE_PROVINCE_ROLE_RE.finditer(text, start, end):
        # "… do Đồng Nai làm Cụm trưởng": a province named bare holds the role of a cluster of provinces
        if any(u.start <= m.start() < u.end for u in taken + out):
            continue
        name = m.group("name")
        p = places.province_named(name) if name not in _BARE_NOT_A_PROVINCE else None
        if p is not None:
            out.append(UnitSpan(m.start("name"), m.end("name"), f"{kind_word(p)} {p.name}", 0.6, "place"))
    return out


# Bare, these name a person ("Lăng Chủ tịch Hồ Chí Minh") or a place in prose, not a province
_BARE_NOT_A_PROVINCE = frozenset({"Hồ Chí Minh", "Huế"})
_BARE_PROVINCE_ROLE_RE = re.compile(
    # a province's short form ("TP.HCM", "TP. Cần Thơ") or its bare name
    r"(?<![\wÀ-ỹ])(?P<name>TP\.?\s?[A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,2}"
    r"|[A-ZĐ][\wÀ-ỹ]*(?:(?:\s+|\s?[-–]\s?)[A-ZĐ][\wÀ-ỹ]*){0,3})"
    r"(?=\s+(?:làm|là|giữ vai trò)\s+(?:đơn vị\s+)?(?i:cụm|khối)\s+(?:trưởng|phó)"
    # "TP.HCM (cụm trưởng) là địa phương dẫn đầu": the role set aside in parentheses
    r"|\s*\(\s*(?:đơn vị\s+)?(?i:cụm|khối)\s+(?:trưởng|phó)\s*\))"
)


# the next bare place of a list, maybe after a parenthesis about the one before ("tỉnh A (đơn vị cụm
# trưởng) và B, C (đơn vị cụm phó)")
_NEXT_PLACE_RE = re.compile(
    r"(?:\s*\([^()]{0,60}\))?(?:\s*,\s*|\s+và\s+)"
    r"(?P<name>[A-ZĐ][\wÀ-ỹ]*(?:(?:\s+|\s?[-–]\s?)[A-ZĐ][\wÀ-ỹ]*){0,3})"
)


def province_continuations(text: str, units: list[UnitSpan]) -> list[UnitSpan]:
    """Bare provinces after a provincial unit, read as the same unit of each province.

    "Công an tỉnh Lạng Sơn, Cao Bằng và Hà Giang được tặng …": the unit word is said once.
    """
    lex = lexicon()
    out: list[UnitSpan] = []
    starts = {u.start for u in units}
    for u in units:
        m = re.match(r"^(.*?\S)\s+(?:tỉnh|thành phố)\s+(.+)$", u.canonical)
        place = re.match(r"^tỉnh\s+(.+)$", u.canonical)  # "tỉnh A, B": the provinces themselves
        if place and lex.province(place.group(1)):
            base = ""
        elif m and lex.province(m.group(2)) and _HEAD_RE.match(u.canonical):
            base = m.group(1) + " "
        else:
            continue
        pos = u.end
        while nm := _NEXT_PLACE_RE.match(text, pos):
            if nm.start("name") in starts:
                break
            # the longest run of capitalised words that names a province ("Hà Giang" in "Hà Giang Được")
            words = nm.group("name").split()
            found = next(
                ((k, p) for k in range(len(words), 0, -1) if (p := lex.province(" ".join(words[:k])))), None
            )
            if found is None:
                break
            k, prov = found
            end = nm.start("name") + len(" ".join(words[:k]))
            kind = kind_word(prov) if base else "tỉnh"
            out.append(UnitSpan(nm.start("name"), end, f"{base}{kind} {prov.name}", 0.8, "shared_province"))
            pos = end
    return out
