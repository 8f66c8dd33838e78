"""The HTML report of a suite run: one self-contained file a person opens in a browser.

Inline CSS and inline SVG, no scripts, no external assets; sections fold with
``<details>``. Every text from the results is escaped.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from scenarios.report.digest import (
    JSON,
    VERDICTS,
    checks_of,
    checks_tally,
    key_fact,
    scenarios_of,
    text,
    verdict_counts,
    verdict_of,
    wall_text,
)
from scenarios.report.timeline_svg import timeline_svg

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1000px; padding: 1em;
       color: #1b1b1b; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.2em; margin: 0; display: inline; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 .5em; border-radius: .6em; color: #fff;
         font-weight: 600; font-size: .85em; text-transform: uppercase; }
.badge.pass { background: #2e9e44; } .badge.fail { background: #d62728; }
.badge.skip { background: #b8860b; } .badge.error { background: #6a3d9a; }
.ok { color: #2e9e44; font-weight: 700; } .bad { color: #d62728; font-weight: 700; }
tr.check.failed td { color: #b21f1f; font-weight: 600; background: #fff0f0; }
table.summary td.name, table.summary td.num { white-space: nowrap; }
section.scenario { border-top: 2px solid #ccc; padding: .6em 0; }
section.scenario > details > summary { cursor: pointer; list-style-position: outside; }
.meta { color: #555; font-size: .9em; } .reason { background: #fff6e0; padding: .3em .6em; }
pre { background: #f6f6f6; padding: .5em; overflow-x: auto; font-size: .85em; }
svg.timeline { display: block; max-width: 100%; height: auto; margin: .5em 0; }
dl.header { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; }
dl.header dt { font-weight: 600; } dl.header dd { margin: 0; }
"""


def _e(value: Any) -> str:
    """A JSON value as escaped text."""
    return escape(text(value), quote=True)


def section_id(index: int, name: str) -> str:
    """An HTML id for a scenario's section, unique by position and safe in a URL fragment."""
    return f"s{index}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")


def _badge(verdict: str) -> str:
    return f'<span class="badge {verdict}">{verdict}</span>'


def _header(suite: JSON) -> str:
    counts = verdict_counts(suite)
    target: JSON = suite["target"] if isinstance(suite.get("target"), dict) else {}
    rows = [("seed", _e(suite.get("seed")))]
    rows += [(f"target {escape(str(k))}", _e(v)) for k, v in sorted(target.items()) if k != "clock"]
    rows.append(("clock", _e(target.get("clock"))))
    rows.append(("generated at (wall)", _e(suite.get("started_wall"))))
    rows.append(("wall time", escape(wall_text(suite.get("wall_seconds")))))
    summary = " ".join(f"{_badge(v)} {counts[v]}" for v in VERDICTS)
    rows.append(("summary", f"{sum(counts.values())} scenarios: {summary}"))
    items = "\n".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        f"<header><h1>{_e(suite.get('suite') or 'cdnsim scenarios')}</h1>"
        f'<dl class="header">\n{items}\n</dl></header>'
    )


def _summary_table(suite: JSON) -> str:
    rows = []
    for index, scenario in enumerate(scenarios_of(suite)):
        name = text(scenario.get("name"))
        passed, total = checks_tally(scenario)
        rows.append(
            f'<tr class="verdict-{verdict_of(scenario)}">'
            f'<td class="name"><a href="#{section_id(index, name)}">{escape(name)}</a></td>'
            f"<td>{_e(scenario.get('group'))}</td><td>{_badge(verdict_of(scenario))}</td>"
            f'<td class="num">{passed}/{total}</td><td>{escape(key_fact(scenario))}</td>'
            f'<td class="num">{escape(wall_text(scenario.get("wall_seconds")))}</td></tr>'
        )
    head = (
        "<tr><th>scenario</th><th>group</th><th>verdict</th><th>checks</th>"
        "<th>key fact</th><th>wall</th></tr>"
    )
    return f'<table class="summary">\n{head}\n' + "\n".join(rows) + "\n</table>"


