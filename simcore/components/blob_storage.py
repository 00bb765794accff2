"""Blob storage: an object store (S3); terminal."""

from pydantic import Field

from simcore.components.base import CommonParams, KindSpec, unit


class BlobStorageParams(CommonParams):
    workers: int = Field(1_000, ge=1, le=1_000_000, description="Requests served at once.",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(20.0, ge=0, le=3_600_000,
                                   description="Mean time to first byte of an object.",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.05, ge=0, description="Price of storage and requests, per hour.",
                                 json_schema_extra=unit("$/h"))
    durability: float = Field(0.99999999999, gt=0, le=1,
                              description="Chance an object is never lost (typically S3's 11 "
                              "nines; shown, not simulated).", json_schema_extra=unit(""))


SPEC = KindSpec(
    kind="blob_storage",
    label="Blob storage",
    category="Data",
    description="Object storage for files, images and video: cheap, durable (11 nines), "
    "served through a CDN.",
    params=BlobStorageParams,
    role="terminal",
    terminal=True,
    shown_only=("durability",),
)
