"""Where an upstream response ends on its connection, RFC 9112 §6.3."""

from __future__ import annotations

from edge.rules.framing import ResponseFraming

HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"


def test_bytes_past_the_declared_length_are_dropped() -> None:
    framing = ResponseFraming()
    assert framing.feed(HEAD + b"0123456789EXTRA") == HEAD + b"0123456789"
    assert framing.excess == 5
    assert framing.state == "done"


def test_a_response_in_small_pieces_is_passed_whole() -> None:
    framing = ResponseFraming()
    data = HEAD + b"0123456789"
    kept = b"".join(framing.feed(data[i : i + 3]) for i in range(0, len(data), 3))
    assert kept == data and framing.excess == 0
    assert framing.feed(b"late garbage") == b"" and framing.excess == 12


def test_interim_heads_pass_before_the_final_one() -> None:  # RFC 9110 §15.2
    framing = ResponseFraming()
    data = b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + HEAD + b"0123456789"
    assert framing.feed(data) == data and framing.excess == 0


def test_chunked_and_bodiless_responses() -> None:
    chunked = ResponseFraming()
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    assert chunked.feed(data) == data and chunked.state == "aside"
    head = ResponseFraming()
    head.reset(no_body=True)  # the answer to a HEAD: no body whatever Content-Length says
    assert head.feed(HEAD + b"xx") == HEAD and head.excess == 2
    not_modified = ResponseFraming()
    assert not_modified.feed(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n") != b""
    assert not_modified.state == "done"


def test_a_new_exchange_starts_clean() -> None:
    framing = ResponseFraming()
    framing.feed(HEAD + b"0123456789!")
    framing.reset(no_body=False)
    assert framing.excess == 0 and framing.feed(HEAD) == HEAD and framing.state == "body"
