"""Where a storage is and what it holds, as ready files and banners give it: enough for
anyone's tools (``aws s3 ls --endpoint-url …``, boto3, ``aws dynamodb scan``) to look in."""

from __future__ import annotations

from typing import Any

from origin.storage.store import TABLES, Storage


def describe(storage: Storage) -> dict[str, Any]:
    """``endpoint`` (S3) and ``dynamodb``: the URLs this process's clients use, so the same
    one for both with the embedded server, AWS's own when boto3 resolves them; ``embedded``:
    moto's server, started by this process (any credentials work there); ``buckets`` and
    ``tables``: their names, by role."""
    settings = storage.settings
    return {
        "endpoint": storage.s3.meta.endpoint_url,
        "dynamodb": storage.dynamodb.meta.endpoint_url,
        "region": settings.region,
        "embedded": storage.embedded is not None,
        "buckets": {"originals": settings.originals_bucket, "variants": settings.variants_bucket},
        "tables": {name: storage.table(name) for name in TABLES},
    }


def storage_line(entry: dict[str, Any]) -> str:
    """One line for a banner: the endpoint(s) and the names."""
    where = entry["endpoint"]
    if entry["dynamodb"] != where:
        where = f"S3 {where}, DynamoDB {entry['dynamodb']}"
    kind = "embedded moto" if entry["embedded"] else entry["region"]
    buckets = ", ".join(entry["buckets"].values())
    tables = ", ".join(entry["tables"].values())
    return f"{where}   ({kind}; buckets {buckets}; tables {tables})"
