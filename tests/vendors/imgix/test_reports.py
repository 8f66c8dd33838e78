"""Daily reports from the edge's event log, finalised at 00:00 UTC of simulated time."""

from __future__ import annotations

import csv
import io

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
    await stack.clock.advance(86400 - (stack.clock.now() % 86400))
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
