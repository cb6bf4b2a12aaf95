"""Cline and Roo Code task folders: ``<user data>/User/globalStorage/<extension id>/tasks/<id>/``
with ``api_conversation_history.json`` (Anthropic MessageParam[]), ``ui_messages.json`` (the
timeline; each ``api_req_started`` carries a request's usage and cost), ``task_metadata.json``;
Roo adds ``history_item.json`` per task, Cline keeps ``state/taskHistory.json`` (written at the
end, and rewritten with the old entries first when the corpus is extended).

Cline's ``api_req_started`` rows name ``conversationHistoryIndex`` (the entry before the
request); Roo's name ``apiProtocol`` and match assistant entries by order. Roo tasks on the
``openai`` protocol report ``tokensIn`` including the cached tokens.

Counting rules (macros/platforms/cline_family.sql): every API-history entry is a message; each
``tool_use`` block is a tool call; each assistant entry carries its request's usage: input =
tokensIn (minus cacheReads and cacheWrites on the openai protocol), cache read = cacheReads,
cache write = cacheWrites, output = tokensOut.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from extract.synth.base import PlatformWriter
from extract.synth.common import EPOCH, compact, epoch_ms, new_uuid, rng_for, write_json

TOOLS = ("read_file", "search_files", "execute_command", "replace_in_file", "list_files")


class ClineFamilyWriter(PlatformWriter):
    extension_id: str
    roo: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._history: list[dict[str, Any]] = []

    @property
    def storage(self) -> Path:
        return self.root / "Code" / "User" / "globalStorage" / self.extension_id

    def _task_start(self, rng: random.Random, index: int) -> datetime:
        # task ids are epoch ms (Cline): one 7-minute slot per task keeps them unique
        slot = timedelta(minutes=7)
        return EPOCH + slot * index + timedelta(milliseconds=rng.randint(0, 7 * 60_000 - 1))

    def _env(self, t: datetime) -> dict[str, Any]:
        return {
            "type": "text",
            "text": "<environment_details>\n# Current Time\n"
            f"{t.isoformat()}\n# Current Mode\n<slug>code</slug>\n</environment_details>",
        }

    def write_session(self, index: int) -> None:
        rng = rng_for(self.seed, self.name, index)
        t = self._task_start(rng, index)
        task_id = new_uuid(rng) if self.roo else str(epoch_ms(t))
        protocol = "openai" if self.roo and (index % 3 == 1 or rng.random() < 0.3) else "anthropic"
        if protocol == "openai":
            self.totals.quirk("openai_protocol_tasks")
        model = "gpt-5.1" if protocol == "openai" else "claude-sonnet-4-5"
        tag = f"{'roo' if self.roo else 'cline'}{index}"
        prompt = f"[{tag}] {self.pool.take(rng, 20, 400)}"
        history: list[dict[str, Any]] = [
            {
                "role": "user",
                "content": [{"type": "text", "text": f"<task>\n{prompt}\n</task>"}, self._env(t)],
                "ts": epoch_ms(t),
            }
        ]
        ui: list[dict[str, Any]] = [
            {
                "ts": epoch_ms(t),
                "type": "say",
                "say": "task" if not self.roo else "text",
                "text": prompt,
            }
        ]
        totals = {
            "tokensIn": 0,
            "tokensOut": 0,
            "cacheWrites": 0,
            "cacheReads": 0,
            "totalCost": 0.0,
        }
        rounds = rng.randint(1, 10)
        for r in range(rounds):
            last = r == rounds - 1
            t += timedelta(milliseconds=rng.randint(200, 2000))
            usage = self._request(rng, protocol)
            request: dict[str, Any] = {"ts": epoch_ms(t), "type": "say", "say": "api_req_started"}
            text: dict[str, Any] = {}
            if self.roo:
                text["apiProtocol"] = protocol
            text["request"] = self.pool.take(rng, 20, 300)
            text.update(usage)
            request["text"] = json.dumps(text)
            if not self.roo:
                request["conversationHistoryIndex"] = len(history) - 2
            ui.append(request)
            for key in totals:
                totals[key] += usage["cost" if key == "totalCost" else key]
            t += timedelta(milliseconds=rng.randint(1000, 15000))
            reply = self.pool.take(rng, 40, 1500)
            tool = "attempt_completion" if last else rng.choice(TOOLS)
            call_id = "toolu_01" + new_uuid(rng).replace("-", "")[:22]
            tool_input = {"result": reply} if last else {"path": self.pool.take(rng, 5, 40).strip()}
            history.append(
                {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": reply},
                        {"type": "tool_use", "id": call_id, "name": tool, "input": tool_input},
                    ],
                    "ts": epoch_ms(t),
                }
            )
            self.totals.tool_calls += 1
            ui.append(
                {"ts": epoch_ms(t), "type": "say", "say": "text", "text": reply, "partial": False}
            )
            if last:
                ui.append(
                    {
                        "ts": epoch_ms(t) + 1,
                        "type": "say",
                        "say": "completion_result",
                        "text": reply,
                    }
                )
                break
            t += timedelta(milliseconds=rng.randint(200, 8000))
            output = self.pool.take(rng, 50, 5000)
            ui.append(
                {
                    "ts": epoch_ms(t),
                    "type": "ask",
                    "ask": "tool",
                    "text": compact({"tool": tool, "content": output[:200]}),
                    "partial": False,
                }
            )
            history.append(
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": call_id, "content": output},
                        self._env(t),
                    ],
                    "ts": epoch_ms(t),
                }
            )
        self.totals.messages += len(history)
        folder = self.storage / "tasks" / task_id
        written = write_json(folder / "api_conversation_history.json", history)
        written += write_json(folder / "ui_messages.json", ui)
        written += write_json(
            folder / "task_metadata.json",
            {
                "files_in_context": [],
                "model_usage": [{"ts": history[0]["ts"], "model_id": model, "mode": "act"}],
            },
            indent="\t",
        )
        item = {
            "id": task_id,
            "ts": epoch_ms(t),
            "task": prompt,
            **totals,
            "size": written,
            "workspace"
            if self.roo
            else "cwdOnTaskInitialization": f"/home/dev/project-{index % 4}",
        }
        files = 3
        if self.roo:
            written += write_json(
                folder / "history_item.json",
                {"rootTaskId": task_id, "number": 1, **item, "mode": "code", "status": "completed"},
                indent="\t",
            )
            files += 1
        else:
            self._history.append(item)
        self.totals.files += files
        self.totals.bytes += written
        self.totals.conversations += 1

    def _request(self, rng: random.Random, protocol: str) -> dict[str, Any]:
        """One request's usage as api_req_started reports it; adds its disjoint tokens."""
        reads = rng.choice((0, rng.randint(1000, 60000)))
        out = rng.randint(20, 1500)
        if protocol == "openai":
            writes = 0
            tokens_in = reads + rng.randint(50, 5000)  # includes the cached tokens
            self.totals.usage(tokens_in - reads, out, reads, writes)
        else:
            writes = rng.randint(0, 8000)
            tokens_in = rng.randint(1, 40)
            self.totals.usage(tokens_in, out, reads, writes)
        cost = round((tokens_in * 3 + out * 15 + reads * 0.3 + writes * 3.75) / 1_000_000, 7)
        return {
            "tokensIn": tokens_in,
            "tokensOut": out,
            "cacheWrites": writes,
            "cacheReads": reads,
            "cost": cost,
        }

    def close(self) -> None:
        if not self._history:
            return
        path = self.storage / "state" / "taskHistory.json"
        entries: list[dict[str, Any]] = []
        if path.exists():
            self.totals.bytes -= path.stat().st_size
            entries = json.loads(path.read_text(encoding="utf-8"))
        else:
            self.totals.files += 1
        self.totals.bytes += write_json(path, entries + self._history, indent="\t")
        self._history = []


class ClineWriter(ClineFamilyWriter):
    name = "cline"
    extension_id = "saoudrizwan.claude-dev"
    roo = False


class RooCodeWriter(ClineFamilyWriter):
    name = "roo_code"
    extension_id = "rooveterinaryinc.roo-cline"
    roo = True
