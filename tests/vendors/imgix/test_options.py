"""The imgix flags of ``cdnsim up`` and ``cdnsim edge``, parsed as the commands parse them."""

from __future__ import annotations

import pytest

from cdnsim.cli import build_parser
from vendors.imgix.api_keys import RateLimit
from vendors.imgix.options import (
    DEFAULT_ORIGIN_HOSTS,
    DEPLOY_SECONDS,
    ImgixOptions,
    imgix_options_from_args,
)

KEY = "k" * 20


def options(*flags: str) -> ImgixOptions:
    return imgix_options_from_args(build_parser().parse_args(["up", *flags]))


def test_defaults_deploy_like_imgix_and_limit_nothing() -> None:
    assert options() == ImgixOptions()
    assert ImgixOptions().rate.limit == 0 and ImgixOptions().origin_hosts == DEFAULT_ORIGIN_HOSTS
    # seed 004 answers a new source "deploying": it serves once deployed, not at once
    assert ImgixOptions().deploy_seconds == DEPLOY_SECONDS > 0
    assert options("--imgix-deploy-seconds", "0").deploy_seconds == 0.0


def test_the_edge_command_takes_the_same_flags() -> None:
    args = build_parser().parse_args(
        ["edge", "--origin", "http://127.0.0.1:1", "--vendor", "imgix", "--imgix-rate-limit", "7"]
    )
    assert imgix_options_from_args(args).rate == RateLimit(7, 60.0)


def test_every_imgix_flag_reaches_the_options() -> None:
    got = options(
        "--imgix-api-key",
        KEY,
        "--imgix-api-key",
        f"{'p' * 20}:purge, Image Manager Edit",
        "--imgix-rate-limit",
        "100/30",
        "--imgix-deploy-seconds",
        "45",
        "--imgix-purge-window",
        "5",
        "--imgix-origin-host",
        "Images.Example.COM",
        "--imgix-origin-host",
        "127.0.0.1",
        "--imgix-api-port",
        "18100",
        "--imgix-refresh-seconds",
        "3600",
        "--imgix-refresh-jitter",
        "0",
        "--imgix-gcs-endpoint",
        "http://127.0.0.1:9023",
        "--imgix-azure-endpoint",
        "http://127.0.0.1:10000",
        "--imgix-azurite-install",
        "--imgix-start-emulators",
    )
    admin, editor = got.api_keys
    assert (admin.key, admin.permissions) == (KEY, frozenset({"Account Admin"}))
    assert editor.permissions == frozenset({"Purge", "Image Manager Edit"})
    assert editor.allows("Image Manager Browse") and not editor.allows("Sources")
    assert got.rate == RateLimit(100, 30.0) and options(
        "--imgix-rate-limit", "7"
    ).rate == RateLimit(7, 60.0)
    assert (got.deploy_seconds, got.purge_window, got.api_port) == (45.0, 5.0, 18100)
    assert got.origin_hosts == ("images.example.com", "127.0.0.1")
    assert (got.refresh_seconds, got.refresh_jitter) == (3600.0, 0.0)
    assert (got.gcs_endpoint, got.azure_endpoint) == (
        "http://127.0.0.1:9023",
        "http://127.0.0.1:10000",
    )
    assert got.azurite_install and got.start_emulators
    # imgix's own figure by default: a change is noticed 24 to 48 hours later
    assert (ImgixOptions().refresh_seconds, ImgixOptions().refresh_jitter) == (86400, 86400)


@pytest.mark.parametrize(
    "flags",
    [
        ["--imgix-api-key", "short"],
        ["--imgix-api-key", f"{KEY}:Sorcerer"],
        ["--imgix-api-key", "has-dash-not-allowed-0123"],
        ["--imgix-rate-limit", "many"],
        ["--imgix-rate-limit", "10/0"],
        ["--imgix-rate-limit", "-1"],
        ["--imgix-deploy-seconds", "-3"],
        ["--imgix-purge-window", "soon"],
        ["--imgix-refresh-seconds", "-1"],
        ["--imgix-refresh-jitter", "1e9"],
    ],
)
def test_bad_values_are_refused_by_the_parser(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["up", *flags])
    assert stopped.value.code == 2 and flags[0] in capsys.readouterr().err
