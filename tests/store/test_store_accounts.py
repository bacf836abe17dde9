"""Web app accounts (store.accounts) on both engines: users, roles, and counted sign-in failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from store.accounts import add_user, list_users, note_login, recent_failures, user_by_id, user_named
from store.errors import AccountError, DuplicateUserError, InvalidEditorError


def test_add_and_find_users(session: Session) -> None:
    user = add_user(session, name="  Trần Văn Bình ", role="editor", password_hash="$argon2id$x")
    assert user.name == "Trần Văn Bình"
    assert user_named(session, "Trần Văn Bình") is user
    assert user_by_id(session, user.id) is user
    assert user_named(session, "nobody") is None
    add_user(session, name="An", role="admin", password_hash="$argon2id$y")
    assert [u.name for u in list_users(session)] == ["An", "Trần Văn Bình"]


@pytest.mark.parametrize(
    ("name", "role", "hashed", "error"),
    [
        ("Lan", "viewer", "$h", AccountError),
        ("", "editor", "$h", InvalidEditorError),
        ("Lan", "editor", "", AccountError),
    ],
)
def test_bad_users_are_refused(session: Session, name: str, role: str, hashed: str, error: type) -> None:
    with pytest.raises(error):
        add_user(session, name=name, role=role, password_hash=hashed)
    assert list_users(session) == []


def test_a_name_is_taken_once(session: Session) -> None:
    add_user(session, name="Lan", role="editor", password_hash="$h")
    with pytest.raises(DuplicateUserError):
        add_user(session, name="Lan", role="admin", password_hash="$h2")


def test_failures_are_counted_per_name_and_per_address_within_the_window(session: Session) -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    for minutes in (1, 2, 20):  # the one 20 minutes ago falls outside a 15-minute window
        note_login(session, name="Lan", ip="10.0.0.1", succeeded=False, at=now - timedelta(minutes=minutes))
    note_login(session, name="Bình", ip="10.0.0.1", succeeded=False, at=now - timedelta(minutes=3))
    note_login(session, name="Lan", ip="10.0.0.2", succeeded=True, at=now - timedelta(minutes=1))
    counts = recent_failures(session, name="Lan", ip="10.0.0.1", window=timedelta(minutes=15), now=now)
    assert (counts.by_name, counts.by_ip) == (2, 3)
    other = recent_failures(session, name="An", ip="10.0.0.9", window=timedelta(minutes=15), now=now)
    assert (other.by_name, other.by_ip) == (0, 0)
