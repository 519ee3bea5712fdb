"""Requests a second per origin: a token bucket, so a burst of 20 passes and a page that keeps
sending faster hears RATE_LIMITED with how long to wait, while other origins go on."""

from __future__ import annotations

import time
from typing import Callable

from desktop.bridge.protocol import MAX_REQUESTS_PER_SECOND


class RateLimiter:
    def __init__(self, per_second: float = MAX_REQUESTS_PER_SECOND, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = float(per_second)
        self.burst = float(burst if burst is not None else per_second)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last time)

    def take(self, key: str) -> float:
        """0 when the request may go; else the seconds until it could."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0 - 1e-9:  # float sums of refills may fall a hair short of 1
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > 10_000:  # forget idle origins
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
        return (1.0 - tokens) / self.rate
