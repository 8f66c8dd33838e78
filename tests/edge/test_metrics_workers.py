"""``/metrics`` of a POP running as several worker processes reads the same counters as
``/_edge/pops/{id}/stats`` (every worker's), parsed with prometheus_client's parser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from common.clock import Clock
from edge.config import PopSettings
from edge.metrics import POP_COUNTERS
from edge.stack import Edge
from tests.edge.conftest import edge_settings
from tests.edge.origin_double import OriginDouble


async def scrape(http: aiohttp.ClientSession, control: str) -> dict[str, float]:
    async with http.get(control + "/metrics") as response:
        text = await response.text()
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.labels.get("pop") == "pop-1"
    }


async def stats(http: aiohttp.ClientSession, control: str) -> dict[str, Any]:
    async with http.get(control + "/_edge/pops/pop-1/stats") as response:
        return dict(await response.json())


async def test_metrics_of_a_pop_with_workers_are_its_stats(
    origin: OriginDouble, tmp_path: Path
) -> None:
    origin.reply("/m", headers={"Cache-Control": "max-age=3600"})
    origin.clock = Clock()  # worker processes need a real (or scaled) clock
    pop = PopSettings("pop-1", workers=2, cache_dir=str(tmp_path))
    edge = Edge(edge_settings(origin.url, pops=(pop,)), clock=origin.clock)
    await edge.start()
    try:
        # A fresh connection per request, so that the kernel spreads them over the workers.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
            for _ in range(20):
                async with http.get(edge.pop_urls["pop-1"] + "/m") as response:
                    assert await response.read() == b"body#1"
            # Workers publish their counters now and then: compare a scrape with the stats
            # read on both sides of it, when those two agree.
            for _ in range(5):
                before = await stats(http, edge.control_url)
                samples = await scrape(http, edge.control_url)
                if before == await stats(http, edge.control_url):
                    break
            assert samples["cdnsim_edge_workers"] == before["workers"] == 2
            for name in POP_COUNTERS:
                assert samples[f"cdnsim_edge_{name}_total"] == before[name], name
            assert samples["cdnsim_edge_cache_bytes"] == before["volume"] > 0
    finally:
        await edge.stop()
