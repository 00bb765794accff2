"""The simulation worker's protocol, run in this process with plain queues (no Qt needed)."""

from __future__ import annotations

import queue

import pytest

from designer.simulation import worker
from tests.designer.test_simulation_panel import design_dict


def run(data: dict, options: dict, commands=(), share=(0, 1)) -> list[tuple]:
    out, ctl = queue.Queue(), queue.Queue()
    for c in commands:
        ctl.put(c)
    worker.run_study(data, options, out, ctl, share)
    msgs = []
    while not out.empty():
        msgs.append(out.get())
    return msgs


def rows_of(msgs: list[tuple]) -> list[tuple[int, dict]]:
    """(replication, row) of every streamed row, in order."""
    return [(m[2], row) for m in msgs if m[0] == "rows" for row in m[3]]


def options(**kw) -> dict:
    return {"mode": "run", "duration_s": 4.0, "warmup_s": 1.0, "seed": 3, "replications": 4,
            **kw}


def test_a_share_runs_every_nth_replication_and_streams_its_seconds():
    msgs = run(design_dict(), options(), share=(1, 2))
    kinds = [m[0] for m in msgs]
    assert kinds[0] == "started" and kinds[-1] == "done"
    assert all(m[1] == 1 for m in msgs)  # tagged with the share
    rows = [(rep, row["t_s"]) for rep, row in rows_of(msgs)]
    assert rows == [(1, 1.0), (1, 2.0), (1, 3.0), (1, 4.0), (3, 1.0), (3, 2.0), (3, 3.0),
                    (3, 4.0)]
    done = [m for m in msgs if m[0] == "rep_done"]
    assert [m[2] for m in done] == [1, 3]
    assert all("timeseries" not in m[3] and m[3]["rep_index"] == m[2] for m in done)
    assert msgs[-1][2] == {"stopped": False}


def test_rows_match_the_engine_for_the_same_seed_and_replication():
    data = design_dict()
    msgs = run(data, options(replications=1))
    got = [row for _rep, row in rows_of(msgs)]
    expected: list[dict] = []
    worker.load_run_replication()(worker_design(data), seed=3, rep_index=0, duration_s=4.0,
                                  warmup_s=1.0, on_second=expected.append)
    assert got == expected


def worker_design(data):
    from simcore import io

    return io.parse(data)


class StopAfterRows(queue.Queue):
    """An output queue whose reader asks to stop once it has seen ``n`` rows."""

    def __init__(self, ctl, n):
        super().__init__()
        self.ctl, self.n = ctl, n

    def put(self, msg, *args, **kwargs):
        super().put(msg, *args, **kwargs)
        if msg[0] == "rows":
            self.n -= len(msg[3])
            if self.n <= 0 < self.n + len(msg[3]):
                self.ctl.put(("stop",))


def test_a_stop_command_ends_the_work_after_the_current_second(monkeypatch):
    ctl = queue.Queue()
    out = StopAfterRows(ctl, 3)
    monkeypatch.setattr(worker, "ROW_BATCH_S", 0.0)  # a batch per second here
    worker.run_study(design_dict(), options(duration_s=600.0), out, ctl)
    msgs = [out.get() for _ in range(out.qsize())]
    assert [row["t_s"] for _rep, row in rows_of(msgs)] == [1.0, 2.0, 3.0]
    assert not any(m[0] == "rep_done" for m in msgs)
    assert msgs[-1][0] == "done" and msgs[-1][2] == {"stopped": True}


def test_a_stop_before_the_start_runs_nothing():
    msgs = run(design_dict(), options(), commands=[("stop",)])
    assert [m[0] for m in msgs] == ["started", "done"] and msgs[-1][2] == {"stopped": True}


def test_fail_now_reaches_the_running_and_the_later_replications():
    msgs = run(design_dict(), options(replications=2), commands=[("fail", "db", 2.0)])
    injected = [m[2] for m in msgs if m[0] == "injected"]
    assert injected == [{"type": "fail", "target": "db", "at_s": 1.0, "duration_s": 2.0}]
    errors = {(rep, row["t_s"]): row["error_rate"] for rep, row in rows_of(msgs)}
    for rep in (0, 1):  # the database is down from 1 s to 3 s in both replications
        assert errors[(rep, 1.0)] < 0.05
        assert errors[(rep, 2.0)] > 0.9 and errors[(rep, 3.0)] > 0.5
        assert errors[(rep, 4.0)] < 0.05


def test_a_refused_failure_is_told_not_fatal():
    msgs = run(design_dict(), options(replications=1), commands=[("fail", "users", 2.0)])
    notices = [m[2] for m in msgs if m[0] == "notice"]
    assert len(notices) == 1 and "client" in notices[0]
    assert msgs[-1][0] == "done"


def test_a_bad_design_gives_one_clear_error():
    msgs = run({"schema_version": 1, "components": "none", "links": []}, options())
    assert [m[0] for m in msgs] == ["error"]
    assert msgs[0][2].startswith("The design cannot be simulated:")
    assert "Traceback" not in msgs[0][2]


def test_the_sweep_streams_one_point_per_load_factor():
    data = design_dict(events=[{"type": "fail", "target": "db", "at_s": 1, "duration_s": 1}])
    msgs = run(data, {"mode": "sweep", "saturation_rps": 400.0, "offered_rps": 200.0,
                      "seed": 1, "sweep_duration_s": 4.0, "sweep_warmup_s": 1.0,
                      "factors": [0.25, 0.5]})
    points = [m[2] for m in msgs if m[0] == "sweep_point"]
    assert [p["offered_rps"] for p in points] == [100.0, 200.0]
    assert [p["index"] for p in points] == [0, 1]
    assert {m[2] for m in msgs if m[0] == "rows"} == {0, 1}  # each point's seconds, live
    for p in points:  # well below saturation the offered load is carried (3 s measured)
        assert p["throughput_rps"] == pytest.approx(p["offered_rps"], rel=0.2)
        assert p["error_rate"] == 0


