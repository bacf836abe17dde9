"""Command-line interface (placeholder until wired)."""


def main() -> None:
    raise SystemExit("not yet")
