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
        "async", description="sync/semi_sync add the lag to every write; async makes replica "
        "reads stale for the lag.")
    replication_lag_ms: float = Field(0.0, ge=0, le=3_600_000,
                                      description="Time for a write to reach the replicas.",
                                      json_schema_extra=unit("ms", label="Replication lag"))
    engine: str = Field("PostgreSQL", description="Database engine (shown only).")

    @model_validator(mode="after")
    def _single_instance(self):
        if self.instances != 1:
            raise ValueError("a database has instances 1: use replicas and shards")
        return self


SPEC = KindSpec(
    kind="database",
    label="Database",
    category="Data",
    description="Primary for writes, replicas for reads, shards by key (Zipf skew for hot "
    "shards), sync or async replication with a lag.",
    params=DatabaseParams,
    role="database",
    terminal=True,
    shown_only=("engine",),
)
