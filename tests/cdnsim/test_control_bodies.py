"""The stack's control API reads its bodies whole, however they arrive: the clock, the
bug switches and a purge sent in small pieces (padded with JSON whitespace, as a client
that pretty-prints would), and broken bodies are 400s in the JSON error shape."""

from __future__ import annotations

import json

import pytest

from common.clock import MANUAL_EPOCH
from tests.cdnsim.conftest import Running
from tests.wire import send_in_pieces


def _padded(document: object) -> bytes:
    return json.dumps(document, indent=4).replace("\n", "\n" + " " * 200).encode()


async def test_a_clock_advance_sent_in_pieces_moves_the_clock_exactly(running: Running):
    body = _padded({"seconds": 123.5})
    assert len(body) > 4 * 64
    url = running.stack.edge.control_url + "/_sim/clock/advance"  # type: ignore[union-attr]
    answer = await send_in_pieces(url, "POST", body, piece=64, pause=0.002)
    assert answer.status == 200, answer.body
    assert json.loads(answer.body)["now"] == MANUAL_EPOCH + 123.5


async def test_bug_switches_sent_in_pieces_are_applied(running: Running):
    url = running.stack.edge.control_url + "/_sim/bugs"  # type: ignore[union-attr]
    answer = await send_in_pieces(url, "PUT", _padded({"accept-not-in-key": True}), chunked=True,
                                  piece=64)  # fmt: skip
    assert answer.status == 200, answer.body
    assert json.loads(answer.body)["accept-not-in-key"] is True


async def test_a_purge_sent_in_pieces_covers_every_path(running: Running):
    paths = [f"/api/v2/img/{n:04d}?location=main" for n in range(200)]
    url = running.stack.edge.control_url + "/_edge/purge"  # type: ignore[union-attr]
    answer = await send_in_pieces(url, "POST", json.dumps({"paths": paths}).encode())
    assert answer.status == 201, answer.body
    assert json.loads(answer.body)["paths"] == paths


@pytest.mark.parametrize("path", ["/_sim/clock/advance", "/_sim/seed", "/_edge/purge"])
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_a_broken_content_encoding_is_a_json_400(running: Running, path: str, encoding: str):
    url = running.stack.edge.control_url + path  # type: ignore[union-attr]
    headers = {"Content-Encoding": encoding, "Content-Type": "application/json"}
    answer = await send_in_pieces(url, "POST", b'{"seconds": 1}' * 20, headers)
    assert answer.status == 400
    assert json.loads(answer.body)["code"] == "malformed_request"


async def test_a_control_body_over_its_limit_is_a_413(running: Running):
    url = running.stack.edge.control_url + "/_sim/seed"  # type: ignore[union-attr]
    body = b'{"seed": 1' + b" " * (64 * 1024) + b"}"
    answer = await send_in_pieces(url, "POST", body, chunked=True, piece=4096, pause=0)
    assert answer.status == 413
    assert json.loads(answer.body)["code"] == "payload_too_large"
