"""Purges drop every derivative at every POP through the edge's invalidations."""

from __future__ import annotations

from typing import Any

from tests.vendors.imgix.conftest import SOURCES_ONLY, Stack, decoded, image_bytes


def purge_body(url: str, **extra: Any) -> dict[str, Any]:
    return {"data": {"type": "purges", "attributes": {"url": url, **extra}}}


def last_entry(headers: Any) -> str:
    return str(headers["Cache-Status"]).split(",")[-1]


async def test_a_purge_reaches_every_derivative_at_every_pop_after_each_pops_delay(
    stack: Stack,
) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    await stack.create_source()
    queries = ("/cat.png", "/cat.png?w=10", "/cat.png?w=20&fm=jpg")
    for pop in (1, 2, 3):
        for q in queries:
            assert (await stack.get(q, pop=pop))[0] == 200
    status, doc = await stack.call(
        "POST", "/api/v1/purge", body=purge_body("https://demo.imgix.net/cat.png")
    )
    assert status == 200 and doc["data"]["type"] == "purges"
    assert doc["data"]["attributes"]["purge_id"] == doc["data"]["id"]
    created = stack.events.read(kinds=["invalidation_created"])[-1]
    delays: dict[str, float] = created.data["delays"]
    assert created.data["callerReference"] == doc["data"]["id"]
    pops = sorted(("pop-1", "pop-2", "pop-3"), key=lambda p: delays[p])
    first, last = delays[pops[0]], delays[pops[-1]]
    assert first < last  # (POPs never purge before the shield, so two may share its delay)
    purged_first = [p for p in pops if delays[p] == first]
    await stack.clock.advance(
        (first + last) / 2 if len(purged_first) == 2 else (first + delays[pops[1]]) / 2
    )
    for pop_id in pops:  # only the quickest POPs have purged
        n = int(pop_id[-1])
        _, _, headers = await stack.get("/cat.png?w=10", pop=n)
        assert ("hit" in last_entry(headers)) == (pop_id not in purged_first), pop_id
    await stack.clock.advance(last)
    for n in (1, 2, 3):
        for q in queries:
            if q == queries[1] and f"pop-{n}" in purged_first:
                continue  # already filled again above
            _, _, headers = await stack.get(q, pop=n)
            assert "hit" not in last_entry(headers), (n, q)
    invalidation = stack.edge.invalidations.get(created.data["id"])  # type: ignore[union-attr]
    assert invalidation.completed_at is not None


async def test_a_second_purge_within_ten_seconds_is_409(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes())
    await stack.create_source()
    url = f"{stack.pop(1)}/imgix/demo/cat.png"
    assert (await stack.call("POST", "/api/v1/purge", body=purge_body(url)))[0] == 200
    await stack.clock.advance(9)
    status, doc = await stack.call(
        "POST", "/api/v1/purge", body=purge_body("http://demo.imgix.localhost/cat.png?w=3")
    )
    assert status == 409 and doc["errors"][0]["title"] == "Conflict"
    assert (await stack.call("POST", "/api/v1/purge", body=purge_body(url.replace("cat", "dog"))))[
        0
    ] == 200
    await stack.clock.advance(1)
    assert (await stack.call("POST", "/api/v1/purge", body=purge_body(url)))[0] == 200


