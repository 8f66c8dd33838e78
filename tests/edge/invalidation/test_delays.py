"""Delay models: profile defaults, JSON config, seeded draws."""

from __future__ import annotations

import random

import pytest

from edge.invalidation.delays import DelayModel


def draws(model: DelayModel, pops: list[str], seed: int = 3) -> list[float]:
    rng = random.Random(seed)
    return [model.draw(pop, rng) for pop in pops]


def test_cloudfront_profile_defaults_to_uniform_10_to_100_seconds() -> None:
    model = DelayModel.from_config(None, profile="cloudfront")
    assert model.to_config() == {"kind": "uniform", "min": 10.0, "max": 100.0}
    values = draws(model, [f"pop-{n}" for n in range(200)])
    assert all(10 <= v <= 100 for v in values)
    assert max(values) - min(values) > 50


def test_rfc9111_profile_purges_immediately() -> None:
    assert draws(DelayModel.from_config({}, profile="rfc9111"), ["a", "b"]) == [0.0, 0.0]


def test_per_pop_overrides_leave_the_other_pops_draws_unchanged() -> None:
    plain = DelayModel.from_config({"kind": "uniform", "min": 1, "max": 9})
    overridden = DelayModel.from_config(
        {"kind": "uniform", "min": 1, "max": 9, "per_pop": {"b": 60}}
    )
    before, after = draws(plain, ["a", "b", "c"]), draws(overridden, ["a", "b", "c"])
    assert after[1] == 60.0
    assert (after[0], after[2]) == (before[0], before[2])


def test_lognormal_delays_are_clamped_to_their_bounds() -> None:
    model = DelayModel.from_config(
        {"kind": "lognormal", "median": 30, "sigma": 2.0, "min": 5, "max": 120}
    )
    values = draws(model, [f"p{n}" for n in range(500)])
    assert min(values) == 5.0 and max(values) == 120.0
    assert 5 < sorted(values)[250] < 120


def test_config_round_trips() -> None:
    for config in (
        {"kind": "fixed", "seconds": 4.0, "per_pop": {"pop-1": 2.0}},
        {"kind": "uniform", "min": 1.0, "max": 2.0},
        {"kind": "lognormal", "min": 0.0, "max": 300.0, "median": 20.0, "sigma": 0.7},
    ):
        assert DelayModel.from_config(config).to_config() == config


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"kind": "gaussian"}, "kind must be one of"),
        ({"kind": "fixed", "secs": 3}, "unknown keys"),
        ({"kind": "fixed", "seconds": -1}, ">= 0"),
        ({"kind": "fixed", "seconds": "soon"}, "bad invalidation delay"),
        ({"kind": "uniform", "min": 50, "max": 10}, "min must not exceed max"),
        ({"kind": "uniform", "min": float("nan")}, "finite"),
        ({"kind": "fixed", "per_pop": ["pop-1"]}, "per_pop"),
    ],
)
def test_bad_config_is_refused_with_the_reason(config: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DelayModel.from_config(config)


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown edge profile"):
        DelayModel.for_profile("akamai")
