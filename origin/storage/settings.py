"""Where storage lives: the embedded moto server, or any S3/DynamoDB endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# `endpoint_url` values with a special meaning.
EMBEDDED = "embedded"  # start moto's server in-process on 127.0.0.1
AWS = "aws"  # boto3's own endpoint resolution (AWS itself, or AWS_ENDPOINT_URL_* variables)
# `memo` values (see origin.storage.memo): "auto" is exact with the embedded server, whose
# only writers are this origin's processes, and off for any other endpoint, which other
# programs may write; "exact" says this origin is the only writer of that endpoint.
MEMO_MODES = ("auto", "exact", "off")


@dataclass(frozen=True)
class StorageSettings:
    endpoint_url: str = EMBEDDED
    # Per-service overrides, e.g. MinIO for S3 while DynamoDB stays elsewhere.
    s3_endpoint_url: str | None = None
    dynamodb_endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    originals_bucket: str = "cdnsim-originals"
    variants_bucket: str = "cdnsim-variants"
    table_prefix: str = "cdnsim-"
    create_resources: bool = True
    # Sized for the concurrency we serve: every in-flight request may hold one.
    io_threads: int = 64
    max_pool_connections: int = 64
    # With the embedded server: where acknowledged writes are kept across restarts.
    data_dir: Path | None = None
    memo: str = "auto"
    originals_memo_bytes: int = 256 * 1024 * 1024
    # The variants bucket holds only what this origin's processes wrote (true of the
    # embedded server: variants are not kept across restarts): with the memo on, a
    # variant never written is known absent without a read (origin.storage.written_keys).
    variants_start_empty: bool = False

    def __post_init__(self) -> None:
        if self.memo not in MEMO_MODES:
            raise ValueError(f"memo must be one of {', '.join(MEMO_MODES)}, not {self.memo!r}")
        if self.originals_memo_bytes < 0:
            raise ValueError("originals_memo_bytes must be >= 0")
        if self.io_threads < 1 or self.max_pool_connections < 1:
            raise ValueError("io_threads and max_pool_connections must be >= 1")
        for bucket in (self.originals_bucket, self.variants_bucket):
            if not (3 <= len(bucket) <= 63):
                raise ValueError(f"bad bucket name {bucket!r}")

    @property
    def embedded(self) -> bool:
        return self.endpoint_url == EMBEDDED

    @property
    def memo_exact(self) -> bool:
        """Whether reads go through the exact memo (see ``memo``)."""
        return self.memo == "exact" or (self.memo == "auto" and self.embedded)

    def table(self, name: str) -> str:
        return f"{self.table_prefix}{name}"
