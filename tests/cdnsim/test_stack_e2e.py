"""End to end through real sockets on the manual clock: admin writes reach each POP at
the aggregator's tick plus that POP's own invalidation delay, and not before."""

from __future__ import annotations

from tests.cdnsim.conftest import POP_DELAYS, Running

RED, BLUE = (220, 0, 0), (0, 0, 220)
POPS = ["pop-1", "pop-2", "pop-3"]


def close(colour: tuple[int, ...], want: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, want, strict=False))


async def _pack_with(run: Running, colour: tuple[int, int, int]) -> str:
    await run.admin_call(
        "PUT", "/adminAPI/imageLocationConfig/thumb", json={"width": 160, "height": 90}
    )
    pack = (await run.admin_call("POST", "/adminAPI/imagePacks", json={}))["id"]
    await run.upload(pack, "main", colour)
    return pack


async def test_reupload_reaches_each_pop_at_the_tick_plus_its_delay(running: Running):
    pack = await _pack_with(running, RED)
    path = f"/api/v2/img/{pack}?location=thumb"
    await running.advance_to(300)  # the creation's own invalidation, before anything is cached
    await running.advance_to(400)
    for pop in POPS:
        assert close(await running.colour_at(pop, path), RED)
    await running.advance_to(450)
    await running.upload(pack, "main", BLUE)
    # Until the next tick at 600 every POP keeps serving the cached old image.
    await running.advance_to(599)
    for pop in POPS:
        assert close(await running.colour_at(pop, path), RED), pop
    # After the tick, each POP turns at 600 + its own delay, and not a second earlier.
    for pop in sorted(POPS, key=POP_DELAYS.get):  # type: ignore[arg-type]
        await running.advance_to(600 + POP_DELAYS[pop] - 1)
        assert close(await running.colour_at(pop, path), RED), f"{pop} changed early"
        await running.advance_to(600 + POP_DELAYS[pop])
        assert close(await running.colour_at(pop, path), BLUE), f"{pop} did not change"


async def test_platform_delete_is_fresh_after_the_pop_delays_only(running: Running):
    pack = await _pack_with(running, RED)
    path = f"/api/v2/img/{pack}?location=thumb"
    await running.advance_to(400)
    for pop in POPS:
        assert close(await running.colour_at(pop, path), RED)
    # Replace the original and invalidate at once through the platform API: no tick to wait for.
    await running.upload(pack, "main", BLUE)
    platform = f"{running.stack.platform_url}/dev-lof/images/demo/{pack}"
    async with running.http.delete(platform, headers=running.admin) as response:
        assert response.status == 204
    for pop in sorted(POPS, key=POP_DELAYS.get):  # type: ignore[arg-type]
        await running.advance_to(400 + POP_DELAYS[pop] - 1)
        assert close(await running.colour_at(pop, path), RED), pop
        await running.advance_to(400 + POP_DELAYS[pop])
        assert close(await running.colour_at(pop, path), BLUE), pop
    async with running.http.delete(
        platform.replace(pack, "f" * 24), headers=running.admin
    ) as response:
        assert response.status == 404


async def test_forced_location_change_renders_every_variant_again_and_a_label_change_none(
    running: Running,
):
    await running.admin_call(
        "PUT", "/adminAPI/imageLocationConfig/thumb", json={"width": 160, "height": 90}
    )
    packs = []
    for colour in [RED, BLUE, (0, 200, 0)]:
        pack = (await running.admin_call("POST", "/adminAPI/imagePacks", json={}))["id"]
        await running.upload(pack, "main", colour)
        packs.append(pack)
    await running.advance_to(400)
    events = running.stack.events

    async def request_all() -> int:
        before = events.last_seq
        for pack in packs:
            for pop in POPS:
                await running.colour_at(pop, f"/api/v2/img/{pack}?location=thumb")
        return len(events.read(before, kinds=["render"]))

    assert (
        await request_all() == 3
    )  # one render per pack; the shield and the S3 cache serve the rest
    assert await request_all() == 0
    await running.admin_call(
        "PUT", "/adminAPI/imageLocationConfig/thumb/label", json={"label": "Thumb"}
    )
    await running.advance_to(800)  # past a tick and every POP delay
    assert await request_all() == 0
    await running.admin_call(
        "PUT", "/adminAPI/imageLocationConfig/thumb?force=true", json={"width": 320, "height": 180}
    )
    await running.advance_to(1200)
    assert await request_all() == 3
