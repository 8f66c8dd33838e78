"""A rebuild under load: steady serving, then, ``--change-at`` seconds in, one forced
change of ``--change-location``'s size (PUT …/imageLocationConfig/NAME?force=true).

The origin drops that location's variants at once; at its next tick the aggregator
deletes the packs' variants and invalidates their paths on the edge, so the POPs miss,
the shield fetches and the origin renders again: the surge and its decay are what the
`cdnsim load` report shows. The change is made once, by the master (or the only process).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

import gevent
from audience import ImageViewer, admin_headers  # type: ignore[import-not-found]
from locust import events, task
from locust.runners import WorkerRunner

log = logging.getLogger("rebuild")


class Viewer(ImageViewer):
    @task
    def view(self) -> None:
        self.view_one()


def _admin(method: str, url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={**admin_headers(), "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def force_location_change(origin: str, name: str) -> dict[str, Any]:
    """Make ``name`` a little wider (or back): a heavy change, confirmed with force."""
    config = _admin("GET", f"{origin}/adminAPI/imageLocationConfig/{name}")
    width = config.get("width") or 320
    changed = {k: v for k, v in config.items() if k not in ("added", "updated") and v is not None}
    changed["width"] = width + 16 if width % 32 == 0 else width - 16
    _admin("PUT", f"{origin}/adminAPI/imageLocationConfig/{name}?force=true", changed)
    log.warning("rebuild: forced %s from width %s to %s", name, width, changed["width"])
    return changed


@events.test_start.add_listener
def _schedule_change(environment: Any, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return
    options = environment.parsed_options
    if not options.origin:
        raise RuntimeError("--origin is required for the rebuild profile")
    gevent.spawn_later(
        options.change_at, force_location_change, options.origin, options.change_location
    )
