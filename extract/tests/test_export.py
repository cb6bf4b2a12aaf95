"""``python -m extract export``: documents valid against schema/unified_conversation.schema.json.

A real warehouse is built once per module (extract the bundled Claude Code, ChatGPT and Copilot
Chat examples into a tmp lake, ``dbt build`` into a tmp DuckDB file); every exported document is
validated against the schema, and the schema itself is checked against the mart contracts.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator, FormatChecker

from extract.cli import main
from extract.export import JSONL_NAME, file_name, iter_documents
from extract.tests.test_end_to_end import PYTHON, REPO_ROOT, run_dbt

SCHEMA_PATH = REPO_ROOT / "schema" / "unified_conversation.schema.json"
CONTRACTS = REPO_ROOT / "models" / "marts" / "_marts__models.yml"
EXAMPLES = REPO_ROOT / "examples"
SOURCES = {
    "claude_code": EXAMPLES / "claude_code" / "projects",
    "chatgpt": EXAMPLES / "chatgpt" / "conversations.json",
    "copilot_chat": EXAMPLES / "copilot_chat",
}
# schema key -> mart
NESTED = {"messages": "messages", "tool_calls": "tool_calls", "summaries": "summaries"}
DEFS = {
    "conversations": None,
    "messages": "message",
    "tool_calls": "tool_call",
    "summaries": "summary",
}
JSON_TYPES = {
    "varchar": "string",
    "bigint": "integer",
    "double precision": "number",
    "boolean": "boolean",
}
JSON_TEXT_COLUMNS = {
    "conversations": {"platform_metadata"},
    "messages": {"content", "metadata"},
    "tool_calls": {"tool_input"},
    "summaries": {"covers_message_ids"},
}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


# --------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------


def _extract_examples(lake: Path) -> None:
    args = [f"--source={name}={path}" for name, path in SOURCES.items()]
    proc = subprocess.run(
        [PYTHON, "-m", "extract", "run", "--quiet", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "LAKE_URI": str(lake)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"extract failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("export")
    lake, path = work / "lake", work / "w.duckdb"
    _extract_examples(lake)
    run_dbt(work, lake, path)
    return path


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    checker = FormatChecker()

    # jsonschema only checks date-time when rfc3339-validator is installed: check it ourselves.
    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            raise ValueError(f"not an RFC 3339 date-time: {value!r}")
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return True

    return Draft202012Validator(schema, format_checker=checker)


@pytest.fixture(scope="module")
def contracts() -> dict[str, dict[str, Any]]:
    spec = yaml.safe_load(CONTRACTS.read_text())
    return {m["name"]: m for m in spec["models"] if m["name"] in DEFS}


def run_cli(*args: str, warehouse: Path | None = None) -> Result:
    env = {"WAREHOUSE_PATH": str(warehouse)} if warehouse else None
    return CliRunner().invoke(main, ["export", *args], env=env, catch_exceptions=False)


def count(warehouse: Path, sql: str, params: list[Any] | None = None) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(sql, params or []).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def jsonl_documents(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / JSONL_NAME).read_text().splitlines()]


@pytest.fixture(scope="module")
def exported(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("jsonl")
    result = run_cli("--out", str(out), warehouse=warehouse)
    assert result.exit_code == 0, result.output
    return jsonl_documents(out)


# --------------------------------------------------------------------------------------------------
# The schema against the contracts
# --------------------------------------------------------------------------------------------------


def _row_schema(schema: dict[str, Any], mart: str) -> dict[str, Any]:
    name = DEFS[mart]
    return schema if name is None else schema["$defs"][name]


def _not_null(column: dict[str, Any]) -> bool:
    constraints = [c.get("type") for c in column.get("constraints") or []]
    tests = [t if isinstance(t, str) else next(iter(t)) for t in column.get("data_tests") or []]
    return "not_null" in constraints or "not_null" in tests


@pytest.mark.parametrize("mart", list(DEFS))
def test_schema_properties_are_the_contract_columns(
    schema: dict[str, Any], contracts: dict[str, dict[str, Any]], mart: str
) -> None:
    columns = {c["name"] for c in contracts[mart]["columns"]}
    properties = set(_row_schema(schema, mart)["properties"])
    if mart == "conversations":
        properties -= set(NESTED)
    assert columns - properties == set(), "contract columns missing from the schema"
    assert properties - columns == set(), "schema properties that are not contract columns"


@pytest.mark.parametrize("mart", list(DEFS))
def test_schema_types_and_required_follow_the_contract(
    schema: dict[str, Any], contracts: dict[str, dict[str, Any]], mart: str
) -> None:
    row = _row_schema(schema, mart)
    assert row["additionalProperties"] is False
    required = set(row["required"]) - set(NESTED)
    assert required == {c["name"] for c in contracts[mart]["columns"] if _not_null(c)}
    for column in contracts[mart]["columns"]:
        name, data_type = column["name"], column["data_type"]
        prop = row["properties"][name]
        assert prop.get("description"), name
        if name in JSON_TEXT_COLUMNS[mart]:
            continue  # exported parsed: checked below
        types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        expected = "string" if data_type.startswith("timestamp") else JSON_TYPES[data_type]
        assert types == ([expected] if _not_null(column) else [expected, "null"]), name
        if data_type.startswith("timestamp"):
            assert prop["format"] == "date-time", name


def test_schema_json_columns_and_blocks(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] and schema["description"]
    assert schema["properties"]["schema_version"]["type"] == ["string", "null"]
    assert "const" not in schema["properties"]["schema_version"]
    assert schema["properties"]["platform_metadata"]["type"] == ["object", "null"]
    assert defs["message"]["properties"]["metadata"]["type"] == ["object", "null"]
    content = defs["message"]["properties"]["content"]
    assert content["type"] == "array"
    assert content["items"] == {"$ref": "#/$defs/content_block"}
    covers = defs["summary"]["properties"]["covers_message_ids"]
    assert covers["items"] == {"type": "string"}
    kinds = [
        "text",
        "thinking",
        "tool_use",
        "tool_result",
        "image",
        "code",
        "file_reference",
        "unknown",
    ]
    block = defs["content_block"]
    assert block["discriminator"]["propertyName"] == "type"
    refs = [option["$ref"].removeprefix("#/$defs/") for option in block["oneOf"]]
    assert [defs[r]["properties"]["type"]["const"] for r in refs] == kinds


def test_schema_rejects_bad_documents(
    exported: list[dict[str, Any]], validator: Draft202012Validator
) -> None:
    good = next(d for d in exported if d["messages"])
    assert validator.is_valid(good)
    for mutate in (
        lambda d: d.pop("conversation_id"),
        lambda d: d.update(created_at="yesterday"),
        lambda d: d.update(total_messages="7"),
        lambda d: d.update(surprise=1),
        lambda d: d["messages"][0].update(content=[{"type": "video"}]),
        lambda d: d["messages"][0].update(content=[{"type": "tool_use", "id": "x"}]),
        lambda d: d["messages"][0].update(role="robot"),
        lambda d: d["messages"][0].update(metadata="{}"),
    ):
        bad = json.loads(json.dumps(good))
        mutate(bad)
        assert not validator.is_valid(bad)


# --------------------------------------------------------------------------------------------------
# The export
# --------------------------------------------------------------------------------------------------


def test_every_document_is_valid(
    exported: list[dict[str, Any]], validator: Draft202012Validator
) -> None:
    assert exported
    for document in exported:
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        assert not errors, f"{document['conversation_id']}: " + "; ".join(
            f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]
        )


def test_counts_match_the_marts(exported: list[dict[str, Any]], warehouse: Path) -> None:
    assert len(exported) == count(warehouse, "select count(*) from main.conversations")
    assert len({d["conversation_id"] for d in exported}) == len(exported)
    for key, mart in NESTED.items():
        expected = count(
            warehouse,
            f"select count(*) from main.{mart} "
            "where conversation_id in (select conversation_id from main.conversations)",
        )
        assert sum(len(d[key]) for d in exported) == expected, key
        for document in exported:
            assert all(r["conversation_id"] == document["conversation_id"] for r in document[key])
    assert {d["platform"] for d in exported} == set(SOURCES)


def test_json_columns_are_parsed_and_messages_ordered(exported: list[dict[str, Any]]) -> None:
    kinds: set[str] = set()
    for document in exported:
        assert isinstance(document["platform_metadata"], dict)
        sequence = [m["sequence_number"] for m in document["messages"]]
        assert sequence == sorted(sequence)
        for message in document["messages"]:
            assert isinstance(message["content"], list)
            kinds.update(block["type"] for block in message["content"])
        for call in document["tool_calls"]:
            assert not isinstance(call["tool_input"], str)
        for summary in document["summaries"]:
            assert isinstance(summary["covers_message_ids"], list)
    assert {"text", "thinking", "tool_use", "tool_result"} <= kinds


def test_timestamps_have_an_offset(exported: list[dict[str, Any]]) -> None:
    stamps = [d["created_at"] for d in exported if d["created_at"]]
    stamps += [m["timestamp"] for d in exported for m in d["messages"] if m["timestamp"]]
    assert stamps
    assert all(datetime.fromisoformat(s).utcoffset() is not None for s in stamps)


def test_platform_filter(warehouse: Path, tmp_path: Path) -> None:
    result = run_cli("--out", str(tmp_path), "--platform", "chatgpt", warehouse=warehouse)
    assert result.exit_code == 0, result.output
    documents = jsonl_documents(tmp_path)
    expected = "select count(*) from main.conversations where platform = ?"
    assert len(documents) == count(warehouse, expected, ["chatgpt"]) > 0
    assert {d["platform"] for d in documents} == {"chatgpt"}

    result = run_cli(
        "--out", "-", "--platform", "chatgpt", "--platform", "copilot_chat", warehouse=warehouse
    )
    assert result.exit_code == 0
    platforms = {json.loads(line)["platform"] for line in result.stdout.splitlines()}
    assert platforms == {"chatgpt", "copilot_chat"}
    assert "exported" in result.stderr


def test_since_filter(warehouse: Path, exported: list[dict[str, Any]]) -> None:
    stamps = sorted(d["updated_at"] for d in exported if d["updated_at"])
    cut = stamps[len(stamps) // 2][:10]
    result = run_cli("--since", cut, warehouse=warehouse)
    assert result.exit_code == 0, result.output
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert documents
    assert all(d["updated_at"][:10] >= cut for d in documents)
    assert len(documents) == sum(1 for s in stamps if s[:10] >= cut)


def test_jsonl_and_json_agree(
    warehouse: Path, exported: list[dict[str, Any]], tmp_path: Path
) -> None:
    result = run_cli("--out", str(tmp_path), "--format", "json", warehouse=warehouse)
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == len(exported)
    by_id = {d["conversation_id"]: d for d in exported}
    for path in files:
        document = json.loads(path.read_text())
        assert path.name == file_name(document["conversation_id"])
        assert document == by_id[document["conversation_id"]]
    assert not list(tmp_path.glob(".*.tmp"))


def test_stdout_matches_file(warehouse: Path, exported: list[dict[str, Any]]) -> None:
    proc = subprocess.run(
        [PYTHON, "-m", "extract", "export", "--out", "-"],
        cwd=REPO_ROOT,
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line) for line in proc.stdout.splitlines()] == exported
    assert f"exported {len(exported)} conversation(s)" in proc.stderr


def test_small_batches_give_the_same_documents(
    warehouse: Path, exported: list[dict[str, Any]]
) -> None:
    assert list(iter_documents(warehouse, batch_size=2)) == exported


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


def test_no_warehouse(tmp_path: Path) -> None:
    proc = subprocess.run(
        [PYTHON, "-m", "extract", "export", "--warehouse", str(tmp_path / "missing.duckdb")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "error: no warehouse at" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_marts_not_built(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = run_cli("--warehouse", str(empty))
    assert result.exit_code == 1
    assert "the marts are not built yet" in result.stderr
    assert "dbt build" in result.stderr


def test_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("not a database")
    result = run_cli("--warehouse", str(bogus))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


def test_json_format_needs_a_folder(warehouse: Path) -> None:
    result = run_cli("--format", "json", warehouse=warehouse)
    assert result.exit_code == 1
    assert "--out DIR" in result.stderr
