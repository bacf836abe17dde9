"""Leadership roles in one sentence: which unit is Khối trưởng or Khối phó, and for which year.

The unit is found next to the cue: right before it ("Sở Y tế – Khối trưởng"), after it ("Khối
trưởng năm 2017 là …"), or where the role is handed over ("bàn giao … cho …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from extract.record import RoleKind
from extract.units import TITLE_BEFORE_RE, TITLE_REACH, UnitSpan, canonicalize, capture_forward

ROLE_RE = re.compile(
    r"(?<![\w])(?P<role>(?:đơn vị\s+)?(?:(?:phó\s+(?:trưởng\s+)?(?:khối|cụm)(?:\s+trưởng)?)"
    r"|(?:khối|cụm)\s+phó"
    r"|(?:khối|cụm)\s+trưởng|trưởng\s+(?:khối|cụm)"
    # "Phó trưởng Khu vực thi đua": some sectors call their bloc a "khu vực thi đua"
    r"|(?:phó\s+)?trưởng\s+khu\s+vực(?=\s+thi\s+đua)"
    # "Thường trực Khối thi đua năm 2019": some provinces name the leader the bloc's standing member
    r"|(?<!cơ quan )(?<!đơn vị )thường\s+trực\s+(?:khối|cụm)(?=\s+thi\s+đua)))(?![\w])",
    re.IGNORECASE,
)
# A role's own year ("Khối trưởng năm 2024"), or the unit it is handed to ("… bàn giao nhiệm vụ Khối
# trưởng năm 2024 cho Sở Y tế"), is read within this many characters after the cue: the bloc's name
# may stand between, another clause's year may not.
_AFTER_CUE_REACH = 60
_ROLE_YEAR_RE = re.compile(
    rf"^[^.;,()]{{0,{_AFTER_CUE_REACH}}}?năm\s+((?:19|20)\d\d)(?!\s*[-–]\s*\d)", re.IGNORECASE
)
_SCHOOL_YEAR_RE = re.compile(rf"^[^.;()]{{0,{_AFTER_CUE_REACH}}}?năm học")
_HAND_TO_RE = re.compile(rf"^[^.;]{{0,{_AFTER_CUE_REACH}}}?\bcho\s+(?:đơn vị\s+|lãnh đạo\s+|đại diện\s+)?")
_TAKES_ROLE = (
    r"(?:được\s+(?:[^,.;]{0,30}?\s)?(?:phân công|bầu|giao|chọn|cử|suy tôn|thống nhất)(?:\s+(?:làm|là|giữ))?"
    r"|là|làm|sẽ là|tiếp tục là|tiếp tục làm|giữ|giữ vai trò|với vai trò(?: là)?"
    r"|đảm nhận|đảm nhiệm|(?:tiếp\s+)?nhận"
    r"|tiếp nhận)(?:\s+(?:vai trò|nhiệm vụ|chức))?(?:\s+(?:là|làm))?"
)
_TAKES_ROLE_RE = re.compile(_TAKES_ROLE, re.IGNORECASE)
_BEFORE_ROLE_RE = re.compile(
    rf"(?:\s*[(,–\-]\s*|\s+)(?:(?:là\s+)?đơn vị\s+)?(?:(?:luân phiên|chính thức)\s+)?(?:{_TAKES_ROLE}\s+)?"
    # "X là cơ quan đăng cai Trưởng khối năm 2024", "X là đơn vị thường trực Cụm trưởng"
    r"(?:(?:đơn vị|cơ quan)\s+(?:(?:đăng cai|thường trực)\s+)?)?$",
    re.IGNORECASE,
)
# "Đơn vị Khối phó năm nay là Trường Chính trị tỉnh", "Khối trưởng năm 2017 là Sở Y tế"
_ROLE_THEN_UNIT_RE = re.compile(
    r"^(?:\s+(?:thi\s+đua|của\s+(?:khối|cụm)))?(?:\s+năm\s+(?:nay|(?:19|20)\d\d))?"
    r"(?:\s+(?:là|thuộc về)\s+(?:đơn vị\s+)?"
    r"|\s*[–-]\s*(?:phó\s+)?(?:giám đốc|chủ tịch|trưởng ban|chánh văn phòng"
    r"|chánh thanh tra|viện trưởng|chánh án|cục trưởng|bí thư|hiệu trưởng|tổng biên tập)\s+)",
    re.IGNORECASE,
)
_TOPIC_YEAR_RE = re.compile(r"(?:^|[,:;]\s*|\s)năm\s+((?:19|20)\d\d)\s*,?\s*$", re.IGNORECASE)
# "Năm 2018, Sở Y tế là Khối trưởng": a year this close before the unit is the clause's topic
_TOPIC_YEAR_REACH = 40
# a verb of taking the role on ("được bầu", "bàn giao", "thống nhất") this close before the cue
# governs it: the role starts at this meeting, so the new term's year applies
_ELECTED_REACH = 80
# "Với vai trò", "Thay mặt đơn vị" right before the cue: the words and their spaces, nothing further
_CAPACITY_REACH = 20
_ELECT_RE = re.compile(
    r"bầu|sẽ là|bàn giao|chuyển giao|đảm nhận|đảm nhiệm|luân phiên|kế nhiệm|tiếp nhận|nhận nhiệm vụ"
    r"|trao cờ luân lưu"
    r"|thống nhất|nhất trí|phân công|suy tôn|giao\s+(?:cho|nhiệm vụ)",
    re.IGNORECASE,
)


_HANDS_ON_RE = re.compile(
    r"[^.;]{0,30}?\s[–-]\s*(?:đã\s+)?(?:bàn\s+giao|chuyển\s+giao)(?:\s+(?:nhiệm\s+vụ|cờ\s+luân\s+lưu)[^.;]{0,30}?)?"
    r"\s+cho\s+(?:đơn\s+vị\s+)?",
    re.IGNORECASE,
)


# How a role's unit was found; the role fact's rule is "role_pattern:<how>" (`thidua eval --by-rule`).
RoleHow = Literal[
    "unit_before",  # right before the cue: "Sở Y tế – Khối trưởng", "Sở Y tế (Khối trưởng)"
    "unit_takes_role",  # before the cue with a verb: "Sở Y tế là Khối trưởng", "… được bầu làm Khối trưởng"
    "person_between",  # "Giám đốc Sở Y tế Nguyễn Văn A – Khối trưởng": a person named between
    "unit_before_punct",  # only separators between: "Sở Y tế, (Khối trưởng"
    "in_capacity",  # "Với vai trò Khối phó …, Sở Y tế …", "Thay mặt đơn vị Khối trưởng, đại diện Sở …"
    "cue_then_unit",  # after the cue: "Khối trưởng năm 2024 là Sở Y tế", "Khối trưởng – Giám đốc Sở …"
    "given_to",  # handed to: "bàn giao nhiệm vụ Khối trưởng … cho Sở Y tế", "bầu … cho"
    "handed_from",  # who handed it over: "bàn giao Cụm trưởng từ A cho B" (A, the year before)
    "in_parentheses",  # listed before a role in parentheses: "A, B và C (cụm phó)"
    "handed_on",  # "A – Khối trưởng năm 2024 – bàn giao cho B" (B, the next year)
    "subject_carried",  # "A đạt …, đồng thời được bầu làm Khối phó": the sentence's subject
]


@dataclass(frozen=True, slots=True)
class RoleHit:
    unit: UnitSpan
    role: RoleKind
    # stated with the cue ("Khối trưởng năm 2017") or as the clause's topic ("Năm 2018, A là …")
    year: int | None
    elected: bool  # taken on at this meeting (bầu, phân công, bàn giao …): the new term's year applies
    cue_start: int
    cue_end: int
    this_year: bool = False  # "năm nay": the year the article reports
    how: RoleHow = "unit_before"


def find_roles(text: str, sent_start: int, sent_end: int, units: list[UnitSpan]) -> list[RoleHit]:
    """Roles in one sentence: the unit right before the cue, or after "cho"/"bầu"/"là" when handed over."""
    out: list[RoleHit] = []
    for m in ROLE_RE.finditer(text, sent_start, sent_end):
        cue = m.group("role").lower()
        if re.search(r"ban|phòng", text[m.end() : m.end() + 4].lower()):
            continue
        role: RoleKind = "khoi_pho" if "phó" in cue else "khoi_truong"
        after = text[m.end() : sent_end]
        ym = _ROLE_YEAR_RE.match(after)
        year = int(ym.group(1)) if ym else None
        if _SCHOOL_YEAR_RE.match(after) and not ym:
            year = -1  # a school year: no calendar year
        this_year = bool(re.match(r"^\s+năm\s+nay", after, re.I))
        before = _unit_before(text, m.start(), sent_start, units)
        unit: UnitSpan | None = before[0] if before else None
        how: RoleHow = before[1] if before else "unit_before"
        elected = bool(_ELECT_RE.search(text[max(sent_start, m.start() - _ELECTED_REACH) : m.start()]))
        if unit is None and re.search(
            r"(?:vai\s+trò(?:\s+là)?|thay\s+mặt(?:\s+đơn\s+vị)?)\s*$",
            text[max(sent_start, m.start() - _CAPACITY_REACH) : m.start()],
            re.I,
        ):
            # "Với vai trò Khối phó Khối III, Sở Y tế đã …", "Thay mặt đơn vị Khối phó, đại diện Trường …"
            # "…, đồng chí Giám đốc Sở Nội vụ đề nghị …": a person named by the unit's title
            comma = re.match(
                r"^[^,.;]{0,50},\s*(?:(?:đại diện|lãnh đạo|đồng chí|ông|bà)\s+)?"
                r"(?:(?:phó\s+)?(?:giám đốc|chủ tịch|trưởng|hiệu trưởng|viện trưởng|chánh án|bí thư"
                r"|cục trưởng)\s+)?",
                after,
                re.I,
            )
            if comma:
                unit, how = _unit_at(text, m.end() + comma.end(), sent_end, units), "in_capacity"
        if unit is None and _SUBJECTLESS_ELECTION_RE.search(text, sent_start, m.start()):
            # "A đạt thành tích …, được đề nghị tặng Bằng khen, đồng thời được bầu làm Khối phó": a
            # clause with no subject of its own goes on with the sentence's subject
            unit, how = _sentence_subject(text, sent_start, m.start(), units), "subject_carried"
            elected = True
        if unit is None:
            then = _ROLE_THEN_UNIT_RE.match(after)
            # "bàn giao nhiệm vụ Khối trưởng năm 2021 cho Sở Công Thương", "bầu … làm Khối trưởng"
            hand = _HAND_TO_RE.match(after)
            if then:
                unit, how = _unit_at(text, m.end() + then.end(), sent_end, units), "cue_then_unit"
            elif hand:
                unit, how = _unit_at(text, m.end() + hand.end(), sent_end, units), "given_to"
                elected = True
                # "bàn giao đơn vị Cụm trưởng năm 2023 từ A cho B": A held the role the year before
                frm = re.search(r"\btừ\s+(?:đơn vị\s+)?", after[: hand.end()])
                prev = _unit_at(text, m.end() + frm.end(), sent_end, units) if frm else None
                if unit is not None and prev is not None and prev.canonical != unit.canonical:
                    pyear = year - 1 if year and year > 0 else None
                    out.append(RoleHit(prev, role, pyear, False, m.start(), m.end(), False, "handed_from"))
        if unit is None:
            continue
        if year is None:
            topic = _TOPIC_YEAR_RE.search(text[max(sent_start, unit.start - _TOPIC_YEAR_REACH) : unit.start])
            year = int(topic.group(1)) if topic else None
        out.append(RoleHit(unit, role, year, elected, m.start(), m.end(), this_year, how))
        if _in_parentheses(text, m.start(), sent_start):
            # "tặng hoa A (đơn vị cụm trưởng) và B, C (đơn vị cụm phó)": the role is each listed unit's
            for u in _listed_before(text, unit, sent_start, units):
                out.append(RoleHit(u, role, year, elected, m.start(), m.end(), this_year, "in_parentheses"))
        # "Sở Xây dựng – Khối trưởng năm 2018 – bàn giao cho Sở Công Thương": the next holder takes over
        hand_on = _HANDS_ON_RE.match(text, m.end(), sent_end)
        if hand_on:
            nxt = _unit_at(text, hand_on.end(), sent_end, units)
            if nxt is not None and nxt.canonical != unit.canonical:
                nyear = year + 1 if year and year > 0 else None
                out.append(RoleHit(nxt, role, nyear, True, m.start(), m.end(), False, "handed_on"))
    # "A là Trưởng Khối, B là Phó Trưởng Khối năm 2018": one year for the whole coordination
    for i, h in enumerate(out):
        if h.year is None:
            dated = [o for o in [*out[i + 1 :], *reversed(out[:i])] if o.year and o.year > 0]
            # a sibling taken on the same way first ("bầu A …, B …"), else the nearest dated one
            sib = next((o for o in dated if o.elected == h.elected), dated[0] if dated else None)
            if sib:
                elected = h.elected or sib.elected
                out[i] = replace(h, year=sib.year, elected=elected)
    return out


# a passive election clause opened by a comma or "đồng thời", with no unit of its own before the cue
_SUBJECTLESS_ELECTION_RE = re.compile(
    r"[,;]\s*(?:(?:đồng\s+thời|và|cũng|tiếp\s+tục)\s+)*được\s+(?:[^,.;]{0,30}?\s)?"
    r"(?:bầu|phân\s+công|chọn|cử|suy\s+tôn)\s+(?:làm|là|giữ)(?:\s+(?:vai\s+trò|nhiệm\s+vụ|chức))?\s*$",
    re.IGNORECASE,
)
# a unit in subject position: a verb or the copula right after it
_SUBJECT_VERB_RE = re.compile(
    r"\s*(?:là|được|đã|đạt|cũng|đồng\s+thời|tiếp\s+tục|xếp|dẫn\s+đầu)(?!\w)", re.IGNORECASE
)


def _sentence_subject(text: str, floor: int, pos: int, units: list[UnitSpan]) -> UnitSpan | None:
    """The sentence's subject before `pos`: the last unit followed by its verb."""
    subjects = [
        u for u in units if floor <= u.start and u.end <= pos and _SUBJECT_VERB_RE.match(text, u.end, pos)
    ]
    return max(subjects, key=lambda u: u.start, default=None)


