"""Set-ups scenarios share: location configs, packs with known images, waiting until
the set-up's own invalidations are done, and warming every POP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from scenarios.images import Look, solid
from scenarios.propagation import (
    Propagation,
    by_colour,
    compare_with_model,
    invalidation_delays,
    until_fresh,
)
from scenarios.result import State
from scenarios.scenario import Scenario

THUMB = "thumb"
THUMB_SIZE = {"width": 160, "height": 90}
SETTLE = 150.0  # after a tick: past every POP's invalidation delay (profiles draw at most 100 s)


async def ensure_config(sc: Scenario, name: str, body: dict[str, Any]) -> None:
    """The location config as given; ``force`` only when it differs in size or mode (a
    forced change invalidates that location in every pack of the tenant)."""
    reply = await sc.sim.request(
        "PUT",
        f"{sc.target.origin}/adminAPI/imageLocationConfig/{name}",
        headers=sc.sim.admin_headers,
        json={"name": name, **body},
    )
    if reply.status == 409:
        await sc.sim.put_config(name, body, force=True)
    elif reply.status != 200:
        raise RuntimeError(
            f"PUT imageLocationConfig/{name} answered {reply.status}: {reply.body[:200]!r}"
        )


async def pack_with(sc: Scenario, images: dict[str, bytes], **pack: Any) -> str:
    """A new pack with these originals (location → image bytes)."""
    pack_id = await sc.sim.create_pack(**pack)
    for location, image in images.items():
        await sc.sim.upload(pack_id, location, image)
    return pack_id


async def thumb_pack(sc: Scenario, colour: str = "red") -> tuple[str, str]:
    """The ``thumb`` config and a pack whose main image is ``colour``; (pack, thumb path)."""
    await ensure_config(sc, THUMB, THUMB_SIZE)
    pack = await pack_with(sc, {"main": solid(colour)})
    return pack, f"/api/v2/img/{pack}?location={THUMB}"


# Fresh: the new (blue) original; stale: the old (red) one.
RED_TO_BLUE = by_colour("blue", "red")


async def cached_red_thumb(sc: Scenario) -> tuple[str, str]:
    """A ``thumb_pack`` whose red image every POP has cached, its own invalidation done."""
    pack, path = await thumb_pack(sc, "red")
    await settle(sc)
    await warm(sc, path, RED_TO_BLUE)
    return pack, path


async def replace_with_blue(sc: Scenario, pack: str, label: str = "upload main (blue)") -> float:
    """Upload a blue main image over the red one; when (scenario time)."""
    write_at = sc.t()
    await sc.sim.upload(pack, "main", solid("blue"))
    sc.mark("write", label)
    return write_at


async def settle(sc: Scenario) -> None:
    """Past the next tick and every POP's delay: the set-up's own invalidations are done."""
    await sc.advance_to(sc.tick_after(sc.t()) + SETTLE)


async def warm(
    sc: Scenario,
    path: str,
    classify: Callable[[Look | None, int], State],
    headers: dict[str, str] | None = None,
) -> list[State]:
    """Ask every POP once (they cache it); what each served."""
    return [(await sc.probe(lane, path, classify, headers=headers))[0] for lane in sc.result.lanes]


async def tick_propagation(
    sc: Scenario,
    pack: str,
    path: str,
    classify: Callable[[Look | None, int], State],
    write: Callable[[], Awaitable[Any]],
    what: str,
) -> Propagation:
    """Warm every POP with the old image, make the admin ``write``, then measure each
    POP's first fresh answer against the model: the next tick plus its delay."""
    states = await warm(sc, path, classify)
    sc.check(
        "every POP serves the old image before the write",
        all(s == "stale" for s in states),
        expected="stale everywhere",
        measured=", ".join(states),
    )
    since = await sc.sim.last_event()
    write_at = sc.t()
    await write()
    sc.mark("write", what)
    tick = sc.tick_after(write_at)
    measured = await until_fresh(sc, path, classify, until=tick + sc.sim.interval, keep_probing=30)
    created, delays = await invalidation_delays(sc, pack, since)
    sc.check(
        "the aggregator invalidates at the next tick",
        created == tick,
        expected=f"{tick:g}",
        measured="never" if created is None else f"{created:g}",
    )
    model = {lane: (tick + delays[lane]) if lane in delays else None for lane in sc.result.lanes}
    compare_with_model(sc, measured, model, what=what, since=write_at)
    sc.measure("write_at", write_at)
    sc.measure("tick", tick)
    sc.measure("delays", delays)
    return measured
