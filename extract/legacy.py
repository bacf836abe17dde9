"""Vietnamese text typed in the pre-Unicode font encodings TCVN3 (ABC, ".VnTime") and VNI-Windows.

Pages made with those fonts carry the legacy code points as Latin-1 characters ("Khèi thi ®ua" for
"Khối thi đua" in TCVN3, "Khoái thi ñua" in VNI). A line is converted only when it holds no
Vietnamese-specific Unicode letter and at least two marks of one legacy encoding, so Unicode text
("Café", "Imexpharm®", "§ 2") is never touched. Decoding keeps an offset map: each output character
knows the original characters it came from (VNI writes one letter as a base plus a modifier).
"""

from __future__ import annotations

import re
import unicodedata

# TCVN3 (TCVN 5712:1993, VN3): one Latin-1 code point per precomposed letter. Taken from glibc's
# TCVN5712-1 converter for the code points 0xA1-0xFF (the lower-case set and the seven capitals
# Ă Â Ê Ô Ơ Ư Đ that .VnTime fonts share; other capitals need the separate ".VnTimeH" fonts).
_TCVN3_PAIRS = (
    "¡Ă ¢Â £Ê ¤Ô ¥Ơ ¦Ư §Đ ¨ă ©â ªê «ô ¬ơ \xadư ®đ ¯Ằ µà ¶ả ·ã ¸á ¹ạ ºẲ »ằ ¼ẳ ½ẵ ¾ắ ¿Ẵ ÀẮ ÁẦ ÂẨ ÃẪ ÄẤ ÅỀ"
    " Æặ Çầ Èẩ Éẫ Êấ Ëậ Ìè ÍỂ Îẻ Ïẽ Ðé Ñẹ Òề Óể Ôễ Õế Öệ ×ì Øỉ ÙỄ ÚẾ ÛỒ Üĩ Ýí Þị ßò àỔ áỏ âõ ãó äọ åồ"
    " æổ çỗ èố éộ êờ ëở ìỡ íớ îợ ïù ðỖ ñủ òũ óú ôụ õừ öử ÷ữ øứ ùự úỳ ûỷ üỹ ýý þỵ ÿỐ"
)
TCVN3: dict[str, str] = {p[0]: p[1] for p in _TCVN3_PAIRS.split()}

# VNI-Windows: base letters are ASCII; marks follow as Latin-1 characters.
_VNI_TONE = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_CIRC_TONE = {"á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_BREVE_TONE = {"é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_SINGLE = {
    "ñ": "đ",
    "Ñ": "Đ",
    "ö": "ư",
    "Ö": "Ư",
    "ô": "ơ",
    "Ô": "Ơ",
    "ì": "ì",
    "Ì": "Ì",
    "í": "í",
    "Í": "Í",
    "æ": "ỉ",
    "Æ": "Ỉ",
    "ó": "ĩ",
    "Ó": "Ĩ",
    "ò": "ị",
    "Ò": "Ị",
}

_VIET_SPECIFIC = re.compile("[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9]")
_TCVN3_MARKS = re.compile("[®§¸µ¶·¹¨©ª«¬\xad»¼½¾Þß÷þ]")
_VNI_STRONG = re.compile("[ñÑöÖøØûÛïÏ]")
_VNI_MARKS = re.compile("[ñÑ]|(?<=[aeiouyAEIOUYôÔöÖ])[ùøûõïáàåãäéèúüëâêÙØÛÕÏÁÀÅÃÄÉÈÚÜËÂÊ]")


def _vni_letter(base: str, mod: str) -> str | None:
    """Compose an ASCII vowel (or ơ/ư) with a VNI modifier; None if they do not combine."""
    upper = base.isupper() or base in "ƠƯ"
    b, m = base.lower(), mod.lower()
    if m in _VNI_TONE:
        out = unicodedata.normalize("NFC", b + _VNI_TONE[m])
    elif b in "aeo" and m == "â":
        out = {"a": "â", "e": "ê", "o": "ô"}[b]
    elif b == "a" and m == "ê":
        out = "ă"
    elif b in "aeo" and m in _VNI_CIRC_TONE:
        out = unicodedata.normalize("NFC", {"a": "â", "e": "ê", "o": "ô"}[b] + _VNI_CIRC_TONE[m])
    elif b == "a" and m in _VNI_BREVE_TONE:
        out = unicodedata.normalize("NFC", "ă" + _VNI_BREVE_TONE[m])
    else:
        return None
    if b not in "aeiouyơư" or len(out) != 1:
        return None
    return out.upper() if upper else out


def detect(line: str, *, page: str | None = None) -> str | None:
    """'tcvn3', 'vni' or None for one line of text.

    `page`: the encoding other lines of the same text were found in; then one mark is enough
    (a short title "Khèi thi ®ua sè 6" has a single "®").
    """
    if _VIET_SPECIFIC.search(line):
        return None
    tcvn, vni = len(_TCVN3_MARKS.findall(line)), len(_VNI_MARKS.findall(line))
    need = 1 if page else 2
    # Unicode Vietnamese written with Latin-1 letters only ("Xã Hoàng Liên", "Tân Hòa") has VNI-like
    # pairs too ("oà" is VNI "ồ"); alone, a line is VNI only with a mark no Vietnamese word has
    strong = page == "vni" or bool(_VNI_STRONG.search(line))
    if vni >= need and vni > tcvn and strong and page in (None, "vni"):
        return "vni"
    if tcvn >= need and page in (None, "tcvn3"):
        return "tcvn3"
    return None


def _decode_line(line: str, kind: str) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    if kind == "tcvn3":
        return [(TCVN3.get(ch, ch), i, i + 1) for i, ch in enumerate(line)]
    i = 0
    while i < len(line):
        ch = line[i]
        if ch in _VNI_SINGLE:
            letter, start = _VNI_SINGLE[ch], i
        else:
            letter, start = ch, i
        nxt = line[i + 1] if i + 1 < len(line) else ""
        composed = _vni_letter(letter, nxt) if nxt else None
        if composed:
            out.append((composed, start, i + 2))
            i += 2
            continue
        out.append((letter, start, i + 1))
        i += 1
    return out


def has_legacy(text: str) -> bool:
    """Cheap test: could any line of `text` be TCVN3 or VNI?"""
    return bool(_TCVN3_MARKS.search(text) or _VNI_MARKS.search(text)) and any(
        detect(line) for line in text.split("\n")
    )


def decode(text: str) -> tuple[str, list[int], list[int]]:
    """Convert legacy lines to Unicode; return the text and, per output character, its source span."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    lines = text.split("\n")
    kinds = [detect(line) for line in lines]
    page = max({k for k in kinds if k}, key=kinds.count, default=None)
    for line, kind in zip(lines, kinds, strict=True):
        kind = kind or (detect(line, page=page) if page else None)
        if kind:
            for ch, s, e in _decode_line(line, kind):
                chars.append(ch)
                starts.append(pos + s)
                ends.append(pos + e)
        else:
            for i, ch in enumerate(line):
                chars.append(ch)
                starts.append(pos + i)
                ends.append(pos + i + 1)
        pos += len(line)
        if pos < len(text):
            chars.append("\n")
            starts.append(pos)
            ends.append(pos + 1)
            pos += 1
    return "".join(chars), starts, ends


def to_unicode(text: str) -> str:
    """The Unicode reading of `text` (unchanged when no line is in a legacy encoding)."""
    return decode(text)[0] if has_legacy(text) else text