def _in_parentheses(text: str, pos: int, floor: int) -> bool:
    """Is `pos` inside an open parenthesis of its sentence?"""
    before = text[floor:pos]
    return before.rfind("(") > before.rfind(")")


_LIST_GAP_RE = re.compile(r"\s*(?:,|;|\svà|\s&)\s*")
_ROLE_PAREN_GAP_RE = re.compile(r"\s*(\([^()]*\))\s*(?:,|;|và|&)\s*")


def _listed_before(text: str, unit: UnitSpan, floor: int, units: list[UnitSpan]) -> list[UnitSpan]:
    """The units joined to `unit` by commas or "và" right before it, nearest first."""
    out: list[UnitSpan] = []
    cur = unit
    while True:
        prev = max((u for u in units if floor <= u.end <= cur.start), key=lambda u: u.end, default=None)
        if prev is None:
            return []
        if not _LIST_GAP_RE.fullmatch(text, prev.end, cur.start):
            # only a list set off by the role of the unit before it ("A (cụm trưởng) và B, C (cụm phó)");
            # "…, Sở Tư pháp và Thanh tra tỉnh (Khối phó)" gives the role to the last unit alone
            gap = _ROLE_PAREN_GAP_RE.fullmatch(text, prev.end, cur.start)
            return out if gap and ROLE_RE.search(gap.group(1)) else []
        out.append(prev)
        cur = prev


