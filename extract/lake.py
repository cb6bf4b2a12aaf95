"""The lake: any fsspec location; files are written atomically and never rewritten.

How a file is made atomic depends on the storage:

- A filesystem with a real rename (a local folder, most mounted filesystems): the Parquet is
  written under a temporary name that never matches ``*.parquet`` (``.<name>.tmp-<uuid>``), then
  renamed into place.
- An object store (``s3://``, ``gs://``, ``az://``, … see ``OBJECT_STORE_PROTOCOLS``): there a
  "rename" is a copy and a delete, so the temp-then-rename dance would only double the traffic
  and leave temp objects behind a crash. Instead the whole file is serialized in memory first and
  then uploaded to its final key in one request (a multipart upload above 100 MiB, aborted on
  failure). An object store makes an object visible only once its upload completed, so a reader
  sees the whole file or nothing; a failure while serializing never reaches the store at all.

On a local folder every file and folder the extractor creates is its owner's only (files 0600,
folders 0700; ``make_private_dirs``, ``OWNER_FILE_MODE``): the lake holds every conversation
verbatim. Folders that exist already keep their mode. On an object store, who can read the lake is
the bucket's policy.

Every lake operation is retried with bounded exponential backoff (``RetryPolicy``) when it fails
with a transient error (a dropped connection, a timeout, HTTP 429/5xx, ``SlowDown``); any other
error fails at once with a ``LakeError`` naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from extract.schema import RAW_SCHEMA, RUNS_SCHEMA

if TYPE_CHECKING:
    import fsspec

# fsspec (some 40 ms to import) is imported when a lake needs it: a lake that is a plain local
# folder path is read and written with os calls (``Lake.plain``), and its ``fs`` made when asked.

ROW_GROUP_SIZE = 1_000_000

# fsspec protocols of object stores: no rename, but an upload is all-or-nothing.
OBJECT_STORE_PROTOCOLS = frozenset(
    {"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oss", "memory"}
)

# errno values that s3fs (and the OS) give errors worth retrying: busy / SlowDown / 503,
# InternalError / 500, timeouts, dropped or refused connections.
TRANSIENT_ERRNOS = frozenset(
    {
        errno.EBUSY,
        errno.EAGAIN,
        errno.ETIMEDOUT,
        errno.ECONNRESET,
        errno.ECONNREFUSED,
        errno.ECONNABORTED,
        errno.EPIPE,
        getattr(errno, "EREMOTEIO", errno.EIO),
    }
)
# Error codes and exception class names of botocore / aiohttp / gcsfs / adlfs that mean "try again".
TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "RequestTimeout",
        "RequestTimeoutException",
        "Throttling",
        "ThrottlingException",
        "TooManyRequests",
        "TooManyRequestsException",
    }
)
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
TRANSIENT_CLASS_NAMES = frozenset(
    {
        "EndpointConnectionError",
        "ConnectionClosedError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ResponseStreamingError",
        "IncompleteReadError",
        "ClientPayloadError",
        "ServerDisconnectedError",
        "ClientOSError",
        "ServerTimeoutError",
        "FSTimeoutError",
    }
)

T = TypeVar("T")

OWNER_FILE_MODE = 0o600
OWNER_DIR_MODE = 0o700


def make_private_dirs(path: str) -> None:
    """Create the folder ``path`` and its missing parents, each new one ``OWNER_DIR_MODE``."""
    missing: list[str] = []
    current = os.path.abspath(path)
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, OWNER_DIR_MODE)  # the umask can only take bits away


class LakeError(Exception):
    """The lake cannot be read or written."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff: ``attempts`` tries in all, waits of ``base * 2**n`` seconds.

    Each wait is capped at ``cap`` seconds and jittered down by up to half (so that parallel
    writers do not retry in lockstep); with the defaults a failing operation gives up after
    5 attempts and at most 0.25 + 0.5 + 1 + 2 = 3.75 s of waiting.
    """

    attempts: int = 5
    base: float = 0.25
    cap: float = 8.0

    def delay(self, failures: int, rand: Callable[[], float] = random.random) -> float:
        """The wait after the ``failures``-th consecutive failure (1-based)."""
        full = min(self.cap, self.base * 2 ** (failures - 1))
        return full * (0.5 + 0.5 * rand())


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) is worth retrying."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _transient_here(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _transient_here(exc: BaseException) -> bool:
    if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)):
        return False
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS:
        return True
    if type(exc).__name__ in TRANSIENT_CLASS_NAMES:
        return True
    response = getattr(exc, "response", None)  # botocore ClientError
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", ""))
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return code in TRANSIENT_CODES or status in TRANSIENT_STATUSES
    return False


def _protocols(fs: fsspec.AbstractFileSystem) -> set[str]:
    proto = fs.protocol
    return {proto} if isinstance(proto, str) else set(proto)


# what fsspec's glob takes for a pattern in a path (its ``has_magic``)
_GLOB_MAGIC = re.compile("[*?[]")


def is_plain_local(uri: str) -> bool:
    """A lake given as a POSIX folder path: no URL, protocol or fsspec chain (no ``:`` at all)."""
    return os.sep == "/" and ":" not in uri


class Lake:
    def __init__(
        self,
        uri: str,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._fs: fsspec.AbstractFileSystem | None = None
        # a plain local folder: the root fsspec's LocalFileSystem would give (~ expanded, made
        # absolute), files read, listed, renamed and removed as its methods do, with os calls
        self.plain = is_plain_local(uri)
        if self.plain:
            root = uri = os.path.abspath(os.path.expanduser(uri))
            self.object_store, self.local = False, True
        else:
            import fsspec
            from fsspec.implementations.local import LocalFileSystem

            try:
                fs, root = fsspec.core.url_to_fs(uri)
            except (ValueError, ImportError) as exc:
                raise LakeError(f"cannot open lake {uri!r}: {exc}") from exc
            self._fs = fs
            if "://" not in uri:
                root = os.path.abspath(root)
                uri = root
            self.object_store = bool(_protocols(fs) & OBJECT_STORE_PROTOCOLS)
            self.local = isinstance(fs, LocalFileSystem)
        self.root: str = root.rstrip("/") or "/"
        self.uri = uri
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        """The lake's fsspec filesystem (a plain local folder's is made when first asked for)."""
        if self._fs is None:
            from fsspec.implementations.local import LocalFileSystem

            self._fs = LocalFileSystem()
        return self._fs

    def _exists(self, path: str) -> bool:
        return os.path.exists(path) if self.plain else bool(self.fs.exists(path))

    def _open_read(self, path: str) -> IO[bytes]:
        return open(path, "rb") if self.plain else self.fs.open(path, "rb")

    def _rm(self, path: str) -> None:
        """Delete the file at ``path`` (LocalFileSystem.rm of a file is os.remove)."""
        if self.plain:
            os.remove(path)
        else:
            self.fs.rm(path)

    def _mv(self, src: str, dest: str) -> None:
        """Rename ``src`` to ``dest`` (LocalFileSystem.mv is shutil.move: a rename here)."""
        if self.plain:
            shutil.move(src, dest)
        else:
            self.fs.mv(src, dest)

    def _glob_parquet(self, folder: str) -> list[str]:
        """What ``fs.glob(f"{folder}/*.parquet")`` gives: every entry whose name ends with
        ``.parquet`` (files, folders, symlinks; hidden ones too)."""
        if self.plain and self.root != "/" and not _GLOB_MAGIC.search(folder):
            return [f"{folder}/{name}" for name in os.listdir(folder) if name.endswith(".parquet")]
        return [str(p) for p in self.fs.glob(f"{folder}/*.parquet")]

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def _retrying(self, what: str, op: Callable[[], T]) -> T:
        """Run ``op``; on a transient error wait and run it again, up to ``retry.attempts``.

        Any error it finally fails with becomes a ``LakeError`` that starts with ``what``.
        """
        failures = 0
        while True:
            try:
                return op()
            except Exception as exc:
                failures += 1
                if failures < self.retry.attempts and is_transient(exc):
                    self._sleep(self.retry.delay(failures))
                    continue
                message = f"{what}: {str(exc) or type(exc).__name__}"
                if failures > 1:
                    message += f" (gave up after {failures} attempts)"
                raise LakeError(message) from exc

    def remove(self, path: str) -> None:
        """Delete the file at ``path`` (a full path, as list_parquet gives it); one that is gone
        already is fine."""

        def rm() -> None:
            if self._exists(path):
                self._rm(path)

        self._retrying(f"cannot delete {path}", rm)

    def exists(self, rel: str) -> bool:
        path = self.path(rel)
        return self._retrying(f"cannot read {path}", lambda: self._exists(path))

    def write_table(self, rel: str, table: pa.Table) -> str:
        """Write ``table`` to ``<root>/<rel>`` as zstd Parquet, atomically (see the module doc)."""
        dest = self.path(rel)
        if self.object_store:
            self._upload(dest, table)
        else:
            self._write_and_rename(dest, table)
        return dest

    def _upload(self, dest: str, table: pa.Table) -> None:
        try:
            sink = pa.BufferOutputStream()
            _write_parquet(table, sink)
            data = sink.getvalue().to_pybytes()
        except Exception as exc:  # nothing was sent: the store holds no trace of this file
            raise LakeError(f"cannot write {dest}: {exc}") from exc
        self._retrying(f"cannot write {dest}", lambda: self.fs.pipe_file(dest, data))

    def _write_and_rename(self, dest: str, table: pa.Table) -> None:
        parent, name = dest.rsplit("/", 1)
        stem = name.removesuffix(".parquet")

        def attempt() -> None:
            tmp = f"{parent}/.{stem}.tmp-{uuid.uuid4().hex}"
            try:
                if self.local:  # created owner-only, so never readable by others, not even briefly
                    make_private_dirs(parent)
                    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_FILE_MODE)
                    with os.fdopen(fd, "wb") as f:
                        _write_parquet(table, f)
                else:
                    self.fs.makedirs(parent, exist_ok=True)
                    with self.fs.open(tmp, "wb") as f:
                        _write_parquet(table, f)
                self._mv(tmp, dest)
            except Exception:
                self._discard(tmp)
                raise

        self._retrying(f"cannot write {dest}", attempt)

    def _discard(self, tmp: str) -> None:
        try:
            if self._exists(tmp):
                self._rm(tmp)
        except Exception:  # best effort: the temp name never matches *.parquet anyway
            pass

    def list_parquet(self, rel_dir: str) -> list[str]:
        folder = self.path(rel_dir)

        def listing() -> list[str]:
            if not self._exists(folder):
                return []
            return self._glob_parquet(folder)

        return sorted(self._retrying(f"cannot list {folder}", listing))

    def read_tables(self, paths: Iterable[str]) -> list[pa.Table]:
        tables = []
        for p in paths:

            def read(p: str = p) -> pa.Table:
                # ParquetFile, not read_table: read_table imports pyarrow.dataset (about 15 MB
                # of the extract process's memory) to read what is one file. No pre-buffering and
                # no threads: these are small files (states, runs), and either would start one of
                # Arrow's thread pools, whose teardown at exit can abort the process (see
                # cli.entry)
                with self._open_read(p) as f:
                    return pq.ParquetFile(f, pre_buffer=False).read(use_threads=False)

            tables.append(self._retrying(f"cannot read {p}", read))
        return tables

    def ensure_empty(self, rel: str, schema: pa.Schema) -> bool:
        """Write a zero-row Parquet file with ``schema`` at ``rel`` unless it exists.

        dbt reads the lake through globs, and a glob that matches no file is an error: these files
        make every table of the lake readable (empty) before anything has landed in it.
        """
        if self.exists(rel):
            return False
        self.write_table(rel, schema.empty_table())
        return True


def _write_parquet(table: pa.Table, where: object) -> None:
    pq.write_table(table, where, compression="zstd", row_group_size=ROW_GROUP_SIZE)


def init_lake(lake: Lake, platforms: Iterable[str]) -> list[str]:
    """Create the zero-row ``_empty.parquet`` for each platform's raw partition and for ``_runs``.

    Returns the platforms whose raw ``_empty.parquet`` was newly written.
    """
    if not lake.ensure_empty("_runs/_empty.parquet", RUNS_SCHEMA):
        _refresh_empty(lake, "_runs/_empty.parquet", RUNS_SCHEMA)
    return [
        p for p in platforms if lake.ensure_empty(f"raw/platform={p}/_empty.parquet", RAW_SCHEMA)
    ]


def _refresh_empty(lake: Lake, rel: str, schema: pa.Schema) -> None:
    """Rewrite a zero-row file written before ``schema`` gained columns (they are only ever
    appended, nullable): dbt reads the lake with union_by_name, and a column no file has is an
    error until the next run writes one. The file holds no rows, so nothing is lost."""

    def read_names() -> list[str]:
        with lake._open_read(lake.path(rel)) as f:
            return list(pq.read_schema(f).names)

    names = lake._retrying(f"cannot read {lake.path(rel)}", read_names)
    if set(schema.names) - set(names):
        lake.write_table(rel, schema.empty_table())
