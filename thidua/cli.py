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
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
@click.option(
    "--verified",
    is_flag=True,
    help="Score the stored extractor versions against the records editors verified (THIDUA_DATABASE_URL).",
)
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
    directory: Path | None,
    verified: bool,
    per_doc: bool,
    diff: bool,
    as_json: bool,
    min_f1: float | None,
    folds: tuple[int, ...],
    calibration: bool,
    by_rule: bool,
) -> None:
    """Extract DIR/text/*.txt and score against DIR/gold/*.json (rules of SCHEMA.md).

    With --verified (no DIR), the gold is the database's verified records instead: per-field
    precision and recall of each stored extractor version against them, and the share of the
    editors' fixes that hit facts in the review queue's first fifth.

    Example: thidua eval ../shared/corpus/dev --fold 1 --fold 2 --per-doc
    Example: thidua eval ../shared/corpus/dev --fold 1 --calibration --by-rule
    Example: THIDUA_DATABASE_URL=sqlite:///var/demo.sqlite thidua eval --verified
    """
    if verified:
        if directory is not None or folds or per_doc or diff or calibration or by_rule:
            raise click.UsageError("--verified reads the database: give no DIR, --fold, --per-doc, --diff, …")
        _eval_verified(as_json, min_f1)
        return
    if directory is None:
        raise click.UsageError("give DIR (a folder with text/ and gold/), or --verified")
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


def _eval_verified(as_json: bool, min_f1: float | None) -> None:
    """`thidua eval --verified`: thidua.quality over a read-only store."""
    from thidua.quality import measured_quality

    out = _research(measured_quality)
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        click.echo(f"verified records: {out['verified_records']}")
        for v in out["by_version"]:
            click.echo(f"\nextractor {v['extractor_version']} ({v['records']} verified records)")
            click.echo(f"{'field':<12} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}")
            for name, m in v["fields"].items():
                p, r, f1 = m["precision"], m["recall"], m["f1"]
                click.echo(f"{name:<12} {p:>6.3f} {r:>6.3f} {f1:>6.3f} {m['gold']:>6} {m['pred']:>6}")
        q = out["queue"]
        share = "-" if q["share"] is None else f"{q['share']:.1%}"
        click.echo(
            f"\nfixes in the queue's first fifth: {q['in_first_fifth']} of {q['fixes']} ({share}); "
            f"{q['facts_ranked']} facts ranked, {q['unranked']} fixes on older runs"
        )
    if not out["by_version"]:
        if min_f1 is not None:
            raise click.ClickException("no verified records to score; verify some in the web app first")
        return
    newest = out["by_version"][-1]  # versions come oldest first
    overall = newest["fields"]["overall"]["f1"]
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
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds to wait for another crawl on the same database [default: THIDUA_CRAWL_LOCK_WAIT, 0].",
)
def crawl(portals: tuple[str, ...], refresh: bool, wait: float | None) -> None:
    """Crawl portals into the database: fetch, clean, filter bloc news, extract, store.

    Work a killed crawl left half-done is finished first. Prints the crawl's counters as JSON;
    exits 1 when a portal failed entirely (the run's status is then "failed").

    Uses THIDUA_DATABASE_URL and THIDUA_HTTP_PROXY. Example: thidua crawl -p hoabinh
    """
    from crawler.run import run_crawl

    stats = _crawl_or_fail(
        lambda: run_crawl(
            _settings(),
            portals=list(portals) or None,
            progress=lambda ln: click.echo(ln, err=True),
            refresh=refresh,
            wait=wait,
        )
    )
    click.echo(json.dumps(_asdict(stats), ensure_ascii=False))
    if stats.status == "failed":
        failed = [name for name, p in (stats.report or {}).items() if p.get("failed")]
        click.echo(f"error: run {stats.run_id} failed: {', '.join(failed)} failed entirely", err=True)
        sys.exit(1)


