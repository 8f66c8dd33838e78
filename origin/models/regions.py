"""Publishing regions: ``{"name", "label", "countries"}`` per tenant, for region-keyed imagery."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from common.clock import Clock
from common.errors import BadRequest, Conflict, NotFound
from common.events import EventLog
from origin.models import fields as f
from origin.models.documents import Region
from origin.storage import Storage
from origin.storage.store import ConditionFailed

TABLE = "regions"

# ISO 3166-1 alpha-2, the officially assigned codes, plus XK (Kosovo), which is only
# user-assigned but which geo-IP databases use, so regions built from them need it.
COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK
    """.split()  # noqa: SIM905 - a code table reads better as text
)


def parse_region(body: Any, name: str | None = None) -> Region:
    """A region from an admin body (``name`` from the path wins); countries must be
    ISO 3166-1 alpha-2 codes that exist."""
    region = Region.parse(body, name)
    unknown = [c for c in region.countries if c not in COUNTRIES]
    if unknown:
        raise BadRequest(
            f"unknown ISO 3166-1 alpha-2 country codes: {', '.join(unknown)}", field="countries"
        )
    return region


class RegionBackend:
    def __init__(self, storage: Storage, clock: Clock, events: EventLog) -> None:
        self._storage = storage
        self._clock = clock
        self._events = events

    async def list_regions(self, tenant: str) -> list[Region]:
        """Every region of the tenant, sorted by name."""
        items = await self._storage.query(TABLE, tenant)
        return sorted((Region.from_item(i) for i in items), key=lambda r: r.name)

    async def find_region(self, tenant: str, name: str) -> Region | None:
        if not f.is_name(name):
            return None
        item = await self._storage.get_item(TABLE, tenant, name)
        return Region.from_item(item) if item else None

    async def get_region(self, tenant: str, name: str) -> Region:
        region = await self.find_region(tenant, name)
        if region is None:
            raise NotFound(f"no region {name!r}", code="region_not_found")
        return region

    async def create_region(self, tenant: str, region: Region) -> Region:
        """Store a new region; 409 when one of that name exists."""
        stored = replace(region, version=1)
        try:
            await self._storage.put_item(TABLE, stored.to_item(tenant), expect_version=None)
        except ConditionFailed:
            raise Conflict(
                f"region {region.name!r} exists: update it with PUT /adminAPI/regions/{region.name}",
                code="region_exists",
            ) from None
        self._saved(tenant, stored, created=True)
        return stored

    async def update_region(self, tenant: str, region: Region) -> Region:
        """Replace an existing region (omitted fields are cleared); 404 when unknown."""
        old = await self.get_region(tenant, region.name)
        stored = replace(region, version=old.version + 1)
        try:
            await self._storage.put_item(TABLE, stored.to_item(tenant), expect_version=old.version)
        except ConditionFailed:
            raise Conflict(
                f"region {region.name!r} was changed or removed by another request meanwhile: read it and retry",
                code="concurrent_write",
            ) from None
        self._saved(tenant, stored, created=False)
        return stored

    def _saved(self, tenant: str, region: Region, *, created: bool) -> None:
        self._events.append(
            "origin",
            "region_saved",
            tenant=tenant,
            name=region.name,
            created=created,
            countries=list(region.countries),
        )
