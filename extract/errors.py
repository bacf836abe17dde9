"""Named exceptions of the thidua pipeline; each message says what to do about it."""

from __future__ import annotations


class ThiduaError(Exception):
    """Base class of every thidua error."""


class CleaningError(ThiduaError):
    """Raised by extract.clean when a fetched page cannot be decoded or has no article body."""
