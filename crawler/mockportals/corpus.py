"""Load the synthetic article corpus that the mock portals serve.

Layout (see ../shared/research/portals.md §6.0 and crawler/mockportals/corpus/):
``text/<id>.txt`` + ``text/<id>.meta.json`` for relevant articles, ``other/<id>.txt`` +
``other/<id>.meta.json`` for distractors. A ``.txt`` holds the title on line 1, a blank line, then
paragraphs separated by blank lines; the last paragraph is often the author's name.
Files are read once, when the server starts; the corpus files are never modified.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_CORPUS = Path(__file__).resolve().parent / "corpus"

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


class CorpusError(Exception):
    """A corpus file cannot be read; the message names the file and the fix."""


@dataclass(frozen=True, slots=True)
class Article:
    """One corpus article, as the mock portals publish it."""

    id: str
    title: str
    paragraphs: tuple[str, ...]  # body paragraphs without title and author line
    author: str | None  # the last line, when the meta names it as the author
    published: dt.date
    published_time: dt.time
    portal: str
    relevant: bool
    source_url: str | None

    @property
    def number(self) -> int:
        """Return a stable numeric id (6 digits) derived from the corpus id."""
        return stable_number(self.id)

    def text(self) -> str:
        """Return the article as the corpus file gives it (title, blank line, paragraphs)."""
        parts = [self.title, *self.paragraphs]
        if self.author:
            parts.append(self.author)
        return "\n\n".join(parts)


def stable_number(key: str, digits: int = 6) -> int:
    """Map a key to a number that does not depend on which other files exist."""
    h = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:12], 16)
    low: int = 10 ** (digits - 1)
    return low + h % (9 * low)


def ascii_slug(text: str, limit: int | None = None) -> str:
    """Make a lower-case ASCII slug the way most CMSs do (diacritics dropped, đ → d)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if limit is not None:
        slug = slug[:limit].rstrip("-")
    return slug or "bai-viet"


def _read_article(txt: Path, relevant_default: bool) -> Article:
    meta_path = txt.with_suffix(".meta.json")
    try:
        raw = txt.read_text(encoding="utf-8")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(
            f"cannot read {txt.name} / {meta_path.name}: {exc}; fix or remove the pair"
        ) from exc
    blocks = [b.strip() for b in _BLANK_LINES.split(raw.replace("\r\n", "\n").strip()) if b.strip()]
    if len(blocks) < 2:
        raise CorpusError(f"{txt} has no body: expected a title line, a blank line, then paragraphs")
    title, body = blocks[0], blocks[1:]
    author = meta.get("author")
    if isinstance(author, str) and author.strip() and len(body) > 1 and body[-1] == author.strip():
        body = body[:-1]
        author = author.strip()
    else:
        author = None
    try:
        published = dt.date.fromisoformat(str(meta["published"]))
    except (KeyError, ValueError) as exc:
        raise CorpusError(f'{meta_path} needs "published": "YYYY-MM-DD" ({exc})') from exc
    ptime = _parse_time(meta.get("published_time"), txt.stem)
    portal = meta.get("portal")
    if not isinstance(portal, str) or not portal:
        raise CorpusError(f'{meta_path} needs a "portal" name (see crawler/mockportals/portals.py)')
    return Article(
        id=txt.name[: -len(".txt")],
        title=title,
        paragraphs=tuple(body),
        author=author,
        published=published,
        published_time=ptime,
        portal=portal,
        relevant=bool(meta.get("relevant", relevant_default)),
        source_url=meta.get("url") if isinstance(meta.get("url"), str) else None,
    )


def _parse_time(value: object, key: str) -> dt.time:
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*", value)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return dt.time(int(m.group(1)), int(m.group(2)))
    # no time in the meta: pick a plausible office hour that stays the same across runs
    n = stable_number(key)
    return dt.time(7 + n % 10, (n // 10) % 60)


@dataclass(frozen=True, slots=True)
class Corpus:
    articles: tuple[Article, ...]
    skipped: tuple[str, ...] = ()  # "file: reason" for each pair that could not be read

    def for_portal(self, portal: str) -> list[Article]:
        """Return the portal's articles, newest first (ties broken by id)."""
        arts = [a for a in self.articles if a.portal == portal]
        return sorted(arts, key=lambda a: (a.published, a.published_time, a.id), reverse=True)


def load_corpus(root: Path | str = DEFAULT_CORPUS) -> Corpus:
    """Read every complete article pair under `root`; skip (and log) broken ones.

    Args:
        root: corpus directory holding ``text/`` and ``other/``.

    Returns:
        The articles found; unreadable pairs are listed in ``Corpus.skipped``.
    """
    root = Path(root)
    articles: list[Article] = []
    skipped: list[str] = []
    for sub, relevant in (("text", True), ("other", False)):
        folder = root / sub
        if not folder.is_dir():
            continue
        for txt in sorted(folder.glob("*.txt")):
            if not txt.with_suffix(".meta.json").exists():
                # a writer may still be producing the pair; it is picked up at the next start
                skipped.append(f"{txt.name}: no .meta.json yet")
                continue
            try:
                articles.append(_read_article(txt, relevant))
            except CorpusError as exc:
                log.warning("skipping corpus article: %s", exc)
                skipped.append(f"{txt.name}: {exc}")
    return Corpus(tuple(articles), tuple(skipped))


def copy_to_portals(corpus: Corpus, portals: Iterable[str]) -> Corpus:
    """Return a corpus holding a copy of every article on every named portal (ids prefixed by the portal).

    Tests use it to render a tiny corpus with every family.
    """
    names = list(portals)
    arts = [dataclasses.replace(a, id=f"{p}-{a.id}", portal=p) for p in names for a in corpus.articles]
    return Corpus(tuple(arts))
