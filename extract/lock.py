"""One extract run per lake at a time.

A local lake is locked with ``flock`` on ``<lake>/_lock``: the kernel releases it when the holder
exits, however it exits (SIGKILL included), so a dead process never holds it. The file also says
who holds it (pid, host, run id, since) for the message the second run prints.

A remote lake (``s3://`` …) has no such primitive: the lock is a lease object ``_lock.json`` that
names its holder and an expiry; a run takes it when it is absent or expired, renews it while it
works, and deletes it at the end. A run killed without cleaning up blocks others only until its
lease expires (``LEASE_SECONDS``). Object stores have no compare-and-swap through fsspec: two runs
starting in the same second could both read "free"; the read-back after writing narrows that
window to the store's read-after-write latency. For a shared bucket, run one scheduler.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from extract.lake import OWNER_FILE_MODE, Lake, LakeError, make_private_dirs

LEASE_SECONDS = 15 * 60
POLL_SECONDS = 0.5


class LockBusy(Exception):
    """Another run holds the lake."""


def _holder(run_id: str) -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "run_id": run_id,
        "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _describe(info: dict[str, Any] | None) -> str:
    if not info:
        return "another extract run"
    return (
        f"extract run {info.get('run_id', '?')} (pid {info.get('pid', '?')} on "
        f"{info.get('host', '?')}, since {info.get('since', '?')})"
    )


@contextmanager
def lake_lock(lake: Lake, run_id: str, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the lake for one run; raise LockBusy when it stays held for ``wait_seconds``."""
    if lake.local:
        with _local_lock(lake, run_id, wait_seconds):
            yield
    else:
        with _lease_lock(lake, run_id, wait_seconds):
            yield


@contextmanager
def _local_lock(lake: Lake, run_id: str, wait_seconds: float) -> Iterator[None]:
    import fcntl

    path = os.path.join(lake.root, "_lock")
    try:
        make_private_dirs(lake.root)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, OWNER_FILE_MODE)
    except OSError as exc:
        raise LakeError(f"cannot lock {path}: {exc.strerror or exc}") from exc
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"{_describe(_read_local(path))} is writing to the lake {lake.uri}; "
                        "wait for it to finish (or pass --wait SECONDS)"
                    ) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_holder(run_id)).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_local(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as f:
            return json.loads(f.read() or "null")
    except (OSError, ValueError):
        return None


@contextmanager
def _lease_lock(lake: Lake, run_id: str, wait_seconds: float) -> Iterator[None]:
    path = lake.path("_lock.json")
    deadline = time.monotonic() + wait_seconds
    while True:
        current = _read_lease(lake, path)
        now = time.time()
        if current is None or current.get("expires_at", 0) < now or current.get("run_id") == run_id:
            lease = {**_holder(run_id), "expires_at": now + LEASE_SECONDS}
            with lake.fs.open(path, "wb") as f:
                f.write(json.dumps(lease).encode())
            # last writer wins on object storage: read back to see whether we won
            if (_read_lease(lake, path) or {}).get("run_id") == run_id:
                break
        if time.monotonic() >= deadline:
            until = dt.datetime.fromtimestamp((current or {}).get("expires_at", 0), dt.timezone.utc)
            raise LockBusy(
                f"{_describe(current)} holds the lake {lake.uri} (lease until {until:%H:%M:%S} "
                "UTC); wait for it to finish (or pass --wait SECONDS)"
            )
        time.sleep(POLL_SECONDS)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(LEASE_SECONDS / 3):
            try:
                lease = {**_holder(run_id), "expires_at": time.time() + LEASE_SECONDS}
                with lake.fs.open(path, "wb") as f:
                    f.write(json.dumps(lease).encode())
            except OSError:
                pass  # retried at the next beat; the lease is still valid until it expires

    beat = threading.Thread(target=renew, name="lake-lease", daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        try:
            if (_read_lease(lake, path) or {}).get("run_id") == run_id:
                lake.fs.rm(path)
        except OSError:
            pass  # the lease expires on its own


def _read_lease(lake: Lake, path: str) -> dict[str, Any] | None:
    try:
        if not lake.fs.exists(path):
            return None
        with lake.fs.open(path, "rb") as f:
            return json.loads(f.read() or b"null")
    except (OSError, ValueError):
        return None
