"""The PyInstaller bundle (packaging/skyline.spec) is built from scratch into a temporary folder
and the built program is run as a classroom machine would run it: from its own folder, with a
clean environment (only HOME, PATH=/usr/bin:/bin and QT_QPA_PLATFORM=offscreen: no venv, no
PYTHONPATH), the way `env -i` starts it.

The packaged program must behave like the installed one: each command is run both ways and must
give the same exit status and the same results (the analysis and the simulations are
deterministic for a given seed). SKYLINE_SKIP_PACKAGING=1 skips this module (quick local runs);
a failed build is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(os.environ.get("SKYLINE_SKIP_PACKAGING") == "1",
                       reason="SKYLINE_SKIP_PACKAGING=1 (the bundle is built and checked in CI)"),
]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"
EXAMPLE = EXAMPLES / "stage4_load_balancer.json"
VERSION = re.search(r'__version__\s*=\s*"([^"]+)"',
                    (ROOT / "simcore" / "__init__.py").read_text(encoding="utf-8")).group(1)
MAX_BUNDLE_MB = 250
RUN_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """PyInstaller's output folder, built once for the module, from scratch (--clean)."""
    work = tmp_path_factory.mktemp("pyinstaller")
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
         str(ROOT / "packaging" / "skyline.spec")],
        cwd=ROOT, check=False, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, (
        f"PyInstaller failed:\n{build.stdout[-2000:]}\n{build.stderr[-6000:]}")
    return work / "dist"


@pytest.fixture(scope="module")
def exe(dist) -> Path:
    path = dist / "skyline" / "skyline"
    assert path.is_file() and os.access(path, os.X_OK), f"no executable at {path}"
    return path


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


def clean_env(home: Path) -> dict[str, str]:
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"}


def run_frozen(exe: Path, home: Path, *args, cwd: Path | None = None):
    return subprocess.run([str(exe), *map(str, args)], env=clean_env(home), cwd=cwd or home,
                          check=False, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)


def run_source(home: Path, *args, cwd: Path | None = None):
    """The same command from the source tree, as an installed `skyline` runs it."""
    env = clean_env(home) | {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "")}
    return subprocess.run([sys.executable, "-m", "designer", *map(str, args)], env=env,
                          cwd=cwd or home, check=False, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S)


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces and ')'
        children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def run_frozen_watching(exe: Path, home: Path, *args):
    """run_frozen, and the processes below it that ran the bundle's executable (the
    multiprocessing helpers and workers: a worker of a frozen program is the program itself)."""
    proc = subprocess.Popen([str(exe), *map(str, args)], env=clean_env(home), cwd=home,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    output: list[tuple[str, str]] = []
    reader = threading.Thread(target=lambda: output.append(proc.communicate()))
    reader.start()
    helpers: set[int] = set()
    deadline = time.monotonic() + RUN_TIMEOUT_S
    target = str(exe.resolve())
    while reader.is_alive():
        for pid in _descendants(proc.pid):
            try:
                if os.readlink(f"/proc/{pid}/exe") == target:
                    helpers.add(pid)
            except OSError:
                pass  # already gone
        if time.monotonic() > deadline:
            proc.kill()
        reader.join(0.05)
    stdout, stderr = output[0]
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr), helpers


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def assert_same_outcome(frozen, source, what: str) -> None:
    assert frozen.returncode == source.returncode, (
        f"{what}: exit {frozen.returncode} frozen, {source.returncode} from source\n"
        f"frozen stderr:\n{frozen.stderr[-3000:]}\nsource stderr:\n{source.stderr[-3000:]}")
    if frozen.returncode != 0:
        assert first_line(frozen.stderr) == first_line(source.stderr), what


def assert_same_results(frozen, source, where: str = "result") -> None:
    """Equal structure and values; numbers equal to 1e-9 relative (the same computation, but
    the order of a floating-point sum is not part of the contract)."""
    if isinstance(frozen, dict):
        assert isinstance(source, dict) and frozen.keys() == source.keys(), where
        for key in frozen:
            assert_same_results(frozen[key], source[key], f"{where}.{key}")
    elif isinstance(frozen, list):
        assert isinstance(source, list) and len(frozen) == len(source), where
        for i, (f, s) in enumerate(zip(frozen, source)):
            assert_same_results(f, s, f"{where}[{i}]")
    elif isinstance(frozen, float) or (isinstance(frozen, int) and not isinstance(frozen, bool)):
        assert source == pytest.approx(frozen, rel=1e-9, abs=1e-12), (where, frozen, source)
    else:
        assert frozen == source, (where, frozen, source)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


# --- The program ----------------------------------------------------------------------------------

