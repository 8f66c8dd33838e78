"""The report renderers over hand-built suite results: console table, HTML page, files."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from scenarios.report import progress_line, render_html, strip_wall, summary_table, write_reports
from scenarios.report.time_axis import round_ticks
from scenarios.report.timeline_layout import label_rows, lane_segments
from tests.scenarios import svg_layout

SVG = "{http://www.w3.org/2000/svg}"


def _obs(t: float, lane: str, state: str, label: str = "") -> dict[str, Any]:
    return {"t": t, "lane": lane, "state": state, "label": label, "cache": "hit", "status": 200}


def _propagation() -> dict[str, Any]:
    observations = [_obs(0.0, lane, "fresh", "red 320x180") for lane in ("pop-1", "pop-2")]
    observations += [_obs(t, "pop-1", "stale", "red 320x180") for t in (460.0, 500.0, 560.0)]
    observations += [_obs(610.0, "pop-1", "fresh", "blue 320x180")]
    observations += [_obs(t, "pop-2", "stale") for t in (460.0, 700.0)]
    observations += [_obs(1210.0, "pop-2", "fresh", "blue 320x180")]
    return {
        "name": "propagation-original",
        "group": "propagation",
        "title": "Replacing an original reaches each POP at the next tick plus its delay",
        "verdict": "fail",
        "reason": None,
        "checks": [
            {
                "name": "pop-1 fresh at tick + delay",
                "ok": True,
                "expected": "610.0 s",
                "measured": "610.0 s",
                "detail": "first fresh response 610.0 s after the upload",
            },
            {
                "name": "pop-2 fresh at tick + delay",
                "ok": False,
                "expected": "630.0 s",
                "measured": "1210.0 s",
                "detail": "missed the first tick",
            },
        ],
        "measurements": {"pop-1": {"first_fresh": 610.0, "model": 610.0}, "tick": 600.0},
        "tables": [
            {
                "title": "Propagation per POP",
                "columns": ["POP", "model (s)", "measured (s)", "ok"],
                "rows": [["pop-1", 610.0, 610.0, "yes"], ["pop-2", 630.0, 1210.0, "no"]],
            }
        ],
        "timeline": {
            "lanes": ["pop-1", "pop-2"],
            "end": 1500.0,
            "observations": observations,
            "markers": [
                {"t": 600.0, "kind": "tick", "lane": None, "label": "aggregator tick"},
                {"t": 1200.0, "kind": "tick", "lane": None, "label": "aggregator tick"},
                {"t": 450.0, "kind": "write", "lane": None, "label": "upload main (blue)"},
                {"t": 600.0, "kind": "invalidation_created", "lane": None, "label": "I2ABC 1 path"},
                {"t": 610.0, "kind": "invalidation_applied", "lane": "pop-1", "label": "purged 2"},
                {"t": 900.0, "kind": "phase", "lane": None, "label": "switch off: fixed phase"},
            ],
        },
        "wall_seconds": 0.84,
    }


def _suite() -> dict[str, Any]:
    hostile = {
        "name": "fallback-chain",
        "group": "fallback",
        "title": "A <script>alert(1)</script> & fallback chain",
        "verdict": "pass",
        "reason": None,
        "checks": [
            {
                "name": "serves <b>fallback</b>",
                "ok": True,
                "expected": "a & b",
                "measured": "a & b",
                "detail": None,
            }
        ],
        "measurements": {"note": "</pre><script>x()</script>"},
        "tables": [],
        "timeline": {
            "lanes": ["pop-<1>"],
            "end": 10.0,
            "observations": [_obs(1.0, "pop-<1>", "fresh", "<img src=x>")],
            "markers": [],
        },
        "wall_seconds": 0.12,
    }
    skipped = {
        "name": "resilience-origin-down",
        "group": "resilience",
        "title": "Origin down",
        "verdict": "skip",
        "reason": "the target has no /_sim API",
        "checks": [],
        "measurements": {},
        "tables": [],
        "timeline": {"lanes": [], "end": 0.0, "observations": [], "markers": []},
        "wall_seconds": 0.01,
    }
    errored = {
        "name": "rebuild-label-only",
        "group": "rebuild",
        "verdict": "error",
        "reason": "ConnectionRefusedError: origin",
        "wall_seconds": 0.02,
    }
    return {
        "suite": "cdnsim scenarios",
        "seed": 7,
        "target": {
            "origin": "http://127.0.0.1:9000",
            "clock": "manual@1767225600",
            "in_process": True,
        },
        "started_wall": "2026-11-21T10:00:00Z",
        "wall_seconds": 1.0,
        "summary": {"pass": 1, "fail": 1, "skip": 1, "error": 1},
        "scenarios": [_propagation(), hostile, skipped, errored],
    }


class _Collector(HTMLParser):
    """Start tags with their attributes, and every script element's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.scripts += tag == "script"


