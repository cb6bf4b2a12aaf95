"""Deduplication end to end: each level on purpose-built Claude Code sessions, every action.

The fixtures are generated here, in tmp, as small Claude Code JSONL sessions (format:
/work/shared/formats/FORMATS.md section 1), one project folder per scenario:

* ``-home-test-plain``   P: a plain session, landed again from a copy of the folder at another
  path (level ``raw_checksum``, entity message).
* ``-home-test-resume``  R, and R2 which resumes it: R's lines copied with the same uuids under
  R2's session id (level ``native_id``).
* ``-home-test-content`` H1, H2: different session ids, uuids and API ids, identical content and
  timestamps (conversation level ``content_hash``).
* ``-home-test-fuzzy``   F1, F2: 20 messages, F2 five seconds later with one text changed
  (similarity 0.95, level ``fuzzy``); G1, G2: the same but two texts changed (0.90, below the
  threshold: never folded).
* ``-home-test-grow``    X: grows between runs (two lines appended), so it gets a version 2.

One lake is landed step by step (the same folder three times, then the copy at another path,
then X grown) and built after each step with the default policy; the final lake is then built
with the other actions, each into its own warehouse (those builds run side by side).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from extract.tests.test_end_to_end import (
    DBT,
    EXCLUDE_TESTS,
    MARTS,
    REPO_ROOT,
    Pipeline,
    _tail,
    daily_totals,
    only_platforms,
    snapshot,
)

# --------------------------------------------------------------------------------------------------
# Fixtures: small Claude Code sessions
# --------------------------------------------------------------------------------------------------

NS = uuid.UUID("6d1f3c0a-5b7e-4c2d-9a8f-0e1d2c3b4a59")
MODEL = "claude-sonnet-4-5-20250929"
VERSION = "2.0.14"


def sid(name: str) -> str:
    """A stable uuid-shaped session id for a fixture session."""
    return str(uuid.uuid5(NS, f"session:{name}"))


def _ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _dump(record: dict[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


@dataclass
class Session:
    """A linear user/assistant session; ``lines()`` renders it as Claude Code JSONL."""

    name: str
    cwd: str
    start: datetime
    texts: list[str]
    step: timedelta = timedelta(seconds=30)
    usage: tuple[int, int, int, int] = (10, 20, 300, 40)  # input, output, cache read, write
    messages: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.session_id = sid(self.name)
        parent = None
        for i, text in enumerate(self.texts):
            uid = str(uuid.uuid5(NS, f"{self.name}:{i}"))
            at = self.start + i * self.step
            envelope = {
                "parentUuid": parent,
                "isSidechain": False,
                "userType": "external",
                "cwd": self.cwd,
                "sessionId": self.session_id,
                "version": VERSION,
                "gitBranch": "main",
            }
            if i % 2 == 0:
                record = {
                    **envelope,
                    "type": "user",
                    "message": {"role": "user", "content": text},
                    "uuid": uid,
                    "timestamp": _ts(at),
                }
            else:
                inp, out, read, write = self.usage
                key = uuid.uuid5(NS, f"api:{self.name}:{i}").hex[:20]
                record = {
                    **envelope,
                    "message": {
                        "model": MODEL,
                        "id": f"msg_01{key}",
                        "type": "message",
                        "role": "assistant",
                        "content": [{"type": "text", "text": text}],
                        "stop_reason": "end_turn",
                        "stop_sequence": None,
                        "usage": {
                            "input_tokens": inp,
                            "cache_creation_input_tokens": write,
                            "cache_read_input_tokens": read,
                            "cache_creation": {
                                "ephemeral_5m_input_tokens": write,
                                "ephemeral_1h_input_tokens": 0,
                            },
                            "output_tokens": out,
                            "service_tier": "standard",
                        },
                    },
                    "requestId": f"req_011C{key}",
                    "type": "assistant",
                    "uuid": uid,
                    "timestamp": _ts(at),
                }
            self.messages.append(record)
            parent = uid

    @property
    def uuids(self) -> list[str]:
        return [m["uuid"] for m in self.messages]

    @property
    def end(self) -> datetime:
        return self.start + (len(self.texts) - 1) * self.step

    def lines(self) -> bytes:
        return b"".join(_dump(m) for m in self.messages)

    def write(self, projects: Path) -> Path:
        folder = projects / ("-" + self.cwd.strip("/").replace("/", "-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.session_id}.jsonl"
        path.write_bytes(self.lines())
        return path

    def tokens(self) -> tuple[int, int, int, int]:
        """Total (input, output, cache read, cache write) of the session."""
        responses = len(self.texts) // 2
        return tuple(v * responses for v in self.usage)  # type: ignore[return-value]


def _texts(topic: str, n: int) -> list[str]:
    return [
        f"{topic}: question {i // 2 + 1}, please look at module {i}"
        if i % 2 == 0
        else f"{topic}: answer {i // 2 + 1}, module {i - 1} is fine after the change"
        for i in range(n)
    ]


DAY = datetime(2027, 3, 1, tzinfo=timezone.utc)

# P: landed again from a copy of its folder at another path.
P = Session("P", "/home/test/plain", DAY.replace(hour=9), _texts("plain", 4), usage=(3, 50, 0, 7))
# R, and R2 which resumes it (R's lines copied with R2's session id, then new work).
R = Session("R", "/home/test/resume", DAY.replace(day=2, hour=9), _texts("resume", 4))
R2_NEW = Session(
    "R2",
    "/home/test/resume",
    DAY.replace(day=2, hour=11),
    _texts("resumed", 2),
    usage=(5, 60, 0, 9),
)
# H1, H2: same content and timestamps, different session ids, uuids and API ids.
H1 = Session("H1", "/home/test/content", DAY.replace(day=3, hour=9), _texts("same", 4))
H2 = Session("H2", "/home/test/content", DAY.replace(day=3, hour=9), _texts("same", 4))
# F1, F2: 20 messages, F2 starts 5 s later and message 7 differs slightly -> similarity 0.95.
F_TEXTS = _texts("fuzzy", 20)
F1 = Session("F1", "/home/test/fuzzy", DAY.replace(day=4, hour=9), F_TEXTS)
F2 = Session(
    "F2",
    "/home/test/fuzzy",
    DAY.replace(day=4, hour=9, second=5),
    [t + " (edited)" if i == 7 else t for i, t in enumerate(F_TEXTS)],
)
# G1, G2: as F but two messages differ -> 0.90, below dedup_fuzzy_min_similarity 0.95.
G_TEXTS = _texts("near", 20)
G1 = Session("G1", "/home/test/fuzzy", DAY.replace(day=4, hour=15), G_TEXTS)
G2 = Session(
    "G2",
    "/home/test/fuzzy",
    DAY.replace(day=4, hour=15, second=5),
    [t + " (edited)" if i in (4, 9) else t for i, t in enumerate(G_TEXTS)],
)
# X: 4 messages, then 2 more appended between runs.
X_ALL = Session("X", "/home/test/grow", DAY.replace(day=5, hour=9), _texts("grow", 6))

ALL = (P, R, H1, H2, F1, F2, G1, G2, X_ALL)


def write_r2(projects: Path) -> Path:
    """R2: a summary pointing at R's leaf, R's lines copied under R2's session id, new work."""
    folder = projects / "-home-test-resume"
    path = folder / f"{R2_NEW.session_id}.jsonl"
    copied = [{**m, "sessionId": R2_NEW.session_id} for m in R.messages]
    new = [dict(m) for m in R2_NEW.messages]
    new[0]["parentUuid"] = R.uuids[-1]
    summary = {"type": "summary", "summary": "Resume work", "leafUuid": R.uuids[-1]}
    path.write_bytes(_dump(summary) + b"".join(_dump(m) for m in copied + new))
    return path


