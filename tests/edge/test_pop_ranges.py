"""Through a POP: Range requests (RFC 9110 §14) and partial content (RFC 9111 §3.3–3.4)."""

from __future__ import annotations

import asyncio

import aiohttp
from multidict import CIMultiDict

from common.clock import Clock
from common.events import EventLog
from edge.config import ShieldSettings
from tests.edge.conftest import MakeEdge, edge_settings
from tests.edge.origin_double import OriginDouble
from tests.edge.test_pop_behaviour import wait_events
from tests.edge.test_pop_caching import get

BODY = bytes(range(256)) * 4  # 1024 bytes, then the double's "#n"
FRESH = {"Cache-Control": "max-age=3600", "Content-Type": "image/jpeg"}


async def ranged(
    http: aiohttp.ClientSession, url: str, value: str, **headers: str
) -> tuple[int, bytes, CIMultiDict[str]]:
    return await get(http, url, headers={"Range": value, **headers})


async def test_a_range_of_a_stored_response_is_a_206_from_the_cache(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    # An origin that knows nothing of ranges (and says so: the POP does, and says that).
    origin.reply("/img", body=BODY, headers={**FRESH, "Accept-Ranges": "none"})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/img"
    status, whole, headers = await get(http, url)
    assert status == 200 and headers.getall("Accept-Ranges") == ["bytes"]
    status, part, headers = await ranged(http, url, "bytes=0-99")
    assert status == 206 and part == whole[:100]
    assert headers["Content-Range"] == f"bytes 0-99/{len(whole)}"
    assert headers["Content-Length"] == "100" and headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "image/jpeg" and headers["X-Cache"] == "Hit from cdnsim"
    assert (await ranged(http, url, "bytes=-10"))[1] == whole[-10:]
    assert (await ranged(http, url, "bytes=1000-"))[1] == whole[1000:]
    assert origin.count("/img") == 1


async def test_a_range_on_a_miss_is_cut_from_whatever_upstream_sends(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/img", body=BODY, headers=FRESH)  # answers the Range with the whole body
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/img"
    status, part, _ = await ranged(http, url, "bytes=0-99")
    assert status == 206 and part == BODY[:100]
    assert origin.received[-1]["range"] == "bytes=0-99"  # forwarded, as CloudFront does
    assert (await get(http, url))[1] == BODY + b"#1"  # and the 200 it got was stored


async def test_unsatisfiable_ranges_are_416_with_the_length(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/img", body=b"x" * 8, headers=FRESH)
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/img"
    await get(http, url)
    status, body, headers = await ranged(http, url, "bytes=500-")
    assert status == 416 and headers["Content-Range"] == "bytes */10"
    assert headers["Content-Type"].startswith("application/json")
    assert b"range_not_satisfiable" in body


async def test_an_invalid_or_foreign_range_gets_the_whole_body(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/img", body=BODY, headers=FRESH)
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/img"
    await get(http, url)
    for value in ("bytes=9-2", "items=0-5", "bytes=x"):
        status, body, _ = await ranged(http, url, value)
        assert (status, len(body)) == (200, len(BODY) + 2), value
    async with http.head(url, headers={"Range": "bytes=0-9"}) as resp:  # only GET has ranges
        assert resp.status == 200


async def test_several_ranges_come_as_multipart_byteranges(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/img", body=BODY, headers=FRESH)
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/img"
    whole = (await get(http, url))[1]
    async with http.get(url, headers={"Range": "bytes=10-19,0-4"}) as resp:
        assert resp.status == 206
        assert resp.headers["Content-Type"].startswith("multipart/byteranges; boundary=")
        reader = aiohttp.MultipartReader.from_response(resp)
        parts = []
        while (part := await reader.next()) is not None:
            assert isinstance(part, aiohttp.BodyPartReader)
            parts.append(
                (part.headers["Content-Range"], part.headers["Content-Type"], await part.read())
            )
    size = len(whole)
    assert parts == [
        (f"bytes 0-4/{size}", "image/jpeg", whole[0:5]),
        (f"bytes 10-19/{size}", "image/jpeg", whole[10:20]),
    ]


async def test_if_range_with_an_old_validator_gets_the_whole_body(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/img", body=BODY, headers=FRESH, etag='"v2"')
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/img"
    await get(http, url)
    assert (await ranged(http, url, "bytes=0-9", **{"If-Range": '"v1"'}))[0] == 200
    assert (await ranged(http, url, "bytes=0-9", **{"If-Range": '"v2"'}))[0] == 206


async def test_a_206_from_upstream_is_stored_and_answers_ranges_within_it(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/big", body=BODY, headers=FRESH, etag='"v1"', ranges=True)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/big"
    status, part, headers = await ranged(http, url, "bytes=-5")
    size = len(BODY) + 2
    assert status == 206 and headers["Content-Range"] == f"bytes {size - 5}-{size - 1}/{size}"
    assert "; stored" in headers["Cache-Status"]
    status, part, headers = await ranged(http, url, "bytes=-2")
    assert (status, part, headers["X-Cache"]) == (206, b"#1", "Hit from cdnsim")
    assert origin.count("/big") == 1


async def test_partial_responses_combine_into_a_complete_one(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    origin.reply("/big", body=BODY, headers=FRESH, etag='"v1"', ranges=True)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/big"
    await ranged(http, url, "bytes=0-99")
    # A whole-body request asks only for what is missing, guarded by the validator.
    status, body, headers = await get(http, url)
    assert origin.received[-1]["range"] == "bytes=100-"
    assert origin.received[-1]["if-range"] == '"v1"'
    assert status == 200 and body[:100] == BODY[:100] and body[100:] == BODY[100:] + b"#2"
    assert headers["Cache-Status"].startswith("pop-1; fwd=partial")
    status, again, headers = await get(http, url)
    assert (status, again, headers["X-Cache"]) == (200, body, "Hit from cdnsim")
    assert origin.count("/big") == 2


async def test_a_new_206_updates_the_stored_fields_and_keeps_the_others(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:  # RFC 9111 §3.4
    reply = origin.reply(
        "/big", body=BODY, headers={**FRESH, "X-Old": "1", "X-Gen": "a"}, etag='"v1"', ranges=True
    )
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/big"
    await ranged(http, url, "bytes=0-9")
    reply.headers = {**FRESH, "X-Gen": "b"}
    await ranged(http, url, "bytes=500-509")
    _, _, headers = await ranged(http, url, "bytes=0-9")
    assert headers["X-Cache"] == "Hit from cdnsim"
    assert (headers["X-Gen"], headers["X-Old"]) == ("b", "1")


async def test_a_changed_representation_replaces_the_stored_part(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    reply = origin.reply("/big", body=BODY, headers=FRESH, etag='"v1"', ranges=True)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/big"
    await ranged(http, url, "bytes=0-99")
    reply.etag, reply.body = '"v2"', b"new" * 400
    status, body, _ = await get(http, url)  # If-Range "v1" fails upstream: a whole 200
    assert status == 200 and body == b"new" * 400 + b"#2"


async def test_ranges_through_the_shield(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/big", body=BODY, headers=FRESH, etag='"v1"', ranges=True)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111", shield=ShieldSettings()))
    url = edge.pop_urls["pop-1"] + "/big"
    status, part, headers = await ranged(http, url, "bytes=10-19")
    assert (status, part) == (206, BODY[10:20])
    assert headers["Cache-Status"].startswith("shield; fwd=uri-miss; fwd-status=206")
    status, body, _ = await get(http, url)  # 10-19 is no prefix to complete: fetched whole
    assert (status, body) == (200, BODY + b"#2")
    assert (await ranged(http, edge.pop_urls["pop-1"] + "/big", "bytes=0-1"))[1] == BODY[:2]
    assert origin.count("/big") == 2


async def test_a_part_arriving_late_never_replaces_the_whole_response(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, events: EventLog
) -> None:
    origin.reply("/big", body=BODY, headers=FRESH, etag='"v1"', ranges=True, hang_ranges=True)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/big"
    part = asyncio.create_task(ranged(http, url, "bytes=0-9"))
    await wait_events(events, "origin_fetch", 1)
    whole = await get(http, url)  # not held: stored complete while the range waits
    origin.release.set()
    assert (await part)[:2] == (206, BODY[:10])
    assert whole[1] == BODY + b"#2"
    _, body, headers = await get(http, url)
    assert (body, headers["X-Cache"]) == (BODY + b"#2", "Hit from cdnsim")
