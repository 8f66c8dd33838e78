"""Several origin processes on one port: ``cdnsim origin --workers N`` and ``cdnsim up
--origin-workers N``.

The first worker is the caller's own app; the others are processes started here that bind
the same port with SO_REUSEPORT (the kernel spreads connections among them). Each has its
own event loop, its own render pool and its own storage clients, and all of them use the
one storage: the embedded moto server of the first, or the configured endpoint. What
keeps them exact together is shared memory, handed to each process at start: the storage
memo's coherence table and the written-variants filter (``origin.storage``), so a write
acknowledged by one worker is seen by the next request to any other.

Per process, as with the edge's POP workers: single-flight (concurrent misses for one
variant in two workers render twice), the event log (only the first worker's events
reach a stack's control API), and simulation switches set through that API. A manual
clock cannot span processes, and ids seeded with ``--seed`` are repeatable only with
one worker (each worker gets its own seed so that they never draw the same id).

A worker exits when its parent does, however the parent ends: it watches a pipe whose
other end only the parent holds.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from cdnsim.tls import server_context
from common.clock import Clock
from common.ids import IdGenerator
from common.serving import DEFAULT_LIMITS, ConnectionLimits, serve
from edge.workers import wait_ready
from origin.app import create_app
from origin.settings import OriginSettings
from origin.storage import Storage
from origin.storage.coherence import Coherence
from origin.storage.mirror import Mirror
from origin.storage.settings import AWS
from origin.storage.written_keys import WrittenKeys

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class SharedState:
    """What every worker of one origin shares: created before any of them starts."""

    coherence: Coherence
    written_variants: WrittenKeys | None

    @classmethod
    def create(cls, variants_start_empty: bool) -> SharedState:
        written = WrittenKeys.shared(_CONTEXT) if variants_start_empty else None
        return cls(Coherence.shared(_CONTEXT), written)


def check_workers(settings: OriginSettings, workers: int, clock: Clock) -> None:
    """Refuse what several worker processes cannot do (a clear error at start-up)."""
    if workers < 1:
        raise ValueError(f"workers must be ≥ 1, got {workers}")
    if workers == 1:
        return
    if clock.mode == "manual":
        raise ValueError("a manual clock cannot span worker processes: use real or scaled")
    if settings.tls_self_signed:
        raise ValueError("several workers need one certificate: use --tls-cert and --tls-key")


class OriginWorkers:
    """The extra worker processes (``workers`` − 1) of one origin listening on ``port``."""

    def __init__(
        self,
        settings: OriginSettings,
        storage: Storage,
        shared: SharedState,
        port: int,
        clock_spec: str,
        workers: int,
        *,
        limits: ConnectionLimits = DEFAULT_LIMITS,
    ) -> None:
        worker_storage = replace(
            storage.settings,
            # The first worker's endpoint (its embedded server, if any), never another one.
            endpoint_url=storage.endpoint_url or storage.settings.endpoint_url,
            memo="exact" if storage.memo is not None else "off",
            create_resources=False,
            data_dir=None,  # the first worker restored it; each worker mirrors its writes
        )
        mirror = storage.mirror.path if storage.mirror is not None else None
        self._settings = replace(settings, storage=worker_storage, port=port)
        self._args = (shared, clock_spec, mirror, limits)
        self._count = workers - 1
        self._processes: list[BaseProcess] = []
        self._lifelines: list[Connection] = []

    async def start(self, ready_timeout: float = 60.0) -> None:
        """Start the workers and wait (wall time) until each one listens."""
        for index in range(1, self._count + 1):
            ready = _CONTEXT.Event()
            theirs, ours = _CONTEXT.Pipe(duplex=False)
            settings = replace(self._settings, id_seed=_worker_seed(self._settings.id_seed, index))
            process = _CONTEXT.Process(
                target=worker_main,
                args=(settings, *self._args, ready, theirs),
                name=f"origin-worker-{index}",
                daemon=False,  # it starts its own render pool; the lifeline ends it
            )
            process.start()
            theirs.close()
            self._processes.append(process)
            self._lifelines.append(ours)
            if not await asyncio.to_thread(wait_ready, process, ready, ready_timeout):
                self.stop()
                raise RuntimeError(f"origin worker {index} did not start")

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes if p.pid is not None]

    def stop(self) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        self._processes.clear()
        for lifeline in self._lifelines:
            lifeline.close()
        self._lifelines.clear()


def _worker_seed(seed: int | None, index: int) -> int | None:
    return None if seed is None else seed * 1_000_003 + index


def worker_main(
    settings: OriginSettings,
    shared: SharedState,
    clock_spec: str,
    mirror: Any,
    limits: ConnectionLimits,
    ready: Any,
    lifeline: Connection,
) -> None:
    """Entry point of one extra worker process; sets ``ready`` once it listens."""
    asyncio.run(_serve(settings, shared, clock_spec, mirror, limits, ready, lifeline))


async def _serve(
    settings: OriginSettings,
    shared: SharedState,
    clock_spec: str,
    mirror: Any,
    limits: ConnectionLimits,
    ready: Any,
    lifeline: Connection,
) -> None:
    endpoint = settings.storage.endpoint_url
    storage = Storage(
        settings.storage,
        None if endpoint == AWS else endpoint,
        coherence=shared.coherence,
        written_variants=shared.written_variants,
    )
    if mirror is not None:
        storage.mirror = Mirror(mirror)
    app = create_app(
        settings, clock=Clock.parse(clock_spec), storage=storage, ids=IdGenerator(settings.id_seed)
    )
    ssl_context = server_context(settings.tls_cert, settings.tls_key, None)
    served = await serve(
        app, settings.host, settings.port, limits=limits, ssl_context=ssl_context, reuse_port=True
    )
    ready.set()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_reader(lifeline.fileno(), stop.set)  # readable only at EOF: the parent is gone
    try:
        await stop.wait()
    finally:
        loop.remove_reader(lifeline.fileno())
        await served.close()
        storage.close()
