"""``flush``: a cache or CDN is emptied at ``at_s`` (instantaneous: no ``duration_s``). A
write-behind cache first forwards its pending writes; then every key is gone, so the hit ratio
restarts at 0 and recovers as keys are read again, and meanwhile every read goes on to the
target: the stampede shows there, in utilization and errors (SPEC §7.4)."""

from simcore.events.base import EventSpec, NoParams


def apply(sim, ev):
    """Empty the cache now; nothing to undo later (no end callback: instantaneous)."""
    sim.nodes[ev.target].empty()


SPEC = EventSpec(
    type="flush",
    label="Cache flush",
    description="The cache is emptied (pending write-behind writes forwarded first): every "
    "read misses until the keys are read again.",
    params=NoParams,
    targets=("component",),
    roles=("cache",),
    refusals={"client": "a client holds no cache; flush a cache or CDN",
              "group": "flush a cache or CDN, not a group",
              "link": "flush a cache or CDN, not a link"},
    apply=apply,
    colour=(14, 116, 144),
    phrase=lambda _p: "flushed",
    instantaneous=True,
    since=2,
)
