"""Copy and paste of design fragments: the selected components, the links between them and the
groups whose members are copied, as file dicts. On the system clipboard the fragment travels as
its own mime type and as JSON text (so it can be pasted into another window of the program)."""

from __future__ import annotations

import atexit
import json
import re

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication

from simcore.design import Design
from simcore.io import design_to_dict

MIME = "application/x-skyline-fragment"
BOX = (160.0, 60.0)
"""A component's box on the canvas (width, height), for the room a pasted copy needs."""
GAP = 20.0
"""Least space kept between a pasted copy and what is already there (one grid step)."""


def fragment_from(design: Design, ids: list[str]) -> dict:
    """The fragment holding ``ids``: selected components (and the members of selected groups),
    the links whose two ends are copied, and the selected groups (members limited to copied
    components)."""
    wanted = set(ids)
    group_ids = {g.id for g in design.groups if g.id in wanted}
    for g in design.groups:
        if g.id in group_ids:
            wanted |= set(g.members)
    data = design_to_dict(design)
    comps = [c for c in data["components"] if c["id"] in wanted]
    copied = {c["id"] for c in comps}
    links = [lk for lk in data["links"] if lk["source"] in copied and lk["target"] in copied]
    groups = []
    for g in data.get("groups", []):
        if g["id"] in group_ids:
            groups.append(dict(g, members=[m for m in g["members"] if m in copied]))
    return {"components": comps, "links": links, "groups": groups}


_exit_hook = False


def _release_at_exit() -> None:
    """Hand back our fragment before the interpreter ends: mime data set from Python and still
    held by the clipboard when Qt tears down crashes the process on exit (PySide6)."""
    app = QApplication.instance()
    if app is not None:
        mime = app.clipboard().mimeData()
        if mime is not None and mime.hasFormat(MIME):
            app.clipboard().clear()


def put(fragment: dict) -> None:
    global _exit_hook
    mime = QMimeData()
    text = json.dumps(fragment, ensure_ascii=False)
    mime.setData(MIME, text.encode("utf-8"))
    mime.setText(text)
    QApplication.clipboard().setMimeData(mime)
    if not _exit_hook:
        atexit.register(_release_at_exit)
        _exit_hook = True


def get() -> dict | None:
    """The fragment on the clipboard, or None when it holds none."""
    mime = QApplication.clipboard().mimeData()
    if mime is None:
        return None
    if mime.hasFormat(MIME):
        raw = bytes(mime.data(MIME)).decode("utf-8", "replace")
    elif mime.hasText():
        raw = mime.text()
    else:
        return None
    try:
        frag = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(frag, dict) or not isinstance(frag.get("components"), list):
        return None
    return frag


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, or "name 2", "name 3"… (a trailing number is counted on, not repeated)."""
    if name not in taken:
        return name
    base = re.sub(r" \d+$", "", name)
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


def _overlaps(boxes, others) -> bool:
    w, h = BOX
    return any(abs(x - ox) < w + GAP and abs(y - oy) < h + GAP
               for x, y in boxes for ox, oy in others)


def prepared(fragment: dict, design: Design) -> tuple[dict, tuple[float, float]]:
    """A copy of ``fragment`` whose components have names not used in ``design`` ("App 2"),
    and the offset that puts it where it covers nothing: beside the originals, else below
    them, else further on."""
    taken = {c.label for c in design.components}
    comps = []
    for raw in fragment.get("components", []):
        name = raw.get("name") or raw.get("id", "")
        name = _free_name(name, taken)
        taken.add(name)
        comps.append(dict(raw, name=name))
    boxes = [(float(c.get("x", 0)), float(c.get("y", 0))) for c in comps]
    if not boxes:
        return dict(fragment, components=comps), (0.0, 0.0)
    others = [(c.x, c.y) for c in design.components]
    width = max(x for x, _ in boxes) - min(x for x, _ in boxes) + BOX[0] + GAP
    height = max(y for _, y in boxes) - min(y for _, y in boxes) + BOX[1] + GAP
    for k in range(1, 200):
        for dx, dy in ((k * width, 0.0), (0.0, k * height), (k * width, k * height)):
            if not _overlaps([(x + dx, y + dy) for x, y in boxes], others):
                return dict(fragment, components=comps), (dx, dy)
    return dict(fragment, components=comps), (200 * width, 0.0)
