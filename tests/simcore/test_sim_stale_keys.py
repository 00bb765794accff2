"""Stale reads are judged per key (SPEC §7.5): a replica read is stale when its key was written
within the replication lag. For a key written at Poisson rate w, that happens with probability
1 − e^(−w·lag); the design's fraction is that averaged over the keys the reads touch."""

import math

import numpy as np
import pytest

from simcore.engine.keys import zipf_keys
from simcore.engine.replication import run_replication
from simcore.engine.stats import mean_ci
from simcore.io import parse

RPS, READ, LAG_S, KEYS = 200.0, 0.5, 0.1, 20


def design(skew):
    return parse({"schema_version": 2, "components": [
        {"id": "users", "kind": "client",
         "params": {"rps": RPS, "read_ratio": READ, "key_space": KEYS, "key_skew": skew}},
        {"id": "db", "kind": "database",
         "params": {"workers": 64, "service_time_ms": 1, "replicas": 1,
                    "replication": "async", "replication_lag_ms": LAG_S * 1000}}],
        "links": [{"id": "l1", "source": "users", "target": "db"}]})


def expected_stale_fraction(skew):
    p = np.arange(1, KEYS + 1, dtype=float) ** -skew
    p /= p.sum()
    w = RPS * (1 - READ) * p  # each key's write rate
    return float(np.sum(p * (1.0 - np.exp(-w * LAG_S))))  # reads touch keys as writes do


@pytest.mark.parametrize("skew", [0.0, 1.0])
def test_stale_fraction_matches_the_closed_form(skew):
    fractions = []
    for k in range(6):
        r = run_replication(design(skew), seed=11, rep_index=k, duration_s=62, warmup_s=2)
        db = r["components"]["db"]
        assert db["replica_reads"] > 5000
        fractions.append(db["stale_reads"] / db["replica_reads"])
    m, (lo, hi) = mean_ci(fractions)
    want = expected_stale_fraction(skew)
    if skew == 0.0:  # every key alike: 1 − e^(−5/s · 0.1 s)
        assert want == pytest.approx(1 - math.exp(-0.5))
    half = (hi - lo) / 2
    assert half < 0.01  # the interval is tight enough to tell per key from per shard
    assert abs(m - want) <= half + 0.005, (m, want, lo, hi)
    # judged per shard (version 1), every replica read within 0.1 s of any write is stale:
    # 1 − e^(−100/s · 0.1 s) ≈ 1 — far from the per-key figure
    assert m < 0.8


def test_zipf_keys_follow_their_law_exactly_and_approximately():
    rng = np.random.default_rng(5)
    keys = zipf_keys(rng, 20, 1.0, 200_000)
    p = np.arange(1, 21, dtype=float) ** -1.0
    p /= p.sum()
    seen = np.bincount(keys, minlength=20) / keys.size
    assert np.allclose(seen, p, atol=0.005)
    big = zipf_keys(rng, 10**8, 1.0, 200_000)  # the continuous approximation
    assert big.min() >= 0 and big.max() < 10**8
    # P(key < 10) under Zipf(1) over 10^8 keys: H_10 / H_(10^8) ≈ 2.929 / 19.0
    assert np.mean(big < 10) == pytest.approx(2.929 / 19.0, abs=0.01)
