"""The load report as one self-contained HTML page a person reads at a glance: the verdict
and any warning in words at the top, tables with named columns and units, and charts with
labelled axes on which the run's events (a forced change, invalidations, admin writes) are
marked. No scripts, no external assets."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from cdnsim.load.chart import chart, legend
from cdnsim.load.words import headline, saturation_note

# What each column means, with its unit: the report's own keys stay as they are (JSON).
COLUMNS: dict[str, str] = {
    "name": "threshold",
    "limit": "limit",
    "value": "measured",
    "ok": "met",
    "requests": "requests",
    "failures": "failures",
    "failure_ratio": "failure ratio",
    "requests_per_s": "requests/s",
    "p50_ms": "p50 (ms)",
    "p95_ms": "p95 (ms)",
    "p99_ms": "p99 (ms)",
    "max_ms": "max (ms)",
    "from_s": "from (s)",
    "to_s": "to (s)",
    "span_s": "length (s)",
    "edge_requests": "edge requests",
    "edge_hit_ratio": "edge hit ratio",
    "origin_requests": "origin requests",
    "origin_offload": "origin offload",
    "renders": "renders",
    "render_cpu_s": "render CPU (s)",
    "collapsed": "collapsed",
    "forced_changes": "forced changes",
    "variants_deleted": "variants deleted",
    "admin_writes": "admin writes",
    "pop": "POP",
    "role": "role",
    "hits": "hits",
    "hit_ratio": "hit ratio",
    "origin_fetches": "origin fetches",
    "phase": "phase",
    "worst_p95_ms": "worst p95 (ms)",
    "peak_renders_per_interval": "most renders in 1 s",
    "processes": "processes",
    "cpu_s": "CPU (s)",
    "share_of_machine": "share of the machine",
    "busiest_process_share_of_core": "busiest process, share of a core",
    "stack_share_of_machine": "the stack's share of the machine",
    "saturated": "saturated",
}
THRESHOLD_NAMES = {
    "failure_ratio": "failure ratio (whole run)",
    "p95_ms": "p95 latency, ms (after warm-up)",
    "edge_hit_ratio": "edge hit ratio (after warm-up)",
}
CHARTS: tuple[tuple[str, str, str], ...] = (
    ("requests_per_s", "Locust: requests per second", "requests/s"),
    ("p95_ms", "Locust: p95 latency per interval", "ms"),
    ("edge_hit_ratio", "Edge hit ratio per interval", "ratio"),
    ("origin_requests", "Origin requests per interval", "requests"),
    ("renders", "Renders per interval", "renders"),
    ("locust_cpu_share", "Locust's CPU", "cores"),
)
_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1000px; padding: 1em;
       color: #1b1b1b; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border-bottom: 1px solid #ddd; padding: .2em .6em; text-align: right; }
th { background: #f2f2f2; font-weight: 600; } td.text, th.text { text-align: left; }
.verdict { font-size: 1.1em; } .passed { color: #2e7d32; } .failed { color: #c62828; }
.warning { background: #fff3e0; border-left: 4px solid #ef6c00; padding: .5em .8em; }
.note { color: #555; } figcaption { font-weight: 600; }
table.thresholds td.no { color: #c62828; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr));
          gap: .5em 1em; } .charts figure { margin: 0; }
.events .event { margin-right: 1.2em; white-space: nowrap; }
.events .swatch { display: inline-block; height: 1em; margin-right: .3em;
                  vertical-align: middle; }
"""


LOCUST_COLUMNS = ("requests", "failures", "failure_ratio", "requests_per_s", "p50_ms", "p95_ms",
                  "p99_ms", "max_ms")  # fmt: skip
STEADY_COLUMNS = ("from_s", "span_s", "requests_per_s", "p50_ms", "p95_ms", "p99_ms",
                  "edge_hit_ratio", "origin_offload", "renders")  # fmt: skip
STACK_COLUMNS = ("edge_requests", "edge_hit_ratio", "origin_requests", "origin_offload", "renders",
                 "render_cpu_s", "collapsed", "forced_changes", "variants_deleted")  # fmt: skip
POP_COLUMNS = ("pop", "role", "requests", "hits", "hit_ratio", "collapsed", "origin_fetches")
PHASE_COLUMNS = ("phase", "from_s", "to_s", "requests_per_s", "worst_p95_ms", "edge_hit_ratio",
                 "origin_requests", "renders", "peak_renders_per_interval", "render_cpu_s")  # fmt: skip
