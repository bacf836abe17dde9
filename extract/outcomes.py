"""What the meeting settled for the bloc's units: leadership roles and awards, as record facts.

extract.roles and extract.awards find role and award hits sentence by sentence; here each hit
gets its year, repeats are merged, "các đơn vị còn lại" is resolved to the members not awarded
before it, and role holders and award recipients join the members.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import partial

from extract import awards as aw
from extract import roles
from extract.guests import BlocKind, is_guest
from extract.lexicon import lexicon, ukey
from extract.meeting import Meeting
from extract.members import Members, add_member, member_for_province
from extract.record import AwardFact, Evidence, EvidenceMaker, Record, RoleFact
from extract.spanindex import SpanIndex
from extract.units import UnitSpan

_SENT_YEAR_RE = re.compile(r"^\W*(?:trong\s+)?năm\s+((?:19|20)\d\d)\s*,", re.I)

# A role is as sure as the unit it names, scaled into 0.15–0.95: a role cue next to a gazetteer
# name (0.95) is near certain (0.91), next to an open-class name (0.6) less so (0.63).
_ROLE_CONF_SCALE = 0.8
_ROLE_CONF_BASE = 0.15
# A role holder or an award recipient joins the members, less sure than a listed unit: a member list
# names the bloc's members, a role or an award names one unit the sentence may not tie to the bloc
ROLE_HOLDER_CONF = 0.85
AWARD_RECIPIENT_CONF = 0.65
# a unit that declines an award was put forward by its bloc, so it belongs to it; named with a negation,
# it is read less surely than a recipient
DECLINER_CONF = 0.65
# the holder of a handed-on rotating flag leads the bloc that year; no sentence says so in words
FLAG_HOLDER_CONF = 0.7


def read_roles(
    rec: Record,
    w: str,
    sentences: list[tuple[int, int]],
    units: list[UnitSpan],
    meeting: Meeting,
    members: Members,
    ev: EvidenceMaker,
    bloc: BlocKind,
) -> None:
    """Roles ("Khối trưởng năm 2026") with the year the sentence states, else the meeting's year.

    Role holders join the members, after the lists (whose readings take precedence).
    """
    reviewed, event_day = meeting.reviewed, meeting.day
    active_year = meeting.active_year
    seen_roles: set[tuple[str, str, int | None]] = set()
    seen_pairs: set[tuple[str, str]] = set()  # (unit, role) of seen_roles, without a scan of it per hit
    near = SpanIndex(units)
    for s, e in sentences:
        sy = _SENT_YEAR_RE.match(w[s:e])
        # a role's unit is in its sentence, or right after it past spaces ("… cho" at a window's end)
        reach = _after_spaces(w, e)
        for role_hit in roles.find_roles(w, s, e, near.within(s, reach)):
            if is_guest(role_hit.unit.canonical, bloc):
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
            if key in seen_roles or (not stated and key[:2] in seen_pairs):
                continue  # a later bare "Trưởng khối phát biểu" repeats the role already read
            seen_roles.add(key)
            seen_pairs.add(key[:2])
            role_conf = _ROLE_CONF_SCALE * role_hit.unit.confidence + _ROLE_CONF_BASE
            rec.roles.append(
                RoleFact(
                    ev(role_hit.unit.start, role_hit.cue_end),
                    role_conf,
                    f"role_pattern:{role_hit.how}",
                    unit=role_hit.unit.canonical,
                    role=role_hit.role,
                    year=year,
                )
            )
            add_member(
                members,
                role_hit.unit.canonical,
                ev(role_hit.unit.start, role_hit.unit.end),
                # never surer than the role it comes from: an open-class holder may be misread
                min(ROLE_HOLDER_CONF, role_conf),
                "role_holder",
                bloc,
            )


def read_awards(
    rec: Record,
    w: str,
    sentences: list[tuple[int, int]],
    units: list[UnitSpan],
    gaz: list[UnitSpan],
    reviewed: int | None,
    members: Members,
    ev: EvidenceMaker,
    bloc: BlocKind,
) -> None:
    """Awards, one per recipient, kind and issuer; recipients join the members.

    Read after the lists and roles: "các đơn vị còn lại" stands for the members not awarded before
    it. Flags an award whose stated count ("cho 03 tập thể") differs from the recipients read.
    """
    awarded = _Awarded()
    remaining: list[aw.AwardHit] = []
    hits_with_count: list[aw.AwardHit] = []
    near_units, near_gaz = SpanIndex(units), SpanIndex(gaz)
    for s, e in sentences:
        local_units, local_gaz = near_units.within(s, e), near_gaz.within(s, e)
        hits = aw.find_awards(w, s, e, local_units, local_gaz, reviewed_year=reviewed, bloc=bloc)
        hits += aw.find_lead_ranks(w, s, e, local_units, reviewed_year=reviewed, bloc=bloc)
        for u in aw.find_declined(w, s, e, local_units, bloc):
            add_member(
                members, u.canonical, ev(u.start, u.end), DECLINER_CONF * u.confidence, "award_decliner", bloc
            )
        for hit in hits:
            if hit.stated_count:
                hits_with_count.append(hit)
            if hit.recipient is None:
                remaining.append(hit)
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
                bloc,
            )
    for hit in remaining:  # "các đơn vị còn lại": the members not awarded before in the article
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
            unit = member_for_province(mf.unit, members)
            if short(ukey(unit)) not in got:
                _add_award(
                    rec,
                    awarded,
                    members,
                    hit,
                    unit,
                    None,
                    ev(hit.cue_start, hit.cue_end),
                    aw.CONF_REMAINING,
                    bloc,
                )
    by_cue = Counter(h.cue_start for h in hits_with_count)
    for cue, n in by_cue.items():
        stated_count = next(h.stated_count for h in hits_with_count if h.cue_start == cue)
        if stated_count != n:
            rec.flags.append(f"award_count_mismatch:{stated_count}!={n}")


class _Awarded(dict[tuple[str, str, str], AwardFact]):
    """Awards read so far by (recipient key, kind, issuer), also listed by (recipient key, kind) in the
    order read: `_add_award` looks a recipient's award up there instead of scanning every award."""

    def __init__(self) -> None:
        super().__init__()
        self.by_pair: dict[tuple[str, str], list[tuple[str, AwardFact]]] = {}

    def __setitem__(self, key: tuple[str, str, str], fact: AwardFact) -> None:
        pair = self.by_pair.setdefault(key[:2], [])
        if key in self:
            pair[[iss for iss, _ in pair].index(key[2])] = (key[2], fact)
        else:
            pair.append((key[2], fact))
        super().__setitem__(key, fact)


