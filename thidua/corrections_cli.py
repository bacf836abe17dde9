"""`thidua record` and `thidua correct …`: thin wrappers over store.current and store.corrections.

Facts are named as `thidua record` shows them: by place (``member#2``, from 0) or by fact key
(``member:so y te``). A value is text (``"Sở Nội vụ"``, ``2019-01-03``, ``tong_ket``) or, for a
bloc, role or award, a JSON object of the keys to set (``'{"year": 2017}'``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from store.models import Correction


def _database_url() -> str:
    from thidua.cli import _settings  # the CLI's one settings reader; imported late (cli imports us)

    return _settings().database_url


def _default_editor() -> str | None:
    from thidua.cli import _settings

    return _settings().editor


@contextmanager
def _session(*, read_only: bool) -> Iterator[Session]:
    """Open the configured store; turn every store error into one line and exit status 1."""
    from store.db import open_store, session_factory, translate_errors
    from store.errors import StoreError

    url = _database_url()
    try:
        engine = open_store(url, read_only=read_only)
        try:
            with translate_errors(url), session_factory(engine)() as session:
                yield session
        finally:
            engine.dispose()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _value(text: str) -> Any:
    """Read a value given on the command line: JSON if it looks like JSON, else the text itself."""
    stripped = text.strip()
    if stripped.startswith(("{", "[", '"')):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"{text!r} is not valid JSON ({exc.msg})") from exc
    return text


def _evidence(_ctx: click.Context, _param: click.Parameter, text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    start, sep, end = text.partition(":")
    if not sep or not start.strip().isdigit() or not end.strip().isdigit():
        raise click.BadParameter(f"{text!r} is not START:END character offsets, e.g. 120:134")
    return int(start), int(end)


def _editor(given: str | None) -> str:
    name = given if given is not None else _default_editor()
    if name is None:
        raise click.UsageError("say who corrects: --editor NAME (or set THIDUA_EDITOR)")
    return name


# --- thidua record -----------------------------------------------------------------------


def format_record(current: dict[str, Any], history: list[dict[str, Any]] | None = None) -> str:
    """Return the current record as the lines `thidua record` prints."""
    lines = [
        f"article {current['article_id']}  {current['url']}",
        f"  {current['title'] or ''}".rstrip(),
        f"record {current['record_id']} of run {current['run_id']} "
        f"(extractor {current['extractor_version']}); {len(current['corrections'])} corrections in force, "
        f"{current['corrected_facts']} facts corrected",
    ]
    if current["flags"]:
        lines.append("machine flags: " + ", ".join(current["flags"]))
    for flag in current["review"]:
        lines.append(
            f"REVIEW {flag['flag']} {flag['key']} (correction {flag['correction_id']}): machine read "
            f"{_show(flag['then'])} then, {_show(flag['now'])} now; the record shows {_show(flag['shown'])}"
        )
    lines.append("")
    for fact in current["facts"]:
        place = f"{fact['field']}#{fact['position']}" if fact["field"] not in {
            "published", "province", "event_date"
        } else fact["field"]  # fmt: skip
        source = fact["source"]
        if fact["corrections"]:
            source += " [" + ", ".join(map(str, fact["corrections"])) + "]"
        if fact["verified_by"]:
            source += " verified"
        lines.append(f"{place:<14} {_show(fact['value']):<60} {source:<20} {fact['key']}")
    for gone in current["removed"]:
        lines.append(
            f"{'(deleted)':<14} {_show(gone['value']):<60} "
            f"{'by [' + ', '.join(map(str, gone['corrections'])) + ']':<20} {gone['key']}"
        )
    if history is not None:
        lines += ["", "corrections:"]
        for c in history:
            what = " ".join(c["fact_keys"]) or c["field"] or "whole record"
            change = (
                f"undoes {c['undoes']}"
                if c["action"] == "undo"
                else f"{_show(c['old_value'])} → {_show(c['new_value'])}"
            )
            state = "" if c["in_force"] else "  (undone)"
            reason = f"  — {c['reason']}" if c["reason"] else ""
            when = (c["created_at"] or "")[:19]
            lines.append(
                f"  {c['id']:>5} {when} {c['editor']}: {c['action']} {what}: {change}{state}{reason}"
            )
    return "\n".join(lines)


@click.command("record")
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print the current record as one JSON object.")
@click.option("--history", is_flag=True, help="Also list every correction of the article.")
def record(article: str, as_json: bool, history: bool) -> None:
    """Print an article's current record: its newest machine facts with the corrections applied.

    ARTICLE is an article id, a record doc_id (article-12) or a URL. Each fact shows its place
    (member#0, what `thidua correct` takes), value, source (machine, accepted, corrected, added)
    with the corrections behind it, and its fact key; REVIEW lines show where a later run reads a
    corrected fact differently. Read-only.

    Example: thidua record 12 --history
    """
    from store.corrections import corrections_of
    from store.current import current_record
    from store.queries import article_by_ref

    with _session(read_only=True) as session:
        found = article_by_ref(session, article)
        current = current_record(session, found.id)
        past = corrections_of(session, article_id=found.id) if history else None
    if as_json:
        if past is not None:
            current["history"] = past
        click.echo(json.dumps(current, ensure_ascii=False, default=str))
    else:
        click.echo(format_record(current, past))


# --- thidua correct ----------------------------------------------------------------------

EDITOR = click.option("--editor", help="Who corrects (default: THIDUA_EDITOR).")
REASON = click.option("--reason", help="Why, for the next editor.")
EVIDENCE = click.option(
    "--evidence", callback=_evidence, help="START:END offsets of the article text that support it."
)


@click.group("correct")
def correct() -> None:
    """Correct an article's record: accept, change, add, delete, verify, merge, split, undo.

    Every correction is a new row: nothing the machine or an editor wrote is changed or deleted,
    and an undo is one more correction. Corrections apply to every later re-extraction of the
    article; where the machine later reads a corrected fact differently, `thidua record` shows
    a REVIEW line. Facts are named as `thidua record` shows them (member#0 or the fact key).

    Example: thidua correct change 12 'award#0' '{"year": 2017}' --editor Lan --reason 'bài ghi 2017'
    """


def _write(action: Callable[[Session], Correction]) -> None:
    """Run one store correction in a transaction and print what it did."""
    from store.current import load_overlay
    from store.entities import link_overlay
    from store.models import Article

    with _session(read_only=False) as session:
        with session.begin():
            done = action(session)
            article = session.get(Article, done.article_id)
            assert article is not None  # the correction was just made on it
            overlay = load_overlay(session, article)
            link_overlay(session, overlay)  # a unit or bloc the correction added gets its entity
            review = overlay.to_dict()["review"]
        what = " ".join(done.fact_keys) or " ".join(done.result_keys) or done.field or "whole record"
        line = f"correction {done.id}: {done.action} {what} (article {done.article_id})"
        if done.action in ("change", "add", "merge", "split"):
            line += f" → {_show(done.new_value)}"
    click.echo(line)
    if review:
        click.echo(f"{len(review)} facts of article {done.article_id} await review (thidua record)", err=True)


def _article_id(session: Session, article: str) -> int:
    from store.queries import article_by_ref

    return article_by_ref(session, article).id


@correct.command("accept")
@click.argument("article")
@click.argument("fact")
@EDITOR
@REASON
@EVIDENCE
def accept(article: str, fact: str, editor: str | None, reason: str | None, evidence: Any) -> None:
    """Confirm that a fact is right as it stands.

    Example: thidua correct accept 12 'role#0' --editor Lan
    """
    from store import corrections as c

    name = _editor(editor)
    _write(
        lambda s: c.accept_fact(
            s, article_id=_article_id(s, article), fact=fact, editor=name, reason=reason, evidence=evidence
        )
    )


@correct.command("change")
@click.argument("article")
@click.argument("fact")
@click.argument("value")
@EDITOR
@REASON
@EVIDENCE
def change(
    article: str, fact: str, value: str, editor: str | None, reason: str | None, evidence: Any
) -> None:
    """Give a fact a new value (for a bloc, role or award a JSON object of the keys to change).

    Example: thidua correct change 12 'member#2' 'Sở Lao động, Thương binh và Xã hội' --editor Lan
    """
    from store import corrections as c

    name, new = _editor(editor), _value(value)
    _write(
        lambda s: c.change_fact(
            s,
            article_id=_article_id(s, article),
            fact=fact,
            value=new,
            editor=name,
            reason=reason,
            evidence=evidence,
        )
    )


@correct.command("add")
@click.argument("article")
@click.argument("field")
@click.argument("value")
@EDITOR
@REASON
@EVIDENCE
def add(article: str, field: str, value: str, editor: str | None, reason: str | None, evidence: Any) -> None:
    """Add a fact the machine missed to FIELD (member, role, award, bloc, event_kind, published, …).

    Example: thidua correct add 12 member 'Sở Nội vụ' --editor Lan --evidence 210:219
    """
    from store import corrections as c

    name, new = _editor(editor), _value(value)
    _write(
        lambda s: c.add_fact(
            s,
            article_id=_article_id(s, article),
            field=field,
            value=new,
            editor=name,
            reason=reason,
            evidence=evidence,
        )
    )


@correct.command("delete")
@click.argument("article")
@click.argument("fact")
@EDITOR
@REASON
@EVIDENCE
def delete(article: str, fact: str, editor: str | None, reason: str | None, evidence: Any) -> None:
    """Remove a wrong fact from the record (the machine's row stays in its run).

    Example: thidua correct delete 12 'member#4' --editor Lan --reason 'khách mời, không phải thành viên'
    """
    from store import corrections as c

    name = _editor(editor)
    _write(
        lambda s: c.delete_fact(
            s, article_id=_article_id(s, article), fact=fact, editor=name, reason=reason, evidence=evidence
        )
    )


@correct.command("verify")
@click.argument("article")
@click.argument("field", required=False)
@EDITOR
@REASON
def verify(article: str, field: str | None, editor: str | None, reason: str | None) -> None:
    """Record that FIELD (or the whole record) was checked against the article and is complete.

    Example: thidua correct verify 12 member --editor Lan
    """
    from store import corrections as c

    name = _editor(editor)
    _write(lambda s: c.verify(s, article_id=_article_id(s, article), field=field, editor=name, reason=reason))


@correct.command("merge")
@click.argument("article")
@click.argument("facts", nargs=-1, required=True)
@click.option("--value", "value", help="The merged fact's value (default: the first fact's).")
@EDITOR
@REASON
@EVIDENCE
def merge(
    article: str,
    facts: tuple[str, ...],
    value: str | None,
    editor: str | None,
    reason: str | None,
    evidence: Any,
) -> None:
    """Make two or more facts of one field that name the same thing into one.

    Example: thidua correct merge 12 'member#1' 'member#5' --value 'Sở Tư pháp' --editor Lan
    """
    from store import corrections as c

    name, new = _editor(editor), None if value is None else _value(value)
    _write(
        lambda s: c.merge_facts(
            s,
            article_id=_article_id(s, article),
            facts=list(facts),
            value=new,
            editor=name,
            reason=reason,
            evidence=evidence,
        )
    )


@correct.command("split")
@click.argument("article")
@click.argument("fact")
@click.argument("values", nargs=-1, required=True)
@EDITOR
@REASON
@EVIDENCE
def split(
    article: str, fact: str, values: tuple[str, ...], editor: str | None, reason: str | None, evidence: Any
) -> None:
    """Replace one fact by two or more (for a bloc, role or award each a JSON object of what differs).

    Example: thidua correct split 12 'award#0' '{}' '{"year": 2017}' --editor Lan
    """
    from store import corrections as c

    name, news = _editor(editor), [_value(v) for v in values]
    _write(
        lambda s: c.split_fact(
            s,
            article_id=_article_id(s, article),
            fact=fact,
            values=news,
            editor=name,
            reason=reason,
            evidence=evidence,
        )
    )


@correct.command("undo")
@click.argument("correction_id", type=int)
@EDITOR
@REASON
def undo(correction_id: int, editor: str | None, reason: str | None) -> None:
    """Cancel a correction by adding an undo (undo an undo to restore it).

    Example: thidua correct undo 57 --editor Lan --reason 'nhầm bài'
    """
    from store import corrections as c

    name = _editor(editor)
    _write(lambda s: c.undo(s, correction_id=correction_id, editor=name, reason=reason))
