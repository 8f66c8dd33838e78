"""The imgix account: settings, keys, sources, and which parents use which sub-images."""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from common.clock import Clock
from common.events import EventLog
from common.ids import IdGenerator
from vendors.imgix.addressing import url_target
from vendors.imgix.api_keys import ApiKey, KeyRing, RateLimit
from vendors.imgix.assets import Assets
from vendors.imgix.masters import DAY, DEFAULT_MAX_BYTES, Masters
from vendors.imgix.reports import Reports
from vendors.imgix.sources import Source, Sources


@dataclass(frozen=True)
class ImgixSettings:
    api_keys: tuple[ApiKey, ...]
    rate: RateLimit = field(default_factory=RateLimit)
    deploy_seconds: float = 30.0  # simulated seconds from deploying to deployed
    origin_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")  # what web folders may fetch
    s3_endpoint: str | None = None
    s3_region: str = "us-east-1"
    gcs_endpoint: str | None = None  # None: the embedded GCS emulator, started on first use
    azure_endpoint: str | None = None  # None: the embedded Azurite, started on first use
    azurite_install: bool = False  # npm install Azurite on first use when it is missing
    start_emulators: bool = False  # start the embedded emulators with the service
    purge_window: float = 10.0  # a second purge of one URL within this is a 409
    # imgix's automatic refresh of master images: after this, plus up to the jitter
    # (seeded), a changed origin image is noticed; 0: never (a purge or refresh only).
    refresh_seconds: float = DAY
    refresh_jitter: float = DAY
    master_cache_bytes: int = DEFAULT_MAX_BYTES
    seed: int | None = None
    host: str = "127.0.0.1"
    api_port: int = 0
    renderer_port: int = 0


class SubImages:
    """Parent derivatives (internal URIs) by the sub-image they used as ``mark`` or ``blend``."""

    def __init__(self) -> None:
        self._parents: dict[tuple[str, str], set[str]] = defaultdict(set)

    def record(self, parent_source: str, parent_uri: str, sub_key: str) -> None:
        self._parents[(parent_source, sub_key)].add(parent_uri)

    def parents(self, parent_source: str, sub_key: str) -> set[str]:
        return set(self._parents.get((parent_source, sub_key), ()))


def sub_image_key(reference: str, parent: Source, sources: Sources, now: float) -> str:
    """One name per sub-image however it is written: ``source:{id}:{path}`` for an image of
    a source (a path on the parent's own source, or a URL on a source's host), else the URL
    without its query."""
    if reference.startswith("/"):
        return f"source:{parent.id}:{reference.split('?', 1)[0]}"
    target = url_target(reference)
    if target is not None:
        owner = sources.serving(target[0], now)
        if owner is not None:
            return f"source:{owner.id}:{target[1]}"
    return reference.split("?", 1)[0]


class ImgixBackend:
    """All state of the imgix account; HTTP handlers and the edge property call into it."""

    def __init__(self, settings: ImgixSettings, clock: Clock, events: EventLog) -> None:
        self.settings, self.clock, self.events = settings, clock, events
        # Unseeded, ids are still drawn from one (secret) seed, so that a reset gives the
        # sources re-created after it the ids they had: ready files stay true.
        seed = settings.seed if settings.seed is not None else secrets.token_hex(16)
        self._id_seed = f"{seed}:imgix"
        self.ids = IdGenerator(self._id_seed)
        # The account reports relate to: the same id for one seed, across resets.
        self.account_id = hashlib.sha256(f"{seed}:account".encode()).hexdigest()[:24]
        self.reports = Reports(events, self.ids, clock.now())
        self.reset()

    def serving(self, host: str, now: float) -> Source | None:
        """The source that answers for ``host`` now (what the property reads)."""
        return self.sources.serving(host, now)

    def reset(self) -> None:
        """The account as at start-up: keys (and their rate windows), no sources, assets,
        master images, sub-image uses or reports, and ids drawn afresh from the start."""
        settings = self.settings
        self.ids.reseed(self._id_seed)
        self.keys = KeyRing(settings.api_keys, settings.rate)
        self.sources = Sources(self.ids, deploy_seconds=settings.deploy_seconds, seed=settings.seed)
        self.sub_images = SubImages()
        self.assets = Assets()
        self.masters = Masters(
            refresh_seconds=settings.refresh_seconds,
            jitter_seconds=settings.refresh_jitter,
            max_bytes=settings.master_cache_bytes,
            seed=settings.seed,
        )
        skip_pops = self.reports.skip_pops
        self.reports = Reports(self.events, self.ids, self.clock.now())
        self.reports.skip_pops = skip_pops
