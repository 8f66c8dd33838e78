"""Connection limits of every server we start (common/serving.py), on real sockets.

Timeouts are small here; each test waits for the socket's EOF (an event), never for a
duration, and never asserts on wall time. A hang is caught by ``EOF_WAIT``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from cdnsim.tls import self_signed
from common.serving import ConnectionLimits, ServedApp, serve

EOF_WAIT = 20.0  # a generous bound: a connection the server never closes fails the test
REQUEST = b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"
QUICK = ConnectionLimits(header_timeout=0.2, keepalive_timeout=0.4, max_connections=50)

Serve = Callable[..., Awaitable[ServedApp]]


def _app(release: asyncio.Event | None = None) -> web.Application:
    async def ok(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def slow(_: web.Request) -> web.Response:
        assert release is not None
        await release.wait()
        return web.Response(text="slow")

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/slow", slow)
    return app


@pytest.fixture
async def serving() -> AsyncIterator[Serve]:
    started: list[ServedApp] = []

    async def start(limits: ConnectionLimits = QUICK, **kwargs: object) -> ServedApp:
        served = await serve(kwargs.pop("app", None) or _app(), limits=limits, **kwargs)  # type: ignore[arg-type]
        started.append(served)
        return served

    yield start
    for served in started:
        await served.close()


async def _connect(served: ServedApp) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", served.port)


async def _closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sent until it closed the connection."""
    return await asyncio.wait_for(reader.read(), EOF_WAIT)


async def _answer(reader: asyncio.StreamReader) -> bytes:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), EOF_WAIT)
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    return head + await reader.readexactly(length)


