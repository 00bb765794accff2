"""The simulation worker's protocol, run in this process with plain queues (no Qt needed)."""

from __future__ import annotations

import queue

import pytest

from designer.simulation import worker
from designer.simulation.messages import (
    Done,
    Failed,
    FailNow,
    Injected,
    Notice,
    RepDone,
    Rows,
    Started,
    Stop,
    SweepPoint,
)
from simcore.engine.replication import run_replication
from tests.designer.test_simulation_panel import design_dict


def run(data: dict, options: dict, commands=(), share=(0, 1)) -> list:
    out, ctl = queue.Queue(), queue.Queue()
    for c in commands:
        ctl.put(c)
    worker.run_study(data, options, out, ctl, share)
    msgs = []
    while not out.empty():
        msgs.append(out.get())
    return msgs


def rows_of(msgs: list) -> list[tuple[int, object]]:
    """(replication, row) of every streamed row, in order."""
    return [(m.item, row) for m in msgs if isinstance(m, Rows) for row in m.rows]


def options(**kw) -> dict:
    return {"mode": "run", "duration_s": 4.0, "warmup_s": 1.0, "seed": 3, "replications": 4,
            **kw}


def test_a_share_runs_every_nth_replication_and_streams_its_seconds():
    msgs = run(design_dict(), options(), share=(1, 2))
    assert isinstance(msgs[0], Started) and isinstance(msgs[-1], Done)
    assert all(m.share == 1 for m in msgs)  # tagged with the share
    rows = [(rep, row.t_s) for rep, row in rows_of(msgs)]
    assert rows == [(1, 1.0), (1, 2.0), (1, 3.0), (1, 4.0), (3, 1.0), (3, 2.0), (3, 3.0),
                    (3, 4.0)]
    done = [m for m in msgs if isinstance(m, RepDone)]
    assert [m.rep for m in done] == [1, 3]
    assert all("timeseries" not in m.result and m.result["rep_index"] == m.rep for m in done)
    assert msgs[-1] == Done(1, stopped=False)


def test_rows_match_the_engine_for_the_same_seed_and_replication():
    data = design_dict()
    msgs = run(data, options(replications=1))
    got = [row for _rep, row in rows_of(msgs)]
    expected: list = []
    run_replication(worker_design(data), seed=3, rep_index=0, duration_s=4.0, warmup_s=1.0,
                    on_second=expected.append)
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
        if isinstance(msg, Rows):
            self.n -= len(msg.rows)
            if self.n <= 0 < self.n + len(msg.rows):
                self.ctl.put(Stop())


def test_a_stop_command_ends_the_work_after_the_current_second(monkeypatch):
    ctl = queue.Queue()
    out = StopAfterRows(ctl, 3)
    monkeypatch.setattr(worker, "ROW_BATCH_S", 0.0)  # a batch per second here
    worker.run_study(design_dict(), options(duration_s=600.0), out, ctl)
    msgs = [out.get() for _ in range(out.qsize())]
    assert [row.t_s for _rep, row in rows_of(msgs)] == [1.0, 2.0, 3.0]
    assert not any(isinstance(m, RepDone) for m in msgs)
    assert msgs[-1] == Done(0, stopped=True)


def test_a_stop_before_the_start_runs_nothing():
    msgs = run(design_dict(), options(), commands=[Stop()])
    assert msgs == [Started(0), Done(0, stopped=True)]


def test_fail_now_reaches_the_running_and_the_later_replications():
    msgs = run(design_dict(), options(replications=2), commands=[FailNow("db", 2.0)])
    injected = [m.event for m in msgs if isinstance(m, Injected)]
    assert injected == [{"type": "fail", "target": "db", "at_s": 1.0, "duration_s": 2.0}]
    errors = {(rep, row.t_s): row.values["error_rate"] for rep, row in rows_of(msgs)}
    for rep in (0, 1):  # the database is down from 1 s to 3 s in both replications
        assert errors[(rep, 1.0)] < 0.05
        assert errors[(rep, 2.0)] > 0.9 and errors[(rep, 3.0)] > 0.5
        assert errors[(rep, 4.0)] < 0.05


def test_a_refused_failure_is_told_not_fatal():
    msgs = run(design_dict(), options(replications=1), commands=[FailNow("users", 2.0)])
    notices = [m.text for m in msgs if isinstance(m, Notice)]
    assert len(notices) == 1 and "client" in notices[0]
    assert isinstance(msgs[-1], Done)


def test_a_bad_design_gives_one_clear_error():
    msgs = run({"schema_version": 1, "components": "none", "links": []}, options())
    [msg] = msgs
    assert isinstance(msg, Failed)
    assert msg.text.startswith("The design cannot be simulated:")
    assert "Traceback" not in msg.text


def test_the_sweep_streams_one_point_per_load_factor():
    data = design_dict(events=[{"type": "fail", "target": "db", "at_s": 1, "duration_s": 1}])
    msgs = run(data, {"mode": "sweep", "saturation_rps": 400.0, "offered_rps": 200.0,
                      "seed": 1, "sweep_duration_s": 4.0, "sweep_warmup_s": 1.0,
                      "factors": [0.25, 0.5]})
    points = [m.point for m in msgs if isinstance(m, SweepPoint)]
    assert [p["offered_rps"] for p in points] == [100.0, 200.0]
    assert [p["index"] for p in points] == [0, 1]
    assert {m.item for m in msgs if isinstance(m, Rows)} == {0, 1}  # each point's seconds, live
    for p in points:  # well below saturation the offered load is carried (3 s measured)
        assert p["throughput_rps"] == pytest.approx(p["offered_rps"], rel=0.2)
        assert p["error_rate"] == 0
