"""`thidua eval --verified`: the stored extractor versions scored against the records editors verified."""

from __future__ import annotations

import json

from click.testing import CliRunner

from thidua.cli import main


def test_eval_verified_scores_against_the_verified_record(url: str) -> None:
    env = {"THIDUA_DATABASE_URL": url, "THIDUA_EDITOR": "Lan"}
    run = CliRunner().invoke
    empty = run(main, ["eval", "--verified"], env=env)
    assert empty.exit_code == 0 and "verified records: 0" in empty.output
    assert run(main, ["eval", "--verified", "--min-f1", "0.5"], env=env).exit_code == 1
    # the machine read two members; one of them is wrong
    assert run(main, ["correct", "delete", "1", "member#1"], env=env).exit_code == 0
    assert run(main, ["correct", "verify", "1"], env=env).exit_code == 0
    out = run(main, ["eval", "--verified", "--json"], env=env)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["verified_records"] == 1
    (version,) = data["by_version"]
    assert version["extractor_version"] == "0.1.0"
    members = version["fields"]["members"]
    assert (members["tp"], members["gold"], members["pred"]) == (1, 1, 2) and members["precision"] == 0.5
    assert data["queue"]["fixes"] == 1
    table = run(main, ["eval", "--verified"], env=env)
    assert "extractor 0.1.0 (1 verified records)" in table.output
    assert "members       0.500  1.000" in table.output
    floor = run(main, ["eval", "--verified", "--min-f1", "0.99"], env=env)
    assert floor.exit_code == 1 and "below the floor" in floor.output


def test_eval_needs_a_folder_or_verified(url: str) -> None:
    r = CliRunner().invoke(main, ["eval"], env={"THIDUA_DATABASE_URL": url})
    assert r.exit_code == 2 and "--verified" in r.output
    r = CliRunner().invoke(main, ["eval", "--verified", "--per-doc"], env={"THIDUA_DATABASE_URL": url})
    assert r.exit_code == 2
