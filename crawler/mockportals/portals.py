"""The mock portals: name, host, CMS family and the site-wide strings each one prints.

The crawler's view of the same portals (start URLs, URL rules) is crawler/registry.py.
See ../shared/research/portals.md §6 for what each family imitates.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MockPortal:
    name: str
    host: str
    family: str
    province: str | None
    site_name: str  # printed in the banner, <title> and footer
    licence: str  # "Giấy phép …" line of the footer
    source_notice: str  # "Ghi rõ nguồn … khi phát hành lại …"


MOCK_PORTALS: tuple[MockPortal, ...] = (
    MockPortal(
        "hoabinh",
        "hoabinh.gov.vn.test",
        "liferay",
        "Hòa Bình",
        "Cổng thông tin điện tử tỉnh Hòa Bình",
        "Giấy phép xuất bản số 21/GP-TTĐT ngày 15/03/2019 do Cục Phát thanh, truyền hình và thông tin"
        " điện tử cấp",
        "Ghi rõ nguồn “Cổng thông tin điện tử tỉnh Hòa Bình” khi phát hành lại thông tin từ website này.",
    ),
    MockPortal(
        "bacgiang",
        "bacgiang.gov.vn.test",
        "liferay",
        "Bắc Giang",
        "Cổng thông tin điện tử tỉnh Bắc Giang",
        "Giấy phép xuất bản số 117/GP-TTĐT ngày 09/10/2018 - Bộ Thông tin và Truyền thông",
        "Ghi rõ nguồn 'bacgiang.gov.vn' khi phát hành lại thông tin từ Cổng TTĐT này.",
    ),
    MockPortal(
        "quangninh",
        "quangninh.gov.vn.test",
        "sharepoint",
        "Quảng Ninh",
        "Cổng thông tin điện tử tỉnh Quảng Ninh",
        "Giấy phép xuất bản: số 53/GP-TTĐT ngày 27/05/2015 - Cục Phát thanh, truyền hình và thông tin"
        " điện tử - Bộ Thông tin và Truyền thông",
        'Ghi rõ nguồn "Quảng Ninh Portal" khi phát hành lại thông tin từ Website này.',
    ),
    MockPortal(
        "thaibinh",
        "thaibinh.gov.vn.test",
        "sharepoint",
        "Thái Bình",
        "Cổng thông tin điện tử tỉnh Thái Bình",
        "Giấy phép số 06/GP-TTĐT ngày 20/01/2017 của Bộ Thông tin và Truyền thông",
        'Ghi rõ nguồn "Cổng TTĐT tỉnh Thái Bình" khi phát hành lại thông tin từ Website này.',
    ),
    MockPortal(
        "backan-snv",
        "sonoivu.backan.gov.vn.test",
        "sharepoint",
        "Bắc Kạn",
        "Sở Nội vụ tỉnh Bắc Kạn",
        "Giấy phép số 02/GP-STTTT ngày 12/03/2016 của Sở Thông tin và Truyền thông tỉnh Bắc Kạn",
        "Ghi rõ nguồn “Sở Nội vụ tỉnh Bắc Kạn” khi phát hành lại thông tin từ website này.",
    ),
    MockPortal(
        "binhphuoc-stttt",
        "stttt.binhphuoc.gov.vn.test",
        "aspnet",
        "Bình Phước",
        "Sở Thông tin và Truyền thông tỉnh Bình Phước",
        "Giấy phép số 35/GP-STTTT ngày 04/06/2012",
        "Ghi rõ nguồn “ict-binhphuoc.gov.vn” khi phát hành lại thông tin từ website này.",
    ),
    MockPortal(
        "tayninh-stc",
        "sotaichinh.tayninh.gov.vn.test",
        "nukeviet",
        "Tây Ninh",
        "Sở Tài chính tỉnh Tây Ninh",
        "Giấy phép số 14/GP-TTĐT ngày 28/08/2018 của Sở Thông tin và Truyền thông tỉnh Tây Ninh",
        "Ghi rõ nguồn “Sở Tài chính Tây Ninh” khi phát hành lại thông tin từ website này.",
    ),
    MockPortal(
        "binhdinh-stp",
        "stp.binhdinh.gov.vn.test",
        "nukeviet",
        "Bình Định",
        "Sở Tư pháp tỉnh Bình Định",
        "Giấy phép số 09/GP-STTTT ngày 17/05/2017 của Sở Thông tin và Truyền thông tỉnh Bình Định",
        "Ghi rõ nguồn “Sở Tư pháp Bình Định” khi phát hành lại thông tin từ website này.",
    ),
    MockPortal(
        "quangnam-toaan",
        "toaan.quangnam.gov.vn.test",
        "wordpress",
        "Quảng Nam",
        "Tòa án nhân dân tỉnh Quảng Nam",
        "Giấy phép số 118/GP-STTTT ngày 02/12/2016 của Sở Thông tin và Truyền thông tỉnh Quảng Nam",
        "Ghi rõ nguồn “Tòa án nhân dân tỉnh Quảng Nam” khi phát hành lại thông tin từ website này.",
    ),
    MockPortal(
        "thidua-tw",
        "thiduakhenthuong.vn.test",
        "liferay",
        None,
        "Ban Thi đua - Khen thưởng Trung ương",
        "Giấy phép số 169/GP-TTĐT ngày 30/12/2016 của Cục Phát thanh, truyền hình và thông tin điện tử",
        "Ghi rõ nguồn “Ban Thi đua - Khen thưởng Trung ương” khi phát hành lại thông tin từ website này.",
    ),
)


def mock_portal(name: str) -> MockPortal:
    """Return the mock portal called `name`."""
    for p in MOCK_PORTALS:
        if p.name == name:
            return p
    known = ", ".join(p.name for p in MOCK_PORTALS)
    raise KeyError(f'no mock portal {name!r}; set meta "portal" to one of: {known}')
