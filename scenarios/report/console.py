"""The console view of a suite run: a progress line per scenario and a summary table.

Pure functions from result JSON to text; the runner decides where the text goes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from scenarios.report.digest import (
    JSON,
    checks_tally,
    failing_checks,
    key_fact,
    scenarios_of,
    text,
    verdict_counts,
    verdict_of,
    wall_text,
)

_ANSI = {"pass": "\x1b[32m", "fail": "\x1b[31m", "skip": "\x1b[33m", "error": "\x1b[35m"}
_RESET = "\x1b[0m"
_GAP = "  "


def _paint(word: str, verdict: str, colour: bool) -> str:
    """Colour a word already padded to its column, so colour codes never break alignment."""
    return f"{_ANSI.get(verdict, '')}{word}{_RESET}" if colour else word


def _fit(value: str, width: int) -> str:
    """Cut a cell to its column, marking the cut with an ellipsis."""
    if width <= 0:
        return ""
    return value if len(value) <= width else value[: width - 1] + "…"


def progress_line(
    index: int,
    total: int,
    name: str,
    result: JSON | None,
    *,
    colour: bool = False,
    width: int = 100,
) -> str:
    """One line for the running suite: ``[ 3/17] propagation-crop … pass (0.8 s)``.

    ``index`` counts from 1. With ``result`` None the scenario is still running and the line
    ends at the ellipsis; a failure names its first failing check after the wall time.
    """
    digits = len(str(max(total, 1)))
    line = f"[{index:>{digits}}/{total}] {name} …"
    if result is None:
        return _fit(line, width)
    verdict = verdict_of(result)
    tail = f" ({wall_text(result.get('wall_seconds'))})"
    failing = failing_checks(result)
    if failing:
        tail += f" {text(failing[0].get('name'))}"
    elif verdict in ("skip", "error") and result.get("reason"):
        tail += f" {text(result.get('reason'))}"
    word = verdict if verdict == "pass" else verdict.upper()
    plain = _fit(f"{line} {word}{tail}", width)
    if not colour or not plain.startswith(f"{line} {word}"):
        return plain
    return f"{line} {_paint(word, verdict, True)}{plain[len(line) + 1 + len(word) :]}"


def _rows(suite: JSON) -> list[tuple[str, str, str, str, str, str]]:
    rows = []
    for scenario in scenarios_of(suite):
        passed, total = checks_tally(scenario)
        rows.append(
            (
                text(scenario.get("name")),
                text(scenario.get("group")),
                verdict_of(scenario),
                f"{passed}/{total}",
                key_fact(scenario),
                wall_text(scenario.get("wall_seconds")),
            )
        )
    return rows


def _column_widths(
    rows: Sequence[tuple[str, ...]], headers: tuple[str, ...], width: int
) -> list[int]:
    """Natural widths with caps on the name and group; the key fact takes what is left."""
    caps = (30, 11, 7, 7, 0, 8)
    widths = [
        min(cap, max([len(h)] + [len(r[i]) for r in rows])) if cap else 0
        for i, (h, cap) in enumerate(zip(headers, caps, strict=True))
    ]
    widths[4] = max(10, width - sum(widths) - len(_GAP) * (len(headers) - 1))
    return widths


KEY_FACT = 4  # the column that wraps


def _table_lines(
    cells: tuple[str, ...], widths: list[int], verdict: str, colour: bool
) -> list[str]:
    """The row, its key fact wrapped at word boundaries onto continuation lines below
    (the other columns blank there), so that no fact is cut."""
    fact = textwrap.wrap(cells[KEY_FACT], widths[KEY_FACT], break_on_hyphens=False) or [""]
    out = []
    for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
        cell = fact[0] if i == KEY_FACT else cell
        padded = _fit(cell, w).rjust(w) if i in (3, 5) else _fit(cell, w).ljust(w)
        out.append(_paint(padded, verdict, colour) if i == 2 and verdict else padded)
    lines = [_GAP.join(out).rstrip()]
    indent = sum(widths[:KEY_FACT]) + len(_GAP) * KEY_FACT
    lines += [" " * indent + more for more in fact[1:]]
    return lines


def _totals_line(suite: JSON) -> str:
    counts = verdict_counts(suite)
    n = sum(counts.values())
    parts = ", ".join(f"{counts[v]} {v}" for v in counts)
    return f"{n} scenario{'s' if n != 1 else ''}: {parts} · {wall_text(suite.get('wall_seconds'))} wall"


def _failure_notes(suite: JSON, width: int) -> list[str]:
    """Every failing check with expected vs measured, then every skip or error reason."""
    lines: list[str] = []
    wrap = textwrap.TextWrapper(width=width, initial_indent="      ", subsequent_indent="        ")
    for scenario in scenarios_of(suite):
        for check in failing_checks(scenario):
            lines.append(f"  ✗ {text(scenario.get('name'))} › {text(check.get('name'))}")
            lines.extend(wrap.wrap(f"expected {text(check.get('expected'))}"))
            lines.extend(wrap.wrap(f"measured {text(check.get('measured'))}"))
            if check.get("detail"):
                lines.extend(wrap.wrap(text(check.get("detail"))))
    if lines:
        lines.insert(0, "Failing checks:")
    reasons = [s for s in scenarios_of(suite) if verdict_of(s) in ("skip", "error")]
    if reasons:
        lines.append("Skipped or errored:")
    for scenario in reasons:
        lines.append(f"  {verdict_of(scenario)} {text(scenario.get('name'))}")
        lines.extend(wrap.wrap(text(scenario.get("reason") or "no reason given")))
    return lines


def summary_table(suite: JSON, *, colour: bool = False, width: int = 100) -> str:
    """The suite as an aligned table that fits ``width`` columns, its totals, then the failures.

    Columns: scenario, group, verdict, checks passed/total, the key fact (first failing check
    with expected and measured, a skip/error reason, or a measurement; wrapped onto
    continuation lines rather than cut), wall seconds.
    """
    headers = ("scenario", "group", "verdict", "checks", "key fact", "wall")
    rows = _rows(suite)
    widths = _column_widths(rows, headers, width)
    lines = _table_lines(headers, widths, "", False)
    lines.append(_GAP.join("─" * w for w in widths))
    for row in rows:
        lines.extend(_table_lines(row, widths, row[2], colour))
    lines.append("")
    lines.append(_totals_line(suite))
    notes = _failure_notes(suite, width)
    if notes:
        lines.append("")
        lines.extend(notes)
    return "\n".join(lines) + "\n"
