"""Fixtures for the mock-portal tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mockhelpers import TODAY, every_portal_corpus

from crawler.mockportals.corpus import Corpus
from crawler.mockportals.server import MockPortalServer, start_server


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return every_portal_corpus()


@pytest.fixture(scope="module")
def server() -> Iterator[MockPortalServer]:
    with start_server(corpus=every_portal_corpus(), today=TODAY) as srv:
        yield srv
