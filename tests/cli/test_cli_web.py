"""`thidua users add|list` and `thidua serve`'s refusals (the app itself: tests/web)."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from thidua.cli import main

PASSWORD = "một mật khẩu dài"


def test_users_add_stores_only_an_argon2_hash(url: str) -> None:
    env = {"THIDUA_DATABASE_URL": url}
    r = CliRunner().invoke(
        main,
        ["users", "add", "Lê Văn Tâm", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
        env=env,
    )
    assert r.exit_code == 0, r.output
    assert "user 'Lê Văn Tâm' added as admin" in r.output
    engine = create_engine(url)
    with engine.connect() as c:
        name, role, hashed = c.execute(text("SELECT name, role, password_hash FROM user_account")).one()
    engine.dispose()
    assert (name, role) == ("Lê Văn Tâm", "admin")
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert PasswordHasher().verify(hashed, PASSWORD)
    listed = CliRunner().invoke(main, ["users", "list"], env=env)
    assert listed.exit_code == 0 and listed.output.startswith("Lê Văn Tâm\tadmin\t")


def test_users_add_prompts_twice_for_the_password(url: str) -> None:
    r = CliRunner().invoke(
        main, ["users", "add", "Hoa"], input=f"{PASSWORD}\n{PASSWORD}\n", env={"THIDUA_DATABASE_URL": url}
    )
    assert r.exit_code == 0, r.output
    assert "added as editor" in r.output


def test_users_add_refusals(url: str, tmp_path: Path) -> None:
    env = {"THIDUA_DATABASE_URL": url}
    run = CliRunner().invoke
    short = run(main, ["users", "add", "Hoa", "--password-stdin"], input="ngắn\n", env=env)
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    assert run(main, ["users", "add", "Hoa", "--password-stdin"], input=PASSWORD, env=env).exit_code == 0
    twice = run(main, ["users", "add", "Hoa", "--password-stdin"], input=PASSWORD, env=env)
    assert twice.exit_code == 1 and "exists already" in twice.output
    role = run(main, ["users", "add", "An", "--role", "owner", "--password-stdin"], input=PASSWORD, env=env)
    assert role.exit_code == 2
    missing = run(
        main,
        ["users", "add", "An", "--password-stdin"],
        input=PASSWORD,
        env={"THIDUA_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite'}"},
    )
    assert missing.exit_code == 1 and "init-db" in missing.output


def test_serve_refuses_a_missing_database_and_a_weak_secret(tmp_path: Path, url: str) -> None:
    r = CliRunner().invoke(
        main, ["serve"], env={"THIDUA_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite'}"}
    )
    assert r.exit_code == 1 and "no database at" in r.output
    weak = CliRunner().invoke(main, ["serve"], env={"THIDUA_DATABASE_URL": url, "THIDUA_WEB_SECRET": "short"})
    assert weak.exit_code == 1 and "at least 32 characters" in weak.output