# "<chức vụ> <đơn vị> <Họ Tên> – Trưởng Khối": a person's name stands between the unit and the role
_PERSON_GAP_RE = re.compile(r"\s+[A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){1,4}\s*[,–\-]\s*(?:đơn vị\s+)?")


def _unit_before(text: str, pos: int, floor: int, units: list[UnitSpan]) -> tuple[UnitSpan, RoleHow] | None:
    """The unit a role cue at `pos` follows, and how it was found (None: no unit right before it)."""
    best: UnitSpan | None = None
    for u in units:
        if u.end <= pos and u.end >= floor:
            between = text[u.end : pos]
            if (
                _BEFORE_ROLE_RE.fullmatch(between)
                or (_BEFORE_ROLE_RE.search(between) and len(between) < 4)
                or re.fullmatch(r"\s*(?:\([^()]{0,40}\)\s*)?[(,–\-]?\s*(?:đơn vị\s+)?", between)
            ) and (best is None or u.end > best.end):
                best = u
    if best is not None:
        return best, "unit_takes_role" if _TAKES_ROLE_RE.search(text, best.end, pos) else "unit_before"
    for u in units:
        if (
            floor <= u.end <= pos
            and _PERSON_GAP_RE.fullmatch(text, u.end, pos)
            and TITLE_BEFORE_RE.search(text[max(floor, u.start - TITLE_REACH) : u.start])
        ):
            best = u
    if best is not None:
        return best, "person_between"
    # "Giám đốc Sở Y tế – Khối trưởng": a unit inside a person's title, right before the cue
    for u in units:
        gap = text[u.end : pos]
        if u.end <= pos and u.end >= floor and len(gap) <= 4 and re.fullmatch(r"[\s,–\-(]*", gap):
            best = u
    return (best, "unit_before_punct") if best is not None else None


def _unit_at(text: str, pos: int, limit: int, units: list[UnitSpan]) -> UnitSpan | None:
    for u in units:
        if u.start == pos or (u.start > pos and not text[pos : u.start].strip()):
            return u
    end = capture_forward(text, pos, limit)
    c = canonicalize(text[pos:end]) if end > pos else None
    return UnitSpan(pos, end, c[0], c[1], c[2]) if c else None
