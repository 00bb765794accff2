"""Hostile input, faults and scale (issue 14): one test per finding, on the files that caused it
(tests/data/bad/). Every bad file gets exit status 2 with a message naming the field, never a
traceback; output files are written through links, keep their mode and never replace devices."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from simcore import cli
from simcore import io as design_io
from simcore.design import Design
from simcore.io import MAX_FILE_BYTES, write_text_atomically
from simcore.reliability.plan import build_plan
from simcore.text import number
from simcore.topology import compile_design

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"
VALID = BAD / "valid_base.json"


def run_cli(capsys, *args) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


def skyline(*args, program="simcore.cli", **kwargs) -> subprocess.CompletedProcess:
    """``args`` run by the commands' module (the ``skyline`` program is ``designer``)."""
    if "stdout" not in kwargs:
        kwargs.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", program, *map(str, args)], cwd=ROOT,
                          text=True, timeout=kwargs.pop("timeout", 300), check=False,
                          env=kwargs.pop("env", dict(os.environ, PYTHONPATH=str(ROOT))),
                          **kwargs)


# --- 1. output files -----------------------------------------------------------------------------
def test_a_symlink_is_written_through_and_the_mode_is_kept(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    target.chmod(0o664)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_text_atomically(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_a_new_file_follows_the_umask(tmp_path):
    old = os.umask(0o002)
    try:
        design_io.save(design_io.load(VALID), tmp_path / "shared.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "shared.json").stat().st_mode) == 0o664


def test_hard_links_keep_sharing_the_file(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text("old")
    os.link(a, b)
    write_text_atomically(a, "new")
    assert b.read_text() == "new" and a.stat().st_ino == b.stat().st_ino


def test_devices_and_pipes_are_refused_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        write_text_atomically(fifo, "x")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_json_dash_is_stdout_alone(capsys):
    status, out, _err = run_cli(capsys, "simulate", VALID, "--duration", 3, "--quiet",
                                "--json", "-")
    assert status == 0
    assert json.loads(out)["replications"] == 1


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="needs /dev/stdout")
def test_dev_stdout_is_written_to_not_replaced(tmp_path):
    out = tmp_path / "out.json"
    with open(out, "w") as fh:
        r = skyline("reliability", VALID, "--years", 1, "--quiet", "--json", "/dev/stdout",
                    stdout=fh, stderr=subprocess.PIPE)
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["years"] == 1.0
    assert os.path.islink("/dev/stdout")


def test_leftovers_of_a_killed_save_are_removed_by_the_next(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    target = tmp_path / "d.json"
    ours = tmp_path / f".d.json.{dead}.1a2b3c4d.tmp"
    ours.write_text("half")
    old_style = tmp_path / ".d.json.k3j4h5g6.tmp"
    old_style.write_text("half")
    os.utime(old_style, (0, 0))
    other = tmp_path / ".e.json.1.aaaa.tmp"  # another file's: not ours to touch
    other.write_text("x")
    write_text_atomically(target, "whole")
    assert not ours.exists() and not old_style.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".e.json.1.aaaa.tmp", "d.json"]


# --- 2. reliability memory -----------------------------------------------------------------------
def test_replicas_of_a_shard_are_one_simulated_column():
    topo = compile_design(design_io.load(BAD / "db_1000_shards_100_replicas.json"))
    plan = build_plan(topo, {"u": 100.0}, 10.0)
    assert len(plan.success.columns) == 1000 * 101
    assert len(plan.columns) == 1000 * 2


def test_a_study_too_big_is_refused_up_front_with_the_years_that_fit(capsys):
    status, _out, err = run_cli(capsys, "reliability", BAD / "db_1000_shards_100_replicas.json",
                                "--quiet")
    assert status == 2
    assert "simulated years fit" in err and "--years" in err


def test_aggregated_replicas_give_the_analysis_availability():
    from simcore.reliability import reliability

    d = json.loads((BAD / "db_100_shards_10_replicas.json").read_text())
    d["components"][1]["params"] = {"shards": 2, "replicas": 2, "mtbf_hours": 9,
                                    "mttr_hours": 1}
    d["components"][0]["params"]["read_ratio"] = 0.5
    res = reliability(design_io.loads(json.dumps(d)), years=200, replications=4, seed=3,
                      workers=1)
    # reads need the primary or a replica of their shard, writes the primary: U ≈ 0.1 / 2 + …
    assert res.agrees_with_analysis, (res.u_ci95, res.analysis_unavailability)


# --- 6. numbers ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "says"), [
    ("infinite_mttr.json", "app: 'params.mttr_hours': not a finite number (got Infinity)"),
    ("nan_x.json", "app: 'x': not a finite number (got NaN)"),
    ("overflow_latency.json", "l2: 'params.latency_ms': not a finite number (got 1e400)"),
    ("duration_infinity.json", "'scenario.duration_s': not a finite number"),
    ("seed_2_pow_31.json", "'scenario.seed'"),
    ("spike_1e300.json", "'scenario.events[0].multiplier': number too large"),
    ("rps_1e9_spiked.json", "users: the clients offer up to 2e+09 req/s"),
    ("workers_true.json", "app: parameter 'workers': expected a number, got true"),
    ("rps_string.json", "users: parameter 'rps': expected a number, got the text \"50\""),
    ("duplicate_rps.json", "users: 'params': duplicate key 'rps'"),
    ("huge_int_cost.json", "db: 'params.cost_per_hour': number too large (400 digits"),
    ("deep_nesting.json", "l2: 'params.x': nested more than 32 levels deep"),
])
def test_bad_numbers_types_and_keys_are_refused_naming_the_field(capsys, name, says):
    status, _out, err = run_cli(capsys, "validate", BAD / name)
    assert status == 2
    assert says in err


def test_a_seed_beyond_32_bits_is_a_usage_error(capsys):
    status, _out, err = run_cli(capsys, "simulate", VALID, "--seed", 2**31)
    assert status == 2 and "2147483647" in err


# --- 7. lone surrogates --------------------------------------------------------------------------
def test_a_lone_surrogate_is_refused_at_load(capsys):
    status, _out, err = run_cli(capsys, "analyze", BAD / "lone_surrogate_name.json")
    assert status == 2 and "'name': text holding a lone surrogate" in err


def test_saving_a_surrogate_fails_before_touching_the_old_file(tmp_path):
    path = tmp_path / "d.json"
    design = design_io.load(VALID)
    design_io.save(design, path)
    before = path.read_bytes()
    broken = design.model_copy(update={"name": "bad \ud800"})
    with pytest.raises(UnicodeEncodeError):
        design_io.save(broken, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


def test_validation_reports_a_surrogate_typed_in_the_designer():
    from simcore.validate import validate

    design = design_io.load(VALID).model_copy(update={"name": "bad \ud800"})
    assert any("not valid" in p.message or "control character" in p.message
               for p in validate(design))


# --- 9. special files ----------------------------------------------------------------------------
def test_dev_zero_is_refused_after_the_byte_limit(capsys):
    status, _out, err = run_cli(capsys, "validate", "/dev/zero")
    assert status == 2 and f"more than {MAX_FILE_BYTES:,} bytes" in err


def test_a_fifo_without_a_writer_does_not_hang(tmp_path, capsys):
    fifo = tmp_path / "in.json"
    os.mkfifo(fifo)
    status, _out, err = run_cli(capsys, "validate", fifo)
    assert status == 2 and "empty" in err


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
def test_a_pipe_with_a_writer_is_read():
    # bash's <(…) hands the command a pipe (/dev/fd/N) whose writer is already there
    command = f'"{sys.executable}" -m simcore.cli validate <(cat "{VALID}")'
    r = subprocess.run(["/bin/bash", "-c", command], cwd=ROOT, capture_output=True, text=True,
                       timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=False)
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout


# --- 11. huge text -------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "says"), [
    ("long_name.json", "the design's name is 100,000 characters long (at most 200)"),
    ("long_description.json", "the description is 20,000 characters long (at most 10,000)"),
    ("long_component_name.json", "app: the name is 5,000 characters long (at most 200)"),
])
def test_long_text_is_refused(capsys, name, says):
    status, _out, err = run_cli(capsys, "validate", BAD / name)
    assert status == 2 and says in err


