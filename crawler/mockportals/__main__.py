"""Run the mock portals in the foreground: ``python -m crawler.mockportals --port 8765``."""

from __future__ import annotations

import argparse
import logging
import threading
from pathlib import Path

from crawler.mockportals.corpus import DEFAULT_CORPUS
from crawler.mockportals.server import start_server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.mockportals", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="TCP port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory to serve")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    server = start_server(args.port, corpus_dir=args.corpus)
    print(f"mock portals listening; proxy URL {server.url}")
    for site in server.sites.values():
        print(f"  {site.portal.name:16} http://{site.host}/  ({site.family}, {len(site.entries)} entries)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
