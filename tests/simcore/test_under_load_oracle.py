"""A brute-force oracle for the availability under load (SPEC §7.2), run against the exact method
on small random designs (hypothesis).

The oracle shares no code with the analysis beyond the all-up holding times: it enumerates every
instance count of every component, every group and every database node one by one (no merging),
and recomputes the state flow for each state with plain scalar arithmetic straight from the
spec's text. The designs: a client, a load balancer, one to three services (some blocking, some
calling a cache, some in a zone, some with a standby), a database with replicas and shards. A
cache has a given hit ratio or is sized by ``capacity_keys`` over one to three instances; then
its hit ratio with k instances up is Che's at k · capacity_keys keys (``che.hit_ratio``, the
definition) for the all-up flow's reads and writes.
"""

import itertools
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simcore.analysis import analyze
from simcore.analysis.che import hit_ratio
from simcore.analysis.flow import compile_plan, run_flow
from simcore.analysis.latency import run_times
from simcore.io import loads
from simcore.topology import compile_design

AVAIL = st.sampled_from([1.0, 0.99, 0.9, 0.7])


@st.composite
def designs(draw):
    comps = [{"id": "u", "kind": "client",
              "params": {"rps": draw(st.sampled_from([50, 200, 400, 900])),
                         "read_ratio": draw(st.sampled_from([1.0, 0.8, 0.5]))}},
             {"id": "lb", "kind": "load_balancer",
              "params": {"workers": draw(st.sampled_from([4, 1000])), "service_time_ms": 1,
                         "availability": draw(AVAIL)}}]
    links = [("u", "lb", {})]
    n_apps = draw(st.integers(1, 3))
    use_cache = draw(st.booleans())
    zone = []
    for k in range(n_apps):
        app = f"app{k}"
        p = {"instances": draw(st.integers(1, 3)), "workers": draw(st.integers(1, 4)),
             "service_time_ms": draw(st.sampled_from([2, 5, 10])),
             "availability": draw(AVAIL), "blocking": draw(st.booleans())}
        if draw(st.booleans()):
            p["standby"] = "hot"
        comps.append({"id": app, "kind": "service", "params": p})
        links.append(("lb", app, {}))
        links.append((app, "cache" if use_cache else "db",
                      {"probability": draw(st.sampled_from([1.0, 0.5]))}))
        if draw(st.booleans()):
            zone.append(app)
    sized = use_cache and draw(st.booleans())
    if use_cache:
        cache = {"workers": draw(st.sampled_from([1, 8])), "service_time_ms": 1,
                 "availability": draw(AVAIL)}
        if sized:
            cache.update(capacity_keys=draw(st.sampled_from([2_000, 20_000])),
                         instances=draw(st.integers(1, 3)))
            comps[0]["params"]["key_space"] = 50_000
        else:
            cache["hit_ratio"] = draw(st.sampled_from([0.5, 0.9]))
        comps.append({"id": "cache", "kind": "cache", "params": cache})
        links.append(("cache", "db", {}))
    comps.append({"id": "db", "kind": "database",
                  "params": {"replicas": draw(st.integers(0, 2)),
                             "replication": draw(st.sampled_from(["async", "semi_sync",
                                                                  "sync"])),
                             "shards": draw(st.integers(1, 2)),
                             "shard_skew": draw(st.sampled_from([0.0, 1.0])),
                             "workers": draw(st.integers(1, 4)), "service_time_ms": 5,
                             "availability": draw(AVAIL)}})
    groups = []
    if zone:
        groups.append({"id": "z", "kind": "zone", "members": zone,
                       "params": {"availability": draw(st.sampled_from([1.0, 0.95]))}})
    design = {"schema_version": 2 if sized else 1, "components": comps,
              "links": [{"id": f"{s}-{t}", "source": s, "target": t, "params": p}
                        for s, t, p in links],
              "groups": groups}
    return loads(json.dumps(design))


# --- the oracle ---------------------------------------------------------------------------------