@main.command("nightly")
@click.option("-p", "--portal", "portals", multiple=True, help="Registry name (repeatable); all by default.")
@click.option("--json-logs", is_flag=True, help="Write the log file as JSON lines [THIDUA_LOG_JSON].")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds to wait for another crawl on the same database [default: THIDUA_CRAWL_LOCK_WAIT, 0].",
)
def nightly(portals: tuple[str, ...], json_logs: bool, wait: float | None) -> None:
    """The unattended run: crawl → extract → store for all (or the named) portals, then a report.

    Work an earlier run left half-done is finished first. The console shows a live table per
    portal (pages, new, bloc news, changed, records, failures) and warnings only; the full log
    (Scrapy's and trafilatura's included) goes to THIDUA_LOG_DIR/thidua.log, rotated by size.
    The report (per portal: pages, new articles, changed, failures by reason, duration) is
    stored with the run and printed on stdout. Exit status 1 when a portal failed entirely.

    Example: thidua nightly --json-logs --wait 3600   (a cron line: README "The nightly crawl")
    """
    from rich.console import Console

    from crawler import registry
    from crawler.report import format_report
    from crawler.run import run_crawl
    from thidua.logs import quiet_console
    from thidua.progress import CrawlDisplay

    settings = _settings()
    names = _crawl_or_fail(lambda: [registry.by_name(n).name for n in portals] or None)
    console = Console(stderr=True)
    started = time.monotonic()
    with quiet_console(settings, console, json_lines=json_logs or settings.log_json) as log_file:
        display = CrawlDisplay(
            console, names or [p.name for p in registry.default_portals(settings.crawl_mock)]
        )
        with display:
            stats = _crawl_or_fail(
                lambda: run_crawl(settings, portals=names, wait=wait, extra_settings=_live(display, settings))
            )
    click.echo(
        format_report(
            stats.report or {}, status=stats.status, run_id=stats.run_id, seconds=time.monotonic() - started
        )
    )
    if stats.resumed_pages or stats.resumed_articles or stats.dead_runs:
        click.echo(
            f"finished from earlier runs: {stats.resumed_pages} pages, {stats.resumed_articles} articles"
            + (f"; runs {', '.join(map(str, stats.dead_runs))} had died" if stats.dead_runs else "")
        )
    click.echo(f"log: {shown(log_file)}")
    if stats.status == "failed":
        failed = [name for name, p in (stats.report or {}).items() if p.get("failed")]
        click.echo(f"error: run {stats.run_id} failed: {', '.join(failed)} failed entirely", err=True)
        sys.exit(1)


def _live(display: Any, settings: Settings) -> dict[str, Any]:
    """Scrapy settings of a crawl under the live display: counters to it, logs to our handlers."""
    return {
        # a plain function: Scrapy deep-copies its settings, and a bound method would copy the display
        "THIDUA_PROGRESS_STATS": lambda stats: display.update(stats),
        "THIDUA_PROGRESS_INTERVAL": 0.5,
        "LOG_INSTALL_ROOT_HANDLER": False,  # thidua.logs installed the file and console handlers
        "LOG_LEVEL": settings.log_level,
        # each give-up is a failure row and a count in the report; one console line each would
        # bury the display when a portal is down
        "RETRY_GIVE_UP_LOG_LEVEL": "INFO",
    }


