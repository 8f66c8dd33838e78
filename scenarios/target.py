"""A target: the endpoints and credentials of a running stack, as ``cdnsim up
--ready-file`` writes them (see ARCHITECTURE.md, "The ready file")."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A ready-file key: true when the stack was started for scenario runs, which reset it
# before each scenario (``cdnsim up --for-scenarios``).
FOR_SCENARIOS = "for_scenarios"


class TargetError(ValueError):
    """A ready file that cannot be used."""


def read_ready(path: Path) -> dict[str, Any]:
    """A ready file's document: a JSON object, or :class:`TargetError` saying why not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TargetError(f"cannot read ready file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise TargetError(f"{path} is not a JSON object")
    return data


@dataclass(frozen=True)
class Target:
    origin: str
    platform: str
    pops: tuple[tuple[str, str], ...]  # (id, base URL), in the ready file's order
    admin_token: str
    tenant: str
    environment: str = "dev"
    shield: str | None = None
    control: str | None = None  # the edge's control API (and /_sim/… on an in-process stack)
    distribution_id: str | None = None
    clock: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_ready(cls, data: dict[str, Any]) -> Target:
        try:
            pops = tuple((str(p["id"]), str(p["url"]).rstrip("/")) for p in data["pops"])
            target = cls(
                origin=str(data["origin"]).rstrip("/"),
                platform=str(data.get("platform") or data["origin"]).rstrip("/"),
                pops=pops,
                admin_token=str(data["admin_token"]),
                tenant=str(data["tenant"]),
                environment=str(data.get("environment") or "dev"),
                shield=data.get("shield"),
                control=(data.get("control") or None),
                distribution_id=data.get("distribution_id"),
                clock=data.get("clock"),
                raw=dict(data),
            )
        except (KeyError, TypeError) as exc:
            raise TargetError(
                f"the ready file lacks {exc}: it needs origin, pops, admin_token, tenant"
            ) from None
        if not pops:
            raise TargetError("the ready file lists no POPs")
        return target

    @classmethod
    def from_file(cls, path: Path) -> Target:
        return cls.from_ready(read_ready(path))

    @property
    def pop_ids(self) -> list[str]:
        return [pop_id for pop_id, _ in self.pops]

    def pop_url(self, pop_id: str) -> str:
        return dict(self.pops)[pop_id]

    def describe(self) -> dict[str, Any]:
        """What a report says about the target (no credentials)."""
        return {
            "origin": self.origin,
            "pops": self.pop_ids,
            "shield": bool(self.shield),
            "clock": self.clock,
        }
