"""The lake on object storage: one atomic upload per file, bounded retries on transient errors.

The first tests use fsspec's in-memory filesystem (an object store as far as the lake is
concerned) and need no server; the others run against SeaweedFS on 127.0.0.1 (s3_server.py).
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pytest

from extract import lake as lake_module
from extract.lake import Lake, LakeError, RetryPolicy, init_lake, is_transient
from extract.schema import RAW_SCHEMA, RUNS_SCHEMA
from extract.tests.s3_server import REGION, S3Server, s3_server

__all__ = ["s3_server"]  # the session fixture, imported so that pytest finds it here

TABLE = pa.table({"x": list(range(1000)), "y": [f"row {i}" for i in range(1000)]})


class Recorder:
    """Stands in for ``time.sleep``: records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def flaky(real: Callable[..., Any], failures: list[BaseException]) -> Callable[..., Any]:
    """``real``, except that the first calls raise ``failures`` one after the other."""
    pending = list(failures)
    calls: list[tuple[Any, ...]] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if pending:
            raise pending.pop(0)
        return real(*args, **kwargs)

    call.calls = calls  # type: ignore[attr-defined]
    return call


def memory_lake(sleep: Callable[[float], None] | None = None) -> Lake:
    return Lake(f"memory://lake-{uuid.uuid4().hex}", sleep=sleep or Recorder())


def slow_down() -> OSError:
    """What s3fs raises for a 503 SlowDown / ServiceUnavailable."""
    return OSError(errno.EBUSY, "Please reduce your request rate.")


# ------------------------------------------------------------------------------------------------
# Which errors are transient
# ------------------------------------------------------------------------------------------------


def _client_error(code: str, status: int) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "PutObject",
    )


def _chained(outer: BaseException, cause: BaseException) -> BaseException:
    outer.__cause__ = cause
    return outer


def _transient_cases() -> list[tuple[str, Callable[[], BaseException], bool]]:
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    return [
        ("s3fs SlowDown (EBUSY)", slow_down, True),
        ("s3fs InternalError (EREMOTEIO)", lambda: OSError(errno.EREMOTEIO, "internal"), True),
        ("timeout", lambda: TimeoutError("timed out"), True),
        ("connection reset", lambda: ConnectionResetError("reset"), True),
        ("botocore endpoint down", lambda: EndpointConnectionError(endpoint_url="http://x"), True),
        ("botocore read timeout", lambda: ReadTimeoutError(endpoint_url="http://x"), True),
        ("ClientError 503", lambda: _client_error("ServiceUnavailable", 503), True),
        ("ClientError 500", lambda: _client_error("Whatever", 500), True),
        ("ClientError throttled", lambda: _client_error("Throttling", 400), True),
        (
            "EIO caused by a dropped connection",
            lambda: _chained(OSError(errno.EIO, "x"), ConnectionAbortedError("gone")),
            True,
        ),
        ("access denied", lambda: PermissionError("Access Denied"), False),
        ("no such bucket", lambda: FileNotFoundError("NoSuchBucket"), False),
        ("ClientError 403", lambda: _client_error("AccessDenied", 403), False),
        ("ClientError 400", lambda: _client_error("InvalidArgument", 400), False),
        ("disk full", lambda: OSError(errno.ENOSPC, "No space left on device"), False),
        ("plain OSError", lambda: OSError("disk full"), False),
        ("a bug", lambda: ValueError("bad value"), False),
    ]


@pytest.mark.parametrize(
    ("error", "transient"),
    [(make, transient) for _, make, transient in _transient_cases()],
    ids=[name for name, _, _ in _transient_cases()],
)
def test_transient_errors_are_told_apart(error: Callable[[], BaseException], transient: bool):
    assert is_transient(error()) is transient


def test_backoff_is_exponential_jittered_and_capped() -> None:
    policy = RetryPolicy(attempts=8, base=0.25, cap=2.0)
    assert [policy.delay(n, rand=lambda: 1.0) for n in range(1, 6)] == [0.25, 0.5, 1.0, 2.0, 2.0]
    assert [policy.delay(n, rand=lambda: 0.0) for n in range(1, 4)] == [0.125, 0.25, 0.5]


# ------------------------------------------------------------------------------------------------
# Writes to an object store (in-memory fsspec: no server needed)
# ------------------------------------------------------------------------------------------------


