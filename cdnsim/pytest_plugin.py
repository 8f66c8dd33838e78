"""cdnsim as a pytest plugin, registered through the ``pytest11`` entry point: installing
cdnsim gives every test the fixture ``cdnsim_stack``.

``cdnsim_stack`` is the whole in-process stack (embedded moto, the origin, the POPs and a
shield, the aggregator, the vendors) on a manual clock, on 127.0.0.1, as a handle:

- ``ready``: the ready file's dict (``origin``, ``pops``, ``control``, ``admin_token``,
  ``storage`` …, the same keys as ``cdnsim up --ready-file``);
- ``demo_packs``: the demo's pack ids (with ``--cdnsim-demo``);
- ``now``; ``advance(seconds)``: moves the clock and runs every timer due on the way
  (aggregator ticks, invalidations, TTLs) before it returns, as ``/_sim/clock/advance``;
- ``events(kind=None, since=0)``: the event log as dicts (``kind``: a name or several);
- ``reset()``: a clean slate, as ``/_sim/reset`` (with the demo again under
  ``--cdnsim-demo``).

The stack runs on its own thread and event loop, so tests may be plain functions that block
(urllib, requests, boto3) or coroutines (aiohttp, httpx) alike.

Scope: starting a stack takes about two seconds (moto's server is a child process), a reset
a few hundredths, so by default one stack serves the whole session and every test gets it
reset (storage, caches, invalidations, switches, ids: as just started). The manual clock
never goes back: a test sees it wherever the previous one left it, so compare with ``now``
rather than with fixed instants. ``--cdnsim-scope module`` or ``function`` starts one stack
per module or per test instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from cdnsim.stack import Stack

T = TypeVar("T")
SCOPES = ("session", "module", "function")
# Wall-clock bounds on the stack's own work (a week's advance runs ~2,000 ticks: ~40 s).
START_TIMEOUT, CALL_TIMEOUT = 120.0, 600.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cdnsim", "cdnsim_stack: an in-process image CDN")
    group.addoption(
        "--cdnsim-demo",
        action="store_true",
        help="seed the demo: location configs, a region, six packs with originals, and the "
        "vendors' demo property and source",
    )
    group.addoption(
        "--cdnsim-seed",
        type=int,
        default=1,
        help="seed of ids and invalidation delays, so runs repeat (default 1)",
    )
    group.addoption("--cdnsim-pops", type=int, default=3, help="edge POPs (default 3)")
    group.addoption(
        "--cdnsim-scope",
        choices=SCOPES,
        default="session",
        help="how long one stack lives; tests get it reset in between (default session)",
    )


def _scope(fixture_name: str, config: pytest.Config) -> Any:
    return config.getoption("cdnsim_scope")


class _StackThread:
    """A :class:`~cdnsim.stack.Stack` running on an event loop of its own thread."""

    def __init__(self, config: pytest.Config) -> None:
        from cdnsim.stack import Stack, StackSettings
        from common.clock import Clock
        from origin.settings import OriginSettings

        settings = StackSettings(
            origin=OriginSettings(render_workers=1),
            pops=config.getoption("cdnsim_pops"),
            demo=config.getoption("cdnsim_demo"),
            seed=config.getoption("cdnsim_seed"),
        )
        self.stack: Stack = Stack(settings, Clock.manual())
        self.used = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="cdnsim", daemon=True)
        self._thread.start()
        try:
            self.call(self._start, timeout=START_TIMEOUT)
        except BaseException:
            self.stop()
            raise

    async def _start(self) -> None:
        await self.stack.start()
        await self.stack.wait_ready()

    def call(self, work: Callable[[], Awaitable[T]], timeout: float = CALL_TIMEOUT) -> T:
        async def run() -> T:
            return await work()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def stop(self) -> None:
        if self._thread.is_alive():
            try:
                self.call(self.stack.stop, timeout=START_TIMEOUT)
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(30)
        self._loop.close()


class CdnsimStack:
    """What a test gets: see the module's docstring."""

    def __init__(self, running: _StackThread) -> None:
        self._running = running
        self.ready: dict[str, Any] = running.stack.ready()

    @property
    def demo_packs(self) -> list[str]:
        return list(self._running.stack.demo_packs)

    @property
    def now(self) -> float:
        return self._running.stack.clock.now()

    def advance(self, seconds: float) -> float:
        """Move the manual clock ``seconds`` on, running every timer due on the way; the new
        ``now``."""
        if not 0 <= seconds <= 7 * 86400:
            raise ValueError("advance from 0 to 604,800 seconds (a week) at a time")
        clock = self._running.stack.clock
        self._running.call(lambda: clock.advance(float(seconds)))
        return clock.now()

    def events(
        self, kind: str | Iterable[str] | None = None, since: int = 0
    ) -> list[dict[str, Any]]:
        """Events after sequence number ``since``, oldest first (``seq``, ``time``,
        ``component``, ``kind``, ``data``); only those of ``kind`` when given."""
        kinds = [kind] if isinstance(kind, str) else kind
        return [e.to_json() for e in self._running.stack.events.read(since, kinds=kinds)]

    def reset(self) -> None:
        stack = self._running.stack
        self._running.call(lambda: stack.reset(origin_demo=stack.settings.demo))


@pytest.fixture(scope=_scope)
def cdnsim_running_stack(request: pytest.FixtureRequest) -> Iterator[_StackThread]:
    """The stack itself, for as long as ``--cdnsim-scope`` says; use ``cdnsim_stack``."""
    running = _StackThread(request.config)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def cdnsim_stack(cdnsim_running_stack: _StackThread) -> CdnsimStack:
    """The in-process stack on a manual clock, reset if an earlier test used it."""
    handle = CdnsimStack(cdnsim_running_stack)
    if cdnsim_running_stack.used:
        handle.reset()
    cdnsim_running_stack.used = True
    return handle
