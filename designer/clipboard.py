"""Copy and paste of design fragments: the selected components, the links between them and the
groups whose members are copied, as file dicts. On the system clipboard the fragment travels as
its own mime type and as JSON text (so it can be pasted into another window of the program)."""

from __future__ import annotations

import atexit
import json

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication

from simcore.design import Design
from simcore.io import design_to_dict

MIME = "application/x-skyline-fragment"


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
