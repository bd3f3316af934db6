"""Where uploaded files live: one small interface, two backends.

`JIXIAO_UPLOADS` picks the backend: a folder (default `instance/uploads`) for one machine, or
`s3://bucket/prefix` for any S3-compatible store (AWS, MinIO, Aliyun OSS, Tencent COS) once the web
and workers run on several machines; `JIXIAO_S3_ENDPOINT` names a non-AWS endpoint, and boto3 reads
the credentials from its usual environment variables (`AWS_ACCESS_KEY_ID`, …), never from the database.

Keys are content hashes chosen by the caller (`screenshots/ab/ab12….png`), so a put of a key that
exists writes the same bytes again and two rows with one image share one blob.
"""

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

KEY = re.compile(r"^[a-z0-9][a-z0-9/._-]{0,127}$")


class BlobMissing(LookupError):
    """No blob under that key (deleted by retention, or never written)."""


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def keys(self, prefix: str = "") -> Iterator[str]: ...


def _checked(key: str) -> str:
    if not KEY.match(key) or ".." in key:
        raise ValueError(f"not a blob key: {key!r}")
    return key


class LocalStore:
    """A folder; writes go to a temporary file first, so a reader never sees half a blob."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and not path.name.startswith(".upload-") and key.startswith(prefix):
                yield key


class S3Store:
    """A bucket (and key prefix) on any S3-compatible service, through boto3."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client: Any = None):
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket, self.prefix = bucket, prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client(
            "s3", endpoint_url=endpoint_url,
            config=BotoConfig(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}))

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            data: bytes = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
            return data
        except self.client.exceptions.NoSuchKey:
            raise BlobMissing(key) from None

    def exists(self, key: str) -> bool:
        answer = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self._key(key), MaxKeys=1)
        return any(item["Key"] == self._key(key) for item in answer.get("Contents", []))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix):]


def store_from(location: str, endpoint_url: str | None = None) -> BlobStore:
    """`s3://bucket/prefix` or a folder."""
    if location.startswith("s3://"):
        bucket, _, prefix = location[5:].partition("/")
        return S3Store(bucket, prefix, endpoint_url or None)
    return LocalStore(location)


def blob_store() -> BlobStore:
    """The current app's store, built once per app."""
    app = current_app
    store = app.extensions.get("blob_store")
    if store is None:
        store = app.extensions["blob_store"] = store_from(app.config["UPLOADS"], app.config.get("S3_ENDPOINT"))
    return store
