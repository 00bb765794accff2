"""Pool workers end when the process that started the pool is killed (issue item 10)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GIVE_UP_S = 120
"""An upper bound for a busy machine, not a speed requirement: the test polls for the event."""


def spin_forever(pid_dir: str) -> None:
    """A task that never ends on its own, after saying which process runs it."""
    Path(pid_dir, str(os.getpid())).write_text("")
    while True:
        sum(range(10_000))


PARENT = """
import sys
from simcore.runner import Task, run_all
from tests.simcore.test_pool_parent_death import spin_forever
run_all([Task(spin_forever, (sys.argv[1],)) for _ in range(2)], workers=2)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead but not yet reaped by its parent
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + GIVE_UP_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.05)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_their_parent_is_killed(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], cwd=ROOT, env=env)
    try:
        _wait_for(lambda: len(list(tmp_path.iterdir())) == 2, "both workers started")
        workers = [int(p.name) for p in tmp_path.iterdir()]
        assert all(_alive(w) for w in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        _wait_for(lambda: not any(_alive(w) for w in workers), "the workers exited")
    finally:
        if parent.poll() is None:
            parent.kill()
        for p in tmp_path.iterdir():  # a failed run must not leave spinning processes behind
            try:
                os.kill(int(p.name), signal.SIGKILL)
            except ProcessLookupError:
                pass
