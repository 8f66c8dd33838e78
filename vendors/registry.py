"""Every vendor the command line knows, by name: a new vendor is a package and a line here."""

from __future__ import annotations

from edge.vendor import VendorPlugin
from vendors.akamai.options import PLUGIN as AKAMAI
from vendors.imgix.options import PLUGIN as IMGIX

PLUGINS: dict[str, VendorPlugin] = {plugin.name: plugin for plugin in (AKAMAI, IMGIX)}
