"""Header field parsing shared by the rules: field values, lists and Cache-Control directives.

Headers are a tuple of (name, value) pairs as received, so that repeated fields
(RFC 9110 §5.3) keep their order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

HeaderList = Sequence[tuple[str, str]]
Directives = dict[str, str | None]

# RFC 9111 §1.2.2: a delta-seconds too large to represent is treated as 2^31.
MAX_DELTA = 2**31


def header_values(headers: HeaderList, name: str) -> list[str]:
    """Every value of field ``name`` (case-insensitive), in order."""
    lname = name.lower()
    return [v for k, v in headers if k.lower() == lname]


def header_value(headers: HeaderList, name: str) -> str | None:
    """The first value of ``name``, or None."""
    lname = name.lower()
    for k, v in headers:
        if k.lower() == lname:
            return v
    return None


def split_list(values: Iterable[str]) -> list[str]:
    """A comma-separated list field (RFC 9110 §5.6.1) split into trimmed, non-empty members."""
    return [m.strip() for v in values for m in _split_commas(v) if m.strip()]


def parse_cache_control(values: Iterable[str]) -> Directives:
    """Cache-Control directives (RFC 9111 §5.2) with lower-cased names.

    The first occurrence of a directive wins; quoted values are unquoted.
    """
    directives: Directives = {}
    for member in split_list(values):
        name, sep, value = member.partition("=")
        name = name.strip().lower()
        if not name or name in directives:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"')
        directives[name] = value if sep else None
    return directives


def delta_seconds(directives: Directives, name: str) -> int | None:
    """The delta-seconds argument of ``name`` (RFC 9111 §1.2.2), None if absent or invalid."""
    value = directives.get(name)
    if value is None or not value.isdigit():
        return None
    return min(int(value), MAX_DELTA)


def _split_commas(value: str) -> list[str]:
    # Commas inside quoted strings (e.g. no-cache="a, b") do not separate members.
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts
