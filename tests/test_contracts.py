"""Every API of a ``cdnsim up --demo`` stack keeps the contract it serves: schemathesis (the
CLI, in its own process, as a user runs it) drives each document's every operation with
generated valid and invalid input, every check on: no 5xx, responses and their status
codes, content types and headers as documented, invalid input refused, valid input
accepted unless a rule the document declares refuses it, a true ``Allow`` on 405s,
authentication enforced. Deterministic and bounded (``--max-examples``); the figures of each
run are printed. ``CDNSIM_CONTRACT_FULL=1`` also runs the coverage phase on the two largest
request schemas (Akamai policies, imgix source creation), which this suite leaves to fuzzing.

The stack is a real process on a manual clock with a long aggregator interval (advancing
the clock a week runs a handful of ticks, not 2,000); each API starts from a reset stack.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.contract import assert_kept, run_contract
from tests.process import CdnsimProcess

SIGV4 = (
    "AWS4-HMAC-SHA256 Credential=contract/20260101/us-east-1/cloudfront/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)
NO_COVERAGE = 'include-name = "{}"\nphases.coverage.enabled = false\n'


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    ready_file = tmp_path_factory.mktemp("contract") / "stack.json"
    up = CdnsimProcess(
        ["up", "--demo", "--clock", "manual", "--seed", "7", "--pops", "1",
         "--render-workers", "1", "--aggregator-interval", "86400",
         "--ready-file", str(ready_file)]
    )  # fmt: skip
    try:
        yield json.loads(ready_file.read_text())
    finally:
        up.kill()


def _reset(ready: dict[str, Any]) -> None:
    requests.post(f"{ready['control']}/_sim/reset", timeout=60).raise_for_status()


def _served(url: str, built: dict[str, Any]) -> None:
    served = requests.get(url, timeout=10).json()
    assert served == json.loads(json.dumps(built)), "the served document is the built one"


@pytest.fixture
def fresh(stack: dict[str, Any], tmp_path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    _reset(stack)
    yield stack, tmp_path
    _reset(stack)  # what a run changed (faults, bugs, the clock) ends with it


def test_origin_keeps_its_contract(fresh: tuple[dict[str, Any], Path]) -> None:
    from origin.openapi import build_document

    ready, tmp = fresh
    _served(f"{ready['origin']}/openapi.json", build_document())
    auth = {"Authorization": f"Bearer {ready['admin_token']}"}
    assert_kept(run_contract("origin", f"{ready['origin']}/openapi.json", tmp, headers=auth))


def test_cloudfront_api_keeps_its_contract(fresh: tuple[dict[str, Any], Path]) -> None:
    from edge.invalidation.openapi import DOCUMENT_PATH, build_document

    ready, tmp = fresh
    url = ready["control"] + DOCUMENT_PATH
    _served(url, build_document(ready["distribution_id"]))
    assert_kept(run_contract("cloudfront", url, tmp, headers={"Authorization": SIGV4}))


def test_control_api_keeps_its_contract(fresh: tuple[dict[str, Any], Path]) -> None:
    from cdnsim.sim_openapi import sim_paths
    from edge.control_openapi import DOCUMENT_PATH, build_control_document

    ready, tmp = fresh
    url = ready["control"] + DOCUMENT_PATH
    _served(url, build_control_document(sim_paths()))
    assert_kept(run_contract("control", url, tmp))


def test_akamai_api_keeps_its_contract(fresh: tuple[dict[str, Any], Path]) -> None:
    from vendors.akamai.openapi import DOCUMENT_PATH, build_document

    ready, tmp = fresh
    akamai = ready["akamai"]
    for api in (akamai["api"], akamai["staging_api"]):
        _served(api + DOCUMENT_PATH, build_document())
    config = "[[operations]]\n" + NO_COVERAGE.format("PUT /imaging/v2/policies/{policy_id}")
    run = run_contract(
        "akamai",
        akamai["api"] + DOCUMENT_PATH,
        tmp,
        headers={"Luna-Token": akamai["luna_token"]},
        config=config,
    )
    assert_kept(run)


def test_imgix_api_keeps_its_contract(fresh: tuple[dict[str, Any], Path]) -> None:
    from vendors.imgix.openapi import DOCUMENT_PATH, build_document

    ready, tmp = fresh
    url = ready["imgix"]["api"] + DOCUMENT_PATH
    _served(url, build_document())
    config = "[[operations]]\n" + NO_COVERAGE.format("POST /api/v1/sources")
    auth = {"Authorization": f"Bearer {ready['imgix']['api_key']}"}
    assert_kept(run_contract("imgix", url, tmp, headers=auth, config=config))
