"""The edge settings file has a documented schema (edge/config.schema.json, generated from
the settings classes), an example that loads and serves, and errors that name the key."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import aiohttp
import jsonschema
import pytest

from common.clock import Clock
from edge.config_file import load_settings
from edge.config_schema import (
    EXAMPLE_PATH,
    SCHEMA_PATH,
    edge_settings_schema,
    problems,
    schema_text,
)
from edge.stack import Edge
from tests.edge.origin_double import OriginDouble


def test_the_committed_schema_is_the_generated_one() -> None:
    # On a difference: python -m edge.config_schema (and describe new fields in config_docs).
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()


def test_the_schema_is_valid_and_the_example_follows_it() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    example = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(example, schema, cls=jsonschema.Draft202012Validator)
    assert list(problems(example)) == []


def _every_property(schema: dict, where: str = "") -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    found = []
    for name, sub in schema.get("properties", {}).items():
        found.append((f"{where}.{name}", sub))
        found += _every_property(sub, f"{where}.{name}")
        for nested in (sub.get("items"), sub.get("additionalProperties")):
            if isinstance(nested, dict):
                found += _every_property(nested, f"{where}.{name}[]")
    return found


def test_every_key_is_described() -> None:
    undescribed = [
        w for w, s in _every_property(edge_settings_schema()) if not s.get("description")
    ]
    assert undescribed == []


async def test_the_example_loads_starts_and_serves(origin: OriginDouble) -> None:
    origin.clock = Clock()
    origin.reply("/api/v2/img/p1", headers={"Cache-Control": "max-age=300"})
    settings = load_settings(EXAMPLE_PATH)
    free = {"port": 0}  # the example's fixed ports may be taken on a shared machine
    settings = dataclasses.replace(
        settings,
        origins=dict.fromkeys(settings.origins, origin.url),
        pops=tuple(dataclasses.replace(p, **free) for p in settings.pops),
        shield=dataclasses.replace(settings.shield, **free) if settings.shield else None,
        control_port=0,
    )
    async with Edge(settings, clock=Clock()) as edge, aiohttp.ClientSession() as http:
        assert set(edge.pop_urls) == {"fra", "ams"} and edge.shield_url
        url = edge.pop_urls["ams"] + "/api/v2/img/p1?location=thumb&utm=x"
        for expected in ("Miss from cdnsim", "Hit from cdnsim"):
            async with http.get(url) as response:
                assert response.status == 200 and await response.read() == b"body#1"
                assert response.headers["X-Cache"] == expected
    assert origin.count("/api/v2/img/p1") == 1


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"origin": "http://127.0.0.1:9"}, "unknown key 'origin' (did you mean 'origins'?)"),
        ({"vimond_origin": "http://a", "pops": [{"id": "a"}, {"id": "b", "prot": 1}]}, "pops[1]"),
        ({"vimond_origin": "http://a", "pops": [{"id": "a", "port": "80"}]}, "pops[0].port"),
        ({"vimond_origin": "http://a", "policies": {"P": {"min_tl": 1}}}, "policies.P: unknown"),
        ({"vimond_origin": "http://a", "timeouts": {"reed": 1}}, "timeouts: unknown key 'reed'"),
        ({"vimond_origin": "http://a", "invalidation_delays": {"kind": "x"}}, "delays.kind"),
        ({"origins": {"o": "127.0.0.1:9"}, "behaviors": []}, "origins.o: expected an http"),
        ({"pops": []}, "give 'origins' and 'behaviors' or 'vimond_origin'"),
        ({"vimond_origin": "http://a", "debug": "yes"}, "debug: expected a boolean"),
    ],
)
def test_a_wrong_key_or_value_is_named_with_its_place(
    tmp_path: Path,
    document: dict,
    named: str,  # type: ignore[type-arg]
) -> None:
    path = tmp_path / "edge.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="bad edge settings") as refused:
        load_settings(path)
    assert named in str(refused.value) and "\n" not in str(refused.value)
