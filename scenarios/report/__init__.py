"""Reports of a scenario suite run: the console table, the HTML page, the files on disk.

All renderers are pure functions over the result JSON described in scenarios/result.py.
"""

from scenarios.report.console import progress_line, summary_table
from scenarios.report.files import strip_wall, write_reports
from scenarios.report.html import render_html

__all__ = ["progress_line", "render_html", "strip_wall", "summary_table", "write_reports"]
