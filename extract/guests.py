"""Who attends or rewards a bloc without belonging to it: the guests (UBND tỉnh, Ban TĐKT, Tỉnh ủy, …).

Whether a body is a guest depends on the kind of bloc the article is about: in a cluster of
provinces "UBND tỉnh Gia Lai" is a member, and in a bloc of ministries so is "Bộ Tư pháp". That kind
is read per article (extract.pipeline keeps it on the Article) and passed in as a `BlocKind`:
nothing about one article lives in this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.lexicon import lexicon, ukey


@dataclass(frozen=True, slots=True)
class BlocKind:
    """What the article's bloc is made of, as far as telling members from guests needs.

    Starts as an ordinary bloc of provincial bodies; the member lists and the bloc's name can
    change it (see extract.members).
    """

    # a cluster of provinces: its provinces' People's Committees are members, not guests
    provinces_are_members: bool = False
    # a bloc of ministries ("Khối các Bộ, ngành …"): its ministries are members, not guests
    ministries_are_members: bool = False


# A guest body's key ("ubnd") covers it named with up to this many more words, its place ("ubnd tinh
# son la"); a longer name that starts the same way names another body, not the guest itself.
_GUEST_TAIL_WORDS = 3
_GUEST_KEYS = (
    "ban thi dua khen thuong",
    "hoi dong thi dua khen thuong",
    "phong thi dua khen thuong",
    "uy ban nhan dan",
    "ubnd",
    "hoi dong nhan dan",
    "tinh uy",
    "ban thuong vu",
    "thu tuong chinh phu",
    "chinh phu",
    "vien kiem sat nhan dan toi cao",
    "toa an nhan dan toi cao",
)


_MINISTRY_RE = re.compile(
    r"(?:van phong )?bo (?:noi vu|tu phap|tai chinh|cong thuong|y te|giao duc|lao dong|van hoa|khoa hoc"
    r"|thong tin|xay dung|giao thong|nong nghiep|tai nguyen|ke hoach|ngoai giao|dan toc|ngoai vu)"
    r"(?: \w+){0,6}$"
)


def is_ministry(canonical: str) -> bool:
    """A ministry ("Bộ Tài chính"), not a provincial command ("Bộ Chỉ huy Quân sự tỉnh")."""
    return bool(_MINISTRY_RE.match(ukey(canonical)))


# central bodies other than ministries that sit in blocs of ministries ("Khối các bộ, ngành Nội chính")
_CENTRAL_BODIES = frozenset(
    {"vien kiem sat nhan dan toi cao", "toa an nhan dan toi cao", "thanh tra chinh phu"}
)


def is_guest(canonical: str, bloc: BlocKind) -> bool:
    """Bodies that attend or give awards but are not members of a bloc like `bloc`."""
    k = ukey(canonical)
    if bloc.provinces_are_members and re.match(r"(?:uy ban nhan dan|ubnd) \w", k):
        lex = lexicon()
        words = k.split()
        if any(lex.province(" ".join(words[i:])) for i in range(3, len(words))):
            return False
    if lexicon().unit_types.get(canonical, "").endswith("_khach") or k in ("uy", "thanh uy"):
        return True  # typed as a guest body in the gazetteer (Ban TĐKT, Tỉnh ủy)
    if k in ("uy ban nhan dan thanh pho", "ubnd thanh pho"):
        return True  # the city's own People's Committee; "UBND thành phố Bắc Kạn" (a town) is a member
    if _MINISTRY_RE.match(k) and not bloc.ministries_are_members:
        # a ministry ("Bộ Tư pháp") steers or rewards a bloc; its provincial offices are the members
        return True
    if bloc.ministries_are_members and k in _CENTRAL_BODIES:
        return False  # in a bloc of central bodies the supreme court and procuracy are members too
    return any(
        k == g or (k.startswith(g + " ") and len(k.split()) <= len(g.split()) + _GUEST_TAIL_WORDS)
        for g in _GUEST_KEYS
    ) and not (
        k.startswith("van phong")
        or k.startswith("uy ban nhan dan huyen")
        or k.startswith("uy ban nhan dan thi")
        or k.startswith("uy ban nhan dan thanh pho")
        or k.startswith("uy ban nhan dan quan")
    )
