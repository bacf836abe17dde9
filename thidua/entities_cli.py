"""`thidua units`, `blocs`, `bloc`, `events`, `link-entities` and the entity corrections
(`thidua correct merge-entities | split-entity | undo-entity`): thin wrappers over
store.entities, store.blocs, store.events and store.entity_corrections.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from thidua.corrections_cli import EDITOR, REASON, _editor, _session, correct

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from store.models import EntityCorrection


def _read(call: Callable[[Session], Any]) -> Any:
    from thidua.cli import _research  # the CLI's read-only runner; imported late (cli imports us)

    return _research(call)


def _json_lines(items: list[dict[str, Any]]) -> None:
    for item in items:
        click.echo(json.dumps(item, ensure_ascii=False, default=str))


PROVINCE = click.option("--province", help="Province, old or new name ('Bình Phước' or 'Đồng Nai').")
JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object a line.")


def _entity_line(e: dict[str, Any]) -> str:
    where = e["province"] or "-"
    if e["province_2025"] and e["province_2025"] != e["province"]:
        where += f" (since 2025: {e['province_2025']})"
    line = f"{e['id']:>6}  {e['name']}  [{where}]  {e['match']}"
    if e["merged_into"] is not None:
        line += f", merged into {e['merged_into']}"
    return line


@click.command("units")
@click.argument("name")
@PROVINCE
@JSON
def units(name: str, province: str | None, as_json: bool) -> None:
    """Find the unit entities NAME stands for, with their 2025 successors and predecessors.

    Abbreviations are spelled out ("Sở GD&ĐT"); an old province finds the units stored under the
    new one and the other way round. The ids are what `thidua correct merge-entities` takes.

    Example: thidua units 'Sở KH&ĐT' --province 'Bắc Giang'
    """
    from store.entities import find_entities

    found = _read(lambda s: find_entities(s, name, province=province, kind="unit"))
    if as_json:
        _json_lines(found)
        return
    if not found:
        click.echo("no units match", err=True)
        return
    for e in found:
        click.echo(_entity_line(e))
        if e["aliases"]:
            click.echo(f"        aliases: {'; '.join(e['aliases'])}")
        for link in e["successors"]:
            click.echo(f"        → {link['id']} ({link['source']})")
        for link in e["predecessors"]:
            click.echo(f"        ← {link['id']} ({link['source']})")


def _year_lines(entry: dict[str, Any]) -> list[str]:
    lines = [f"  members: {'; '.join(m['name'] for m in entry['members']) or '-'}"]
    for r in entry["leaders"]:
        lines.append(f"  {r['role']}{' ' + str(r['year']) if r['year'] else ''}: {r['unit']['name']}")
    for a in entry["awards"]:
        year = f" {a['year']}" if a["year"] else ""
        lines.append(f"  award: {a['award']}{year} {a['status']} → {a['recipient']['name']}")
    lines.append(f"  articles: {', '.join(map(str, entry['articles']))}")
    return lines


@click.command("blocs")
@PROVINCE
@click.option("--year", type=int, help="Year of the meeting or publication.")
@JSON
def blocs(province: str | None, year: int | None, as_json: bool) -> None:
    """List the blocs of a province and year with their members, leaders and awards.

    Example: thidua blocs --province 'Bắc Ninh' --year 2018
    """
    from store.blocs import blocs_by_year

    found = _read(lambda s: blocs_by_year(s, province=province, year=year))
    if as_json:
        _json_lines(found)
        return
    if not found:
        click.echo("no blocs match", err=True)
        return
    for b in found:
        click.echo(
            f"{b['bloc']['name']} [{b['bloc']['province'] or '-'}] {b['year'] or 'undated'} "
            f"(id {b['bloc']['id']})"
        )
        for line in _year_lines(b):
            click.echo(line)


@click.command("bloc")
@click.argument("name")
@PROVINCE
@JSON
def bloc(name: str, province: str | None, as_json: bool) -> None:
    """Show a bloc (its number or name) year by year: members, leaders, awards.

    Example: thidua bloc 6 --province 'Bắc Ninh'
    """
    from store.blocs import bloc_history

    found = _read(lambda s: bloc_history(s, name, province=province))
    if as_json:
        _json_lines(found)
        return
    if not found:
        click.echo("no blocs match", err=True)
        return
    for b in found:
        e = b["bloc"]
        click.echo(f"{e['name']} [{e['province'] or '-'}] (id {e['id']})")
        if e["aliases"]:
            click.echo(f"  aliases: {'; '.join(e['aliases'])}")
        if len(e["group"]) > 1:
            click.echo(f"  merged: {', '.join(map(str, e['group']))}")
        for entry in b["years"]:
            click.echo(f"{entry['year'] or 'undated'}:")
            for line in _year_lines(entry):
                click.echo(line)


def _flag_line(flag: dict[str, Any]) -> str:
    kind = flag["flag"]
    if kind in ("member_missing", "award_missing"):
        what = (
            flag["unit"]["name"]
            if kind == "member_missing"
            else f"{flag['award']} → {flag['recipient']['name']}"
        )
        return f"  REVIEW {kind}: {what}: in {flag['said_by']}, not in {flag['not_by']}"
    if kind == "role_holder_differs":
        return f"  REVIEW {kind}: {flag['role']} {flag['year'] or ''}: " + json.dumps(
            flag["values"], ensure_ascii=False
        )
    return f"  REVIEW {kind}: {flag['award']} → {flag['recipient']['name']}: " + json.dumps(
        flag["values"], ensure_ascii=False
    )


@click.command("events")
@PROVINCE
@click.option("--year", type=int, help="Year of the meeting or publication.")
@click.option("--review", "review_only", is_flag=True, help="Only events whose mentions disagree.")
@JSON
def events(province: str | None, year: int | None, review_only: bool, as_json: bool) -> None:
    """List meetings as events: the write-ups of one meeting on several sites are one event.

    Each event lists its mentions (article, site) and REVIEW lines where they disagree
    (members, role holders, award status).

    Example: thidua events --province 'Bắc Ninh' --year 2018 --review
    """
    from store.events import find_events

    found = _read(lambda s: find_events(s, province=province, year=year))
    if review_only:
        found = [e for e in found if e["review"]]
    if as_json:
        _json_lines(found)
        return
    if not found:
        click.echo("no events match", err=True)
        return
    for e in found:
        click.echo(
            f"{e['date']}  {e['bloc']['name']}  {', '.join(e['kinds']) or '-'}  "
            f"({len(e['mentions'])} mentions)"
        )
        for m in e["mentions"]:
            click.echo(f"  article {m['article_id']}  {m['site'] or '-'}  {(m['title'] or '')[:70]}")
        for flag in e["review"]:
            click.echo(_flag_line(flag))


@click.command("link-entities")
def link_entities() -> None:
    """Link every stored record's units and blocs to entities (once, after upgrading a database).

    New records are linked when they are stored; this fills in the records stored before.

    Example: THIDUA_DATABASE_URL=sqlite:///var/thidua.sqlite thidua link-entities
    """
    from store.entities import link_all

    with _session(read_only=False) as session, session.begin():
        articles, added = link_all(session)
    click.echo(f"{articles} articles, {added} links added")


# --- thidua correct merge-entities | split-entity | undo-entity ------------------------------


PREVIEW = click.option(
    "--preview", is_flag=True, help="Show what would change (groups, facts that move) and write nothing."
)


def _linked(g: dict[str, Any]) -> str:
    facts = ", ".join(f"{n} {f}" for f, n in g["facts"].items()) or "no linked fact"
    years = f"; {', '.join(map(str, g['years']))}" if g["years"] else ""
    return f"{facts} in {g['records']} records{years}"


def _show_preview(call: Callable[[Session], dict[str, Any]]) -> None:
    """Print a preview (`store.entity_preview`); a refusal is one line and exit status 1."""
    p = _read(call)
    if p["refusal"]:
        raise click.ClickException(
            f"{p['refusal']['error']}: {p['refusal']['message']} (nothing would change)"
        )
    for g in p["after"]:
        rep = g["representative"]
        members = ", ".join(str(m["id"]) for m in g["members"])
        gains = f" (gains {', '.join(map(str, g['new_years']))})" if g["new_years"] else ""
        click.echo(f"after: {rep['name']} (id {rep['id']}) = {members}: {_linked(g)}{gains}")
    for m in p["moves"]:
        click.echo(
            f"moves: facts of {m['entity']['name']} (id {m['entity']['id']}) from {m['from']['name']} "
            f"(id {m['from']['id']}) to {m['to']['name']} (id {m['to']['id']}): {_linked(m)}"
        )
    if not p["moves"]:
        click.echo("moves: nothing")
    click.echo("nothing written (preview)", err=True)


def _write(action: Callable[[Session], EntityCorrection]) -> None:
    with _session(read_only=False) as session:
        with session.begin():
            done = action(session)
        what = ", ".join(map(str, done.entity_ids))
        extra = f" (undoes {done.undoes_id})" if done.undoes_id else ""
    click.echo(f"entity correction {done.id}: {done.action} {what}{extra}")


@correct.command("merge-entities")
@click.argument("entity_ids", nargs=-1, required=True, type=int)
@EDITOR
@REASON
@PREVIEW
def merge_entities(
    entity_ids: tuple[int, ...], editor: str | None, reason: str | None, preview: bool
) -> None:
    """Merge units (or blocs) that are the same; the first one's name is kept.

    Ids are those `thidua units` and `thidua blocs` show.

    Example: thidua correct merge-entities 12 31 --editor Lan --reason 'cùng một khối'
    """
    from store.entity_corrections import merge_entities as merge
    from store.entity_preview import preview_merge

    if preview:
        _show_preview(lambda s: preview_merge(s, list(entity_ids)))
        return
    name = _editor(editor)
    _write(lambda s: merge(s, entity_ids=list(entity_ids), editor=name, reason=reason))


@correct.command("split-entity")
@click.argument("entity_id", type=int)
@EDITOR
@REASON
@PREVIEW
def split_entity(entity_id: int, editor: str | None, reason: str | None, preview: bool) -> None:
    """Take an entity back out of a wrong merge.

    Example: thidua correct split-entity 31 --editor Lan --reason 'hai khối khác nhau'
    """
    from store.entity_corrections import split_entity as split
    from store.entity_preview import preview_split

    if preview:
        _show_preview(lambda s: preview_split(s, entity_id))
        return
    name = _editor(editor)
    _write(lambda s: split(s, entity_id=entity_id, editor=name, reason=reason))


@correct.command("undo-entity")
@click.argument("correction_id", type=int)
@EDITOR
@REASON
@PREVIEW
def undo_entity(correction_id: int, editor: str | None, reason: str | None, preview: bool) -> None:
    """Cancel an entity merge or split by adding an undo.

    Example: thidua correct undo-entity 4 --editor Lan
    """
    from store.entity_corrections import undo_entity_correction
    from store.entity_preview import preview_undo

    if preview:
        _show_preview(lambda s: preview_undo(s, correction_id))
        return
    name = _editor(editor)
    _write(lambda s: undo_entity_correction(s, correction_id=correction_id, editor=name, reason=reason))
