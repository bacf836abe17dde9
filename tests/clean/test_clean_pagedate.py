from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from extract.pagedate import parse_page_date, parse_page_datetime, parse_page_timestamp

D = dt.date
T = dt.time

# fmt: off
CASES = [
    ("09/01/2019",                                         D(2019, 1, 9),   None),
    ("18/7/2022",                                          D(2022, 7, 18),  None),
    ("( Cập nhật lúc: 14/06/2021  )",                      D(2021, 6, 14),  None),
    ("Cập nhật lúc: 07:45 11/10/2019",                     D(2019, 10, 11), T(7, 45)),
    ("Cập nhật:02/12/2022 9:18:04 SA",                     D(2022, 12, 2),  T(9, 18, 4)),
    ("Cập nhật:02/12/2022 3:18:04 CH",                     D(2022, 12, 2),  T(15, 18, 4)),
    ("22/09/2022 15:15",                                   D(2022, 9, 22),  T(15, 15)),
    ("03/04/2020 | 10:36 PM",                              D(2020, 4, 3),   T(22, 36)),
    ("03/04/2020 | 12:05 AM",                              D(2020, 4, 3),   T(0, 5)),
    ("Ngày đăng 18/03/2019 | 04:01 PM",                    D(2019, 3, 18),  T(16, 1)),
    ("Ngày đăng 27/03/2017 | 12:10 PM | Lượt xem: 536",    D(2017, 3, 27),  T(12, 10)),
    ("Thứ năm - 22/11/2018 22:00",                         D(2018, 11, 22), T(22, 0)),
    ("Thứ năm - 04/01/2024 15:20 | 2130",                  D(2024, 1, 4),   T(15, 20)),
    ("Bài đăng vào lúc: 16:21:00, ngày: 12/01/2022 GMT +7", D(2022, 1, 12), T(16, 21)),
    ("(Thứ tư, 22/02/2017, 02:38 GMT+7)",                  D(2017, 2, 22),  T(2, 38)),
    ("Đăng ngày 28 - 08 - 2015",                           D(2015, 8, 28),  None),
    ("Ngày: 30/12/2011",                                   D(2011, 12, 30), None),
    ("(29/07/2024)",                                       D(2024, 7, 29),  None),
    ("(29/06/2026, 14:49)",                                D(2026, 6, 29),  T(14, 49)),
    ("Thứ Sáu, 15/03/2019, 09:41 [GMT+7]",                 D(2019, 3, 15),  T(9, 41)),
    ("Cập nhật: 23-05-2021 | 14:07:31",                    D(2021, 5, 23),  T(14, 7, 31)),
    ("Thứ năm, ngày 28 tháng 3 năm 2024",                  D(2024, 3, 28),  None),
    ("2017-03-28T08:00:00+07:00",                          D(2017, 3, 28),  T(8, 0)),
    ("2018-11-22+0722:00:00",                              D(2018, 11, 22), None),  # NukeViet meta
    ("Ngày 27/3/2017",                                     D(2017, 3, 27),  None),
]
# fmt: on


@pytest.mark.parametrize(("text", "day", "clock"), CASES, ids=[c[0] for c in CASES])
def test_every_portal_date_format(text: str, day: dt.date, clock: dt.time | None) -> None:
    assert parse_page_timestamp(text) == (day, clock)
    assert parse_page_date(text) == day


def test_nfd_input_is_normalised_first() -> None:
    assert parse_page_date(unicodedata.normalize("NFD", "Thứ năm, ngày 28 tháng 3 năm 2024")) == D(
        2024, 3, 28
    )


@pytest.mark.parametrize("text", ["", "Lượt xem: 536", "31/02/2019", "99/99/9999", "Số: 1306/QĐ-UBND"])
def test_no_date(text: str) -> None:
    assert parse_page_date(text) is None


def test_first_date_wins_and_datetime_is_vietnam_time() -> None:
    assert parse_page_date("Ngày đăng 05/03/2024, sửa 06/03/2024") == D(2024, 3, 5)
    stamp = parse_page_datetime("03/04/2020 | 10:36 PM")
    assert stamp is not None and stamp.isoformat() == "2020-04-03T22:36:00+07:00"
