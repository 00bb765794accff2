"""Renders docs/catalog.md from the component catalog, so the documented parameters, units and
defaults can never drift from the code (a test compares the file with this output).

Run ``python -m simcore.catalog_doc > docs/catalog.md`` after changing a kind."""

from __future__ import annotations

from pydantic.fields import FieldInfo

from simcore.components import CommonParams, kinds_by_category
from simcore.link_params import CircuitBreakerParams, GroupParams, LinkParams

_ALWAYS_SHOWN = ("workers", "service_time_ms", "cost_per_hour")


def _unit(f: FieldInfo) -> str:
    extra = f.json_schema_extra
    return extra.get("unit", "") if isinstance(extra, dict) else ""


def _default(f: FieldInfo) -> str:
    if f.is_required():
        return "**required**"
    d = f.default
    if d is None:
        return "—"
    if isinstance(d, bool):
        return "true" if d else "false"
    return f"`{d}`"


def _table(fields: dict[str, FieldInfo]) -> list[str]:
    lines = ["| parameter | unit | default | meaning |", "|---|---|---|---|"]
    for name, f in fields.items():
        lines.append(f"| `{name}` | {_unit(f)} | {_default(f)} | {f.description or ''} |")
    return lines


def render() -> str:
    out = [
        "# Component catalog",
        "",
        "Generated from `simcore/components/` by `python -m simcore.catalog_doc`; do not edit by",
        "hand. Every non-client kind takes the common parameters; each kind's table lists its own",
        "parameters and the common ones whose default it changes.",
        "",
        "## Common parameters (every kind but `client`)",
        "",
        *_table(CommonParams.model_fields),
        "",
    ]
    common = CommonParams.model_fields
    for category, specs in kinds_by_category():
        out += [f"## {category}", ""]
        for spec in specs:
            fields = {
                n: f for n, f in spec.params.model_fields.items()
                if n not in common or n in _ALWAYS_SHOWN or f.default != common[n].default
            }
            out += [f"### `{spec.kind}` — {spec.label}", "", spec.description, ""]
            out += _table(fields)
            if spec.shown_only:
                out += ["", "Shown only, not simulated: " + ", ".join(f"`{s}`" for s in spec.shown_only) + "."]
            out.append("")
    out += ["## Links", "", *_table(LinkParams.model_fields), "",
            "`circuit_breaker` is an object:", "", *_table(CircuitBreakerParams.model_fields), "",
            "## Groups (`zone`, `region`)", "", *_table(GroupParams.model_fields), ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
