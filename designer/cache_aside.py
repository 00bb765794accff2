"""Cache-aside, drawn right: app → cache → store (SPEC §2), never app → store beside it.

Two helps, both undoable edits through the document:
- connecting a service to a cache that has no target yet offers to complete cache-aside: "in
  front of which store?" draws cache → store in the same undo step;
- a service that calls a cache and, directly, the cache's store (``simcore.lint``) has a
  one-click fix: remove the direct link.
"""

from __future__ import annotations

from simcore.components import KINDS
from simcore.lint import CacheBypass, cache_bypasses

STORE_ROLES = ("database", "terminal")
"""Roles of the components a cache can sit in front of (databases, blob storage)."""


def stores(design) -> list:
    """The components a cache may be put in front of, in file order."""
    return [c for c in design.components
            if c.kind in KINDS and KINDS[c.kind].role in STORE_ROLES
            and KINDS[c.kind].category == "Data"]


def wants_store(design, source: str, target: str) -> bool:
    """A service was just linked to a cache that has no target: cache-aside to complete."""
    kinds = {c.id: c.kind for c in design.components}
    src, dst = KINDS.get(kinds.get(source)), KINDS.get(kinds.get(target))
    return (src is not None and dst is not None and src.role == "service"
            and dst.role == "cache" and not any(lk.source == target for lk in design.links)
            and bool(stores(design)))


def complete(document, cache: str, store: str) -> str | None:
    """Draw cache → store (one undo step); the new link's id, or None if refused."""
    return document.add_link(cache, store)


def bypass_of(design, link_id: str) -> CacheBypass | None:
    """The cache bypass whose direct link is ``link_id``, if it is one."""
    return next((b for b in cache_bypasses(design) if b.direct_link == link_id), None)


def fix_text(design, bypass: CacheBypass) -> str:
    name = {c.id: c.label for c in design.components}
    return f"Remove {name[bypass.source]} → {name[bypass.store]} (cache-aside)"


def fix_label(design, where: str) -> str | None:
    """The fix button's text for a warning about ``where``; None when it has no one-click
    fix (a warning that is not a cache bypass)."""
    bypass = bypass_of(design, where)
    return None if bypass is None else fix_text(design, bypass)


def fix(document, link_id: str) -> bool:
    """The one-click fix: remove the direct link of a cache bypass, as one undo step."""
    bypass = bypass_of(document.design, link_id)
    if bypass is None:
        return False
    stack = document.undo_stack
    stack.beginMacro(fix_text(document.design, bypass))
    try:
        document.remove_items([link_id])
    finally:
        stack.endMacro()
    return True
