"""Message queue: accepts a message and returns; every subscription receives every message."""

from pydantic import Field

from simcore.components.base import CommonParams, KindSpec, unit


class MessageQueueParams(CommonParams):
    workers: int = Field(64, ge=1, le=1_000_000, description="Messages accepted at once.",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(0.5, ge=0, le=3_600_000,
                                   description="Mean time to accept (persist) one message.",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.2, ge=0, description="Price of one broker node, per hour.",
                                 json_schema_extra=unit("$/h"))
    capacity: int | None = Field(
        None, ge=0,
        description="Messages each subscription's backlog holds (a copy arriving at a full "
        "backlog is lost); empty = unbounded.",
        json_schema_extra=unit("messages", unset="unbounded", start=10_000))
    max_deliveries: int = Field(
        5, ge=1, le=1000,
        description="Deliveries of a message (the first included) before a failing one is "
        "dead-lettered.",
        json_schema_extra=unit("", since=2))
    durable: bool = Field(
        True,
        description="Keeps its backlog through an outage (delivering nothing while down); "
        "a non-durable queue loses it.",
        json_schema_extra={"since": 2})


SPEC = KindSpec(
    kind="message_queue",
    label="Message queue",
    category="Messaging",
    description="Accepts a message and returns at once; every consumer (outgoing link) keeps "
    "its own backlog of every message and drains it at its own pace — load levelling.",
    params=MessageQueueParams,
    role="queue",
)
