"""Writes to one pack are never lost to a race: 50 concurrent conflicting writers over HTTP.

Each write either lands (200) or is refused (409); nothing a 200 acknowledged may be
missing afterwards, and the sequence number counts exactly the writes that landed.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from common.errors import Conflict
from common.ids import IdGenerator
from origin.models.documents import ImagePack
from origin.models.image_packs import WRITE_ATTEMPTS, PackBackend
from origin.models.original_layout import original_key
from origin.storage import StorageSettings
from tests.conftest import png_bytes
from tests.origin.pack_fixtures import create_pack, stored_originals, upload

WRITERS = 50


@pytest.fixture
def storage_settings(moto_server) -> StorageSettings:  # type: ignore[no-untyped-def]
    """Enough storage threads and connections for every writer to be in flight at once."""
    moto_server.reset()
    return replace(
        StorageSettings(
            endpoint_url=moto_server.url, access_key_id="testing", secret_access_key="testing"
        ),
        io_threads=WRITERS + 14,
        max_pool_connections=WRITERS + 14,
    )


async def test_concurrent_location_writes_each_land_or_get_409_and_none_is_lost(
    origin_client, admin_headers
):
    pack = await create_pack(origin_client, admin_headers)

    async def write(n: int) -> int:
        response = await origin_client.put(
            f"/adminAPI/imagePack/{pack['id']}/loc{n}",
            json={"resizeGravity": "north", "useResizeIncludeAll": "TRUE"},
            headers=admin_headers,
        )
        await response.read()
        return response.status

    statuses = await asyncio.gather(*(write(n) for n in range(WRITERS)))
    assert set(statuses) <= {200, 409}, statuses
    landed = {f"loc{n}" for n, status in enumerate(statuses) if status == 200}
    assert landed, "at least one writer must win"
    final = await (
        await origin_client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    ).json()
    assert set(final.get("imageLocations", {})) >= landed
    # Every location present was acknowledged (a 409 never half-lands)…
    assert set(final["imageLocations"]) == landed
    # …and every acknowledged write moved the sequence number exactly once.
    assert final["sequenceNumber"] == 1 + len(landed)


async def test_concurrent_full_puts_on_one_sequence_number_have_exactly_one_winner(
    origin_client, admin_headers
):
    pack = await create_pack(origin_client, admin_headers)

    async def write(n: int) -> tuple[int, dict]:
        response = await origin_client.put(
            f"/adminAPI/imagePack/{pack['id']}",
            json={"assetId": f"writer-{n}", "sequenceNumber": 1},
            headers=admin_headers,
        )
        return response.status, await response.json()

    results = await asyncio.gather(*(write(n) for n in range(WRITERS)))
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 1 and statuses.count(409) == WRITERS - 1, statuses
    winner = next(body for status, body in results if status == 200)
    assert all(body["code"] == "stale_sequence_number" for status, body in results if status == 409)
    final = await (
        await origin_client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    ).json()
    assert final == winner
    assert final["sequenceNumber"] == 2


async def test_concurrent_uploads_keep_every_acknowledged_original_and_leave_no_orphans(
    origin_client, admin_headers, storage
):
    pack = await create_pack(origin_client, admin_headers)
    uploads = 20

    async def send(n: int) -> int:
        response = await upload(
            origin_client, admin_headers, pack["id"], f"loc{n}", png_bytes((8 + n, 8))
        )
        await response.read()
        return response.status

    statuses = await asyncio.gather(*(send(n) for n in range(uploads)))
    assert set(statuses) <= {200, 409}, statuses
    final = await (
        await origin_client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    ).json()
    landed = {f"loc{n}" for n, status in enumerate(statuses) if status == 200}
    assert set(final.get("imageLocations", {})) == landed
    referenced = {
        original_key("demo", loc["imageId"]) for loc in final.get("imageLocations", {}).values()
    }
    # Uploads refused with 409 took their object back: storage holds exactly what the pack points at.
    assert set(await stored_originals(storage)) == referenced
    assert final["sequenceNumber"] == 1 + len(landed)


async def test_a_pack_changing_under_every_attempt_answers_409_and_the_rival_writes_all_stay(
    storage, clock, events
):
    backend = PackBackend(storage, clock, events, IdGenerator(3))
    pack = await backend.create_image_pack("demo", {})
    rivals: list[int] = []

    def change_raced_by_a_rival(current: ImagePack) -> ImagePack:
        # A rival writer lands between our read and our conditional write, every time.
        # (Change functions are synchronous by design, hence the blocking storage call.)
        rival = replace(
            current, asset_id=f"rival-{len(rivals)}", sequence_number=current.sequence_number + 1
        )
        storage._put_item("packs", rival.to_item(), current.sequence_number)
        rivals.append(rival.sequence_number)
        return replace(current, asset_id="mine")

    with pytest.raises(Conflict) as refused:
        await backend.mutate("demo", pack.id, change_raced_by_a_rival)
    assert refused.value.code == "write_conflict"
    assert len(rivals) == WRITE_ATTEMPTS
    stored = await backend.get_image_pack("demo", pack.id)
    assert stored.asset_id == f"rival-{WRITE_ATTEMPTS - 1}"
    assert stored.sequence_number == 1 + WRITE_ATTEMPTS
