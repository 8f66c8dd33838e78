"""How long an invalidation takes to reach each POP.

A :class:`DelayModel` draws one delay (simulated seconds) per POP from a seeded
``random.Random``, so a seeded run propagates exactly the same way every time.

Kinds, as JSON-able config:

- ``{"kind": "fixed", "seconds": 5}``: every POP after the same delay;
- ``{"kind": "uniform", "min": 10, "max": 100}``: uniformly between the bounds;
- ``{"kind": "lognormal", "median": 30, "sigma": 0.6, "min": 1, "max": 300}``: a long
  right tail (most POPs quick, a few slow), clamped to ``[min, max]``;
- any kind may add ``"per_pop": {"pop-2": 90}``: fixed delays for the POPs named.

Profile defaults: ``cloudfront`` uniform 10–100 s (CloudFront documents no figure; its
invalidations typically finish within a minute or two); ``rfc9111`` 0 s (a plain shared
cache purges at once).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

DelayKind = Literal["fixed", "uniform", "lognormal"]

_KEYS = {
    "fixed": {"kind", "seconds", "per_pop"},
    "uniform": {"kind", "min", "max", "per_pop"},
    "lognormal": {"kind", "median", "sigma", "min", "max", "per_pop"},
}


@dataclass(frozen=True)
class DelayModel:
    """One delay per POP; see the module docstring for the kinds."""

    kind: DelayKind = "uniform"
    seconds: float = 0.0  # fixed
    min_seconds: float = 10.0  # uniform bounds; lognormal clamp
    max_seconds: float = 100.0
    median: float = 30.0  # lognormal
    sigma: float = 0.5
    per_pop: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in get_args(DelayKind):
            raise ValueError(
                f"unknown delay kind {self.kind!r}; use one of {', '.join(get_args(DelayKind))}"
            )
        numbers = (
            self.seconds,
            self.min_seconds,
            self.max_seconds,
            self.median,
            self.sigma,
            *self.per_pop.values(),
        )
        if not all(math.isfinite(n) and n >= 0 for n in numbers):
            raise ValueError("invalidation delays must be finite numbers >= 0")
        if self.min_seconds > self.max_seconds:
            raise ValueError("invalidation delay: min must not exceed max")

    @classmethod
    def fixed(cls, seconds: float, per_pop: Mapping[str, float] | None = None) -> DelayModel:
        return cls("fixed", seconds=seconds, per_pop=dict(per_pop or {}))

    @classmethod
    def uniform(cls, low: float, high: float) -> DelayModel:
        return cls("uniform", min_seconds=low, max_seconds=high)

    @classmethod
    def for_profile(cls, profile: str) -> DelayModel:
        """The default delays of an edge profile (``cloudfront`` or ``rfc9111``)."""
        if profile == "cloudfront":
            return cls.uniform(10.0, 100.0)
        if profile == "rfc9111":
            return cls.fixed(0.0)
        raise ValueError(f"unknown edge profile {profile!r}")

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any] | None, *, profile: str = "cloudfront"
    ) -> DelayModel:
        """Build from JSON-able config; ``None`` or ``{}`` gives the profile's default."""
        if not config:
            return cls.for_profile(profile)
        kind = config.get("kind")
        if kind not in _KEYS:
            raise ValueError(
                f"invalidation delay kind must be one of {', '.join(_KEYS)}, not {kind!r}"
            )
        unknown = set(config) - _KEYS[kind]
        if unknown:
            raise ValueError(
                f"unknown keys for a {kind} invalidation delay: {', '.join(sorted(unknown))}"
            )
        per_pop = config.get("per_pop") or {}
        if not isinstance(per_pop, Mapping):
            # Every config error is a ValueError, the one type the settings loader reports.
            raise ValueError("per_pop must map POP ids to seconds")  # noqa: TRY004
        try:
            return cls(
                kind,
                seconds=float(config.get("seconds", 0.0)),
                min_seconds=float(config.get("min", 10.0 if kind == "uniform" else 0.0)),
                max_seconds=float(config.get("max", 100.0 if kind == "uniform" else 3600.0)),
                median=float(config.get("median", 30.0)),
                sigma=float(config.get("sigma", 0.5)),
                per_pop={str(pop): float(s) for pop, s in per_pop.items()},
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bad invalidation delay config: {exc}") from None

    def to_config(self) -> dict[str, Any]:
        """The JSON-able form that :meth:`from_config` reads back."""
        config: dict[str, Any] = {"kind": self.kind}
        if self.kind == "fixed":
            config["seconds"] = self.seconds
        else:
            config.update(min=self.min_seconds, max=self.max_seconds)
        if self.kind == "lognormal":
            config.update(median=self.median, sigma=self.sigma)
        if self.per_pop:
            config["per_pop"] = dict(self.per_pop)
        return config

    def draw(self, pop_id: str, rng: random.Random) -> float:
        """The delay for ``pop_id``. Always consumes one draw, so that overriding one POP
        does not change the delays drawn for the others."""
        sample = self._sample(rng)
        return float(self.per_pop.get(pop_id, sample))

    def _sample(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            rng.random()
            return self.seconds
        if self.kind == "uniform":
            return rng.uniform(self.min_seconds, self.max_seconds)
        value = rng.lognormvariate(
            math.log(self.median) if self.median > 0 else -math.inf, self.sigma
        )
        return min(self.max_seconds, max(self.min_seconds, value))
