"""store.data_version on both engines: every write that changes what researchers' pages show
(a new article, a changed article text, a new record, a correction, an undo) changes the version;
reads do not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections, repository
from store.browse import Filters, browse
from store.data_version import data_version
from store.models import Article
from store.versions import revise_article

TEXT = "Khối thi đua số 3 tỉnh Nam Định năm 2021 gồm Sở Y tế, Sở Tư pháp."


def test_each_write_researchers_see_changes_the_version(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> None:
    before = data_version(session)
    assert len(before) == 4 and all(isinstance(n, int) for n in before)

    article = make_article(TEXT, title="Khối 3 Nam Định", published=date(2021, 12, 1))
    session.flush()
    after_article = data_version(session)
    assert after_article != before

    run = repository.start_run(session, extractor_version="0.4.1", config={})
    record = build_record(TEXT, doc_id="v", province="Nam Định", members=("Sở Y tế", "Sở Tư pháp"))
    repository.save_record(session, run=run, article=article, record=record)
    after_record = data_version(session)
    assert after_record != after_article

    # reading changes nothing
    browse(session, Filters(q="y tế"))
    assert data_version(session) == after_record

    made = corrections.delete_fact(session, article_id=article.id, fact="member#1", editor="Chị Lan")
    after_correction = data_version(session)
    assert after_correction != after_record

    corrections.undo(session, correction_id=made.id, editor="Chị Lan")
    after_undo = data_version(session)
    assert after_undo != after_correction

    revise_article(
        session,
        article=article,
        url=article.url,
        title="Khối 3 Nam Định (sửa)",
        text=TEXT + " Bổ sung.",
        published=article.published,
        content_key=article.content_key,
        is_bloc_news=True,
        relevance_reason="bloc words in title",
        at=datetime(2022, 1, 5, tzinfo=UTC),
    )
    session.flush()
    assert data_version(session) != after_undo