async def _kept_alive(served: ServedApp) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection that has been answered once and stays open."""
    reader, writer = await _connect(served)
    writer.write(REQUEST)
    assert (await _answer(reader)).endswith(b"ok")
    return reader, writer


async def _get_ok(http: aiohttp.ClientSession, served: ServedApp) -> None:
    async with http.get(served.url + "/ok") as response:
        assert response.status == 200
        assert await response.text() == "ok"


async def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(serving: Serve):
    served = await serving()
    reader, writer = await _connect(served)
    assert await _closed_by_server(reader) == b""  # closed without an answer, as nginx does
    assert served.stats()["header_timeouts"] == 1
    assert served.stats()["open"] == 0
    writer.close()


async def test_a_request_line_never_finished_is_closed_after_the_header_timeout(serving: Serve):
    served = await serving()
    reader, writer = await _connect(served)
    writer.write(b"GET /ok HT")
    assert await _closed_by_server(reader) == b""
    assert served.stats()["header_timeouts"] == 1
    writer.close()


async def test_headers_that_keep_trickling_are_cut_from_their_first_byte(serving: Serve):
    """A byte every few milliseconds never completes the headers: the timeout runs from
    the first byte, it is not renewed by each one (slowloris)."""
    served = await serving()
    reader, writer = await _connect(served)

    async def trickle() -> None:
        writer.write(b"GET /ok HTTP/1.1\r\nX-Slow: ")
        while not writer.is_closing():
            writer.write(b"a")
            await asyncio.sleep(0.01)  # the client's pace, not a wait for the server

    sender = asyncio.create_task(trickle())
    try:
        assert await _closed_by_server(reader) == b""
    finally:
        sender.cancel()
        writer.close()
    assert served.stats()["header_timeouts"] == 1


async def test_headers_sent_in_pieces_within_the_timeout_are_answered(serving: Serve):
    served = await serving(ConnectionLimits(header_timeout=10.0, keepalive_timeout=10.0))
    reader, writer = await _connect(served)
    for piece in (b"GET /o", b"k HTTP/1.1\r\nHo", b"st: x\r\n", b"\r\n"):
        writer.write(piece)
        await writer.drain()
        await asyncio.sleep(0.02)  # the client's pace
    assert (await _answer(reader)).endswith(b"ok")
    writer.close()


async def test_an_idle_kept_alive_connection_is_closed_after_the_keepalive_timeout(
    serving: Serve,
):
    served = await serving(ConnectionLimits(header_timeout=30.0, keepalive_timeout=0.2))
    reader, writer = await _kept_alive(served)
    assert await _closed_by_server(reader) == b""
    assert served.stats()["header_timeouts"] == 0  # idle, not a stalled request
    writer.close()


async def test_a_request_started_on_a_kept_alive_connection_must_finish_its_headers(
    serving: Serve,
):
    served = await serving(ConnectionLimits(header_timeout=0.2, keepalive_timeout=60.0))
    reader, writer = await _connect(served)
    for _ in range(3):  # a kept-alive connection answers as long as requests come whole
        writer.write(REQUEST)
        assert (await _answer(reader)).endswith(b"ok")
    writer.write(b"GET /ok HTTP/1.1\r\nHost")
    assert await _closed_by_server(reader) == b""
    assert served.stats()["header_timeouts"] == 1
    writer.close()


async def test_a_slow_handler_is_not_cut_by_the_header_timeout(serving: Serve):
    release = asyncio.Event()
    served = await serving(app=_app(release))
    reader, writer = await _connect(served)
    writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    # A silent connection opened later times out later: once it has, the slow request's
    # own header timer has fired too, while its handler was still working.
    silent_reader, silent_writer = await _connect(served)
    assert await _closed_by_server(silent_reader) == b""
    release.set()
    assert (await _answer(reader)).endswith(b"slow")
    assert served.stats()["header_timeouts"] == 1
    writer.close()
    silent_writer.close()


async def test_normal_clients_are_answered_while_silent_sockets_wait_for_their_timeout(
    serving: Serve,
):
    served = await serving()
    silent = [await _connect(served) for _ in range(40)]
    async with aiohttp.ClientSession() as http:
        for _ in range(20):
            await _get_ok(http, served)
        for reader, _ in silent:
            assert await _closed_by_server(reader) == b""
        await _get_ok(http, served)
    assert served.stats()["header_timeouts"] >= 40
    for _, writer in silent:
        writer.close()


async def test_idle_connections_make_room_for_new_ones_at_the_cap(serving: Serve):
    """Silent sockets, or kept-alive ones between requests, never keep a client out: at the
    cap, the oldest idle connections are closed for the new one (nginx does the same)."""
    served = await serving(
        ConnectionLimits(header_timeout=30, keepalive_timeout=30, max_connections=3)
    )
    silent = [await _connect(served) for _ in range(2)]
    kept = await _kept_alive(served)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        for _ in range(10):
            await _get_ok(http, served)
    for reader, _ in [*silent, kept]:
        assert await _closed_by_server(reader) == b""
    stats = served.stats()
    assert stats["refused"] == 0 and stats["reclaimed"] >= 3 and stats["open"] <= 3
    for _, writer in [*silent, kept]:
        writer.close()


async def test_when_every_connection_is_busy_new_ones_get_a_503_with_one_log_line(
    serving: Serve, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    release = asyncio.Event()
    limits = ConnectionLimits(header_timeout=30, keepalive_timeout=30, max_connections=3)
    served = await serving(limits, app=_app(release))
    busy = [await _connect(served) for _ in range(3)]
    for _, writer in busy:
        writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    # A new connection is refused only once all three are in their requests: retry until then.
    refusals = 0
    for _ in range(1000):
        reader, writer = await _connect(served)
        writer.write(REQUEST)
        answer = await _closed_by_server(reader)
        writer.close()
        if answer.startswith(b"HTTP/1.1 503"):
            refusals += 1
            assert b"Retry-After: 1\r\n" in answer and b"Connection: close\r\n" in answer
            assert answer.endswith(b'"status": 503}')
            if refusals == 30:
                break
        else:
            assert refusals == 0, "admitted after a refusal while every connection was busy"
    assert refusals == 30
    # The busy ones finish and are answered on their own connections.
    release.set()
    for reader, _ in busy:
        assert (await _answer(reader)).endswith(b"slow")
    assert served.stats()["refused"] == 30
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "refusing new ones with 503" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)
    for _, writer in busy:
        writer.close()


async def test_a_busy_connection_that_closes_frees_its_place(serving: Serve):
    release = asyncio.Event()
    limits = ConnectionLimits(header_timeout=30, keepalive_timeout=30, max_connections=1)
    served = await serving(limits, app=_app(release))
    _, writer = await _connect(served)
    writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        for _ in range(1000):  # until the server has the slow request in hand
            async with http.get(served.url + "/ok") as response:
                if response.status == 503:
                    break
        assert response.status == 503
        writer.close()  # the client gives up on its slow request
        for _ in range(1000):  # 503 until the server has seen the close: a round trip each
            async with http.get(served.url + "/ok") as response:
                if response.status == 200:
                    break
        assert response.status == 200
    release.set()


async def test_a_tls_client_that_never_handshakes_is_closed_and_gives_its_place_back(
    serving: Serve, tmp_path: Path
):
    cert, key = self_signed(tmp_path, ["localhost"])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    served = await serving(
        ConnectionLimits(header_timeout=0.2, keepalive_timeout=30, max_connections=1),
        ssl_context=context,
    )
    assert served.url.startswith("https://")
    reader, writer = await _connect(served)  # TCP only: no ClientHello ever comes
    assert await _closed_by_server(reader) == b""
    writer.close()
    client = ssl.create_default_context(cafile=str(cert))
    client.check_hostname = False
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        for _ in range(5000):  # 503 until the abandoned handshake's place is given back
            async with http.get(served.url + "/ok", ssl=client) as response:
                if response.status == 200:
                    break
        else:
            raise AssertionError("an abandoned TLS handshake kept its place")


async def test_a_server_taken_down_closes_its_connections_and_comes_back_on_its_port(
    serving: Serve,
):
    served = await serving(ConnectionLimits(header_timeout=30, keepalive_timeout=30))
    reader, writer = await _kept_alive(served)
    await served.stop_listening()
    assert await _closed_by_server(reader) == b""
    with pytest.raises(OSError):
        await _connect(served)
    await served.listen_again()
    async with aiohttp.ClientSession() as http:
        await _get_ok(http, served)
    writer.close()


async def test_another_listener_of_the_same_app_stays_up_while_the_first_is_taken_down(
    serving: Serve,
):
    served = await serving(ConnectionLimits(header_timeout=30, keepalive_timeout=30))
    other = socket.create_server(("127.0.0.1", 0))
    url = await served.add_listener(other)
    assert url == f"http://127.0.0.1:{other.getsockname()[1]}" != served.url
    reader, writer = await asyncio.open_connection("127.0.0.1", other.getsockname()[1])
    writer.write(REQUEST)
    assert (await _answer(reader)).endswith(b"ok")
    await served.stop_listening()
    writer.write(REQUEST)  # its kept-alive connection is still served
    assert (await _answer(reader)).endswith(b"ok")
    async with aiohttp.ClientSession() as http, http.get(url + "/ok") as response:
        assert await response.text() == "ok"
    with pytest.raises(OSError):
        await _connect(served)
    writer.close()


async def test_malformed_requests_are_answered_400_and_logged_as_one_line_without_traceback(
    serving: Serve, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    served = await serving()
    for _ in range(20):  # garbage, each on a fresh connection, as a fuzzer sends it
        reader, writer = await _connect(served)
        writer.write(b"GET /ok HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n")
        answer = await _closed_by_server(reader)
        writer.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.split(b" ")[1] == b"400" and b"application/json" in head, head
        assert json.loads(body)["code"] == "malformed_request", body
    assert not any(r.exc_info for r in caplog.records), "a traceback per malformed request"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) <= 1 and all("malformed request" in w for w in warnings), warnings
    # The server is unharmed: a good request on a new connection is answered.
    _, writer = await _kept_alive(served)
    writer.close()
