"""The origin's backends, one per concern, wired explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from common.clock import Clock
from common.events import EventLog
from common.ids import IdGenerator
from origin.models.image_packs import PackBackend
from origin.models.location_configs import LocationConfigBackend
from origin.models.originals import OriginalsBackend
from origin.models.regions import RegionBackend
from origin.settings import OriginSettings
from origin.storage import Storage


@dataclass
class Backends:
    location_configs: LocationConfigBackend
    regions: RegionBackend
    packs: PackBackend
    originals: OriginalsBackend

    @classmethod
    def create(
        cls,
        settings: OriginSettings,
        storage: Storage,
        clock: Clock,
        events: EventLog,
        ids: IdGenerator,
    ) -> Backends:
        configs = LocationConfigBackend(storage, clock, events)
        regions = RegionBackend(storage, clock, events)
        packs = PackBackend(storage, clock, events, ids)
        originals = OriginalsBackend(settings, storage, clock, events, ids, packs)
        return cls(configs, regions, packs, originals)
