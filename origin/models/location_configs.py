"""Location configs: the tenant-wide named slots (``main``, ``thumb``, …) and the rules
for changing them.

The rules are pure functions of the stored configs and the request (:func:`plan_save`,
:func:`plan_replace`): what a write changes, whether it needs ``force``, whether the
fallback chains stay valid. :class:`LocationConfigBackend` performs what a plan asks
for: conditional DynamoDB writes (undone if a concurrent write wins half-way), deletion
of the S3 variants a forced change makes stale, and events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from common.clock import Clock
from common.errors import BadRequest, Conflict, NotFound
from common.events import EventLog
from origin.models import fields as f
from origin.models.documents import HEAVY_CONFIG_FIELDS, LocationConfig
from origin.models.location_writes import ConfigWriter, Put, invalidate_variants
from origin.storage import Storage

TABLE = "location_configs"
# A bulk replace writes one item per location; this keeps one request's work bounded.
MAX_LOCATIONS = 1000
_JSON_NAMES = {
    "width": "width",
    "height": "height",
    "resize_gravity": "resizeGravity",
    "use_resize_include_all": "useResizeIncludeAll",
}


# -- rules --------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One config as it will be stored, and what it replaces."""

    config: LocationConfig
    old: LocationConfig | None
    heavy: tuple[str, ...]  # JSON names of the changed fields that affect rendering
    forced: bool  # a heavy change made with force: its variants are invalidated


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]  # in write order: fallback targets before what points at them
    removals: tuple[LocationConfig, ...]

    @property
    def invalidated_locations(self) -> list[str]:
        """The locations whose rendered variants become stale."""
        return [c.config.name for c in self.changes if c.forced] + [r.name for r in self.removals]


def heavy_changes(new: LocationConfig, old: LocationConfig) -> tuple[str, ...]:
    """The JSON names of the fields whose change invalidates rendered variants."""
    return tuple(_JSON_NAMES[k] for k in HEAVY_CONFIG_FIELDS if getattr(new, k) != getattr(old, k))


def parse_config_list(body: Any) -> list[LocationConfig]:
    """A bulk body: an array of configs with unique names. Errors name ``[index].field``."""
    if not isinstance(body, list):
        raise BadRequest("the body must be a JSON array of location configs")
    if len(body) > MAX_LOCATIONS:
        raise BadRequest(f"at most {MAX_LOCATIONS} location configs per tenant")
    configs: list[LocationConfig] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(body):
        try:
            config = LocationConfig.parse(item)
        except BadRequest as exc:
            field = exc.details.get("field")
            raise BadRequest(
                f"item {index}: {exc.message}",
                code=exc.code,
                field=f"[{index}].{field}" if field else f"[{index}]",
            ) from None
        if config.name in first_index:
            raise BadRequest(
                f"location {config.name!r} appears twice (items {first_index[config.name]} and {index})",
                code="duplicate_location",
                field=f"[{index}].name",
            )
        first_index[config.name] = index
        configs.append(config)
    return configs


def check_fallbacks(
    final: Mapping[str, LocationConfig],
    names: Iterable[str],
    field_of: Callable[[str], str],
    removed: Iterable[str] = (),
) -> None:
    """Each of ``names`` must fall back to a location of ``final``, and its chain must not loop."""
    removed = set(removed)
    for name in names:
        target = final[name].fallback
        if target is None:
            continue
        if target in removed:
            raise BadRequest(
                f"location {name!r} falls back to {target!r}, which this request removes",
                code="invalid_fallback",
                field=field_of(name),
            )
        if target not in final:
            raise BadRequest(
                f"location {name!r} falls back to {target!r}, which is not a configured location",
                code="invalid_fallback",
                field=field_of(name),
            )
        chain = [name]
        current: str | None = target
        while current is not None and current in final:
            if current in chain:
                loop = " -> ".join([*chain[chain.index(current) :], current])
                raise BadRequest(
                    f"fallback of {name!r} would loop: {loop}",
                    code="invalid_fallback",
                    field=field_of(name),
                )
            chain.append(current)
            current = final[current].fallback


def plan_save(
    existing: Mapping[str, LocationConfig], config: LocationConfig, force: bool, now: str
) -> Plan:
    """Create or replace one config (``PUT /adminAPI/imageLocationConfig/{name}``)."""
    check_fallbacks({**existing, config.name: config}, [config.name], lambda _: "fallback")
    change = _stamp(config, existing.get(config.name), force, now)
    _require_force(force, [change], [])
    return Plan((change,), ())


def plan_replace(
    existing: Mapping[str, LocationConfig], configs: list[LocationConfig], force: bool, now: str
) -> Plan:
    """Replace the whole list (``PUT /adminAPI/imageLocationConfigs``): absent = removed.

    Configs equal to what is stored are not rewritten (their ``updated`` stays)."""
    final = {c.name: c for c in configs}
    index = {c.name: i for i, c in enumerate(configs)}
    removed = sorted(existing.keys() - final.keys())
    check_fallbacks(final, final, lambda n: f"[{index[n]}].fallback", removed)
    changes = [
        _stamp(c, existing.get(c.name), force, now)
        for c in sorted(configs, key=lambda c: _chain_length(final, c.name))
        if not _same(c, existing.get(c.name))
    ]
    removals = [existing[n] for n in removed]
    _require_force(force, changes, removals)
    return Plan(tuple(changes), tuple(removals))


