"""Registered platforms: name -> platform."""

from __future__ import annotations

from extract.platforms.base import FileFormat, Platform
from extract.platforms.claude_code import ClaudeCode

REGISTRY: dict[str, Platform] = {p.name: p for p in (ClaudeCode(),)}

__all__ = ["REGISTRY", "FileFormat", "Platform"]
