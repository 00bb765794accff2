"""Database: shards x (one primary + replicas); terminal."""

from typing import Literal

from pydantic import Field, model_validator

from simcore.components.base import CommonParams, KindSpec, unit


class DatabaseParams(CommonParams):
    workers: int = Field(16, ge=1, le=1_000_000, description="Connections one node serves at once.",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(5.0, ge=0, le=3_600_000,
                                   description="Mean time of one query on one node.",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.5, ge=0, description="Price of one database node, per hour.",
                                 json_schema_extra=unit("$/h"))
    replicas: int = Field(0, ge=0, le=100, description="Read replicas per shard.",
                          json_schema_extra=unit(""))
    shards: int = Field(1, ge=1, le=1_000, description="Partitions, each with its own primary.",
                        json_schema_extra=unit(""))
    shard_skew: float = Field(0.0, ge=0, le=10,
                              description="Zipf exponent of the load over shards (0 = even; "
                              "1 = shard k gets a share ∝ 1/k).", json_schema_extra=unit(""))
    replication: Literal["async", "semi_sync", "sync"] = Field(
        "async", description="What a write needs: sync the primary and every replica of its "
        "shard up, semi_sync the primary and at least one replica (both wait for the lag), "
        "async the primary only (replica reads are stale within the lag, and a failover to the "
        "standby loses the writes of the last lag).")
    replication_lag_ms: float = Field(0.0, ge=0, le=3_600_000,
                                      description="Time for a write to reach the replicas.",
                                      json_schema_extra=unit("ms", label="Replication lag"))
    consistency: Literal["strong", "eventual"] = Field(
        "strong", description="What a replica cut off from its primary by a partition does with "
        "a read: strong (CP) fails it, eventual (AP) serves it, stale, and counts it.",
        json_schema_extra={"since": 2})
    sharding: Literal["range", "hash", "directory"] | None = Field(
        None, description="How keys map to shards: range (a hot range: shard k gets a share "
        "∝ k^−shard_skew, as when unset), hash (even shares; shards can be added at run time), "
        "directory (even shares plus a lookup on every request).",
        json_schema_extra={"since": 2, "unset": "range (by shard skew)"})
    directory_ms: float = Field(1.0, ge=0, le=3_600_000,
                                description="Time of the directory lookup every request makes "
                                "under directory sharding (a delay, not service time).",
                                json_schema_extra=unit("ms", since=2, label="Directory lookup"))
    engine: str = Field("PostgreSQL", description="Database engine (shown only).")

    @model_validator(mode="after")
    def _single_instance(self):
        if self.instances != 1:
            raise ValueError("a database has instances 1: use replicas and shards")
        if self.sharding in ("hash", "directory") and self.shard_skew != 0:
            raise ValueError(f"{self.sharding} sharding spreads keys evenly: shard_skew must "
                             "be 0 (use sharding 'range' for a hot range)")
        return self

    @property
    def effective_skew(self) -> float:
        """The Zipf exponent of the load over shards: 0 under hash or directory sharding."""
        return 0.0 if self.sharding in ("hash", "directory") else float(self.shard_skew)

    @property
    def lookup_ms(self) -> float:
        """The delay every request pays before its shard is known (directory sharding)."""
        return float(self.directory_ms) if self.sharding == "directory" else 0.0


SPEC = KindSpec(
    kind="database",
    label="Database",
    category="Data",
    description="Primary for writes, replicas for reads, shards by key (range with a Zipf skew "
    "for hot shards, hash, or a directory), sync, semi-sync or async replication with a lag, "
    "strong or eventual consistency under a partition.",
    params=DatabaseParams,
    role="database",
    terminal=True,
    shown_only=("engine",),
)
