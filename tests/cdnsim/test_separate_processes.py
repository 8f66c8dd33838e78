"""The README's separate-process set-up: the origin and the aggregator, started at the same
moment against one storage endpoint, both create the buckets and tables and both run."""

from __future__ import annotations

import json
import re
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from origin.storage import Storage, StorageSettings
from origin.storage.store import TABLES
from tests.process import CdnsimProcess

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def test_origin_and_aggregator_started_together_both_run(
    storage_settings: StorageSettings, tmp_path: Path
) -> None:
    endpoint = ["--endpoint-url", str(storage_settings.endpoint_url)]
    ready_file = tmp_path / "origin.json"
    origin_args = [
        "origin",
        "--port",
        "0",
        "--render-workers",
        "1",
        "--ready-file",
        str(ready_file),
    ]
    commands = {
        "origin": ([*origin_args, *endpoint], None),
        "aggregator": (["aggregator", *endpoint], re.compile(r"aggregator running")),
    }
    with ThreadPoolExecutor(2) as pool:
        futures = {
            name: pool.submit(_start, args, announce) for name, (args, announce) in commands.items()
        }
        started = {name: future.result() for name, future in futures.items()}
    try:
        origin = started["origin"]
        assert requests.get(f"{origin.url}/api/ping", timeout=10).status_code == 200
        ready = json.loads(ready_file.read_text())
        assert ready["origin"] == origin.url and ready["process"]["pid"] == origin.proc.pid
        storage_entry = ready["storage"]  # the shared endpoint, as given, not an embedded one
        assert storage_entry["endpoint"] == storage_entry["dynamodb"] == endpoint[1]
        assert not storage_entry["embedded"]
        assert storage_entry["tables"]["packs"] == storage_settings.table("packs")
        assert started["aggregator"].proc.poll() is None
        storage = Storage(storage_settings, storage_settings.endpoint_url)
        try:
            names = set(storage.dynamodb.list_tables()["TableNames"])
        finally:
            storage.close()
        assert {storage_settings.table(t) for t in TABLES} <= names
    finally:
        codes = {name: p.kill(signal.SIGTERM) for name, p in started.items()}
    assert codes == {"origin": 0, "aggregator": 0}, {n: p.text() for n, p in started.items()}
    assert all("Traceback" not in p.text() for p in started.values())
    assert not ready_file.exists()  # a stopped origin is not ready


def _start(args: list[str], announce: re.Pattern[str] | None) -> CdnsimProcess:
    if announce is None:
        return CdnsimProcess(args, env=CREDENTIALS)
    return CdnsimProcess(args, env=CREDENTIALS, announce=announce)
