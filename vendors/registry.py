"""Every vendor the command line knows, by name: a new vendor is a package and a line here."""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from edge.vendor import VendorPlugin
from vendors.akamai.options import PLUGIN as AKAMAI
from vendors.imgix.options import PLUGIN as IMGIX

PLUGINS: dict[str, VendorPlugin] = {plugin.name: plugin for plugin in (AKAMAI, IMGIX)}


def idle_options(args: argparse.Namespace, running: Iterable[str]) -> list[str]:
    """The vendors not in ``running`` whose options the command line set anyway (they would
    be ignored without a word)."""
    on = set(running)
    return [
        name
        for name, plugin in PLUGINS.items()
        if name not in on and plugin.options(args) != plugin.options(None)
    ]
