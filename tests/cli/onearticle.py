"""One bloc article stored with a machine record, for the CLI tests of `record`, `correct`, `export`,
`facets` and `timeline` (the `url` fixture in conftest.py builds it)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from extract.record import AwardFact, Evidence, MemberFact, Record, RoleFact, ScalarFact
from store import repository
from store.db import make_engine, session_factory
from store.keys import content_key

TEXT = (
    "Khối thi đua số 6 tỉnh Bắc Ninh tổng kết năm 2018. Khối gồm Sở Y tế, Sở Tư pháp. "
    "Sở Y tế làm Khối trưởng năm 2019. Hội nghị đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Tư pháp."
)
URL = "https://sonoivu.bacninh.example.gov.vn/tin-tuc/khoi-thi-dua-so-6"


def _span(words: str) -> Evidence:
    start = TEXT.index(words)
    return Evidence(start, start + len(words), words)


def machine_record(*, role_year: int = 2019) -> Record:
    return Record(
        doc_id="article-1",
        province=ScalarFact(_span("Bắc Ninh"), 0.9, "test", field_name="province", value="Bắc Ninh"),
        members=[
            MemberFact(_span("Sở Y tế"), 0.8, "test", unit="Sở Y tế", surface="Sở Y tế"),
            MemberFact(_span("Sở Tư pháp"), 0.8, "test", unit="Sở Tư pháp", surface="Sở Tư pháp"),
        ],
        roles=[RoleFact(_span("Sở Y tế làm Khối trưởng"), 0.9, "test", unit="Sở Y tế", year=role_year)],
        awards=[
            AwardFact(
                _span("Cờ thi đua cho Sở Tư pháp"),
                0.7,
                "test",
                recipient="Sở Tư pháp",
                award="co_thi_dua",
                issuer="ubnd_tinh",
                year=2018,
                status="proposed",
            )
        ],
    )


def store_run(url: str, record: Record, version: str) -> None:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s, s.begin():
            article = repository.article_for_canonical_url(s, canonical_url=URL)
            if article is None:
                page, _ = repository.save_page(
                    s,
                    portal=None,
                    url=URL,
                    canonical_url=URL,
                    final_url=URL,
                    status=200,
                    headers={},
                    body=b"<html></html>",
                    encoding="utf-8",
                    fetched_at=datetime(2024, 3, 1, tzinfo=UTC),
                )
                article, _ = repository.save_article(
                    s,
                    page=page,
                    url=URL,
                    canonical_url=URL,
                    title="Khối thi đua số 6 tổng kết",
                    text=TEXT,
                    published=date(2019, 1, 3),
                    content_key=content_key(title="Khối thi đua số 6", published=date(2019, 1, 3), text=TEXT),
                    is_bloc_news=True,
                    relevance_reason="test",
                )
            run = repository.start_run(s, extractor_version=version, config={})
            repository.save_record(s, run=run, article=article, record=record)
            repository.finish_run(s, run=run, status="finished", stats={})
    finally:
        engine.dispose()
