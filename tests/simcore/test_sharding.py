"""Sharding strategies and resharding (SPEC §7.6): range, hash and directory in the analysis and
the simulation; keys moved by consistent hashing and by modulo when a shard is added, and the
migration load that makes the difference visible."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simcore.analysis import analyze
from simcore.design import SCHEMA_VERSION
from simcore.engine.replication import run_replication
from simcore.engine.resharding import KeyMap
from simcore.io import parse
from simcore.paths import examples_dir
from simcore.problems import DesignError
from simcore.validate import validate


def sharded(rps: float = 100.0, read_ratio: float = 0.5, **db) -> dict:
    return {"schema_version": SCHEMA_VERSION,
            "components": [{"id": "users", "kind": "client",
                            "params": {"rps": rps, "read_ratio": read_ratio}},
                           {"id": "db", "kind": "database",
                            "params": {"workers": 64, "service_time_ms": 2,
                                       "service_distribution": "constant", **db}}],
            "links": [{"id": "l1", "source": "users", "target": "db"}]}


# --- strategies ----------------------------------------------------------------------------------

def test_range_keeps_the_zipf_shares_and_hash_spreads_evenly():
    # 4 shards, skew 1: shard 1 takes 1 / (1 + 1/2 + 1/3 + 1/4) = 0.48 under range (and with
    # no strategy named); hash and directory take a quarter each.
    hot = 1.0 / sum(1.0 / k for k in range(1, 5))
    for extra in ({}, {"sharding": "range"}):
        res = analyze(parse(sharded(rps=1000, read_ratio=0.0, shards=4, shard_skew=1.0,
                                    **extra)))
        assert res.components["db"].utilization == pytest.approx(1000 * hot * 0.002 / 64)
    for strategy in ("hash", "directory"):
        res = analyze(parse(sharded(rps=1000, read_ratio=0.0, shards=4, sharding=strategy)))
        assert res.components["db"].utilization == pytest.approx(1000 / 4 * 0.002 / 64)


def test_hash_sharding_with_a_skew_is_an_error():
    problems = validate(parse(sharded(shards=4, sharding="hash", shard_skew=1.0)))
    assert any("shard_skew must be 0" in p.message for p in problems)


def test_directory_lookup_is_a_delay_on_every_request():
    # Constant 2 ms queries far from saturation (64 workers at 100 rps): reads and writes
    # take 2 ms, plus the 3 ms lookup under directory sharding; the lookup holds no worker.
    plain = analyze(parse(sharded(shards=2, sharding="hash")))
    directory = analyze(parse(sharded(shards=2, sharding="directory", directory_ms=3)))
    assert directory.latency_mean_ms == pytest.approx(plain.latency_mean_ms + 3.0, rel=1e-9)
    assert directory.components["db"].utilization == pytest.approx(
        plain.components["db"].utilization)
    r = run_replication(parse(sharded(shards=2, sharding="directory", directory_ms=3)),
                        seed=2, duration_s=5, warmup_s=1)
    assert r["latency_ms"]["mean"] == pytest.approx(5.0, rel=1e-6)
    # the default lookup is 1 ms
    default = analyze(parse(sharded(shards=2, sharding="directory")))
    assert default.latency_mean_ms == pytest.approx(plain.latency_mean_ms + 1.0, rel=1e-9)


# --- keys moved by adding a shard ----------------------------------------------------------------

KEYS = 60 * 1000  # a multiple of n(n + 1) for n ≤ 5: the shares below are exact for modulo


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_consistent_moves_one_share_and_modulo_all_but_one(n):
    rng = np.random.default_rng(1)
    modulo = KeyMap(KEYS, n, rng)
    old, new = modulo.add_shard("modulo", n)
    assert len(old) / KEYS == pytest.approx(n / (n + 1), abs=1e-12)
    assert modulo.moved_share() == pytest.approx(n / (n + 1), abs=1e-12)
    consistent = KeyMap(KEYS, n, rng)
    old, new = consistent.add_shard("consistent", n)
    # an even share of every shard, rounded to whole keys per shard
    assert len(old) / KEYS == pytest.approx(1 / (n + 1), abs=n / KEYS)
    assert set(new.tolist()) == {n}
    counts = np.bincount(old, minlength=n)
    assert counts.max() - counts.min() <= 1
    assert np.bincount(consistent.shard).max() - np.bincount(consistent.shard).min() <= n


def test_moved_share_counts_from_the_start_of_the_run():
    # 2 → 3 → 4 under modulo: key i is elsewhere when i mod 4 ≠ i mod 2, a half (not the
    # 2/3 + 3/4 of the two steps added up).
    keys = KeyMap(KEYS, 2, np.random.default_rng(2))
    keys.add_shard("modulo", 2)
    keys.add_shard("modulo", 3)
    assert keys.moved_share() == pytest.approx(0.5, abs=1e-12)
    # consistent hashing moves keys only onto the new shards: 1 − 2/4 = a half too
    keys = KeyMap(KEYS, 2, np.random.default_rng(2))
    keys.add_shard("consistent", 2)
    keys.add_shard("consistent", 3)
    assert keys.moved_share() == pytest.approx(0.5, abs=1e-3)


# --- the migration in a run ----------------------------------------------------------------------

def _reshard_run(rehash: str) -> dict:
    # A hash-sharded database of 2 shards gains a third at 5 s; the moved keys of the default
    # key space (100,000) are copied over 10 s, inside the measured window (warm-up 2 s).
    d = sharded(rps=100, shards=2, sharding="hash", replicas=1)
    d["scenario"] = {"events": [{"type": "add_shard", "target": "db", "at_s": 5,
                                 "rehash": rehash, "migration_s": 10}]}
    return run_replication(parse(d), seed=4, duration_s=20, warmup_s=2)


def test_add_shard_needs_a_hash_sharded_database_and_no_duration():
    d = sharded(shards=2, sharding="range")
    d["scenario"] = {"events": [{"type": "add_shard", "target": "db", "at_s": 5}]}
    problems = validate(parse(d))
    assert any("must be a hash-sharded database" in p.message for p in problems)
    d = sharded(shards=2, sharding="hash")
    d["scenario"] = {"events": [{"type": "add_shard", "target": "db", "at_s": 5,
                                 "duration_s": 10}]}
    with pytest.raises(DesignError, match="instantaneous"):
        parse(d)


@pytest.mark.parametrize(("rehash", "moved"), [
    ("modulo", sum(1 for k in range(100_000) if k % 2 != k % 3)),
    ("consistent", 2 * round(50_000 / 3))])
def test_each_moved_key_costs_a_read_and_a_write(rehash, moved):
    r = _reshard_run(rehash)
    db = r["components"]["db"]
    # every client request is served once; each moved key adds one read and one write. The
    # client requests at the warm-up's edge blur the count by a few.
    assert db["served"] - r["succeeded"] == pytest.approx(2 * moved, abs=20)
    assert db["moved_key_share"] == pytest.approx(moved / 100_000)
    # the new shard came with its replica: 3 shards × 2 nodes
    assert len(db["node_served"]) == 6
    assert r["error_rate"] == 0.0


def test_resharding_example_modulo_overloads_where_consistent_does_not():
    # The example's description: a fifth of the keys move under consistent hashing, four
    # fifths under modulo, whose copies overload the old shards' replicas (5 ms, 4 workers:
    # 800 reads/s; 200 client reads/s + 80,000 keys / 4 shards / 30 s = 867/s) while they last.
    d = json.loads((examples_dir() / "resharding_consistent_vs_modulo.json").read_text())
    consistent = run_replication(parse(d), seed=1)
    d["scenario"]["events"][0]["rehash"] = "modulo"
    modulo = run_replication(parse(d), seed=1)
    assert consistent["components"]["db"]["moved_key_share"] == pytest.approx(0.2, abs=1e-4)
    assert modulo["components"]["db"]["moved_key_share"] == pytest.approx(0.8, abs=1e-12)
    assert consistent["latency_ms"]["p99"] < 200
    assert modulo["latency_ms"]["p99"] > 1000


# --- the added shard is paid for and fails like the others ----------------------------------------

def test_an_added_shard_is_billed_for_the_time_it_exists():
    # 2 shards × (primary + 1 replica) at $1/h; a third shard joins at 10 s of a run measured from
    # 5 s to 30 s: the time-averaged shards are (5 · 2 + 20 · 3) / 25 = 2.8, so the month costs
    # 730 h × 2.8 × 2 nodes; without the event, the analysis' 730 × 4.
    d = sharded(rps=50, shards=2, sharding="hash", replicas=1, cost_per_hour=1.0)
    still = run_replication(parse(d), seed=3, duration_s=30, warmup_s=5)
    assert still["components"]["db"]["monthly_cost"] == pytest.approx(730.0 * 4)
    d["scenario"] = {"events": [{"type": "add_shard", "target": "db", "at_s": 10,
                                 "migration_s": 5}]}
    grown = run_replication(parse(d), seed=3, duration_s=30, warmup_s=5)
    assert grown["components"]["db"]["monthly_cost"] == pytest.approx(730.0 * 2.8 * 2, rel=1e-9)
    # a standby per shard primary is paid for too: 2.8 × (2 + 1)
    d["components"][1]["params"]["standby"] = "warm"
    grown = run_replication(parse(d), seed=3, duration_s=30, warmup_s=5)
    assert grown["components"]["db"]["monthly_cost"] == pytest.approx(730.0 * 2.8 * 3, rel=1e-9)


def test_an_added_shard_fails_at_random_like_the_others():
    # Nodes up a third of the time on cycles of 5.4 s (MTBF 3.6 s, MTTR 1.8 s). The added shard's
    # failures are drawn on streams of their own, so the old nodes fail exactly as without the
    # event, and the run counts the new shard's failures on top of theirs.
    d = sharded(rps=20, shards=2, sharding="hash", replicas=1, mtbf_hours=0.001,
                mttr_hours=0.0005)
    d["scenario"] = {"random_failures": True}
    before = run_replication(parse(d), seed=5, duration_s=60, warmup_s=0)
    d["scenario"]["events"] = [{"type": "add_shard", "target": "db", "at_s": 5, "migration_s": 5}]
    after = run_replication(parse(d), seed=5, duration_s=60, warmup_s=0)
    # 4 old nodes over 60 s, 2 new ones over 55 s: about 44 and 20 failures
    extra = after["random_failures"] - before["random_failures"]
    assert 20 < before["random_failures"] < 70
    assert 5 < extra < 40
