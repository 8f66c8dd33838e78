"""Daily reports built from the edge's own event log (state and rules, no HTTP).

As seed 004 says, a day's reports are finalised at 00:00 UTC and available by 01:00 UTC
(simulated time): once the clock has passed midnight, asking for reports builds every
finished day's four reports (once) from the events of that day; until 01:00 they are
listed with ``completed: false`` and no files. Types: ``cdn_logs`` (one row per edge request for a source's image,
with the viewer's referrer and user agent),
``image_analytics`` (requests and errors per master image), ``mild_errors`` (4xx per image
and status) and ``source_analytics`` (per source, cumulative from the first of the month:
master images, requests, cache hits, errors, bandwidth and average response time, from
the ``bytes`` and ``ms`` the edge's request events carry).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from common.events import Event, EventLog
from common.ids import IdGenerator
from vendors.imgix.addressing import split_internal

DAY = 86400
PUBLISH_DELAY = 3600  # finalised at 00:00, available by 01:00
TYPES = ("cdn_logs", "image_analytics", "mild_errors", "source_analytics")
REQUEST_KINDS = ("hit", "stale", "miss", "collapsed", "origin_error")
SORTS = frozenset({"period_end", "period_start", "report_key", "report_type"})


@dataclass(frozen=True)
class Report:
    id: str
    report_type: str
    period_start: int
    csv: str

    @property
    def report_key(self) -> str:
        day = datetime.fromtimestamp(self.period_start, UTC).strftime("%Y%m%d")
        return f"{self.report_type}_{day}"

    @property
    def available_at(self) -> int:
        return self.period_start + DAY + PUBLISH_DELAY

    def completed(self, now: float) -> bool:
        return now >= self.available_at

    def attributes(self, file_url: str, now: float) -> dict[str, Any]:
        done = self.completed(now)
        return {
            "completed": done,
            "files": [file_url] if done else [],
            "period_end": self.period_start,
            "period_start": self.period_start,
            "report_key": self.report_key,
            "report_type": self.report_type,
        }


@dataclass(frozen=True)
class Row:
    """One edge request for a source's image."""

    time: float
    pop: str
    source_id: str
    path: str
    query: str
    cache: str
    status: int | None
    referer: str = ""
    user_agent: str = ""
    bytes: int = 0
    ms: float | None = None


def rows_of(events: list[Event], skip_pops: frozenset[str] = frozenset()) -> list[Row]:
    """Viewer requests for sources' images (the shield's own fills are in ``skip_pops``)."""
    out = []
    for e in events:
        if e.data.get("pop") in skip_pops:
            continue
        uri = str(e.data.get("uri", ""))
        path, _, query = uri.partition("?")
        found = split_internal(path)
        if found is None or e.kind not in REQUEST_KINDS:
            continue
        status = e.data.get("status")
        status = 502 if e.kind == "origin_error" else status
        out.append(
            Row(
                e.time,
                str(e.data.get("pop", "")),
                found[0],
                found[1],
                query,
                e.kind,
                int(status) if isinstance(status, int) else None,
                str(e.data.get("referer", "")),
                str(e.data.get("user_agent", "")),
                _number(e.data.get("bytes"), int) or 0,
                _number(e.data.get("ms"), float),
            )
        )
    return out


def _number(value: Any, kind: type[int | float]) -> Any:
    return kind(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def build(
    report_type: str, day_rows: list[Row], month_rows: list[Row], names: dict[str, str]
) -> str:
    """The CSV body of one report."""
    if report_type == "cdn_logs":
        return _csv(
            [
                "timestamp",
                "pop",
                "source_id",
                "path",
                "query",
                "cache",
                "status",
                "referer",
                "user_agent",
            ],
            [
                [
                    datetime.fromtimestamp(r.time, UTC).isoformat(),
                    r.pop,
                    r.source_id,
                    r.path,
                    r.query,
                    r.cache,
                    "" if r.status is None else r.status,
                    r.referer,
                    r.user_agent,
                ]
                for r in day_rows
            ],
        )
    if report_type == "image_analytics":
        requests = Counter((r.source_id, r.path) for r in day_rows)
        errors = Counter((r.source_id, r.path) for r in day_rows if (r.status or 0) >= 400)
        return _csv(
            ["source_id", "path", "requests", "errors"],
            [[s, p, n, errors[(s, p)]] for (s, p), n in sorted(requests.items())],
        )
    if report_type == "mild_errors":
        mild = Counter(
            (r.source_id, r.path, r.status) for r in day_rows if 400 <= (r.status or 0) < 500
        )
        return _csv(
            ["source_id", "path", "status", "count"], [[*k, n] for k, n in sorted(mild.items())]
        )
    return _source_analytics(month_rows, names)


def _source_analytics(rows: list[Row], names: dict[str, str]) -> str:
    """Per source: master images, requests, cache hits, errors, bytes sent and the mean
    of the POPs' response times (over the requests that were timed)."""
    per_source: dict[str, Counter[str]] = {}
    images: dict[str, set[str]] = {}
    timed: dict[str, list[float]] = {}
    for r in rows:
        counts = per_source.setdefault(r.source_id, Counter())
        counts["requests"] += 1
        counts["hits"] += r.cache in ("hit", "stale")
        counts["errors"] += (r.status or 0) >= 400
        counts["bytes"] += r.bytes
        images.setdefault(r.source_id, set()).add(r.path)
        if r.ms is not None:
            timed.setdefault(r.source_id, []).append(r.ms)
    return _csv(
        [
            "source_id",
            "name",
            "master_images",
            "requests",
            "cache_hits",
            "errors",
            "bandwidth_bytes",
            "avg_response_ms",
        ],
        [
            [
                s,
                names.get(s, ""),
                len(images[s]),
                c["requests"],
                c["hits"],
                c["errors"],
                c["bytes"],
                f"{sum(timed[s]) / len(timed[s]):.3f}" if timed.get(s) else "",
            ]
            for s, c in sorted(per_source.items())
        ],
    )


class Reports:
    def __init__(self, events: EventLog, ids: IdGenerator, start: float) -> None:
        self.events, self.ids = events, ids
        self.next_day = int(start // DAY * DAY)  # the first day not yet finalised
        self.by_id: dict[str, Report] = {}
        self.skip_pops: frozenset[str] = frozenset()  # the shield: not a viewer-facing POP

    def finalise(self, now: float, names: dict[str, str]) -> None:
        """Build the reports of every day that ended by ``now`` and was not built yet."""
        while self.next_day + DAY <= now:
            start = self.next_day
            month_start = int(datetime.fromtimestamp(start, UTC).replace(day=1).timestamp())
            rows = rows_of(self.events.read(component="edge"), self.skip_pops)
            day_rows = [r for r in rows if start <= r.time < start + DAY]
            month_rows = [r for r in rows if month_start <= r.time < start + DAY]
            for report_type in TYPES:
                report = Report(
                    self.ids.new_id(),
                    report_type,
                    start,
                    build(report_type, day_rows, month_rows, names),
                )
                self.by_id[report.id] = report
            self.next_day += DAY
