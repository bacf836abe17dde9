"""A small store for the web app's tests: three bloc articles written for these tests, one of them
hostile (script tags, event handlers, javascript: links, quotes that try to break attributes, in its
title, URL, text, facts and raw page), and two accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Final

from extract.record import AwardFact, BlocFact, Evidence, MemberFact, Record, RoleFact, ScalarFact
from store import repository
from store.accounts import add_user
from store.db import make_engine, migrate, session_factory
from store.entities import link_all
from store.keys import content_key
from thidua.web.passwords import hash_password

EDITOR: Final = "Nguyễn Thị Lan"
EDITOR_PASSWORD: Final = "mật-khẩu-đủ-dài-1"
ADMIN: Final = "Trần Quốc Admin"
ADMIN_PASSWORD: Final = "mật-khẩu-đủ-dài-2"

BAC_NINH: Final = (
    "Khối thi đua số 6 tỉnh Bắc Ninh tổng kết năm 2018. Khối gồm Sở Y tế, Sở Tư pháp, Sở Nội vụ. "
    "Sở Y tế làm Khối trưởng năm 2019. Hội nghị đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Tư pháp."
)
HOA_BINH: Final = (
    "Cụm thi đua số 3 tỉnh Hòa Bình họp năm 2021 với Sở Tài chính, Sở Xây dựng. "
    "Sở Xây dựng được tặng Bằng khen của Thủ tướng Chính phủ."
)
# everything a page of the internet could throw at the browser
PAYLOAD_SCRIPT: Final = "<script>window.__pwned = 'script'</script>"
PAYLOAD_IMG: Final = "<img src=x onerror=\"window.__pwned='img'\">"
PAYLOAD_LINK: Final = "<a href=\"javascript:window.__pwned='link'\">bấm vào đây</a>"
PAYLOAD_QUOTES: Final = (
    "\" onmouseover=\"window.__pwned='attr'\" x=\"' onfocus='window.__pwned=1' autofocus '"
)
HOSTILE_UNIT: Final = 'Sở "><svg onload=window.__pwned=1> Y tế'
HOSTILE: Final = (
    f"Khối thi đua số 9 tỉnh Lào Cai {PAYLOAD_SCRIPT} họp năm 2020. "
    f"Khối gồm {HOSTILE_UNIT}, Sở Văn hóa {PAYLOAD_IMG}. "
    f"Xem thêm {PAYLOAD_LINK} và {PAYLOAD_QUOTES}. Sở Văn hóa làm Khối trưởng."
)
HOSTILE_TITLE: Final = "</title><script>window.__pwned='title'</script> Khối 9 \"' onload='x"
HOSTILE_URL: Final = "javascript:window.__pwned='url'"
HOSTILE_RAW: Final = (
    "<html><head><script>window.__pwned='raw'</script></head>"
    f"<body onload=\"window.__pwned='raw'\"><p>{HOSTILE}</p></body></html>"
).encode()


# two more Bắc Ninh articles for the entity pages (merge and split): one unit under two names
# ("Trường Chính trị tỉnh", "Trường Chính trị Nguyễn Văn Cừ") and one bloc under two names
# ("Khối các cơ quan Nội chính", "Khối thi đua số 6"), which no name key can join
NOI_CHINH: Final = (
    "Khối các cơ quan Nội chính tỉnh Bắc Ninh tổng kết năm 2020. Khối gồm Sở Tư pháp, Thanh tra tỉnh "
    "và Trường Chính trị tỉnh. Thanh tra tỉnh làm Khối trưởng năm 2021."
)
KHOI_6_2021: Final = (
    "Năm 2021, Khối thi đua số 6 tỉnh Bắc Ninh có Trường Chính trị Nguyễn Văn Cừ và Sở Nội vụ tỉnh Bắc "
    "Ninh. UBND tỉnh tặng Bằng khen cho Trường Chính trị Nguyễn Văn Cừ."
)


def _span(text: str, words: str) -> Evidence:
    start = text.index(words)
    return Evidence(start, start + len(words), words)


def _records() -> list[tuple[str, str, str, date, bytes, Record]]:
    bn = Record(
        doc_id="bac-ninh",
        province=ScalarFact(
            _span(BAC_NINH, "Bắc Ninh"), 0.9, "test", field_name="province", value="Bắc Ninh"
        ),
        event_kinds=[
            ScalarFact(_span(BAC_NINH, "tổng kết"), 0.9, "test", field_name="event_kind", value="tong_ket")
        ],
        blocs=[
            BlocFact(_span(BAC_NINH, "Khối thi đua số 6"), 0.95, "test", name="Khối thi đua số 6", number="6")
        ],
        members=[
            MemberFact(_span(BAC_NINH, u), c, "test", unit=u, surface=u)
            for u, c in (("Sở Y tế", 0.8), ("Sở Tư pháp", 0.8), ("Sở Nội vụ", 0.55))
        ],
        roles=[RoleFact(_span(BAC_NINH, "Sở Y tế làm Khối trưởng"), 0.9, "test", unit="Sở Y tế", year=2019)],
        awards=[
            AwardFact(
                _span(BAC_NINH, "Cờ thi đua cho Sở Tư pháp"),
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
    hb = Record(
        doc_id="hoa-binh",
        province=ScalarFact(
            _span(HOA_BINH, "Hòa Bình"), 0.9, "test", field_name="province", value="Hòa Bình"
        ),
        blocs=[
            BlocFact(_span(HOA_BINH, "Cụm thi đua số 3"), 0.95, "test", name="Cụm thi đua số 3", number="3")
        ],
        members=[
            MemberFact(_span(HOA_BINH, u), 0.85, "test", unit=u, surface=u)
            for u in ("Sở Tài chính", "Sở Xây dựng")
        ],
        awards=[
            AwardFact(
                _span(HOA_BINH, "Sở Xây dựng được tặng Bằng khen"),
                0.9,
                "test",
                recipient="Sở Xây dựng",
                award="bang_khen",
                issuer="thu_tuong",
                year=2021,
                status="conferred",
            )
        ],
    )
    bad = Record(
        doc_id="hostile",
        province=ScalarFact(_span(HOSTILE, "Lào Cai"), 0.9, "test", field_name="province", value="Lào Cai"),
        blocs=[
            BlocFact(
                _span(HOSTILE, "Khối thi đua số 9"), 0.95, "test", name=f"Khối 9 {PAYLOAD_IMG}", number="9"
            )
        ],
        members=[
            MemberFact(_span(HOSTILE, HOSTILE_UNIT), 0.6, "test", unit=HOSTILE_UNIT, surface=HOSTILE_UNIT),
            MemberFact(
                _span(HOSTILE, PAYLOAD_SCRIPT), 0.5, "test", unit=PAYLOAD_SCRIPT, surface=PAYLOAD_SCRIPT
            ),
            MemberFact(
                _span(HOSTILE, PAYLOAD_QUOTES), 0.5, "test", unit=PAYLOAD_QUOTES, surface=PAYLOAD_QUOTES
            ),
        ],
        roles=[
            RoleFact(_span(HOSTILE, "Sở Văn hóa làm Khối trưởng"), 0.9, "test", unit=PAYLOAD_LINK, year=2020)
        ],
    )
    return [
        (
            "https://bacninh.example.gov.vn/tin/khoi-6",
            "Khối thi đua số 6 tổng kết",
            BAC_NINH,
            date(2019, 1, 3),
            b"<html><body><p>Khoi 6</p></body></html>",
            bn,
        ),
        (
            "https://hoabinh.example.gov.vn/tin/cum-3",
            "Cụm thi đua số 3 Hòa Bình",
            HOA_BINH,
            date(2021, 5, 2),
            b"<html><body><p>Cum 3</p></body></html>",
            hb,
        ),
        (HOSTILE_URL, HOSTILE_TITLE, HOSTILE, date(2020, 7, 7), HOSTILE_RAW, bad),
    ]


def _entity_records() -> list[tuple[str, str, str, date, bytes, Record]]:
    def province(text: str) -> ScalarFact:
        return ScalarFact(_span(text, "Bắc Ninh"), 0.9, "test", field_name="province", value="Bắc Ninh")

    noi_chinh = Record(
        doc_id="noi-chinh",
        province=province(NOI_CHINH),
        blocs=[
            BlocFact(
                _span(NOI_CHINH, "Khối các cơ quan Nội chính"), 0.9, "test", name="Khối các cơ quan Nội chính"
            )
        ],
        members=[
            MemberFact(_span(NOI_CHINH, u), 0.85, "test", unit=u, surface=u)
            for u in ("Sở Tư pháp", "Thanh tra tỉnh", "Trường Chính trị tỉnh")
        ],
        roles=[
            RoleFact(
                _span(NOI_CHINH, "Thanh tra tỉnh làm Khối trưởng"),
                0.9,
                "test",
                unit="Thanh tra tỉnh",
                year=2021,
            )
        ],
    )
    school = "Trường Chính trị Nguyễn Văn Cừ"
    khoi_6 = Record(
        doc_id="khoi-6-2021",
        province=province(KHOI_6_2021),
        blocs=[
            BlocFact(
                _span(KHOI_6_2021, "Khối thi đua số 6"), 0.95, "test", name="Khối thi đua số 6", number="6"
            )
        ],
        members=[
            MemberFact(_span(KHOI_6_2021, school), 0.9, "test", unit=school, surface=school),
            MemberFact(
                _span(KHOI_6_2021, "Sở Nội vụ tỉnh Bắc Ninh"),
                0.9,
                "test",
                unit="Sở Nội vụ tỉnh Bắc Ninh",
                surface="Sở Nội vụ tỉnh Bắc Ninh",
            ),
        ],
        awards=[
            AwardFact(
                _span(KHOI_6_2021, f"Bằng khen cho {school}"),
                0.85,
                "test",
                recipient=school,
                award="bang_khen",
                issuer="ubnd_tinh",
                year=2021,
                status="conferred",
            )
        ],
    )
    return [
        (
            "https://bacninh.example.gov.vn/tin/noi-chinh-2020",
            "Khối các cơ quan Nội chính tổng kết 2020",
            NOI_CHINH,
            date(2020, 12, 28),
            b"<html><body><p>Noi chinh</p></body></html>",
            noi_chinh,
        ),
        (
            "https://bacninh.example.gov.vn/tin/khoi-6-2021",
            "Khối thi đua số 6 năm 2021",
            KHOI_6_2021,
            date(2021, 12, 20),
            b"<html><body><p>Khoi 6 2021</p></body></html>",
            khoi_6,
        ),
    ]


def seed(url: str, *, entities: bool = False) -> dict[str, int]:
    """Create the schema at `url` and store the articles, records and accounts; return article ids.

    With `entities`, two more Bắc Ninh articles are stored (`_entity_records`) and every record's
    units and blocs are linked to entities, as the crawler does when it stores a record.
    """
    migrate(url)
    engine = make_engine(url)
    ids: dict[str, int] = {}
    try:
        with session_factory(engine)() as s, s.begin():
            run = repository.start_run(s, extractor_version="0.4.1", config={})
            for page_url, title, text, published, body, record in _records() + (
                _entity_records() if entities else []
            ):
                page, _ = repository.save_page(
                    s,
                    portal=None,
                    url=page_url,
                    canonical_url=page_url,
                    final_url=page_url,
                    status=200,
                    headers={},
                    body=body,
                    encoding="utf-8",
                    fetched_at=datetime(2024, 3, 1, tzinfo=UTC),
                )
                article, _ = repository.save_article(
                    s,
                    page=page,
                    url=page_url,
                    canonical_url=page_url,
                    title=title,
                    text=text,
                    published=published,
                    content_key=content_key(title=title, published=published, text=text),
                    is_bloc_news=True,
                    relevance_reason="test",
                )
                repository.save_record(s, run=run, article=article, record=record)
                ids[record.doc_id] = article.id
            repository.finish_run(s, run=run, status="finished", stats={})
            if entities:
                link_all(s)
            add_user(s, name=EDITOR, role="editor", password_hash=hash_password(EDITOR_PASSWORD))
            add_user(s, name=ADMIN, role="admin", password_hash=hash_password(ADMIN_PASSWORD))
    finally:
        engine.dispose()
    return ids
