"""Deterministic benchmark articles made by varying the project's own mock bloc articles.

The 64 mock articles in ``crawler/mockportals/corpus/text`` (written by the project) are 230–530 words
long. :func:`generate` turns them into any number of articles of 300–1,500 words whose lengths spread
evenly over that range, the way real portal news varies:

* paragraphs of several mock articles of the same province are combined (round-up articles);
* body paragraphs are shuffled, and now and then one is repeated;
* ordinary news prose about meetings, emulation movements and the economy is mixed in as filler;
* bloc numbers (``Khối thi đua số VII`` → ``số 4``), day numbers and years are swapped consistently;
* the order of the units in member lists (``gồm 06 cơ quan: A, B, C và D``) is shuffled.

The structure is kept: title line first, then the date line if the source had one, then the body, then
the source's caption/byline tail. Word count means whitespace tokens (``len(text.split())``).

Run ``python -m bench.generate --n 3`` to print a few articles.
"""

from __future__ import annotations

import argparse
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MIN_WORDS = 300
MAX_WORDS = 1500

CORPUS_DIR = Path(__file__).resolve().parent.parent / "crawler" / "mockportals" / "corpus" / "text"

# Ordinary news prose (written for this bench) mixed into the articles as filler paragraphs.
FILLER_FILE = Path(__file__).resolve().parent / "filler_sentences.txt"
FILLER_SENTENCES: tuple[str, ...] = tuple(
    line.strip()
    for line in FILLER_FILE.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)

# Words a unit name in a member list starts with; a list is reordered only if every item starts so.
UNIT_HEADS: tuple[str, ...] = (
    "Sở", "Ban", "Văn phòng", "UBND", "Ủy ban", "Uỷ ban", "UBMTTQ", "Thanh tra", "Trường", "Đài", "Báo",
    "Bảo hiểm", "BHXH", "Kho bạc", "Cục", "Chi cục", "Liên đoàn", "LĐLĐ", "Hội", "Tỉnh đoàn", "Đoàn",
    "Công an", "Bộ", "Tòa án", "Toà án", "TAND", "Viện", "VKSND", "Trung tâm", "Ngân hàng", "NHCSXH",
    "Công ty", "Tổng công ty", "Phòng", "Đảng ủy", "Đảng uỷ", "Quỹ", "Bệnh viện", "Bưu điện", "Viễn thông",
    "Viettel", "Thi hành án",
)  # fmt: skip
_HEAD_RE = re.compile("(?:" + "|".join(re.escape(h) for h in UNIT_HEADS) + r")\b")

_LIST_RE = re.compile(r"((?:gồm|thành viên)[^.:;\n]{0,60}?:\s*)([^\n]+?)(\.(?=\s|$))")
_DAY_RE = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})(?:\2(\d{4}))?(?!\d)")
_YEAR_RE = re.compile(r"(?<!\d)(20[12]\d)(?!\d)")
_SENTENCE_END_RE = re.compile(r"[.!?:…\"”]$")
_DATE_LINE_RE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_BLOC_NO_RE = re.compile(
    r"\b((?:Khối|Cụm) thi đua số )(\d{1,2}|" + "|".join(sorted(_ROMAN, key=len, reverse=True)) + r")\b"
)

YEAR_MIN, YEAR_MAX = 2012, 2026


@dataclass(frozen=True)
class Source:
    """One mock article split into its parts."""

    stem: str
    province: str
    title: str
    date_line: str | None
    body: tuple[str, ...]  # lead paragraph first
    tail: tuple[str, ...]  # photo captions and byline


def _words(text: str) -> int:
    return len(text.split())


def _parse(path: Path) -> Source:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()) if b.strip()]
    first = blocks[0].splitlines()
    title = first[0].strip()
    rest = [ln.strip() for ln in first[1:] if ln.strip()]
    paragraphs = [*rest, *blocks[1:]]
    date_line = None
    if paragraphs and _words(paragraphs[0]) <= 8 and _DATE_LINE_RE.search(paragraphs[0]):
        date_line = paragraphs.pop(0)
    # captions and byline: short trailing paragraphs that are not sentences
    cut = len(paragraphs)
    while cut > 1 and _words(paragraphs[cut - 1]) <= 14 and not _SENTENCE_END_RE.search(paragraphs[cut - 1]):
        cut -= 1
    return Source(
        stem=path.stem,
        province=path.stem.split("-", 1)[0],
        title=title,
        date_line=date_line,
        body=tuple(paragraphs[:cut]),
        tail=tuple(paragraphs[cut:]),
    )


@cache
def load_sources(corpus_dir: Path = CORPUS_DIR) -> tuple[Source, ...]:
    """The mock articles of ``corpus_dir``, sorted by file name."""
    sources = tuple(_parse(p) for p in sorted(corpus_dir.glob("*.txt")))
    if not sources:
        raise FileNotFoundError(f"no mock articles (*.txt) in {corpus_dir}")
    return sources


