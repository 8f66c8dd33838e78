"""The load report as a person reads it: the verdict and any warning in words first,
named columns with units, yes and no, and charts with labelled, numbered axes on which the
run's events are marked, every text inside its chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from cdnsim.load.html import render
from cdnsim.load.report import Thresholds, join
from tests.cdnsim.test_load_report import T0, _sample, _second, recording
from tests.scenarios import svg_layout

SVG = "{http://www.w3.org/2000/svg}"


def _report(saturated: bool = False) -> dict:  # type: ignore[type-arg]
    samples = [
        _sample(0, 0, 0, 0),
        _sample(1, 50, 100, 50, {"render": 50}, locust=0.3),
        _sample(2, 150, 200, 50, {"forced_change": 1, "location_config_saved": 1}, locust=0.6),
        # After warm-up, a busy second: 0.95 of a core when saturated.
        _sample(
            3,
            240,
            300,
            60,
            {"invalidation_created": 1, "render": 10},
            locust=1.55 if saturated else 0.9,
        ),
        _sample(4, 340, 400, 60, {"invalidation_applied": 3}, locust=1.8 if saturated else 1.2),
    ]
    seconds = {int(T0) + s: _second(100, 90, {"5": 100}) for s in range(4)}
    seconds[int(T0) + 1]["admin_writes"] = 2
    return join(recording(samples, seconds), Thresholds(0.0, 1.0, None))


def test_the_verdict_and_the_saturation_warning_come_first_in_words() -> None:
    page = render(_report(saturated=True))
    body = page[page.index("<body>") :]
    verdict = body.index('class="verdict failed"')
    warning = body.index('class="warning"')
    assert verdict < warning < body.index("<h2>")
    assert "FAILED (p95 ms missed)" in page
    assert "the load generator was the bottleneck" in page and "--workers" in page
    assert 'class="warning"' not in render(_report())


def test_columns_have_names_and_units_and_booleans_read_yes_or_no() -> None:
    page = render(_report())
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", page)
    assert headers and not [h for h in headers if "_" in h]  # no snake_case
    assert "p95 (ms)" in headers and "requests/s" in headers and "edge hit ratio" in headers
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page)
    assert "yes" in cells and "no" in cells and "True" not in cells and "False" not in cells


def test_every_chart_has_numbered_labelled_axes_events_and_its_texts_inside() -> None:
    page = render(_report())
    charts = [
        ET.fromstring(chunk)
        for chunk in re.findall(r'<svg class="load-chart".*?</svg>', page, flags=re.DOTALL)
    ]
    assert len(charts) == 6
    for svg in charts:
        texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
        labels = [t for t in svg.iter(f"{SVG}text") if t.attrib.get("class") == "axis-label"]
        assert len(labels) == 2 and "seconds since the run started" in texts
        numbers = [t for t in svg.iter(f"{SVG}text") if t.attrib.get("class") == "tick-label"]
        assert len(numbers) >= 4
        assert svg_layout.outside_the_box(svg) == [], svg.attrib["data-field"]
        events = {line.attrib["class"] for line in svg.iter(f"{SVG}line") if "class" in line.attrib}
        assert {
            "event-forced_changes",
            "event-invalidations_created",
            "event-invalidations_applied",
            "event-admin_writes",
        } <= events
    assert "Marked on every chart:" in page and "admin writes" in page
