"""Range look-ups over unit spans, so per-sentence steps read only the units near the sentence.

The relation steps run sentence by sentence but used to receive every unit of the article and scan
it for the few inside the sentence: the cost of an article grew with (sentences × units), the square
of its length for a long list of units. `SpanIndex.within` returns the same units a full scan would
keep, in the same order, in time that depends on the answer's size (plus a logarithm).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar


class _Span(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


S = TypeVar("S", bound=_Span)


class SpanIndex(Generic[S]):
    """The spans of one list, queryable by position; answers keep the list's own order."""

    def __init__(self, spans: Sequence[S]) -> None:
        order = sorted(range(len(spans)), key=lambda i: spans[i].start)
        self._spans = spans
        self._order = order
        self._starts = [spans[i].start for i in order]
        # no span reaches back further than the longest one: bounds the look-back of `within`
        self._longest = max((sp.end - sp.start for sp in spans), default=0)

    def within(self, start: int, end: int) -> list[S]:
        """The spans that touch [start, end] (start <= span.end and span.start <= end), in list order.

        Inclusive at both ends, so a unit ending exactly where a sentence starts, or starting right
        where it ends, is kept: exactly what a full scan with those comparisons keeps.
        """
        lo = bisect_left(self._starts, start - self._longest)
        hi = bisect_right(self._starts, end)
        picked = sorted(i for i in self._order[lo:hi] if self._spans[i].end >= start)
        return [self._spans[i] for i in picked]
