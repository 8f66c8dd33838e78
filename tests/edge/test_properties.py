"""Vendor properties rewrite viewer requests before the cache: what they put in the path
is in the key, and what they answer themselves never reaches the cache or the origin."""

from __future__ import annotations

from dataclasses import replace

from edge.config import CacheBehavior, CachePolicy
from edge.outcome import Outcome, ViewerRequest, edge_error
from edge.properties import with_routes
from tests.edge.conftest import three_pops_with_shield

VERSIONED = CachePolicy("Versioned", 0.0, 3600.0, 3600.0, query_strings="none")


class VersionedProperty:
    """Requests under /v/ carry the current 'policy version' in their internal path."""

    name = "versioned"

    def __init__(self) -> None:
        self.version = 1

    async def rewrite(self, request: ViewerRequest, pop_id: str) -> ViewerRequest | Outcome | None:
        if not request.path.startswith("/v/"):
            return None
        if request.path.endswith("/forbidden"):
            return edge_error(
                pop_id, 403, "forbidden", "not for you", "property", fwd=None, key=None
            )
        inner = f"/_internal/v{self.version}/{request.path.removeprefix('/v/')}"
        return replace(request, path=inner, query=(), raw_query="")


async def test_a_property_version_in_the_path_turns_hits_into_misses(origin, make_edge, http):
    prop = VersionedProperty()
    settings = with_routes(
        three_pops_with_shield(origin.url),
        [CacheBehavior("/_internal/*", VERSIONED.name, "origin")],
        {VERSIONED.name: VERSIONED},
    )
    edge = await make_edge(settings, properties=[prop])
    url = edge.pop_urls["pop-1"] + "/v/cat.jpg?ignored=1"
    bodies = []
    for _ in range(2):
        async with http.get(url) as response:
            assert response.status == 200
            bodies.append((await response.read(), response.headers["Cache-Status"]))
    assert bodies[0][0] == bodies[1][0] == b"body#1"
    assert "hit" in bodies[1][1]
    assert origin.count("/_internal/v1/cat.jpg") == 1
    prop.version = 2  # an edit: no purge, yet the next request is a miss under the new version
    async with http.get(url) as response:
        assert await response.read() == b"body#1"  # first request for the v2 path
        assert "fwd=uri-miss" in response.headers["Cache-Status"]
    assert origin.count("/_internal/v2/cat.jpg") == 1


async def test_a_property_answer_never_reaches_cache_or_origin(origin, make_edge, http):
    edge = await make_edge(three_pops_with_shield(origin.url), properties=[VersionedProperty()])
    async with http.get(edge.pop_urls["pop-2"] + "/v/forbidden") as response:
        assert response.status == 403
        assert (await response.json())["code"] == "forbidden"
    async with http.get(edge.pop_urls["pop-2"] + "/plain") as response:  # not the property's
        assert await response.read() == b"body#1"
    assert not [p for p in origin.counts if "forbidden" in p]
