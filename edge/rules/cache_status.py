"""The Cache-Status response header, RFC 9211."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)  # built for every hit: slotted, not frozen (see edge.outcome)
class CacheStatus:
    """One cache's entry (RFC 9211 §2): what it did with this request."""

    cache: str
    hit: bool = False
    fwd: str | None = None  # uri-miss, vary-miss, miss, request, stale, partial, bypass (§2.2)
    fwd_status: int | None = None  # §2.3
    ttl: float | None = None  # remaining freshness, negative when stale (§2.4)
    stored: bool = False  # §2.5
    collapsed: bool = False  # §2.6
    key: str | None = None  # §2.7
    detail: str | None = None  # §2.8


def format_entry(status: CacheStatus) -> str:
    """Serialise one entry as an RFC 8941 list member (the cache name as a token)."""
    parts = [_token(status.cache)]
    if status.hit:
        parts.append("hit")
    if status.fwd is not None:
        parts.append(f"fwd={status.fwd}")
    if status.fwd_status is not None:
        parts.append(f"fwd-status={status.fwd_status}")
    if status.ttl is not None:
        parts.append(f"ttl={int(status.ttl)}")
    if status.stored:
        parts.append("stored")
    if status.collapsed:
        parts.append("collapsed")
    if status.key is not None:
        parts.append(f"key={_sf_string(status.key)}")
    if status.detail is not None:
        parts.append(f"detail={_sf_string(status.detail)}")
    return "; ".join(parts)


def append_entry(upstream: str | None, ours: CacheStatus) -> str:
    """§2: caches closest to the origin come first, so ours goes after upstream's."""
    entry = format_entry(ours)
    return f"{upstream}, {entry}" if upstream else entry


def _token(name: str) -> str:
    ok = (
        name
        and (name[0].isalpha() or name[0] == "*")
        and all(c.isalnum() or c in "!#$%&'*+-.^_`|~:/" for c in name)
    )
    return name if ok else _sf_string(name)


def _sf_string(value: str) -> str:
    # sf-string allows printable ASCII only: escape the rest as %XX so keys stay readable.
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode()))
    return '"' + "".join(out) + '"'
