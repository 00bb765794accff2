"""External service: a third-party API (payments, email); terminal."""

from pydantic import Field

from simcore.components.base import CommonParams, KindSpec, unit


class ExternalServiceParams(CommonParams):
    workers: int = Field(100, ge=1, le=1_000_000, description="Concurrent calls the API accepts.",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(200.0, ge=0, le=3_600_000,
                                   description="Mean response time of the API.",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.0, ge=0, description="Price per hour (usually billed per call).",
                                 json_schema_extra=unit("$/h"))


SPEC = KindSpec(
    kind="external_service",
    label="External service",
    category="Compute",
    description="A third-party API (payments, email, SMS): its response time and availability "
    "are not yours to change.",
    params=ExternalServiceParams,
    role="terminal",
    terminal=True,
)
