"""Reading and writing design files.

``load``/``loads`` parse, upgrade (simcore.migrations), build the pydantic Design and, when
``check`` is true, run the semantic validation (simcore.validate); every failure is a
DesignError listing problems that name the component, link or group. ``save`` writes a temporary
file beside the target and renames it over, so a crash never leaves half a file
(``write_text_atomically`` says how links, modes and leftovers are handled).
"""

from __future__ import annotations

import errno
import glob
import json
import os
import secrets
import stat
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simcore.design import Design
from simcore.design_limits import text_problems
from simcore.json_input import describe_json_error, parse_json, read_limited, value_problems, where
from simcore.migrations import upgrade
from simcore.params import type_problems
from simcore.problems import DesignError, Problem

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Bigger files are refused before parsing (a design of 20,000 components is about 4 MB)."""
MAX_ITEMS = 50_000
"""Most components, links or groups a file may hold."""

_TOP_KEYS = ["schema_version", "name", "description", "components", "links", "groups", "scenario"]


def _pydantic_problems(data: Any, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        ident, field = where(data, tuple(err["loc"]))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = f"unknown key '{field}'" if field else "unknown key"
        elif err["type"] == "missing":
            msg = f"missing required key '{field}'"
        elif field:
            msg = f"'{field}': {msg}"
        problems.append(Problem(ident, msg))
    return problems


def _raise_if(problems: list[Problem], source: str | None) -> None:
    if problems:
        raise DesignError(problems, source)


def parse(data: Any, source: str | None = None) -> Design:
    """A Design from a raw JSON value (upgraded first). Structural problems only: the file's
    shape, JSON types, non-finite or huge numbers, duplicate keys, text that is not text, and
    the bounds of simcore.design_limits (so that the designer can show whatever loads)."""
    if not isinstance(data, dict):
        raise DesignError([Problem(None, "a design file holds one JSON object "
                                         f"(found {type(data).__name__})")], source)
    unknown = [k for k in data if k not in _TOP_KEYS]
    if unknown:
        raise DesignError([Problem(None, f"unknown top-level key '{k}' (allowed: "
                                         f"{', '.join(_TOP_KEYS)})") for k in unknown], source)
    _raise_if(value_problems(data), source)
    try:
        data = upgrade(data)
    except DesignError as exc:
        raise DesignError(exc.problems, source) from None
    for key in ("components", "links", "groups"):
        items = data.get(key)
        if isinstance(items, list) and len(items) > MAX_ITEMS:
            raise DesignError([Problem(None, f"too many {key}: {len(items)} (at most {MAX_ITEMS})")],
                              source)
    wrong_types = []
    for loc, msg in type_problems(Design, data):
        ident, field = where(data, loc)
        wrong_types.append(Problem(ident, f"'{field}': {msg}"))
    _raise_if(wrong_types, source)
    try:
        design = Design.model_validate(data)
    except ValidationError as exc:
        raise DesignError(_pydantic_problems(data, exc), source) from None
    _raise_if(text_problems(design), source)
    return design


def loads(text: str | bytes, source: str | None = None, check: bool = True) -> Design:
    """Parse a design from JSON text. With ``check``, semantic problems raise too."""
    if len(text) > MAX_FILE_BYTES:
        raise DesignError([Problem(None, f"file too large ({len(text):,} bytes; at most "
                                         f"{MAX_FILE_BYTES:,})")], source)
    if not text.strip():
        raise DesignError([Problem(None, "not valid JSON: the file is empty")], source)
    try:
        data = parse_json(text)
    except json.JSONDecodeError as exc:
        raise DesignError([Problem(None, describe_json_error(exc))], source) from None
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        raise DesignError([Problem(None, f"not valid JSON: {exc}")], source) from None
    design = parse(data, source)
    if check:
        from simcore.validate import validate

        problems = validate(design)
        if problems:
            raise DesignError(problems, source)
    return design


def load(path: str | os.PathLike, check: bool = True) -> Design:
    """Read a design file. Raises DesignError (never anything else) for a bad file.

    At most ``MAX_FILE_BYTES`` are read whatever the file is (a pipe or a device reports no
    size), and a FIFO with no writer reads as empty instead of blocking."""
    p = Path(path)
    try:
        raw = read_limited(p, MAX_FILE_BYTES)
    except OSError as exc:
        raise DesignError([Problem(None, f"cannot read the file: {exc.strerror or exc}")],
                          str(p)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise DesignError([Problem(None, f"file too large (more than {MAX_FILE_BYTES:,} bytes)")],
                          str(p))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DesignError([Problem(None, "not a text file (not UTF-8)")], str(p)) from None
    return loads(text, source=str(p), check=check)


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def design_to_dict(design: Design, schema_version: int | None = None) -> dict[str, Any]:
    """The JSON object of a design, in a stable key order, holding only what the user set,
    under the lowest ``schema_version`` that expresses it unless one is given."""
    if schema_version is None:
        from simcore.schema_version import lowest_version

        schema_version = lowest_version(design)
    out: dict[str, Any] = {"schema_version": schema_version}
    if design.name is not None:
        out["name"] = design.name
    if design.description is not None:
        out["description"] = design.description
    comps = []
    for c in design.components:
        item: dict[str, Any] = {"id": c.id, "kind": c.kind}
        if c.name is not None:
            item["name"] = c.name
        item["x"] = _num(c.x)
        item["y"] = _num(c.y)
        if c.params:
            item["params"] = dict(c.params)
        comps.append(item)
    out["components"] = comps
    links = []
    for lk in design.links:
        item = {"id": lk.id, "source": lk.source, "target": lk.target}
        if lk.params:
            item["params"] = dict(lk.params)
        links.append(item)
    out["links"] = links
    if design.groups:
        groups = []
        for g in design.groups:
            item = {"id": g.id, "kind": g.kind}
            if g.name is not None:
                item["name"] = g.name
            item["members"] = list(g.members)
            if g.params:
                item["params"] = dict(g.params)
            groups.append(item)
        out["groups"] = groups
    if design.scenario is not None:
        sc = design.scenario.model_dump(exclude_unset=True, exclude={"events"})
        events = [_clean(e.model_dump(exclude_unset=True)) for e in design.scenario.events]
        if events or "events" in design.scenario.model_fields_set:
            sc["events"] = events
        out["scenario"] = sc
    return out


def _num(v: float) -> float | int:
    """Whole coordinates are written as integers so files stay tidy."""
    return int(v) if float(v).is_integer() else v


def dumps(design: Design) -> str:
    return json.dumps(design_to_dict(design), indent=2, ensure_ascii=False) + "\n"


STDOUT = "-"
"""An output path meaning standard output."""
STALE_TMP_S = 3600.0
"""A temporary file of an unknown writer older than this is a leftover of a killed save."""


def _refuse(path: str | os.PathLike, why: str) -> OSError:
    return OSError(errno.EINVAL, why, str(path))


def is_stdout(path: str | os.PathLike) -> bool:
    """``-``, or a name of this process' standard output (``/dev/stdout``, ``/dev/fd/1``)."""
    if str(path) == STDOUT:
        return True
    try:
        return os.path.samestat(os.stat(path), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):  # no such file; stdout replaced or closed
        return False


