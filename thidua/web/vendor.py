"""The browser libraries the web app serves from its own static folder, never from a CDN.

`static/vendor/manifest.json` pins each file: the npm package and version it comes from, the
registry tarball's integrity (as npm records it) and the file's SHA-256. `make vendor-htmx`
(``python -m thidua.web.vendor``) downloads the tarball from the registry, checks both digests
and writes the file and its licence; the result is committed, so installing and running the app
downloads nothing. `check` (run by the tests) proves the committed files are the pinned ones.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).parent / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"


class VendorError(RuntimeError):
    """A vendored file, or the tarball it comes from, is not the one the manifest pins."""


def manifest() -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return entries


def check() -> list[str]:
    """Return the vendored files after checking each one's SHA-256 against the manifest.

    Raises:
        VendorError: a file is missing or differs from the pinned one.
    """
    names = []
    for name, entry in manifest().items():
        path = VENDOR / name
        if not path.is_file():
            raise VendorError(f"{path} is missing; run make vendor-htmx")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != entry["sha256"]:
            raise VendorError(f"{path} has SHA-256 {digest}, the manifest pins {entry['sha256']}")
        names.append(name)
    return names


def fetch(name: str, entry: dict[str, Any]) -> None:
    """Download `entry`'s tarball, check it, and write the file and the package's licence."""
    with urllib.request.urlopen(entry["registry"], timeout=60) as response:
        tarball = response.read()
    algorithm, _, expected = entry["tarball_integrity"].partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if actual != expected:
        raise VendorError(f"{entry['registry']}: integrity {algorithm}-{actual}, expected {expected}")
    with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
        data = _member(archive, entry["path_in_tarball"])
        licence = _member(archive, "package/LICENSE")
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise VendorError(f"{entry['path_in_tarball']} differs from the SHA-256 the manifest pins")
    (VENDOR / name).write_bytes(data)
    (VENDOR / f"{Path(name).name.split('.')[0]}.LICENSE").write_bytes(licence)


def _member(archive: tarfile.TarFile, path: str) -> bytes:
    member = archive.extractfile(path)
    if member is None:
        raise VendorError(f"{path} is not a file in the tarball")
    return member.read()


def main() -> int:
    for name, entry in manifest().items():
        fetch(name, entry)
        print(f"{name}: {entry['package']} {entry['version']} checked and written")
    check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
