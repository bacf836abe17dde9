"""Near-duplicate detection on clean article text: MinHash over word shingles, banded for lookup.

Syndicated copies of an article on other sites (portals.md §4.12) differ from the original in
a title prefix, a "Nguồn: …" line, a dropped author line, a word changed here and there: an exact
hash of the text misses them. Two texts are near-duplicates when at least `MIN_RESEMBLANCE` of
their three-word shingles are common to both (the Jaccard index). To find candidates among every
stored article without comparing texts, each text gets a MinHash signature of `BANDS` x `ROWS`
values, stored as `BANDS` band hashes (`ArticleBand`): two texts of resemblance s share at least
one band with probability 1 - (1 - s^ROWS)^BANDS (0.996 at s = 0.7, under 0.01 at s = 0.1).
Candidates are then checked on the texts themselves (`near_duplicate`): the resemblance, and the
numbers, since two articles made from one template share almost every shingle.

Why not a simhash (trafilatura 2.3's `deduplication.Simhash`, or one over shingles): a simhash
lookup is exhaustive only up to a few differing bits, and a copy with a dropped paragraph is
further away than that; measured on the 218 texts of the mock and dev corpora (README, "Canonical
URLs and duplicates"), trafilatura's simhash puts 66 % of such copies within 3 bits, a shingle
simhash 37 %, and these bands find 205 of 205 (2 of 23,653 unrelated pairs are candidates, both
refused by `resemblance`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from hashlib import blake2b
from typing import Final

BANDS: Final = 20
ROWS: Final = 4
SHINGLE: Final = 3  # words (Vietnamese syllables) per shingle
# a candidate is a near-duplicate when this share of the two texts' shingles is common to both
MIN_RESEMBLANCE: Final = 0.7
# texts with fewer shingles than this are too short to call anything a near-duplicate of them
# (a photo caption, a one-line notice)
MIN_SHINGLES: Final = 40

_PRIME: Final = (1 << 61) - 1  # a Mersenne prime: the universal hashes (a*x + b) mod p
_BAND_MASK: Final = (1 << 63) - 1  # band hashes fit a signed 64-bit column


def _h(data: str) -> int:
    return int.from_bytes(blake2b(data.encode("utf-8"), digest_size=8).digest(), "big")


# fixed per-position hash parameters, the same in every process and every Python version
_PARAMS: Final = tuple(
    (_h(f"thidua-minhash-a-{i}") % (_PRIME - 1) + 1, _h(f"thidua-minhash-b-{i}") % _PRIME)
    for i in range(BANDS * ROWS)
)

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Return the text's words (syllables), NFC-normalised and case-folded, numbers included."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """Return the set of `size`-word shingles of `text` (the whole text as one if it is shorter)."""
    ws = words(text)
    if len(ws) <= size:
        return {" ".join(ws)} if ws else set()
    return {" ".join(ws[i : i + size]) for i in range(len(ws) - size + 1)}


def resemblance(a: set[str], b: set[str]) -> float:
    """Return the Jaccard index of two shingle sets (0.0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def signature(shingle_set: set[str]) -> tuple[int, ...]:
    """Return the MinHash signature (BANDS * ROWS values) of a non-empty shingle set."""
    hashes = [_h(s) % _PRIME for s in shingle_set]
    return tuple(min((a * x + b) % _PRIME for x in hashes) for a, b in _PARAMS)


def band_hashes(sig: tuple[int, ...]) -> tuple[int, ...]:
    """Return one 63-bit hash per band of a signature."""
    return tuple(_h(",".join(map(str, sig[i * ROWS : (i + 1) * ROWS]))) & _BAND_MASK for i in range(BANDS))


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the store keeps of a text for near-duplicate lookups."""

    bands: tuple[int, ...]  # empty when the text is too short to be matched
    shingle_count: int

    @property
    def usable(self) -> bool:
        """Tell whether the text is long enough to be matched at all."""
        return bool(self.bands)


def fingerprint(text: str) -> Fingerprint:
    """Return the fingerprint of a clean article text."""
    sh = shingles(text)
    if len(sh) < MIN_SHINGLES:
        return Fingerprint((), len(sh))
    return Fingerprint(band_hashes(signature(sh)), len(sh))


# dates: 12/3, 12/3/2024, 12-03-2024, 12.3.2024, "ngày 12 tháng 3 năm 2024"; a copy is often
# dated a day later than the original, in its dateline or source note
_DATE = re.compile(
    r"\b\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?\b"
    r"|\bngày\s+\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?",
    re.IGNORECASE,
)


def numbers(text: str) -> set[str]:
    """Return the numbers written in `text` outside dates (years, decision numbers, counts)."""
    plain = _DATE.sub(" ", unicodedata.normalize("NFC", text))
    return {w.lstrip("0") or "0" for w in words(plain) if w.isdigit()}


def same_numbers(text_a: str, text_b: str) -> bool:
    """Tell whether the numbers of one text are all in the other.

    A copy keeps the original's numbers and may add some (a source note); two articles from one
    template (the same report for another year, another bloc) differ in their numbers, though
    almost every shingle is shared. Dates are left out: a copy is often dated a day later.
    """
    a, b = numbers(text_a), numbers(text_b)
    return a <= b or b <= a


def near_duplicate(text_a: str, text_b: str) -> bool:
    """Tell whether two texts are near-duplicates: both long enough, resemblance high enough,
    and no number of one missing from the other unless the other has none extra (`same_numbers`)."""
    a, b = shingles(text_a), shingles(text_b)
    if len(a) < MIN_SHINGLES or len(b) < MIN_SHINGLES:
        return False
    return resemblance(a, b) >= MIN_RESEMBLANCE and same_numbers(text_a, text_b)
