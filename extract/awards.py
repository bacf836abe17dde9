"""Award outcomes in one sentence: which award, to whom, from whom, for which year, proposed or conferred.

A sentence is read clause by clause (";" and ", 02 đơn vị …" open a new clause). For each award
cue ("Cờ thi đua", "Bằng khen", "Cờ luân lưu", …):

* status: the governing verb of its clause decides ("đề nghị UBND tỉnh tặng" is a proposal even
  though it contains "tặng"); a clause with only a bare "tặng" continues the sentence's earlier verb;
* issuer: named after the cue ("của Chính phủ", "UBND tỉnh"), else the agent of the verb ("đề nghị
  Bộ Y tế tặng", "được Bộ Công an tặng", "UBND tỉnh trao"), else the agent of an earlier clause;
* recipients: a list after "cho"/"là"/":" ("Bằng khen cho 06 tập thể: A; B; …"), else the unbroken
  list of units right before the predicate ("A, B và C được suy tôn … đề nghị tặng Bằng khen");
  "các đơn vị còn lại" stands for the members not awarded before it (resolved in extract.outcomes);
* year: stated next to the cue or in its clause ("Cờ thi đua năm 2017"), else the reviewed year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from extract.guests import BlocKind, is_guest
from extract.lists import list_end, split_list
from extract.record import AwardKind, AwardStatus, Issuer
from extract.units import PERSON_TITLES, TITLE_BEFORE_RE, TITLE_REACH, UnitSpan

AWARD_RE = re.compile(
    r"(?<![\w])(?P<award>cờ\s+luân\s+lưu|cờ\s+thi\s+đua|bằng\s+khen|huân\s+chương(?:\s+lao\s+động)?|giấy\s+khen"
    r"|danh\s+hiệu\s+[“\"]?(?:tập thể lao động xuất sắc|tập thể lao động tiên tiến"
    r"|đơn vị tiên tiến|đơn vị quyết thắng)"
    r"|tập\s+thể\s+lao\s+động\s+(?:xuất\s+sắc|tiên\s+tiến)|đơn\s+vị\s+(?:tiên\s+tiến|quyết\s+thắng)"
    r"|cờ\s+truyền\s+thống"
    r"|(?:(?<=tặng\s)|(?<=trao\s)|(?<=giao\s))cờ(?!\s+(?:lưu niệm|thi đua|luân|truyền)))(?![\w])",
    re.IGNORECASE,
)
_PROPOSE_RE = re.compile(
    r"đề\s+nghị|suy\s+tôn|bình\s+xét|bỏ\s+phiếu|(?<!\w)trình\s+(?:lên\s+)?(?:UBND|Ủy ban|Thủ tướng|Chính phủ"
    r"|Bộ|Chủ tịch|cấp|Hội đồng|Ban|Trung ương)"
    r"|đề\s+xuất|xét\s+tặng|(?<!\w)bầu(?!\w)"
    r"|biểu\s+quyết|kiến\s+nghị",
    re.I,
)
_CONFER_RE = re.compile(
    r"(?<!\w)trao(?!\s+đổi)|được\s+(?:[^.;,]{0,40}?\s)?(?:tặng|trao|công\s+nhận|khen\s+thưởng)|đón\s+nhận"
    r"|(?<!\w)nhận(?!\s+(?:xét|thức|định|diện))|công\s+nhận|quyết\s+định\s+tặng|khen\s+thưởng",
    re.I,
)
_WEAK_RE = re.compile(r"(?<!\w)tặng(?!\w)", re.I)  # a bare "tặng" continues the clause before it
_ANY_VERB_RE = re.compile(
    rf"{_PROPOSE_RE.pattern}|{_CONFER_RE.pattern}|{_WEAK_RE.pattern}|đạt|giành|xứng\s+đáng", re.I
)
# "đề nghị UBND tỉnh tặng", "được Bộ Y tế tặng", "UBND tỉnh đã trao": the agent of the giving verb
_AGENT_RE = re.compile(
    r"(?:đề\s+nghị|được|do|(?<!công )trình)\s+(?P<agent>[^.;]{2,70}?)\s+(?:xét\s+)?"
    r"(?:tặng|trao|công\s+nhận|khen\s+thưởng|quyết\s+định)"
    r"|(?P<subject>(?:UBND|Ủy ban nhân dân|Chủ tịch|Bộ"
    r"|Thủ tướng|Chính phủ|Tổng|Trung ương|Ban Chấp hành)[^.;,]{0,60}?)"
    r"\s+(?:đã\s+|vừa\s+)?(?:trao|tặng|khen\s+thưởng)",
)
# Recipients are introduced ("cho", "là", "gồm", ":") within this many characters after the cue: room
# for the issuer and the year between ("Bằng khen của Chủ tịch UBND tỉnh năm 2024 cho …"), not for
# a later clause of the sentence.
_RECIPIENT_INTRO_REACH = 90
_RECIPIENT_INTRO_RE = re.compile(
    rf"^(?P<head>[^.;:]{{0,{_RECIPIENT_INTRO_REACH}}}?)(?:\s(?:cho|là|gồm)\s*:?\s*|\s*:\s*)"
    r"(?:(?:\d+|các)\s+(?:tập\s+thể|đơn\s+vị|cơ\s+quan)(?:[^.;:]{0,90}?)(?:\s(?:gồm|là)\s*:?\s*|\s*:\s*))?",
    re.I,
)
# the bloc leader's title, as a flag's handover names it
_LEADER_TITLE = r"(?:Thường\s+trực|[Kk]hối\s+trưởng|[Cc]ụm\s+trưởng|[Tt]rưởng\s+(?:[Kk]hối|[Cc]ụm))"
# a flag handed on with the leader's title is the bloc's rotating flag
_LEADER_FLAG_REACH = 80
_LEADER_FLAG_RE = re.compile(rf"^[^.;]*?(?:suy\s+tôn|cho|của)\s+{_LEADER_TITLE}(?!\w)")
# words between "cho" and the unit that stand for it: the leader's title ("Cụm trưởng năm 2010 là"), a
# person and their title ("đ/c Nguyễn Văn A - Cục trưởng")
_STAND_IN_RE = re.compile(
    rf"(?:{_LEADER_TITLE}"
    r"(?:\s+(?:[Kk]hối|[Cc]ụm)\s+thi\s+đua)?(?:\s+năm\s+(?:19|20)\d\d)?\s+(?:là\s+)?"
    r"|(?:đ/c|đồng\s+chí|ông|bà)\s+[A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){1,4}\s*[-–,]\s*"
    rf"(?:{PERSON_TITLES})\s+)",
    re.IGNORECASE,
)
_THIS_UNIT_RE = re.compile(r"(?:đơn\s+vị|cơ\s+quan)\s+(?:này|trên|nói\s+trên)(?!\w)", re.I)
_SAME_AS_BEFORE = UnitSpan(-1, -1, "", 0.0, "anaphora")  # "… cho đơn vị này": resolved to the last recipient
_REMAINING_RE = re.compile(r"(?:tất\s+cả\s+)?(?:các|những)\s+đơn\s+vị\s+còn\s+lại", re.I)
_CLAUSE_RE = re.compile(r";|,\s+(?=(?:\d+|các)\s+(?:đơn vị|tập thể|cơ quan)\s)")
_YEAR_RE = re.compile(r"năm\s+((?:19|20)\d\d)(?!\s*[-–]\s*\d)", re.IGNORECASE)
# An award's year is looked for up to this many characters after its cue (inside its clause): the
# issuer, a decision number and the recipients often stand between ("Cờ thi đua của Chính phủ theo
# Quyết định số … cho Sở Y tế năm 2023"). It grew from 60 to 120 to 240 as such sentences were read.
_YEAR_REACH = 240
# between two units of one unbroken list: separators, "và", a count phrase
_LIST_GAP_RE = re.compile(
    r"[\s,;:]*(?:(?:và|cùng)\s+)?(?:(?:\d+|các)\s+(?:đơn\s+vị|tập\s+thể|cơ\s+quan)[^.;:,]{0,30}?(?:\s(?:gồm|là))?\s*:?\s*)?",
    re.I,
)


# a negation or refusal right before the cue ("không nhận", "chưa được đề nghị", "xin rút"), within
# a few words: further back it governs another clause ("không ngừng phấn đấu" is not a negation)
_NEGATION_REACH = 30
_NEGATED_RE = re.compile(
    r"(?<!\w)(?:không(?!\s+(?:ngừng|chỉ))|chưa|xin\s+rút|từ\s+chối)(?!\w)[^.;,]{0,20}$", re.I
)


# How sure each way of finding a recipient is: named in a list after the cue ("cho A, B"), the
# unbroken list before the predicate ("A và B được tặng …"), or "các đơn vị còn lại" resolved
# against the members read elsewhere in the article.
CONF_AFTER_CUE = 0.85
CONF_BEFORE_PREDICATE = 0.75
CONF_REMAINING = 0.6


# How an award's recipients were found; the award fact's rule is "award_pattern:<how>", with
# ":stated_year" when the year is stated beside the award (`thidua eval --by-rule`).
RecipientHow = Literal[
    "after_cue",  # a list after "cho"/"là"/":": "Bằng khen cho 03 tập thể: A; B; C"
    "before_predicate",  # the unbroken list before the predicate: "A và B được tặng Cờ thi đua"
    "this_unit",  # "… cho đơn vị này": the last award's recipients, else the unit named just before
    "remaining",  # "các đơn vị còn lại": the members not awarded before (resolved in extract.outcomes)
    "lead_rank",  # the bloc votes a unit its leading unit: "X được bình xét xếp thứ nhất"
]


@dataclass(frozen=True, slots=True)
class AwardHit:
    recipient: UnitSpan | None  # None: "các đơn vị còn lại" (the caller resolves it)
    award: AwardKind
    issuer: Issuer | None
    year: int | None
    status: AwardStatus
    cue_start: int
    cue_end: int
    confidence: float
    stated_count: int | None = None
    year_stated: bool = False
    how: RecipientHow = "after_cue"


def award_kind(cue: str) -> AwardKind:
    c = cue.lower()
    if "luân" in c or "truyền thống" in c:  # the bloc's "cờ truyền thống" passes from leader to leader
        return "co_luan_luu"
    if c.startswith("cờ"):
        return "co_thi_dua"
    if "bằng" in c:
        return "bang_khen"
    if "huân" in c:
        return "huan_chuong"
    if "giấy" in c:
        return "giay_khen"
    return "danh_hieu"


def issuer_of(phrase: str) -> Issuer | None:
    """Issuer named in an award phrase or its agent ("của Chính phủ", "UBND tỉnh", "Bộ Y tế")."""
    p = phrase.lower()
    if re.search(r"thủ\s+tướng", p):
        return "thu_tuong"
    if re.search(r"chính\s+phủ", p):
        return "chinh_phu"
    if re.search(r"chủ\s+tịch\s+nước", p):
        return "other"
    if re.search(r"ubnd|ủy ban nhân dân|chủ tịch ubnd|chủ tịch ủy ban|cấp tỉnh", p):
        return "ubnd_tinh"
    if re.search(
        r"(?<!\w)bộ\s|tối cao|trung ương|tổng liên đoàn|tổng cục|(?<!\w)ngành|việt nam|(?<!\w)tw(?!\w)", p
    ):
        return "bo_nganh"
    if re.search(r"tỉnh ủy|thành ủy|huyện ủy|ban thường vụ|ban chấp hành đảng bộ", p):
        return "other"  # the Party committee's own certificates
    if re.search(r"(?:của|cho)\s+(?:khối|cụm)|(?<!\w)(?:khối|cụm)\s+thi\s+đua", p):
        return "khoi"
    if re.search(r"giám đốc|viện trưởng|vksnd|viện kiểm sát|tòa án|công an|sở\s|cục\s", p):
        return "other"
    return None


def find_awards(
    text: str,
    start: int,
    end: int,
    units: list[UnitSpan],
    gaz: list[UnitSpan],
    *,
    reviewed_year: int | None,
    bloc: BlocKind,
) -> list[AwardHit]:
    """Every award outcome stated in the sentence text[start:end]; guests of a bloc like `bloc`
    never receive one."""
    cues = [m for m in AWARD_RE.finditer(text, start, end) if not _is_title_list(text, m, start)]
    if not cues:
        return []
    bounds = [
        start,
        *(m.start() for m in _CLAUSE_RE.finditer(text, start, end) if not _in_parens(text, start, m.start())),
        end,
    ]
    out: list[AwardHit] = []
    prev_status: AwardStatus | None = None
    prev_agent_issuer: Issuer | None = None
    floor = start  # recipients before a cue never reach back past the previous cue's own words
    # hits of the cue before, when this cue is coordinated with it ("tặng Bằng khen và Cờ thi đua"): the
    # two share the verb and the recipients, which only one of them stands next to
    prev_hits: list[AwardHit] = []
    prev_waiting: AwardHit | None = None  # the cue before found no recipient of its own
    for i, m in enumerate(cues):
        coordinated = i > 0 and bool(_COORDINATED_GAP_RE.fullmatch(text, cues[i - 1].end(), m.start()))
        n_before = len(out)
        clause_s = max(b for b in bounds if b <= m.start())
        clause_e = min(b for b in bounds if b > m.start())
        nxt = cues[i + 1].start() if i + 1 < len(cues) else end
        zone_e = min(clause_e, nxt) if nxt > m.end() else clause_e
        kind = award_kind(m.group("award"))
        if m.group("award").lower() == "cờ" and _LEADER_FLAG_RE.search(
            text[m.end() : min(zone_e, m.end() + _LEADER_FLAG_REACH)]
        ):
            kind = "co_luan_luu"  # "trao Cờ … suy tôn Thường trực Khối thi đua năm 2019 cho …"
        before = text[max(clause_s, floor) : m.start()]
        status = _status(before, prev_status, text[start : m.start()])
        prev_status = status

        after = text[m.end() : zone_e]
        agent = _agent(before)
        issuer, agent_issuer = _issuer(after, agent, kind)
        if issuer is None and agent_issuer is None and prev_agent_issuer and not re.search(r"^\s*của", after):
            issuer = prev_agent_issuer  # "đề nghị UBND tỉnh tặng Cờ …; tặng Bằng khen cho …"
        prev_agent_issuer = agent_issuer or prev_agent_issuer

        year = _year(text, m, clause_s, zone_e)
        stated = year is not None
        if year is None and reviewed_year and kind != "huan_chuong":  # orders reward many years' work
            # the rotating flag goes to the bloc's leader for the coming year
            year = reviewed_year + 1 if kind == "co_luan_luu" else reviewed_year
        if _NEGATED_RE.search(text, max(clause_s, m.start() - _NEGATION_REACH), m.start()):
            floor = m.end()
            prev_hits, prev_waiting = [], None
            continue  # "từ chối nhận Bằng khen": a refusal is not an outcome
        recips, consumed, count = _after_recipients(text, m.end(), zone_e, nxt, gaz)
        conf = CONF_AFTER_CUE
        how: RecipientHow = "after_cue"
        if not recips and coordinated and prev_hits:
            # "A được đề nghị tặng Bằng khen và Cờ thi đua": the second award goes to the first's recipients
            for h in prev_hits:
                out.append(
                    replace(h, award=kind, cue_start=m.start(), cue_end=m.end(), issuer=issuer or h.issuer)
                )
            prev_hits = out[n_before:]
            floor = m.end()
            continue
        if not recips:
            if not _ANY_VERB_RE.search(before):
                floor = m.end()
                prev_waiting = _waiting(kind, issuer, year, status, m, stated) if not coordinated else None
                prev_hits = []
                continue  # "phấn đấu đạt Cờ thi đua" with no verb of giving or proposing: not an outcome
            recips = _before_recipients(text, max(floor, start), m.start(), units, bloc)
            conf, how = CONF_BEFORE_PREDICATE, "before_predicate"
            consumed = m.end()
        if recips and recips[0] is _SAME_AS_BEFORE:
            # the last award's recipients, else the unit named last before the cue
            last = [
                h.recipient
                for h in out
                if out and h.cue_start == out[-1].cue_start and h.recipient is not None
            ]
            recips = list(last) or _before_recipients(text, start, m.start(), units, bloc)[-1:]
            how = "this_unit"
        # "đề nghị Thủ tướng Chính phủ, UBND tỉnh tặng Cờ thi đua cho X": one award from each issuer
        issuers = (_co_issuers(agent) or [issuer]) if issuer == agent_issuer and issuer else [issuer]
        for r in recips:
            for iss in issuers:
                out.append(
                    AwardHit(
                        r,
                        kind,
                        iss,
                        year,
                        status,
                        m.start(),
                        m.end(),
                        conf if r else CONF_REMAINING,
                        count,
                        stated,
                        how if r else "remaining",
                    )
                )
        if coordinated and prev_waiting is not None and how == "after_cue":
            # "tặng Bằng khen và Cờ thi đua cho A": the first award goes to the second's recipients too
            w = prev_waiting
            for h in out[n_before:]:
                out.append(
                    replace(
                        h,
                        award=w.award,
                        cue_start=w.cue_start,
                        cue_end=w.cue_end,
                        year=w.year if w.year_stated else h.year,
                        year_stated=w.year_stated,
                        issuer=w.issuer or h.issuer,
                    )
                )
        prev_hits = out[n_before:]
        prev_waiting = None if prev_hits else _waiting(kind, issuer, year, status, m, stated)
        floor = max(consumed, m.end())
    return out


# between two coordinated award cues: a rank or year of the first, then "và", "," or "cùng"
_COORDINATED_GAP_RE = re.compile(
    r"(?:\s+hạng\s+\w+)?(?:\s+năm\s+(?:19|20)\d\d)?\s*(?:,|(?<!\w)và(?!\w)|(?<!\w)cùng(?!\w)|&)\s*", re.I
)


def _waiting(
    kind: AwardKind,
    issuer: Issuer | None,
    year: int | None,
    status: AwardStatus,
    m: re.Match[str],
    stated: bool,
) -> AwardHit:
    """A cue with no recipient of its own, kept for the coordinated cue after it."""
    return AwardHit(None, kind, issuer, year, status, m.start(), m.end(), CONF_AFTER_CUE, None, stated)


def find_declined(text: str, start: int, end: int, units: list[UnitSpan], bloc: BlocKind) -> list[UnitSpan]:
    """Units that decline an award ("A và B xin rút, không nhận Cờ thi đua …"): no outcome, but units
    of the bloc all the same (only its members are put forward for its awards)."""
    out: list[UnitSpan] = []
    for m in AWARD_RE.finditer(text, start, end):
        if not _NEGATED_RE.search(text, max(start, m.start() - _NEGATION_REACH), m.start()):
            continue
        out += [u for u in _before_recipients(text, start, m.start(), units, bloc) if u is not None]
    return out


def _is_title_list(text: str, m: re.Match[str], start: int) -> bool:
    # “Cờ thi đua”, “Bằng khen”, … quoted in a list of titles under discussion, not an outcome
    return (
        bool(re.search(r"[“\"]\s*$", text[max(start, m.start() - 2) : m.start()]))
        and "," in text[m.end() : m.end() + _TITLE_LIST_COMMA_REACH]
    )


# a quoted award title followed this closely by a comma is one item of a list of titles
# (“Cờ thi đua”, “Bằng khen”, …): the longest award name and its closing quote fit in it
_TITLE_LIST_COMMA_REACH = 25


def _in_parens(text: str, start: int, pos: int) -> bool:
    seg = text[start:pos]
    return seg.count("(") > seg.count(")")


_BARE_RECEIVE_RE = re.compile(r"(?<!\w)nhận(?!\s+(?:xét|thức|định|diện))(?!\w)", re.I)
# what makes a "nhận" an outcome rather than part of a proposal: it was handed over
_RECEIVED_RE = re.compile(r"được|đã|vinh\s+dự|(?<!\w)trao|đón\s+nhận|công\s+nhận|quyết\s+định", re.I)


def _status(before: str, prev: AwardStatus | None, sentence_before: str) -> AwardStatus:
    if prev and re.match(
        r"\W*(?:(?:và|cùng|đồng thời)\s+)?(?:đề\s+nghị\s+)?(?:tặng|trao|công\s+nhận)", before
    ):
        return prev  # "đề nghị … tặng Cờ cho A và công nhận danh hiệu … cho B": one proposal
    if prev == "proposed" and _BARE_RECEIVE_RE.search(before) and not _RECEIVED_RE.search(before):
        # "suy tôn A nhận Cờ thi đua …; B nhận Bằng khen …": a bare "nhận" goes on with the vote
        return prev
    if _PROPOSE_RE.search(before):
        return "proposed"
    if _CONFER_RE.search(before):
        return "conferred"
    if prev:
        return prev
    if _WEAK_RE.search(before):
        return "conferred"
    return "proposed" if _PROPOSE_RE.search(sentence_before) else "conferred"


# The issuer is named right after the cue, within this many characters ("Bằng khen của Chủ tịch Ủy
# ban nhân dân tỉnh"): the longest issuer's name, not the words of the rest of the clause.
_ISSUER_REACH = 70


def _agent(before: str) -> str:
    """The agent of the last giving verb before the cue ("đề nghị UBND tỉnh tặng" → "UBND tỉnh"), or ""."""
    agents = list(_AGENT_RE.finditer(before))
    return (agents[-1].group("agent") or agents[-1].group("subject") or "") if agents else ""


def _issuer(after: str, agent: str, kind: str) -> tuple[Issuer | None, Issuer | None]:
    """(issuer, the part of it that came from the verb's `agent` and may carry to later clauses)."""
    head = re.split(r"\s(?:cho|năm|gồm|là|về|vì|trong|tại)\s|[:;,(]", after, maxsplit=1)[0]
    head = head[:_ISSUER_REACH]
    named = issuer_of(head) if re.match(r"\s*(?:của\s+|do\s+|\w)", head) else None
    agent_issuer = issuer_of(agent) if agent else None
    if named:
        return named, None
    if kind == "co_luan_luu":
        return "khoi", None  # the bloc's own rotating flag, unless another issuer is named
    if agent_issuer:
        return agent_issuer, agent_issuer
    if kind == "danh_hieu":
        return "ubnd_tinh", None  # provincial titles ("Tập thể lao động xuất sắc") are the province's
    return None, None


def _co_issuers(agent: str) -> list[Issuer]:
    """The issuers coordinated in the agent of the giving verb ("Thủ tướng Chính phủ, UBND tỉnh tặng
    …", "Bộ Y tế và UBND tỉnh tặng …"), in order; empty unless there are two or more."""
    out: list[Issuer] = []
    for part in re.split(r",|\svà\s", agent):
        iss = issuer_of(part)
        if iss and iss not in out:
            out.append(iss)
    return out if len(out) >= 2 else []


def _year(text: str, m: re.Match[str], clause_s: int, zone_e: int) -> int | None:
    ym = _YEAR_RE.match(text, m.end() + 1, zone_e) or _YEAR_RE.search(
        text, m.end(), min(zone_e, m.end() + _YEAR_REACH)
    )
    if ym and not _in_period(text, ym):
        return int(ym.group(1))
    years = [y for y in _YEAR_RE.finditer(text, clause_s, m.start()) if not _in_period(text, y)]
    return int(years[-1].group(1)) if years else None


def _in_period(text: str, ym: re.Match[str]) -> bool:
    """ "từ năm 2017 đến năm 2021": a span of years, not one emulation year."""
    return bool(
        re.search(r"(?:từ|giai đoạn)\s*$", text[max(0, ym.start() - 12) : ym.start()], re.I)
        or re.match(r"\s*(?:đến|[-–])\s*(?:năm\s+)?(?:19|20)\d\d", text[ym.end() : ym.end() + 14], re.I)
    )


def _after_recipients(
    text: str, pos: int, zone_e: int, next_cue: int, gaz: list[UnitSpan]
) -> tuple[list[UnitSpan | None], int, int | None]:
    """Recipients listed after the cue; also where they end and the count the list states.

    A list announced by a colon or a count ("cho 4 đơn vị gồm: A; B; C") runs across ";" up to the
    next award; a plain "cho A" ends with its clause.
    """
    intro = _RECIPIENT_INTRO_RE.match(text[pos:zone_e])
    if not intro or re.search(r"(?<!\w)(?:đề nghị|tặng|trao)(?!\w)", intro.group("head")):
        return [], pos, None
    ls = pos + intro.end()
    # "cho Cụm trưởng năm 2010 là Sở X", "cho đ/c Nguyễn Văn A - Cục trưởng Cục Y": the unit follows
    stand_in = _STAND_IN_RE.match(text, ls, zone_e)
    if stand_in:
        ls = stand_in.end()
    count_m = re.search(r"(\d+)\s+(?:tập\s+thể|đơn\s+vị|cơ\s+quan)", intro.group(0))
    count = int(count_m.group(1)) if count_m else None
    if count or ":" in intro.group(0) or "gồm" in intro.group(0):
        zone_e = max(zone_e, next_cue)
    if _REMAINING_RE.match(text, ls):
        return [None], ls, None
    if _THIS_UNIT_RE.match(text, ls):
        return [_SAME_AS_BEFORE], ls, None
    le = list_end(text, ls, zone_e, gaz)
    items = split_list(text, ls, le, gaz)
    spans: list[UnitSpan | None] = [
        UnitSpan(it.start, it.end, it.canonical, it.confidence, it.rule) for it in items
    ]
    return spans, (items[-1].end if items else ls), count


# Recipients before the cue end at most this many characters before it: the predicate between ("…
# đã có thành tích xuất sắc, được Hội đồng thi đua đề nghị tặng …") fits, another clause does not.
_PREDICATE_REACH = 160


def _before_recipients(
    text: str, floor: int, cue: int, units: list[UnitSpan], bloc: BlocKind
) -> list[UnitSpan | None]:
    """The unbroken list of units nearest before the predicate that governs the cue."""
    if _REMAINING_RE.search(text, floor, cue):
        rm = list(_REMAINING_RE.finditer(text, floor, cue))[-1]
        if not any(rm.end() <= u.start < cue and _eligible(text, u, cue, bloc) for u in units):
            return [None]
    spans = {
        (u.start, u.end): u
        for u in units
        if floor <= u.start and u.end <= cue and _eligible(text, u, cue, bloc)
    }
    cands = sorted(spans.values(), key=lambda u: (u.start, -u.end))
    cands = [u for u in cands if not any(o is not u and o.start <= u.start and u.end <= o.end for o in cands)]
    if not cands:
        return []
    last = cands[-1]
    if len(text[last.end : cue]) > _PREDICATE_REACH or ";" in text[last.end : cue]:
        return []
    group = [last]
    for u in reversed(cands[:-1]):
        gap = text[u.end : group[0].start]
        if not _LIST_GAP_RE.fullmatch(gap):
            break
        group.insert(0, u)
    return list(group)


# the unit right before the cue receives it: "… được nhận", "… được tặng", "… nhận"
_RECEIVES_RE = re.compile(r"\s*(?:được\s+)?(?:nhận|tặng|trao|đón\s+nhận)(?:\s+(?:thưởng|tặng))?\s*$", re.I)


def _eligible(text: str, u: UnitSpan, cue: int, bloc: BlocKind) -> bool:
    """A unit before the cue can receive it unless it is the giver, a guest, a place or a person's title."""
    if is_guest(u.canonical, bloc):
        return False
    if re.search(r"(?:tại|ở)\s*$", text[max(0, u.start - 6) : u.start]) or TITLE_BEFORE_RE.search(
        text[max(0, u.start - TITLE_REACH) : u.start]
    ):
        return False
    between = text[u.end : cue]
    if re.search(
        r"đề\s+nghị\s+(?:(?:Viện trưởng|Chủ tịch|Bộ trưởng|Chánh án|Tổng Giám đốc|Giám đốc|Thống đốc)\s+)?$",
        text[max(0, u.start - 30) : u.start],
        re.IGNORECASE,
    ) and not _RECEIVES_RE.match(between):
        # "đề nghị Viện trưởng VKSND tối cao xem xét, trình …": asked to give, not a recipient;
        # "đề nghị Sở X được nhận Cờ …" names the recipient of the proposal
        return False
    # "được Bộ Công an tặng", "đề nghị Bộ Y tế tặng", "UBND tỉnh trao":
    # the agent gives, it does not receive
    return not re.match(
        r"\s*(?:đã\s+|vừa\s+|xét\s+)?(?:tặng|trao|công\s+nhận|khen\s+thưởng|quyết\s+định)(?!\w)", between
    )


# The bloc's vote for its leading unit is an outcome of its own ("other" in SCHEMA.md), proposed to the
# province: "X được các thành viên bình xét xếp thứ nhất", "bầu X là đơn vị dẫn đầu khối thi đua",
# "X (Cụm trưởng) là địa phương dẫn đầu cụm".
LEAD_RANK_RE = re.compile(
    r"(?<!\w)(?:xếp\s+(?:thứ\s+)?(?:nhất|1)(?![\w/])"
    r"|(?:là\s+)?(?:đơn\s+vị|địa\s+phương)\s+dẫn\s+đầu\s+(?:các\s+đơn\s+vị\s+trong\s+)?(?:khối|cụm)"
    # a headline "X dẫn đầu Khối thi đua …" or one that ends on "X dẫn đầu": led in what, the bloc
    r"|(?<=\s)dẫn\s+đầu\s+(?:khối|cụm)(?!\s+(?:về|trong))|(?<=\s)dẫn\s+đầu\s*$)",
    re.IGNORECASE,
)
# between the unit and the ranking: a parenthesis ("(Cụm trưởng)") and a short predicate, no new clause
_LEAD_RANK_GAP_RE = re.compile(r"\s*(?:\([^()]{0,40}\)\s*)?[^,;.()]{0,60}")
CONF_LEAD_RANK = 0.7


def find_lead_ranks(
    text: str, start: int, end: int, units: list[UnitSpan], *, reviewed_year: int | None, bloc: BlocKind
) -> list[AwardHit]:
    """The unit a sentence says the bloc ranks first or votes its leading unit, when the sentence gives
    no award for it: "suy tôn A là đơn vị dẫn đầu Khối, đề nghị tặng Cờ thi đua" is the flag's reason."""
    out: list[AwardHit] = []
    if AWARD_RE.search(text, start, end):
        return out
    for m in LEAD_RANK_RE.finditer(text, start, end):
        before = [
            u
            for u in units
            if start <= u.start and u.end <= m.start() and _eligible(text, u, m.start(), bloc)
        ]
        if not before:
            continue
        u = max(before, key=lambda x: (x.end, -x.start))
        if not _LEAD_RANK_GAP_RE.fullmatch(text, u.end, m.start()):
            continue
        out.append(
            AwardHit(
                u,
                "other",
                None,
                reviewed_year,
                "proposed",
                m.start(),
                m.end(),
                CONF_LEAD_RANK,
                how="lead_rank",
            )
        )
    return out
