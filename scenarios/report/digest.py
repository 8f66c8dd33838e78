"""What a reader wants first from a scenario result: counts, tallies, the one fact that matters.

Shared by the console table and the HTML report so both tell the same story. Every function
takes the plain JSON of a suite or scenario (see scenarios/result.py) and tolerates missing
keys, because a scenario that errored may have returned little more than its name.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

VERDICTS = ("pass", "fail", "skip", "error")


def scenarios_of(suite: JSON) -> list[JSON]:
    """The suite's scenario results, in run order; anything that is not an object is dropped."""
    return [s for s in suite.get("scenarios") or [] if isinstance(s, dict)]


def verdict_of(scenario: JSON) -> str:
    """The scenario's verdict, or ``error`` when it is missing or not one of the four."""
    verdict = scenario.get("verdict")
    return verdict if verdict in VERDICTS else "error"


def verdict_counts(suite: JSON) -> dict[str, int]:
    """Counts per verdict, recomputed from the scenarios so the report never disagrees with them."""
    counts = dict.fromkeys(VERDICTS, 0)
    for scenario in scenarios_of(suite):
        counts[verdict_of(scenario)] += 1
    return counts


def checks_of(scenario: JSON) -> list[JSON]:
    """The scenario's checks, in order."""
    return [c for c in scenario.get("checks") or [] if isinstance(c, dict)]


def checks_tally(scenario: JSON) -> tuple[int, int]:
    """(checks passed, checks in all)."""
    checks = checks_of(scenario)
    return sum(1 for c in checks if c.get("ok") is True), len(checks)


def failing_checks(scenario: JSON) -> list[JSON]:
    """The checks that are not ok, in order."""
    return [c for c in checks_of(scenario) if c.get("ok") is not True]


def text(value: Any) -> str:
    """A JSON value as a reader would write it: no quotes on strings, '—' for null."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value) or "none"
    return str(value)


def key_fact(scenario: JSON) -> str:
    """The one line that says most about a scenario.

    A failing check beats everything (name, expected, measured); a skip or error gives its
    reason; a pass shows its ``measurements.headline``, else its first check's measurement.
    """
    failing = failing_checks(scenario)
    if failing:
        first = failing[0]
        return (
            f"✗ {text(first.get('name'))}: expected {text(first.get('expected'))}, "
            f"measured {text(first.get('measured'))}"
        )
    if verdict_of(scenario) in ("skip", "error") or scenario.get("reason"):
        return text(scenario.get("reason") or "no reason given")
    headline = (scenario.get("measurements") or {}).get("headline")
    if isinstance(headline, str) and headline:
        return headline
    checks = checks_of(scenario)
    if checks:
        return f"{text(checks[0].get('name'))}: {text(checks[0].get('measured'))}"
    return ""


def wall_text(seconds: Any) -> str:
    """Wall seconds to one decimal, or '—' when unknown."""
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
        return f"{seconds:.1f} s"
    return "—"