def _parsed(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector


def _plots(page: str) -> dict[str, ET.Element]:
    """Every timeline svg, parsed as XML, by scenario name."""
    plots = {}
    for chunk in re.findall(r'<svg class="timeline".*?</svg>', page, flags=re.DOTALL):
        svg = ET.fromstring(chunk)
        plots[svg.attrib["data-scenario"]] = svg
    return plots


def _classes(element: ET.Element) -> set[str]:
    return set(element.attrib.get("class", "").split())


def test_html_has_one_timeline_plot_per_scenario_named_after_it():
    suite = _suite()
    page = render_html(suite)
    svgs = [a for tag, a in _parsed(page).tags if tag == "svg" and "timeline" in (a["class"] or "")]
    names = [s["name"] for s in suite["scenarios"]]
    assert sorted(a["data-scenario"] for a in svgs) == sorted(names)
    assert set(_plots(page)) == set(names)


def test_plot_has_its_lanes_and_a_stale_segment_where_a_pop_was_stale():
    svg = _plots(render_html(_suite()))["propagation-original"]
    lanes = [g.attrib["data-lane"] for g in svg.iter(f"{SVG}g") if "lane" in _classes(g)]
    assert lanes == ["pop-1", "pop-2"]
    segments = [r for r in svg.iter(f"{SVG}rect") if "segment" in _classes(r)]
    pop1 = [
        (r.attrib["data-start"], r.attrib["data-end"], _classes(r))
        for r in segments
        if r.attrib["data-lane"] == "pop-1"
    ]
    # Three stale answers in a row make one stale segment, from the first to the fresh one.
    assert pop1 == [
        ("0", "460", {"segment", "state-fresh"}),
        ("460", "610", {"segment", "state-stale"}),
        ("610", "1500", {"segment", "state-fresh"}),
    ]
    stale_pop2 = [
        r for r in segments if r.attrib["data-lane"] == "pop-2" and "state-stale" in _classes(r)
    ]
    assert [(r.attrib["data-start"], r.attrib["data-end"]) for r in stale_pop2] == [("460", "1210")]


def test_plot_draws_ticks_markers_axis_label_and_legend():
    svg = _plots(render_html(_suite()))["propagation-original"]
    kinds = [c for e in svg.iter() for c in _classes(e) if c.startswith("marker-")]
    assert kinds.count("marker-tick") == 2
    for kind in ("write", "invalidation_created", "invalidation_applied", "phase"):
        assert f"marker-{kind}" in kinds
    ticks = [e for e in svg.iter(f"{SVG}line") if "marker-tick" in _classes(e)]
    assert all(e.attrib["stroke-dasharray"] for e in ticks)
    triangle = next(
        e for e in svg.iter(f"{SVG}polygon") if "marker-invalidation_applied" in _classes(e)
    )
    assert triangle.attrib["data-lane"] == "pop-1"
    assert len(triangle.attrib["points"].split()) == 3
    texts = ["".join(e.itertext()) for e in svg.iter(f"{SVG}text")]
    assert "simulated seconds since start" in texts
    assert "upload main (blue)" in texts and "switch off: fixed phase" in texts
    assert {"fresh", "stale", "error", "other", "aggregator tick", "variants kept"} <= set(texts)
    assert len([e for e in svg.iter(f"{SVG}circle") if "observation" in _classes(e)]) == 9


def test_empty_and_missing_timelines_still_get_a_plot_saying_so():
    plots = _plots(render_html(_suite()))
    for name in ("resilience-origin-down", "rebuild-label-only"):
        assert "no observations" in "".join(plots[name].itertext())


def test_text_from_results_is_escaped_everywhere():
    page = render_html(_suite())
    assert _parsed(page).scripts == 0
    assert "<script>" not in page and "<img src=x>" not in page and "<b>fallback" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; fallback chain" in page
    svg = _plots(page)["fallback-chain"]
    lane = next(g for g in svg.iter(f"{SVG}g") if "lane" in _classes(g))
    assert lane.attrib["data-lane"] == "pop-<1>"


def test_html_header_summary_links_and_checks():
    page = render_html(_suite())
    tags = _parsed(page).tags
    ids = {a["id"] for _, a in tags if a.get("id")}
    links = [a["href"] for tag, a in tags if tag == "a" and a.get("href", "").startswith("#")]
    assert len(links) == 4 and {h[1:] for h in links} <= ids
    for needle in (
        "manual@1767225600",
        "2026-11-21T10:00:00Z",
        "the target has no /_sim API",
        "1210.0 s",
        "missed the first tick",
        "Propagation per POP",
        "✗",
        "✓",
    ):
        assert needle in page
    assert not re.search(r"<(link|img|script)\b|src=\"http|href=\"http", page)


def test_thousands_of_observations_merge_into_few_segments():
    observations = [_obs(float(t), "pop-1", "fresh" if t < 3000 else "stale") for t in range(5000)]
    segments = lane_segments(observations, 6000.0)
    assert [(s.start, s.end, s.state, s.observations) for s in segments] == [
        (0.0, 3000.0, "fresh", 3000),
        (3000.0, 6000.0, "stale", 2000),
    ]
    suite = {
        "scenarios": [
            {
                "name": "long",
                "verdict": "pass",
                "timeline": {
                    "lanes": ["pop-1"],
                    "end": 6000.0,
                    "observations": observations,
                    "markers": [],
                },
            }
        ]
    }
    page = render_html(suite)
    svg = _plots(page)["long"]
    assert len([e for e in svg.iter(f"{SVG}rect") if "segment" in _classes(e)]) == 2
    assert len([e for e in svg.iter(f"{SVG}circle")]) < 1000
    assert len(page) < 200_000


def test_segments_start_at_first_observation_and_unknown_states_count_as_other():
    segments = lane_segments([_obs(5.0, "a", "weird"), _obs(2.0, "a", "error")], 10.0)
    assert [(s.start, s.end, s.state) for s in segments] == [
        (2.0, 5.0, "error"),
        (5.0, 10.0, "other"),
    ]
    assert lane_segments([], 10.0) == []


def test_axis_ticks_are_round_and_cover_the_range():
    assert round_ticks(0.0, 1500.0, 8) == ([0, 200, 400, 600, 800, 1000, 1200, 1400], 0)
    ticks, decimals = round_ticks(0.0, 0.7, 8)
    assert ticks[0] == 0 and ticks[-1] <= 0.7 and decimals == 1
    assert round_ticks(0.0, 0.0, 8) == ([0.0], 0)
    assert round_ticks(86880.0, 87546.0, 6) == ([87000, 87200, 87400], 0)  # within the piece


def test_overlapping_marker_labels_take_separate_rows():
    assert label_rows([(0, 50), (10, 60), (70, 90), (20, 30)]) == [0, 1, 0, 2]
    assert label_rows([(0, 50)] * 6, max_rows=2) == [0, 1, -1, -1, -1, -1]


def test_console_table_lists_each_scenario_verdict_and_the_failing_check():
    suite = _suite()
    table = summary_table(suite)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 100
    for scenario in suite["scenarios"]:
        row = next(line for line in lines if line.startswith(scenario["name"]))
        assert scenario["verdict"] in row.split()
    assert "4 scenarios: 1 pass, 1 fail, 1 skip, 1 error" in table
    failing = table[table.index("Failing checks:") :]
    assert "pop-2 fresh at tick + delay" in failing
    assert "expected 630.0 s" in failing and "measured 1210.0 s" in failing
    assert "the target has no /_sim API" in table
    assert "\x1b[" not in table
    assert "\x1b[31mfail" in summary_table(suite, colour=True)


def test_console_columns_line_up():
    lines = summary_table(_suite()).splitlines()
    header, body = lines[0], lines[2 : lines.index("")]
    rows = [line for line in body if not line.startswith(" ")]  # not a continuation
    column = header.index("verdict")
    assert [r[column:].split()[0] for r in rows] == ["fail", "pass", "skip", "error"]


def test_a_long_key_fact_wraps_at_word_boundaries_instead_of_being_cut():
    suite = _suite()
    fact = "bug on: a browser without WebP got WebP at pop-1, pop-2, pop-3 · as started: " * 2
    suite["scenarios"][1]["measurements"] = {"headline": fact.strip()}
    lines = summary_table(suite).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("fallback-chain"))
    column = lines[0].index("key fact")
    wrapped = [lines[start][column:].rsplit("  ", 1)[0].strip()]
    wrapped += [line.strip() for line in lines[start + 1 :] if line.startswith(" " * column)]
    assert " ".join(wrapped) == fact.strip() and "…" not in "".join(wrapped)
    assert max(len(line) for line in lines) <= 100


