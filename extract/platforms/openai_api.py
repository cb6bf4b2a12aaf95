"""OpenAI and Azure OpenAI API logs: Chat Completions requests and responses as JSONL.

What users have on disk, one JSON object per line (FORMATS.md section 6):

* the OpenAI / Azure OpenAI **Batch** layout: an input file of ``{custom_id, method, url, body}``
  requests and an output file of ``{id, custom_id, response{status_code, request_id, body},
  error}`` results (dbt joins them on ``custom_id``);
* plain request/response pairs as proxies and SDK loggers write them (``{request, response}``,
  either side possibly wrapped in ``body``), and bare ``chat.completion`` objects;
* Azure API Management ``GatewayLogs`` with the request and response bodies;
* Azure OpenAI resource diagnostic logs (``RequestResponse`` and friends): no content, no tokens.

Every line lands as one raw record of kind ``log_line``; telling the shapes apart is dbt's job.
There is no default location: only what the user names with ``--source openai_api=PATH`` (files
or folders, scanned recursively for ``.jsonl`` and ``.jsonl.gz``). A ``.jsonl.gz`` file is
decompressed in memory and split into its lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from extract.platforms.base import FileFormat, FilePath, Platform, file_name, first_text, first_time

RECORD_KIND = "log_line"

_JSONL = FileFormat("jsonl", RECORD_KIND)
_JSONL_GZ = FileFormat("jsonl", RECORD_KIND, compression="gzip")

# Azure OpenAI's data-plane version: `api-version=2024-02-15-preview` in an APIM log's URLs,
# "Azure OpenAI API version 2024-02-15-preview" in a diagnostic log's properties.apiName.
_API_VERSION_QUERY = re.compile(r"[?&]api-version=([0-9A-Za-z.\-]+)")
_API_VERSION_NAME = re.compile(r"API version ([0-9A-Za-z.\-]+)\s*$")


class OpenAIApi(Platform):
    name = "openai_api"
    formats = (
        "Chat Completions logs as `.jsonl` / `.jsonl.gz`, one record per line: Batch input and "
        "output, request/response pairs, APIM GatewayLogs, Azure OpenAI diagnostics",
    )
    version_prefixes = ("2023-", "2024-", "2025-")
    fills = frozenset({"tokens", "timestamps", "tool_calls", "model"})
    locations_summary = (
        "nowhere by default: OpenAI / Azure OpenAI API logs (Batch input/output, request/response "
        "JSONL, APIM GatewayLogs, Azure diagnostics; `.jsonl`, `.jsonl.gz`) from "
        "`--source openai_api=PATH`"
    )
    time_doc = (
        "a line's `timestamp` or `time` (Azure), else its response's `created`; Batch input lines "
        "(no time) by the file's modification time"
    )
    session_doc = (
        "only what a line names: the request's `metadata.conversation_id` or a Batch `custom_id` "
        "(conversations are rebuilt in dbt)"
    )

    str_paths = True  # file_format takes a str as well as a Path

    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        return []  # API logs live wherever the application or gateway wrote them

    def file_format(self, path: FilePath) -> FileFormat | None:
        name = file_name(path).lower()
        if name.endswith(".jsonl"):
            return _JSONL
        if name.endswith(".jsonl.gz"):
            return _JSONL_GZ
        return None

    def record_time(self, record: Any, path: Path) -> datetime | None:
        found = first_time(record, "timestamp", "time")
        if found is not None or not isinstance(record, dict):
            return found
        response = record.get("response")
        if isinstance(response, dict):
            body = response.get("body")
            return first_time(body if isinstance(body, dict) else response, "created")
        return first_time(record, "created")

    def record_session(self, record: Any, path: Path) -> str | None:
        if not isinstance(record, dict):
            return None
        for side in (record.get("request"), record.get("body"), record):
            if isinstance(side, dict) and isinstance(side.get("body"), dict):
                side = side["body"]
            meta = side.get("metadata") if isinstance(side, dict) else None
            found = first_text(meta, "conversation_id")
            if found:
                return found
        return first_text(record, "custom_id")

    def source_version(self, record: Any) -> str | None:
        """The Azure OpenAI ``api-version`` an Azure log line names (None for OpenAI's own); for
        a ``{"records": [...]}`` line (Azure Monitor's Event Hub layout), its first entry's."""
        if not isinstance(record, dict):
            return None
        entries = record.get("records")
        if "category" not in record and isinstance(entries, list) and entries:
            return self.source_version(entries[0])
        props = record.get("properties")
        if isinstance(props, dict):
            for key in ("url", "backendUrl"):
                url = props.get(key)
                if isinstance(url, str):
                    found = _API_VERSION_QUERY.search(url)
                    if found:
                        return found.group(1)
            api_name = props.get("apiName")
        elif isinstance(props, str):  # diagnostic logs sometimes hold properties as a JSON string
            found = re.search(r'"apiName"\s*:\s*"([^"]*)"', props)
            api_name = found.group(1) if found else None
        else:
            api_name = None
        if isinstance(api_name, str):
            found = _API_VERSION_NAME.search(api_name)
            if found:
                return found.group(1)
        return None
