"""Write crawler/portals/provinces.toml: a portal and a Sở Nội vụ entry for each of the 63 provinces.

    python -m crawler.registry_gen > crawler/portals/provinces.toml

The province list (and which of the 63 became which of the 34 on 1 July 2025) comes from the
`vietnamadminunits` data through `extract.places`. Hosts follow the national pattern
``<province>.gov.vn`` except where the research (../shared/research/portals.md) or common
knowledge says otherwise; the family is filled in where the research saw the site, "unknown"
elsewhere. Entries not seen by anyone are `verified = false`: `thidua portals check` tells an
operator with internet which respond and which family their URLs belong to; edit the entry then
(the file is generated once and maintained by hand; rerunning overwrites hand edits).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from extract.places import places


@dataclass(frozen=True, slots=True)
class Seen:
    """What the research saw of one site."""

    host: str
    family: str
    start_paths: tuple[str, ...] = ()
    notes: str = ""


# province portals the research saw ([P] page excerpt, [C] code or mirror; portals.md)
PORTAL_SEEN: dict[str, Seen] = {
    "hoabinh": Seen("hoabinh.gov.vn", "liferay", (), "Liferay 7, vendor portlet com_soft_article [P]."),
    "bacgiang": Seen("bacgiang.gov.vn", "liferay", (), "Liferay; articles /web/guest/-/<urlTitle> [C]."),
    "daklak": Seen("daklak.gov.vn", "liferay", (), "Liferay 7; robots.txt names /sitemap.xml [C]."),
    "quangninh": Seen(
        "www.quangninh.gov.vn",
        "sharepoint",
        ("/Trang/tin-tuc-su-kien.aspx",),
        "SharePoint 'Trang' variant; department sub-sites under /So/<dept>/ [P][C].",
    ),
    "thaibinh": Seen(
        "portal.thaibinh.gov.vn",
        "sharepoint",
        ("/tintuc/Pages/tin-so-nganh.aspx",),
        "SharePoint list page + ItemID [P].",
    ),
    "yenbai": Seen("yenbai.gov.vn", "sharepoint", (), "SharePoint list page + ItemID; page= sticks [P]."),
    "dienbien": Seen("dienbien.gov.vn", "sharepoint", (), "SharePoint portal/Pages/<date>/ [P]."),
    "ninhthuan": Seen("ninhthuan.gov.vn", "sharepoint", (), "SharePoint portal/Pages/<date>/ [P][C]."),
    "tayninh": Seen("tayninh.gov.vn", "nukeviet", (), "From a SharePoint list form to NukeViet URLs [P]."),
    "hatinh": Seen("hatinh.gov.vn", "custom", ("/chi-dao-dieu-hanh",), "2019+ custom portal, ?page=N [P]."),
    "thuathienhue": Seen(
        "thuathienhue.gov.vn",
        "aspnet",
        (),
        "Huế CIT multi-level portal, /vi-vn/<cat>/tid/<slug>/newsid/<GUID>/cid/<GUID> [P]; "
        "the city of Huế since 2025 (hue.gov.vn may replace it).",
    ),
    "binhphuoc": Seen(
        "binhphuoc.gov.vn",
        "custom",
        (),
        "Departments are path prefixes: /vi/stttt/<cat>/<slug>-2497.html [P].",
    ),
}
# hosts that do not follow <slug>.gov.vn (not seen by the research: common knowledge, unverified)
HOSTS: dict[str, str] = {
    "hochiminh": "hochiminhcity.gov.vn",
    "bariavungtau": "baria-vungtau.gov.vn",
}
# Sở Nội vụ sites the research saw
DEPARTMENT_SEEN: dict[str, Seen] = {
    "backan": Seen(
        "sonoivu.backan.gov.vn",
        "sharepoint",
        ("/Pages/thong-tin-hoat-dong-387.aspx",),
        "SharePoint 'Pages/<cat>-<id>/<slug>-<16hex>.aspx' [P].",
    ),
    "hungyen": Seen("sonv.hungyen.gov.vn", "sharepoint", (), "SharePoint portal/Pages/<date>/ [P]."),
}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _entry(
    *, name: str, level: str, province: str, family: str, start_urls: list[str], notes: str, **extra: object
) -> str:
    lines = [
        "[[portal]]",
        f"name = {_q(name)}",
        f"level = {_q(level)}",
        f"province = {_q(province)}",
        f"family = {_q(family)}",
        f"hosts = [{_q(name)}]",
        f"start_urls = [{', '.join(map(_q, start_urls))}]",
    ]
    for key, value in extra.items():
        lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else _q(str(value))}")
    lines.append(f"notes = {_q(notes)}")
    return "\n".join(lines) + "\n"


def generate() -> str:
    """Return the TOML text of the province and Sở Nội vụ entries."""
    out = [
        "# GENERATED ONCE by `python -m crawler.registry_gen`, then maintained by hand (see its docstring).\n"
        "# One portal and one Sở Nội vụ (home affairs department, which holds the emulation and awards\n"
        "# board) entry per province of the 63 before 1 July 2025; `current = true` marks the 34 of\n"
        "# today, `merged_into` the province an older one joined. URL rules come from `family`\n"
        "# (crawler/portals/families.toml).\n"
    ]
    for p in places().provinces:
        seen = PORTAL_SEEN.get(p.slug)
        host = seen.host if seen else HOSTS.get(p.slug, f"{p.slug}.gov.vn")
        paths = ("/", *seen.start_paths) if seen else ("/",)
        where = f"the province of {p.name}" + ("" if p.in_2025 else f", merged into {p.merged_into} in 2025")
        out.append(
            _entry(
                name=host,
                level="province",
                province=p.name,
                family=seen.family if seen else "unknown",
                start_urls=[f"https://{host}{path}" for path in paths],
                notes=(seen.notes if seen else "Host from the <province>.gov.vn pattern; not seen yet.")
                + f" Portal of {where}.",
                current=p.in_2025,
                merged_into="" if p.in_2025 else p.merged_into,
                verified=seen is not None,
            )
        )
        dept = DEPARTMENT_SEEN.get(p.slug)
        dhost = dept.host if dept else f"sonoivu.{p.slug}.gov.vn"
        dpaths = ("/", *dept.start_paths) if dept else ("/",)
        out.append(
            _entry(
                name=dhost,
                level="department",
                province=p.name,
                family=dept.family if dept else "unknown",
                start_urls=[f"https://{dhost}{path}" for path in dpaths],
                notes=(
                    dept.notes if dept else "Host from the sonoivu.<province>.gov.vn pattern; not seen yet."
                )
                + f" Sở Nội vụ of {where}: bloc news of the provincial emulation board.",
                department="Sở Nội vụ",
                current=p.in_2025,
                merged_into="" if p.in_2025 else p.merged_into,
                verified=dept is not None,
            )
        )
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(generate())
