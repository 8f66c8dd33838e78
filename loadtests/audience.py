"""What the cdnsim locustfiles share: their command-line options, the viewers, and a
per-second timeline of every request that each Locust process writes every
``TIMELINE_FLUSH`` seconds while it runs (``cdnsim load`` reads it for its live line) and
when it quits.

Options (Locust passes them from the master to every worker):
  --pops URL,URL…      the POPs viewers are spread over (round robin, one POP per user)
  --packs ID,ID…       the image packs to request
  --locations a,b…     location names (default: the demo's)
  --widths 0,160,…     width parameters (0: none)
  --zipf S             popularity exponent (default 1.0)
  --viewer-seed N      seeds the catalogue order and each viewer's choices
  --timeline-dir DIR   write timeline-<pid>.json there while the process runs and when it quits
  --origin URL         admin writes (churn, rebuild) go here (default $CDNSIM_ORIGIN)
The admin token comes from the environment only (CDNSIM_ADMIN_TOKEN), never argv.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from locust import events
from locust.contrib.fasthttp import FastHttpUser

from cdnsim.load.popularity import DEFAULT_LOCATIONS, DEFAULT_WIDTHS, Viewer, catalogue

_user_numbers = itertools.count()


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    group = parser.add_argument_group("cdnsim")

    def add(*names: str, web_ui: bool = True, **kwargs: Any) -> None:
        # Locust's web UI lists an option only when its own add_argument marked it; an
        # argument group's add_argument does not, so mark them here.
        group.add_argument(*names, **kwargs).include_in_web_ui = web_ui

    add("--pops", default="", help="POP base URLs, comma-separated")
    add("--packs", default="", help="image pack ids, comma-separated")
    add("--locations", default=",".join(DEFAULT_LOCATIONS), help="location names")
    add("--widths", default=",".join(map(str, DEFAULT_WIDTHS)), help="width parameters")
    add("--zipf", type=float, default=1.0, help="Zipf popularity exponent")
    add("--viewer-seed", type=int, default=1, help="seeds the catalogue and the viewers")
    add(
        "--timeline-dir",
        web_ui=False,
        default="",
        help="write each process's per-second timeline here",
    )
    add("--origin", default=os.environ.get("CDNSIM_ORIGIN", ""), help="admin: the origin's URL")
    add("--change-at", type=float, default=20.0, help="rebuild: seconds into the run")
    add("--change-location", default="thumb", help="rebuild: the location to change")
    add("--admin-rate", type=float, default=1.0, help="churn: admin writes/s per user")


def _csv(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


class ImageViewer(FastHttpUser):
    """A viewer on one POP, asking for images by popularity as fast as answers come."""

    abstract = True
    host = "http://127.0.0.1"  # every request uses an absolute POP URL

    def on_start(self) -> None:
        options = self.environment.parsed_options
        pops, packs = _csv(options.pops), _csv(options.packs)
        if not pops or not packs:
            raise RuntimeError("--pops and --packs are required")
        # Users are numbered per process; the worker index spreads processes over the POPs too.
        worker = getattr(self.environment.runner, "worker_index", 0)
        number = next(_user_numbers)
        self.pop_index = (number + worker) % len(pops)
        self.pop = pops[self.pop_index]
        widths = [int(w) for w in _csv(options.widths)]
        items = catalogue(packs, _csv(options.locations), widths, options.viewer_seed)
        self.viewer = Viewer(
            items, options.zipf, seed=options.viewer_seed * 1_000_003 + worker * 10_007 + number
        )

    def view_one(self) -> None:
        variant = self.viewer.next()
        self.client.get(
            self.pop + variant.path, name=f"pop-{self.pop_index + 1} {variant.location}"
        )


ADMIN_PREFIX = "admin "  # the request names of admin writes ("admin crop", "admin upload"…)
TIMELINE_FLUSH = 2.0  # seconds between writes of the timeline file while running


class Timeline:
    """Per second: requests, failures, edge hits (X-Cache), admin writes and a latency
    histogram (ms)."""

    def __init__(self) -> None:
        self.seconds: dict[int, dict[str, Any]] = defaultdict(
            lambda: {
                "requests": 0,
                "failures": 0,
                "hits": 0,
                "admin_writes": 0,
                "latency_ms": defaultdict(int),
            }
        )

    def record(self, name: str, response_time: float, exception: Any, response: Any) -> None:
        second = self.seconds[int(time.time())]
        second["requests"] += 1
        second["failures"] += exception is not None
        second["admin_writes"] += name.startswith(ADMIN_PREFIX)
        headers = getattr(response, "headers", None)
        if headers is not None and str(headers.get("X-Cache", "")).startswith("Hit"):
            second["hits"] += 1
        second["latency_ms"][latency_bucket(response_time)] += 1

    def to_json(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "seconds": {str(k): v for k, v in sorted(self.seconds.items())}}


def latency_bucket(ms: float) -> int:
    """Whole ms below 100 ms, tens below 1 s, hundreds above (Locust rounds alike)."""
    if ms < 100:
        return round(ms)
    if ms < 1000:
        return int(round(ms, -1))
    return int(round(ms, -2))


TIMELINE = Timeline()


@events.request.add_listener
def _record(
    name: str = "",
    response_time: float = 0.0,
    exception: Any = None,
    response: Any = None,
    **_: Any,
) -> None:
    TIMELINE.record(name, response_time, exception, response)


@events.init.add_listener
def _flush_while_running(environment: Any, **_: Any) -> None:
    import gevent  # Locust's own loop: a greenlet, in Locust's process only

    def flush() -> None:
        while True:
            gevent.sleep(TIMELINE_FLUSH)
            _write_timeline(environment)

    gevent.spawn(flush)


@events.quitting.add_listener
def _write_timeline(environment: Any, **_: Any) -> None:
    directory = getattr(environment.parsed_options, "timeline_dir", "")
    if directory and TIMELINE.seconds:
        path = Path(directory) / f"timeline-{os.getpid()}.json"
        temporary = path.with_suffix(".tmp")  # the live reader never sees half a file
        temporary.write_text(json.dumps(TIMELINE.to_json()), encoding="utf-8")
        temporary.replace(path)


def admin_headers() -> dict[str, str]:
    token = os.environ.get("CDNSIM_ADMIN_TOKEN", "")
    if not token:
        raise RuntimeError("CDNSIM_ADMIN_TOKEN is not set")
    return {"Authorization": f"Bearer {token}"}
