"""A normalised working copy of an article's text that remembers where every character came from.

Matching runs on the working copy (NFC, one tone-mark convention, Đ not Ð, single plain spaces); every
evidence span found there maps back to the exact characters of the stored text with `to_orig`.
See DESIGN.md "Extraction, cheap steps first", step 1.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extract import legacy

# Old-style tone placement ("hoà", "Uỷ") → new style ("hòa", "Ủy"): same length, so offsets hold.
# Only where the vowel pair ends the syllable ("hoàn" is already right) and "uy" is not "quy".
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # grave, acute, hook, tilde, dot below


def _toned(base: str, mark: str) -> str:
    return unicodedata.normalize("NFC", base + mark)


def _build_tone_map() -> dict[str, str]:
    table: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for mark in _TONES:
            for f, s in ((first, second), (first.upper(), second), (first.upper(), second.upper())):
                table[f + _toned(s, mark)] = _toned(f, mark) + s
    return table


_TONE_MAP = _build_tone_map()
_LETTER = r"[^\W\d_]"
_OLD_TONE_RE = re.compile(
    rf"(?<![qQ])({'|'.join(sorted(map(re.escape, _TONE_MAP), key=len, reverse=True))})(?!{_LETTER})"
)
_GLUED_RE = re.compile(r"(?<=[A-ZĐ&][A-ZĐ])(?=[A-ZĐ][^\W\d_])")
_CHAR_MAP = {"\u00d0": "Đ", "\u00f0": "đ", "\u00a0": " ", "\t": " ", "\u2007": " ", "\u202f": " ", "\r": "\n"}
_DROP = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"}


@dataclass(frozen=True, slots=True)
class Normalized:
    """Working text plus, for each of its characters, the original [start, end) it came from."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_orig(self, start: int, end: int) -> tuple[int, int]:
        """Map a working-text span to the stored-text span it was read from."""
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def orig_text(self, start: int, end: int) -> str:
        s, e = self.to_orig(start, end)
        return self.original[s:e]


def normalize(original: str) -> Normalized:
    """Return the working copy of `original` with its offset map."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    src = original
    src_starts: list[int] | None = None
    src_ends: list[int] = []
    if legacy.has_legacy(original):  # TCVN3/VNI lines first: their "\xad" is a letter, not a soft hyphen
        src, src_starts, src_ends = legacy.decode(original)
    i, n = 0, len(src)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(src[j]):
            j += 1
        cluster = src[i:j]
        o_start, o_end = (src_starts[i], src_ends[j - 1]) if src_starts is not None else (i, j)
        if cluster in _DROP:
            i = j
            continue
        cluster = _CHAR_MAP.get(cluster, cluster)
        if src[i] == "\r" and j < n and src[j] == "\n":
            i = j  # CRLF: the LF that follows stands for both
            continue
        if cluster == " " and out and out[-1] == " ":
            ends[-1] = o_end  # a run of spaces reads as one, so "Đại  biểu" still matches "Đại biểu"
            i = j
            continue
        for ch in unicodedata.normalize("NFC", cluster):
            out.append(ch)
            starts.append(o_start)
            ends.append(o_end)
        i = j
    text = "".join(out)
    text = _OLD_TONE_RE.sub(lambda m: _TONE_MAP[m.group(1)], text)
    glued = [m.start() for m in _GLUED_RE.finditer(text) if text[m.start() + 1].islower()]
    if glued:
        # "Sở GD&ĐTPhạm Thị Quyên": a lost line break glued a name to an abbreviation; read a space there
        # (it maps to no stored character, so evidence spans stay exact)
        for pos in reversed(glued):
            text = text[:pos] + " " + text[pos:]
            starts.insert(pos, starts[pos])
            ends.insert(pos, starts[pos])
    return Normalized(original, text, tuple(starts), tuple(ends))


def fold(s: str) -> str:
    """Lower-case, strip diacritics and đ: a key for diacritic-insensitive comparison."""
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()
