"""The lake: any fsspec location; files are written atomically and never rewritten."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from extract.schema import RAW_SCHEMA, RUNS_SCHEMA

ROW_GROUP_SIZE = 1_000_000


class LakeError(Exception):
    """The lake cannot be read or written."""


class Lake:
    def __init__(self, uri: str) -> None:
        try:
            fs, root = fsspec.core.url_to_fs(uri)
        except (ValueError, ImportError) as exc:
            raise LakeError(f"cannot open lake {uri!r}: {exc}") from exc
        self.fs = fs
        if "://" not in uri:
            root = os.path.abspath(root)
            uri = root
        self.root: str = root.rstrip("/") or "/"
        self.uri = uri

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self.path(rel)))

    def write_table(self, rel: str, table: pa.Table) -> str:
        """Write ``table`` to ``<root>/<rel>`` as zstd Parquet: temp name, then rename."""
        dest = self.path(rel)
        parent, name = dest.rsplit("/", 1)
        stem = name.removesuffix(".parquet")
        tmp = f"{parent}/.{stem}.tmp-{uuid.uuid4().hex}"
        try:
            self.fs.makedirs(parent, exist_ok=True)
            with self.fs.open(tmp, "wb") as f:
                pq.write_table(
                    table,
                    f,
                    compression="zstd",
                    row_group_size=ROW_GROUP_SIZE,
                )
            self.fs.mv(tmp, dest)
        except Exception as exc:
            self._discard(tmp)
            raise LakeError(f"cannot write {dest}: {exc}") from exc
        return dest

    def _discard(self, tmp: str) -> None:
        try:
            if self.fs.exists(tmp):
                self.fs.rm(tmp)
        except Exception:  # best effort: the temp name never matches *.parquet anyway
            pass

    def list_parquet(self, rel_dir: str) -> list[str]:
        folder = self.path(rel_dir)
        try:
            if not self.fs.exists(folder):
                return []
            paths = self.fs.glob(f"{folder}/*.parquet")
        except OSError as exc:
            raise LakeError(f"cannot list {folder}: {exc}") from exc
        return sorted(str(p) for p in paths)

    def read_tables(self, paths: Iterable[str]) -> list[pa.Table]:
        tables = []
        for p in paths:
            try:
                with self.fs.open(p, "rb") as f:
                    tables.append(pq.read_table(f))
            except Exception as exc:
                raise LakeError(f"cannot read {p}: {exc}") from exc
        return tables

    def ensure_empty(self, rel: str, schema: pa.Schema) -> bool:
        """Write a zero-row Parquet file with ``schema`` at ``rel`` unless it exists.

        dbt reads the lake through globs, and a glob that matches no file is an error: these files
        make every table of the lake readable (empty) before anything has landed in it.
        """
        try:
            if self.exists(rel):
                return False
        except OSError as exc:
            raise LakeError(f"cannot read {self.path(rel)}: {exc}") from exc
        self.write_table(rel, schema.empty_table())
        return True


def init_lake(lake: Lake, platforms: Iterable[str]) -> list[str]:
    """Create the zero-row ``_empty.parquet`` for each platform's raw partition and for ``_runs``.

    Returns the platforms whose raw ``_empty.parquet`` was newly written.
    """
    lake.ensure_empty("_runs/_empty.parquet", RUNS_SCHEMA)
    return [
        p for p in platforms if lake.ensure_empty(f"raw/platform={p}/_empty.parquet", RAW_SCHEMA)
    ]