def test_an_object_store_write_is_one_upload_of_the_final_key(monkeypatch) -> None:
    lake = memory_lake()
    assert lake.object_store
    uploading = [False]
    uploads: list[str] = []
    direct: list[str] = []  # file operations of the lake itself, outside the upload
    real_pipe = lake.fs.pipe_file

    def pipe_file(path: str, data: bytes, **kwargs: Any) -> Any:
        uploads.append(path)
        uploading[0] = True
        try:
            return real_pipe(path, data, **kwargs)
        finally:
            uploading[0] = False

    def watch(name: str) -> Callable[..., Any]:
        real = getattr(lake.fs, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if not uploading[0]:
                direct.append(name)
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(lake.fs, "pipe_file", pipe_file)
    for name in ("mv", "copy", "open", "makedirs", "rm"):
        monkeypatch.setattr(lake.fs, name, watch(name))
    dest = lake.write_table("raw/platform=p/date=2026-01-01/r-00001.parquet", TABLE)
    assert uploads == [dest]
    assert direct == []  # no temp object, no copy, no streaming into the final key
    monkeypatch.undo()
    assert lake.fs.find(lake.root) == [dest]
    assert lake.read_tables([dest])[0].equals(TABLE)


def test_transient_upload_errors_are_retried_with_backoff(monkeypatch) -> None:
    sleep = Recorder()
    lake = memory_lake(sleep)
    uploads = flaky(lake.fs.pipe_file, [slow_down(), TimeoutError("read timed out")])
    monkeypatch.setattr(lake.fs, "pipe_file", uploads)
    dest = lake.write_table("_runs/r.parquet", TABLE)
    assert len(uploads.calls) == 3
    assert len(sleep.waits) == 2
    assert 0.125 <= sleep.waits[0] <= 0.25 < sleep.waits[1] <= 0.5
    assert lake.read_tables([dest])[0].equals(TABLE)


def test_retries_are_bounded(monkeypatch) -> None:
    sleep = Recorder()
    lake = memory_lake(sleep)
    uploads = flaky(lake.fs.pipe_file, [slow_down() for _ in range(10)])
    monkeypatch.setattr(lake.fs, "pipe_file", uploads)
    with pytest.raises(LakeError, match=r"cannot write .*r\.parquet.*gave up after 5 attempts"):
        lake.write_table("_runs/r.parquet", TABLE)
    assert len(uploads.calls) == 5
    assert len(sleep.waits) == 4
    assert sum(sleep.waits) <= 0.25 + 0.5 + 1 + 2
    assert lake.fs.find(lake.root) == []


def test_permanent_errors_are_not_retried(monkeypatch) -> None:
    sleep = Recorder()
    lake = memory_lake(sleep)
    uploads = flaky(lake.fs.pipe_file, [PermissionError("Access Denied")])
    monkeypatch.setattr(lake.fs, "pipe_file", uploads)
    with pytest.raises(LakeError, match="Access Denied") as info:
        lake.write_table("_runs/r.parquet", TABLE)
    assert "gave up" not in str(info.value)
    assert len(uploads.calls) == 1
    assert sleep.waits == []


def test_a_failure_while_serializing_sends_nothing(monkeypatch) -> None:
    lake = memory_lake()
    uploads = flaky(lake.fs.pipe_file, [])
    monkeypatch.setattr(lake.fs, "pipe_file", uploads)

    def broken_write(table: pa.Table, where: Any, **kwargs: Any) -> None:
        where.write(b"PAR1 half a file")
        raise OSError(errno.EBUSY, "interrupted mid-write")

    monkeypatch.setattr(lake_module.pq, "write_table", broken_write)
    with pytest.raises(LakeError, match="interrupted mid-write"):
        lake.write_table("raw/platform=p/date=2026-01-01/r-00001.parquet", TABLE)
    assert uploads.calls == []
    assert lake.fs.find(lake.root) == []


def test_transient_read_errors_are_retried(monkeypatch) -> None:
    sleep = Recorder()
    lake = memory_lake(sleep)
    dest = lake.write_table("_state/files/a.parquet", TABLE)
    monkeypatch.setattr(lake.fs, "glob", flaky(lake.fs.glob, [ConnectionResetError("reset")]))
    monkeypatch.setattr(lake.fs, "open", flaky(lake.fs.open, [slow_down()]))
    assert lake.list_parquet("_state/files") == [dest]
    assert lake.read_tables([dest])[0].equals(TABLE)
    assert len(sleep.waits) == 2


# ------------------------------------------------------------------------------------------------
# Against SeaweedFS
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def s3_lake(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lake]:
    """A Lake at a fresh prefix of the server's bucket, configured the usual AWS way."""
    import s3fs

    for key, value in s3_server.env().items():
        monkeypatch.setenv(key, value)
    s3fs.S3FileSystem.clear_instance_cache()
    sleep = Recorder()
    lake = Lake(s3_server.url(f"unit-{uuid.uuid4().hex[:12]}"), sleep=sleep)
    lake.sleep_recorder = sleep  # type: ignore[attr-defined]
    yield lake
    s3fs.S3FileSystem.clear_instance_cache()


def test_s3_lake_writes_only_complete_parquet_objects(s3_lake: Lake, s3_server: S3Server) -> None:
    assert s3_lake.object_store
    init_lake(s3_lake, ["claude_code"])
    dest = s3_lake.write_table("_runs/r1.parquet", TABLE)
    keys = s3_server.filesystem().find(s3_lake.root)
    assert sorted(keys) == sorted(
        [
            f"{s3_lake.root}/_runs/_empty.parquet",
            f"{s3_lake.root}/raw/platform=claude_code/_empty.parquet",
            dest,
        ]
    )
    assert s3_lake.list_parquet("_runs") == sorted([f"{s3_lake.root}/_runs/_empty.parquet", dest])
    empty, table = s3_lake.read_tables(s3_lake.list_parquet("_runs"))
    assert empty.schema.equals(RUNS_SCHEMA) and empty.num_rows == 0
    assert table.equals(TABLE)
    assert init_lake(s3_lake, ["claude_code"]) == []  # idempotent on S3 too
    raw = s3_lake.read_tables([f"{s3_lake.root}/raw/platform=claude_code/_empty.parquet"])[0]
    assert raw.schema.equals(RAW_SCHEMA)


def test_s3_upload_retried_after_transient_errors(s3_lake: Lake, monkeypatch) -> None:
    uploads = flaky(s3_lake.fs.pipe_file, [slow_down(), slow_down()])
    monkeypatch.setattr(s3_lake.fs, "pipe_file", uploads)
    dest = s3_lake.write_table("_runs/r2.parquet", TABLE)
    assert len(uploads.calls) == 3
    assert len(s3_lake.sleep_recorder.waits) == 2  # type: ignore[attr-defined]
    assert s3_lake.read_tables([dest])[0].equals(TABLE)


def test_s3_wrong_secret_fails_at_once_with_a_clear_error(
    s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    import s3fs

    for key, value in s3_server.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    s3fs.S3FileSystem.clear_instance_cache()
    sleep = Recorder()
    try:
        lake = Lake(s3_server.url("wrong-secret"), sleep=sleep)
        with pytest.raises(
            LakeError, match=r"cannot write lake-tests/wrong-secret/_runs/x\.parquet"
        ):
            lake.write_table("_runs/x.parquet", TABLE)
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
    assert sleep.waits == []
    assert s3_server.filesystem().find(f"{s3_server.bucket}/wrong-secret") == []


def test_s3_missing_bucket_fails_at_once(s3_lake: Lake, s3_server: S3Server) -> None:
    lake = Lake(f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/lake", sleep=Recorder())
    with pytest.raises(LakeError, match=r"cannot write no-such-bucket-\w+/lake/_runs/x\.parquet"):
        lake.write_table("_runs/x.parquet", TABLE)
    assert lake._sleep.waits == []  # type: ignore[attr-defined]


def test_unreachable_endpoint_is_retried_then_reported(monkeypatch) -> None:
    """Connection refused, through the real s3fs/botocore stack: transient, retried, bounded."""
    import s3fs

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # botocore's own retries: not what is tested here
    s3fs.S3FileSystem.clear_instance_cache()
    sleep = Recorder()
    try:
        lake = Lake("s3://bucket/lake", retry=RetryPolicy(attempts=3, base=0.01), sleep=sleep)
        with pytest.raises(LakeError, match=r"Could not connect.*gave up after 3 attempts"):
            lake.write_table("_runs/x.parquet", TABLE)
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
    assert len(sleep.waits) == 2


def test_s3_upload_cut_off_midway_leaves_no_object(s3_lake: Lake, s3_server: S3Server) -> None:
    """A writer that dies mid-upload (here: the connection closes halfway through the body of
    the PUT, as when the process is killed) leaves nothing that a reader could list or open."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    sink = pa.BufferOutputStream()
    lake_module.pq.write_table(TABLE, sink)
    body = sink.getvalue().to_pybytes()
    key = f"{s3_lake.root}/raw/platform=claude_code/date=2026-01-01/cut-00001.parquet"
    url = f"{s3_server.endpoint}/{key}"
    request = AWSRequest(
        method="PUT", url=url, data=body, headers={"Content-Length": str(len(body))}
    )
    S3SigV4Auth(Credentials(s3_server.access_key, s3_server.secret_key), "s3", REGION).add_auth(
        request
    )
    assert request.headers["X-Amz-Content-SHA256"] == hashlib.sha256(body).hexdigest()
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.putrequest("PUT", parts.path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", parts.netloc)
    for name, value in request.headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(body[: len(body) // 2])
    conn.close()  # the writer is gone: half the bytes were sent, the rest never will be

    fs = s3_server.filesystem()
    for _ in range(10):  # and nothing shows up later either, once the server gave up on it
        assert fs.find(s3_lake.root, refresh=True) == []
        time.sleep(0.2)
    assert not fs.exists(key)
    assert s3_lake.list_parquet("raw/platform=claude_code/date=2026-01-01") == []
    # the same upload, complete, is a whole object that reads back
    fs.pipe_file(key, body)
    assert s3_lake.read_tables([key])[0].equals(TABLE)
