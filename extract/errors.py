"""Named exceptions of the thidua pipeline; each message says what to do about it."""

from __future__ import annotations


class ThiduaError(Exception):
    """Base class of every thidua error."""


class CleaningError(ThiduaError):
    """Raised by extract.clean when a fetched page cannot be decoded or has no article body."""


class ArticleTooLargeError(ThiduaError, ValueError):
    """An article is larger than extract.limits.MAX_ARTICLE_BYTES; it is refused before any work.

    Real articles are a few KB to a few tens of KB; anything near the cap is a broken page or a
    hostile file. Raise THIDUA_MAX_ARTICLE_BYTES if a genuine article is refused.
    """


class NotTextError(ThiduaError, ValueError):
    """The input is not text: mostly control characters (a binary file saved as .txt)."""


class NotRegularFileError(ThiduaError, OSError):
    """A path that is not a regular file (a FIFO, a device, a directory, a link to one): never opened,
    since reading it could block forever or never end."""


class PlaceDataError(ThiduaError):
    """Raised by extract.places when the administrative-unit data of the `vietnamadminunits` package
    cannot be found or read (the package is missing or its data files changed shape)."""
