"""Registered platforms: name -> platform."""

from __future__ import annotations

from extract.platforms.base import FileFormat, Platform
from extract.platforms.chatgpt import ChatGPT
from extract.platforms.claude_code import ClaudeCode
from extract.platforms.cline import Cline
from extract.platforms.continue_ import ContinuePlatform
from extract.platforms.copilot_chat import CopilotChat
from extract.platforms.openai_api import OpenAIApi
from extract.platforms.roo_code import RooCode

REGISTRY: dict[str, Platform] = {
    p.name: p
    for p in (
        ClaudeCode(),
        CopilotChat(),
        ChatGPT(),
        ContinuePlatform(),
        RooCode(),
        Cline(),
        OpenAIApi(),
    )
}

__all__ = ["REGISTRY", "FileFormat", "Platform"]
