"""The `thidua` command: thin wrappers over extract/, store/ and crawler/ functions."""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from thidua.safe_read import shown
from thidua.settings import Settings


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:  # one line per bad variable instead of pydantic's report
        problems = []
        for error in exc.errors():
            name = "THIDUA_" + "_".join(map(str, error["loc"])).upper()
            message = error["msg"].removeprefix("Value error, ")
            problems.append(message if name in message else f"{name}: {message}")
        raise click.ClickException("; ".join(problems)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """thidua: Vietnamese emulation-bloc news → a queryable, correctable database."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@main.command("extract-text")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="OUT.jsonl"
)
@click.option("--full", is_flag=True, help="Also write evidence, confidence and flags for every fact.")
def extract_text(directory: Path, output: Path, full: bool) -> None:
    """Extract one SCHEMA.md record per DIR/*.txt into OUT.jsonl.

    Each DIR/<stem>.meta.json may give {"url": ..., "published": ...}. A file that cannot be read (not
    a regular file, above the size cap, not UTF-8, not text) gets an empty record and its error on
    stderr; unreadable metadata is a warning and the text is extracted without it. The run never stops
    on one bad file; it exits with status 1 when any file or metadata failed.

    Example: thidua extract-text ../shared/corpus/dev/text -o pred.jsonl
    """
    from thidua.extract_files import extract_dir, write_jsonl

    errors: list[str] = []
    warnings: list[str] = []

    def on_error(message: str) -> None:
        errors.append(message)
        click.echo(f"error: {message}", err=True)

    def on_warning(message: str) -> None:
        warnings.append(message)
        click.echo(f"warning: {message}", err=True)

    cap = _settings().max_article_bytes
    recs = write_jsonl(
        extract_dir(directory, max_bytes=cap), output, full=full, on_error=on_error, on_warning=on_warning
    )
    click.echo(
        f"{len(recs)} records written to {shown(output)} ({len(errors)} failed, {len(warnings)} warnings)",
        err=True,
    )
    if errors or warnings:
        sys.exit(1)


@main.command("eval")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--per-doc", is_flag=True, help="List each article's misses.")
@click.option(
    "--diff", is_flag=True, help="Print each missed gold fact (-) and each unmatched prediction (+)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--min-f1", type=float, default=None, help="Exit 1 if overall F1 is below this floor.")
@click.option(
    "--fold",
    "folds",
    type=int,
    multiple=True,
    help="Score only this fold (1-4, repeatable) of the fixed split in extract/folds.py.",
)
@click.option(
    "--calibration",
    is_flag=True,
    help="Also judge every fact: precision per confidence bucket, at >= 0.9, and in the lowest 20%.",
)
@click.option("--by-rule", is_flag=True, help="Also print precision per extraction rule, weakest first.")
def eval_cmd(
    directory: Path,
    per_doc: bool,
    diff: bool,
    as_json: bool,
    min_f1: float | None,
    folds: tuple[int, ...],
    calibration: bool,
    by_rule: bool,
) -> None:
    """Extract DIR/text/*.txt and score against DIR/gold/*.json (rules of SCHEMA.md).

    Example: thidua eval ../shared/corpus/dev --fold 1 --fold 2 --per-doc
    Example: thidua eval ../shared/corpus/dev --fold 1 --calibration --by-rule
    """
    from extract import calibration as calib
    from extract.folds import FoldError, select_folds
    from extract.scoring import diff_doc, format_table, score
    from thidua.extract_files import extract_dir, write_jsonl

    gold_dir, text_dir = directory / "gold", directory / "text"
    if not gold_dir.is_dir() or not text_dir.is_dir():
        raise click.ClickException(f"{directory} must hold text/ and gold/ folders")
    golds = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.json"))}
    only: set[str] | None = None
    if folds:
        try:
            only = select_folds(golds, folds)
        except FoldError as exc:
            raise click.BadParameter(str(exc), param_hint="--fold") from exc
        golds = {d: g for d, g in golds.items() if d in only}
    if not golds:  # scoring nothing would report a perfect F1 and pass any --min-f1 floor
        raise click.ClickException(
            f"no gold records to score in {gold_dir}" + (" for these folds" if folds else "")
        )
    results = list(extract_dir(text_dir, only))  # kept: --calibration and --by-rule read the full records
    with tempfile.TemporaryDirectory() as tmp:
        preds = write_jsonl(
            iter(results), Path(tmp) / "pred.jsonl", on_error=lambda e: click.echo(e, err=True)
        )
    result = score(golds, preds)
    judged = (
        calib.judge_records(golds, {r.doc_id: r.record for r in results}) if calibration or by_rule else []
    )
    missing = [d for d in golds if d not in preds]
    if diff:
        for doc_id, gold in golds.items():
            for fname, (missed, extra) in diff_doc(gold, preds.get(doc_id, {})).items():
                for g in missed:
                    click.echo(f"{doc_id} {fname} - {json.dumps(g, ensure_ascii=False)}")
                for p in extra:
                    click.echo(f"{doc_id} {fname} + {json.dumps(p, ensure_ascii=False)}")
    if per_doc:
        for doc_id, counts in result.per_doc.items():
            bad = {f: c for f, c in counts.items() if not (c[0] == c[1] == c[2])}
            if bad:
                click.echo(
                    f"{doc_id}: "
                    + ", ".join(f"{f} tp={c[0]} gold={c[1]} pred={c[2]}" for f, c in bad.items())
                )
    if as_json:
        fields: dict[str, Any] = {}
        for name, c in [*result.fields.items(), ("overall", result.overall)]:
            p, r, f1 = c.prf()
            fields[name] = {"precision": p, "recall": r, "f1": f1, "tp": c.tp, "gold": c.gold, "pred": c.pred}
        summary: dict[str, Any] = {"docs": len(golds), "missing": missing, "fields": fields}
        if calibration:
            summary["calibration"] = calib.calibration(judged).to_json()
        if by_rule:
            summary["by_rule"] = [row.to_json() for row in calib.by_rule(judged)]
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        click.echo(format_table(result, docs=len(golds), missing=missing))
        if calibration:
            click.echo("\n" + calib.format_calibration(calib.calibration(judged)))
        if by_rule:
            click.echo("\n" + calib.format_by_rule(calib.by_rule(judged)))
    overall = result.overall.prf()[2]
    if min_f1 is not None and overall < min_f1:
        raise click.ClickException(f"overall F1 {overall:.4f} is below the floor {min_f1:.4f}")


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database at THIDUA_DATABASE_URL to the latest schema, then check it.

    A damaged SQLite file (integrity check) or a schema that differs from the models (a column
    dropped by hand) is reported with exit status 1 instead of "database ready".

    Example: THIDUA_DATABASE_URL=sqlite:///var/thidua.sqlite thidua init-db
    """
    from store.db import describe_url, init_database
    from store.errors import DatabaseError

    s = _settings()
    try:
        init_database(s.database_url)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"database ready: {describe_url(s.database_url)}")


@main.command("crawl")
@click.option("-p", "--portal", "portals", multiple=True, help="Registry name (repeatable); all by default.")
@click.option("--refresh", is_flag=True, help="Re-fetch articles already stored.")
def crawl(portals: tuple[str, ...], refresh: bool) -> None:
    """Crawl portals into the database: fetch, clean, filter bloc news, extract, store.

    Uses THIDUA_DATABASE_URL and THIDUA_HTTP_PROXY. Example: thidua crawl -p hoabinh
    """
    from crawler.run import run_crawl

    try:
        stats = run_crawl(
            _settings(),
            portals=list(portals) or None,
            progress=lambda ln: click.echo(ln, err=True),
            refresh=refresh,
        )
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    click.echo(
        json.dumps(stats.__dict__ if hasattr(stats, "__dict__") else _asdict(stats), ensure_ascii=False)
    )


def _asdict(obj: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(obj)


@main.command("demo")
@click.option(
    "--database",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("var/demo.sqlite"),
    show_default=True,
    help="SQLite file to (re)create for the demo.",
)
def demo(database: Path) -> None:
    """Start the bundled mock portals, crawl them all into a fresh SQLite file, print a summary.

    Example: thidua demo
    """
    from crawler.mockportals import start_server
    from crawler.run import run_crawl
    from store.db import make_engine, migrate, session_factory
    from store.queries import summary

    database.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    started = time.monotonic()
    with start_server() as server:
        click.echo(f"mock portals serving on {server.url} (used as the crawl's HTTP proxy)", err=True)
        settings = Settings(
            database_url=url, http_proxy=server.url, crawl_download_delay=0.0, log_level="WARNING"
        )
        migrate(url)
        stats = run_crawl(settings, progress=lambda ln: click.echo(f"  … {ln}", err=True))
    engine = make_engine(url)
    with session_factory(engine)() as session:
        counts = summary(session)
    engine.dispose()
    click.echo(_format_summary(_asdict(stats), counts, time.monotonic() - started, url))


def _format_summary(stats: dict[str, Any], counts: dict[str, Any], seconds: float, url: str) -> str:
    facts = counts.get("facts", {})
    failures = counts.get("failures", {})
    lines = [
        "",
        f"thidua demo finished in {seconds:.1f} s → {url}",
        f"  requests sent          {stats.get('requests', 0)}",
        f"  pages stored           {counts.get('pages', 0)}",
        f"  articles found         {counts.get('articles', 0)}",
        f"  kept as bloc news      {counts.get('bloc_news_articles', 0)}",
        f"  duplicates merged      {stats.get('duplicates', 0)}",
        f"  records                {counts.get('records', 0)}",
        "  facts by kind          " + ", ".join(f"{k} {v}" for k, v in sorted(facts.items())),
        "  failures               " + (", ".join(f"{k} {v}" for k, v in sorted(failures.items())) or "none"),
        "Try: thidua query --province 'Hòa Bình'   (with THIDUA_DATABASE_URL=" + url + ")",
    ]
    return "\n".join(lines)


F = Any  # a click command function


def record_filters(command: F) -> F:
    """Add the record filters `query` and `export` share (checked by `store.queries`)."""
    options = [
        click.option(
            "--province",
            help="Province name, e.g. 'Bắc Ninh' (diacritics optional); a province of 2025 "
            "('Đồng Nai') also matches the old ones merged into it ('Bình Phước').",
        ),
        click.option("--year", type=int, help="Year of the meeting or publication."),
        click.option("--bloc", help="Bloc number or words of its name."),
        click.option("--unit", help="Words of a unit name (member, leader or award recipient)."),
        click.option(
            "--award",
            type=click.Choice(
                ["co_thi_dua", "bang_khen", "co_luan_luu", "huan_chuong", "giay_khen", "danh_hieu", "other"]
            ),
            help="Award type.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command("query")
@record_filters
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print records as JSON lines.")
def query(
    province: str | None,
    year: int | None,
    bloc: str | None,
    unit: str | None,
    award: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Find current records (corrections applied) by province, year, bloc, unit or award type.

    A record whose machine facts changed under a correction is marked [review]; `thidua record
    ARTICLE` shows why. --json prints each current record with its facts' provenance.

    Example: thidua query --province 'Hòa Bình' --award co_thi_dua --json
    """
    from store.db import open_store, session_factory, translate_errors
    from store.errors import StoreError
    from store.queries import find_records

    url = _settings().database_url
    try:
        # read-only: a query never creates, migrates or writes the database
        engine = open_store(url, read_only=True)
        try:
            with translate_errors(url), session_factory(engine)() as session:
                rows = find_records(
                    session, province=province, year=year, bloc=bloc, unit=unit, award=award, limit=limit
                )
        finally:
            engine.dispose()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False, default=str))
        return
    if not rows:
        click.echo("no records match", err=True)
        return
    click.echo(
        f"{'date':<10}  {'province':<16} {'bloc':<40} {'members':>7} {'roles':>5} {'awards':>6}  title"
    )
    for r in rows:
        bloc_name = (r.get("blocs") or [{}])[0].get("name", "") if r.get("blocs") else ""
        click.echo(
            f"{r.get('event_date') or r.get('published') or '':<10}  {(r.get('province') or '-'):<16} "
            f"{bloc_name[:40]:<40} {len(r.get('members') or []):>7} {len(r.get('roles') or []):>5} "
            f"{len(r.get('awards') or []):>6}  {'[review] ' if r.get('review') else ''}"
            f"{(r.get('title') or '')[:60]}"
        )


def _research(call: Any) -> Any:
    """Run `call(session)` on a read-only store; a StoreError becomes one line and exit status 1."""
    from store.db import open_store, session_factory, translate_errors
    from store.errors import StoreError

    url = _settings().database_url
    try:
        # read-only, as `query`: research commands never create, migrate or write the database
        engine = open_store(url, read_only=True)
        try:
            with translate_errors(url), session_factory(engine)() as session:
                return call(session)
        finally:
            engine.dispose()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("search")
@click.argument("text")
@record_filters
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per article.")
def search_cmd(
    text: str,
    province: str | None,
    year: int | None,
    bloc: str | None,
    unit: str | None,
    award: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Find articles whose title or text holds TEXT's words, newest first.

    Accents and case are optional ("ha noi" finds "Hà Nội"); words in double quotes must
    stand together, in that order. Filters narrow to articles whose current record passes them.

    Example: thidua search '"Khối thi đua" Hà Nội' --year 2024
    """
    from store.search import search_articles

    hits = _research(
        lambda s: search_articles(
            s, text, province=province, year=year, bloc=bloc, unit=unit, award=award, limit=limit
        )
    )
    if as_json:
        for hit in hits:
            click.echo(json.dumps(hit, ensure_ascii=False))
        return
    if not hits:
        click.echo("no articles match", err=True)
        return
    for hit in hits:
        click.echo(f"{hit['published'] or 'undated':<10}  {hit['title'] or '(no title)'}")
        click.echo(f"            {hit['url']}")
        click.echo(f"            {_marked(hit['snippet'], hit['marks'])}")


def _marked(snippet: str, marks: list[tuple[int, int]]) -> str:
    """Return `snippet` with each matched word between [ and ]."""
    out, at = [], 0
    for start, end in marks:
        out += [snippet[at:start], "[", snippet[start:end], "]"]
        at = end
    return "".join([*out, snippet[at:]])


@main.command("facets")
@record_filters
@click.option("--year-from", type=int, help="First year of a range (meeting or publication).")
@click.option("--year-to", type=int, help="Last year of a range (meeting or publication).")
@click.option(
    "--award-status", type=click.Choice(["proposed", "conferred"]), help="Records with such an award."
)
@click.option(
    "--review", type=click.Choice(["machine", "corrected", "review"]), help="Review state of the record."
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
def facets_cmd(
    province: str | None,
    year: int | None,
    bloc: str | None,
    unit: str | None,
    award: str | None,
    year_from: int | None,
    year_to: int | None,
    award_status: str | None,
    review: str | None,
    as_json: bool,
) -> None:
    """Count current records per province, year, award type, award status and review state.

    A 2025 province (--province 'Đồng Nai') also counts the old provinces merged into it.

    Example: thidua facets --province 'Bắc Ninh' --year-from 2018 --year-to 2020
    """
    from store.research import facet_counts

    out = _research(
        lambda s: facet_counts(
            s,
            province=province,
            year=year,
            year_from=year_from,
            year_to=year_to,
            bloc=bloc,
            unit=unit,
            award=award,
            award_status=award_status,
            review=review,
        )
    )
    if as_json:
        # JSON keys are text: an undated year or a missing province is "null"
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(f"records: {out['records']}")
    for facet, counts in out["facets"].items():
        click.echo(f"{facet}:")
        for value, n in counts.items():
            click.echo(f"  {'-' if value is None else value}: {n}")


@main.command("timeline")
@click.option("--unit", help="A unit's name: its blocs, roles and awards by year.")
@click.option("--bloc", help="A bloc's number or name: its members and leaders by year.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object a year.")
def timeline_cmd(unit: str | None, bloc: str | None, as_json: bool) -> None:
    """Show a unit's or a bloc's history, year by year, from current records.

    Example: thidua timeline --unit 'Sở Y tế' --json
    """
    from store.research import bloc_timeline, unit_timeline

    if (unit is None) == (bloc is None):
        raise click.UsageError("give exactly one of --unit NAME or --bloc NAME")
    if unit is not None:
        name = unit
        years = _research(lambda s: unit_timeline(s, name))
    else:
        assert bloc is not None  # exactly one was given
        name = bloc
        years = _research(lambda s: bloc_timeline(s, name))
    if as_json:
        for entry in years:
            click.echo(json.dumps(entry, ensure_ascii=False))
        return
    if not years:
        click.echo("no records match", err=True)
        return
    for entry in years:
        click.echo(f"{entry['year'] or 'undated'}:")
        if unit is not None:
            click.echo(f"  blocs: {'; '.join(entry['blocs']) or '-'}")
            for r in entry["roles"]:
                click.echo(f"  role: {r['role']} ({'; '.join(r['blocs']) or 'bloc unknown'})")
            for a in entry["awards"]:
                click.echo(f"  award: {a['award']} {a['status']}")
        else:
            click.echo(f"  members: {'; '.join(entry['members']) or '-'}")
            for r in entry["leaders"]:
                click.echo(f"  {r['role']}: {r['unit']}")
        click.echo(f"  articles: {', '.join(map(str, entry['articles']))}")


@main.command("export")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet", "sqlite"]),
    required=True,
    help="jsonl, csv (with datapackage.json), parquet, or sqlite (a Datasette-ready snapshot).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The folder to create for the export.",
)
@click.option("--force", is_flag=True, help="Replace an earlier export (only an export) at OUTPUT.")
@record_filters
def export_cmd(
    fmt: str,
    output: Path,
    force: bool,
    province: str | None,
    year: int | None,
    bloc: str | None,
    unit: str | None,
    award: str | None,
) -> None:
    """Export the current records (corrections applied) that pass query's filters into a folder.

    Every export holds manifest.json: the export time (UTC), the extractor versions, the
    filters, the row counts and the number of corrected facts. csv adds datapackage.json
    (Frictionless), parquet one file per table, sqlite thidua.db with Datasette's metadata.json:
    open it with `datasette OUTPUT`. Nothing is written to the database.

    Example: thidua export --format sqlite -o var/export --province 'Bắc Ninh'
    """
    from store.db import open_store, session_factory, translate_errors
    from store.errors import StoreError
    from store.exports import export_records

    url = _settings().database_url
    filters = {"province": province, "year": year, "bloc": bloc, "unit": unit, "award": award}
    try:
        engine = open_store(url, read_only=True)
        try:
            with translate_errors(url), session_factory(engine)() as session:
                result = export_records(session, fmt=fmt, target=output, filters=filters, force=force)
        finally:
            engine.dispose()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    m = result.manifest
    click.echo(
        f"{m['counts']['records']} records ({m['corrected_facts']} corrected facts, extractor "
        f"{', '.join(m['extractor_versions']) or '-'}) exported as {fmt} to {shown(output)}"
    )


@main.command("reextract")
@click.option("--all", "all_", is_flag=True, help="Every stored bloc-news article.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Articles stored on or after this day (YYYY-MM-DD, UTC).",
)
@click.option("--portal", help="Articles with a page from this portal (registry name).")
@click.option(
    "--extractor-below",
    metavar="VERSION",
    help="Articles whose newest record came from an extractor older than VERSION, or never extracted.",
)
@click.option(
    "-j",
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: THIDUA_EXTRACT_WORKERS, else one per core].",
)
def reextract_cmd(
    all_: bool,
    since: Any,
    portal: str | None,
    extractor_below: str | None,
    workers: int | None,
) -> None:
    """Extract stored articles again, without fetching, into a new extraction run.

    Every earlier run and its records are kept; the new run records the extractor version and
    its settings. Editors' corrections apply to the new records as they did to the old ones
    (`thidua record` flags facts the new run reads differently). Filters combine: every one
    given must hold.

    Example: thidua reextract --extractor-below 0.4.0 --workers 2
    """
    from store.db import open_store, session_factory, translate_errors
    from store.errors import StoreError
    from store.reextract import Selection, default_workers, reextract, select_articles

    settings = _settings()
    url = settings.database_url
    selection = Selection(
        all=all_, since=since.date() if since else None, portal=portal, extractor_below=extractor_below
    )
    n = workers or settings.extract_workers or default_workers()
    try:
        engine = open_store(url)
        try:
            sessions = session_factory(engine)
            with translate_errors(url):
                with sessions() as session:
                    ids = select_articles(session, selection=selection)
                if not ids:
                    click.echo("no stored articles match", err=True)
                    return
                click.echo(f"re-extracting {len(ids)} articles with {n} workers", err=True)
                with click.progressbar(length=len(ids), label="articles", file=sys.stderr) as bar:
                    stats = reextract(
                        sessions,
                        article_ids=ids,
                        selection=selection,
                        workers=n,
                        max_article_bytes=settings.max_article_bytes,
                        progress=bar.update,
                    )
        finally:
            engine.dispose()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"run {stats.run_id} {stats.status}: {stats.records} records of {stats.articles} articles, "
        f"{stats.failures} failures, {stats.seconds:.1f} s ({stats.per_second:.1f} articles/s, "
        f"{stats.workers} workers)"
    )
    if stats.failures:
        sys.exit(1)


@main.command("train")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Model directory to (re)write [default: extract/models/units, the shipped model].",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (data order, weights).")
@click.option("--steps", type=int, default=None, help="Training steps [default: 1000].")
@click.option("--limit", type=int, default=None, help="Train on the first N sentences only (quick test).")
@click.option("--rebuild-corpus", is_flag=True, help="First regenerate extract/data/train/units.jsonl.")
def train_cmd(
    out: Path | None, seed: int, steps: int | None, limit: int | None, rebuild_corpus: bool
) -> None:
    """Train the UNIT span model on extract/data/train/units.jsonl and print its held-out scores.

    Offline and deterministic for a given seed; writes the model, metrics.json and README.md to OUT.

    Example: thidua train --out extract/models/units --seed 0
    """
    from extract import train as training
    from extract.model import MODEL_DIR

    if rebuild_corpus:
        n = training.main_rebuild(seed)
        click.echo(f"corpus rebuilt: {n} sentences in {training.CORPUS_FILE}", err=True)
    metrics = training.train(
        out or MODEL_DIR,
        seed=seed,
        max_steps=steps or training.DEFAULT_STEPS,
        limit=limit,
        log=lambda line: click.echo(line, err=True),
    )
    for name in ("dev_unseen", "dev_unseen_generated", "dev_unseen_handwritten", "train_seen_sample"):
        m = metrics[name]
        click.echo(
            f"{name:<24} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  "
            f"(gold {m['gold']}, sentences {m['sentences']})"
        )
    click.echo(f"training took {metrics['training']['seconds']} s")


@main.command("serve-mock")
@click.option("--port", type=int, default=8765, show_default=True)
def serve_mock(port: int) -> None:
    """Run the mock portals on 127.0.0.1:PORT until interrupted (use it as an HTTP proxy).

    Example: thidua serve-mock --port 8765 & THIDUA_HTTP_PROXY=http://127.0.0.1:8765 thidua crawl
    """
    from crawler.mockportals import start_server

    with start_server(port) as server:
        click.echo(f"mock portals on {server.url}; Ctrl-C to stop", err=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


# `thidua record` and `thidua correct …` live in their own module (one concern per module);
# it reads the settings through _settings above, so it is imported after it is defined
from thidua.corrections_cli import correct, record  # noqa: E402

main.add_command(record)
main.add_command(correct)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