def test_progress_line_while_running_and_when_done():
    assert progress_line(3, 17, "propagation-crop", None) == "[ 3/17] propagation-crop …"
    done = {"verdict": "pass", "wall_seconds": 0.84}
    assert (
        progress_line(3, 17, "propagation-crop", done) == "[ 3/17] propagation-crop … pass (0.8 s)"
    )
    failed = progress_line(1, 4, "propagation-original", _propagation())
    assert failed.startswith("[1/4] propagation-original … FAIL (0.8 s)")
    assert failed.endswith("pop-2 fresh at tick + delay")
    coloured = progress_line(3, 17, "x", done, colour=True)
    assert "\x1b[32mpass\x1b[0m" in coloured
    assert len(progress_line(1, 1, "n" * 200, done)) == 100


def test_strip_wall_removes_wall_keys_at_any_depth_and_keeps_the_input():
    suite = _suite()
    suite["scenarios"][0]["measurements"]["nested"] = [{"wall_ms": 3, "t": 1.0}]
    before = copy.deepcopy(suite)
    stripped = strip_wall(suite)
    assert suite == before
    text = json.dumps(stripped)
    assert "wall" not in text.replace("fallback", "")
    assert stripped["scenarios"][0]["measurements"]["nested"] == [{"t": 1.0}]
    assert stripped["seed"] == 7 and len(stripped["scenarios"]) == 4
    again = _suite()
    again["started_wall"], again["wall_seconds"] = "2027-01-01T00:00:00Z", 99.0
    again["scenarios"][1]["wall_seconds"] = 5.0
    assert strip_wall(again) == strip_wall(_suite())