def write_sources(projects: Path) -> dict[str, Path]:
    """The scenario tree: every session above (X with its first 4 lines only)."""
    files = {s.name: s.write(projects) for s in (P, R, H1, H2, F1, F2, G1, G2)}
    files["R2"] = write_r2(projects)
    x_path = X_ALL.write(projects)
    x_path.write_bytes(b"".join(_dump(m) for m in X_ALL.messages[:4]))
    files["X"] = x_path
    return files


def grow_x(path: Path) -> None:
    with path.open("ab") as fh:
        fh.write(b"".join(_dump(m) for m in X_ALL.messages[4:]))


# --------------------------------------------------------------------------------------------------
# dbt build with --vars (a thin wrapper on the same command as test_end_to_end.run_dbt)
# --------------------------------------------------------------------------------------------------


def dbt_build(
    work: Path,
    lake: Path,
    warehouse: Path,
    dbt_vars: dict[str, Any] | None = None,
    *,
    with_tests: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``dbt build`` as run_dbt does, plus ``--vars``; returns the process (not checked).

    Seeds and models only unless ``with_tests`` (as run_dbt); a build that must fail on the
    `error` policy runs the tests, where tests/assert_no_duplicates_set_to_error stops it."""
    env = {
        **os.environ,
        "LAKE_URI": str(lake),
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    cmd = [
        DBT,
        "build",
        "--profiles-dir",
        ".",
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    cmd += only_platforms(("claude_code",), dbt_vars)  # the scenarios are Claude Code sessions
    if not with_tests:
        cmd += EXCLUDE_TESTS
    return subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)


def build_ok(p: Pipeline, dbt_vars: dict[str, Any] | None = None) -> None:
    proc = dbt_build(p.work, p.lake, p.warehouse, dbt_vars)
    assert proc.returncode == 0, (
        f"dbt build {dbt_vars} failed ({proc.returncode}):\n{_tail(proc.stdout)}\n{proc.stderr}"
    )


def build_fails(p: Pipeline, dbt_vars: dict[str, Any]) -> str:
    """Run a build that must fail; return its whole output."""
    proc = dbt_build(p.work, p.lake, p.warehouse, dbt_vars, with_tests=True)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, f"dbt build {dbt_vars} should have failed:\n{_tail(output)}"
    return output


# --------------------------------------------------------------------------------------------------
# Reading the marts back
# --------------------------------------------------------------------------------------------------

CAPTURED = (*MARTS, "duplicates", "conversation_versions")


def _stable(value: Any) -> Any:
    """Doubles to 12 significant digits: DuckDB sums doubles (cost) in parallel, so a rebuild of
    the same data can differ in the last bit (0.00208875 vs 0.0020887500000000003)."""
    return float(f"{value:.12g}") if isinstance(value, float) else value


def capture(p: Pipeline) -> dict[str, Any]:
    """Every row of every mart (conversation_versions without last_seen_at, which moves with
    the newest extract run by design), plus test_end_to_end.snapshot."""
    tables: dict[str, Any] = {}
    for mart in CAPTURED:
        exclude = " exclude (last_seen_at)" if mart == "conversation_versions" else ""
        rows = p.rows(f"select *{exclude} from main.{mart}")
        tables[mart] = sorted((tuple(_stable(v) for v in row) for row in rows), key=repr)
    return {"tables": tables, "snapshot": snapshot(p), "daily": daily_totals(p)}


def conv_ids(p: Pipeline) -> dict[str, str]:
    """Fixture session name -> conversation id (from the deduplicated layer, listed or not)."""
    by_session = dict(
        p.rows("select native_session_id, conversation_id from main.int_conversations_deduplicated")
    )
    names = {s.session_id: s.name for s in (*ALL, R2_NEW)}
    return {names[k]: v for k, v in by_session.items() if k in names}


def listed(p: Pipeline) -> set[str]:
    """Fixture session names listed in the conversations mart."""
    names = {s.session_id: s.name for s in (*ALL, R2_NEW)}
    return {names[r[0]] for r in p.rows("select native_session_id from main.conversations")}


def conversation_row(p: Pipeline, name: str) -> dict[str, Any]:
    cid = conv_ids(p)[name]
    cur = p.rows("select * from main.conversations where conversation_id = ?", [cid])
    assert len(cur) == 1, (name, cur)
    cols = [r[0] for r in p.rows("select column_name from (describe main.conversations)")]
    return dict(zip(cols, cur[0], strict=True))


def metadata(p: Pipeline, name: str) -> dict[str, Any]:
    return json.loads(conversation_row(p, name)["platform_metadata"])


def conversation_dups(p: Pipeline) -> dict[str, tuple[str, str, str, float]]:
    """level -> (kept_id, dropped_id, action, similarity) of the conversation-level rows."""
    rows = p.rows(
        "select level, kept_id, dropped_id, action, similarity from main.duplicates"
        " where entity = 'conversation'"
    )
    levels = [r[0] for r in rows]
    assert len(levels) == len(set(levels)), rows
    return {r[0]: r[1:] for r in rows}


def message_ids(p: Pipeline, uuids: list[str]) -> dict[str, str]:
    """native uuid -> message_id, from the deduplicated layer."""
    marks = ", ".join("?" for _ in uuids)
    return dict(
        p.rows(
            "select native_message_id, message_id from main.int_messages_deduplicated"
            f" where native_message_id in ({marks})",
            uuids,
        )
    )


def expected_daily(*sessions: Session) -> dict[date, tuple[int, ...]]:
    """usage_daily totals (responses, input, output, cache write, cache read) per day."""
    days: dict[date, list[int]] = {}
    for s in sessions:
        inp, out, read, write = s.usage
        n = len(s.texts) // 2
        day = days.setdefault(s.start.date(), [0, 0, 0, 0, 0])
        for i, v in enumerate((n, n * inp, n * out, n * write, n * read)):
            day[i] += v
    return {d: tuple(v) for d, v in days.items()}


X_FIRST = Session("X", "/home/test/grow", X_ALL.start, X_ALL.texts[:4])
# The listed sessions under the default policy (H1/H2: one, F: the later F2; X before growing).
DEFAULT_LISTED_TOKENS = (P, R, R2_NEW, H1, F2, G1, G2, X_FIRST)
NO_MESSAGE_TWICE = """
    select count(*) - count(distinct message_id), count(*) - count(distinct native_message_id)
    from main.messages
"""


# --------------------------------------------------------------------------------------------------
# The lake, landed step by step, and the builds
# --------------------------------------------------------------------------------------------------


@dataclass
class Dedup:
    default: Pipeline
    files: dict[str, Path]
    copy: Path
    runs: list[dict[str, Any]]  # capture after runs 1-3 of the same folder
    copied: dict[str, Any]  # ... after the copy at another path
    grown: dict[str, Any]  # ... after X grew
    builds: dict[str, Pipeline]  # the final lake built with other actions
    failures: dict[str, str]  # the final lake built with a level set to error: the output


VARIANTS: dict[str, dict[str, str]] = {
    # raw_checksum merge / version fold message copies like skip (nothing to merge in same bytes)
    "skip": {
        "dedup_raw_checksum_action": "merge",
        "dedup_content_hash_action": "skip",
        "dedup_fuzzy_action": "skip",
    },
    "swap": {
        "dedup_raw_checksum_action": "version",
        "dedup_content_hash_action": "version",
        "dedup_fuzzy_action": "merge",
    },
}
ERRORS: dict[str, dict[str, str]] = {
    level: {f"dedup_{level}_action": "error"} for level in ("raw_checksum", "content_hash", "fuzzy")
}


@pytest.fixture(scope="module")
def dedup(tmp_path_factory: pytest.TempPathFactory) -> Dedup:
    root = tmp_path_factory.mktemp("dedup")
    projects = root / "src" / "projects"
    files = write_sources(projects)
    lake = root / "lake"
    default = Pipeline(work=root / "default", lake=lake, warehouse=root / "default.duckdb")

    runs = []
    for _ in range(3):  # the same folder, extracted and built three times
        default.extract(projects)
        build_ok(default)
        runs.append(capture(default))

    # The same folder reached by a second path: a copy of P's project folder elsewhere.
    copy = root / "elsewhere" / "projects"
    shutil.copytree(projects / "-home-test-plain", copy / "-home-test-plain")
    default.extract(copy)
    build_ok(default)
    copied = capture(default)

    grow_x(files["X"])
    default.extract(projects)
    build_ok(default)
    grown = capture(default)

    builds = {
        name: Pipeline(work=root / name, lake=lake, warehouse=root / f"{name}.duckdb")
        for name in (*VARIANTS, *ERRORS)
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        ok = {n: pool.submit(build_ok, builds[n], v) for n, v in VARIANTS.items()}
        bad = {n: pool.submit(build_fails, builds[n], v) for n, v in ERRORS.items()}
        for future in ok.values():
            future.result()
        failures = {n: f.result() for n, f in bad.items()}

    return Dedup(default, files, copy, runs, copied, grown, builds, failures)


# --------------------------------------------------------------------------------------------------
# Extracting the same files again
# --------------------------------------------------------------------------------------------------


def test_rerunning_the_same_folder_changes_no_mart(dedup: Dedup) -> None:
    first, second, third = dedup.runs
    for mart in CAPTURED:
        assert second["tables"][mart] == first["tables"][mart], mart
        assert third["tables"][mart] == first["tables"][mart], mart


def test_usage_daily_identical_over_three_runs(dedup: Dedup) -> None:
    expected = expected_daily(*DEFAULT_LISTED_TOKENS)
    assert [run["daily"] for run in dedup.runs] == [expected] * 3
    assert dedup.copied["daily"] == expected


def test_copy_at_another_path_is_raw_checksum_duplicates(dedup: Dedup) -> None:
    p = dedup.default
    before, after = dedup.runs[-1], dedup.copied
    # usage_daily unchanged, row for row; messages, conversations, tool calls: same counts
    assert after["tables"]["usage_daily"] == before["tables"]["usage_daily"]
    assert after["snapshot"]["counts"] == before["snapshot"]["counts"]
    assert after["snapshot"]["message_tokens"] == before["snapshot"]["message_tokens"]
    assert after["snapshot"]["conversation_tokens"] == before["snapshot"]["conversation_tokens"]

    # The copy's 4 records landed with the same checksums: one message-level raw_checksum
    # decision per message of P, the dropped copy being the one not kept in messages.
    original = str(dedup.files["P"])
    copied = str(dedup.copy / "-home-test-plain" / dedup.files["P"].name)
    ids = message_ids(p, P.uuids)
    assert len(ids) == 4
    rows = p.rows(
        """
        select d.dropped_id, d.kept_id, d.action, d.dropped_source_uri, d.dropped_raw_checksum,
               m.source_uri, m.raw_checksum, m.copies_landed
        from main.duplicates d left join main.messages m on m.message_id = d.dropped_id
        where d.entity = 'message' and d.level = 'raw_checksum'
        """
    )
    assert sorted(r[0] for r in rows) == sorted(ids.values())
    for dropped, kept, action, d_uri, d_sum, m_uri, m_sum, copies in rows:
        assert kept == dropped
        assert action == "skip"
        assert d_sum == m_sum  # the same bytes
        assert {d_uri, m_uri} == {original, copied}
        assert copies == 2
    # each of P's messages once in messages
    counts = p.rows(
        "select native_message_id, count(*) from main.messages"
        f" where native_message_id in ({', '.join('?' for _ in P.uuids)}) group by 1",
        P.uuids,
    )
    assert sorted(counts) == sorted((u, 1) for u in P.uuids)
    # nothing was recorded at that level before the copy
    assert not [r for r in before["tables"]["duplicates"] if "raw_checksum" in r]
    assert p.rows(NO_MESSAGE_TWICE) == [(0, 0)]


# --------------------------------------------------------------------------------------------------
# Default policy: native_id, content_hash (merge), fuzzy (version), a growing conversation
# --------------------------------------------------------------------------------------------------


def test_resumed_session_copies_are_native_id_duplicates(dedup: Dedup) -> None:
    p = dedup.default
    ids = message_ids(p, R.uuids)
    conv = conv_ids(p)
    rows = p.rows(
        "select dropped_id, kept_id, action, dropped_source_uri from main.duplicates"
        " where entity = 'message' and level = 'native_id'"
    )
    assert sorted(r[0] for r in rows) == sorted(ids.values())
    assert {(r[0] == r[1], r[2], r[3]) for r in rows} == {(True, "skip", str(dedup.files["R2"]))}
    # each copied message once, under R, from R's file
    kept = p.rows(
        "select native_message_id, conversation_id, source_uri, copies_landed from main.messages"
        f" where native_message_id in ({', '.join('?' for _ in R.uuids)})",
        R.uuids,
    )
    assert sorted(kept) == sorted((u, conv["R"], str(dedup.files["R"]), 2) for u in R.uuids)
    r2 = conversation_row(p, "R2")
    assert r2["total_messages"] == 2
    assert r2["parent_conversation_id"] == conv["R"]
    assert conversation_row(p, "R")["total_messages"] == 4
    assert p.rows(NO_MESSAGE_TWICE) == [(0, 0)]


def _h_pair(p: Pipeline) -> tuple[str, str]:
    """(kept, dropped) of H1/H2: same start, so the smaller id is kept."""
    conv = conv_ids(p)
    return min(conv["H1"], conv["H2"]), max(conv["H1"], conv["H2"])


def _name_of(p: Pipeline, cid: str) -> str:
    return {v: k for k, v in conv_ids(p).items()}[cid]


def test_same_content_different_bytes_is_content_hash_merge(dedup: Dedup) -> None:
    p = dedup.default
    kept, dropped = _h_pair(p)
    hashes = dict(
        p.rows(
            "select conversation_id, content_hash || '|' || raw_checksum"
            " from main.int_conversations_deduplicated where conversation_id in (?, ?)",
            [kept, dropped],
        )
    )
    # the fixture: same content hash, different raw checksums
    assert hashes[kept].split("|")[0] == hashes[dropped].split("|")[0]
    assert hashes[kept].split("|")[1] != hashes[dropped].split("|")[1]

    assert conversation_dups(p)["content_hash"] == (kept, dropped, "merge", 1.0)
    names = listed(p)
    assert _name_of(p, kept) in names
    assert _name_of(p, dropped) not in names
    meta = metadata(p, _name_of(p, kept))
    assert meta["merged_conversation_ids"] == [dropped]
    assert meta["source_files"] == 2
    # usage counted once
    row = conversation_row(p, _name_of(p, kept))
    inp, out, read, write = H1.tokens()
    assert (
        row["total_uncached_input_tokens"],
        row["total_output_tokens"],
        row["total_cache_read_tokens"],
        row["total_cache_write_tokens"],
        row["total_messages"],
    ) == (inp, out, read, write, 4)
    day = H1.start.date()
    assert daily_totals(p)[day] == expected_daily(H1)[day]
    assert p.one("select count(*) from main.messages where conversation_id = ?", [dropped]) == 0
    assert p.one("select count(*) from main.messages where conversation_id = ?", [kept]) == 4


def _fuzzy_similarity(p: Pipeline, a: str, b: str) -> float:
    """The share of positions with the same timeless fingerprint, computed here."""
    return p.one(
        """
        select avg(case when x.timeless_fingerprint = y.timeless_fingerprint then 1.0 else 0 end)
        from main.int_messages_fingerprinted x
        join main.int_messages_fingerprinted y
          on x.fingerprint_position = y.fingerprint_position
        where x.conversation_id = ? and y.conversation_id = ?
        """,
        [a, b],
    )


def test_near_identical_sessions_are_fuzzy_versions(dedup: Dedup) -> None:
    p = dedup.default
    conv = conv_ids(p)
    f1, f2, g1, g2 = conv["F1"], conv["F2"], conv["G1"], conv["G2"]
    # the fixtures: 19/20 and 18/20 positions alike
    assert _fuzzy_similarity(p, f1, f2) == pytest.approx(0.95)
    assert _fuzzy_similarity(p, g1, g2) == pytest.approx(0.90)

    kept, dropped, action, similarity = conversation_dups(p)["fuzzy"]
    assert (kept, dropped, action) == (f1, f2, "version")
    assert similarity == pytest.approx(0.95)

    versions = p.rows(
        "select conversation_id, canonical_conversation_id, is_current"
        " from main.conversation_versions where conversation_id in (?, ?)",
        [f1, f2],
    )
    # both kept as versions of F1; the most recently updated (F2, 5 s later) is the listed one
    assert sorted(versions) == sorted([(f1, f1, False), (f2, f1, True)])
    names = listed(p)
    assert "F2" in names
    assert "F1" not in names
    assert conversation_row(p, "F2")["canonical_conversation_id"] == f1
    assert p.one("select count(*) from main.messages where conversation_id = ?", [f1]) == 0
    assert p.one("select count(*) from main.messages where conversation_id = ?", [f2]) == 20

    # below the threshold: not folded, at any level
    assert {"G1", "G2"} <= names
    assert (
        p.rows(
            "select * from main.duplicates where kept_id in (?, ?) or dropped_id in (?, ?)",
            [g1, g2, g1, g2],
        )
        == []
    )
    assert conversation_row(p, "G1")["canonical_conversation_id"] == g1
    assert conversation_row(p, "G2")["canonical_conversation_id"] == g2


def test_growing_conversation_gets_a_second_version(dedup: Dedup) -> None:
    p = dedup.default
    x = conv_ids(p)["X"]

    before = [r for r in dedup.copied["tables"]["conversation_versions"] if x in r]
    assert len(before) == 1
    rows = p.rows(
        "select version, content_hash, message_count, is_current, run_id"
        " from main.conversation_versions where conversation_id = ? order by version",
        [x],
    )
    assert [(r[0], r[2], r[3]) for r in rows] == [(1, 4, False), (2, 6, True)]
    assert rows[0][1] != rows[1][1]
    assert rows[0][4] != rows[1][4]
    row = conversation_row(p, "X")
    assert (row["total_messages"], row["version"]) == (6, 2)
    assert row["content_hash"] == rows[1][1]

    # only X's day changed: two more messages, one more response
    expected = expected_daily(P, R, R2_NEW, H1, F2, G1, G2, X_ALL)
    assert dedup.grown["daily"] == expected
    assert expected != dedup.copied["daily"]
    assert {d: v for d, v in expected.items() if d != X_ALL.start.date()} == {
        d: v for d, v in dedup.copied["daily"].items() if d != X_ALL.start.date()
    }
    assert p.rows(NO_MESSAGE_TWICE) == [(0, 0)]


# --------------------------------------------------------------------------------------------------
# The other actions, on the final lake
# --------------------------------------------------------------------------------------------------


def _message_actions(p: Pipeline) -> dict[str, tuple[set[str], int]]:
    """level -> (actions, rows) of the message-level decisions."""
    out: dict[str, tuple[set[str], int]] = {}
    for level, action, n in p.rows(
        "select level, action, count(*) from main.duplicates where entity = 'message' group by 1, 2"
    ):
        actions, total = out.get(level, (set(), 0))
        out[level] = (actions | {action}, total + n)
    return out


def test_skip_everywhere(dedup: Dedup) -> None:
    p = dedup.builds["skip"]
    conv = conv_ids(p)
    kept, dropped = _h_pair(p)
    dups = conversation_dups(p)
    assert dups["content_hash"] == (kept, dropped, "skip", 1.0)
    assert dups["fuzzy"][:3] == (conv["F1"], conv["F2"], "skip")
    # raw_checksum set to merge folds message copies like skip
    assert _message_actions(p) == {"raw_checksum": ({"skip"}, 4), "native_id": ({"skip"}, 4)}
    assert listed(p) == {"P", "R", "R2", _name_of(p, kept), "F1", "G1", "G2", "X"}
    for name in (_name_of(p, kept), "F1"):
        meta = metadata(p, name)
        assert meta.get("merged_conversation_ids") is None, (name, meta)
        assert meta["source_files"] == 1
        assert conversation_row(p, name)["canonical_conversation_id"] == conv[name]
    for cid in (dropped, conv["F2"]):
        assert p.one("select count(*) from main.messages where conversation_id = ?", [cid]) == 0
        assert p.one("select count(*) from main.tool_calls where conversation_id = ?", [cid]) == 0
    assert daily_totals(p) == expected_daily(P, R, R2_NEW, H1, F1, G1, G2, X_ALL)
    assert p.rows(NO_MESSAGE_TWICE) == [(0, 0)]


def test_content_hash_version_and_fuzzy_merge(dedup: Dedup) -> None:
    p = dedup.builds["swap"]
    conv = conv_ids(p)
    kept, dropped = _h_pair(p)
    dups = conversation_dups(p)
    assert dups["content_hash"] == (kept, dropped, "version", 1.0)
    assert dups["fuzzy"][:3] == (conv["F1"], conv["F2"], "merge")
    # raw_checksum set to version folds message copies like skip too
    assert _message_actions(p) == {"raw_checksum": ({"skip"}, 4), "native_id": ({"skip"}, 4)}

    # content_hash version: both are versions of the kept one, one of them listed
    versions = p.rows(
        "select conversation_id, canonical_conversation_id, is_current"
        " from main.conversation_versions where conversation_id in (?, ?)",
        [kept, dropped],
    )
    assert sorted(r[:2] for r in versions) == sorted([(kept, kept), (dropped, kept)])
    assert sorted(r[2] for r in versions) == [False, True]
    h_listed = {_name_of(p, kept), _name_of(p, dropped)} & listed(p)
    assert len(h_listed) == 1
    (h_name,) = h_listed
    assert conversation_row(p, h_name)["canonical_conversation_id"] == kept
    current = next(r[0] for r in versions if r[2])
    assert current == conv[h_name]

    # fuzzy merge: F1 listed with F2 merged into its metadata, F2 not listed
    assert listed(p) == {"P", "R", "R2", h_name, "F1", "G1", "G2", "X"}
    meta = metadata(p, "F1")
    assert meta["merged_conversation_ids"] == [conv["F2"]]
    assert meta["source_files"] == 2
    assert p.one("select count(*) from main.messages where conversation_id = ?", [conv["F2"]]) == 0

    # usage counted once for the H pair and the F pair
    assert daily_totals(p) == expected_daily(P, R, R2_NEW, H1, F1, G1, G2, X_ALL)
    assert p.rows(NO_MESSAGE_TWICE) == [(0, 0)]


@pytest.mark.parametrize("level", sorted(ERRORS))
def test_error_fails_the_build_naming_the_pair(dedup: Dedup, level: str) -> None:
    p = dedup.builds[level]
    output = dedup.failures[level]
    # the one error is the deduplication check (everything else built and passed)
    assert "Failure in test assert_no_duplicates_set_to_error" in output, _tail(output)
    assert " ERROR=1 " in output, _tail(output)
    conv = conv_ids(p)
    assert "duplicates" in output
    assert f"at level {level}" in output
    for other in set(ERRORS) - {level}:
        assert f"at level {other}" not in output
    if level == "raw_checksum":
        pairs = [(m, m) for m in message_ids(p, P.uuids).values()]
    elif level == "content_hash":
        pairs = [_h_pair(p)]
    else:
        pairs = [(conv["F1"], conv["F2"])]
    for kept, dropped in pairs:
        assert f"{dropped} duplicates {kept}" in output
    errors = p.rows("select kept_id, dropped_id, level from main.duplicates where action = 'error'")
    assert sorted(errors) == sorted((k, d, level) for k, d in pairs)
    if level != "raw_checksum":
        # error keeps both listed (the build fails instead)
        (kept, dropped) = pairs[0]
        assert p.rows(
            "select bool_and(is_listed), count(*) from main.int_conversations_deduplicated"
            " where conversation_id in (?, ?)",
            [kept, dropped],
        ) == [(True, 2)]
