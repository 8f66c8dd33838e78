"""Serving tests render in-process (render_workers=0) unless a test asks for the process pool."""

from __future__ import annotations

from dataclasses import replace

import pytest

from origin.settings import OriginSettings


@pytest.fixture
def origin_settings(origin_settings: OriginSettings) -> OriginSettings:
    return replace(origin_settings, render_workers=0)
