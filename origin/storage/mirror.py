"""Durability for the embedded moto server, which keeps state in memory only.

Every acknowledged write to the originals bucket and to the tables is copied into
one SQLite file (WAL) in the data dir before the request that made it answers, so
a restart — a ``kill -9`` included — restores exactly what clients were told was
written. Variants are a cache and are not kept.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL, key TEXT NOT NULL, body BLOB NOT NULL,
    content_type TEXT NOT NULL, metadata TEXT NOT NULL, PRIMARY KEY (bucket, key));
CREATE TABLE IF NOT EXISTS items (
    tbl TEXT NOT NULL, tenant TEXT NOT NULL, id TEXT NOT NULL, item TEXT NOT NULL,
    PRIMARY KEY (tbl, tenant, id));
"""


class Mirror:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # WAL + NORMAL: a committed transaction survives the process being killed.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def put_object(
        self, bucket: str, key: str, body: bytes, content_type: str, metadata: dict[str, str]
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?)",
                (bucket, key, body, content_type, json.dumps(metadata)),
            )

    def delete_object(self, bucket: str, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket, key))

    def put_item(self, table: str, item: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?)",
                (table, item["tenant"], item["id"], json.dumps(item)),
            )

    def delete_item(self, table: str, tenant: str, item_id: str) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM items WHERE tbl = ? AND tenant = ? AND id = ?",
                (table, tenant, item_id),
            )

    def objects(self) -> Iterator[tuple[str, str, bytes, str, dict[str, str]]]:
        """Every object kept: (bucket, key, body, content type, metadata)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT bucket, key, body, content_type, metadata FROM objects"
            ).fetchall()
        for bucket, key, body, content_type, metadata in rows:
            yield bucket, key, body, content_type, json.loads(metadata)

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every item kept: (table, item)."""
        with self._lock:
            rows = self._db.execute("SELECT tbl, item FROM items").fetchall()
        for table, item in rows:
            yield table, json.loads(item)

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM objects")
            self._db.execute("DELETE FROM items")

    def close(self) -> None:
        with self._lock:
            self._db.close()
