"""Where Composite images come from, pure: the one image a Composite names, every URL a
policy's composites may fetch, and the hosts they may fetch from.

The seed: ``hosts`` are the "Hosts that are allowed for Composite image URLs". A policy that
lists them allows exactly those. A policy that lists none (the seed's own watermark sample)
allows the hosts of the URLs it writes itself: its literal composite URLs and the values its
``url`` variables may take (default and enum values, with prefix and postfix). Either way no
query parameter can point the renderer at a host the policy's author did not write. A path
(``/logo.png``) is always on the property's own origin.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from vendors.akamai.schema import COMPOSITE_IMAGE_SPEC
from vendors.akamai.variables import VariableError, resolve, variable_value

Transformation = Mapping[str, Any]


def image_of(value: Any) -> Mapping[str, Any]:
    """A Composite's image: the object itself, or the one Image of the seed's array form."""
    return value[0] if isinstance(value, list) else value


def walk(ts: Sequence[Transformation]) -> Iterator[Transformation]:
    """Every transformation, nested ones included (branches, compounds, composite layers')."""
    for t in ts:
        yield t
        for value in t.values():
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, dict):
                    continue
                inner = item.get("transformation")
                if isinstance(inner, str):
                    yield from walk([item])
                elif isinstance(inner, dict):  # a composite image's own transformation
                    yield from walk([inner])


def _composites(policy: Mapping[str, Any]) -> Iterator[Transformation]:
    every = [*policy.get("transformations", ()), *policy.get("postBreakpointTransformations", ())]
    return (t for t in walk(every) if t["transformation"] == "Composite")


def composite_urls(policy: Mapping[str, Any], values: Mapping[str, str]) -> set[str]:
    """Every composite image URL the policy may use, variables resolved."""
    spec = COMPOSITE_IMAGE_SPEC["url"]
    return {str(resolve(spec, image_of(t["image"])["url"], values)) for t in _composites(policy)}


def host_of(url: str) -> str | None:
    """``host[:port]`` of an absolute or scheme-less URL, lower-cased; None for a path or
    anything but http(s)."""
    if url.startswith("/") and not url.startswith("//"):
        return None
    parts = urlsplit(url if "://" in url else f"http://{url.removeprefix('//')}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.netloc.lower().rsplit("@", 1)[-1]


def url_allowed(url: str, hosts: Sequence[str]) -> bool:
    """A path on the property's origin, or a URL on one of ``hosts`` (``host`` or
    ``host:port``)."""
    if url.startswith("/") and not url.startswith("//"):
        return True
    netloc = host_of(url)
    if netloc is None:
        return False
    return netloc in hosts or netloc.rsplit(":", 1)[0] in hosts


def allowed_hosts(policy: Mapping[str, Any]) -> list[str]:
    """The policy's ``hosts``, or when it lists none the hosts of the URLs it names."""
    if "hosts" in policy:
        return list(policy["hosts"])
    named = [image_of(t["image"])["url"] for t in _composites(policy)]
    for declaration in policy.get("variables", ()):
        if declaration["type"] != "url":
            continue
        options = [o["id"] for o in declaration.get("enumOptions") or ()]
        for given in options or [None]:
            try:
                named.append(variable_value(declaration, given))
            except VariableError:
                continue
    hosts = {host_of(url) for url in named if isinstance(url, str)}
    return sorted(h for h in hosts if h is not None)
