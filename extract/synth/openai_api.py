"""OpenAI / Azure OpenAI Batch API files: ``batch/batch_<id>_input.jsonl`` (``{custom_id, method,
url, body}`` requests) and ``batch/batch_<id>_output.jsonl`` (``{id, custom_id, response{
status_code, request_id, body}, error}`` results), up to ``BATCH_SIZE`` requests a batch.

Some answers are tool calls (``tool_calls`` with null content). Each generation step starts new
batch files.

Counting rules (models/staging/openai_api): a request and its answer are one call; a call whose
messages continue no earlier call is a conversation of its own: its request messages plus the
answer are its messages; each tool call of the answer is a tool call; usage is made disjoint:
input = prompt_tokens - cached_tokens, cache read = cached_tokens, output = completion_tokens,
no cache writes (null).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from extract.synth.base import PlatformWriter
from extract.synth.common import CountingFile, b62_id, hex_id, rng_for, start_time

BATCH_SIZE = 500
MODELS = (("gpt-4o-mini", "gpt-4o-mini-2024-07-18"), ("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"))


class OpenAIApiWriter(PlatformWriter):
    name = "openai_api"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._input: CountingFile | None = None
        self._output: CountingFile | None = None
        self._in_batch = 0
        self._batches = 0

    def _files(self) -> tuple[CountingFile, CountingFile]:
        if self._input is None or self._output is None or self._in_batch >= BATCH_SIZE:
            self._close_batch()
            rng = rng_for(self.seed, self.name, "batch", self.step, self._batches)
            batch = f"batch/batch_{hex_id(rng, 6)}s{self.step}n{self._batches}"
            self._input = CountingFile(self.root / f"{batch}_input.jsonl")
            self._output = CountingFile(self.root / f"{batch}_output.jsonl")
            self._batches += 1
            self._in_batch = 0
            self.totals.files += 2
        return self._input, self._output

    def write_session(self, index: int) -> None:
        rng = rng_for(self.seed, self.name, index)
        model, snapshot = rng.choice(MODELS)
        custom_id = f"request-{index}"
        messages = [
            {"role": "system", "content": "Summarize the support ticket and label its category."},
            {"role": "user", "content": f"[oa{index}] {self.pool.take(rng, 40, 1500)}"},
        ]
        body: dict[str, Any] = {
            "model": model,
            "max_tokens": 800,
            "temperature": 0,
            "messages": messages,
        }
        tool_call = index % 5 == 2 or rng.random() < 0.2
        if tool_call:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": "lookup_invoice",
                        "parameters": {"type": "object", "properties": {"id": {"type": "string"}}},
                    },
                }
            ]
        prompt = rng.randint(200, 6000)
        cached = rng.choice((0, 0, (prompt // 128) * 128 // 2))
        completion = rng.randint(20, 700)
        if tool_call:
            answer: dict[str, Any] = {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "call_" + b62_id(rng, 24),
                        "type": "function",
                        "function": {
                            "name": "lookup_invoice",
                            "arguments": json.dumps({"id": f"INV-{index}"}),
                        },
                    }
                ],
            }
            self.totals.tool_calls += 1
        else:
            answer = {
                "role": "assistant",
                "content": self.pool.take(rng, 40, 1200),
                "refusal": None,
                "annotations": [],
            }
        created = start_time(rng) + timedelta(seconds=index % 60)
        result = {
            "id": f"batch_req_{hex_id(rng, 32)}",
            "custom_id": custom_id,
            "response": {
                "status_code": 200,
                "request_id": hex_id(rng, 32),
                "body": {
                    "id": "chatcmpl-" + b62_id(rng, 29),
                    "object": "chat.completion",
                    "created": int(created.timestamp()),
                    "model": snapshot,
                    "choices": [
                        {
                            "index": 0,
                            "message": answer,
                            "logprobs": None,
                            "finish_reason": "tool_calls" if tool_call else "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": prompt,
                        "completion_tokens": completion,
                        "total_tokens": prompt + completion,
                        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
                        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
                    },
                    "service_tier": "default",
                    "system_fingerprint": "fp_" + hex_id(rng, 10),
                },
            },
            "error": None,
        }
        inp, out = self._files()
        before = inp.bytes + out.bytes
        inp.line(
            {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}
        )
        out.line(result)
        self.totals.bytes += inp.bytes + out.bytes - before
        self._in_batch += 1
        self.totals.conversations += 1
        self.totals.messages += len(messages) + 1
        self.totals.usage(prompt - cached, completion, cached, None)

    def _close_batch(self) -> None:
        for f in (self._input, self._output):
            if f is not None:
                f.close()
        self._input = self._output = None

    def close(self) -> None:
        self._close_batch()