def _checks(scenario: JSON) -> str:
    """The checks, failing ones first (in red), then the passing ones, each in run order."""
    checks = checks_of(scenario)
    if not checks:
        return '<p class="meta">No checks.</p>'
    rows = []
    for check in sorted(checks, key=lambda c: c.get("ok") is True):
        ok = check.get("ok") is True
        mark = '<span class="ok">✓</span>' if ok else '<span class="bad">✗</span>'
        rows.append(
            f'<tr class="check {"passed" if ok else "failed"}"><td>{mark}</td>'
            f"<td>{_e(check.get('name'))}</td><td>{_e(check.get('expected'))}</td>"
            f"<td>{_e(check.get('measured'))}</td><td>{_e(check.get('detail') or '')}</td></tr>"
        )
    head = "<tr><th></th><th>check</th><th>expected</th><th>measured</th><th>detail</th></tr>"
    return '<table class="checks">\n' + head + "\n" + "\n".join(rows) + "\n</table>"


def _table(table: JSON) -> str:
    columns = table.get("columns") or []
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = []
    for row in table.get("rows") or []:
        cells = row if isinstance(row, list) else [row]
        body.append(
            "<tr>"
            + "".join(
                f'<td class="num">{_e(c)}</td>'
                if isinstance(c, (int, float)) and not isinstance(c, bool)
                else f"<td>{_e(c)}</td>"
                for c in cells
            )
            + "</tr>"
        )
    return (
        f'<h3>{_e(table.get("title") or "")}</h3><table class="data">\n<tr>{head}</tr>\n'
        + "\n".join(body)
        + "\n</table>"
    )


def _measurements(scenario: JSON) -> str:
    measurements = scenario.get("measurements")
    if not measurements:
        return ""
    dump = json.dumps(measurements, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return f"<details><summary>measurements</summary><pre>{escape(dump)}</pre></details>"


def _section(index: int, scenario: JSON) -> str:
    name = text(scenario.get("name"))
    verdict = verdict_of(scenario)
    reason = scenario.get("reason")
    tables = [t for t in scenario.get("tables") or [] if isinstance(t, dict)]
    timeline = scenario.get("timeline") if isinstance(scenario.get("timeline"), dict) else None
    parts = [
        (
            f'<section class="scenario verdict-{verdict}" id="{section_id(index, name)}" '
            f'data-scenario="{escape(name, quote=True)}"><details open><summary>'
            f"<h2>{_e(scenario.get('title') or name)}</h2> {_badge(verdict)}</summary>"
        ),
        (
            f'<p class="meta">{escape(name)} · group {_e(scenario.get("group"))} · '
            f"{escape(wall_text(scenario.get('wall_seconds')))} wall</p>"
        ),
    ]
    if reason:
        parts.append(f'<p class="reason">{_e(reason)}</p>')
    parts.append(_checks(scenario))
    parts.extend(_table(t) for t in tables)
    parts.append(_measurements(scenario))
    parts.append("<h3>Timeline</h3>")
    if timeline is None or not (timeline.get("observations") or timeline.get("markers")):
        parts.append('<p class="meta">This scenario recorded no observations.</p>')
    parts.append(timeline_svg(name, timeline))
    parts.append("</details></section>")
    return "\n".join(p for p in parts if p)


def render_html(suite: JSON) -> str:
    """The whole report as one HTML document: header, summary table, a section per scenario.

    Each section has the scenario's checks, tables and exactly one
    ``<svg class="timeline" data-scenario="NAME">`` plot.
    """
    title = _e(suite.get("suite") or "cdnsim scenarios")
    sections = "\n".join(_section(i, s) for i, s in enumerate(scenarios_of(suite)))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} report</title><style>{_CSS}</style></head><body>\n"
        f"{_header(suite)}\n<h2>Summary</h2>\n{_summary_table(suite)}\n{sections}\n"
        "</body></html>\n"
    )
