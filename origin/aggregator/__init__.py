"""The production invalidation pipeline: DynamoDB stream → triggers → a queue flushed
every aggregator interval into S3 variant deletions and edge invalidations (seed 001)."""
