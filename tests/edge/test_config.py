"""Edge settings: JSON loading, validation, the built-in behaviours and the CLI's generic mode."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import pytest

from cdnsim.bench.hit import parse_wrk
from cdnsim.commands.edge import add_arguments, build_settings
from edge.config import CachePolicy, PopSettings
from edge.config_file import load_settings


def cli(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_generic_mode_is_one_pop_in_front_of_any_origin() -> None:
    settings = build_settings(
        cli("--origin", "http://127.0.0.1:9", "--port", "8123", "--profile", "rfc9111")
    )
    assert settings.profile == "rfc9111"
    assert settings.origins == {"origin": "http://127.0.0.1:9"}
    assert [(p.id, p.port) for p in settings.pops] == [("pop-1", 8123)]
    assert settings.shield is None


def test_generic_mode_needs_an_origin_or_a_config() -> None:
    with pytest.raises(ValueError, match="--origin"):
        build_settings(cli())


def test_settings_load_from_json_with_pops_shield_and_policies(tmp_path: Path) -> None:
    path = tmp_path / "edge.json"
    path.write_text(
        json.dumps(
            {
                "origins": {"o": "http://127.0.0.1:9"},
                "behaviors": [
                    {"path_pattern": "/img/*", "policy": "Img", "origin": "o"},
                    {"path_pattern": "*", "policy": "CachingDisabled", "origin": "o"},
                ],
                "policies": {
                    "Img": {
                        "min_ttl": 1,
                        "default_ttl": 60,
                        "max_ttl": 600,
                        "query_strings": "allow",
                        "query_list": ["w", "h"],
                    }
                },
                "pops": [{"id": "fra"}, {"id": "ams", "cache_dir": str(tmp_path / "ams")}],
                "shield": {"id": "shield"},
                "invalidation_delays": {"kind": "fixed", "seconds": 3},
            }
        )
    )
    settings = load_settings(path)
    assert settings.policies["Img"] == CachePolicy(
        "Img", 1, 60, 600, query_strings="allow", query_list=("w", "h")
    )
    assert [p.id for p in settings.pops] == ["fra", "ams"]
    assert settings.shield is not None and settings.shield.id == "shield"


def test_vimond_shorthand_in_json(tmp_path: Path) -> None:
    path = tmp_path / "edge.json"
    path.write_text(json.dumps({"vimond_origin": "http://127.0.0.1:9"}))
    settings = load_settings(path)
    assert settings.behaviors[0].path_pattern == "/api/v2/img/*"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {
                "origins": {"o": "http://127.0.0.1:9"},
                "behaviors": [{"path_pattern": "*", "policy": "Nope", "origin": "o"}],
            },
            "unknown policy",
        ),
        (
            {
                "origins": {"o": "http://127.0.0.1:9"},
                "behaviors": [{"path_pattern": "*", "policy": "CachingDisabled", "origin": "p"}],
            },
            "unknown origin",
        ),
        (
            {
                "origins": {"o": "http://127.0.0.1:9"},
                "behaviors": [{"path_pattern": "*", "policy": "CachingDisabled", "origin": "o"}],
                "bogus": 1,
            },
            "bad edge settings",
        ),
        (
            {"origins": {"o": "http://127.0.0.1:9"}, "behaviors": [], "profile": "akamai"},
            'profile: "akamai" is not one of',
        ),
        ([], "JSON object"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(
    tmp_path: Path, document: object, message: str
) -> None:
    path = tmp_path / "edge.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=message):
        load_settings(path)


def test_policy_ttls_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="min_ttl"):
        CachePolicy("P", min_ttl=10, default_ttl=5, max_ttl=100)


def test_several_workers_need_a_shared_directory() -> None:
    with pytest.raises(ValueError, match="cache_dir"):
        PopSettings("pop-1", workers=2)


def test_wrk_report_is_parsed() -> None:
    report = """Running 10s test @ http://127.0.0.1:8081/object
  2 threads and 32 connections
  Latency Distribution
     50%  610.00us
     75%  800.00us
     90%    1.10ms
     99%    2.50ms
  250000 requests in 10.00s, 9.60GB read
Requests/sec:  25000.12
Transfer/sec:    983.04MB
"""
    figures = parse_wrk(report)
    assert figures["requests_per_second"] == 25000.12
    assert figures["p50_ms"] == pytest.approx(0.61)
    assert figures["p99_ms"] == 2.5
    assert figures["requests"] == 250000


def test_targeted_fields_come_from_the_policy_else_the_profile(tmp_path: Path) -> None:
    path = tmp_path / "edge.json"
    path.write_text(
        json.dumps(
            {
                "origins": {"o": "http://127.0.0.1:9"},
                "profile": "rfc9111",
                "behaviors": [
                    {"path_pattern": "/v/*", "policy": "Vendor", "origin": "o"},
                    {"path_pattern": "*", "policy": "Plain", "origin": "o"},
                ],
                "policies": {
                    "Vendor": {"targeted_cache_control": ["Akamai-Cache-Control"]},
                    "Plain": {"targeted_cache_control": None},
                },
            }
        )
    )
    settings = load_settings(path)
    vendor, plain = (settings.policy_for(b) for b in settings.behaviors)
    assert settings.targeted_fields(vendor) == ("Akamai-Cache-Control",)
    assert settings.targeted_fields(plain) == ("CDN-Cache-Control",)  # rfc9111's
    cloudfront = replace(settings, profile="cloudfront")
    assert cloudfront.targeted_fields(plain) == ()  # CloudFront reads none
    assert cloudfront.targeted_fields(vendor) == ("Akamai-Cache-Control",)


def test_a_bad_targeted_field_name_is_refused() -> None:
    with pytest.raises(ValueError, match="bad targeted field name"):
        CachePolicy("P", targeted_cache_control=("CDN Cache Control",))
