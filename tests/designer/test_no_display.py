"""With no screen, ``skyline`` says so plainly instead of letting Qt abort the process."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the display check is for Linux desktops")


def test_no_display_gives_a_clear_message_and_exit_2():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, "-m", "designer"], env=env, capture_output=True,
                       check=False, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "no display" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("extra", [[], ["--screenshot", "/tmp/never-written.png"]])
def test_an_unreachable_x_display_gives_a_clear_message_and_exit_2(extra, tmp_path):
    # Display 987 of this machine: no X server listens there (checked first), so Qt would
    # abort the process; skyline says what is wrong instead.
    sock = "/tmp/.X11-unix/X987"
    assert not os.path.exists(sock)
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["DISPLAY"] = ":987"
    r = subprocess.run([sys.executable, "-m", "designer", *extra], env=env, capture_output=True,
                       check=False, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "cannot reach the X display :987" in r.stderr
    assert "Traceback" not in r.stderr
    assert not os.path.exists("/tmp/never-written.png")


def test_a_display_that_listens_is_left_to_qt(monkeypatch):
    # Something listens on display 988's socket (abstract, as Xorg and Xvfb open it): the check
    # lets Qt go on; with the listener gone, the same name is unreachable.
    import socket

    from designer.app import _unreachable_display

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":988.0")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind("\0/tmp/.X11-unix/X988")
        server.listen(1)
        assert _unreachable_display() is None
    assert _unreachable_display() == ":988.0"
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # Qt will not look for a screen
    assert _unreachable_display() is None
