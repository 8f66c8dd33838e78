"""Speaking to a target over HTTP: the admin and platform APIs, the POPs, and (when the
target is an in-process stack) the control APIs for time, events, bugs and faults.

Time is simulated seconds. On a manual clock ``advance`` asks the stack to move it; on
a scaled or real clock it waits the equivalent wall time, so the same scenario runs
against any stack (slowly against a real one).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from scenarios.target import Target

DEFAULT_INTERVAL = 300.0  # the production aggregator's period


class Unsupported(Exception):
    """The target cannot do what the scenario needs (a skip, not a failure)."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str, default: str = "") -> str:
        """A response header, whatever case the server wrote its name in."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), default)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class Sim:
    def __init__(self, target: Target, session: aiohttp.ClientSession) -> None:
        self.target = target
        self.http = session
        self.admin_headers = {"Authorization": f"Bearer {target.admin_token}"}
        self.mode = "real"
        self.scale = 1.0
        self.has_sim = False
        self.interval = DEFAULT_INTERVAL
        self._now = time.time()
        self._wall_at_now = time.monotonic()

    async def connect(self) -> None:
        """Learn what the target offers: a /_sim API, its clock, the aggregator's period."""
        if self.target.control:
            try:
                reply = await self.request("GET", self.target.control + "/_sim/clock")
            except (aiohttp.ClientError, OSError):
                return  # no control API reachable: scenarios that need it skip
            if reply.status == 200:
                clock = reply.json()
                self.has_sim, self.mode = True, clock["mode"]
                self._set_now(float(clock["now"]))
                spec = str(clock.get("spec") or "")
                if self.mode == "scaled":
                    self.scale = float(spec.split(":", 1)[1].split("@", 1)[0])
                aggregator = await self.request("GET", self.target.control + "/_sim/aggregator")
                if aggregator.status == 200 and aggregator.json().get("interval"):
                    self.interval = float(aggregator.json()["interval"])

    # -- time ---------------------------------------------------------------------
    def _set_now(self, now: float) -> None:
        self._now, self._wall_at_now = now, time.monotonic()

    def now(self) -> float:
        if self.mode == "manual":
            return self._now
        return self._now + (time.monotonic() - self._wall_at_now) * self.scale

    async def advance(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self.mode == "manual":
            reply = await self.request(
                "POST", self._control("/_sim/clock/advance"), json={"seconds": seconds}
            )
            if reply.status != 200:
                raise RuntimeError(
                    f"advancing the clock failed: {reply.status} {reply.body[:200]!r}"
                )
            self._set_now(float(reply.json()["now"]))
        else:
            await asyncio.sleep(seconds / self.scale)

    async def advance_to(self, when: float) -> None:
        await self.advance(when - self.now())

    def next_tick(self, after: float) -> float:
        """The first aggregator tick strictly after ``after`` (ticks are interval multiples)."""
        return (int(after // self.interval) + 1) * self.interval

    # -- plain HTTP -----------------------------------------------------------------
    async def request(self, method: str, url: str, **kwargs: Any) -> Reply:
        async with self.http.request(method, url, allow_redirects=False, **kwargs) as response:
            body = await response.read()
            return Reply(response.status, dict(response.headers), body)

    async def admin(
        self, method: str, path: str, *, expect: int | tuple[int, ...] = 200, **kwargs: Any
    ) -> Any:
        reply = await self.request(
            method, self.target.origin + path, headers=self.admin_headers, **kwargs
        )
        wanted = (expect,) if isinstance(expect, int) else expect
        if reply.status not in wanted:
            raise RuntimeError(f"{method} {path} answered {reply.status}: {reply.body[:300]!r}")
        return reply.json() if reply.body else None

    async def create_pack(self, **body: Any) -> str:
        return str((await self.admin("POST", "/adminAPI/imagePacks", json=body))["id"])

    async def upload(
        self, pack: str, location: str, image: bytes, *, region: str | None = None
    ) -> dict[str, Any]:
        form = aiohttp.FormData()
        form.add_field("file", image, filename="image.png", content_type="application/octet-stream")
        query = f"?region={region}" if region else ""
        return dict(
            await self.admin(
                "POST", f"/adminAPI/imagePack/{pack}/{location}/upload{query}", data=form
            )
        )

    async def put_config(self, name: str, body: dict[str, Any], *, force: bool = False) -> Any:
        query = "?force=true" if force else ""
        return await self.admin(
            "PUT", f"/adminAPI/imageLocationConfig/{name}{query}", json={"name": name, **body}
        )

    async def platform_delete(self, pack: str) -> None:
        path = f"/{self.target.environment}-lof/images/{self.target.tenant}/{pack}"
        reply = await self.request(
            "DELETE", self.target.platform + path, headers=self.admin_headers
        )
        if reply.status != 204:
            raise RuntimeError(f"DELETE {path} answered {reply.status}: {reply.body[:300]!r}")

    async def get(self, pop_id: str, path: str, headers: dict[str, str] | None = None) -> Reply:
        return await self.request("GET", self.target.pop_url(pop_id) + path, headers=headers or {})

    # -- the control APIs (in-process stacks) -----------------------------------------
    def _control(self, path: str) -> str:
        if not self.has_sim or not self.target.control:
            raise Unsupported("the target has no /_sim control API (run it with cdnsim up)")
        return self.target.control + path

    async def events(
        self, since: int, kinds: list[str] | None = None, *, wait: float = 0.0
    ) -> list[dict[str, Any]]:
        params = {"since": str(since)} | ({"kind": ",".join(kinds)} if kinds else {})
        params |= {"wait": str(wait)} if wait else {}
        reply = await self.request("GET", self._control("/_edge/events"), params=params)
        if reply.status != 200:
            raise RuntimeError(f"reading events failed: {reply.status}")
        return list(reply.json()["events"])

    async def last_event(self) -> int:
        reply = await self.request(
            "GET", self._control("/_edge/events"), params={"since": "0", "limit": "1"}
        )
        return int(reply.json()["newest"])

    async def set_bugs(self, **switches: Any) -> dict[str, Any]:
        body = {name.replace("_", "-"): value for name, value in switches.items()}
        reply = await self.request("PUT", self._control("/_sim/bugs"), json=body)
        if reply.status != 200:
            raise RuntimeError(f"setting bug switches failed: {reply.status} {reply.body[:200]!r}")
        return dict(reply.json())

    async def bugs(self) -> dict[str, Any]:
        return dict((await self.request("GET", self._control("/_sim/bugs"))).json())

    async def fault(self, origin: str, seconds: float | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"origin": origin} | (
            {"seconds": seconds} if seconds is not None else {}
        )
        reply = await self.request("PUT", self._control("/_sim/faults"), json=body)
        if reply.status != 200:
            raise RuntimeError(f"setting a fault failed: {reply.status} {reply.body[:200]!r}")
        return dict(reply.json())

    async def reset(self) -> None:
        reply = await self.request("POST", self._control("/_sim/reset"))
        if reply.status != 200:
            raise Unsupported(f"the target cannot be reset: {reply.body[:200]!r}")
