"""Images and stored variants answer If-Modified-Since (RFC 9110 §13.1.3) and byte
ranges (§14) the way they answer If-None-Match."""

from __future__ import annotations

from email.utils import formatdate

from tests.origin.serving.fixtures import PACK, simple_pack

URL = f"/api/v2/img/{PACK}"


def http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)


async def test_if_modified_since_at_or_after_last_modified_is_304(origin_client, storage):
    await simple_pack(storage)
    first = await origin_client.get(URL)
    modified = first.headers["Last-Modified"]
    resp = await origin_client.get(URL, headers={"If-Modified-Since": modified})
    assert resp.status == 304 and await resp.read() == b""
    assert resp.headers["ETag"] == first.headers["ETag"]
    later = http_date(4102444800.0)  # 2100
    assert (await origin_client.get(URL, headers={"If-Modified-Since": later})).status == 304
    earlier = "Thu, 01 Jan 1970 00:00:01 GMT"
    assert (await origin_client.get(URL, headers={"If-Modified-Since": earlier})).status == 200
    assert (await origin_client.get(URL, headers={"If-Modified-Since": "garbage"})).status == 200


async def test_if_none_match_wins_over_if_modified_since(origin_client, storage):
    await simple_pack(storage)
    first = await origin_client.get(URL)
    modified = first.headers["Last-Modified"]
    other = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert (await origin_client.get(URL, headers=other)).status == 200


async def test_a_byte_range_of_an_image_is_206(origin_client, storage):
    await simple_pack(storage)
    whole = await (await origin_client.get(URL)).read()
    resp = await origin_client.get(URL, headers={"Range": "bytes=0-99"})
    assert resp.status == 206 and await resp.read() == whole[:100]
    assert resp.headers["Content-Range"] == f"bytes 0-99/{len(whole)}"
    assert resp.headers["Accept-Ranges"] == "bytes"
    assert resp.headers["Content-Type"] == "image/png"
    suffix = await origin_client.get(URL, headers={"Range": "bytes=-10"})
    assert suffix.status == 206 and await suffix.read() == whole[-10:]


async def test_a_range_beyond_the_image_is_416(origin_client, storage):
    await simple_pack(storage)
    size = len(await (await origin_client.get(URL)).read())
    resp = await origin_client.get(URL, headers={"Range": f"bytes={size}-"})
    assert resp.status == 416 and resp.headers["Content-Range"] == f"bytes */{size}"
    assert (await resp.json())["code"] == "range_not_satisfiable"


async def test_if_range_and_odd_ranges_give_the_whole_image(origin_client, storage):
    await simple_pack(storage)
    first = await origin_client.get(URL)
    whole = await first.read()
    for headers in (
        {"Range": "bytes=0-9", "If-Range": '"stale"'},
        {"Range": "bytes=0-9,20-29"},  # several ranges: the whole image
        {"Range": "lines=1-2"},
    ):
        resp = await origin_client.get(URL, headers=headers)
        assert resp.status == 200 and await resp.read() == whole, headers
    for validator in (first.headers["ETag"], first.headers["Last-Modified"]):
        resp = await origin_client.get(URL, headers={"Range": "bytes=0-9", "If-Range": validator})
        assert resp.status == 206 and await resp.read() == whole[:10]


async def test_the_stored_copy_answers_ranges_and_dates_too(serving_client, storage):
    client = await serving_client(response_limit_bytes=1024)
    await simple_pack(storage)
    big = f"{URL}?width=800&height=800&format=png&rounded-corners=300"
    redirect = await client.get(big, allow_redirects=False)
    assert redirect.status == 302
    location = redirect.headers["Location"]
    whole = await (await client.get(location)).read()
    part = await client.get(location, headers={"Range": "bytes=100-199"})
    assert part.status == 206 and await part.read() == whole[100:200]
    modified = (await client.get(location)).headers["Last-Modified"]
    assert (await client.get(location, headers={"If-Modified-Since": modified})).status == 304
