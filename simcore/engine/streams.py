"""Random numbers for one replication, drawn in batches.

Every replication gets ``SeedSequence(seed, spawn_key=(rep_index,))`` — exactly the
``rep_index``-th child of ``SeedSequence(seed).spawn(...)``. Inside it, every component (and
every link that draws) gets its own stream keyed by a stable hash of its id, so two designs run
with the same seed see the same arrivals from a client of the same id (common random numbers:
their differences come from the designs, not from luck). numpy Generators are only ever passed
down explicitly; no global state is seeded.

Drawing one scalar from a numpy Generator costs about a microsecond; a stream instead draws
``BATCH`` values at once into a Python list and pops them, about 30 ns each.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

BATCH = 4096


def replication_seed(seed: int, rep_index: int) -> np.random.SeedSequence:
    """The seed sequence of replication ``rep_index`` of a study seeded with ``seed``."""
    # SeedSequence takes non-negative entropy: a negative seed wraps to 64 bits (-1 and 1
    # must not give the same run).
    return np.random.SeedSequence(int(seed) % (1 << 64), spawn_key=(int(rep_index),))


def child_generator(rep: np.random.SeedSequence, name: str, purpose: str) -> np.random.Generator:
    """A Generator for ``purpose`` ('arrivals', 'service', 'route'…) of the part named ``name``."""
    key = zlib.crc32(f"{name}\x00{purpose}".encode())
    ss = np.random.SeedSequence(rep.entropy, spawn_key=tuple(rep.spawn_key) + (key,))
    return np.random.default_rng(ss)


class Uniform:
    """Uniform [0, 1) numbers: ``u.next()``; ``u.buf`` may be popped directly in hot loops
    after checking it is not empty (then call ``u.refill()``)."""

    __slots__ = ("buf", "rng")

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.buf: list[float] = []

    def refill(self) -> None:
        self.buf = self.rng.random(BATCH).tolist()

    def next(self) -> float:
        if not self.buf:
            self.refill()
        return self.buf.pop()


class ServiceTimes:
    """Service times in seconds with mean ``mean_s``: exponential, constant, or lognormal with
    coefficient of variation ``cv`` (the mean stays ``mean_s``)."""

    __slots__ = ("buf", "dist", "mean_s", "mu", "rng", "sigma")

    def __init__(self, rng: np.random.Generator, dist: str, mean_s: float, cv: float = 1.0):
        self.rng = rng
        self.buf: list[float] = []
        self.mean_s = float(mean_s)
        self.dist = dist if mean_s > 0 else "constant"
        if self.dist == "lognormal":
            if cv <= 0:
                self.dist = "constant"
            else:
                self.sigma = math.sqrt(math.log1p(cv * cv))
                self.mu = math.log(self.mean_s) - self.sigma**2 / 2

    def refill(self) -> None:
        if self.dist == "exponential":
            self.buf = self.rng.exponential(self.mean_s, BATCH).tolist()
        elif self.dist == "lognormal":
            self.buf = self.rng.lognormal(self.mu, self.sigma, BATCH).tolist()
        else:
            self.buf = [self.mean_s] * BATCH

    def next(self) -> float:
        if not self.buf:
            self.refill()
        return self.buf.pop()


class Exponentials:
    """Exp(1) numbers (scale them by the wanted mean); ``buf`` may be popped directly as
    with ``Uniform``."""

    __slots__ = ("buf", "rng")

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.buf: list[float] = []

    def refill(self) -> None:
        self.buf = self.rng.standard_exponential(BATCH).tolist()

    def next(self) -> float:
        if not self.buf:
            self.refill()
        return self.buf.pop()
