"""The scenario library: one module per scenario, each with NAME, GROUP, TITLE and
``async def run(target) -> ScenarioResult``. ``SCENARIOS`` is the suite, in order."""

from __future__ import annotations

import importlib
from types import ModuleType

MODULES = [
    "propagation_original",
    "propagation_crop",
    "propagation_main_location",
    "propagation_platform_delete",
    "propagation_id_suffix",
    "propagation_date_param",
    "fallback_location",
    "fallback_chain",
    "fallback_later_upload",
    "fallback_delete_location",
    "fallback_region",
    "bug_s3_delete_after_edge",
    "bug_date_buster",
    "bug_config_change_ignored",
    "bug_accept_not_in_key",
    "bug_write_during_flush",
    "bug_fallback_change",
    "imgix_origin_refresh",
    "rebuild_cost",
    "akamai_auto_edit",
    "resilience_origin_down",
    "resilience_coalescing",
]


def load() -> list[ModuleType]:
    return [importlib.import_module(f"scenarios.library.{name}") for name in MODULES]
