"""Where an upstream response ends on its connection, RFC 9112 §6.3.

A response with a valid ``Content-Length`` (and no ``Transfer-Encoding``) has exactly
that many body bytes; whatever follows them is not part of it. An origin that declares
``Content-Length: 10`` and writes more has sent a response of 10 bytes followed by
garbage. A cache reads the 10 bytes, may store and serve them, and must not reuse that
connection (the garbage would be read as the start of the next response).

:class:`ResponseFraming` watches the bytes of one connection, one response at a time,
and splits what belongs to the current response from what comes after its end. It
passes interim 1xx heads through (RFC 9110 §15.2: any number of them may precede the
final response) and steps aside for chunked, close-delimited and upgraded responses,
whose end the HTTP parser finds without ambiguity.
"""

from __future__ import annotations

from typing import Literal

_HEAD_END = b"\r\n\r\n"
MAX_HEAD = 256 * 1024  # beyond this the parser refuses the head anyway: stop watching

State = Literal["head", "body", "done", "aside"]


class ResponseFraming:
    """Feed it every byte read from the connection; it returns the bytes to parse."""

    def __init__(self) -> None:
        self.reset(no_body=False)

    def reset(self, *, no_body: bool) -> None:
        """A new request was sent (``no_body``: it was a HEAD, RFC 9110 §9.3.2)."""
        self.state: State = "head"
        self.no_body = no_body
        self._head = b""
        self._remaining = 0
        self.excess = 0  # bytes seen after the response's end

    def feed(self, data: bytes) -> bytes:
        """The part of ``data`` that belongs to the current response; the rest is
        counted in ``excess`` and dropped."""
        kept = bytearray()
        while data:
            if self.state == "aside":
                kept += data
                break
            if self.state == "done":
                self.excess += len(data)
                break
            if self.state == "head":
                taken, data = self._feed_head(data)
            else:
                taken, data = data[: self._remaining], data[self._remaining :]
                self._remaining -= len(taken)
                if self._remaining == 0:
                    self.state = "done"
            kept += taken
        return bytes(kept)

    def _feed_head(self, data: bytes) -> tuple[bytes, bytes]:
        seen = len(self._head)
        self._head += data
        end = self._head.find(_HEAD_END)
        if end < 0:
            if len(self._head) > MAX_HEAD:
                self.state = "aside"
            return data, b""
        end += len(_HEAD_END)
        head, self._head = self._head[:end], b""
        self._start(head)
        consumed = end - seen
        return data[:consumed], data[consumed:]

    def _start(self, head: bytes) -> None:
        """What follows a complete head: another head after a 1xx, or a body."""
        status, fields = _parse_head(head)
        if status is None or status == 101:
            self.state = "aside"
        elif 100 <= status < 200:
            self.state = "head"
        elif self.no_body or status in (204, 304):
            self.state = "done"
        elif "transfer-encoding" in fields or len(fields.get("content-length", [])) != 1:
            self.state = "aside"  # chunked or close-delimited: the parser finds the end
        else:
            length = fields["content-length"][0]
            if not length.isdigit():
                self.state = "aside"  # invalid: the parser refuses the response
            else:
                self._remaining = int(length)
                self.state = "body" if self._remaining else "done"


def _parse_head(head: bytes) -> tuple[int | None, dict[str, list[str]]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        return None, {}
    fields: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            for member in value.split(","):
                fields.setdefault(name.strip().lower(), []).append(member.strip())
    return int(parts[1]), fields
