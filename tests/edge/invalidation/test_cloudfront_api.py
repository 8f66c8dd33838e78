"""The CloudFront invalidation API driven by boto3's own cloudfront client, and the JSON
progress and purge routes, on a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botocore.exceptions import ClientError

from common.clock import Clock
from common.errors import json_errors
from common.events import EventLog
from edge.invalidation import DelayModel, InvalidationLimits, InvalidationService, add_routes
from tests.edge.invalidation.memory_pop import MemoryPop
from tests.wire import send_in_pieces

DIST = "ECDNSIM000001"
DELAYS = DelayModel.fixed(0, per_pop={"pop-a": 10, "pop-b": 40})


@dataclass
class Edge:
    server: TestServer
    service: InvalidationService
    pops: list[MemoryPop]
    cloudfront: Any  # botocore client
    polled: list[tuple[str, bytes]]  # (path, body) of every GetInvalidation answered
    polled_in_progress: asyncio.Event
    http: TestClient  # raw HTTP, for what boto3 would never send


@pytest.fixture
async def edge(
    aiohttp_server: Any, aiohttp_client: Any, clock: Clock, events: EventLog
) -> AsyncIterator[Edge]:
    pops = [MemoryPop("pop-a"), MemoryPop("pop-b")]
    limits = InvalidationLimits(max_wildcards_in_progress=3)
    service = InvalidationService(
        clock, events, pops, DELAYS, distribution_id=DIST, seed=11, limits=limits
    )
    polled: list[tuple[str, bytes]] = []
    in_progress = asyncio.Event()

    # Records what the waiter saw, so the test knows it polled before the clock moved.
    async def record(request: web.Request, response: web.StreamResponse) -> None:
        if request.method == "GET" and request.match_info.get("Id"):
            body = response.body if isinstance(response, web.Response) else None
            text = bytes(body) if isinstance(body, bytes | bytearray) else b""
            polled.append((request.path, text))
            if b"<Status>InProgress</Status>" in text:
                in_progress.set()

    app = web.Application(middlewares=[json_errors])
    app.on_response_prepare.append(record)
    add_routes(app, service)
    server = await aiohttp_server(app)
    client = await asyncio.to_thread(
        boto3.client,
        "cloudfront",
        endpoint_url=str(server.make_url("")),
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    http = await aiohttp_client(server)
    yield Edge(server, service, pops, client, polled, in_progress, http)
    await service.aclose()


def batch(paths: list[str], reference: str) -> dict[str, Any]:
    return {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": reference}


async def create(edge: Edge, paths: list[str], reference: str) -> dict[str, Any]:
    return await asyncio.to_thread(
        edge.cloudfront.create_invalidation,
        DistributionId=DIST,
        InvalidationBatch=batch(paths, reference),
    )


async def get(edge: Edge, invalidation_id: str) -> dict[str, Any]:
    response = await asyncio.to_thread(
        edge.cloudfront.get_invalidation, DistributionId=DIST, Id=invalidation_id
    )
    return response["Invalidation"]  # type: ignore[no-any-return]


async def client_error(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as raised:
        await asyncio.to_thread(call, **kwargs)
    error = raised.value.response
    return (
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"]["Code"],
        error["Error"]["Message"],
    )


async def test_boto3_creates_an_invalidation_that_completes_when_the_slowest_pop_applied(
    edge: Edge, clock: Clock
) -> None:
    created = await create(edge, ["/img/a.jpg*", "/other/c.jpg"], "deploy-1")
    invalidation = created["Invalidation"]
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["Location"] == str(
        edge.server.make_url(f"/2020-05-31/distribution/{DIST}/invalidation/{invalidation['Id']}")
    )
    assert invalidation["Status"] == "InProgress"
    assert invalidation["CreateTime"] == datetime.fromtimestamp(clock.now(), UTC)
    assert invalidation["InvalidationBatch"] == batch(["/img/a.jpg*", "/other/c.jpg"], "deploy-1")

    await clock.advance(10)
    assert (await get(edge, invalidation["Id"]))["Status"] == "InProgress"
    assert set(edge.pops[0].entries) == {"/img/b.jpg"}
    assert "/img/a.jpg" in edge.pops[1].entries

    await clock.advance(30)
    fetched = await get(edge, invalidation["Id"])
    assert fetched["Status"] == "Completed"
    assert fetched["InvalidationBatch"] == invalidation["InvalidationBatch"]
    assert set(edge.pops[1].entries) == {"/img/b.jpg"}


async def test_boto3_waiter_returns_once_every_pop_applied(edge: Edge, clock: Clock) -> None:
    invalidation_id = (await create(edge, ["/img/*"], "deploy-wait"))["Invalidation"]["Id"]
    waiter = edge.cloudfront.get_waiter("invalidation_completed")
    waiting = asyncio.create_task(
        asyncio.to_thread(
            waiter.wait,
            DistributionId=DIST,
            Id=invalidation_id,
            WaiterConfig={"Delay": 1, "MaxAttempts": 30},
        )
    )
    await asyncio.wait_for(edge.polled_in_progress.wait(), timeout=10)
    assert not waiting.done()

    await clock.advance(40)
    await asyncio.wait_for(waiting, timeout=10)
    statuses = [b"Completed" in body for _, body in edge.polled]
    assert statuses[0] is False and statuses[-1] is True


async def test_boto3_pages_through_invalidations_newest_first(edge: Edge) -> None:
    ids = [
        (await create(edge, [f"/img/{n}.jpg"], f"ref-{n}"))["Invalidation"]["Id"] for n in range(5)
    ]
    paginator = edge.cloudfront.get_paginator("list_invalidations")
    pages = await asyncio.to_thread(
        lambda: list(paginator.paginate(DistributionId=DIST, PaginationConfig={"PageSize": 2}))
    )
    assert [len(p["InvalidationList"].get("Items", [])) for p in pages] == [2, 2, 1]
    listed = [item["Id"] for p in pages for item in p["InvalidationList"]["Items"]]
    assert listed == ids[::-1]
    assert pages[0]["InvalidationList"]["IsTruncated"] is True
    assert pages[0]["InvalidationList"]["NextMarker"] == ids[3]
    assert all(
        item["Status"] == "InProgress" for p in pages for item in p["InvalidationList"]["Items"]
    )


async def test_listing_an_empty_distribution_gives_no_items(edge: Edge) -> None:
    listed = await asyncio.to_thread(edge.cloudfront.list_invalidations, DistributionId=DIST)
    assert listed["InvalidationList"]["Quantity"] == 0
    assert listed["InvalidationList"]["IsTruncated"] is False
    assert "Items" not in listed["InvalidationList"]


async def test_the_same_caller_reference_returns_the_same_invalidation_and_other_paths_conflict(
    edge: Edge,
) -> None:
    first = (await create(edge, ["/a.jpg", "/b.jpg"], "same-ref"))["Invalidation"]
    again = (await create(edge, ["/a.jpg", "/b.jpg"], "same-ref"))["Invalidation"]
    assert again["Id"] == first["Id"]
    status, code, message = await client_error(
        edge.cloudfront.create_invalidation,
        DistributionId=DIST,
        InvalidationBatch=batch(["/c.jpg"], "same-ref"),
    )
    assert (status, code) == (409, "InvalidationBatchAlreadyExists")
    assert first["Id"] in message


async def test_boto3_sees_clear_errors_for_refused_requests(edge: Edge) -> None:
    cf = edge.cloudfront
    cases: list[tuple[Any, dict[str, Any]]] = [
        (
            cf.create_invalidation,
            {"DistributionId": DIST, "InvalidationBatch": batch(["/img/*/a.jpg"], "r1")},
        ),
        (
            cf.create_invalidation,
            {"DistributionId": "EOTHER", "InvalidationBatch": batch(["/a"], "r2")},
        ),
        (cf.get_invalidation, {"DistributionId": DIST, "Id": "INOSUCHTHING01"}),
        (cf.get_invalidation, {"DistributionId": "EOTHER", "Id": "INOSUCHTHING01"}),
        (cf.list_invalidations, {"DistributionId": DIST, "Marker": "INOSUCHTHING01"}),
    ]
    results = [await client_error(call, **kwargs) for call, kwargs in cases]
    assert [(status, code) for status, code, _ in results] == [
        (400, "InvalidArgument"),
        (404, "NoSuchDistribution"),
        (404, "NoSuchInvalidation"),
        (404, "NoSuchDistribution"),
        (400, "InvalidArgument"),
    ]
    assert "last character" in results[0][2]


async def test_too_many_wildcards_in_progress_is_refused_until_they_complete(
    edge: Edge, clock: Clock
) -> None:
    await create(edge, ["/a/*", "/b/*"], "w1")
    status, code, _ = await client_error(
        edge.cloudfront.create_invalidation,
        DistributionId=DIST,
        InvalidationBatch=batch(["/c/*", "/d/*"], "w2"),
    )
    assert (status, code) == (400, "TooManyInvalidationsInProgress")
    await clock.advance(40)
    assert (await create(edge, ["/c/*", "/d/*"], "w2"))["Invalidation"]["Status"] == "InProgress"


def xml_error(body: str) -> tuple[str, str]:
    assert body.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="http://cloudfront'
    )
    assert "<Type>Sender</Type>" in body and "<RequestId>" in body
    return body.split("<Code>")[1].split("</Code>")[0], body.split("<Message>")[1].split(
        "</Message>"
    )[0]


SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cloudfront/"
    "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
}
NS = 'xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"'
CREATE = f"/2020-05-31/distribution/{DIST}/invalidation"


def batch_xml(paths_xml: str, reference: str = "<CallerReference>r</CallerReference>") -> str:
    return f'<?xml version="1.0"?><InvalidationBatch {NS}><Paths>{paths_xml}</Paths>{reference}</InvalidationBatch>'


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("", 400, "MissingBody"),
        ("this is not xml", 400, "MalformedXML"),
        ("<InvalidationBatch><Paths>", 400, "MalformedXML"),
        (
            '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]><InvalidationBatch>&lol;</InvalidationBatch>',
            400,
            "MalformedXML",
        ),
        ("<InvalidationBatch>&undefined;</InvalidationBatch>", 400, "MalformedXML"),
        (f"<DistributionConfig {NS}/>", 400, "MalformedXML"),
        (
            batch_xml("<Quantity>2</Quantity><Items><Path>/a</Path></Items>"),
            400,
            "InconsistentQuantities",
        ),
        (batch_xml("<Quantity>many</Quantity><Items><Path>/a</Path></Items>"), 400, "MalformedXML"),
        (batch_xml("<Quantity>-1</Quantity>"), 400, "MalformedXML"),
        (batch_xml("<Quantity>0</Quantity>"), 400, "InvalidArgument"),
        (batch_xml("<Quantity>1</Quantity><Items><Path></Path></Items>"), 400, "InvalidArgument"),
        (
            batch_xml("<Quantity>1</Quantity><Items><Path>/a/*.jpg</Path></Items>"),
            400,
            "InvalidArgument",
        ),
        (
            batch_xml("<Quantity>1</Quantity><Items><Path>/a&#9;b</Path></Items>"),
            400,
            "InvalidArgument",
        ),
        (
            batch_xml("<Quantity>1</Quantity><Items><Path>/a&#1;b</Path></Items>"),
            400,
            "MalformedXML",
        ),
        (
            batch_xml("<Quantity>1</Quantity><Items><Path>/blåbær.jpg</Path></Items>"),
            400,
            "InvalidArgument",
        ),
        (
            batch_xml("<Quantity>1</Quantity><Items><Path>/a</Path><Path>/b</Path></Items>"),
            400,
            "InconsistentQuantities",
        ),
        (
            batch_xml("<Quantity>1</Quantity><Quantity>1</Quantity><Items><Path>/a</Path></Items>"),
            400,
            "MalformedXML",
        ),
        (
            batch_xml("<Quantity>3001</Quantity><Items>" + "<Path>/p</Path>" * 3001 + "</Items>"),
            413,
            "BatchTooLarge",
        ),
        (
            batch_xml("<Quantity>1</Quantity><Items><Path>/a b</Path></Items>"),
            400,
            "InvalidArgument",
        ),
        (
            batch_xml("<Quantity>1</Quantity><Items><Path><b>/a</b></Path></Items>"),
            400,
            "MalformedXML",
        ),
        (batch_xml("<Quantity>1</Quantity><Items><Url>/a</Url></Items>"), 400, "MalformedXML"),
        (
            batch_xml("<Quantity>1</Quantity><Items><Path>/a</Path></Items>", ""),
            400,
            "MalformedXML",
        ),
        (
            batch_xml("<Quantity>1</Quantity><Items><Path>/a</Path></Items>", "<CallerReference/>"),
            400,
            "InvalidArgument",
        ),
        (
            f"<InvalidationBatch {NS}><CallerReference>r</CallerReference></InvalidationBatch>",
            400,
            "MalformedXML",
        ),
    ],
)
async def test_malformed_create_requests_get_a_cloudfront_xml_error(
    edge: Edge, body: str, status: int, code: str
) -> None:
    response = await edge.http.post(CREATE, data=body.encode(), headers=SIGNED)
    assert response.status == status
    assert response.content_type == "text/xml"
    assert xml_error(await response.text())[0] == code
    assert edge.service.list().items == []


async def test_a_hand_written_batch_without_namespace_is_accepted(edge: Edge) -> None:
    body = (
        "<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/x?y=1</Path></Items></Paths>"
    )
    body += "<CallerReference>hand</CallerReference></InvalidationBatch>"
    response = await edge.http.post(CREATE, data=body, headers=SIGNED)
    assert response.status == 201
    assert "<Path>/x?y=1</Path>" in await response.text()


async def test_an_oversized_body_is_refused_without_being_parsed(edge: Edge) -> None:
    body = batch_xml("<Quantity>1</Quantity><Items><Path>/a</Path></Items>") + " " * (
        4 * 1024 * 1024
    )
    response = await edge.http.post(CREATE, data=body.encode(), headers=SIGNED)
    assert response.status == 413
    assert xml_error(await response.text())[0] == "BatchTooLarge"


async def test_an_oversized_chunked_body_is_refused_while_it_streams(edge: Edge) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield batch_xml("<Quantity>1</Quantity><Items><Path>/a</Path></Items>").encode()
        for _ in range(80):
            yield b" " * (64 * 1024)

    response = await edge.http.post(CREATE, data=chunks(), headers=SIGNED)
    assert response.status == 413
    assert xml_error(await response.text())[0] == "BatchTooLarge"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", CREATE), ("GET", CREATE), ("GET", CREATE + "/IANYTHING00001")],
)
async def test_cloudfront_routes_need_an_authorization_header(
    edge: Edge, method: str, path: str
) -> None:
    response = await edge.http.request(method, path, data=b"")
    assert response.status == 403
    assert xml_error(await response.text())[0] == "MissingAuthenticationToken"


@pytest.mark.parametrize("max_items", ["abc", "-1", "0", "100000", "9" * 5000, "1.5"])
async def test_list_refuses_bad_max_items(edge: Edge, max_items: str) -> None:
    response = await edge.http.get(CREATE, params={"MaxItems": max_items}, headers=SIGNED)
    assert response.status == 400
    assert xml_error(await response.text())[0] == "InvalidArgument"


async def test_progress_route_shows_each_pop_as_the_clock_moves(edge: Edge, clock: Clock) -> None:
    invalidation_id = (await create(edge, ["/img/a.jpg"], "progress"))["Invalidation"]["Id"]
    start = clock.now()

    async def progress() -> dict[str, Any]:
        response = await edge.http.get(f"/_edge/invalidations/{invalidation_id}")
        assert response.status == 200
        return await response.json()  # type: ignore[no-any-return]

    before = await progress()
    assert before["status"] == "InProgress" and before["callerReference"] == "progress"
    assert before["paths"] == ["/img/a.jpg"] and before["createTime"] == start
    assert [(p["pop"], p["delay"], p["dueAt"], p["status"]) for p in before["pops"]] == [
        ("pop-a", 10.0, start + 10, "Pending"),
        ("pop-b", 40.0, start + 40, "Pending"),
    ]
    await clock.advance(10)
    middle = await progress()
    assert [(p["status"], p["appliedAt"], p["purged"]) for p in middle["pops"]] == [
        ("Applied", start + 10, 1),
        ("Pending", None, None),
    ]
    await clock.advance(30)
    after = await progress()
    assert after["status"] == "Completed" and after["completedAt"] == start + 40

    listed = await (await edge.http.get("/_edge/invalidations")).json()
    assert listed["distributionId"] == DIST
    assert [(i["id"], i["status"]) for i in listed["invalidations"]] == [
        (invalidation_id, "Completed")
    ]


async def test_purge_by_exact_url_and_prefix_goes_through_the_same_propagation(
    edge: Edge, clock: Clock, events: EventLog
) -> None:
    response = await edge.http.post("/_edge/purge", json={"paths": ["/img/a.jpg?w=10", "/other*"]})
    assert response.status == 201
    purge = await response.json()
    assert purge["status"] == "InProgress"
    await clock.advance(40)
    assert all(set(pop.entries) == {"/img/a.jpg", "/img/b.jpg"} for pop in edge.pops)
    assert (await get(edge, purge["id"]))["Status"] == "Completed"
    completed = events.read(kinds=["invalidation_completed"])
    assert [e.data["id"] for e in completed] == [purge["id"]]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "malformed_json"),
        (b"[]", "malformed_json"),
        (b'{"paths": "/img/*"}', "bad_request"),
        (b'{"paths": [1]}', "bad_request"),
        (b'{"paths": []}', "InvalidArgument"),
        (b'{"paths": ["/img/*/a.jpg"]}', "InvalidArgument"),
        (b'{"paths": ["/a"], "callerReference": 5}', "bad_request"),
    ],
)
async def test_bad_purge_requests_get_the_json_error_shape(
    edge: Edge, body: bytes, code: str
) -> None:
    response = await edge.http.post("/_edge/purge", data=body)
    assert response.status == 400
    error = await response.json()
    assert error["code"] == code and error["status"] == 400 and error["message"]
    assert edge.service.list().items == []


async def test_unknown_invalidation_on_the_progress_route_is_a_json_404(edge: Edge) -> None:
    response = await edge.http.get("/_edge/invalidations/INOPE")
    assert response.status == 404
    assert (await response.json())["code"] == "NoSuchInvalidation"


def _many_paths_batch(count: int) -> bytes:
    items = "".join(f"<Path>/img/{n:05d}/photo.jpg</Path>" for n in range(count))
    return batch_xml(
        f"<Quantity>{count}</Quantity><Items>{items}</Items>",
        reference="<CallerReference>pieces</CallerReference>",
    ).encode()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_batch_sent_in_512_byte_pieces_creates_every_path(
    edge: Edge, chunked: bool
) -> None:
    body = _many_paths_batch(400)
    assert len(body) > 20 * 512
    answer = await send_in_pieces(
        str(edge.server.make_url(CREATE)), "POST", body, SIGNED, chunked=chunked
    )
    assert answer.status == 201, answer.body[:300]
    assert answer.headers["x-amz-request-id"]
    (created,) = edge.service.list().items
    assert list(created.paths) == [f"/img/{n:05d}/photo.jpg" for n in range(400)]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_a_batch_with_a_broken_content_encoding_is_a_400_xml_error(
    edge: Edge, encoding: str
) -> None:
    body = batch_xml("<Quantity>1</Quantity><Items><Path>/a</Path></Items>").encode()
    headers = {**SIGNED, "Content-Encoding": encoding}
    response = await edge.http.post(CREATE, data=body, headers=headers)
    assert response.status == 400
    assert response.content_type == "text/xml"
    assert xml_error(await response.text())[0] == "InvalidArgument"
    assert response.headers["x-amz-request-id"]
    assert edge.service.list().items == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8"])
async def test_an_entity_declared_in_any_encoding_is_refused_and_nothing_created(
    edge: Edge, encoding: str
) -> None:
    declared = encoding.upper().removesuffix("-LE")
    document = (
        f'<?xml version="1.0" encoding="{declared}"?>'
        '<!DOCTYPE b [<!ENTITY p "/img/*">]>'
        + batch_xml("<Quantity>1</Quantity><Items><Path>&p;</Path></Items>").split("?>", 1)[1]
    )
    body = document.encode(encoding)
    if encoding == "utf-16-le":
        body = b"\xff\xfe" + body
    response = await edge.http.post(CREATE, data=body, headers=SIGNED)
    assert response.status == 400
    assert xml_error(await response.text())[0] == "MalformedXML"
    assert edge.service.list().items == []


async def test_an_unknown_declared_encoding_is_a_400_not_a_500(edge: Edge) -> None:
    body = b'<?xml version="1.0" encoding="no-such-charset"?><InvalidationBatch/>'
    response = await edge.http.post(CREATE, data=body, headers=SIGNED)
    assert response.status == 400
    assert xml_error(await response.text())[0] == "MalformedXML"


async def test_unknown_cloudfront_paths_and_methods_answer_in_xml(edge: Edge) -> None:
    response = await edge.http.delete(CREATE, headers=SIGNED)
    assert response.status == 405 and "POST" in response.headers["Allow"]
    assert xml_error(await response.text())[0] == "MethodNotAllowed"
    response = await edge.http.get("/2020-05-31/nothing/here", headers=SIGNED)
    assert response.status == 404 and xml_error(await response.text())[0] == "NotFound"


async def test_a_purge_sent_in_512_byte_pieces_purges_every_path(edge: Edge) -> None:
    paths = [f"/img/{n:04d}.jpg?w={n}" for n in range(300)]
    body = json.dumps({"paths": paths, "callerReference": "pieces"}).encode()
    answer = await send_in_pieces(str(edge.server.make_url("/_edge/purge")), "POST", body)
    assert answer.status == 201, answer.body[:300]
    (created,) = edge.service.list().items
    assert list(created.paths) == paths


@pytest.mark.parametrize(
    "authorization",
    [
        "AWS4-HMAC-SHA256 fuzz",
        "Bearer x",
        SIGNED["Authorization"].replace("/cloudfront/", "/s3/"),
        SIGNED["Authorization"].replace("0" * 64, "0" * 63),
    ],
)
async def test_a_request_not_signed_in_sigv4_form_is_refused(edge: Edge, authorization: str):
    response = await edge.http.get(CREATE, headers={"Authorization": authorization})
    assert response.status == 403
    assert xml_error(await response.text())[0] == "IncompleteSignature"
    presigned = await edge.http.get(CREATE, params={"X-Amz-Signature": "f" * 64})
    assert presigned.status == 200


async def test_an_element_the_batch_does_not_define_is_malformed(edge: Edge) -> None:
    for extra in ("<Comment>x</Comment>", ""):
        paths = f"<Quantity>1</Quantity><Items><Path>/a</Path></Items>{extra}"
        body = batch_xml(paths, "<CallerReference>r</CallerReference><Extra/>")
        response = await edge.http.post(CREATE, data=body.encode(), headers=SIGNED)
        assert response.status == 400
        assert xml_error(await response.text())[0] == "MalformedXML"


async def test_any_caller_reference_but_control_characters_is_taken(edge: Edge) -> None:
    # Python's str.isprintable() refused a no-break space; the document allows it.
    body = batch_xml("<Quantity>1</Quantity><Items><Path>/a</Path></Items>",
                     "<CallerReference>r\u00a0ef \u2028</CallerReference>")  # fmt: skip
    response = await edge.http.post(CREATE, data=body.encode(), headers=SIGNED)
    assert response.status == 201, await response.text()


async def test_the_api_serves_its_document_without_a_signature(edge: Edge) -> None:
    response = await edge.http.get("/2020-05-31/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["paths"][CREATE.replace(DIST, "{DistributionId}")]["post"]["operationId"] == (
        "CreateInvalidation"
    )
