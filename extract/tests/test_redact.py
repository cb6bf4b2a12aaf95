"""Secret patterns (seeds/secret_patterns.csv) and `extract run --redact` (extract/redact.py).

The fake secrets here have the shape of real ones and are not real. Each kind has a positive
example and the seed as a whole has negatives (code, placeholders, look-alikes) that must not
match; the same patterns give the same matches in Python, DuckDB (RE2) and, when a server answers,
PostgreSQL (ARE), the engines the secret_findings mart runs on.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from extract import redact
from extract.options import ExtractionOptions
from extract.redact import (
    BOUNDARY,
    RedactError,
    Redactor,
    compile_pattern,
    find_secrets,
    load_patterns,
    redact_record,
    redact_text,
)
from extract.runner import run_extract

from .conftest import REPO_ROOT, rows

FIXTURE = REPO_ROOT / "extract" / "tests" / "fixtures" / "privacy" / "projects"
MACROS = REPO_ROOT / "macros" / "normalization" / "secret_findings.sql"

# kind -> (text, the secret in it)
POSITIVES: dict[str, tuple[str, str]] = {
    "aws_access_key_id": ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    "github_token": (
        "git clone https://ghp_R4nD0mF4k3T0k3nV4lu3F0rT3st1ng0nLy42@github.com/o/r",
        "ghp_R4nD0mF4k3T0k3nV4lu3F0rT3st1ng0nLy42",
    ),
    "github_fine_grained_token": (
        "token: github_pat_11AAAAAAA0123456789abc_defghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP",
        "github_pat_11AAAAAAA0123456789abc_defghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP",
    ),
    "openai_api_key": (
        "client = OpenAI(key='sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL')",
        "sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL",
    ),
    "anthropic_api_key": (
        "claude login sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AA",
        "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AA",
    ),
    "slack_token": (
        "SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    ),
    "google_api_key": (
        "maps?key=AIzaSyA1234567890abcdefghijklmnopqrstuv&q=x",
        "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    ),
    "stripe_secret_key": (
        "STRIPE sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    ),
    "private_key": (
        "cat id_rsa\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWep4\n"
        "Vq+8ZnsLwAr2fX0=\n-----END RSA PRIVATE KEY-----\ndone",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWep4\n"
        "Vq+8ZnsLwAr2fX0=\n-----END RSA PRIVATE KEY-----",
    ),
    "jwt": (
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    ),
    "generic_secret_assignment": ('{"db": {"password": "hunter22"}}', 'password": "hunter22'),
}

# more that must be found, as (text, [(kind, secret), ...]) in order
MORE_POSITIVES: list[tuple[str, list[tuple[str, str]]]] = [
    ("DB_PASSWORD=s3cr3t!", [("generic_secret_assignment", "PASSWORD=s3cr3t!")]),
    ("apiKey: 'k3y-value'", [("generic_secret_assignment", "apiKey: 'k3y-value")]),
    ("Password: 12345678", [("generic_secret_assignment", "Password: 12345678")]),
    (
        "export OPENAI_API_KEY=sk-proj-Xq7fK2mN9pL4vR8tW1yZ3bC6dE0gH5jS_-Ab",
        [
            ("generic_secret_assignment", "API_KEY=sk-proj-Xq7fK2mN9pL4vR8tW1yZ3bC6dE0gH5jS_-Ab"),
            ("openai_api_key", "sk-proj-Xq7fK2mN9pL4vR8tW1yZ3bC6dE0gH5jS_-Ab"),
        ],
    ),
    (
        "claude: sk-ant-oat01-ABCDEFGHIJKLMNOPQRSTUVWXYZ and ASIAY34FZKBOKMUTVV7A",
        [
            ("anthropic_api_key", "sk-ant-oat01-ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            ("aws_access_key_id", "ASIAY34FZKBOKMUTVV7A"),
        ],
    ),
    (
        "-----BEGIN OPENSSH PRIVATE KEY----- then words",
        [("private_key", "-----BEGIN OPENSSH PRIVATE KEY-----")],
    ),
]

NEGATIVES = [
    "password = getpass()",
    "api_key = os.environ['OPENAI_API_KEY']",
    "apiKey: string",
    "Password: ********",
    "password_length=12 and input_tokens: 1234",
    "task-abcdefghijklmnopqrstuvwxyz0123456789ABCDEF",  # sk- inside a word
    "XAKIAIOSFODNN7EXAMPLE",  # glued to a letter: starts no token
    "AKIA and ASIA alone",
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",  # Stripe test mode
    "sk-ant-api03-short",
    "the header is -----BEGIN CERTIFICATE-----",
    "eyJhbGciOiJIUzI1NiJ9 alone",
    "ghp_tooShort123",
    "[REDACTED:generic_secret_assignment] [REDACTED:aws_access_key_id] [REDACTED:private_key]",
    "uuid 2120fc8c-cee5-4fe9-8cc6-5817272b53a4 and sha256 " + "ab" * 32,
]


@pytest.fixture(scope="module")
def patterns() -> tuple[redact.SecretPattern, ...]:
    return load_patterns()


def _found(text: str, patterns: Any) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find_secrets(text, patterns)]


# ------------------------------------------------------------------------------------------------
# the seed
# ------------------------------------------------------------------------------------------------


def test_the_seed_has_every_kind_and_a_positive_for_each(patterns: Any) -> None:
    kinds = [p.kind for p in patterns]
    assert set(kinds) == set(POSITIVES)
    with open(redact.SEED_PATH, encoding="utf-8", newline="") as f:
        seed = list(csv.DictReader(f))
    assert [r["kind"] for r in seed] == kinds
    assert all(r["description"].strip() and r["source"].strip() for r in seed)


def test_the_boundary_is_the_macros() -> None:
    macro = re.search(
        r"macro secret_boundary\(\) -%\}(.*?)\{%- endmacro", MACROS.read_text(encoding="utf-8")
    )
    assert macro is not None
    assert macro.group(1) == BOUNDARY


@pytest.mark.parametrize("kind", sorted(POSITIVES))
def test_each_kind_finds_its_secret(patterns: Any, kind: str) -> None:
    text, secret = POSITIVES[kind]
    assert _found(text, patterns) == [(kind, secret)]
    finding = find_secrets(text, patterns)[0]
    assert finding.position == text.index(secret) + 1
    assert finding.length == len(secret)
    assert finding.fingerprint == hashlib.sha256(secret.encode()).hexdigest()[:8]


@pytest.mark.parametrize(("text", "expected"), MORE_POSITIVES)
def test_more_positives(patterns: Any, text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text, patterns) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives_find_nothing(patterns: Any, text: str) -> None:
    assert find_secrets(text, patterns) == []


def test_every_match_is_found_not_only_the_first(patterns: Any) -> None:
    text = "é🎉 AKIAIOSFODNN7EXAMPLE,AKIAIOSFODNN7EXAMPLF\nAKIAIOSFODNN7EXAMPLE"
    found = find_secrets(text, patterns)
    assert [(f.position, f.length) for f in found] == [(4, 20), (25, 20), (46, 20)]
    assert found[0].fingerprint == found[2].fingerprint != found[1].fingerprint


def _corpus() -> list[str]:
    return (
        [text for text, _ in POSITIVES.values()]
        + [text for text, _ in MORE_POSITIVES]
        + NEGATIVES
        + ["é🎉 AKIAIOSFODNN7EXAMPLE,AKIAIOSFODNN7EXAMPLF and x AKIAIOSFODNN7EXAMPLE"]
    )


def _python_matches(patterns: Any) -> list[tuple[int, str, str]]:
    return sorted(
        (i, f.kind, text[f.start : f.end])
        for i, text in enumerate(_corpus())
        for f in find_secrets(text, patterns)
    )


def test_duckdb_finds_the_same_matches(patterns: Any) -> None:
    """RE2 reads every pattern as Python does (the mart's duckdb__secret_matches)."""
    con = duckdb.connect()
    con.execute("create table texts (i integer, body varchar)")
    con.executemany("insert into texts values (?, ?)", list(enumerate(_corpus())))
    con.execute("create table patterns (kind varchar, pattern varchar)")
    con.executemany("insert into patterns values (?, ?)", [(p.kind, p.pattern) for p in patterns])
    got = con.execute(
        f"""
        select texts.i, patterns.kind, unnest(regexp_extract_all(
            texts.body, concat('{BOUNDARY}(', patterns.pattern, ')'), 2)) as secret
        from texts cross join patterns
        """
    ).fetchall()
    assert sorted(got) == _python_matches(patterns)


def test_postgres_finds_the_same_matches(patterns: Any) -> None:
    """ARE reads every pattern as Python does (the mart's postgres__secret_matches)."""
    import psycopg2

    try:
        conn = psycopg2.connect(
            host=os.environ.get("PGHOST", "127.0.0.1"),
            port=int(os.environ.get("PGPORT", "5432")),
            user=os.environ.get("PGUSER", "postgres"),
            password=os.environ.get("PGPASSWORD", ""),
            dbname="postgres",
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but no PostgreSQL server answers: {exc}")
        pytest.skip(f"no PostgreSQL server: {str(exc).strip()}")
    try:
        with conn.cursor() as cur:
            cur.execute("create temporary table texts (i integer, body text)")
            cur.executemany("insert into texts values (%s, %s)", list(enumerate(_corpus())))
            cur.execute("create temporary table patterns (kind text, pattern text)")
            cur.executemany(
                "insert into patterns values (%s, %s)", [(p.kind, p.pattern) for p in patterns]
            )
            cur.execute(
                f"""
                select texts.i, patterns.kind, found.groups[2]
                from texts cross join patterns
                cross join lateral regexp_matches(
                    texts.body, concat('{BOUNDARY}(', patterns.pattern, ')'), 'g'
                ) as found (groups)
                """
            )
            got = cur.fetchall()
    finally:
        conn.close()
    assert sorted(got) == _python_matches(patterns)


def test_a_bad_pattern_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RedactError, match="capturing"):
        compile_pattern("x", "(a|b)c")
    with pytest.raises(RedactError, match="does not compile"):
        compile_pattern("x", "[a-")
    with pytest.raises(RedactError, match="empty text"):
        compile_pattern("x", "a*")
    with pytest.raises(RedactError, match="lower-case"):
        compile_pattern("Bad Kind", "abc")
    seed = tmp_path / "seed.csv"
    seed.write_text("kind,pattern,description,source\nk,abc,d,s\nk,abd,d,s\n", encoding="utf-8")
    with pytest.raises(RedactError, match="appears twice"):
        load_patterns(seed)
    with pytest.raises(RedactError, match="cannot read the secret patterns"):
        load_patterns(tmp_path / "missing.csv")


# ------------------------------------------------------------------------------------------------
# masking
# ------------------------------------------------------------------------------------------------


def test_masking_a_json_record_keeps_it_valid_and_the_rest_byte_identical(patterns: Any) -> None:
    record = {
        "type": "user",
        "message": {"content": 'café 🚀 key AKIAIOSFODNN7EXAMPLE\n"quoted" password=hunter22!'},
        "n": 1.50,
    }
    data = json.dumps(record, ensure_ascii=True).encode()  # \u escapes, \" and \n in the line
    result = redact_record(data, patterns)
    assert result.masked == 2
    assert result.kinds == ("aws_access_key_id", "generic_secret_assignment")
    parsed = json.loads(result.data)
    assert parsed["message"]["content"] == (
        'café 🚀 key [REDACTED:aws_access_key_id]\n"quoted" [REDACTED:generic_secret_assignment]'
    )
    assert parsed["n"] == 1.5 and parsed["type"] == "user"
    # outside the two matches the bytes are the source's: same escapes, same spacing
    prefix = data[: data.index(b"AKIA")]
    assert result.data.startswith(prefix)
    assert result.data.endswith(b'"}, "n": 1.5}')


def test_a_secret_written_with_escapes_is_masked_whole(patterns: Any) -> None:
    data = b'{"a":"\\u0041KIAIOSFODNN7EXAMPLE and password=\\"s3cret\\" \\ud83d\\ude80 end"}'
    result = redact_record(data, patterns)
    assert result.data == (
        b'{"a":"[REDACTED:aws_access_key_id] and [REDACTED:generic_secret_assignment]\\"'
        b' \\ud83d\\ude80 end"}'
    )
    assert json.loads(result.data)["a"].endswith("\U0001f680 end")


def test_keys_and_values_are_masked_where_they_are(patterns: Any) -> None:
    data = b'{"AKIAIOSFODNN7EXAMPLE": ["x", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"]}'
    assert json.loads(redact_record(data, patterns).data) == {
        "[REDACTED:aws_access_key_id]": ["x", "[REDACTED:stripe_secret_key]"]
    }


def test_a_member_split_into_key_and_value_is_masked_in_the_value(patterns: Any) -> None:
    data = b'{"db": {"password": "hunter22", "port": 5432}, "api-key":"k3y-1", "pwd": "x"}'
    result = redact_record(data, patterns)
    assert result.data == (
        b'{"db": {"password": "[REDACTED:generic_secret_assignment]", "port": 5432},'
        b' "api-key":"[REDACTED:generic_secret_assignment]", "pwd": "x"}'
    )
    number = b'{"password": 12345678}'  # no string to mask: left as it is
    assert redact_record(number, patterns).data == number


def test_overlapping_kinds_are_masked_once_leftmost_longest(patterns: Any) -> None:
    text = "export OPENAI_API_KEY=sk-proj-Xq7fK2mN9pL4vR8tW1yZ3bC6dE0gH5jS_-Ab done"
    assert redact_text(text, patterns) == (
        "export OPENAI_[REDACTED:generic_secret_assignment] done",
        ["generic_secret_assignment"],
    )


def test_a_secret_glued_to_another_is_masked_too(patterns: Any) -> None:
    """Masking the first leaves the second starting a token: masked in a second round."""
    data = b'{"t": "AKIAIOSFODNN7EXAMPLEAKIAIOSFODNN7EXAMPLF"}'
    once = redact_record(data, patterns)
    assert once.data == b'{"t": "[REDACTED:aws_access_key_id][REDACTED:aws_access_key_id]"}'
    assert redact_record(once.data, patterns).data == once.data


def test_a_record_that_is_not_json_or_not_utf8_is_masked_in_its_text(patterns: Any) -> None:
    data = b'{"cut": "AKIAIOSFODNN7EXAMPLE \xff\xfe tail'
    result = redact_record(data, patterns)
    assert result.data == b'{"cut": "[REDACTED:aws_access_key_id] \xff\xfe tail'


def test_a_record_without_secrets_is_returned_unchanged(patterns: Any) -> None:
    data = b'{"nothing": "here", "password": "getpass()"}'
    result = redact_record(data, patterns)
    assert result.data is data and result.masked == 0 and not result.changed
    assert Redactor(patterns)(data) == (data, None)


@pytest.mark.parametrize("text", _corpus())
def test_masking_is_idempotent_and_leaves_nothing_to_find(patterns: Any, text: str) -> None:
    once = redact_record(text.encode(), patterns)
    assert redact_record(once.data, patterns).data == once.data
    assert find_secrets(once.data.decode(), patterns) == []
    wrapped = redact_record(json.dumps({"t": text}).encode(), patterns)
    assert redact_record(wrapped.data, patterns).data == wrapped.data
    assert find_secrets(json.loads(wrapped.data)["t"], patterns) == []


def test_the_fixture_lines_are_masked_and_stay_json(patterns: Any) -> None:
    for path in FIXTURE.rglob("*.jsonl"):
        for line in path.read_bytes().splitlines():
            masked = redact_record(line, patterns).data
            json.loads(masked)
            assert b"AKIAIOSFODNN7EXAMPLE" not in masked and b"ghp_" not in masked


# ------------------------------------------------------------------------------------------------
# extract run --redact
# ------------------------------------------------------------------------------------------------


def _land(lake: Path, **options: Any) -> Any:
    return run_extract(
        lake_uri=str(lake),
        sources={"claude_code": [FIXTURE]},
        platforms=["claude_code"],
        options=ExtractionOptions(**options),
    )


def test_a_run_with_redact_lands_masked_rows(tmp_path: Path) -> None:
    summary = _land(tmp_path / "lake", redact=True)
    assert summary.status == "ok"
    source_lines = [
        line for p in sorted(FIXTURE.rglob("*.jsonl")) for line in p.read_bytes().splitlines()
    ]
    landed = rows(tmp_path / "lake")
    assert len(landed) == len(source_lines) == 4
    redacted = [r for r in landed if r["original_checksum"] is not None]
    assert len(redacted) == 3  # the last line holds no secret
    for row, line in zip(landed, source_lines, strict=True):
        data = row["raw_text"].encode()
        assert row["raw_checksum"] == hashlib.sha256(data).hexdigest()  # the bytes as landed
        json.loads(row["raw_text"])
        if row["original_checksum"] is None:
            assert data == line
        else:
            assert row["original_checksum"] == hashlib.sha256(line).hexdigest()
            assert "[REDACTED:" in row["raw_text"] and data != line
    text = "\n".join(r["raw_text"] for r in landed)
    for secret in ("AKIAIOSFODNN7EXAMPLE", "sk-proj-", "ghp_", "eyJhbGci"):
        assert secret not in text
    runs = pq.read_table(next((tmp_path / "lake" / "_runs").glob("2*.parquet"))).to_pylist()
    assert json.loads(runs[0]["options_json"])["redact"] is True


def test_a_run_without_redact_lands_the_secrets(tmp_path: Path) -> None:
    _land(tmp_path / "lake")
    landed = rows(tmp_path / "lake")
    assert all(r["original_checksum"] is None for r in landed)
    assert any("AKIAIOSFODNN7EXAMPLE" in r["raw_text"] for r in landed)
    assert not any("[REDACTED:" in r["raw_text"] for r in landed)


def test_relanding_with_redact_gives_the_same_checksums(tmp_path: Path) -> None:
    """The same input redacts to the same bytes, so level-1 deduplication folds a re-land."""
    _land(tmp_path / "lake", redact=True)
    _land(tmp_path / "lake", redact=True, full=True)
    landed = rows(tmp_path / "lake")
    assert len(landed) == 8
    by_line: dict[int, set[str]] = {}
    for r in landed:
        by_line.setdefault(r["record_ordinal"], set()).add(r["raw_checksum"])
    assert all(len(checksums) == 1 for checksums in by_line.values())


def test_redact_without_the_seed_is_a_clear_error(
    invoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redact, "SEED_PATH", tmp_path / "nowhere" / "secret_patterns.csv")
    result = invoke(
        "run", "--redact", "--lake", str(tmp_path / "lake"), "--source", f"claude_code={FIXTURE}"
    )
    assert result.exit_code == 1
    assert "cannot read the secret patterns" in result.output
    assert "--redact needs" in result.output
