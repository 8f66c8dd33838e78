"""Daily reports from the edge's event log, finalised at 00:00 UTC of simulated time and
available from 01:00 (seed 004)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.vendors.imgix.conftest import ANALYTICS, SOURCES_ONLY, Stack, image_bytes


async def test_reports_appear_at_midnight_with_csv_files_from_real_requests(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes())
    source_id = await stack.create_source()
    viewer = {
        "Referer": "https://shop.example.com/p/1?a=b",
        "User-Agent": 'Mozilla/5.0 (X11, "cdnsim")',
    }
    await stack.get("/cat.png?w=10", **viewer)
    await stack.get("/cat.png?w=10", **{"User-Agent": "curl/8.5.0"})
    await stack.get("/cat.png?w=10", pop=2, **viewer)
    await stack.get("/gone.png")
    _, doc = await stack.call("GET", "/api/v1/reports", key=ANALYTICS)
    assert doc["data"] == []  # the day has not ended
    await stack.clock.advance(86400 - (stack.clock.now() % 86400) + 3600)
    _, doc = await stack.call(
        "GET", "/api/v1/reports?sort=report_type&fields[reports]=report_key,files", key=ANALYTICS
    )
    keys = [r["attributes"]["report_key"] for r in doc["data"]]
    assert keys == [
        "cdn_logs_20260101",
        "image_analytics_20260101",
        "mild_errors_20260101",
        "source_analytics_20260101",
    ]
    by_key = {r["attributes"]["report_key"]: r for r in doc["data"]}

    async def rows(key: str) -> list[dict[str, str]]:
        url = by_key[key]["attributes"]["files"][0]
        async with stack.http.get(url, headers={"Authorization": f"Bearer {ANALYTICS}"}) as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
            return list(csv.DictReader(io.StringIO(await r.text())))

    logs = await rows("cdn_logs_20260101")
    assert [(r["pop"], r["path"], r["cache"]) for r in logs] == [
        ("pop-1", "/cat.png", "miss"),
        ("pop-1", "/cat.png", "hit"),
        ("pop-2", "/cat.png", "miss"),
        ("pop-1", "/gone.png", "miss"),
    ]
    assert {r["source_id"] for r in logs} == {source_id}
    assert [(r["referer"], r["user_agent"]) for r in logs[:3]] == [
        (viewer["Referer"], viewer["User-Agent"]),
        ("", "curl/8.5.0"),
        (viewer["Referer"], viewer["User-Agent"]),
    ]
    images = {r["path"]: r for r in await rows("image_analytics_20260101")}
    assert images["/cat.png"]["requests"] == "3" and images["/gone.png"]["errors"] == "1"
    assert [(r["path"], r["status"]) for r in await rows("mild_errors_20260101")] == [
        ("/gone.png", "404")
    ]
    [source] = await rows("source_analytics_20260101")
    assert (source["name"], source["master_images"], source["requests"], source["cache_hits"]) == (
        "web",
        "2",
        "4",
        "1",
    )
    assert int(source["bandwidth_bytes"]) > 0 and float(source["avg_response_ms"]) > 0
    report_id = by_key["mild_errors_20260101"]["id"]
    status, doc = await stack.call("GET", f"/api/v1/reports/{report_id}", key=ANALYTICS)
    assert status == 200 and doc["data"]["attributes"]["completed"] is True
    assert doc["data"]["attributes"]["period_start"] == 1767225600
    _, doc = await stack.call(
        "GET",
        "/api/v1/reports?filter[report_type]=mild_errors&filter[completed]=true",
        key=ANALYTICS,
    )
    assert len(doc["data"]) == 1
    assert (await stack.call("GET", "/api/v1/reports", key=SOURCES_ONLY))[0] == 403
    assert (await stack.call("GET", "/api/v1/reports/nope", key=ANALYTICS))[0] == 404


async def test_a_days_reports_are_final_at_midnight_and_complete_from_one_oclock(
    stack: Stack,
) -> None:
    stack.folder.put("/images/cat.png", image_bytes())
    await stack.create_source()
    await stack.get("/cat.png?w=10")
    midnight = 86400 - (stack.clock.now() % 86400)
    await stack.clock.advance(midnight)
    _, doc = await stack.call("GET", "/api/v1/reports", key=ANALYTICS)
    assert len(doc["data"]) == 4
    assert all(r["attributes"]["completed"] is False for r in doc["data"])
    assert all(r["attributes"]["files"] == [] for r in doc["data"])
    report_id = doc["data"][0]["id"]
    async with stack.http.get(
        f"{stack.api}/api/v1/reports/{report_id}/files/0.csv",
        headers={"Authorization": f"Bearer {ANALYTICS}"},
    ) as r:
        assert r.status == 404  # no file before 01:00
    await stack.get("/cat.png?w=20")  # the next day's: not in the finalised reports
    _, doc = await stack.call("GET", "/api/v1/reports?filter[completed]=false", key=ANALYTICS)
    assert len(doc["data"]) == 4
    await stack.clock.advance(3599)
    assert (await stack.call("GET", f"/api/v1/reports/{report_id}", key=ANALYTICS))[1]["data"][
        "attributes"
    ]["completed"] is False
    await stack.clock.advance(1)
    _, doc = await stack.call(
        "GET", "/api/v1/reports?filter[completed]=true&filter[report_type]=cdn_logs", key=ANALYTICS
    )
    [logs] = doc["data"]
    assert logs["attributes"]["completed"] is True and len(logs["attributes"]["files"]) == 1
    async with stack.http.get(
        logs["attributes"]["files"][0], headers={"Authorization": f"Bearer {ANALYTICS}"}
    ) as r:
        rows = list(csv.DictReader(io.StringIO(await r.text())))
    assert [row["query"] for row in rows] == ["w=10"]


async def test_reports_relate_to_the_account_unless_a_fieldset_leaves_it_out(
    stack: Stack,
) -> None:
    await stack.clock.advance(86400 - (stack.clock.now() % 86400) + 3600)
    _, doc = await stack.call("GET", "/api/v1/reports", key=ANALYTICS)
    accounts = {json.dumps(r["relationships"], sort_keys=True) for r in doc["data"]}
    [account] = accounts
    data = json.loads(account)["account"]["data"]
    assert data["type"] == "accounts" and len(data["id"]) == 24
    assert data["id"] == stack.service.backend.account_id
    _, one = await stack.call("GET", f"/api/v1/reports/{doc['data'][0]['id']}", key=ANALYTICS)
    assert one["data"]["relationships"]["account"]["data"] == data
    # the seed's "mild_errors, most recent first" example: a fieldset without account
    _, doc = await stack.call(
        "GET",
        "/api/v1/reports?sort=-period_end&fields[reports]=report_key,files"
        "&filter[report_type]=mild_errors",
        key=ANALYTICS,
    )
    [mild] = doc["data"]
    assert mild["relationships"] == {} and set(mild["attributes"]) == {"report_key", "files"}
    _, doc = await stack.call(
        "GET", "/api/v1/reports?fields[reports]=report_key,account", key=ANALYTICS
    )
    assert all(r["relationships"]["account"]["data"] == data for r in doc["data"])


async def test_source_analytics_adds_up_bytes_sent_and_the_pops_response_times(
    stack: Stack,
) -> None:
    stack.folder.put("/images/cat.png", image_bytes((300, 200)))
    stack.folder.put("/images/dog.png", image_bytes((100, 100), (0, 0, 255)))
    await stack.create_source()
    sent = 0
    for path, pop in (("/cat.png?w=50", 1), ("/cat.png?w=50", 1), ("/dog.png", 2), ("/x.png", 3)):
        _, body, _ = await stack.get(path, pop=pop)
        sent += len(body)
    await stack.clock.advance(86400 - (stack.clock.now() % 86400) + 3600)
    _, doc = await stack.call(
        "GET", "/api/v1/reports?filter[report_type]=source_analytics", key=ANALYTICS
    )
    async with stack.http.get(
        doc["data"][0]["attributes"]["files"][0], headers={"Authorization": f"Bearer {ANALYTICS}"}
    ) as r:
        [row] = list(csv.DictReader(io.StringIO(await r.text())))
    assert row["requests"] == "4" and row["cache_hits"] == "1" and row["errors"] == "1"
    # every byte the viewers got, the 404's JSON body included
    assert int(row["bandwidth_bytes"]) == sent
    timed = [
        e.data["ms"]
        for e in stack.events.read(component="edge")
        if e.kind in ("hit", "miss") and e.data.get("pop") != "shield"
    ]
    assert float(row["avg_response_ms"]) == pytest.approx(sum(timed) / len(timed), abs=0.001)
