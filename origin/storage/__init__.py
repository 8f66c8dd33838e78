"""S3 and DynamoDB through boto3, off the event loop."""

from origin.storage.embedded import EmbeddedMoto
from origin.storage.settings import StorageSettings
from origin.storage.store import Blob, Storage, open_storage

__all__ = ["Blob", "EmbeddedMoto", "Storage", "StorageSettings", "open_storage"]
