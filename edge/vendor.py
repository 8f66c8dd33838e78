"""The edge's vendor protocol: what a CDN product plugged in beside the edge provides, and
the narrow handle the edge gives it in return.

A vendor (Akamai Image Manager, imgix…) is a package under ``vendors/`` that implements
:class:`Vendor`; :class:`~edge.stack.Edge` runs every vendor it is given through the same
phases, so a new vendor needs no change here or in the stack:

1. ``await vendor.start()`` before any POP: the vendor starts the services its internal
   paths are rendered by and answers the :class:`Routes` the POPs put ahead of their own
   behaviours (see :func:`edge.properties.with_routes`).
2. The POPs start with ``vendor.properties()`` in the edge's own process, and every extra
   worker process builds its own from ``vendor.replica()`` (a module-level function and a
   picklable snapshot of what the properties read).
3. ``await vendor.attach(handle)`` once invalidations exist: the vendor starts its APIs.
   The :class:`EdgeHandle` lets it purge paths, learn the POPs' addresses and the shield,
   and ``publish`` a change of what its properties read, which every worker process has
   applied before ``publish`` returns.
4. ``ready()`` is the vendor's entry in a ready file; ``reset()`` puts its state back as at
   start-up; ``stop()`` stops its servers.

The edge never imports a vendor; a vendor imports only the edge's public modules.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from common.clock import Clock
from common.events import EventLog
from common.serving import DEFAULT_LIMITS, ConnectionLimits
from edge.config import CacheBehavior, CachePolicy
from edge.properties import Property


@dataclass(frozen=True)
class Routes:
    """Cache behaviours for a vendor's internal paths, with their policies and origins
    (the vendor's own rendering services), tried before the edge's own behaviours."""

    behaviors: tuple[CacheBehavior, ...] = ()
    policies: Mapping[str, CachePolicy] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Replica:
    """How another process builds a vendor's properties: ``build(state, clock)``.

    Worker processes are spawned, so ``build`` must be a module-level function (it is
    pickled by reference) and ``state`` picklable: a snapshot of everything the
    properties read (policies, sources…), never a live object."""

    build: Callable[[Any, Clock], Sequence[Property]]
    state: Any


class EdgeHandle(Protocol):
    """What a running edge offers a vendor, and nothing more."""

    @property
    def pop_urls(self) -> Mapping[str, str]: ...

    @property
    def shield_id(self) -> str | None: ...

    def purge(self, paths: Sequence[str], reference: str) -> str:
        """One invalidation of ``paths`` (exact paths or ``prefix*``) at every POP, each
        after its own delay, outside the CloudFront API's allowance; its id. Raises
        :class:`~edge.invalidation.errors.InvalidationError` for bad paths."""
        ...

    async def publish(self) -> None:
        """The vendor's properties read something new: every worker process rebuilds them
        from the vendor's ``replica()`` before this returns."""
        ...


class Vendor(Protocol):
    """One CDN product beside the edge (see the module docstring for the phases)."""

    name: str

    async def start(self) -> Routes: ...

    def properties(self) -> Sequence[Property]: ...

    def replica(self) -> Replica: ...

    async def attach(self, edge: EdgeHandle) -> None: ...

    async def seed_demo(self, demo: DemoImages) -> None:
        """Set up the vendor's demo (a property, a source…) over ``demo``'s images."""
        ...

    def ready(self) -> dict[str, Any]: ...

    async def reset(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class StorageAccess:
    """An S3-compatible endpoint a vendor may read and write (e.g. the stack's own)."""

    endpoint: str
    region: str = "us-east-1"
    access_key_id: str = "testing"
    secret_access_key: str = "testing"


@dataclass(frozen=True)
class VendorContext:
    """What a vendor is created with, whoever runs it (``cdnsim up`` or ``cdnsim edge``)."""

    clock: Clock
    events: EventLog
    origin_url: str  # the edge's origin: where a vendor's default property finds images
    host: str = "127.0.0.1"  # where its services listen
    port_base: int = 0  # 0: free ports; N: the vendor's own fixed offsets from N
    seed: int | None = None
    storage: StorageAccess | None = None
    connections: ConnectionLimits = DEFAULT_LIMITS  # of every server the vendor starts

    def port(self, offset: int) -> int:
        return self.port_base + offset if self.port_base else 0


@dataclass(frozen=True)
class DemoImages:
    """What a stack's demo offers vendors: an image on the origin, and its bytes."""

    sample_path: str  # a path on ``VendorContext.origin_url`` that answers an image
    sample_jpeg: bytes  # a JPEG, for vendors that keep originals of their own


class VendorPlugin(Protocol):
    """A vendor as the command line knows it: its flags, its options (a frozen value of
    its own) read from them, and how to create it."""

    name: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def options(self, args: argparse.Namespace | None = None) -> Any:
        """The options ``args`` give (None: the defaults)."""
        ...

    def create(self, options: Any, context: VendorContext) -> Vendor: ...


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def publishing(publish: Callable[[], Awaitable[None]]) -> Callable[..., Any]:
    """A middleware for a vendor's API app: once a request that may change state has
    succeeded, ``publish`` (``EdgeHandle.publish``) before the client hears of it, so that
    no worker process applies an older state after the client was answered."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if request.method not in READS and response.status < 400:
            await publish()
        return response

    return middleware