def test_written_reports_round_trip(tmp_path: Path):
    suite = _suite()
    paths = write_reports(suite, tmp_path / "reports")
    assert set(paths) == {"json", "html"}
    assert paths["json"].name == "scenarios.json" and paths["html"].name == "scenarios.html"
    written = paths["json"].read_text(encoding="utf-8")
    assert json.loads(written) == suite
    assert written == json.dumps(suite, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert paths["html"].read_text(encoding="utf-8") == render_html(suite)


def _hard_timelines() -> list[dict[str, Any]]:
    """Timelines like the ones that were hard to read: a day of ticks with the action at
    both ends, the action a few seconds long after minutes of set-up, long and coincident
    labels, a long lane name."""
    day = {
        "name": "resilience-origin-down",
        "verdict": "pass",
        "timeline": {
            "lanes": ["pop-1", "pop-2", "pop-3"],
            "end": 87515.0,
            "observations": [_obs(450.0, lane, "stale") for lane in ("pop-1", "pop-2", "pop-3")]
            + [_obs(t, "pop-1", "error") for t in (86910.0, 87000.0, 87510.0)],
            "markers": [
                {"t": 300.0 * i, "kind": "tick", "lane": None, "label": "aggregator tick"}
                for i in range(292)
            ]
            + [
                {"t": 86910.0, "kind": "fault", "lane": None, "label": "origin down"},
                {"t": 87510.0, "kind": "fault", "lane": None, "label": "origin back"},
            ],
        },
    }
    late = {
        "name": "akamai-auto-edit",
        "verdict": "fail",
        "checks": [
            {"name": "passes first", "ok": True, "expected": 1, "measured": 1},
            {"name": "fails second", "ok": False, "expected": 1, "measured": 2},
        ],
        "timeline": {
            "lanes": ["pop-1", "a POP with a very long name indeed"],
            "end": 450.0,
            "observations": [_obs(450.0, "pop-1", "fresh")],
            "markers": [
                {"t": 300.0, "kind": "invalidation_created", "lane": None, "label": "I1: 3 paths"},
                *[
                    {"t": 300.0, "kind": "variants_kept", "lane": None, "label": "kept (bug)"}
                    for _ in range(3)
                ],
                {
                    "t": 450.0,
                    "kind": "write",
                    "lane": None,
                    "label": "upload main (blue) + DELETE invalidation of every rendition at once",
                },
                {"t": 450.0, "kind": "phase", "lane": None, "label": "switch on"},
                {"t": 450.5, "kind": "fault", "lane": None, "label": "origin slow (5 s)"},
            ],
        },
    }
    return [day, late]


def test_hard_timelines_zoom_to_the_action_and_keep_every_text_inside():
    suite = {"scenarios": [_propagation(), *_hard_timelines()]}
    page = render_html(suite)
    found = svg_layout.plots(page)
    assert set(found) == {"propagation-original", "resilience-origin-down", "akamai-auto-edit"}
    for name, svg in found.items():
        assert svg_layout.problems(svg) == [], name
    # The day: one break between caching and the outage, its ticks left out of the drawing.
    day = found["resilience-origin-down"]
    breaks = [g for g in day.iter(f"{SVG}g") if "axis-break" in _classes(g)]
    assert len(breaks) == 1 and float(breaks[0].attrib["data-start"]) < 1000
    assert "tick" in "".join(breaks[0].find(f"{SVG}title").itertext())  # type: ignore[union-attr]
    assert len([e for e in day.iter(f"{SVG}line") if "marker-tick" in _classes(e)]) < 10
    # The late action: the set-up is a break, so the write is not at the edge.
    late = found["akamai-auto-edit"]
    write = next(g for g in late.iter(f"{SVG}g") if "marker-write" in _classes(g))
    x = float(write.find(f"{SVG}line").attrib["x1"])  # type: ignore[union-attr]
    assert 200 < x < 900
    labels = ["".join(e.itertext()) for e in late.iter(f"{SVG}text")]
    assert "kept (bug) ×3" not in labels  # inside the set-up break, counted in its tooltip
    assert any(label.endswith("…") for label in labels)  # the long write label, shortened
    # Failing checks first, in red.
    section = page[page.index('data-scenario="akamai-auto-edit"') :]
    assert section.index("fails second") < section.index("passes first")
    assert 'class="check failed"' in section


def test_progress_in_a_file_is_one_line_per_scenario(capsys: pytest.CaptureFixture[str]):
    from cdnsim.commands.scenario import _progress

    _progress(0, 2, "propagation-crop", None)  # captured: not a terminal
    _progress(0, 2, "propagation-crop", {"verdict": "pass", "wall_seconds": 0.4})
    assert capsys.readouterr().err == "[1/2] propagation-crop … pass (0.4 s)\n"
