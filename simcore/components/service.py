"""Service: an app server or worker pool calling its downstream links in order."""

from pydantic import Field

from simcore.components.base import CommonParams, KindSpec, unit


class ServiceParams(CommonParams):
    workers: int = Field(50, ge=1, le=1_000_000,
                         description="Threads per instance (typically 50 workers at 10 ms → 5,000 rps).",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(10.0, ge=0, le=3_600_000,
                                   description="Mean time of the service's own work per request.",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.1, ge=0, description="Price of one instance, per hour.",
                                 json_schema_extra=unit("$/h"))
    blocking: bool = Field(
        True, description="Thread per request: a worker stays busy while its calls are out. "
        "Off for event-loop servers.")


SPEC = KindSpec(
    kind="service",
    label="Service",
    category="Compute",
    description="An app server or worker pool: does its own work, then calls each outgoing "
    "link in order with the link's probability.",
    params=ServiceParams,
    role="service",
)
