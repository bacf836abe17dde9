"""Fixtures every test folder may use, and the CI rule that a skipped test fails (see ci_gate.py)."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from ci_gate import pytest_configure, pytest_make_collect_report, pytest_runtest_makereport

__all__ = ["pytest_configure", "pytest_make_collect_report", "pytest_runtest_makereport"]


@contextmanager
def _without_write_access(folder: Path) -> Iterator[None]:
    """Run the block as a user who may read `folder` but not write in it.

    Root ignores file modes, so as root (as CI runs) the block runs with the effective ids of
    `nobody`, who cannot write in a folder owned by root with mode 0555.
    """
    folder.chmod(0o555)
    try:
        if os.geteuid() != 0:
            yield
            return
        nobody = pwd.getpwnam("nobody")
        os.setegid(nobody.pw_gid)
        os.seteuid(nobody.pw_uid)
        try:
            yield
        finally:
            os.seteuid(0)
            os.setegid(0)
    finally:
        folder.chmod(0o755)


@pytest.fixture
def without_write_access() -> Callable[[Path], AbstractContextManager[None]]:
    """`with without_write_access(folder):` runs its block unable to write in `folder`."""
    return _without_write_access


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A new folder `nobody` can reach (pytest's tmp_path lives under a 0700 folder of root's)."""
    folder = Path(tempfile.mkdtemp(prefix="thidua-test-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
