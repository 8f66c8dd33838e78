"""Image Manager on the command line (``cdnsim up``, ``cdnsim edge --vendor akamai``): its
properties and how it is created (:data:`PLUGIN`)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from edge.vendor import VendorContext
from vendors.akamai.backend import PropertySettings
from vendors.akamai.vendor import ImageManager

DEMO_LUNA_TOKEN = "akab-cdnsim-demo-022335"
DEMO_PREFIX = "/akamai/demo"
DEMO_HOST = "images.cdnsim.test"
PORT_OFFSETS = (5, 6, 7)  # with --port-base N: API N+5, staging API N+6, renderer N+7
_KEYS = {"prefix", "host", "origin", "token"}


def property_spec(spec: str) -> dict[str, str | list[str]]:
    """``NAME[,prefix=/path][,host=H]…[,origin=URL][,token=TOKEN]`` as fields."""
    name, *pairs = spec.split(",")
    fields: dict[str, str | list[str]] = {"name": name.strip(), "hosts": []}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or key not in _KEYS or not value.strip():
            raise argparse.ArgumentTypeError(
                f"{pair!r}: expected one of {', '.join(sorted(_KEYS))} as key=value"
            )
        if key == "host":
            hosts = fields["hosts"]
            assert isinstance(hosts, list)
            hosts.append(value.strip().lower())
        else:
            fields[key] = value.strip()
    try:  # the property's own rules, now rather than when the edge starts
        property_settings(fields, "http://127.0.0.1")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return fields


def property_settings(fields: dict[str, str | list[str]], origin_url: str) -> PropertySettings:
    name = str(fields["name"])
    hosts = tuple(str(h) for h in fields.get("hosts") or ())
    prefix = fields.get("prefix")
    return PropertySettings(
        name,
        str(fields.get("token") or f"akab-cdnsim-{name}"),
        str(fields.get("origin") or origin_url),
        path_prefix=str(prefix) if prefix else (None if hosts else f"/akamai/{name}"),
        hosts=hosts,
    )


@dataclass(frozen=True)
class AkamaiOptions:
    properties: tuple[dict[str, Any], ...] = ()  # --akamai-property fields; none: the demo's


class AkamaiPlugin:
    name = "akamai"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("akamai (Image Manager at the edge)")
        group.add_argument(
            "--akamai-property",
            type=property_spec,
            action="append",
            default=[],
            metavar="NAME[,prefix=P][,host=H][,origin=URL][,token=T]",
            help="an Image Manager property (repeatable): images under the path prefix "
            "(default /akamai/NAME) or host names, pristine images from origin (default: the "
            "edge's origin), its Luna-Token (default akab-cdnsim-NAME). Default: one property "
            f"'demo' under {DEMO_PREFIX} and host {DEMO_HOST}, Luna-Token {DEMO_LUNA_TOKEN}",
        )

    def options(self, args: argparse.Namespace | None = None) -> AkamaiOptions:
        return AkamaiOptions(tuple(getattr(args, "akamai_property", None) or ()))

    def create(self, options: AkamaiOptions, context: VendorContext) -> ImageManager:
        specs = options.properties
        properties = [property_settings(s, context.origin_url) for s in specs] or [
            PropertySettings(
                "demo",
                DEMO_LUNA_TOKEN,
                context.origin_url,
                path_prefix=DEMO_PREFIX,
                hosts=(DEMO_HOST,),
            )
        ]
        api, staging, renderer = (context.port(offset) for offset in PORT_OFFSETS)
        return ImageManager(
            properties,
            clock=context.clock,
            events=context.events,
            host=context.host,
            ports=(api, staging, renderer),
            limits=context.connections,
        )


PLUGIN = AkamaiPlugin()
