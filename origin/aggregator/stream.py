"""Reading a table's DynamoDB stream from a checkpoint (boto3, blocking: run it off-loop).

Positions: a shard with a checkpointed sequence number is read AFTER_SEQUENCE_NUMBER;
a shard of a stream never seen is read from TRIM_HORIZON, except when the stream is a
new one replacing a checkpointed stream (a restored embedded store: its records are
replays of old writes), which starts at LATEST. Iterators are kept between polls so
that LATEST positions are not lost while no record has arrived.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

log = logging.getLogger(__name__)
_deserializer = TypeDeserializer()


@dataclass
class Checkpoint:
    stream_arn: str = ""
    shards: dict[str, str] = field(default_factory=dict)  # shard id → last sequence number read

    def to_json(self) -> dict[str, Any]:
        return {"streamArn": self.stream_arn, "shards": dict(self.shards)}

    @classmethod
    def from_json(cls, doc: dict[str, Any] | None) -> Checkpoint:
        doc = doc or {}
        return cls(doc.get("streamArn", ""), dict(doc.get("shards", {})))


def _image(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {k: _deserializer.deserialize(v) for k, v in raw.items()}


def decode_record(record: dict[str, Any]) -> dict[str, Any]:
    data = record["dynamodb"]
    return {
        "event": record["eventName"],
        "seq": data["SequenceNumber"],
        "keys": _image(data.get("Keys")) or {},
        "old": _image(data.get("OldImage")),
        "new": _image(data.get("NewImage")),
    }


class StreamReader:
    def __init__(self, dynamodb: Any, streams: Any, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._streams = streams
        self.table = table_name
        self._iterators: dict[str, str] = {}

    def stream_arn(self) -> str:
        return self._dynamodb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]

    def read(self, checkpoint: Checkpoint) -> list[dict[str, Any]]:
        """Every record after ``checkpoint`` (which is advanced in place), oldest first."""
        arn = self.stream_arn()
        replaced = bool(checkpoint.stream_arn) and checkpoint.stream_arn != arn
        if checkpoint.stream_arn != arn:
            log.info("stream %s: starting at %s", arn, "LATEST" if replaced else "TRIM_HORIZON")
            checkpoint.stream_arn, checkpoint.shards = arn, {}
            self._iterators.clear()
        records: list[dict[str, Any]] = []
        for shard in self._shards(arn):
            iterator = self._iterator(arn, shard, checkpoint, replaced)
            while iterator:
                response = self._get_records(arn, shard, iterator, checkpoint)
                batch = response.get("Records", [])
                records.extend(decode_record(r) for r in batch)
                if batch:
                    checkpoint.shards[shard] = batch[-1]["dynamodb"]["SequenceNumber"]
                iterator = response.get("NextShardIterator")
                self._iterators[shard] = iterator or ""
                if not batch:
                    break
        return records

    def _shards(self, arn: str) -> list[str]:
        description = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]
        return [s["ShardId"] for s in description.get("Shards", [])]

    def _iterator(self, arn: str, shard: str, checkpoint: Checkpoint, replaced: bool) -> str | None:
        if self._iterators.get(shard):
            return self._iterators[shard]
        kwargs: dict[str, Any] = {"StreamArn": arn, "ShardId": shard}
        if shard in checkpoint.shards:
            kwargs |= {
                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                "SequenceNumber": checkpoint.shards[shard],
            }
        else:
            kwargs["ShardIteratorType"] = "LATEST" if replaced else "TRIM_HORIZON"
        return self._streams.get_shard_iterator(**kwargs)["ShardIterator"]

    def _get_records(
        self, arn: str, shard: str, iterator: str, checkpoint: Checkpoint
    ) -> dict[str, Any]:
        try:
            return self._streams.get_records(ShardIterator=iterator, Limit=1000)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in (
                "ExpiredIteratorException",
                "TrimmedDataAccessException",
            ):
                raise
            # A stale iterator: take a fresh one from the checkpoint (PITFALLS: moto after cancelled transactions).
            self._iterators.pop(shard, None)
            fresh = self._iterator(arn, shard, checkpoint, replaced=False)
            return self._streams.get_records(ShardIterator=fresh, Limit=1000)
