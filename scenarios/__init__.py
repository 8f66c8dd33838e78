"""Conformance scenarios: black-box programs over HTTP."""
