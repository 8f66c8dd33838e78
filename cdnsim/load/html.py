"""The load report as one self-contained HTML page: tables and small SVG charts."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

CHARTS = (
    ("requests_per_s", "Locust requests/s"),
    ("p95_ms", "p95 latency (ms) per interval"),
    ("edge_hit_ratio", "edge hit ratio"),
    ("origin_requests", "origin requests per interval"),
    ("renders", "renders per interval"),
    ("locust_cpu_share", "Locust CPU (cores)"),
)
WIDTH, HEIGHT, PAD = 560, 140, 30


def chart(
    rows: Sequence[Mapping[str, Any]], field: str, title: str, marks: Sequence[float] = ()
) -> str:
    """An SVG line chart of ``field`` against ``t``; ``marks`` are times drawn as red lines."""
    points = [(r["t"], r[field]) for r in rows if r.get(field) is not None]
    if not points:
        return ""
    t_max = max(t for t, _ in points) or 1.0
    v_max = max(v for _, v in points) or 1.0

    def xy(t: float, v: float) -> str:
        x = PAD + (WIDTH - 2 * PAD) * t / t_max
        return f"{x:.1f},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / v_max:.1f}"

    lines = "".join(
        f'<line x1="{xy(m, 0).split(",")[0]}" y1="{PAD}" x2="{xy(m, 0).split(",")[0]}" '
        f'y2="{HEIGHT - PAD}" stroke="#c33" stroke-dasharray="4"/>'
        for m in marks
    )
    return (
        f"<figure><figcaption>{html.escape(title)} (max {v_max:g})</figcaption>"
        f'<svg width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{html.escape(title)}">'
        f'<rect x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{HEIGHT - 2 * PAD}" fill="#f7f7f7"/>'
        f'{lines}<polyline fill="none" stroke="#2a6" stroke-width="2" points="{" ".join(xy(t, v) for t, v in points)}"/>'
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="11">0 s</text>'
        f'<text x="{WIDTH - PAD - 30}" y="{HEIGHT - 8}" font-size="11">{t_max:g} s</text></svg></figure>'
    )


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c)))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def render(report: Mapping[str, Any]) -> str:
    """The whole page."""
    marks = [
        r["t"]
        for r in report["timeline"]
        if r.get("forced_changes") or r.get("invalidations_created")
    ]
    verdict = "PASSED" if report["passed"] else "FAILED"
    stack = report["stack"]
    per_pop = [{"pop": k, **v} for k, v in stack.get("per_pop", {}).items()]
    steady = report["steady"]
    sections = [
        f"<h1>cdnsim load — {html.escape(str(report['settings'].get('profile')))}: {verdict}</h1>",
        (
            f"<p>{html.escape(report['machine']['note'])} ({report['machine']['cpu_count']} cores). "
            f"Red lines: a forced location change or an edge invalidation.</p>"
        ),
        "<h2>Thresholds</h2>",
        table(report["thresholds"], ["name", "limit", "value", "ok"]),
        "<h2>Locust (whole run)</h2>",
        table(
            [report["locust"]],
            [
                "requests",
                "failures",
                "failure_ratio",
                "requests_per_s",
                "p50_ms",
                "p95_ms",
                "p99_ms",
                "max_ms",
            ],
        ),
        "<h2>After warm-up</h2>",
        table(
            [steady],
            [
                "from_s",
                "span_s",
                "requests_per_s",
                "p50_ms",
                "p95_ms",
                "p99_ms",
                "edge_hit_ratio",
                "origin_offload",
                "renders",
            ],
        ),
        "<h2>The stack (whole run)</h2>",
        table(
            [stack],
            [
                "edge_requests",
                "edge_hit_ratio",
                "origin_requests",
                "origin_offload",
                "renders",
                "render_cpu_s",
                "collapsed",
                "forced_changes",
                "variants_deleted",
            ],
        ),
        table(
            per_pop, ["pop", "role", "requests", "hits", "hit_ratio", "collapsed", "origin_fetches"]
        ),
        f"<p>Invalidations: {html.escape(json.dumps(stack.get('invalidations', {})))}</p>",
    ]
    if report["phases"]:
        sections += ["<h2>Rebuild phases</h2>",
                     table(report["phases"], ["phase", "from_s", "to_s", "requests_per_s", "worst_p95_ms",
                                              "edge_hit_ratio", "origin_requests", "renders",
                                              "peak_renders_per_interval", "render_cpu_s"])]  # fmt: skip
    generator = report["load_generator"]
    sections += [
        "<h2>The load generator</h2>",
        table(
            [generator],
            [
                "processes",
                "cpu_s",
                "share_of_machine",
                "busiest_process_share_of_core",
                "stack_share_of_machine",
                "saturated",
            ],
        ),
        "<h2>Over time</h2>",
        *(chart(report["timeline"], field, title, marks) for field, title in CHARTS),
    ]
    style = (
        "body{font:14px sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0}"
        "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}figure{margin:1em 0}"
    )
    return (
        f"<!doctype html><meta charset=utf-8><title>cdnsim load</title><style>{style}</style>"
        + "".join(sections)
    )