def _after_spaces(w: str, pos: int) -> int:
    """The first position at or after `pos` that is not a space (or the end of `w`)."""
    m = _SPACES_RE.match(w, pos)
    return m.end() if m else pos


_SPACES_RE = re.compile(r"\s*")


def _short_key(key: str, *, full: dict[str, set[str]]) -> str:
    """`key` without its province, unless members differ only by province (`full`)."""
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


# the suffix of an award fact's rule whose year is stated beside the award, not the reviewed year
_STATED_YEAR = ":stated_year"


def _add_award(
    rec: Record,
    awarded: _Awarded,
    members: Members,
    hit: aw.AwardHit,
    recipient: str,
    unit_ev: Evidence | None,
    cue_ev: Evidence,
    conf: float,
    bloc: BlocKind,
) -> None:
    """Record one award to `recipient`, or complete the one already recorded."""
    recipient = member_for_province(recipient, members)
    if is_guest(recipient, bloc):
        return
    # one award per recipient, kind and issuer:
    # "Cờ thi đua của UBND tỉnh" and "Cờ thi đua của Chính phủ" are two
    k = (ukey(recipient), hit.award, hit.issuer or "")
    old = awarded.get(k) or next(
        (a for iss, a in awarded.by_pair.get(k[:2], []) if not iss or not hit.issuer),
        None,
    )
    if old is not None:
        if old.issuer is None and hit.issuer:
            old.issuer = hit.issuer
        if hit.year_stated and old.year != hit.year and not old.rule.endswith(_STATED_YEAR):
            old.year = hit.year  # a headline's bare "đón nhận Cờ thi đua" is dated by the body
            old.rule += _STATED_YEAR
        return
    rule = f"award_pattern:{hit.how}" + (_STATED_YEAR if hit.year_stated else "")
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
        add_member(members, recipient, unit_ev, AWARD_RECIPIENT_CONF, "award_recipient", bloc)


def date_rotating_flags(rec: Record) -> None:
    """A rotating flag with no year is the one its recipient holds as Khối trưởng of a stated year;
    then flag any award still without a year.

    Read after roles and awards: "năm 2019 Liên đoàn Lao động tỉnh nhận nhiệm vụ Khối trưởng … trao Cờ
    luân lưu cho Liên đoàn Lao động tỉnh" dates the flag 2019 even at a pact meeting that reviews no year.
    """
    leaders = {ukey(r.unit): r.year for r in rec.roles if r.role == "khoi_truong" and r.year}
    for a in rec.awards:
        if a.award == "co_luan_luu" and a.year is None and ukey(a.recipient) in leaders:
            a.year = leaders[ukey(a.recipient)]
    led_years = {r.year for r in rec.roles if r.role == "khoi_truong"}
    for a in rec.awards:
        if a.award == "co_luan_luu" and a.status == "conferred" and a.year and a.year not in led_years:
            # the rotating flag is handed to the bloc's leader of its year: its holder leads the bloc
            rec.roles.append(
                RoleFact(
                    a.evidence,
                    min(a.confidence, FLAG_HOLDER_CONF),
                    "rotating_flag_holder",
                    unit=a.recipient,
                    role="khoi_truong",
                    year=a.year,
                )
            )
            led_years.add(a.year)
    if any(a.year is None for a in rec.awards):
        rec.flags.append("award_without_year")  # once every award has the year it will get