def relabel(old: LocationConfig, label: str | None, now: str) -> Plan:
    """Change only the label: never affects variants, so never needs force."""
    return Plan((_stamp(replace(old, label=label), old, False, now),), ())


def _stamp(config: LocationConfig, old: LocationConfig | None, force: bool, now: str) -> Change:
    heavy = heavy_changes(config, old) if old else ()
    stored = replace(
        config,
        added=(old.added if old else None) or now,
        updated=now,
        version=old.version + 1 if old else 1,
    )
    return Change(stored, old, heavy, force and bool(heavy))


def _same(config: LocationConfig, old: LocationConfig | None) -> bool:
    return (
        old is not None
        and replace(config, added=old.added, updated=old.updated, version=old.version) == old
    )


def _chain_length(final: Mapping[str, LocationConfig], name: str) -> int:
    # Called after check_fallbacks, so every chain ends.
    length, current = 0, final[name].fallback
    while current is not None:
        length, current = length + 1, final[current].fallback
    return length


def _require_force(
    force: bool, changes: Iterable[Change], removals: Iterable[LocationConfig]
) -> None:
    changed = {c.config.name: list(c.heavy) for c in changes if c.heavy}
    removed = [r.name for r in removals]
    if force or not (changed or removed):
        return
    parts = [f"changes {', '.join(fields)} of {name!r}" for name, fields in changed.items()]
    if removed:
        parts.append(f"removes {', '.join(repr(n) for n in removed)}")
    raise Conflict(
        f"this request {' and '.join(parts)}, which invalidates every rendered variant of "
        "those locations: repeat it with ?force=true to confirm",
        code="force_required",
        changed=changed,
        removed=removed,
    )


# -- state --------------------------------------------------------------------------
@dataclass(frozen=True)
class WriteResult:
    configs: list[LocationConfig]  # what the request returns
    invalidated_variants: int


class LocationConfigBackend:
    def __init__(self, storage: Storage, clock: Clock, events: EventLog) -> None:
        self._storage = storage
        self._clock = clock
        self._events = events
        self._writer = ConfigWriter(storage, TABLE)
        # Read-plan-write runs under one lock per tenant, so that two requests to this
        # process cannot together build a fallback loop; conditional writes guard the rest.
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, tenant: str) -> asyncio.Lock:
        return self._locks.setdefault(tenant, asyncio.Lock())

    async def list_location_configs(self, tenant: str) -> list[LocationConfig]:
        """Every config of the tenant, sorted by name."""
        items = await self._storage.query(TABLE, tenant)
        return sorted((LocationConfig.from_item(i) for i in items), key=lambda c: c.name)

    async def find_location_config(self, tenant: str, name: str) -> LocationConfig | None:
        if not f.is_name(name):
            return None
        item = await self._storage.get_item(TABLE, tenant, name)
        return LocationConfig.from_item(item) if item else None

    async def get_location_config(self, tenant: str, name: str) -> LocationConfig:
        config = await self.find_location_config(tenant, name)
        if config is None:
            raise NotFound(f"no location config {name!r}", code="location_not_found")
        return config

    async def save_location_config(
        self, tenant: str, config: LocationConfig, force: bool
    ) -> WriteResult:
        async with self._lock(tenant):
            existing = await self._existing(tenant)
            plan = plan_save(existing, config, force, f.iso(self._clock.now()))
            counts = await self._carry_out(tenant, plan)
        return WriteResult([plan.changes[0].config], sum(counts.values()))

    async def save_location_config_label(
        self, tenant: str, name: str, label: str | None
    ) -> WriteResult:
        async with self._lock(tenant):
            plan = relabel(
                await self.get_location_config(tenant, name), label, f.iso(self._clock.now())
            )
            await self._carry_out(tenant, plan)
        return WriteResult([plan.changes[0].config], 0)

    async def replace_location_configs(
        self, tenant: str, configs: list[LocationConfig], force: bool
    ) -> WriteResult:
        async with self._lock(tenant):
            existing = await self._existing(tenant)
            plan = plan_replace(existing, configs, force, f.iso(self._clock.now()))
            counts = await self._carry_out(tenant, plan)
        return WriteResult(await self.list_location_configs(tenant), sum(counts.values()))

    async def _existing(self, tenant: str) -> dict[str, LocationConfig]:
        return {c.name: c for c in await self.list_location_configs(tenant)}

    async def _carry_out(self, tenant: str, plan: Plan) -> dict[str, int]:
        """Write the plan (all of it or, after a lost race, none of it), then drop the
        variants it made stale; returns how many per location."""
        puts = [Put(c.config, c.old, c.forced) for c in plan.changes]
        await self._writer.apply(tenant, puts, plan.removals)
        counts = await invalidate_variants(self._storage, tenant, plan.invalidated_locations)
        for change in plan.changes:
            self._events.append(
                "origin",
                "location_config_saved",
                tenant=tenant,
                name=change.config.name,
                created=change.old is None,
                heavy=list(change.heavy),
                forced=change.forced,
                invalidatedVariants=counts.get(change.config.name, 0),
            )
        for removed in plan.removals:
            self._events.append(
                "origin",
                "location_config_removed",
                tenant=tenant,
                name=removed.name,
                invalidatedVariants=counts.get(removed.name, 0),
            )
        return counts
