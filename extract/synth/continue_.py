"""Continue (continue.dev): ``sessions/<sessionId>.json`` (2-space JSON, one whole session) and
the ``sessions/sessions.json`` index (one entry per session, ``dateCreated`` as epoch-ms text).

Sessions are the newer kind with message ids and per-message ``usage`` (``promptTokens``
including ``cachedTokens`` and ``cacheWriteTokens``), a session ``usage`` total, ``thinking``
messages, and ``toolCalls`` answered by ``tool`` messages. The index is written at the end (and
rewritten, old entries first, when the corpus is extended), as Continue rewrites it.

Counting rules (models/staging/continue): every history item is a message; every tool call of
an assistant message is a tool call; tokens from the message usage, made disjoint: input =
promptTokens - cachedTokens - cacheWriteTokens, cache read = cachedTokens, cache write =
cacheWriteTokens, output = completionTokens.
"""

from __future__ import annotations

import json
import random
from typing import Any

from extract.synth.base import PlatformWriter
from extract.synth.common import epoch_ms, new_uuid, rng_for, start_time, write_json

MODELS = (("Claude Sonnet 4.5", "anthropic"), ("GPT-4o", "openai"), ("Codestral", "mistral"))
TOOLS = ("read_file", "grep_search", "run_terminal_command", "edit_existing_file")


class ContinueWriter(PlatformWriter):
    name = "continue"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._index: list[dict[str, Any]] = []

    def _usage(self, rng: random.Random) -> dict[str, Any]:
        cached = rng.choice((0, rng.randint(1000, 20000)))
        write = rng.randint(0, 3000)
        prompt = cached + write + rng.randint(50, 4000)
        completion = rng.randint(20, 1200)
        self.totals.usage(prompt - cached - write, completion, cached, write)
        return {
            "promptTokens": prompt,
            "completionTokens": completion,
            "promptTokensDetails": {"cachedTokens": cached, "cacheWriteTokens": write},
        }

    def _item(self, message: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self.totals.messages += 1
        return {"message": message, "contextItems": [], **extra}

    def write_session(self, index: int) -> None:
        rng = rng_for(self.seed, self.name, index)
        session_id = new_uuid(rng)
        created = start_time(rng)
        title, provider = rng.choice(MODELS)
        history: list[dict[str, Any]] = []
        for n in range(rng.randint(1, 8)):
            history.append(
                self._item(
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "text",
                                "text": f"[ct{index}.{n}] {self.pool.take(rng, 20, 400)}",
                            }
                        ],
                        "id": new_uuid(rng),
                    }
                )
            )
            if rng.random() < 0.3:
                history.append(
                    self._item(
                        {
                            "role": "thinking",
                            "content": self.pool.take(rng, 40, 600),
                            "id": new_uuid(rng),
                        }
                    )
                )
            for _ in range(rng.choice((0, 0, 1, 2))):
                call_id = f"toolu_01{new_uuid(rng).replace('-', '')[:24]}"
                tool = rng.choice(TOOLS)
                call = {
                    "id": call_id,
                    "type": "function",
                    "function": {
                        "name": tool,
                        "arguments": json.dumps({"query": self.pool.take(rng, 5, 30)}),
                    },
                }
                history.append(
                    self._item(
                        {
                            "role": "assistant",
                            "content": "",
                            "toolCalls": [call],
                            "usage": self._usage(rng),
                            "id": new_uuid(rng),
                        },
                        toolCallStates=[
                            {"toolCallId": call_id, "toolCall": call, "status": "done"}
                        ],
                    )
                )
                self.totals.tool_calls += 1
                history.append(
                    self._item(
                        {
                            "role": "tool",
                            "content": self.pool.take(rng, 50, 4000),
                            "toolCallId": call_id,
                            "id": new_uuid(rng),
                        }
                    )
                )
            answer = self.pool.take(rng, 60, 2500)
            history.append(
                self._item(
                    {
                        "role": "assistant",
                        "content": answer,
                        "usage": self._usage(rng),
                        "id": new_uuid(rng),
                    },
                    promptLogs=[
                        {
                            "modelTitle": title,
                            "modelProvider": provider,
                            "prompt": "...",
                            "completion": answer,
                        }
                    ],
                )
            )
        session = {
            "sessionId": session_id,
            "title": f"Session ct{index}",
            "workspaceDirectory": f"file:///home/dev/project-{index % 5}",
            "history": history,
            "mode": "agent",
            "chatModelTitle": title,
        }
        self.totals.bytes += write_json(
            self.root / "sessions" / f"{session_id}.json", session, indent=2
        )
        self.totals.files += 1
        self.totals.conversations += 1
        self._index.append(
            {
                "title": session["title"],
                "dateCreated": str(epoch_ms(created)),
                "workspaceDirectory": session["workspaceDirectory"],
                "sessionId": session_id,
                "messageCount": len(history),
            }
        )

    def close(self) -> None:
        if not self._index:
            return
        path = self.root / "sessions" / "sessions.json"
        entries: list[dict[str, Any]] = []
        if path.exists():
            self.totals.bytes -= path.stat().st_size
            entries = json.loads(path.read_text(encoding="utf-8"))
        else:
            self.totals.files += 1
        self.totals.bytes += write_json(path, entries + self._index, indent=2)
        self._index = []
