"""Retry timing and the retry budget of a client or a link (SPEC §7.7).

Retry number m (m = 0 for the first retry) waits backoff · 2^m seconds, or with full jitter a
uniform draw on [0, backoff · 2^m]: callers that failed together then spread their retries
over the window instead of coming back in one wave.

A budget b allows a retry only while retries + 1 ≤ b × first tries over the last
``BUDGET_WINDOW_S`` seconds (both counted at the moment they are sent); beyond it a failure is
final. Whenever a retry is sent, the retries of the trailing window are at most b × its first
tries, so under steady traffic the attempts per request stay at most about 1 + b however many
retries each request may take (and however long the target stays down): the cap on retry
amplification.
"""

from __future__ import annotations

from collections import deque

from simcore.engine.streams import Uniform, child_generator

BUDGET_WINDOW_S = 10.0
"""The window over which a retry budget compares retries with first tries (s)."""


class RetryPolicy:
    """The waits and the budget of one client's or link's retries. Times in seconds."""

    __slots__ = ("backoff_s", "budget", "firsts", "jitter", "retries")

    def __init__(self, backoff_s: float, jitter: str, budget: float | None, rep, owner_id: str):
        self.backoff_s = float(backoff_s)
        self.jitter = (Uniform(child_generator(rep, owner_id, "retry_jitter"))
                       if jitter == "full" else None)
        self.budget = None if budget is None else float(budget)
        self.firsts: deque = deque()
        self.retries: deque = deque()

    @property
    def plain(self) -> bool:
        """Neither jitter nor a budget: the version 1 behaviour."""
        return self.jitter is None and self.budget is None

    def wait(self, m: int) -> float:
        """Seconds before retry number ``m`` (0 for the first retry)."""
        cap = self.backoff_s * (2 ** m)
        if self.jitter is None or cap <= 0.0:
            return cap
        return self.jitter.next() * cap

    def first_try(self, now: float) -> None:
        """A first try was sent at ``now`` (only counted when there is a budget)."""
        if self.budget is not None:
            self.firsts.append(now)

    def allow_retry(self, now: float) -> bool:
        """Whether the budget allows one more retry at ``now``; if so it is counted."""
        if self.budget is None:
            return True
        edge = now - BUDGET_WINDOW_S
        for d in (self.firsts, self.retries):
            while d and d[0] <= edge:
                d.popleft()
        if len(self.retries) + 1 <= self.budget * len(self.firsts):
            self.retries.append(now)
            return True
        return False
