"""Reverse proxy: a balancer in front of servers (nginx, HAProxy)."""

from pydantic import Field

from simcore.components.base import KindSpec, unit
from simcore.components.load_balancer import BalancerParams


class ReverseProxyParams(BalancerParams):
    workers: int = Field(1_024, ge=1, le=1_000_000, description="Connections handled at once.",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(0.2, ge=0, le=3_600_000,
                                   description="Mean time to forward one request.",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.05, ge=0, description="Price of one proxy node, per hour.",
                                 json_schema_extra=unit("$/h"))


SPEC = KindSpec(
    kind="reverse_proxy",
    label="Reverse proxy",
    category="Network",
    description="Sits in front of servers and forwards each request to one healthy target; "
    "balances like a load balancer.",
    params=ReverseProxyParams,
    role="balancer",
    needs_target=True,
    splits=True,
)