# --- 12. exit codes on the edges -----------------------------------------------------------------
def test_an_output_folder_that_cannot_exist_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, _out, err = run_cli(capsys, "reliability", VALID, "--years", 1, "--quiet",
                                "--json", blocker / "out.json")
    assert status == 2 and f"{blocker} is not a folder" in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("verb", ["validate", "analyze"])
@pytest.mark.parametrize("program", ["simcore.cli", "designer"])
def test_stdout_on_a_full_device_gives_a_message_not_a_traceback(verb, program):
    with open("/dev/full", "w") as full:
        r = skyline(verb, VALID, program=program, stdout=full, stderr=subprocess.PIPE)
    assert r.returncode == 2
    assert "No space left" in r.stderr and "Traceback" not in r.stderr


def test_an_empty_json_path_is_a_usage_error(capsys):
    status, _out, err = run_cli(capsys, "simulate", VALID, "--json", "")
    assert status == 2 and "empty file name" in err


# --- 13. terminal safety and cosmetics ----------------------------------------------------------
def test_control_characters_and_bidi_overrides_are_escaped_in_messages(capsys):
    for name in ("ansi_escape_id.json", "bidi_override_name.json"):
        status, _out, err = run_cli(capsys, "validate", BAD / name)
        assert status == 2
        assert "\x1b" not in err and "\u202e" not in err
    status, _out, err = run_cli(capsys, "validate", BAD / "ansi_escape_id.json")
    assert "db\\x1b[2J" in err


