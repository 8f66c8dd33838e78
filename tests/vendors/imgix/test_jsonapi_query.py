"""JSON:API query parameters as pure rules: sparse fieldsets, sort, filter, both paging models."""

from __future__ import annotations

from typing import Any

import pytest

from vendors.imgix import jsonapi_query as jq
from vendors.imgix.jsonapi import JsonApiError


def items(n: int, **attrs: Any) -> list[jq.Resource]:
    return [{"attributes": {"n": i, **attrs}, "id": str(i), "type": "things"} for i in range(n)]


def test_sparse_fields_reach_into_nested_objects_and_ignore_unknown_names() -> None:
    attrs = {"name": "a", "deployment": {"type": "s3", "s3_bucket": "b"}, "enabled": True}
    assert jq.sparse_attributes(attrs, "name,deployment.type,nope,deployment.nope") == {
        "name": "a",
        "deployment": {"type": "s3"},
    }
    assert jq.sparse_attributes(attrs, None) == attrs


def test_sort_puts_false_and_missing_first_and_dash_reverses() -> None:
    rows = [
        {"attributes": {"on": v, "name": n}} for v, n in ((True, "b"), (None, "c"), (False, "A"))
    ]
    assert [r["attributes"]["name"] for r in jq.sort_items(rows, "on", frozenset({"on"}))] == [
        "c",
        "A",
        "b",
    ]
    assert [r["attributes"]["name"] for r in jq.sort_items(rows, "-name", frozenset({"name"}))] == [
        "c",
        "b",
        "A",
    ]
    with pytest.raises(JsonApiError) as refused:
        jq.sort_items(rows, "colour", frozenset({"on"}))
    assert refused.value.status == 400


def test_filters_are_anded_substring_and_unknown_ones_ignored() -> None:
    rows = [
        {"attributes": {"name": n, "on": o}}
        for n, o in (("Summer", True), ("summary", False), ("x", True))
    ]
    matchers = {
        "name": jq.substring(lambda r: r["attributes"]["name"]),
        "on": jq.boolean(lambda r: r["attributes"]["on"]),
    }
    query = {"filter[name]": "SUM", "filter[on]": "true", "filter[colour]": "red"}
    assert [r["attributes"]["name"] for r in jq.filter_items(rows, query, matchers)] == ["Summer"]
    with pytest.raises(JsonApiError):
        jq.filter_items(rows, {"filter[on]": "yes"}, matchers)


def test_page_numbers_are_zero_based_with_next_and_previous() -> None:
    page = jq.page_by_number(items(45), {"page[number]": "2", "page[size]": "20"})
    assert [r["id"] for r in page.items] == [str(i) for i in range(40, 45)]
    assert page.meta["pagination"] == {
        "currentPage": 2,
        "hasNextPage": False,
        "hasPreviousPage": True,
        "nextPage": 2,
        "pageSize": 20,
        "previousPage": 1,
        "totalPages": 3,
        "totalRecords": 45,
    }
    for bad in (
        {"page[size]": "101"},
        {"page[size]": "0"},
        {"page[number]": "-1"},
        {"page[number]": "x"},
    ):
        with pytest.raises(JsonApiError):
            jq.page_by_number(items(3), bad)


@pytest.mark.parametrize(
    ("count", "total"), [(1000, "1000"), (1001, "1001"), (1002, "1001"), (5000, "1001")]
)
def test_cursor_total_records_is_capped_at_1001(count: int, total: str) -> None:
    page = jq.page_by_cursor(items(count), {"page[cursor]": "990", "page[limit]": "100"})
    assert page.meta["cursor"]["totalRecords"] == total
    assert len(page.items) == min(100, count - 990)
    assert page.meta["cursor"]["hasMore"] is (count > 1090)
