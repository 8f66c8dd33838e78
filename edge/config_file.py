"""Edge settings from a JSON file (``cdnsim edge --config FILE``): checked against the
schema first (:mod:`edge.config_schema`), so that a wrong key or value is named with its
place, then built into the settings classes, whose own rules apply last."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from common.serving import ConnectionLimits
from edge.config import (
    CacheBehavior,
    CachePolicy,
    EdgeSettings,
    PopSettings,
    ShieldSettings,
    Timeouts,
    vimond_behaviors,
)
from edge.config_schema import problems


def load_settings(path: Path) -> EdgeSettings:
    """Read an EdgeSettings JSON document (field names as in the dataclasses)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read edge settings {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise ValueError("edge settings must be a JSON object")  # noqa: TRY004 (a config error)
    return settings_from_json(raw)


def settings_from_json(raw: dict[str, Any]) -> EdgeSettings:
    """Settings from a parsed document: first checked against the schema, so that a wrong
    key or type is named with its place (``pops[1].port: …``), then built and validated."""
    if found := next(problems(raw), None):
        raise ValueError(f"bad edge settings: {found}")
    try:
        return _settings_from_json(raw)
    except TypeError as exc:
        raise ValueError(f"bad edge settings: {exc}") from None


def _settings_from_json(raw: dict[str, Any]) -> EdgeSettings:
    data = dict(raw)
    policies = {
        name: CachePolicy(**{"name": name, **_tuples(CachePolicy, p)})
        for name, p in data.get("policies", {}).items()
    }
    if "vimond_origin" in data:  # shorthand: the built-in Vimond behaviours
        base = vimond_behaviors(data.pop("vimond_origin"))
        data.setdefault("origins", base.origins)
        behaviors = base.behaviors
        policies = {**base.policies, **policies}
    else:
        behaviors = tuple(CacheBehavior(**b) for b in data.get("behaviors", ()))
    data["behaviors"] = (
        tuple(CacheBehavior(**b) for b in data["behaviors"]) if "behaviors" in data else behaviors
    )
    data["policies"] = policies
    if "pops" in data:
        data["pops"] = tuple(PopSettings(**p) for p in data["pops"])
    if data.get("shield") is not None:
        data["shield"] = ShieldSettings(**data["shield"])
    if "timeouts" in data:
        data["timeouts"] = Timeouts(**data["timeouts"])
    if "connections" in data:
        data["connections"] = ConnectionLimits(**data["connections"])
    return EdgeSettings(**data)


def _tuples(cls: type, raw: dict[str, Any]) -> dict[str, Any]:
    assert is_dataclass(cls)
    tuple_fields = {f.name for f in fields(cls) if str(f.type).startswith("tuple")}
    return {k: tuple(v) if k in tuple_fields and v is not None else v for k, v in raw.items()}