def _variables(topo):
    """(name, [(value, probability)]) per random variable, nothing merged."""
    out = []
    for cid in topo.order:
        n = topo.nodes[cid]
        if n.kind == "client":
            continue
        p = n.params
        a = p.instance_availability
        if a == 1.0:
            continue
        u = 1 - a
        if n.kind == "database":
            for node in range(p.shards * (1 + p.replicas)):
                out.append((("node", cid, node), [(1, a), (0, u)]))
            continue
        vals = [(k, math.comb(p.instances, k) * a ** k * u ** (p.instances - k))
                for k in range(1, p.instances + 1)]
        none = u ** p.instances
        if p.standby != "none":
            cover = a * math.exp(-p.instances * p.effective_failover_s / 3600 / p.repair_hours)
            vals.append(("standby", none * cover))
            none *= 1 - cover
        vals.append((0, none))
        out.append((("k", cid), vals))
    for gid, (_, gp) in topo.groups.items():
        a = 1.0 if gp.availability is None else gp.availability
        if a < 1:
            out.append((("g", gid), [(1, a), (0, 1 - a)]))
    return out


def oracle(design):
    topo = compile_design(design)
    plan = compile_plan(topo)
    flow = run_flow(plan, 1.0)
    hold = {plan.nodes[i].id: h for i, h in enumerate(run_times(plan, flow).hold)}
    hits = _hit_ratios(topo, flow, plan)
    variables = _variables(topo)
    total = 0.0
    for combo in itertools.product(*(vals for _, vals in variables)):
        prob = math.prod(p for _, p in combo)
        if prob == 0:
            continue
        state = {name: v for (name, _), (v, _) in zip(variables, combo)}
        total += prob * _state_success(topo, hold, hits, state)
    return total


def _hit_ratios(topo, flow, plan):
    """{cache id: [h(0), h(1), …, h(n)]}: its given hit ratio for every k, or Che's at
    k · capacity_keys keys over the client's keys at the cache's all-up reads and writes."""
    out = {}
    u = topo.nodes["u"].params
    law = (u.key_space, u.key_skew)
    for cid, n in topo.nodes.items():
        if n.kind != "cache":
            continue
        p = n.params
        if p.capacity_keys is None:
            out[cid] = [p.hit_ratio] * (p.instances + 1)
            continue
        i = plan.index[cid]
        reads, writes = [(u.rps * u.read_ratio, *law)], [(u.rps * (1 - u.read_ratio), *law)]
        out[cid] = [0.0] + [hit_ratio(flow.read[i], flow.write[i], reads, writes,
                                      k * p.capacity_keys) for k in range(1, p.instances + 1)]
    return out


