"""What the user interface says about a parameter is declared on its field
(``json_schema_extra``): label, unit, text when unset, starting value, section. A kind that
overrides a common field keeps the common field's metadata."""

from __future__ import annotations

import typing

import pytest

from simcore.components import KINDS, CommonParams
from simcore.components.base import field_label, field_meta, start_value
from simcore.link_params import GroupParams, LinkParams

MODELS = [s.params for s in KINDS.values()] + [LinkParams, GroupParams]


def test_an_overriding_kind_keeps_the_common_metadata():
    lb = KINDS["load_balancer"].params
    assert lb.model_fields["service_time_ms"].default != CommonParams.model_fields[
        "service_time_ms"].default  # overridden
    assert field_label(lb, "service_time_ms") == "Service time"
    assert field_meta(lb, "service_time_ms")["section"] == "Capacity"
    assert field_meta(lb, "service_time_ms")["unit"] == "ms"


def test_labels_fall_back_to_the_name_in_words():
    assert field_label(KINDS["database"].params, "shard_skew") == "Shard skew"
    assert field_label(KINDS["client"].params, "rps") == "Rate"


def test_required_fields_start_at_their_declared_value():
    assert start_value(KINDS["client"].params, "rps") == 100.0
    assert start_value(KINDS["rate_limiter"].params, "limit_rps") == 1000.0


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_optional_number_says_what_unset_means_and_where_it_starts(model):
    for name, f in model.model_fields.items():
        args = typing.get_args(f.annotation)
        if type(None) in args and ({int, float} & set(args)):
            meta = field_meta(model, name)
            if name in ("mtbf_hours", "mttr_hours"):  # "not set" is what they mean
                assert "start" in meta, name
                continue
            assert meta.get("unset"), f"{model.__name__}.{name} declares no unset text"
            assert "start" in meta, f"{model.__name__}.{name} declares no starting value"
