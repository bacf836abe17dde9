"""Bloc and cluster names ("Khối thi đua số 6", "Cụm thi đua các huyện phía Nam", "Khối VI").

False hits are rejected: "Đảng ủy Khối …" (a party committee), "khối lượng", "khối đại đoàn kết",
a building's "Khối 4". `bloc_facts` turns an article's mentions into its record's blocs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from extract.lexicon import ukey
from extract.record import BlocFact, EvidenceMaker
from extract.units import starts_with_head

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
_NAME_STOP = (
    # an abbreviation set aside in parentheses goes on with the name: "Ban Quản lý khu công nghiệp (KCN), …"
    r"(?=\s*(?:[.;:“”\"]|(?<!\([A-ZĐ]{2})(?<!\([A-ZĐ]{3})(?<!\([A-ZĐ]{4})(?<!\([A-ZĐ]{5})\)"
    r"|\((?![A-ZĐ]{2,5}\))|,(?!\s*(?i:ngành|ban|xã hội|khu vực|khu\s|miền|đoàn thể"
    r"|thành phố|thị xã|huyện|quận|phường|xã|thị trấn"
    r"|mặt trận|mttq|cao đẳng|đại học|trung cấp|doanh nghiệp|viện|hội|thành(?=\s+[a-zđ])"
    # sector nouns coordinated inside a name ("… quản lý nhà nước về kinh tế, kỹ thuật")
    r"|kỹ thuật|kinh tế|văn hóa|nội chính|tổng hợp|dịch vụ|thương mại|giáo dục|y tế|khoa học))"
    r"|\s[-–]\s*(?:khối|cụm)\s|$|\n"
    r"|(?<!các)\stổ chức(?=\s*$|\s*[\n.,;]"
    r"|\s+(?:[A-ZĐ]|hội|lễ|họp|kiểm|buổi|các hoạt|giao|ký|tổng|sơ|triển|phát))"
    r"|\s(?:đã|đang|vừa|ký|tổng kết|sơ kết"
    r"|triển khai|gồm|bao gồm|có(?!\s+tính\s+chất)|là|do|được|năm\s+\d+|năm học|hỗ trợ|phối hợp|trao|tặng"
    r"|chúc mừng|phát biểu"
    r"|biểu dương|đánh giá|ghi nhận|đề nghị|mong muốn|bởi|mang|chủ trì|đồng chủ trì|họp|làm việc|kiểm tra"
    r"|tại|với|trong|thực hiện|tiến hành|bàn giao|chuyển giao|đến|tham gia|diễn ra"
    r"|cho|và\s+(?:các(?!\s+(?:đoàn thể|tổ chức|hội))|ban|đại)|hội nghị"
    r"|phát động|thống nhất|nhất trí|luôn|cũng|nhằm|của\s+tỉnh|6 tháng|gửi|bỏ phiếu|suy tôn|hiện nay)(?!\w)))"
)
# A bloc's name runs at most this many characters after "Khối"/"Cụm" before a stop word ends it:
# long sector names fit ("Khối thi đua các đơn vị sự nghiệp, doanh nghiệp và tổ chức hội của tỉnh")
_MAX_NAME_CHARS = 140
_BLOC_RE = re.compile(
    r"(?<![\w])(?P<head>[Kk]hối|[Cc]ụm|KHỐI|CỤM)(?P<tail>(?:\s+(?:giao ước\s+)?thi đua)?(?:\s+cấp tỉnh)?"
    r"(?:\s+(?:số\s+|thứ\s+)?(?P<num>\d{1,2}|[IVXL]{1,5})(?![\w/]))?"
    rf"(?:(?<=\d)|(?<=[IVXL])|(?<=đua))?[^\n]{{0,{_MAX_NAME_CHARS}}}?)" + _NAME_STOP,
)
_FALSE_BEFORE_RE = re.compile(
    r"(đảng ủy|đảng bộ|đoàn|công đoàn|chi bộ|tầng \d+,?|nhà|dãy)\s*$", re.IGNORECASE
)
_FALSE_AFTER_RE = re.compile(
    r"^\s*(lượng|u\b|đại đoàn kết|dân vận|doanh nghiệp|các cơ quan(?! tham mưu)|cơ quan và doanh nghiệp"
    r"|kiến thức|óc|băng|công nghiệp|dân cư|chuyên môn|đồng bào|nhà|phố)",
    re.IGNORECASE,
)
_NAMED_RE = re.compile(
    r"^\s*(thi đua|giao ước|số|thứ|\d|[IVXL]+\b|các\s|cơ quan|nội chính|an ninh|anninh|annd|mttq|mặt trận"
    r"|sự nghiệp|văn hóa|kinh tế|tham mưu|đảng|doanh nghiệp|dịch vụ|trường|hội|chi cục|sở|ngành|đoàn thể)",
    re.IGNORECASE,
)
_MILITARY_RE = re.compile(
    r"\s*(?:của|thuộc)\s+(?:Quân\s+khu|Quân\s+đoàn|Bộ\s+Tư\s+lệnh|Sư\s+đoàn|Binh\s+đoàn|Quân\s+chủng|Binh\s+chủng"
    r"|Bộ\s+Quốc\s+phòng|Tổng\s+cục\s+(?:Chính\s+trị|Hậu\s+cần|Kỹ\s+thuật))",
    re.IGNORECASE,
)
# counts written as words, which open a bloc's name as digits do ("Cụm thi đua năm thành phố")
COUNT_WORDS = r"(?:hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)"
_NAME_WORD_RE = re.compile(
    r"(?:các|cơ quan|nội chính|an ninh|mttq|mặt trận|sự nghiệp|văn hóa|kinh tế|tham mưu|đảng|doanh nghiệp"
    r"|dịch vụ|trường|hội|chi cục|sở|ngành|đoàn thể|số|thứ|cấp|khối|cụm|khu vực|tổng hợp|quản lý|nông"
    # "Cụm thi đua quận, huyện", "Khối thi đua xã, phường": a bloc of the places of one level
    r"|(?:quận|huyện|thị xã|xã|phường)\s*,"
    r"|tài chính"
    r"|xã hội"
    r"|y tế|giáo dục|tư pháp|đặc thù|phía|miền|vùng|\d|[ivxl]+\b"
    # "Khối thi đua công tác Đảng", "Khối thi đua tổ chức chính trị - xã hội", "Khối thi đua ngân hàng"
    r"|công tác|tổ chức (?:chính trị|xã hội|đoàn thể|hội)|chính trị|ngân hàng|bảo hiểm|thuế|hải quan"
    r"|kho bạc|công an|quân sự|tư pháp|thanh tra|lao động|nông nghiệp|giao thông|xây dựng|công thương"
    # a count written as a word: "Cụm thi đua năm thành phố trực thuộc Trung ương", "… bảy tỉnh …"
    rf"|{COUNT_WORDS}\s+(?:tỉnh|thành\s+phố|TP|huyện|quận|đơn\s+vị|sở))",
    re.IGNORECASE,
)
# "… của Quân khu 3" right after a bloc's name (within this many characters) makes it an army bloc
_MILITARY_REACH = 40
# an article that only ever says "Khối thi đua" has its bloc when it says so at least this often;
# once may be a passing mention of blocs in general
_MIN_GENERIC_MENTIONS = 2
_GENERIC_BLOC_RE = re.compile(r"(?<![\wÀ-ỹ])(?:[Kk]hối|[Cc]ụm)\s+[Tt]hi\s+đua(?![\wÀ-ỹ])")
_GENERIC_RE = re.compile(r"^(khối|cụm)(\s+thi đua)?(\s+(này|trưởng|phó))?$", re.IGNORECASE)


@dataclass(slots=True)
class BlocMention:
    start: int
    end: int
    name: str
    number: str | None
    cluster: bool


@dataclass(slots=True)
class BlocGroup:
    mentions: list[BlocMention] = field(default_factory=list)

    @property
    def number(self) -> str | None:
        nums = [m.number for m in self.mentions if m.number]
        return max(set(nums), key=nums.count) if nums else None


def roman(value: str) -> int | None:
    """Read a Roman numeral (I–L); None if it is not one."""
    if not value or any(c not in _ROMAN for c in value):
        return None
    total = 0
    for a, b in zip(value, [*value[1:], "I"], strict=True):
        total += (
            -_ROMAN[a]
            if (_ROMAN[a] < _ROMAN[b] and b != value[-1:]) or (_ROMAN[a] < _ROMAN[b] and len(value) == 2)
            else _ROMAN[a]
        )
    return total if total > 0 else None


# "Cụm Đoàn thanh niên các tỉnh, thành …", "Khối Công an các huyện": a bloc named by the kind of unit
# each of its places sends
_UNITS_OF_PLACES_RE = re.compile(
    r"\s+(?P<unit>[A-ZĐ][^,;:.()]{1,40}?)\s+các\s+(?:tỉnh|huyện|quận|thành\s+phố)"
)


def _units_of_places(tail: str) -> bool:
    m = _UNITS_OF_PLACES_RE.match(tail)
    return bool(m and starts_with_head(m.group("unit"), 0))


def find_mentions(text: str, start: int = 0, end: int | None = None) -> list[BlocMention]:
    """Every plausible bloc or cluster mention between start and end."""
    end = len(text) if end is None else end
    out: list[BlocMention] = []
    pos = start
    while (m := _BLOC_RE.search(text, pos, end)) is not None:
        # a rejected match ("Khối trưởng Khối thi đua …") must not hide a bloc name inside it
        pos = m.start() + 1
        before = text[max(0, m.start() - 15) : m.start()]
        tail = m.group("tail")
        if _FALSE_BEFORE_RE.search(before) or _FALSE_AFTER_RE.match(tail):
            continue
        if not _NAMED_RE.match(tail) and not _units_of_places(tail):
            continue
        head = m.group("head")
        if head.islower() and not re.match(r"\s+(giao ước\s+)?thi đua|\s+(số\s+)?\d", tail):
            continue
        name = re.sub(r"\s+", " ", (head + tail).strip(" ,-–"))
        name = re.sub(r"\s+(?:số|thứ)$", "", name)  # "Khối thi đua số" with its number lost
        # "Khối thi đua thăm và chúc mừng …": a verb after "thi đua" is the sentence, not the name
        after = re.match(r"(?i)(?:khối|cụm)(?:\s+giao ước)?\s+thi đua\s+(?P<w>\S+)", name)
        if after and after.group("w")[:1].islower() and not _NAME_WORD_RE.match(name, after.start("w")):
            name = name[: after.start("w")].rstrip()
        if re.fullmatch(r"(?i)(khối|cụm)( thi đua)?( (các|của)( \w+)?)?", name) and not re.search(
            r"các [A-ZĐ]", name
        ):
            continue
        pos = m.start() + len(name)
        if _MILITARY_RE.match(text, pos, min(end, pos + _MILITARY_REACH)) or re.search(
            _MILITARY_RE.pattern, name, re.IGNORECASE
        ):
            continue  # "Khối thi đua số 5 của Quân khu 3": an army bloc, not the province's
        num = m.group("num")
        if num is None:
            # "Khối thi đua Công nghiệp - Xây dựng 2", "Khối thi đua ngân hàng II"
            trailing = re.search(r"\s(\d{1,2}|[IVXL]{1,5})$", name)
            if trailing and not re.search(r"\d\s+tỉnh", name):
                num = trailing.group(1)
        elif not re.search(r"(?:số|thứ)\s+$", text[m.start() : m.start("num")]) and re.match(
            r"\s*(tỉnh|huyện|đơn vị|sở|thành viên)", text[m.end("num") : m.end("num") + 12]
        ):
            # "Cụm thi đua 5 tỉnh Tây Nguyên": a count, not a number; "số 2 tỉnh Yên Bình" stays a number
            num = None
        if num and not num.isdigit():
            r = roman(num)
            num = str(r) if r else None
        out.append(BlocMention(m.start(), m.start() + len(name), name, num, head.lower() == "cụm"))
    return out


def group_mentions(mentions: list[BlocMention]) -> list[BlocGroup]:
    """Group the mentions of one article into blocs: by number, unnumbered names join the first."""
    groups: list[BlocGroup] = []
    by_num: dict[str, BlocGroup] = {}
    unnumbered: list[BlocMention] = []
    for m in mentions:
        if _GENERIC_RE.match(m.name):
            continue
        if m.number:
            g = by_num.get(m.number)
            if g is None:
                g = by_num[m.number] = BlocGroup()
                groups.append(g)
            g.mentions.append(m)
        else:
            unnumbered.append(m)
    if unnumbered:
        if groups:
            groups[0].mentions.extend(unnumbered)
        else:
            groups.append(BlocGroup(unnumbered))
    return groups


def best_name(group: BlocGroup) -> str:
    """The fullest name: prefer "thi đua" names, then length."""

    def score(m: BlocMention) -> tuple[int, int]:
        return (int("thi đua" in m.name.lower()) + int(m.name[:1].isupper()), len(m.name))

    return max(group.mentions, key=score).name


# a numbered bloc in the article's URL slug: ".../cum-thi-dua-so-3-ky-ket-…"
_SLUG_BLOC_RE = re.compile(r"(?<![a-z])(khoi|cum)-thi-dua-so-0?(\d{1,2})(?!\d)")
# a bloc read from the URL alone has no sentence behind it
SLUG_BLOC_CONF = 0.6


def bloc_facts(
    w: str, sentences: list[tuple[int, int]], ev: EvidenceMaker, url: str | None = None
) -> list[BlocFact]:
    """One fact per bloc the article names, with the other names it uses as aliases; a bloc the text
    names without its number ("Khối Thi đua") takes the number its URL slug gives."""
    out = _text_bloc_facts(w, sentences, ev)
    slug = _SLUG_BLOC_RE.search(unquote(urlsplit(url).path).lower()) if url else None
    if slug is None or any(b.number for b in out) or len(out) > 1:
        return out
    head, number = ("Khối" if slug.group(1) == "khoi" else "Cụm"), slug.group(2)
    name = f"{head} thi đua số {number}"
    if out:  # the one bloc the text names without a number is the slug's
        b = out[0]
        aliases = sorted({*b.aliases, b.name} - {name}, key=len, reverse=True)
        out[0] = BlocFact(
            b.evidence, b.confidence, f"{b.rule}+url_slug", name=name, number=number, aliases=aliases
        )
    else:
        out.append(BlocFact(None, SLUG_BLOC_CONF, "url_slug", name=name, number=number, aliases=[]))
    return out


def _text_bloc_facts(w: str, sentences: list[tuple[int, int]], ev: EvidenceMaker) -> list[BlocFact]:
    out: list[BlocFact] = []
    mentions = [m for s, e in sentences for m in find_mentions(w, s, e)]
    groups = group_mentions(mentions)
    for g in groups:
        name = best_name(g)
        aliases = sorted({m.name for m in g.mentions if ukey(m.name) != ukey(name)}, key=len, reverse=True)
        first = g.mentions[0]
        out.append(
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
        if len(generic) >= _MIN_GENERIC_MENTIONS:
            g0 = generic[0]
            name = re.sub(r"\s+", " ", g0.group(0))
            out.append(
                BlocFact(
                    ev(g0.start(), g0.end()),
                    0.5,
                    "bloc_generic",
                    name=name[0].upper() + name[1:],
                    number=None,
                    aliases=[],
                )
            )
    return out