def _state_success(topo, hold, hits, state):
    nodes = topo.nodes

    def group_up(cid):
        return all(state.get(("g", g), 1) for g in topo.groups_of(cid))

    def units(cid):
        v = state.get(("k", cid), nodes[cid].params.instances)
        return 1 if v == "standby" else v

    def node_up(cid, idx):
        return state.get(("node", cid, idx), 1) == 1 and group_up(cid)

    def up(cid):
        return nodes[cid].kind == "client" or (units(cid) > 0 and group_up(cid))

    def hit(cid):  # a cache that is up, with its instances up
        return hits[cid][units(cid)]

    def db_nodes(cid):
        """Per shard: (share, primary up, replicas up)."""
        p = nodes[cid].params
        raw = [k ** -p.shard_skew for k in range(1, p.shards + 1)]
        out = []
        for s in range(p.shards):
            base = s * (1 + p.replicas)
            reps = sum(node_up(cid, base + 1 + r) for r in range(p.replicas))
            out.append((raw[s] / sum(raw), node_up(cid, base), reps))
        return out

    def write_needs(cid):  # replicas a write waits for (SPEC §7.5)
        p = nodes[cid].params
        return {"sync": p.replicas, "semi_sync": min(1, p.replicas)}.get(p.replication, 0)

    def can(cid, read):  # structural P(x, r) > 0
        n = nodes[cid]
        if n.kind == "database":
            return any(q > 0 and ((prim or reps > 0) if read else
                                  (prim and reps >= write_needs(cid)))
                       for q, prim, reps in db_nodes(cid))
        if n.kind == "cache":
            if not up(cid):
                return any(can(e.target, read) for e in n.out)
            return (read and hit(cid) > 0) or any(can(e.target, read) for e in n.out)
        if not up(cid):
            return False
        if n.kind == "service":
            return all(e.params.probability < 1 or can(e.target, read) for e in n.out)
        return any(can(e.target, read) for e in n.out)

    # Flow, reads and writes apart, clients down.
    arr = {cid: [0.0, 0.0] for cid in topo.order}
    served = {}
    for cid in topo.order:
        n = nodes[cid]
        p = n.params
        if n.kind == "client":
            arr[cid] = [p.rps * p.read_ratio, p.rps * (1 - p.read_ratio)]
            f = 1.0
        elif n.kind == "database":
            continue
        elif not up(cid):
            f = 0.0
        else:
            lam = sum(arr[cid])
            rho = lam * hold[cid] / (units(cid) * p.workers)
            f = 1.0 if rho <= 1 else 1 / rho
        served[cid] = f
        for t, read in ((0, True), (1, False)):
            lam = arr[cid][t]
            if n.kind == "load_balancer":
                ok = [e for e in n.out if can(e.target, read)]
                for e in ok:
                    arr[e.target][t] += lam * f * e.share / sum(x.share for x in ok)
            elif n.kind == "cache":
                miss = (1 - hit(cid)) if read and up(cid) else 1.0
                for e in n.out:
                    arr[e.target][t] += lam * e.share * (miss * f if up(cid) else 1.0)
            elif n.kind == "service":
                for e in n.out:
                    arr[e.target][t] += lam * f * e.params.probability
            else:
                for e in n.out:
                    arr[e.target][t] += lam * f * e.share

    def db_success(cid, read):
        p = nodes[cid].params
        reads, writes = arr[cid]
        total = 0.0
        for q, prim, reps in db_nodes(cid):
            p_load = q * writes + (q * reads if reps == 0 else 0)
            f_p = (min(1.0, p.workers / (p_load * p.service_time_ms / 1000)) if p_load > 0
                   else 1.0) if prim else 0.0
            if read and reps > 0:
                load = q * reads / reps
                total += q * (min(1.0, p.workers / (load * p.service_time_ms / 1000))
                              if load > 0 else 1.0)
            elif read or reps >= write_needs(cid):
                total += q * f_p
        return total

    def success(cid, read):
        n = nodes[cid]
        if n.kind == "database":
            return db_success(cid, read)
        if n.kind == "cache" and not up(cid):
            return sum(e.share * success(e.target, read) for e in n.out)
        if not up(cid):
            return 0.0
        f = served[cid]
        if n.kind == "load_balancer":
            ok = [e for e in n.out if can(e.target, read)]
            if not ok:
                return 0.0
            return f * sum(e.share * success(e.target, read) for e in ok) / sum(
                e.share for e in ok)
        if n.kind == "cache":
            mean = sum(e.share * success(e.target, read) for e in n.out)
            return f * ((hit(cid) + (1 - hit(cid)) * mean) if read else mean)
        if n.kind == "service":
            return f * math.prod(1 - e.params.probability
                                 + e.params.probability * success(e.target, read)
                                 for e in n.out)
        return f * sum(e.share * success(e.target, read) for e in n.out)

    rr = nodes["u"].params.read_ratio
    return rr * success("u", True) + (1 - rr) * success("u", False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs())
def test_exact_method_matches_the_brute_force_oracle(design):
    r = analyze(design)
    assert r.availability_under_load_method == "exact"
    expect = oracle(design)
    assert abs(r.availability_under_load - expect) <= 1e-11 + 1e-9 * (1 - expect)
    assert r.availability_under_load <= r.availability + 1e-12
