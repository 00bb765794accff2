"""``skyline simulate``: the text report, --json OUT, progress, --quiet and Ctrl-C (SPEC §4)."""

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simcore.engine.report import render

ROOT = Path(__file__).resolve().parents[2]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and terminals")


def design_file(tmp_path, rps=100.0, workers=4, service_ms=10.0, name="d.json", **scenario):
    d = {
        "schema_version": 1, "name": "Small shop",
        "components": [
            {"id": "users", "kind": "client", "params": {"rps": rps}},
            {"id": "api", "kind": "service",
             "params": {"workers": workers, "service_time_ms": service_ms}},
            {"id": "db", "kind": "database", "params": {"workers": 8, "service_time_ms": 2}},
        ],
        "links": [{"id": "l1", "source": "users", "target": "api"},
                  {"id": "l2", "source": "api", "target": "db"}],
        "scenario": {"duration_s": 4, "warmup_s": 1, "replications": 2, **scenario},
    }
    p = tmp_path / name
    p.write_text(json.dumps(d))
    return p


def skyline(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "simcore.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                          check=False)


def test_report_and_json(tmp_path):
    f = design_file(tmp_path)
    out = tmp_path / "out.json"
    r = skyline("simulate", f, "--seed", 7, "--replications", 2, "--duration", 3,
                "--json", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    j = json.loads(out.read_text())
    assert (j["seed"], j["duration_s"], j["replications"]) == (7, 3.0, 2)
    for key in ("warmup_s", "throughput_rps", "latency_ms", "error_rate", "rejected_rate",
                "availability", "components", "timeseries"):
        assert key in j
    assert set(j["components"]) == {"api", "db"}
    text = r.stdout
    for word in ("Throughput", "p50", "p95", "p99", "p99.9", "Error rate", "Rejected",
                 "Availability", "api", "db", "served", "dropped", "Saturation"):
        assert word in text, word
    # the report is the JSON, rendered
    assert text == render(j, source=f.name)
    assert f"{j['throughput_rps']['mean']:,.4g}" in text
    # an atomic write leaves no temporary file behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json", "out.json"]


def test_same_seed_same_json_and_json_is_replaced_whole(tmp_path):
    f = design_file(tmp_path)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    b.write_text("old contents")
    for out in (a, b):
        r = skyline("simulate", f, "--seed", 5, "--duration", 2, "--json", out, "--quiet")
        assert r.returncode == 0, r.stderr
    assert a.read_text() == b.read_text()


def test_json_into_a_missing_folder_is_refused_before_running(tmp_path):
    f = design_file(tmp_path)
    r = skyline("simulate", f, "--json", tmp_path / "no" / "such" / "out.json", "--quiet")
    assert r.returncode == 2
    assert "does not exist" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_one_replication_reports_no_interval(tmp_path):
    f = design_file(tmp_path)
    out = tmp_path / "o.json"
    r = skyline("simulate", f, "--replications", 1, "--duration", 2, "--json", out, "--quiet")
    assert r.returncode == 0, r.stderr
    j = json.loads(out.read_text())
    assert j["throughput_rps"]["ci95"] is None and j["availability"]["ci95"] is None
    assert "none with one replication" in r.stdout
    assert "[" not in r.stdout.split("Throughput", 1)[1].splitlines()[0]


def test_progress_on_stderr_unless_quiet(tmp_path, monkeypatch, capsys):
    # Progress waits for half a second of wall time, which a fast machine may never reach:
    # in process, with that wait set to zero, the result cannot depend on the machine's speed.
    from simcore import cli
    from simcore.engine import progress

    monkeypatch.setattr(progress, "SHOW_AFTER_S", 0.0)
    f = design_file(tmp_path, rps=200.0)
    assert cli.main(["simulate", str(f), "--replications", "2", "--duration", "3"]) == 0
    r = capsys.readouterr()
    assert "replication 1/2 finished" in r.err and "replication 2/2 finished" in r.err
    assert cli.main(["simulate", str(f), "--replications", "2", "--duration", "3",
                     "--quiet"]) == 0
    q = capsys.readouterr()
    assert q.err == ""
    assert q.out == r.out


def test_overloaded_design_says_saturated_where_and_at_what_load(tmp_path):
    # api holds a worker for its own 10 ms and the 2 ms database call: 4 / 12 ms = 333 req/s
    f = design_file(tmp_path, rps=600.0, workers=4, service_ms=10.0)
    out = tmp_path / "o.json"
    t0 = time.monotonic()
    r = skyline("simulate", f, "--duration", 5, "--json", out, "--quiet")
    assert time.monotonic() - t0 < 120
    assert r.returncode == 0, r.stderr
    j = json.loads(out.read_text())
    assert j["saturated"] is True
    assert [w["component"] for w in j["saturation"]["where"]] == ["api"]
    assert j["saturation"]["saturation_rps"] == pytest.approx(4 / 0.012, rel=0.02)
    assert "SATURATED" in r.stdout
    warning = r.stdout.split("SATURATED", 1)[1]
    assert "at api" in warning and "333.3 req/s" in warning
    row = next(ln for ln in r.stdout.splitlines() if ln.startswith("api "))
    assert "← saturated" in row and "100.0%" in row


def _run_on_terminal(args):
    """Start ``skyline ARGS`` with stderr on a pseudo-terminal (as at a shell), stdout piped."""
    import pty

    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "simcore.cli", *map(str, args)],
                         stdout=subprocess.PIPE, stderr=slave, cwd=ROOT, text=True,
                         start_new_session=True)
    os.close(slave)
    return p, master