def test_version(exe, home):
    r = run_frozen(exe, home, "--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"skyline {VERSION}"


def test_examples_are_found_inside_the_bundle(exe, home, dist):
    r = run_frozen(exe, home, "examples")
    assert r.returncode == 0, r.stderr
    bundled = (dist / "skyline").resolve()
    for example in sorted(EXAMPLES.glob("*.json")):
        assert example.name in r.stdout
    listed = [Path(line.strip()) for line in r.stdout.splitlines() if line.strip().endswith(".json")
              and "/" in line]
    assert listed and all(bundled in p.resolve().parents for p in listed), r.stdout


def test_every_example_validates_in_the_bundle(exe, home, dist):
    """The catalog discovers its kinds with pkgutil: every kind must be found when frozen."""
    bundled = dist / "skyline" / "_internal" / "resources" / "examples"
    names = sorted(p.name for p in EXAMPLES.glob("*.json"))
    assert names == sorted(p.name for p in bundled.glob("*.json"))
    for name in names:
        r = run_frozen(exe, home, "validate", bundled / name)
        assert r.returncode == 0, f"{name}: {r.stderr}"


def test_the_concepts_guide_is_bundled(dist):
    """Help → Concepts reads docs/concepts.md from the bundle."""
    bundled = dist / "skyline" / "_internal" / "docs" / "concepts.md"
    assert bundled.read_text(encoding="utf-8") == (ROOT / "docs" / "concepts.md").read_text(
        encoding="utf-8")


def test_bad_file_gets_a_message_not_a_traceback(exe, home, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "components": [', encoding="utf-8")
    r = run_frozen(exe, home, "validate", bad)
    assert r.returncode == 2
    assert "bad.json" in r.stderr and "Traceback" not in r.stderr


def test_analyze_matches_the_source(exe, home):
    frozen = run_frozen(exe, home, "analyze", EXAMPLE, "--json")
    source = run_source(home, "analyze", EXAMPLE, "--json")
    assert frozen.returncode == 0, frozen.stderr[-3000:]
    assert_same_outcome(frozen, source, "analyze")
    result = json.loads(frozen.stdout)
    assert {"availability", "spofs", "bottleneck", "components"} <= result.keys()
    assert_same_results(result, json.loads(source.stdout))


def test_screenshot(exe, home, tmp_path):
    """The designer starts offscreen from the bundle and saves a PNG of the whole window, the
    same size as from the source (the SVG icons, fonts and plugins are all inside)."""
    frozen_png, source_png = tmp_path / "frozen.png", tmp_path / "source.png"
    frozen = run_frozen(exe, home, EXAMPLE, "--screenshot", frozen_png)
    source = run_source(home, EXAMPLE, "--screenshot", source_png)
    assert frozen.returncode == 0, frozen.stderr[-3000:]
    assert_same_outcome(frozen, source, "--screenshot")
    assert "Traceback" not in frozen.stderr
    width, height = png_size(frozen_png)
    assert width >= 640 and height >= 400, (width, height)
    assert frozen_png.stat().st_size > 10_000
    assert (width, height) == png_size(source_png)


def test_simulate_runs_its_replications_in_worker_processes(exe, home, tmp_path):
    """Same seed, same results. The replications run in a process pool: in the frozen program
    each worker is the bundle's executable started again, which only works because the entry
    point calls freeze_support() (with PyInstaller's multiprocessing hook)."""
    assert len(os.sched_getaffinity(0)) >= 2, "the process pool needs at least 2 cores here"
    args = ["simulate", EXAMPLE, "--duration", "10", "--replications", "2", "--seed", "3",
            "--quiet", "--json"]
    frozen, helpers = run_frozen_watching(exe, home, *args, tmp_path / "frozen.json")
    source = run_source(home, *args, tmp_path / "source.json")
    assert frozen.returncode == 0, frozen.stderr[-3000:]
    assert_same_outcome(frozen, source, "simulate")
    # forkserver (or spawn) helper + at least one worker, all running the frozen executable
    assert len(helpers) >= 2, f"no worker processes seen (pids {sorted(helpers)})"
    result = json.loads((tmp_path / "frozen.json").read_text(encoding="utf-8"))
    assert {"throughput_rps", "latency_ms", "availability"} <= result.keys()
    assert result["replications"] == 2 and result["seed"] == 3
    assert_same_results(result, json.loads((tmp_path / "source.json").read_text(encoding="utf-8")))


def test_the_bundle_sweeps_on_a_dask_cluster_with_the_sources_results(exe, home, tmp_path):
    """The packaged program carries dask and distributed (docs/packaging.md): it submits a
    sweep to a cluster whose workers run Skyline from the source, with the same results."""
    distributed = pytest.importorskip("distributed")
    args = ["sweep", EXAMPLE, "--param", "app.workers", "--values", "2,4", "--duration", "5",
            "--replications", "2", "--quiet", "--json"]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        frozen = run_frozen(exe, home, *args, tmp_path / "frozen.json", "--scheduler",
                            cluster.scheduler_address)
    assert frozen.returncode == 0, frozen.stderr[-3000:]
    assert "Warning" not in frozen.stderr, frozen.stderr[-3000:]
    source = run_source(home, *args, tmp_path / "source.json")
    assert source.returncode == 0, source.stderr[-3000:]
    result = json.loads((tmp_path / "frozen.json").read_text(encoding="utf-8"))
    assert result["runner"] == "dask"
    expected = json.loads((tmp_path / "source.json").read_text(encoding="utf-8"))
    assert_same_results(result["results"], expected["results"])


def test_reliability_matches_the_source(exe, home, tmp_path):
    args = ["reliability", EXAMPLE, "--years", "5", "--replications", "2", "--seed", "3",
            "--quiet", "--json"]
    frozen = run_frozen(exe, home, *args, tmp_path / "frozen.json")
    source = run_source(home, *args, tmp_path / "source.json")
    assert frozen.returncode == 0, frozen.stderr[-3000:]
    assert_same_outcome(frozen, source, "reliability")
    result = json.loads((tmp_path / "frozen.json").read_text(encoding="utf-8"))
    assert {"availability", "outages_per_year", "downtime_per_year_s"} <= result.keys()
    assert_same_results(result, json.loads((tmp_path / "source.json").read_text(encoding="utf-8")))


# --- The bundle -----------------------------------------------------------------------------------

def test_bundle_is_lean(dist):
    folder = dist / "skyline"
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    assert size_mb < MAX_BUNDLE_MB, f"bundle is {size_mb:.0f} MB"
    names = {p.name for p in files}
    assert not [n for n in names if re.search(r"Qt6(Quick|Qml|WebEngine|Pdf|VirtualKeyboard)", n)]
    assert not [p for p in files if p.suffix == ".qm"], "Qt translations are not needed"
    platforms = {p.name for p in files if p.parent.name == "platforms"}
    assert {"libqoffscreen.so", "libqxcb.so", "libqwayland.so"} <= platforms, platforms
    assert "libqsvg.so" in names and "libqsvgicon.so" in names
    # The machine's C++ runtime is used (a bundled older one breaks the GPU drivers' loading).
    assert not [n for n in names if n.startswith(("libstdc++.so", "libgcc_s.so"))]
    icons = folder / "_internal" / "resources" / "icons"
    assert (icons / "skyline.svg").is_file() and len(list(icons.glob("*.svg"))) >= 16


def test_tarball_and_desktop_install(dist, tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, str(ROOT / "packaging" / "make_tarball.py"),
                        "--dist", str(dist), "--out", str(out)],
                       check=False, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    archive = Path(r.stdout.strip())
    assert archive.name == f"skyline-{VERSION}-linux-x86_64.tar.gz" and archive.is_file()
    top = f"skyline-{VERSION}"
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert members[f"{top}/skyline"].mode & 0o111
        assert members[f"{top}/install-desktop.sh"].mode & 0o111
        install = tar.extractfile(f"{top}/INSTALL.txt").read().decode()
        assert VERSION in install and "libgl1" in install and "mesa-libGL" in install
        assert "@" not in install, "a placeholder was left in INSTALL.txt"
        glibc = re.search(r"glibc (2\.\d+) or newer", install)
        assert glibc and int(glibc.group(1).split(".")[1]) >= 34, install[:600]
        # The "tar" filter keeps modes and links (Python >= 3.11.4 and security backports).
        safe = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
        tar.extractall(tmp_path / "unpacked", **safe)
    unpacked = tmp_path / "unpacked" / top

    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)
    r = subprocess.run(["bash", str(unpacked / "install-desktop.sh")], env=env,
                       check=False, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    entry = home / ".local" / "share" / "applications" / "skyline.desktop"
    text = entry.read_text(encoding="utf-8")
    assert f'Exec="{unpacked / "skyline"}" %f' in text and "Icon=skyline" in text
    assert (home / ".local/share/icons/hicolor/256x256/apps/skyline.png").is_file()
    command = home / ".local" / "bin" / "skyline"
    r = subprocess.run([str(command), "--version"], env=env, check=False, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == f"skyline {VERSION}", r.stderr
    # The unpacked copy works through the link, far from where it was built.
    r = subprocess.run([str(command), "analyze", str(EXAMPLE), "--json"], env=env,
                       check=False, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "availability" in json.loads(r.stdout)

    r = subprocess.run(["bash", str(unpacked / "install-desktop.sh"), "--uninstall"], env=env,
                       check=False, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert not entry.exists() and not command.exists()