GENERATOR_COLUMNS = ("processes", "cpu_s", "share_of_machine", "busiest_process_share_of_core",
                     "stack_share_of_machine", "saturated")  # fmt: skip


def render(report: Mapping[str, Any]) -> str:
    """The whole page."""
    stack = report["stack"]
    verdict = "passed" if report["passed"] else "failed"
    sections = [
        f"<h1>cdnsim load — {html.escape(str(report['settings'].get('profile')))}</h1>",
        f'<p class="verdict {verdict}">{html.escape(headline(report))}</p>',
    ]
    if warning := saturation_note(report["load_generator"]):
        sections.append(f'<p class="warning">{html.escape(warning)}</p>')
    thresholds = [
        {**t, "name": THRESHOLD_NAMES.get(t["name"], t["name"])} for t in report["thresholds"]
    ]
    per_pop = [{"pop": k, **v} for k, v in stack.get("per_pop", {}).items()]
    machine = report["machine"]
    sections += [
        f'<p class="note">{html.escape(machine["note"])} ({machine["cpu_count"]} cores).</p>',
        "<h2>Thresholds</h2>",
        table(thresholds, ("name", "limit", "value", "ok"), css="thresholds"),
        "<h2>Locust, whole run</h2>",
        table([report["locust"]], LOCUST_COLUMNS),
        "<h2>After warm-up</h2>",
        table([report["steady"]], STEADY_COLUMNS),
        "<h2>The stack, whole run</h2>",
        table([stack], STACK_COLUMNS),
        table(per_pop, POP_COLUMNS),
        _invalidations(stack),
    ]
    if report["phases"]:
        sections += _phases(report["phases"], stack)
    sections += [
        "<h2>The load generator</h2>",
        table([report["load_generator"]], GENERATOR_COLUMNS),
        "<h2>Over time</h2>",
        legend(report["timeline"]),
        '<div class="charts">',
        *(chart(report["timeline"], field, title, unit) for field, title, unit in CHARTS),
        "</div>",
    ]
    body = "\n".join(s for s in sections if s)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>cdnsim load report</title><style>{_STYLE}</style></head><body>\n"
        f"{body}\n</body></html>\n"
    )


def _invalidations(stack: Mapping[str, Any]) -> str:
    counts = stack.get("invalidations") or {}
    if not counts:
        return ""
    said = ", ".join(f"{_number(n)} {kind}" for kind, n in counts.items())
    return f"<p>Invalidations: {html.escape(said)}.</p>"


def _phases(phases: Sequence[Mapping[str, Any]], stack: Mapping[str, Any]) -> list[str]:
    total = sum(p["renders"] for p in phases)
    note = (
        f"The phases cover the whole run: their {_number(total)} renders are the whole run's "
        f"{_number(stack.get('renders', 0))}. Renders while waiting for the tick come from the "
        "stack's earlier invalidations (of writes made before the change), not from the forced "
        "change."
    )
    return ["<h2>Rebuild phases</h2>", table(phases, PHASE_COLUMNS), f'<p class="note">{note}</p>']


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], css: str = "") -> str:
    head = "".join(
        f'<th class="{_align(rows, c)}">{html.escape(COLUMNS.get(c, c.replace("_", " ")))}</th>'
        for c in columns
    )
    body = "".join(
        "<tr>" + "".join(_cell(r.get(c), _align(rows, c)) for c in columns) + "</tr>" for r in rows
    )
    return f'<table class="{css}"><tr>{head}</tr>{body}</table>'


def _align(rows: Sequence[Mapping[str, Any]], column: str) -> str:
    numbers = [r.get(column) for r in rows if r.get(column) is not None]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers)
    return "num" if numbers and numeric else "text"


def _cell(value: Any, align: str) -> str:
    if isinstance(value, bool):
        return f'<td class="text {"yes" if value else "no"}">{"yes" if value else "no"}</td>'
    return f'<td class="{align}">{html.escape(_text(value))}</td>'


def _text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, int | float):
        return _number(value)
    return str(value)


def _number(value: float) -> str:
    """Thousands separated; small figures to four significant digits, and tiny ones (a
    failure ratio of 3 in 40,000) as a percentage rather than in exponent notation."""
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    if 0 < abs(value) < 0.001:
        return f"{value * 100:.2g} %"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.1f}"