class _Filler:
    """Filler sentences dealt from a shuffled deck, so an article repeats none until all are used."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._deck: list[str] = []

    def sentence(self) -> str:
        if not self._deck:
            self._deck = list(FILLER_SENTENCES)
            self._rng.shuffle(self._deck)
        return self._deck.pop()

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self._rng.randint(2, 5)))


def _shuffle_list(match: re.Match[str], rng: random.Random) -> str:
    """Reorder the units of one member list, or leave it as it is when unsure it is a unit list."""
    intro, items_text, end = match.group(1), match.group(2), match.group(3)
    if ":" in items_text:  # nested list ("TAND các huyện: A, B"): reordering would change its meaning
        return match.group(0)
    sep = "; " if "; " in items_text else ", "
    items: list[str] = []
    for frag in items_text.split(sep):
        if items and not _HEAD_RE.match(frag):
            items[-1] += sep + frag  # "Sở Văn hóa, Thể thao và Du lịch" is one unit
        else:
            items.append(frag)
    last_and = False
    for m in re.finditer(" và ", items[-1]):
        if m.start() > 0 and _HEAD_RE.match(items[-1], m.end()):
            items[-1:] = [items[-1][: m.start()], items[-1][m.end() :]]
            last_and = True
            break
    if len(items) < 3 or not all(_HEAD_RE.match(it) for it in items):
        return match.group(0)
    rng.shuffle(items)
    joined = sep.join(items[:-1]) + (" và " if last_and else sep) + items[-1]
    return intro + joined + end


def _roman(n: int) -> str:
    return _ROMAN[n - 1]


def _bloc_number(token: str) -> int:
    return _ROMAN.index(token) + 1 if token in _ROMAN else int(token)


def _vary_text(text: str, rng: random.Random) -> str:
    """Swap bloc numbers, days and years consistently across one article; reorder member lists."""
    numbers = sorted({_bloc_number(m.group(2)) for m in _BLOC_NO_RE.finditer(text)})
    new_numbers = rng.sample(range(1, len(_ROMAN) + 1), len(numbers))
    mapping = dict(zip(numbers, new_numbers, strict=True))

    def bloc(m: re.Match[str]) -> str:
        old = m.group(2)
        new = mapping[_bloc_number(old)]
        return m.group(1) + (_roman(new) if old in _ROMAN else str(new))

    text = _BLOC_NO_RE.sub(bloc, text)

    day_shift = rng.randint(-6, 6)

    def day(m: re.Match[str]) -> str:
        d, sep, mo = int(m.group(1)), m.group(2), int(m.group(3))
        if not (1 <= d <= 31 and 1 <= mo <= 12):
            return m.group(0)
        new = (d - 1 + day_shift) % 28 + 1
        width = len(m.group(1))
        out = f"{new:0{width}d}{sep}{m.group(3)}"
        return out + (sep + m.group(4) if m.group(4) else "")

    text = _DAY_RE.sub(day, text)

    years = [int(y) for y in _YEAR_RE.findall(text)]
    if years:
        shift = rng.randint(max(-3, YEAR_MIN - min(years)), min(3, YEAR_MAX - max(years)))
        text = _YEAR_RE.sub(lambda m: str(int(m.group(1)) + shift), text)

    return _LIST_RE.sub(lambda m: _shuffle_list(m, rng), text)


def _article(index: int, seed: int, sources: tuple[Source, ...], by_province: dict[str, list[Source]]) -> str:
    rng = random.Random(f"thidua-bench:{seed}:{index}")
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    primary = sources[(index + seed) % len(sources)]
    lead, primary_rest = primary.body[0], list(primary.body[1:])
    fixed = _words(primary.title) + sum(_words(p) for p in (lead, *primary.tail))
    if primary.date_line:
        fixed += _words(primary.date_line)

    # paragraphs of other articles of the same province, in a random order of articles
    others = [s for s in by_province[primary.province] if s is not primary]
    rng.shuffle(others)
    borrowed = [p for s in others[: rng.randint(1, 3)] for p in s.body]

    rest = list(primary_rest)
    total = fixed + sum(_words(p) for p in rest)
    # too long for the target: drop non-lead paragraphs, never below the floor
    while total > target + 40 and rest:
        i = rng.randrange(len(rest))
        if total - _words(rest[i]) < MIN_WORDS:
            break
        total -= _words(rest.pop(i))

    filler = _Filler(rng)
    extras: list[str] = []
    while total < target:
        r = rng.random()
        if r < 0.08 and rest:
            para = rng.choice(rest)  # a repeated paragraph, as careless portals do
        elif r < 0.6 and borrowed:
            para = borrowed.pop(0)
        else:
            para = filler.paragraph()
        if total + _words(para) > MAX_WORDS:
            # finish with single filler sentences so the article stays within bounds
            picked: list[str] = []
            while total < target:
                sentence = filler.sentence()
                if total + _words(sentence) > MAX_WORDS:
                    break
                picked.append(sentence)
                total += _words(sentence)
            if picked:
                extras.append(" ".join(picked))
            break
        extras.append(para)
        total += _words(para)

    mode = rng.random()
    if mode < 0.35:
        body = rest + extras
        rng.shuffle(body)
    elif mode < 0.7:
        body = rest + extras
    else:
        body = list(rest)
        for para in extras:
            body.insert(rng.randint(0, len(body)), para)

    head = [primary.title] + ([primary.date_line] if primary.date_line else [])
    text = "\n\n".join([*head, lead, *body, *primary.tail]) + "\n"
    return _vary_text(text, rng)


def generate(n: int = 300, seed: int = 7) -> list[str]:
    """Return ``n`` benchmark articles of 300–1,500 whitespace-separated words, the same for a given seed.

    Each article varies one of the project's mock bloc articles (cycled through in order, offset by
    ``seed``): it keeps the mock's title line, date line if any, lead paragraph and byline, and mixes in
    paragraphs of mock articles of the same province plus filler news prose; bloc numbers, days, years
    and the order of units in member lists are varied. Article ``i`` depends only on ``(seed, i)``, so
    ``generate(10, s) == generate(20, s)[:10]``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    sources = load_sources()
    by_province: dict[str, list[Source]] = defaultdict(list)
    for s in sources:
        by_province[s.province].append(s)
    return [_article(i, seed, sources, by_province) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for i, text in enumerate(generate(args.n, args.seed)):
        print(f"===== article {i} ({_words(text)} words)")
        print(text)


if __name__ == "__main__":
    main()
