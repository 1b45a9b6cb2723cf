"""Media files in the default storage (django-storages): local ``FileSystemStorage`` by default, S3 when
``AWS_STORAGE_BUCKET_NAME`` is set (private objects, no overwrites).

Transcoding happens in a local temporary folder; ``publish_directory`` then copies the outputs to the
storage under a fresh prefix. Deletions are scheduled with ``delete_on_commit`` so a rolled-back
transaction never loses files the database still points to.
"""

from __future__ import annotations

import mimetypes
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

mimetypes.add_type("application/vnd.apple.mpegurl", ".m3u8")
mimetypes.add_type("video/mp2t", ".ts")
mimetypes.add_type("text/vtt", ".vtt")

INCOMING_PREFIX = "uploads/incoming"


class StorageConflictError(RuntimeError):
    """The storage saved a file under another name than asked (it already existed)."""


def is_s3() -> bool:
    return hasattr(default_storage, "bucket_name")


def s3_client():
    return default_storage.connection.meta.client


def local_path(name: str) -> Path | None:
    """The file's path when the storage is local, else ``None``."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return None


@contextmanager
def local_copy(name: str, *, max_bytes: int, prefix: str = "omooc-src-", dir: str | None = None):  # noqa: A002
    """Yield a local path for storage file ``name``: the file itself on local storage, else a temporary
    download (at most ``max_bytes``, in a folder named ``prefix...`` under ``dir``) removed afterwards."""
    path = local_path(name)
    if path is not None:
        yield path
        return
    suffix = Path(name).suffix
    with tempfile.TemporaryDirectory(prefix=prefix, dir=dir) as tmp:
        target = Path(tmp) / f"source{suffix}"
        with default_storage.open(name, "rb") as remote, target.open("wb") as local:
            copied = 0
            while chunk := remote.read(8 * 1024 * 1024):
                copied += len(chunk)
                if copied > max_bytes:
                    raise ValueError("file larger than the upload cap")
                local.write(chunk)
        yield target


def publish_directory(local_dir: str | Path, prefix: str) -> list[str]:
    """Copy every file under ``local_dir`` to the storage under ``prefix``; returns the stored names."""
    local_dir = Path(local_dir)
    files = sorted(p for p in local_dir.rglob("*") if p.is_file())

    def put(path: Path) -> str:
        wanted = f"{prefix}/{path.relative_to(local_dir).as_posix()}"
        with path.open("rb") as handle:
            saved = default_storage.save(wanted, File(handle, name=path.name))
        if saved != wanted:
            default_storage.delete(saved)
            raise StorageConflictError(f"{wanted} already exists in the storage")
        return saved

    if is_s3():
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(put, files))
    return [put(path) for path in files]


def delete_tree(prefix: str) -> None:
    """Delete every file under ``prefix`` (a folder in the storage)."""
    if not prefix:
        return
    try:
        directories, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{prefix}/{name}")
    for directory in directories:
        delete_tree(f"{prefix}/{directory}")
    path = local_path(prefix)
    if path is not None and path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def delete_on_commit(*, files: list[str] = (), trees: list[str] = ()) -> None:
    """Delete storage files and folders once the current transaction has committed."""
    files, trees = [f for f in files if f], [t for t in trees if t]
    if not files and not trees:
        return

    def delete() -> None:
        for name in files:
            default_storage.delete(name)
        for prefix in trees:
            delete_tree(prefix)

    transaction.on_commit(delete)


def presigned_post(*, key: str, max_bytes: int, expires_in: int = 6 * 3600) -> dict:
    """A presigned POST for the browser to send one private object ``key`` straight to the bucket."""
    return s3_client().generate_presigned_post(
        Bucket=default_storage.bucket_name,
        Key=key,
        Fields={"success_action_status": "201"},
        Conditions=[
            ["content-length-range", 1, max_bytes],
            {"success_action_status": "201"},
        ],
        ExpiresIn=expires_in,
    )


def object_size(name: str) -> int | None:
    if not default_storage.exists(name):
        return None
    return default_storage.size(name)


def move(source: str, target: str) -> str:
    """Move a stored file (a server-side copy on S3); returns the new name."""
    if is_s3():
        client = s3_client()
        bucket = default_storage.bucket_name
        location = getattr(default_storage, "location", "")
        src_key = f"{location}/{source}".lstrip("/") if location else source
        dst_key = f"{location}/{target}".lstrip("/") if location else target
        client.copy({"Bucket": bucket, "Key": src_key}, bucket, dst_key)
        client.delete_object(Bucket=bucket, Key=src_key)
        return target
    with default_storage.open(source, "rb") as handle:
        saved = default_storage.save(target, handle)
    default_storage.delete(source)
    return saved
