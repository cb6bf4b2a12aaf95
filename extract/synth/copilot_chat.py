"""GitHub Copilot Chat in VS Code: ``User/workspaceStorage/<hash>/chatSessions/<id>.json|.jsonl``,
``workspace.json`` per workspace, ``User/globalStorage/emptyWindowChatSessions/<id>.json``.

Two encodings, as VS Code writes them:
- the flat session JSON (version 3, VS Code <= 1.108), no token counts;
- the JSONL mutation log (1.109+): a kind-0 snapshot, kind-2 pushes of response parts (one of
  them a truncating push, ``i``, that replaces an incomplete tool invocation with the completed
  one), kind-1 sets of ``promptTokens`` / ``completionTokens`` / ``result`` / ``modelState``,
  pushes of new requests and a ``customTitle`` set. A grown log gets more pushes appended.

Counting rules (models/staging/copilot_chat): every request is a user and an assistant message;
each completed ``toolInvocationSerialized`` part of the final state is one tool call; tokens are
OpenAI-style (``promptTokens`` includes cached ones, no split), so input = promptTokens,
output = completionTokens, cache columns null.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from extract.synth.base import PlatformWriter
from extract.synth.common import (
    CountingFile,
    epoch_ms,
    hex_id,
    new_uuid,
    rng_for,
    start_time,
    write_json,
)

WORKSPACES = 6
MODELS = ("copilot/gpt-4o", "copilot/gpt-5-mini", "copilot/claude-sonnet-4.5", "copilot/gpt-4.1")
TOOLS = (
    "copilot_findTextInFiles",
    "copilot_readFile",
    "copilot_runInTerminal",
    "copilot_createFile",
)


def _agent(version: str) -> dict[str, Any]:
    return {
        "extensionId": {"value": "GitHub.copilot-chat", "_lower": "github.copilot-chat"},
        "extensionVersion": version,
        "publisherDisplayName": "GitHub",
        "extensionPublisherId": "GitHub",
        "extensionDisplayName": "GitHub Copilot Chat",
        "id": "github.copilot.editsAgent",
        "name": "agent",
        "fullName": "GitHub Copilot",
        "isDefault": True,
        "locations": ["panel"],
        "modes": ["agent"],
        "slashCommands": [],
        "disambiguation": [],
    }


class CopilotChatWriter(PlatformWriter):
    name = "copilot_chat"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._growable: list[Path] = []

    def _workspace(self, rng: random.Random) -> Path | None:
        """The chatSessions folder of one of a few workspaces (None: an empty-window chat)."""
        n = rng.randrange(WORKSPACES + 1)
        user = self.root / "User"
        if n == WORKSPACES:
            return user / "globalStorage" / "emptyWindowChatSessions"
        ws_rng = rng_for(self.seed, self.name, "workspace", n)
        folder = user / "workspaceStorage" / hex_id(ws_rng, 32)
        meta = folder / "workspace.json"
        if not meta.exists():
            self.totals.bytes += write_json(meta, {"folder": f"file:///home/dev/project-{n}"})
            self.totals.files += 1
        return folder / "chatSessions"

    def _text(self, rng: random.Random, low: int, high: int) -> str:
        return self.pool.take(rng, low, high)

    def _tool_part(
        self, rng: random.Random, complete: bool, call_id: str, tool: str
    ) -> dict[str, Any]:
        part: dict[str, Any] = {
            "kind": "toolInvocationSerialized",
            "invocationMessage": {
                "value": f"Running {tool}",
                "supportThemeIcons": False,
                "supportHtml": False,
                "uris": {},
            },
        }
        if complete:
            part["pastTenseMessage"] = {
                "value": f"Ran {tool}: {self._text(rng, 20, 200)}",
                "supportThemeIcons": False,
                "supportHtml": False,
                "uris": {},
            }
        part.update(
            {
                "isConfirmed": {"type": 1},
                "isComplete": complete,
                "source": {"type": "internal", "label": "Built-In"},
                "toolCallId": call_id,
                "toolId": tool,
            }
        )
        return part

    def _markdown(self, rng: random.Random) -> dict[str, Any]:
        return {
            "value": self._text(rng, 60, 2500),
            "supportThemeIcons": False,
            "supportHtml": False,
            "baseUri": {"$mid": 1, "path": "/home/dev/", "scheme": "file"},
        }

    def _request(
        self, rng: random.Random, tag: str, t: datetime, version: str, response: list[Any]
    ) -> dict[str, Any]:
        text = f"[{tag}] {self._text(rng, 20, 300)}"
        return {
            "requestId": f"request_{new_uuid(rng)}",
            "timestamp": epoch_ms(t),
            "agent": _agent(version),
            "modelId": rng.choice(MODELS),
            "responseId": f"response_{new_uuid(rng)}",
            "message": {
                "text": text,
                "parts": [
                    {
                        "range": {"start": 0, "endExclusive": len(text)},
                        "editorRange": {
                            "startLineNumber": 1,
                            "startColumn": 1,
                            "endLineNumber": 1,
                            "endColumn": len(text) + 1,
                        },
                        "text": text,
                        "kind": "text",
                    }
                ],
            },
            "variableData": {"variables": []},
            "response": response,
            "contentReferences": [],
            "codeCitations": [],
        }

    # ------------------------------------------------------------------ flat JSON (<= 1.108)

    def _flat(self, rng: random.Random, path: Path, session_id: str, t: datetime, tag: str) -> None:
        requests = []
        for n in range(rng.randint(1, 8)):
            response: list[Any] = []
            for _ in range(rng.choice((0, 0, 1, 2))):
                response.append(
                    self._tool_part(rng, True, f"call_{hex_id(rng, 24)}", rng.choice(TOOLS))
                )
                self.totals.tool_calls += 1
            response.append(self._markdown(rng))
            request = self._request(rng, f"{tag}.{n}", t, "0.32.4", response)
            request["result"] = {
                "timings": {
                    "firstProgress": rng.randint(300, 2000),
                    "totalElapsed": rng.randint(2000, 30000),
                },
                "metadata": {},
            }
            request["isCanceled"] = False
            requests.append(request)
            self.totals.messages += 2
            t += timedelta(seconds=rng.randint(30, 600))
        doc = {
            "version": 3,
            "requesterUsername": "dev",
            "responderUsername": "GitHub Copilot",
            "initialLocation": "panel",
            "requests": requests,
            "sessionId": session_id,
            "creationDate": requests[0]["timestamp"] - 1000,
            "isImported": False,
            "lastMessageDate": requests[-1]["timestamp"],
        }
        self.totals.bytes += write_json(path, doc, indent=2)

    # ------------------------------------------------------------------ mutation log (1.109+)

    def _log_request(
        self,
        rng: random.Random,
        out: CountingFile,
        index: int,
        tag: str,
        t: datetime,
        *,
        first: dict[str, Any] | None,
    ) -> None:
        """Push request ``index`` (unless it is the snapshot's ``first``), its parts and sets."""
        request = first or self._request(rng, tag, t, "0.37.1", [])
        if first is None:
            out.line({"kind": 2, "k": ["requests"], "v": [request]})
        key = ["requests", index, "response"]
        for part in range(rng.choice((0, 1, 1, 2))):
            call_id = f"toolu_01{hex_id(rng, 20)}__vscode-{index}"
            tool = rng.choice(TOOLS)
            out.line({"kind": 2, "k": key, "v": [self._tool_part(rng, False, call_id, tool)]})
            # the completed invocation replaces the incomplete one: a truncating push
            out.line(
                {"kind": 2, "k": key, "i": part, "v": [self._tool_part(rng, True, call_id, tool)]}
            )
            self.totals.tool_calls += 1
            self.totals.quirk("truncating_pushes")
        out.line({"kind": 2, "k": key, "v": [self._markdown(rng)]})
        prompt, completion = rng.randint(2000, 40000), rng.randint(20, 1500)
        out.line({"kind": 1, "k": ["requests", index, "completionTokens"], "v": rng.randint(1, 19)})
        out.line({"kind": 1, "k": ["requests", index, "completionTokens"], "v": completion})
        out.line({"kind": 1, "k": ["requests", index, "promptTokens"], "v": prompt})
        elapsed = rng.randint(2000, 40000)
        out.line(
            {
                "kind": 1,
                "k": ["requests", index, "result"],
                "v": {
                    "timings": {"firstProgress": rng.randint(300, 2000), "totalElapsed": elapsed},
                    "metadata": {},
                },
            }
        )
        out.line(
            {
                "kind": 1,
                "k": ["requests", index, "modelState"],
                "v": {"value": 1, "completedAt": epoch_ms(t) + elapsed},
            }
        )
        self.totals.messages += 2
        self.totals.usage(prompt, completion)

    def _log(self, rng: random.Random, path: Path, session_id: str, t: datetime, tag: str) -> None:
        out = CountingFile(path)
        first = self._request(rng, f"{tag}.0", t, "0.37.1", [])
        out.line(
            {
                "kind": 0,
                "v": {
                    "version": 3,
                    "creationDate": epoch_ms(t) - 1000,
                    "initialLocation": "panel",
                    "responderUsername": "GitHub Copilot",
                    "sessionId": session_id,
                    "hasPendingEdits": False,
                    "requests": [first],
                    "pendingRequests": [],
                },
            }
        )
        for n in range(rng.randint(1, 8)):
            self._log_request(rng, out, n, f"{tag}.{n}", t, first=first if n == 0 else None)
            if n == 0:
                out.line({"kind": 1, "k": ["customTitle"], "v": f"Session {tag}"})
            t += timedelta(seconds=rng.randint(30, 600))
        out.close()
        self.totals.bytes += out.bytes

    def write_session(self, index: int) -> None:
        rng = rng_for(self.seed, self.name, index)
        folder = self._workspace(rng)
        session_id = new_uuid(rng)
        t = start_time(rng)
        tag = f"cp{index}"
        if index % 2:
            self.totals.quirk("flat_sessions")
            self._flat(rng, folder / f"{session_id}.json", session_id, t, tag)
        else:
            self.totals.quirk("mutation_logs")
            self._log(rng, folder / f"{session_id}.jsonl", session_id, t, tag)
        self.totals.conversations += 1
        self.totals.files += 1

    def _logs(self) -> list[Path]:
        user = self.root / "User"
        logs = sorted(user.glob("workspaceStorage/*/chatSessions/*.jsonl"))
        return logs + sorted(user.glob("globalStorage/emptyWindowChatSessions/*.jsonl"))

    def growable(self) -> int:
        self._growable = self._logs()
        return len(self._growable)

    def grow(self, index: int, generation: int) -> None:
        """Push one more request onto a mutation log (new lines appended)."""
        path = self._growable[index]
        requests, last_ms = 0, 0
        with open(path, encoding="utf-8") as f:
            for raw in f:
                entry = json.loads(raw)
                if entry.get("kind") == 0:
                    requests = len(entry["v"]["requests"])
                    last_ms = max([last_ms, *(r["timestamp"] for r in entry["v"]["requests"])])
                elif entry.get("kind") == 2 and entry.get("k") == ["requests"]:
                    requests += len(entry["v"])
                    last_ms = max([last_ms, *(r["timestamp"] for r in entry["v"])])
        rng = rng_for(self.seed, self.name, "grow", generation, index)
        t = datetime.fromtimestamp(last_ms / 1000, tz=start_time(rng).tzinfo) + timedelta(
            hours=rng.randint(1, 48)
        )
        out = CountingFile(path, "ab")
        self._log_request(rng, out, requests, f"cp-grow{generation}.{index}", t, first=None)
        out.close()
        self.totals.bytes += out.bytes
        self.totals.quirk("grown_sessions")
