"""Renders docs/catalog.md from the component catalog and the event types, so the documented
parameters, labels, units and defaults can never drift from the code (a test compares the file
with this output).

Run ``python -m simcore.catalog_doc > docs/catalog.md`` after changing a kind or an event type."""

from __future__ import annotations

from pydantic import BaseModel

from simcore.components import CommonParams, kinds_by_category
from simcore.components.base import field_label, field_meta
from simcore.events import EVENTS
from simcore.link_params import CircuitBreakerParams, GroupParams, LinkParams

_ALWAYS_SHOWN = ("workers", "service_time_ms", "cost_per_hour")


def _default(model: type[BaseModel], name: str) -> str:
    f = model.model_fields[name]
    if f.is_required():
        return "**required**"
    d = f.default
    if d is None:
        unset = field_meta(model, name).get("unset")
        return f"empty: {unset}" if unset else "—"
    if isinstance(d, bool):
        return "true" if d else "false"
    return f"`{d}`"


def _table(model: type[BaseModel], names=None) -> list[str]:
    """One row per field of ``model`` (all, or ``names``), from what the field declares."""
    lines = ["| parameter | shown as | unit | default | meaning |", "|---|---|---|---|---|"]
    for name in names if names is not None else model.model_fields:
        f = model.model_fields[name]
        lines.append(f"| `{name}` | {field_label(model, name)} "
                     f"| {field_meta(model, name).get('unit', '')} | {_default(model, name)} "
                     f"| {f.description or ''} |")
    return lines


def _events() -> list[str]:
    out = ["## Scenario events", "",
           ("Every event has `type`, `target`, `at_s` and, unless it is instantaneous, "
            "`duration_s`."), ""]
    for spec in EVENTS.values():
        targets = spec.targets_text() + (f" ({', '.join(spec.roles)})" if spec.roles else "")
        out += [f"### `{spec.type}` — {spec.label}", "", spec.description, "",
                f"Targets: {targets}." + (" Instantaneous." if spec.instantaneous else ""), ""]
        if spec.params.model_fields:
            out += _table(spec.params) + [""]
    return out


def render() -> str:
    out = [
        "# Component catalog",
        "",
        "Generated from `simcore/components/` and `simcore/events/` by",
        "`python -m simcore.catalog_doc`; do not edit by hand. Every non-client kind takes the",
        "common parameters; each kind's table lists its own parameters and the common ones whose",
        "default it changes. \"Shown as\" is the inspector's name for a parameter.",
        "",
        "## Common parameters (every kind but `client`)",
        "",
        *_table(CommonParams),
        "",
    ]
    common = CommonParams.model_fields
    for category, specs in kinds_by_category():
        out += [f"## {category}", ""]
        for spec in specs:
            names = [n for n, f in spec.params.model_fields.items()
                     if n not in common or n in _ALWAYS_SHOWN or f.default != common[n].default]
            out += [f"### `{spec.kind}` — {spec.label}", "", spec.description, ""]
            out += _table(spec.params, names)
            if spec.shown_only:
                out += ["", "Shown only, not simulated: " + ", ".join(f"`{s}`" for s in spec.shown_only) + "."]
            out.append("")
    out += ["## Links", "", *_table(LinkParams), "",
            "`circuit_breaker` is an object:", "", *_table(CircuitBreakerParams), "",
            "## Groups (`zone`, `region`)", "", *_table(GroupParams), "", *_events()]
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