def check_output_path(path: str | os.PathLike) -> None:
    """Raise OSError (its ``strerror`` says why) when ``path`` cannot take an output file: a
    folder, a device, pipe or socket, a missing or read-only folder. Standard output (``-``,
    ``/dev/stdout``) and /dev/null are fine.
    Commands call it before a long run, so that it fails before the work, not after."""
    if str(path) == os.devnull or is_stdout(path):
        return
    if str(path) == "":
        raise _refuse(path, "an empty path; give a file name, or - for standard output")
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise _refuse(path, "is a folder")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise _refuse(path, "not a regular file (a device, pipe or socket); write to a file, or "
                            "give - for standard output")
    folder = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(folder):
        made = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise _refuse(path, f"{folder} {made}")
    if not os.access(folder, os.W_OK):
        raise _refuse(path, f"the folder {folder} is not writable")


def _new_file_mode() -> int:
    """What ``open`` would give a new file: 0666 less the umask (read without changing it
    where Linux reports it, else by setting and restoring it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _remove_leftovers(folder: Path, name: str) -> None:
    """Delete temporary files of earlier saves of ``name`` whose writer is gone (killed mid
    save): ours carry the writer's pid; others are removed once an hour old."""
    now = time.time()
    for f in folder.glob(f".{glob.escape(name)}.*.tmp"):
        middle = f.name[len(name) + 2:-4]
        pid = middle.split(".", 1)[0]
        try:
            if pid.isdigit():
                if int(pid) == os.getpid() or _alive(int(pid)):
                    continue
            elif now - f.stat().st_mtime < STALE_TMP_S:
                continue
            f.unlink()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that a reader sees the old file or the whole new
    one, never half of it, and a failed write leaves the old file as it was.

    The text goes to a temporary file beside the real target (a symbolic link is written
    through, not replaced), flushed to disk, given the old file's mode (a new file: what the
    umask allows), then renamed over the target. A file with other hard links is rewritten in
    place instead, so every link sees the new text (as editors do; that write is not atomic).
    A device, pipe or socket is refused (OSError); so is text that is not UTF-8 (lone
    surrogates: UnicodeEncodeError) before anything is written. Leftovers of a killed earlier
    save are removed."""
    data = text.encode("utf-8")
    check_output_path(path)
    if str(path) == os.devnull:  # output thrown away on purpose
        return
    real = Path(os.path.realpath(path))
    try:
        old = os.stat(real)
    except FileNotFoundError:
        old = None
    _remove_leftovers(real.parent, real.name)
    if old is not None and old.st_nlink > 1:
        _write_in_place(real, data)
        return
    tmp = real.parent / f".{real.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(old.st_mode) if old is not None else _new_file_mode())
        if old is not None and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
            try:  # keep the owner where we may (root editing a user's file)
                os.chown(tmp, old.st_uid, old.st_gid)
            except OSError:
                pass
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _write_in_place(path: Path, data: bytes) -> None:
    with open(path, "r+b") as fh:
        fh.write(data)
        fh.truncate()
        fh.flush()
        os.fsync(fh.fileno())


def write_output(path: str | os.PathLike, text: str) -> None:
    """Write a command's output: to standard output for ``-`` (or a name of it), else
    atomically to the file."""
    if is_stdout(path):
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_text_atomically(path, text)


def save(design: Design, path: str | os.PathLike) -> None:
    """Write atomically (see ``write_text_atomically``), as pretty JSON with a stable order."""
    write_text_atomically(path, dumps(design))
