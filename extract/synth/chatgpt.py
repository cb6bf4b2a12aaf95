"""ChatGPT data exports: ``<export>/conversations.json``, one top-level array of conversations
whose ``mapping`` is the message tree.

Quirks written on purpose: a null-message root node, a hidden empty system message, branches (an
edited prompt is a sibling of the original, each with its own answer; ``current_node`` follows
the newer branch), and code-interpreter tool calls (an assistant message with
``recipient: "python"`` answered by a ``tool`` message). The array is written as it goes, one
conversation at a time. Each generation step writes its own export folder (``export-<step>``).

Counting rules (models/staging/chatgpt): every mapping node with a message is a message, every
branch kept; an assistant message whose recipient is not ``all`` is a tool call; exports carry no
tokens (token totals stay null).
"""

from __future__ import annotations

import json
import random
from typing import Any

from extract.synth.base import PlatformWriter
from extract.synth.common import CountingFile, new_uuid, rng_for, start_time

MODELS = ("gpt-4o", "gpt-4.1", "o3", "gpt-5")


class ChatGPTWriter(PlatformWriter):
    name = "chatgpt"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._out: CountingFile | None = None
        self._count = 0

    def _file(self) -> CountingFile:
        if self._out is None:
            self._out = CountingFile(self.root / f"export-{self.step}" / "conversations.json")
            self._out.write("[")
            self.totals.files += 1
            self.totals.bytes += 1
        return self._out

    def _node(
        self,
        mapping: dict[str, Any],
        rng: random.Random,
        parent: str,
        role: str,
        content: dict[str, Any],
        created: float | None,
        *,
        recipient: str = "all",
        metadata: dict[str, Any] | None = None,
        name: str | None = None,
    ) -> str:
        node_id = new_uuid(rng)
        mapping[node_id] = {
            "id": node_id,
            "message": {
                "id": node_id,
                "author": {"role": role, "name": name, "metadata": {}},
                "create_time": created,
                "update_time": None,
                "content": content,
                "status": "finished_successfully",
                "end_turn": True if role == "assistant" and recipient == "all" else None,
                "weight": 1.0,
                "metadata": metadata or {},
                "recipient": recipient,
                "channel": None,
            },
            "parent": parent,
            "children": [],
        }
        mapping[parent]["children"].append(node_id)
        self.totals.messages += 1
        return node_id

    def _text(self, rng: random.Random, low: int, high: int) -> dict[str, Any]:
        return {"content_type": "text", "parts": [self.pool.take(rng, low, high)]}

    def _exchange(
        self,
        mapping: dict[str, Any],
        rng: random.Random,
        parent: str,
        t: float,
        tag: str,
        model: str,
    ) -> tuple[str, float]:
        """A prompt and its answer (sometimes through a code-interpreter call)."""
        prompt = {"content_type": "text", "parts": [f"[{tag}] {self.pool.take(rng, 20, 400)}"]}
        node = self._node(mapping, rng, parent, "user", prompt, round(t, 3))
        t += rng.uniform(2, 20)
        meta = {"model_slug": model, "default_model_slug": model}
        if rng.random() < 0.2 or tag == "gpt0.0":
            code = {
                "content_type": "code",
                "language": "unknown",
                "text": self.pool.take(rng, 40, 600),
            }
            node = self._node(
                mapping,
                rng,
                node,
                "assistant",
                code,
                round(t, 3),
                recipient="python",
                metadata=meta,
            )
            self.totals.tool_calls += 1
            t += rng.uniform(1, 10)
            output = {"content_type": "execution_output", "text": self.pool.take(rng, 20, 800)}
            node = self._node(mapping, rng, node, "tool", output, round(t, 3), name="python")
            t += rng.uniform(1, 10)
        node = self._node(
            mapping, rng, node, "assistant", self._text(rng, 80, 3000), round(t, 3), metadata=meta
        )
        return node, t + rng.uniform(20, 600)

    def write_session(self, index: int) -> None:
        rng = rng_for(self.seed, self.name, index)
        conversation_id = new_uuid(rng)
        model = rng.choice(MODELS)
        created = start_time(rng).timestamp()
        mapping: dict[str, Any] = {
            "client-created-root": {
                "id": "client-created-root",
                "message": None,
                "parent": None,
                "children": [],
            }
        }
        system = self._node(
            mapping,
            rng,
            "client-created-root",
            "system",
            {"content_type": "text", "parts": [""]},
            None,
            metadata={"is_visually_hidden_from_conversation": True},
        )
        t = created + rng.uniform(1, 10)
        node = system
        turns = rng.randint(1, 12)
        # every 3rd conversation (from the 2nd) has an edited prompt, others now and then
        branch_at = rng.randrange(turns) if index % 3 == 1 or rng.random() < 0.3 else -1
        for n in range(turns):
            if n == branch_at:
                # the prompt as first sent, answered, then edited: the edit is the live branch
                self._exchange(mapping, rng, node, t, f"gpt{index}.{n}.orig", model)
                self.totals.quirk("branches")
                t += rng.uniform(30, 300)
            node, t = self._exchange(mapping, rng, node, t, f"gpt{index}.{n}", model)
        conversation = {
            "title": f"Conversation gpt{index}",
            "create_time": round(created, 3),
            "update_time": round(t, 3),
            "mapping": mapping,
            "moderation_results": [],
            "current_node": node,
            "plugin_ids": None,
            "conversation_id": conversation_id,
            "conversation_template_id": None,
            "gizmo_id": None,
            "is_archived": False,
            "safe_urls": [],
            "default_model_slug": model,
            "id": conversation_id,
        }
        out = self._file()
        before = out.bytes
        out.write(("," if self._count else "") + json.dumps(conversation, ensure_ascii=False))
        self._count += 1
        self.totals.bytes += out.bytes - before
        self.totals.conversations += 1

    def close(self) -> None:
        if self._out is not None:
            self._out.write("]")
            self.totals.bytes += 1
            self._out.close()
            self._out = None
