"""JSON:API query parameters of the imgix Management API: sparse fieldsets (``fields[type]``,
dot notation for nested fields), ``sort``, ``filter[field]`` and both paging models
(``page[number]``/``page[size]`` and the assets' ``page[cursor]``/``page[limit]``).
Pure functions over lists of resource objects; a bad parameter is a 400 JSON:API error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vendors.imgix.jsonapi import bad_request

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_TOTAL_RECORDS = 1001  # the cursor's totalRecords never says more
MAX_INDEX = 999_999_999  # page numbers, sizes, cursors and limits: at most nine digits
_DIGITS = re.compile("[0-9]{1,9}")

Resource = dict[str, Any]


def sparse_attributes(attributes: Mapping[str, Any], fields: str | None) -> dict[str, Any]:
    """``attributes`` reduced to the comma-separated ``fields`` (dot notation reaches into
    nested objects; unknown names are ignored). None keeps everything."""
    if fields is None:
        return dict(attributes)
    out: dict[str, Any] = {}
    for name in filter(None, (f.strip() for f in fields.split(","))):
        _copy_path(attributes, out, name.split("."))
    return out


def _copy_path(source: Mapping[str, Any], target: dict[str, Any], parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if head not in source:
        return
    if not rest:
        target[head] = source[head]
    elif isinstance(source[head], Mapping):
        inner = target.get(head)
        if not isinstance(inner, dict):
            inner = target[head] = {}
        _copy_path(source[head], inner, rest)
        if not inner:
            del target[head]


def sort_items(items: list[Resource], spec: str | None, allowed: frozenset[str]) -> list[Resource]:
    """Resources sorted by ``spec`` (``name,-date``): ascending, ``-`` descending, false
    before true, missing values first; a field not in ``allowed`` is a 400."""
    if spec is None:
        return items
    keys = spec.split(",")
    for key in keys:
        if key.removeprefix("-") not in allowed:
            raise bad_request(
                f"cannot sort by {key.removeprefix('-')[:40]!r}; sort is a comma-separated "
                f"list of {', '.join(sorted(allowed))}, each optionally prefixed '-'"
            )
    out = list(items)
    for key in reversed(keys):  # stable sorts, least significant key first
        name = key.removeprefix("-")

        def value(r: Resource, n: str = name) -> tuple[int, Any]:
            return _sort_value(r["attributes"].get(n))

        out.sort(key=value, reverse=key.startswith("-"))
    return out


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (1, value.casefold())
    return (1, value)


Matcher = Callable[[Resource, str], bool]


@dataclass(frozen=True)
class Checked:
    """A matcher whose value is checked once, before any resource is matched (so a bad
    value is a 400 even when nothing is there to match)."""

    check: Callable[[str], None]
    match: Matcher

    def __call__(self, resource: Resource, value: str) -> bool:
        return self.match(resource, value)


def filter_items(
    items: list[Resource], query: Mapping[str, str], matchers: Mapping[str, Matcher]
) -> list[Resource]:
    """Resources matching every ``filter[field]=value`` that ``matchers`` knows (AND);
    unknown filters are ignored."""
    active = []
    for name, value in query.items():
        if name.startswith("filter[") and name.endswith("]"):
            field_name = name[7:-1]
            matcher = matchers.get(field_name) or _prefix_matcher(matchers, field_name)
            if matcher is not None:
                if isinstance(matcher, Checked):
                    matcher.check(value)
                active.append((matcher, value))
    return [r for r in items if all(m(r, v) for m, v in active)]


def _prefix_matcher(matchers: Mapping[str, Matcher], name: str) -> Matcher | None:
    # 'custom:<key>' style filters register as 'custom:'
    prefix = name.split(":", 1)[0] + ":"
    if ":" in name and prefix in matchers:
        inner = matchers[prefix]
        key = name.split(":", 1)[1]
        return lambda r, v: inner(r, f"{key}\n{v}")
    return None


def substring(getter: Callable[[Resource], Any]) -> Matcher:
    """Case-insensitive substring match; on a list, any element may match."""

    def match(resource: Resource, value: str) -> bool:
        got = getter(resource)
        values = got if isinstance(got, list) else [got]
        return any(isinstance(v, str) and value.casefold() in v.casefold() for v in values)

    return match


def boolean(getter: Callable[[Resource], Any]) -> Checked:
    """``true``/``false`` (a 400 for anything else)."""

    def check(value: str) -> None:
        if value not in ("true", "false"):
            raise bad_request(f"a boolean filter takes true or false, not {value[:40]!r}")

    def match(resource: Resource, value: str) -> bool:
        return bool(getter(resource)) == (value == "true")

    return Checked(check, match)


def _int_param(query: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    # ASCII digits only: str.isdigit() takes '²', which int() refuses.
    if not _DIGITS.fullmatch(raw) or int(raw) < minimum:
        raise bad_request(
            f"{name} must be an integer from {minimum} to {MAX_INDEX}, not {raw[:40]!r}"
        )
    return int(raw)


@dataclass(frozen=True)
class Page:
    items: list[Resource]
    meta: dict[str, Any] = field(default_factory=dict)


def page_by_number(items: list[Resource], query: Mapping[str, str]) -> Page:
    """``page[number]`` (zero-based) and ``page[size]`` (1 to 100, default 20)."""
    number = _int_param(query, "page[number]", 0, 0)
    size = _int_param(query, "page[size]", DEFAULT_PAGE_SIZE, 1)
    if size > MAX_PAGE_SIZE:
        raise bad_request(f"page[size] is at most {MAX_PAGE_SIZE}")
    total = len(items)
    pages = math.ceil(total / size)
    has_next = number + 1 < pages
    pagination = {
        "currentPage": number,
        "hasNextPage": has_next,
        "hasPreviousPage": number > 0,
        "nextPage": number + 1 if has_next else number,
        "pageSize": size,
        "previousPage": max(number - 1, 0),
        "totalPages": pages,
        "totalRecords": total,
    }
    return Page(items[number * size : (number + 1) * size], {"pagination": pagination})


def page_by_cursor(items: list[Resource], query: Mapping[str, str]) -> Page:
    """``page[cursor]`` (an offset, as the seed's examples show) and ``page[limit]``."""
    cursor = _int_param(query, "page[cursor]", 0, 0)
    limit = _int_param(query, "page[limit]", DEFAULT_PAGE_SIZE, 1)
    if limit > MAX_PAGE_SIZE:
        raise bad_request(f"page[limit] is at most {MAX_PAGE_SIZE}")
    end = cursor + limit
    meta = {
        "current": str(cursor),
        "estimatedRecords": None,
        "hasMore": end < len(items),
        "next": str(end) if end < len(items) else None,
        "totalRecords": str(min(len(items), MAX_TOTAL_RECORDS)),
    }
    return Page(items[cursor:end], {"cursor": meta})


def resource(
    kind: str, resource_id: str, attributes: Mapping[str, Any], fields: str | None
) -> Resource:
    return {"attributes": sparse_attributes(attributes, fields), "id": resource_id, "type": kind}