async def test_a_sub_image_purge_reaches_its_parents(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100), (255, 0, 0)))
    stack.folder.put("/images/logo.png", image_bytes((20, 20), (0, 0, 255)))
    source_id = await stack.create_source()
    parents = (
        "/cat.png?mark=/logo.png&mark-pad=0",
        "/cat.png?w=100&blend=/logo.png&blend-mode=normal",
    )
    for path in parents:
        _, body, _ = await stack.get(path)
    stack.folder.put("/images/logo.png", image_bytes((20, 20), (0, 255, 0)))  # the logo changes
    _, body, headers = await stack.get(parents[0])
    assert "hit" in last_entry(headers) and decoded(body).convert("RGB").getpixel((195, 95)) == (
        0,
        0,
        255,
    )
    status, _ = await stack.call(
        "POST",
        "/api/v1/purge",
        body=purge_body("https://demo.imgix.net/logo.png", sub_image=True, source_id=source_id),
    )
    assert status == 200
    await stack.clock.advance(100)  # every POP's delay has passed
    _, body, headers = await stack.get(parents[0])
    assert "hit" not in last_entry(headers)
    assert decoded(body).convert("RGB").getpixel((195, 95)) == (0, 255, 0)
    _, body, _ = await stack.get(parents[1])
    assert decoded(body).convert("RGB").getpixel((50, 25)) == (0, 255, 0)


async def test_bad_purges_are_refused(stack: Stack) -> None:
    source_id = await stack.create_source()
    cases: list[tuple[Any, int]] = [
        (purge_body("https://elsewhere.example.com/cat.png"), 400),
        (purge_body("not a url"), 400),
        ({"data": {"type": "purges", "attributes": {}}}, 400),
        (purge_body("https://demo.imgix.net/a.png", sub_image=True), 400),
        (purge_body("https://demo.imgix.net/a.png", source_id=source_id), 400),
        (purge_body("https://demo.imgix.net/a.png", sub_image=True, source_id="nope"), 400),
        ({"data": {"type": "sources", "attributes": {"url": "https://demo.imgix.net/a.png"}}}, 409),
    ]
    for body, expected in cases:
        status, doc = await stack.call("POST", "/api/v1/purge", body=body)
        assert status == expected, (body, doc)
    status, _ = await stack.call(
        "POST", "/api/v1/purge", key=SOURCES_ONLY, body=purge_body("https://demo.imgix.net/a.png")
    )
    assert status == 403


async def test_thirty_purges_in_a_row_are_all_accepted_and_reach_every_pop(stack: Stack) -> None:
    """imgix has no in-progress limit: CloudFront's 15 wildcard paths neither refuse imgix
    purges nor are used up by them."""
    for i in range(30):
        stack.folder.put(f"/images/p{i}.png", image_bytes((8, 8), (i * 8, 0, 0)))
    await stack.create_source()
    for i in range(30):
        for pop in (1, 2, 3):
            assert (await stack.get(f"/p{i}.png?w=4", pop=pop))[0] == 200
    ids = []
    for i in range(30):
        status, doc = await stack.call(
            "POST", "/api/v1/purge", body=purge_body(f"https://demo.imgix.net/p{i}.png")
        )
        assert status == 200, (i, doc)
        ids.append(doc["data"]["id"])
    invalidations = stack.edge.invalidations
    assert invalidations is not None
    in_progress = [i for i in invalidations.list(max_items=100).items if i.status == "InProgress"]
    assert len(in_progress) == 30
    cloudfront = invalidations.create([f"/cf/{n}/*" for n in range(15)], "cloudfront-batch")
    assert cloudfront.status == "InProgress"  # the CloudFront allowance is intact
    await stack.clock.advance(100)
    applied = stack.events.read(kinds=["invalidation_applied"])
    for created in stack.events.read(kinds=["invalidation_created"]):
        if created.data["callerReference"] in ids:
            assert {e.data["pop"] for e in applied if e.data["id"] == created.data["id"]} == {
                "pop-1",
                "pop-2",
                "pop-3",
                "shield",
            }
    for i in range(30):
        for pop in (1, 2, 3):
            _, _, headers = await stack.get(f"/p{i}.png?w=4", pop=pop)
            assert "hit" not in last_entry(headers), (i, pop, headers["Cache-Status"])
    status, doc = await stack.call(
        "POST", "/api/v1/purge", body=purge_body("https://demo.imgix.net/p0.png")
    )
    assert status == 200  # more than 10 s later: no 409