def _read_until(master, needle, timeout):
    seen = b""
    end = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _drain(master):
    rest = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.1)
        if not ready:
            return rest
        try:
            chunk = os.read(master, 4096)
        except OSError:
            return rest
        if not chunk:
            return rest
        rest += chunk


def _ctrl_c_after(p, master, needle: bytes, timeout: float,
                  pause_s: float = 0.0) -> tuple[str, str, float]:
    """Once ``p`` has written ``needle`` on its terminal (and ``pause_s`` later), Ctrl-C to its
    whole group, as a terminal sends it; then (its stdout, all it wrote on the terminal, seconds
    from the signal to its exit). ``p`` is killed and the terminal closed whatever happens."""
    try:
        seen = _read_until(master, needle, timeout=timeout)
        assert needle in seen, seen
        time.sleep(pause_s)
        t0 = time.monotonic()
        os.killpg(p.pid, signal.SIGINT)
        stdout, _ = p.communicate(timeout=60)
        stopped_in = time.monotonic() - t0
        return stdout, (seen + _drain(master)).decode("utf-8", "replace"), stopped_in
    finally:
        if p.poll() is None:
            p.kill()
        os.close(master)


@posix_only
@pytest.mark.parametrize("replications", [1, 3], ids=["in-process", "parallel"])
def test_ctrl_c_stops_cleanly_with_a_report_of_what_finished(tmp_path, replications):
    f = design_file(tmp_path, rps=500.0, workers=16)
    out = tmp_path / "o.json"
    p, master = _run_on_terminal(["simulate", f, "--duration", 100_000,
                                  "--replications", replications, "--json", out])
    # the bar is drawn on a terminal
    stdout, err, stopped_in = _ctrl_c_after(p, master, b"simulating", timeout=60, pause_s=0.5)
    assert p.returncode == 130, (stdout, err)
    assert stopped_in < 30
    assert "Traceback" not in err and "Traceback" not in stdout
    assert "stopped" in err
    assert "STOPPED" in stdout
    j = json.loads(out.read_text())
    assert j["stopped"] is True and j["replications_requested"] == replications
    if replications == 1:
        # the one replication was cut short: its measured part is reported, marked partial
        assert j["partial"] is True and j["replications"] == 1
        assert j["measured_s"] > 0 and j["throughput_rps"]["mean"] > 0
        assert "partial" in stdout
    else:
        assert j["replications"] == 0 and j["partial"] is False
        assert "No replication produced results" in stdout


class _Stream:
    def __init__(self, tty):
        self.text, self.tty = "", tty

    def write(self, s):
        self.text += s

    def flush(self):
        pass

    def isatty(self):
        return self.tty


def test_progress_bar_redraws_one_line_on_a_terminal_and_clears_it(monkeypatch):
    from simcore.engine import progress

    monkeypatch.setattr(progress, "SHOW_AFTER_S", 0.0)
    monkeypatch.setattr(progress, "REDRAW_EVERY_S", 0.0)
    s = _Stream(tty=True)
    bar = progress.ProgressBar(s)
    bar.seconds(30.0, 120.0)
    bar.replications(1, 4)
    bar.seconds(120.0, 120.0)
    bar.close()
    frames = s.text.split("\r\x1b[2K")
    assert "\n" not in s.text  # redrawn in place, never scrolled
    assert " 25.0%" in frames[1] and "100.0%" in frames[3] and "1/4 replications" in frames[3]
    assert frames[-1] == ""  # closing clears the line


def test_progress_off_a_terminal_is_a_line_per_replication_and_silent_for_quick_runs(monkeypatch):
    from simcore.engine import progress

    quick = _Stream(tty=False)
    bar = progress.ProgressBar(quick)
    bar.seconds(5.0, 10.0)
    bar.replications(1, 2)
    bar.close()
    assert quick.text == ""  # under half a second: nothing

    monkeypatch.setattr(progress, "SHOW_AFTER_S", 0.0)
    s = _Stream(tty=False)
    bar = progress.ProgressBar(s)
    bar.seconds(5.0, 10.0)
    bar.replications(1, 2)
    bar.replications(2, 2)
    bar.close()
    assert s.text.splitlines() == [ln for ln in s.text.splitlines() if "finished" in ln]
    assert len(s.text.splitlines()) == 2 and "\r" not in s.text
