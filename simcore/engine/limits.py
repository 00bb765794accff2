"""Rate limit policies and the circuit breaker, as small state machines driven by the
simulated clock (seconds)."""

from __future__ import annotations

from collections import deque


class TokenBucket:
    """``rate`` tokens per second into a bucket of ``burst`` tokens (at least 1); a request
    takes one token or is rejected. Starts full."""

    __slots__ = ("burst", "rate", "t_last", "tokens")

    def __init__(self, rate: float, burst: float | None):
        self.rate = float(rate)
        self.burst = max(1.0, float(burst) if burst is not None else float(rate))
        self.tokens = self.burst
        self.t_last = 0.0

    def admit(self, now: float) -> bool:
        t = self.tokens + (now - self.t_last) * self.rate
        self.tokens = t if t < self.burst else self.burst  # noqa: FURB136 (min() is slower here)
        self.t_last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class FixedWindow:
    """At most ``limit`` requests in each whole second [k, k + 1) of simulated time."""

    __slots__ = ("count", "limit", "window")

    def __init__(self, limit: float):
        self.limit = float(limit)
        self.window = -1
        self.count = 0

    def admit(self, now: float) -> bool:
        w = int(now)
        if w != self.window:
            self.window = w
            self.count = 0
        if self.count < self.limit:
            self.count += 1
            return True
        return False


class SlidingWindow:
    """At most ``limit`` requests in any rolling one-second window (an exact sliding log of
    admission times)."""

    __slots__ = ("limit", "log")

    def __init__(self, limit: float):
        self.limit = float(limit)
        self.log: deque = deque()

    def admit(self, now: float) -> bool:
        log = self.log
        edge = now - 1.0
        while log and log[0] <= edge:
            log.popleft()
        if len(log) < self.limit:
            log.append(now)
            return True
        return False


def make_limiter(policy: str, limit_rps: float, burst: float | None):
    if policy == "fixed_window":
        return FixedWindow(limit_rps)
    if policy == "sliding_window":
        return SlidingWindow(limit_rps)
    return TokenBucket(limit_rps, burst)


CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    """Closed → open after ``threshold`` failures within ``window_s``; open fails every call
    at once; after ``open_s`` it is half-open and lets one trial call through at a time: a
    success closes it, a failure opens it again (the seed's pattern, defaults 5 in 30 s, 30 s).

    ``transitions`` records (time s, new state) — a handful per run.
    """

    __slots__ = ("fails", "open_s", "opened_at", "short_circuited", "state", "threshold",
                 "transitions", "trial", "window_s")

    def __init__(self, threshold: int, window_s: float, open_s: float):
        self.threshold = int(threshold)
        self.window_s = float(window_s)
        self.open_s = float(open_s)
        self.state = CLOSED
        self.fails: deque = deque()
        self.opened_at = 0.0
        self.trial = False
        self.transitions: list[tuple[float, str]] = []
        self.short_circuited = 0

    def allow(self, now: float) -> int:
        """0: fail fast; 1: a normal call; 2: the half-open trial call."""
        if self.state == OPEN:
            if now - self.opened_at < self.open_s:
                self.short_circuited += 1
                return 0
            self.state = HALF_OPEN
            self.trial = False
            self.transitions.append((now, HALF_OPEN))
        if self.state == HALF_OPEN:
            if self.trial:
                self.short_circuited += 1
                return 0
            self.trial = True
            return 2
        return 1

    def record(self, now: float, ok: bool, kind: int) -> None:
        """The outcome of a call that ``allow`` let through as ``kind``."""
        if kind == 2:
            self.trial = False
            if ok:
                self.state = CLOSED
                self.fails.clear()
                self.transitions.append((now, CLOSED))
            else:
                self._open(now)
            return
        if self.state != CLOSED or ok:
            return
        fails = self.fails
        fails.append(now)
        edge = now - self.window_s
        while fails and fails[0] < edge:
            fails.popleft()
        if len(fails) >= self.threshold:
            self._open(now)

    def _open(self, now: float) -> None:
        self.state = OPEN
        self.opened_at = now
        self.fails.clear()
        self.transitions.append((now, OPEN))