def _crawl_or_fail(call: Any) -> Any:
    """Run a crawl; a bad portal name, an unusable database or a held lock become one line, exit 1."""
    from crawler.errors import CrawlError
    from store.errors import DatabaseError

    try:
        return call()
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    except (CrawlError, DatabaseError) as exc:
        raise click.ClickException(str(exc)) from exc


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
    from rich.console import Console

    from crawler import registry
    from crawler.mockportals import start_server
    from crawler.run import run_crawl
    from store.db import make_engine, migrate, session_factory
    from store.queries import summary
    from thidua.logs import quiet_console
    from thidua.progress import CrawlDisplay

    database.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", ".crawl-lock"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    started = time.monotonic()
    console = Console(stderr=True)
    with start_server() as server:
        click.echo(f"mock portals serving on {server.url} (used as the crawl's HTTP proxy)", err=True)
        settings = _settings().model_copy(
            update={
                "database_url": url,
                "http_proxy": server.url,
                "crawl_download_delay": 0.0,
                "crawl_mock": True,
            }
        )
        migrate(url)
        with quiet_console(settings, console) as log_file:
            display = CrawlDisplay(console, [p.name for p in registry.MOCKS])
            with display:
                stats = run_crawl(settings, extra_settings=_live(display, settings))
    engine = make_engine(url)
    with session_factory(engine)() as session:
        counts = summary(session)
    engine.dispose()
    click.echo(_format_summary(_asdict(stats), counts, time.monotonic() - started, url))
    click.echo(f"  log                    {shown(log_file)}")


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
        "Open the web app on it:  THIDUA_DATABASE_URL=" + url + " thidua serve   → http://127.0.0.1:8000/",
        "  (editors: THIDUA_DATABASE_URL=" + url + " thidua users add NAME --role editor, then sign in)",
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
    """Show a unit's or a bloc's history, year by year, from current records, editors' merges
    of units and blocs applied.

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
            click.echo(f"  blocs: {_counted(entry['blocs'])}")
            for r in entry["roles"]:
                click.echo(f"  role: {r['role']} ({'; '.join(r['blocs']) or 'bloc unknown'}) ×{r['records']}")
            for a in entry["awards"]:
                click.echo(f"  award: {a['award']} {a['status']} ×{a['records']}")
        else:
            click.echo(f"  members: {_counted(entry['members'])}")
            for r in entry["leaders"]:
                click.echo(f"  {r['role']}: {r['unit']} ×{r['records']}")
        click.echo(f"  records: {entry['records']:,}")


def _counted(named: list[dict[str, Any]]) -> str:
    """'Khối thi đua số 6 (12); Cụm thi đua số 2 (1)', or '-' for none."""
    return "; ".join(f"{n['name']} ({n['records']:,})" for n in named) or "-"


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
@click.option(
    "--fault-host",
    "fault_hosts",
    multiple=True,
    metavar="HOST",
    help="Apply the faults below only to this mock host (repeatable); every host by default.",
)
@click.option("--latency", type=click.FloatRange(min=0), default=0.0, help="Seconds added to every answer.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of 5xx answers.")
@click.option("--error-status", type=int, default=503, show_default=True)
@click.option("--reset-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of reset connections.")
@click.option("--truncate-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of cut-off bodies.")
@click.option("--throttle-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of 429 answers.")
@click.option("--oversize-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of padded pages.")
@click.option(
    "--oversize-mb", type=click.FloatRange(min=0), default=50.0, show_default=True, help="Padding of those."
)
def serve_mock(
    port: int,
    fault_hosts: tuple[str, ...],
    latency: float,
    error_rate: float,
    error_status: int,
    reset_rate: float,
    truncate_rate: float,
    throttle_rate: float,
    oversize_rate: float,
    oversize_mb: float,
) -> None:
    """Run the mock portals on 127.0.0.1:PORT until interrupted (use it as an HTTP proxy).

    Fault options let an operator rehearse what real portals do (slow, 5xx storms, resets,
    truncated bodies, throttling, huge pages), on every host or only on --fault-host ones.

    Example: thidua serve-mock --port 8765 & THIDUA_HTTP_PROXY=http://127.0.0.1:8765 thidua crawl
    Example: thidua serve-mock --fault-host hoabinh.gov.vn.test --error-rate 1
    """
    from crawler.mockportals import FaultConfig, HostFaults, start_server

    faults = HostFaults(
        latency=latency,
        error_rate=error_rate,
        error_status=error_status,
        reset_rate=reset_rate,
        truncate_rate=truncate_rate,
        throttle_rate=throttle_rate,
        oversize_rate=oversize_rate,
        oversize_bytes=int(oversize_mb * 1024 * 1024),
    )
    config = (
        FaultConfig(hosts={h.lower(): faults for h in fault_hosts})
        if fault_hosts
        else FaultConfig(default=faults)
    )
    with start_server(port, faults=config) as server:
        click.echo(f"mock portals on {server.url}; Ctrl-C to stop", err=True)
        # one fault each, crawled only when named (crawler/portals/faults.toml)
        names = ", ".join(site.name for site in server.rehearsals.values())
        click.echo(f"rehearsal portals: {names}", err=True)
        ca = f"THIDUA_CRAWL_CA_BUNDLE={server.ca_bundle}"
        click.echo(f"their HTTPS goes through the same proxy; to trust the mock CA: {ca}", err=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@main.group("portals", invoke_without_command=True)
@click.option(
    "--which",
    type=click.Choice(["real", "mock", "all"]),
    default="all",
    show_default=True,
    help="Real portals, the project's mock ones, or both.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per portal.")
@click.pass_context
def portals_cmd(ctx: click.Context, which: str, as_json: bool) -> None:
    """List the portal registry (crawler/portals/*.toml), validated on loading.

    An entry that breaks the schema (unknown family or province, a rule that does not compile,
    a start URL off its hosts, a name or host used twice) is one error line and exit status 1.

    Example: thidua portals --which real
    """
    if ctx.invoked_subcommand is not None:
        return
    registry = _registry()
    chosen = {"real": registry.REAL, "mock": registry.MOCKS, "all": registry.ALL}[which]
    if as_json:
        from dataclasses import asdict

        for p in chosen:
            click.echo(json.dumps(asdict(p), ensure_ascii=False))
        return
    for p in chosen:
        flags = (
            ("mock " if p.mock else "")
            + ("" if p.verified else "unverified ")
            + ("" if p.current else f"merged into {p.merged_into}")
        )
        click.echo(f"{p.name:<36} {p.level:<10} {p.family:<10} {(p.province or '-'):<16} {flags.strip()}")
    verified = sum(p.verified for p in chosen)
    click.echo(f"{len(chosen)} portals ({verified} verified); registry valid", err=True)


def _registry() -> Any:
    """Import the registry; a broken registry file is one line and exit status 1."""
    try:
        from crawler import registry
    except Exception as exc:
        from crawler.registry import RegistryError

        if isinstance(exc, RegistryError):
            raise click.ClickException(str(exc)) from exc
        raise
    return registry


@portals_cmd.command("check")
@click.argument("names", nargs=-1)
@click.option("--mock", is_flag=True, help="Check the mock portals (through THIDUA_HTTP_PROXY).")
def portals_check(names: tuple[str, ...], mock: bool) -> None:
    """Probe live portals: which answer, and whether their listing and article rules still match.

    For an operator on a machine with internet; it sends a few requests per portal (its start
    URLs and one article). Without NAMES every real portal is checked. Exit status 1 when any
    portal has a problem.

    Example: thidua portals check hoabinh.gov.vn sonoivu.backan.gov.vn
    """
    from crawler import settings as scrapy_project
    from crawler.probe import httpx_fetch, probe

    registry = _registry()
    settings = _settings()
    try:
        chosen = [registry.by_name(n) for n in names] or list(registry.MOCKS if mock else registry.REAL)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    fetch = httpx_fetch(
        proxy=settings.http_proxy,
        timeout=min(settings.crawl_timeout, 30.0),
        user_agent=scrapy_project.user_agent(settings.crawl_contact),
    )
    bad = 0
    for portal in chosen:
        result = probe(portal, fetch)
        bad += not result.ok
        state = "ok" if result.ok else ("no answer" if not result.responded else "rules?")
        click.echo(
            f"{portal.name:<36} {state:<9} listing links {result.listing_links:>3}, "
            f"article links {result.article_links:>3}"
            + (f"; article: {result.article_title[:60]}" if result.article_title else "")
        )
        for problem in result.problems:
            click.echo(f"    {problem}")
    click.echo(f"{len(chosen) - bad} of {len(chosen)} portals answer with matching rules", err=True)
    if bad:
        sys.exit(1)


# `thidua record` and `thidua correct …` live in their own module (one concern per module);
# it reads the settings through _settings above, so it is imported after it is defined
from thidua.corrections_cli import correct, record  # noqa: E402

# `thidua units|blocs|bloc|events|link-entities` and `thidua correct merge-entities|…`
from thidua.entities_cli import bloc, blocs, events, link_entities, units  # noqa: E402
from thidua.web_cli import serve, users  # noqa: E402

main.add_command(record)
main.add_command(correct)
for _command in (units, blocs, bloc, events, link_entities):
    main.add_command(_command)
main.add_command(serve)
main.add_command(users)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
