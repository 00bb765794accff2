"""Service: an app server or worker pool calling its downstream links in order."""

from pydantic import Field, model_validator

from simcore.components.base import CommonParams, KindSpec, ParamsBase, unit


class AutoscaleParams(ParamsBase):
    """Instances follow the load (SPEC §7.8): every ``interval_s`` the desired count is
    ⌈busy workers / (workers · target_utilization)⌉ within [min_instances, max_instances];
    a new instance serves ``startup_s`` after it is asked for."""

    min_instances: int = Field(1, ge=1, le=10_000, json_schema_extra=unit("", since=2),
                               description="Instances never fewer (the run starts with these).")
    max_instances: int = Field(10, ge=1, le=10_000, json_schema_extra=unit("", since=2),
                               description="Instances never more (the analysis' saturation "
                               "assumes these).")
    target_utilization: float = Field(0.6, gt=0, le=1, json_schema_extra=unit("", since=2),
                                      description="Busy share of the workers the scaling aims at.")
    interval_s: float = Field(30.0, gt=0, le=86_400, json_schema_extra=unit("s", since=2),
                              description="Time between two scaling decisions (busy workers "
                              "are averaged over it).")
    startup_s: float = Field(60.0, ge=0, le=86_400, json_schema_extra=unit("s", since=2),
                             description="Time from asking for an instance until it serves.")

    @model_validator(mode="after")
    def _bounds(self):
        if self.min_instances > self.max_instances:
            raise ValueError("autoscale: min_instances must not exceed max_instances")
        return self


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
    autoscale: AutoscaleParams | None = Field(
        None, description="Let the instances follow the load instead of a fixed count "
        "(replaces instances), e.g. {\"min_instances\": 2, \"max_instances\": 8}.",
        json_schema_extra={"since": 2})

    @model_validator(mode="after")
    def _autoscale_replaces_instances(self):
        if self.autoscale is not None and "instances" in self.model_fields_set:
            raise ValueError("give either instances or autoscale, not both")
        return self


SPEC = KindSpec(
    kind="service",
    label="Service",
    category="Compute",
    description="An app server or worker pool: does its own work, then calls each outgoing "
    "link in order with the link's probability.",
    params=ServiceParams,
    role="service",
)
