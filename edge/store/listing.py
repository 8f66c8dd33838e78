"""What a store holds, for the control API: one line per stored response."""

from __future__ import annotations

from typing import Any

from edge.store.base import Entry, Store


async def list_entries(store: Store, now: float, limit: int) -> list[dict[str, Any]]:
    """Stored responses with their age and remaining freshness (negative once stale); a
    partial one (a stored 206) names the byte spans it holds and the complete length."""
    out: list[dict[str, Any]] = []
    async for key in store.stored_keys():
        value = await store.get(key)
        if not isinstance(value, Entry):
            continue
        age = value.freshness.age(now)
        line: dict[str, Any] = {
            "key": key,
            "uri": value.uri,
            "status": value.status,
            "age": round(age, 3),
            "ttl": round(value.freshness.ttl - age, 3),
            "bytes": len(value.body),
        }
        if value.partial is not None:
            line["partial"] = {"spans": value.partial.spans, "length": value.partial.length}
        out.append(line)
        if len(out) >= limit:
            break
    return out
