"""The component catalog: one module per kind, each exporting ``SPEC`` (a KindSpec).

Adding a kind is one file here plus one icon in resources/icons/.
"""

from __future__ import annotations

import importlib
import pkgutil

from simcore.components.base import FAILOVER_DEFAULT_S, CommonParams, KindSpec, ParamsBase

_NOT_KINDS = {"base"}

# Palette order: categories, and kinds within them (a kind not listed goes last in its category).
CATEGORIES = ["Traffic", "Edge", "Network", "Compute", "Data", "Messaging"]
_PALETTE_ORDER = ["client", "dns", "cdn", "load_balancer", "reverse_proxy", "api_gateway",
                  "rate_limiter", "service", "external_service", "cache", "database",
                  "blob_storage", "message_queue"]


def _discover() -> dict[str, KindSpec]:
    kinds: dict[str, KindSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name in _NOT_KINDS:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        spec = getattr(module, "SPEC", None)
        if isinstance(spec, KindSpec):
            kinds[spec.kind] = spec
    return kinds


KINDS: dict[str, KindSpec] = _discover()


def kind_spec(kind: str) -> KindSpec:
    """The declaration of ``kind``; KeyError for an unknown kind."""
    return KINDS[kind]


def kinds_by_category() -> list[tuple[str, list[KindSpec]]]:
    out = []
    for cat in CATEGORIES:
        members = sorted((s for s in KINDS.values() if s.category == cat),
                         key=lambda s: (_PALETTE_ORDER.index(s.kind)
                                        if s.kind in _PALETTE_ORDER else 99, s.kind))
        if members:
            out.append((cat, members))
    return out


__all__ = [
    "CATEGORIES",
    "FAILOVER_DEFAULT_S",
    "KINDS",
    "CommonParams",
    "KindSpec",
    "ParamsBase",
    "kind_spec",
    "kinds_by_category",
]
