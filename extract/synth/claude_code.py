"""Claude Code transcripts: ``projects/<encoded cwd>/<session>.jsonl``.

Quirks written on purpose (models/staging/claude_code, examples/claude_code/README.md):
- one API response split over several lines (thinking / text / tool_use), each line its own
  ``uuid`` and a full ``usage``, sharing ``message.id`` and ``requestId``; intermediate lines
  have ``stop_reason: null`` and a placeholder ``output_tokens``, the last one the real count;
- resumed sessions: a ``summary`` line pointing at the resumed session's leaf, then the first
  turn of that session copied verbatim (same uuids, ``sessionId`` rewritten), then new work;
- subagents in the 2.1.x layout (``<session>/subagents/agent-<17 hex>.jsonl`` + ``.meta.json``,
  ``isSidechain: true``, the parent's ``sessionId``), spawned by a ``Task`` tool call.

Counting rules: every user / assistant line is a message (copied lines count once, under the
session that first held them); usage counts once per response (its last line); input tokens are
Anthropic's uncached input, cache read / write as reported; each ``tool_use`` block is a tool call.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from extract.synth.base import PlatformWriter
from extract.synth.common import (
    CountingFile,
    LineSink,
    b62_id,
    hex_id,
    iso_ms,
    new_uuid,
    rng_for,
    start_time,
    write_json,
)

PROJECTS = (
    "webapp",
    "data-pipeline",
    "api-gateway",
    "mobile-client",
    "infra",
    "ml-training",
    "billing-service",
    "docs-site",
    "cli-tools",
    "search-indexer",
)
MODELS = ("claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001")
VERSIONS = ("2.0.14", "2.0.37", "2.1.20")
TOOLS = ("Bash", "Read", "Edit", "Grep", "Glob", "Write")
RESUME_PROBABILITY = 0.12
SUBAGENT_PROBABILITY = 0.25


@dataclass
class _Session:
    """What the lines of one transcript file share."""

    session_id: str
    cwd: str
    version: str
    branch: str
    model: str
    sidechain: bool = False
    agent_id: str | None = None


@dataclass
class _Resumable:
    """The newest session of a project: what a later session that resumes it copies."""

    session_id: str
    first_turn: list[dict[str, Any]]
    leaf_uuid: str
    ended_at: datetime


class ClaudeCodeWriter(PlatformWriter):
    name = "claude_code"
    source_subpath = "projects"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._growable: list[Path] = []
        self._latest: dict[str, _Resumable] = {}

    # ------------------------------------------------------------------ lines

    def _envelope(self, s: _Session, parent: str | None) -> dict[str, Any]:
        line: dict[str, Any] = {"parentUuid": parent, "isSidechain": s.sidechain}
        if s.agent_id:
            line["agentId"] = s.agent_id
        line.update(
            {
                "userType": "external",
                "cwd": s.cwd,
                "sessionId": s.session_id,
                "version": s.version,
                "gitBranch": s.branch,
            }
        )
        return line

    def _user(
        self, rng: random.Random, s: _Session, parent: str | None, content: Any, t: datetime
    ) -> dict[str, Any]:
        line = self._envelope(s, parent)
        line.update(
            {
                "type": "user",
                "message": {"role": "user", "content": content},
                "uuid": new_uuid(rng),
                "timestamp": iso_ms(t),
            }
        )
        return line

    def _response(
        self,
        rng: random.Random,
        s: _Session,
        parent: str,
        t: datetime,
        blocks: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """One API response as Claude Code writes it: one line per content block."""
        message_id = "msg_01" + b62_id(rng, 22)
        request_id = "req_011C" + b62_id(rng, 18)
        input_tokens = rng.randint(1, 40)
        cache_write = rng.randint(0, 6000)
        cache_read = rng.randint(2000, 160_000)
        output = rng.randint(20, 1800)
        stop = "tool_use" if blocks[-1]["type"] == "tool_use" else "end_turn"
        lines = []
        for n, block in enumerate(blocks):
            last = n == len(blocks) - 1
            line = self._envelope(s, parent)
            line.update(
                {
                    "message": {
                        "model": s.model,
                        "id": message_id,
                        "type": "message",
                        "role": "assistant",
                        "content": [block],
                        "stop_reason": stop if last else None,
                        "stop_sequence": None,
                        "usage": {
                            "input_tokens": input_tokens,
                            "cache_creation_input_tokens": cache_write,
                            "cache_read_input_tokens": cache_read,
                            "cache_creation": {
                                "ephemeral_5m_input_tokens": cache_write,
                                "ephemeral_1h_input_tokens": 0,
                            },
                            "output_tokens": output if last else rng.randint(1, 9),
                            "service_tier": "standard",
                        },
                    },
                    "requestId": request_id,
                    "type": "assistant",
                    "uuid": new_uuid(rng),
                    "timestamp": iso_ms(t),
                }
            )
            lines.append(line)
            parent = line["uuid"]
            if not last:
                self.totals.quirk("split_response_lines")
            t += timedelta(milliseconds=rng.randint(300, 4000))
        self.totals.usage(input_tokens, output, cache_read, cache_write)
        return lines

    def _tool_use(self, rng: random.Random, name: str, tag: str) -> dict[str, Any]:
        tool_input: dict[str, Any]
        if name == "Bash":
            tool_input = {"command": f"pytest -q tests/test_{tag}.py", "description": "Run tests"}
        elif name in ("Read", "Write", "Edit"):
            tool_input = {"file_path": f"/src/{tag}/{self.pool.take(rng, 4, 12).strip()}.py"}
            if name != "Read":
                tool_input["content"] = self.pool.take(rng, 200, 3000)
        else:
            tool_input = {"pattern": self.pool.take(rng, 5, 20).strip(), "path": "."}
        return {
            "type": "tool_use",
            "id": "toolu_01" + b62_id(rng, 22),
            "name": name,
            "input": tool_input,
        }

    # ------------------------------------------------------------------ conversation parts

    def _assistant_turn(
        self,
        rng: random.Random,
        s: _Session,
        out: LineSink,
        parent: str,
        t: datetime,
        tag: str,
        *,
        rounds: int,
        spawn: _SpawnRequest | None = None,
    ) -> tuple[str, datetime]:
        """Tool rounds (response + tool result each), then the final text response."""
        for r in range(rounds):
            blocks: list[dict[str, Any]] = []
            if rng.random() < 0.4:
                blocks.append(
                    {
                        "type": "thinking",
                        "thinking": self.pool.take(rng, 80, 900),
                        "signature": b62_id(rng, 40),
                    }
                )
            if rng.random() < 0.7:
                blocks.append({"type": "text", "text": self.pool.take(rng, 40, 600)})
            if spawn is not None and r == 0:
                call = {
                    "type": "tool_use",
                    "id": "toolu_01" + b62_id(rng, 22),
                    "name": "Task",
                    "input": {
                        "description": "Investigate",
                        "prompt": spawn.prompt,
                        "subagent_type": "general-purpose",
                    },
                }
            else:
                call = self._tool_use(rng, rng.choice(TOOLS), tag)
            blocks.append(call)
            lines = self._response(rng, s, parent, t, blocks)
            for line in lines:
                out.line(line)
            self.totals.messages += len(lines)
            self.totals.tool_calls += 1
            parent = lines[-1]["uuid"]
            t = _after(lines[-1]) + timedelta(milliseconds=rng.randint(200, 20_000))
            if spawn is not None and r == 0:
                t = spawn.run(t)
                result_text = spawn.result
            else:
                result_text = self.pool.take(rng, 100, 6000)
            result = self._user(
                rng,
                s,
                parent,
                [
                    {
                        "tool_use_id": call["id"],
                        "type": "tool_result",
                        "content": result_text,
                        "is_error": False,
                    }
                ],
                t,
            )
            result["toolUseResult"] = {
                "stdout": result_text[:2000],
                "stderr": "",
                "interrupted": False,
            }
            out.line(result)
            self.totals.messages += 1
            parent = result["uuid"]
            t += timedelta(milliseconds=rng.randint(500, 8000))
        blocks = []
        if rng.random() < 0.3:
            blocks.append(
                {
                    "type": "thinking",
                    "thinking": self.pool.take(rng, 80, 600),
                    "signature": b62_id(rng, 40),
                }
            )
        blocks.append({"type": "text", "text": self.pool.take(rng, 40, 1500)})
        lines = self._response(rng, s, parent, t, blocks)
        for line in lines:
            out.line(line)
        self.totals.messages += len(lines)
        return lines[-1]["uuid"], _after(lines[-1])

    def _turn(
        self,
        rng: random.Random,
        s: _Session,
        out: LineSink,
        parent: str | None,
        t: datetime,
        tag: str,
        *,
        spawn: _SpawnRequest | None = None,
    ) -> tuple[list[dict[str, Any]], str, datetime]:
        """A user prompt and everything up to the final answer; returns the prompt line too."""
        prompt = self._user(rng, s, parent, f"[{tag}] {self.pool.take(rng, 20, 400)}", t)
        out.line(prompt)
        self.totals.messages += 1
        t += timedelta(milliseconds=rng.randint(800, 3000))
        leaf, t = self._assistant_turn(
            rng, s, out, prompt["uuid"], t, tag, rounds=rng.choice((0, 1, 1, 2, 3, 4)), spawn=spawn
        )
        return [prompt], leaf, t

    # ------------------------------------------------------------------ sessions

    def write_session(self, index: int) -> None:
        rng = rng_for(self.seed, self.name, index)
        project = PROJECTS[rng.randrange(len(PROJECTS))]
        # every 8th session (from the 2nd) resumes an earlier one, others now and then
        wants_resume = index % 8 == 1 or rng.random() < RESUME_PROBABILITY
        if wants_resume and project not in self._latest and self._latest:
            project = sorted(self._latest)[rng.randrange(len(self._latest))]
        cwd = f"/home/dev/{project}"
        folder = self.root / "projects" / cwd.replace("/", "-")
        s = _Session(
            session_id=new_uuid(rng),
            cwd=cwd,
            version=rng.choice(VERSIONS),
            branch=rng.choice(("main", "main", "feature/x", "fix/flaky-test")),
            model=rng.choice(MODELS),
        )
        tag = f"cc{index}"
        path = folder / f"{s.session_id}.jsonl"
        out = CountingFile(path)
        t = start_time(rng)
        parent: str | None = None
        resumed = self._latest.get(project) if wants_resume else None
        if resumed is not None:
            # `claude --resume`: a summary of the old session, its first turn copied verbatim
            out.line(
                {"type": "summary", "summary": f"Resumed work {tag}", "leafUuid": resumed.leaf_uuid}
            )
            for line in resumed.first_turn:
                out.line({**line, "sessionId": s.session_id})
            parent = resumed.first_turn[-1]["uuid"]
            self.totals.quirk("resumed_sessions")
            t = resumed.ended_at + timedelta(minutes=rng.randint(10, 2 * 24 * 60))
        first_turn: list[dict[str, Any]] = []
        recorder = _Recorder(out, first_turn)
        turns = rng.randint(2, 5) if rng.random() < 0.5 else rng.randint(6, 24)
        # every 4th session (from the 3rd) spawns a subagent in its 2nd turn, others now and then
        forced_spawn = 1 if index % 4 == 2 else -1
        for n in range(turns):
            spawn = None
            if n == forced_spawn or (n > 0 and rng.random() < SUBAGENT_PROBABILITY / turns * 2):
                spawn = _SpawnRequest(self, rng, s, folder, f"{tag}.{n}")
            sink = recorder if n == 0 else out
            _, parent, t = self._turn(rng, s, sink, parent, t, f"{tag}.{n}", spawn=spawn)
            t += timedelta(seconds=rng.randint(20, 900))
        out.close()
        self.totals.conversations += 1
        self.totals.files += 1
        self.totals.bytes += out.bytes
        if resumed is None and parent is not None:
            self._latest[project] = _Resumable(s.session_id, first_turn, parent, t)

    def growable(self) -> int:
        self._growable = self._session_files()
        return len(self._growable)

    def grow(self, index: int, generation: int) -> None:
        """Append turns to a main session file (the extractor lands only the new lines)."""
        path = self._growable[index]
        last = json.loads(_last_line(path))
        rng = rng_for(self.seed, self.name, "grow", generation, index)
        s = _Session(
            session_id=last["sessionId"],
            cwd=last["cwd"],
            version=last["version"],
            branch=last["gitBranch"],
            model=rng.choice(MODELS),
        )
        t = datetime.fromisoformat(last["timestamp"].replace("Z", "+00:00"))
        t += timedelta(minutes=rng.randint(30, 3 * 24 * 60))
        out = CountingFile(path, "ab")
        parent = last["uuid"]
        for n in range(rng.randint(1, 3)):
            _, parent, t = self._turn(rng, s, out, parent, t, f"cc-grow{generation}.{index}.{n}")
            t += timedelta(seconds=rng.randint(20, 900))
        out.close()
        self.totals.bytes += out.bytes
        self.totals.quirk("grown_sessions")

    def _session_files(self) -> list[Path]:
        projects = self.root / "projects"
        if not projects.is_dir():
            return []
        return sorted(projects.glob("*/*.jsonl"))


class _Recorder:
    """A CountingFile stand-in that also keeps the lines (a session's first turn, for resumes)."""

    def __init__(self, out: CountingFile, keep: list[dict[str, Any]]) -> None:
        self.out = out
        self.keep = keep

    def line(self, obj: dict[str, Any]) -> None:
        self.out.line(obj)
        self.keep.append(obj)


class _SpawnRequest:
    """A Task call's subagent: its transcript in ``<session>/subagents/agent-<id>.jsonl``."""

    def __init__(
        self, writer: ClaudeCodeWriter, rng: random.Random, parent: _Session, folder: Path, tag: str
    ) -> None:
        self.writer = writer
        self.rng = rng
        self.parent = parent
        self.folder = folder
        self.tag = tag
        self.prompt = f"[{tag} subagent] {writer.pool.take(rng, 60, 500)}"
        self.result = ""

    def run(self, t: datetime) -> datetime:
        """Write the subagent's transcript starting at ``t``; return when it finished."""
        w, rng = self.writer, self.rng
        agent_id = "a" + hex_id(rng, 16)
        s = _Session(
            session_id=self.parent.session_id,
            cwd=self.parent.cwd,
            version=self.parent.version,
            branch=self.parent.branch,
            model="claude-haiku-4-5-20251001",
            sidechain=True,
            agent_id=agent_id,
        )
        subagents = self.folder / self.parent.session_id / "subagents"
        out = CountingFile(subagents / f"agent-{agent_id}.jsonl")
        root = w._user(rng, s, None, self.prompt, t)
        out.line(root)
        w.totals.messages += 1
        t += timedelta(milliseconds=rng.randint(500, 2000))
        _, t = w._assistant_turn(rng, s, out, root["uuid"], t, self.tag, rounds=rng.randint(1, 4))
        out.close()
        meta = write_json(
            subagents / f"agent-{agent_id}.meta.json",
            {"agentType": "general-purpose", "spawnDepth": 1},
        )
        w.totals.files += 2
        w.totals.quirk("subagents")
        w.totals.bytes += out.bytes + meta
        self.result = w.pool.take(rng, 100, 1500)
        return t + timedelta(milliseconds=rng.randint(200, 2000))


def _after(line: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00"))


def _last_line(path: Path) -> str:
    """The last non-empty line of a file, read from its end."""
    with open(path, "rb") as f:
        f.seek(0, 2)
        end = f.tell()
        block = 1 << 16
        data = b""
        while end > 0:
            start = max(0, end - block)
            f.seek(start)
            data = f.read(end - start) + data
            lines = [x for x in data.split(b"\n") if x.strip()]
            if len(lines) >= 2 or start == 0:
                return lines[-1].decode("utf-8")
            end = start
    raise ValueError(f"{path} is empty")
