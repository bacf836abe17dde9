"""The statistical UNIT finder: a spaCy spancat shipped in extract/models/units (see extract/train.py).

It proposes organisation names, above all open-class ones in no list, with their boundaries and a score.
It is a fallback and second opinion behind the gazetteer and head-word rules (extract/units.py): accept a
span when a rule (head word, gazetteer, list position) agrees. The model is loaded once, lazily, from the
project directory; nothing is ever downloaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy

from extract.errors import ThiduaError

MODEL_DIR = Path(__file__).resolve().parent / "models" / "units"
SPANS_KEY = "sc"
_TRAILING = ".,;:"


class ModelMissingError(ThiduaError):
    """The trained UNIT model is not in extract/models/units; run `thidua train` (or `make train`)."""


@cache
def load_model(path: Path = MODEL_DIR) -> Any:
    """The spaCy pipeline at `path`, loaded once (about 1 s)."""
    if not (path / "meta.json").is_file():
        raise ModelMissingError(f"no UNIT model at {path}: run `thidua train --out {path}` to build it")
    import spacy

    return spacy.load(path)


def decode_spans(
    docs: Sequence[Any], predicted: tuple[Any, Any], threshold: float
) -> list[list[tuple[int, int, float]]]:
    """Character spans from spancat's raw (indices, scores): above `threshold`, best first, no overlaps."""
    indices, scores = predicted
    out: list[list[tuple[int, int, float]]] = []
    offset = 0
    for i, doc in enumerate(docs):
        n = int(indices.lengths[i])
        if n == 0 or getattr(scores, "size", 0) == 0:
            out.append([])
            continue
        idx = indices[i].dataXd
        col = scores[offset : offset + n, 0]
        offset += n
        keep = numpy.nonzero(col >= threshold)[0]
        cands = sorted(
            ((float(col[j]), int(idx[j, 0]), int(idx[j, 1])) for j in keep), key=lambda c: (-c[0], c[1], c[2])
        )
        taken: list[tuple[int, int]] = []
        spans: list[tuple[int, int, float]] = []
        for score, s, e in cands:
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            span = doc[s:e]
            a, b = span.start_char, span.end_char
            while b > a + 1 and doc.text[b - 1] in _TRAILING:  # "Đông Á." is one token at a sentence end
                b -= 1
            spans.append((a, b, round(score, 4)))
        out.append(sorted(spans))
    return out


def unit_spans(
    text: str, start: int = 0, end: int | None = None, *, threshold: float = 0.5
) -> list[tuple[int, int, float]]:
    """UNIT spans inside text[start:end] as (start, end, score) offsets into `text`, sorted, non-overlapping.

    Raises ModelMissingError if the model directory is missing. Measured on one CPU core: about 4 ms for a
    25-syllable sentence, 7 ms for 45 syllables, plus about 1 s to load the model on the first call; so run it
    on the few sentences per article where the rules need a second opinion. Names longer than 12 syllables
    cannot be found (the suggester's largest n-gram).
    """
    end = len(text) if end is None else end
    chunk = text[start:end]
    if not chunk.strip():
        return []
    nlp = load_model()
    doc = nlp.get_pipe("tok2vec")(nlp.make_doc(chunk))
    (spans,) = decode_spans([doc], nlp.get_pipe("spancat").predict([doc]), threshold)
    return [(s + start, e + start, score) for s, e, score in spans]


def spans_in(chunks: Sequence[str], *, threshold: float = 0.5) -> list[list[tuple[int, int, float]]]:
    """UNIT spans for several short texts in one batch: per chunk, (start, end, score) offsets into it.

    Batching short windows around candidate names is far cheaper than reading whole sentences: the
    suggester's n-grams grow with the text's length.
    """
    if not chunks:
        return []
    nlp = load_model()
    docs = [nlp.make_doc(c) for c in chunks]
    docs = list(nlp.get_pipe("tok2vec").pipe(docs))
    return decode_spans(docs, nlp.get_pipe("spancat").predict(docs), threshold)
