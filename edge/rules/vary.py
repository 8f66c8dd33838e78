"""Selecting among stored responses with Vary, RFC 9111 §4.1."""

from __future__ import annotations

from edge.rules.cache_control import HeaderList, header_values, split_list


def vary_fields(response_headers: HeaderList) -> tuple[str, ...]:
    """The request fields a response varies on: lower-cased, de-duplicated, sorted.

    ``*`` is returned as the single field ``"*"``: such a response never matches (§4.1).
    """
    names = {name.lower() for name in split_list(header_values(response_headers, "vary"))}
    if "*" in names:
        return ("*",)
    return tuple(sorted(names))


def secondary_key(fields: tuple[str, ...], request_headers: HeaderList) -> str:
    """The request's values of ``fields``, normalised so that equal selections compare equal.

    §4.1: values are combined in order and whitespace around commas is ignored; a field
    that is absent only matches another request where it is absent too.
    """
    parts = []
    for name in fields:
        values = header_values(request_headers, name)
        if not values:
            parts.append(f"{name}!")  # absent differs from present-but-empty
        else:
            parts.append(f"{name}={','.join(' '.join(m.split()) for m in split_list(values))}")
    return "&".join(parts)
