"""The link between a POP's edge process and one of its worker processes: length-prefixed
pickled messages over a Unix socket in a private directory (only our own processes can
reach it), with calls in both directions answered by id.

A call is ``(id, name, args)``, its answer ``(id, "__answer__", (ok, value))``; a
one-way message has id 0. Each side serves what the other sends with its own handler (an
async function of name and args). One-way messages are handled one after the other as they
arrive, before the next message is read; calls run concurrently. So a call sent after some
one-way messages is answered after they were handled: a "flush" call is a barrier for the
events sent before it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import pickle
import struct
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Handler = Callable[[str, tuple[Any, ...]], Awaitable[Any]]
_HEADER = struct.Struct("!I")
MAX_MESSAGE = 1 << 30  # bodies up to the POP's object limit travel in one message


class LinkClosed(ConnectionError):
    """The other side of a link went away."""


class RemoteError(Exception):
    """The other side's handler raised ``error`` (re-raised here as it was)."""


class Link:
    """One end of a link. ``serve()`` reads until the other side closes; ``call`` waits for
    the answer; ``tell`` sends without one."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler
    ) -> None:
        self._reader, self._writer, self._handler = reader, writer, handler
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._closed = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def call(self, name: str, *args: Any) -> Any:
        call_id = next(self._ids)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[call_id] = answer
        try:
            await self._send((call_id, name, args))
            return await answer
        finally:
            self._pending.pop(call_id, None)

    async def tell(self, name: str, *args: Any) -> None:
        await self._send((0, name, args))

    async def _send(self, message: tuple[Any, ...]) -> None:
        if self._closed:
            raise LinkClosed("the link is closed")
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._writer.write(_HEADER.pack(len(data)) + data)
        await self._writer.drain()

    async def serve(self) -> None:
        """Handle what arrives until the other side closes; then fail every pending call."""
        try:
            while True:
                message = await self._receive()
                if message is None:
                    break
                if message[0] == 0:  # one-way: in order, before the next message
                    await self._handle(message[1], message[2])
                else:
                    self._dispatch(message)
        finally:
            self._closed = True
            for answer in self._pending.values():
                if not answer.done():
                    answer.set_exception(LinkClosed("the other side of the link went away"))
            for task in list(self._tasks):
                task.cancel()

    async def _receive(self) -> tuple[Any, ...] | None:
        try:
            header = await self._reader.readexactly(_HEADER.size)
            (size,) = _HEADER.unpack(header)
            if size > MAX_MESSAGE:
                raise LinkClosed(f"a message of {size} bytes is over the link's limit")
            message: tuple[Any, ...] = pickle.loads(await self._reader.readexactly(size))
            return message
        except (asyncio.IncompleteReadError, ConnectionError):
            return None

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        match message:
            case (int(call_id), "__answer__", (bool(ok), value)):
                answer = self._pending.get(call_id)
                if answer is not None and not answer.done():
                    if ok:
                        answer.set_result(value)
                    else:
                        answer.set_exception(value)
            case (int(call_id), str(name), tuple(args)):
                self._run(self._answer(call_id, name, args))
            case _:
                log.error("a link message of an unknown shape: %r", type(message))

    def _run(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, name: str, args: tuple[Any, ...]) -> None:
        try:
            await self._handler(name, args)
        except Exception:
            log.exception("handling %r from the other end of a link", name)

    async def _answer(self, call_id: int, name: str, args: tuple[Any, ...]) -> None:
        try:
            value, ok = await self._handler(name, args), True
        except Exception as exc:  # noqa: BLE001 — the caller gets it, as it was raised here
            value, ok = exc, False
        try:
            await self._send((call_id, "__answer__", (ok, value)))
        except (LinkClosed, ConnectionError):
            pass
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            # What cannot travel still answers the call, so that the caller never waits on.
            error = RemoteError(f"{name}: {value!r} cannot be sent back: {exc}")
            await self._send((call_id, "__answer__", (False, error)))

    async def close(self) -> None:
        self._closed = True
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except ConnectionError:
            pass


async def connect(path: str, handler: Handler) -> Link:
    reader, writer = await asyncio.open_unix_connection(path, limit=1 << 20)
    return Link(reader, writer, handler)
