"""Stored values as bytes for the disk store.

diskcache keeps bytes as they are (a SQLite BLOB) but pickles anything else; a pickled
entry with a 40 KB body costs several times more to load than this layout, on the hit
path of every request. Layout: one kind byte, a 4-byte length, the metadata as
``marshal`` data, then the body.
"""

from __future__ import annotations

import marshal
import struct

from edge.rules.decision import Freshness
from edge.rules.freshness import AgeInputs
from edge.rules.partial import Partial
from edge.store.base import Entry, StoredValue, VaryMarker

_HEAD = struct.Struct("!cI")
_VERSION = 2  # 2: partial content


def encode(value: StoredValue) -> bytes:
    if isinstance(value, VaryMarker):
        meta = marshal.dumps((_VERSION, value.fields, value.uri))
        return _HEAD.pack(b"V", len(meta)) + meta
    f, a = value.freshness, value.freshness.age_inputs
    meta = marshal.dumps(
        (
            _VERSION,
            value.key,
            value.uri,
            value.status,
            value.headers,
            value.stored_at,
            (a.request_time, a.response_time, a.date_value, a.age_value),
            (f.ttl, f.stale_while_revalidate, f.stale_if_error, f.always_revalidate, f.no_stale),
            (value.partial.spans, value.partial.length) if value.partial else None,
        )
    )
    return _HEAD.pack(b"E", len(meta)) + meta + value.body


def decode(raw: bytes) -> StoredValue | None:
    """The stored value, or None for bytes this version cannot read (treated as a miss)."""
    try:
        kind, length = _HEAD.unpack_from(raw)
        meta = marshal.loads(raw[_HEAD.size : _HEAD.size + length])
    except (struct.error, ValueError, EOFError, TypeError):
        return None
    if meta[0] != _VERSION:
        return None
    if kind == b"V":
        return VaryMarker(tuple(meta[1]), meta[2])
    _, key, uri, status, headers, stored_at, age, fresh, partial = meta
    freshness = Freshness(AgeInputs(*age), *fresh)
    body = raw[_HEAD.size + length :]
    parts = Partial(tuple(partial[0]), partial[1]) if partial else None
    return Entry(key, uri, status, headers, body, freshness, stored_at, parts)
