"""Local mock Vietnamese government portals for offline crawl tests (portals.md §6).

Example::

    with start_server() as server:          # 127.0.0.1, a free port
        proxy = server.url                   # give this to Scrapy as the HTTP proxy
"""

from crawler.mockportals.faults import FaultConfig, HostFaults
from crawler.mockportals.server import MockPortalServer, start_server

__all__ = ["FaultConfig", "HostFaults", "MockPortalServer", "start_server"]