def test_json_errors_read_as_one_sentence(capsys):
    status, _out, err = run_cli(capsys, "validate", BAD / "unterminated_string.json")
    assert status == 2
    assert "Unterminated string starting at line 22, column 5" in err
    assert "at at" not in err


def test_nan_is_named_as_such(capsys):
    _status, _out, err = run_cli(capsys, "validate", BAD / "nan_rps.json")
    assert "'params.rps': not a finite number (got NaN)" in err and "≤" not in err


def test_a_tiny_bandwidth_prints_short_numbers(capsys):
    status, out, _err = run_cli(capsys, "analyze", BAD / "tiny_bandwidth.json")
    assert status == 0
    assert max(len(word) for word in out.split() if word.strip("-")) < 40
    assert number(1e-300) == "1.000e-300" and number(1e303) == "1.000e+303"


def test_every_bad_file_is_exit_2_and_every_good_one_loads():
    good = {"valid_base.json", "tiny_bandwidth.json", "db_1000_shards_100_replicas.json",
            "db_100_shards_10_replicas.json",
            # valid designs that were trouble to simulate (tests/simcore/test_sim_bounds.py)
            "chain_1000_services.json", "flood_200k_rps.json", "queue_ten_slow_consumers.json"}
    for path in sorted(BAD.glob("*.json")):
        if path.name in good:
            assert isinstance(design_io.load(path), Design)
        else:
            with pytest.raises(design_io.DesignError):
                design_io.load(path)


# --- guards: a clear refusal beats hours of work -------------------------------------------------
def test_a_simulation_too_long_to_finish_is_refused_before_it_starts(capsys):
    status, out, err = run_cli(capsys, "simulate", VALID, "--duration", 100_000,
                               "--replications", 1000, "--quiet")
    assert status == 2 and out == ""
    assert "5,000,000,000 requests" in err and "--duration" in err


def test_a_block_of_a_huge_database_stays_within_its_memory_bounds():
    import tracemalloc

    from simcore.reliability.process import simulate_block

    topo = compile_design(design_io.load(BAD / "db_1000_shards_100_replicas.json"))
    hours = 2_500.0  # about 5,000 failures and repairs of the 1,000 primaries
    plan = build_plan(topo, {"u": 100.0}, hours)
    tracemalloc.start()
    try:
        block = simulate_block(plan, hours, 1, 0, 0)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert block.events > 3_000
    # every state × 101,000 columns at once would be > 300 MB of booleans alone
    assert peak < 200 * 1024 * 1024, peak
