"""Fault injection for the mock portals: latency, 5xx, connection resets, truncation, 429, huge pages.

Everything is off by default. Decisions are deterministic: each one is drawn from a generator
seeded with (seed, host, request target, how many times that target was requested before), so a
test sees the same faults on every run whatever the thread scheduling, and a retried request
gets a fresh draw (retries can succeed).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

FaultKind = Literal["none", "error", "reset", "truncate", "throttle", "oversize"]


@dataclass(frozen=True, slots=True)
class HostFaults:
    """Fault rates for one host. Rates are probabilities in [0, 1], checked in field order."""

    latency: float = 0.0  # seconds added to every response
    latency_jitter: float = 0.0  # plus a uniform random 0..jitter seconds
    error_rate: float = 0.0  # answer with `error_status`
    error_status: int = 503
    reset_rate: float = 0.0  # send part of the headers, then reset the connection
    truncate_rate: float = 0.0  # promise the full Content-Length, send half the body, close
    throttle_rate: float = 0.0  # answer 429 with Retry-After
    retry_after: int = 1
    oversize_rate: float = 0.0  # pad the page with `oversize_bytes` of HTML comment (a size-cap test)
    oversize_bytes: int = 50 * 1024 * 1024

    def __post_init__(self) -> None:
        for name in ("error_rate", "reset_rate", "truncate_rate", "throttle_rate", "oversize_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"HostFaults.{name} must be between 0 and 1, got {value}")
        if self.latency < 0 or self.latency_jitter < 0:
            raise ValueError("HostFaults latency and latency_jitter must be >= 0 seconds")


NO_FAULTS = HostFaults()


@dataclass(frozen=True, slots=True)
class Decision:
    kind: FaultKind
    delay: float


@dataclass(frozen=True)
class FaultConfig:
    """Per-host fault settings; hosts not listed use `default`.

    robots.txt is spared by default so a crawler's robots middleware does not mask the fault under test.
    """

    seed: int = 0
    default: HostFaults = NO_FAULTS
    hosts: Mapping[str, HostFaults] = field(default_factory=lambda: MappingProxyType({}))
    spare_robots: bool = True

    def for_host(self, host: str) -> HostFaults:
        """Return the faults configured for `host`."""
        return self.hosts.get(host.lower(), self.default)


class FaultInjector:
    """Draw a fault decision for each request."""

    def __init__(self, config: FaultConfig | None) -> None:
        self.config = config or FaultConfig()
        self._seen: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def decide(self, host: str, target: str) -> Decision:
        """Return what to do with the request for `target` on `host`."""
        faults = self.config.for_host(host)
        if faults == NO_FAULTS or (self.config.spare_robots and target.startswith("/robots.txt")):
            return Decision("none", 0.0)
        with self._lock:
            attempt = self._seen[(host, target)]
            self._seen[(host, target)] += 1
        rng = random.Random(f"{self.config.seed}|{host}|{target}|{attempt}")
        delay = faults.latency + (rng.uniform(0, faults.latency_jitter) if faults.latency_jitter else 0.0)
        kind: FaultKind = "none"
        if rng.random() < faults.error_rate:
            kind = "error"
        elif rng.random() < faults.reset_rate:
            kind = "reset"
        elif rng.random() < faults.truncate_rate:
            kind = "truncate"
        elif rng.random() < faults.throttle_rate:
            kind = "throttle"
        elif rng.random() < faults.oversize_rate:
            kind = "oversize"
        return Decision(kind, delay)
