"""A normalised working copy of an article's text that remembers where every character came from.

Matching runs on the working copy (NFC, one tone-mark convention, Đ not Ð, single plain spaces); every
evidence span found there maps back to the exact characters of the stored text with `to_orig`.
See DESIGN.md "Extraction, cheap steps first", step 1.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from extract import legacy
from extract.errors import NotTextError

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
# C0 and C1 control characters other than tab, LF and CR: a NUL before every word, a stray form feed.
# Each reads as a space (so "\x00Sở \x00Y tế" matches like "Sở Y tế" and "a\x00b" stays two words),
# and the space maps back to the control character it replaced.
_CONTROLS = frozenset(
    chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
)
_CONTROL_RE = re.compile("[" + re.escape("".join(sorted(_CONTROLS))) + "]")
# Text in which more than this share of characters are controls is not text (a binary file, UTF-16).
_MAX_CONTROL_SHARE = 1 / 3


@dataclass(frozen=True, slots=True)
class Normalized:
    """Working text plus, for each of its characters, the original [start, end) it came from."""

    original: str
    text: str
    # compact int arrays, not tuples of ints: 16 bytes per character instead of about 80
    starts: Sequence[int]
    ends: Sequence[int]

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
    """Return the working copy of `original` with its offset map.

    Raises NotTextError when control characters make up more than a third of `original`.
    """
    controls = len(_CONTROL_RE.findall(original)) if _CONTROL_RE.search(original) else 0
    if original and controls > len(original) * _MAX_CONTROL_SHARE:
        raise NotTextError(
            f"{controls:,} of {len(original):,} characters are control characters: not text "
            "(a binary file, or UTF-16 read as UTF-8?)"
        )
    out: list[str] = []
    starts = array("q")
    ends = array("q")
    src = original
    src_starts: list[int] | None = None
    src_ends: list[int] = []
    if legacy.has_legacy(original):  # TCVN3/VNI lines first: their "\xad" is a letter, not a soft hyphen
        src, src_starts, src_ends = legacy.decode(original)
    i, n = 0, len(src)
    while i < n:
        j = i + 1
        if src[i] in _CONTROLS:
            cluster = " "  # alone: a combining mark after it does not belong to it
        else:
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
        # (it maps to no stored character, so evidence spans stay exact). Rebuilt in one pass: inserting
        # one by one costs the square of the text's length on text glued everywhere.
        parts: list[str] = []
        new_starts, new_ends = array("q"), array("q")
        prev = 0
        for pos in glued:
            parts += [text[prev:pos], " "]
            new_starts.extend(starts[prev:pos])
            new_ends.extend(ends[prev:pos])
            new_starts.append(starts[pos])
            new_ends.append(starts[pos])
            prev = pos
        parts.append(text[prev:])
        new_starts.extend(starts[prev:])
        new_ends.extend(ends[prev:])
        text, starts, ends = "".join(parts), new_starts, new_ends
    asides = list(_NAME_ASIDE_RE.finditer(text))
    if asides:
        # "Ủy ban Kiểm tra (UBKT) Tỉnh ủy": an abbreviation set aside inside a name is read as absent, so
        # the name matches whole; a span across it maps back to the stored text with the aside in it
        parts, new_starts, new_ends, prev = [], array("q"), array("q"), 0
        for m in asides:
            parts.append(text[prev : m.start()])
            new_starts.extend(starts[prev : m.start()])
            new_ends.extend(ends[prev : m.start()])
            prev = m.end()
        parts.append(text[prev:])
        new_starts.extend(starts[prev:])
        new_ends.extend(ends[prev:])
        text, starts, ends = "".join(parts), new_starts, new_ends
    return Normalized(original, text, starts, ends)


# an all-capitals abbreviation in parentheses between two capitalised words of one name
_NAME_ASIDE_RE = re.compile(r"(?<=[^\W\d_]) \([A-ZĐ][A-ZĐ0-9&]{1,9}\)(?= [A-ZĐ])")

_NAME_TABLE = {**{ord(k): v for k, v in _CHAR_MAP.items()}, **{ord(c): None for c in _DROP}}


def normalize_name(name: str) -> str:
    """A name from a data file in the form `normalize` gives text: NFC, one tone-mark convention, Đ not Ð,
    single plain spaces.

    Unlike `normalize` it never tries legacy decoding: a short Unicode name made only of Latin-1 letters
    ("Xã Hoàng Liên", "Diên Toàn") can look like VNI to that check, and data files are never TCVN3/VNI.
    """
    s = unicodedata.normalize("NFC", name.translate(_NAME_TABLE))
    s = " ".join(s.split())
    return _OLD_TONE_RE.sub(lambda m: _TONE_MAP[m.group(1)], s)


def fold(s: str) -> str:
    """Lower-case, strip diacritics and đ: a key for diacritic-insensitive comparison."""
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()
