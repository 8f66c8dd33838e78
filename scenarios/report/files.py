"""Writing a suite run to disk, and the deterministic view used to compare two runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scenarios.report.digest import JSON
from scenarios.report.html import render_html

WALL_PREFIXES = ("wall", "started_wall")


def strip_wall(suite: Any) -> Any:
    """A copy of ``suite`` without wall-clock keys (names starting "wall" or "started_wall").

    Applies at any depth, through objects and lists; the input is left untouched. What is
    left must be identical for two runs with the same seed.
    """
    if isinstance(suite, dict):
        return {
            k: strip_wall(v)
            for k, v in suite.items()
            if not (isinstance(k, str) and k.startswith(WALL_PREFIXES))
        }
    if isinstance(suite, list):
        return [strip_wall(v) for v in suite]
    return suite


def suite_json(suite: JSON) -> str:
    """The suite as the JSON text of ``--json``: sorted keys, indent 2, a final newline."""
    return json.dumps(suite, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_reports(suite: JSON, directory: Path) -> dict[str, Path]:
    """Write ``scenarios.json`` and ``scenarios.html`` into ``directory`` (made if missing).

    Returns ``{"json": path, "html": path}``. The HTML is rendered before anything is
    written, so a rendering error leaves no half-written report pair behind.
    """
    directory.mkdir(parents=True, exist_ok=True)
    rendered = {"json": suite_json(suite), "html": render_html(suite)}
    paths = {"json": directory / "scenarios.json", "html": directory / "scenarios.html"}
    for kind, content in rendered.items():
        paths[kind].write_text(content, encoding="utf-8")
    return paths
