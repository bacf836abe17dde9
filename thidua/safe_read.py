"""Read article files that may be hostile: only regular files, never more than a cap, any file name.

`thidua extract-text` reads whatever sits in a folder. A FIFO named `x.txt` would block `open()` for
ever, a symlink to `/dev/zero` would be read until memory runs out, a file name that is not valid
UTF-8 cannot be printed or written into JSON as it is. Here each is refused with a named error before
a byte is read, or shown safely.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from extract.errors import NotRegularFileError
from extract.limits import check_size

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def shown(path: Path | str) -> str:
    """`path` printable anywhere: bytes that are not UTF-8 appear as \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def text_id(name: str) -> str:
    """A file stem as a JSON-safe record id: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace")


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((k for test, k in _KINDS if test(mode)), "not a regular file")
        raise NotRegularFileError(f"{kind}, not a regular file: skipped")


def read_capped(path: Path, cap: int) -> bytes:
    """The bytes of the regular file at `path` (a symlink to one is fine), at most `cap` of them.

    Raises NotRegularFileError for anything else and ArticleTooLargeError above `cap`, both before
    reading; OSError as the system gives it.
    """
    _check_regular(os.stat(path).st_mode)  # follows symlinks: a link to /dev/zero is a device
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    # O_NONBLOCK: if the path was swapped for a FIFO since stat(), open() still returns at once
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        _check_regular(st.st_mode)
        check_size(st.st_size, what="file", cap=cap)
        data = fh.read(cap + 1)  # a file that grew since fstat is still read no further than the cap
    check_size(len(data), what="file", cap=cap)
    return data
