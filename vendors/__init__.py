"""Vendor plug-ins beside the edge: each package makes the edge speak one CDN product
(Akamai Image Manager, imgix) through the edge's public modules only."""
