"""Pure rules of Image Manager, without a server: the formats a browser's best image is chosen
from, the best encoding among them, the hosts a Composite may fetch from, the derivative
path that carries the candidates, and a property's --resolve pairs."""

from __future__ import annotations

import argparse

import pytest
from PIL import Image

from vendors.akamai.addressing import Derivative, parse_internal
from vendors.akamai.backend import PropertySettings
from vendors.akamai.best_image import best_encoding
from vendors.akamai.composite_sources import allowed_hosts, url_allowed
from vendors.akamai.delivery import candidate_formats
from vendors.akamai.options import property_settings, property_spec

ALL = frozenset({"jpeg", "png", "gif", "webp", "avif", "jpeg2000"})  # no JPEG XR encoder


@pytest.mark.parametrize(
    ("output", "browser", "accepted", "expected"),
    [
        ({}, "chrome", set(), ("webp", "jpeg", "png")),
        ({}, "safari", set(), ("jpeg2000", "jpeg", "png")),
        ({}, "generic", set(), ("jpeg", "png")),
        ({}, "generic", {"avif", "webp"}, ("webp", "jpeg", "png")),  # AVIF: opt-in
        ({"allowedFormats": ["avif", "jpeg"]}, "generic", {"avif"}, ("avif", "jpeg")),
        ({"allowedFormats": ["jpeg"], "forcedFormats": ["webp"]}, "chrome", set(), ("webp", "jpeg")),
        ({"allowedFormats": ["jpeg"], "forcedFormats": ["webp"]}, "generic", set(), ("jpeg",)),
        ({"forcedFormats": ["avif"]}, "generic", {"avif"}, ("avif", "jpeg", "png")),
        ({"allowedFormats": ["gif", "png"]}, "generic", set(), ("png",)),  # GIF: never the best
        ({"allowedFormats": ["gif"]}, "generic", set(), ("gif",)),  # unless it is all there is
        ({"allowedFormats": ["webp"]}, "generic", set(), ("webp",)),  # the policy's word wins
        ({"allowedFormats": ["jpegxr"]}, "ie", set(), ("jpeg",)),  # nothing we can write
        ({"allowedFormats": []}, "chrome", set(), ("webp", "jpeg", "png")),  # empty: unset
    ],
)  # fmt: skip
def test_candidate_formats(output, browser, accepted, expected):
    assert candidate_formats(output, browser, accepted, ALL) == expected


def test_the_best_encoding_is_the_smallest_and_jpeg_drops_out_for_transparency():
    flat = Image.new("RGBA", (300, 200), (200, 30, 30, 255))
    fmt, body, sizes = best_encoding(flat, ("webp", "jpeg", "png"), 85)
    assert set(sizes) == {"webp", "jpeg", "png"} and len(body) == min(sizes.values())
    assert sizes[fmt] == len(body)
    clear = Image.new("RGBA", (300, 200), (200, 30, 30, 100))
    fmt, _, sizes = best_encoding(clear, ("jpeg", "png"), 85)
    assert (fmt, set(sizes)) == ("png", {"png"})
    fmt, _, _ = best_encoding(clear, ("jpeg",), 85)
    assert fmt == "jpeg"  # all there is: flattened onto white by the encoder
    with pytest.raises(ValueError):
        best_encoding(flat, ("jpegxr",), 85)


def test_the_derivative_path_carries_the_candidates():
    d = Derivative("demo", "production", ".auto", 3, 320, ("webp", "jpeg", "png"), "/a/b.jpg")
    assert d.internal_path() == "/_akamai/demo/production/.auto/v3/w320/webp+jpeg+png/a/b.jpg"
    assert parse_internal(d.internal_path()) == d
    for formats in ("webp+", "jpeg+jpeg", "jpeg+bmp", "jpeg+jpeg+jpeg+jpeg+jpeg"):
        assert parse_internal(f"/_akamai/demo/production/.auto/v3/w320/{formats}/a/b.jpg") is None


def _composite(url: object) -> dict:
    return {"transformation": "Composite", "image": {"url": url}}


def test_a_policy_without_hosts_allows_the_hosts_it_names():
    policy = {
        "transformations": [
            _composite("www.customer.com/watermark.png"),
            {"transformation": "Compound", "transformations": [_composite({"var": "logo"})]},
        ],
        "postBreakpointTransformations": [
            {"transformation": "Composite", "image": [{"url": "https://cdn.example.com:8443/x.png"}]}
        ],
        "variables": [
            {"name": "logo", "type": "url", "defaultValue": "a", "prefix": "http://logos.example.net/",
             "enumOptions": [{"id": "a", "value": "a.png"}, {"id": "b", "value": "//b.example.org/b.png"}]},
            {"name": "other", "type": "url", "defaultValue": "http://not-a-composite.example/"},
        ],
    }  # fmt: skip
    assert allowed_hosts(policy) == [
        "cdn.example.com:8443",
        "logos.example.net",
        "not-a-composite.example",
        "www.customer.com",
    ]
    assert allowed_hosts({**policy, "hosts": ["only.example"]}) == ["only.example"]
    assert allowed_hosts({}) == []


@pytest.mark.parametrize(
    ("url", "hosts", "allowed"),
    [
        ("/logo.png", [], True),  # on the property's origin
        ("//evil.example/x.png", [], False),
        ("www.customer.com/w.png", ["www.customer.com"], True),
        ("http://www.customer.com:8080/w.png", ["www.customer.com"], True),
        ("http://www.customer.com:8080/w.png", ["www.customer.com:9090"], False),
        ("http://user@www.customer.com/w.png", ["www.customer.com"], True),
        ("ftp://www.customer.com/w.png", ["www.customer.com"], False),
        ("http://WWW.Customer.com/w.png", ["www.customer.com"], True),
    ],
)
def test_url_allowed(url, hosts, allowed):
    assert url_allowed(url, hosts) is allowed


def test_a_property_resolves_hosts_from_the_command_line():
    fields = property_spec(
        "shop,resolve=www.customer.com=127.0.0.1:9000,resolve=a.test=10.0.0.1:80"
    )
    settings = property_settings(fields, "http://127.0.0.1:1")
    assert settings.resolve == (("www.customer.com", "127.0.0.1:9000"), ("a.test", "10.0.0.1:80"))
    with pytest.raises(argparse.ArgumentTypeError, match="resolve"):
        property_spec("shop,resolve=www.customer.com")  # checked as the command line is read
    with pytest.raises(ValueError, match="address:port"):
        PropertySettings("p", "t", "http://o", path_prefix="/p", resolve=(("h", "nowhere"),))
    with pytest.raises(argparse.ArgumentTypeError):
        property_spec("shop,resolve")
