"""Walking a JSON document read from a binary stream in chunks, one array element at a time.

``walk_document`` yields the elements of the array to split (the top-level array, or an array
member of the top-level object) as ``(text, value)``: the element's exact original text and its
parsed value. Memory holds the current chunk of decoded text and the current element only,
never the whole document: an element that does not fit in the window grows it (doubling, so a
large element costs at most about twice its parse), and the consumed text is dropped at each
read.

The walk checks the whole document as ``json.loads`` would (a BOM, then one value and nothing
but whitespace after it), raising ``ValueError`` (``UnicodeDecodeError`` for invalid UTF-8) where
the document stops being valid: a caller that must not act on a document that turns out invalid
walks it once without emitting (``emit=None``), which keeps no values, then again to emit.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

DOCUMENT_CHUNK_BYTES = 1 << 20

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A parse error (or a value's end) this close to the end of the window may only mean that the value
# goes on past it (a cut literal, number or \uXXXX escape): the window grows and the value is
# parsed again. An error farther from the end is the document's own, whatever follows.
_CUT_MARGIN = 16


class TextWindow:
    """Decoded text of a binary stream, read ``chunk_size`` bytes at a time from where it is.

    ``text[pos:]`` is what is read and not yet consumed. ``sha256`` and ``length`` cover every
    byte read so far. Raises ``UnicodeDecodeError`` on invalid UTF-8 (a multi-byte character cut
    by a chunk boundary is held back until its other bytes come).
    """

    def __init__(self, stream: BinaryIO, chunk_size: int = DOCUMENT_CHUNK_BYTES) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self._stream = stream
        self._chunk_size = chunk_size
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.text = ""
        self.pos = 0
        self.eof = False
        self.sha256 = hashlib.sha256()
        self.length = 0

    def fill(self, at_least: int = 0) -> bool:
        """Read the next chunk (at least ``at_least`` bytes) behind the unconsumed text, dropping
        the consumed text; False (and ``eof``) once the stream has ended."""
        if self.eof:
            return False
        data = self._stream.read(max(self._chunk_size, at_least))
        self.sha256.update(data)
        self.length += len(data)
        self.eof = not data
        self.text = self.text[self.pos :] + self._decoder.decode(data, final=self.eof)
        self.pos = 0
        return not self.eof

    def drain(self) -> None:
        """Read the rest of the stream for its digest only (the text is not decoded)."""
        while not self.eof:
            data = self._stream.read(self._chunk_size)
            self.sha256.update(data)
            self.length += len(data)
            self.eof = not data
        self.text, self.pos = "", 0

    def peek(self) -> str | None:
        """The next character that is not JSON whitespace (consuming the whitespace); None at the
        end of the stream."""
        while True:
            self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.fill():
                return None

    def expect(self, char: str) -> None:
        """Consume ``char``, the next character that is not whitespace; ValueError otherwise."""
        if self.peek() != char:
            raise ValueError(f"expected {char!r}")
        self.pos += 1

    def skip_bom(self) -> None:
        """At the start of the stream: consume a UTF-8 byte order mark, if there is one."""
        while not self.text and self.fill():
            pass
        if self.text.startswith("\ufeff"):
            self.pos += 1

    def value(self, keep_text: bool = True) -> tuple[str, Any]:
        """Parse the JSON value at ``pos`` (no whitespace before it) and consume it: its exact
        text ("" unless ``keep_text``) and its value. A value counts as whole only once what
        follows it has been read too (``3.`` cut before ``5`` parses as ``3``) or the stream has
        ended."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof or not _maybe_cut(exc, len(self.text)):
                    raise
            except RecursionError as exc:
                raise ValueError("nested too deeply") from exc
            else:
                if end + _CUT_MARGIN <= len(self.text) or self.eof:
                    text = self.text[self.pos : end] if keep_text else ""
                    self.pos = end
                    return text, value
            self.fill(at_least=len(self.text) - self.pos)  # doubles what the value may span


def _maybe_cut(exc: json.JSONDecodeError, window_length: int) -> bool:
    """True when a parse error may come only from the window's end cutting the value short."""
    return exc.msg.startswith("Unterminated string") or exc.pos >= window_length - _CUT_MARGIN


@dataclass
class DocumentShape:
    """What a walk has found so far: the array occurrences (member arrays: the last one is the
    one to split, as ``json.loads`` keeps the last of duplicate keys) and other members."""

    arrays: int = 0
    others: bool = False


def walk_document(
    window: TextWindow, member: str | None, shape: DocumentShape, emit: int | None
) -> Iterator[tuple[str, Any]]:
    """Walk the document of ``window`` from its first byte, yielding the elements of its
    ``emit``-th array occurrence (0-based; None: none) as ``(text, value)``.

    ``member=None``: the document must be a top-level array (occurrence 0). Otherwise it must be
    an object with an array member ``member``. Raises ``ValueError`` (``UnicodeDecodeError`` for
    invalid UTF-8) when the document has another shape or is not valid JSON, possibly after
    elements have been yielded; ``shape`` says what was found.
    """
    window.skip_bom()
    if member is None:
        shape.arrays = 1
        yield from _array(window, emit == 0)
    else:
        yield from _object(window, member, shape, emit)
    if window.peek() is not None:
        raise ValueError("trailing data")


def _object(
    window: TextWindow, member: str, shape: DocumentShape, emit: int | None
) -> Iterator[tuple[str, Any]]:
    window.expect("{")
    if window.peek() == "}":
        raise ValueError("empty object")
    while True:
        if window.peek() != '"':
            raise ValueError("expected a member name")
        _, key = window.value(keep_text=False)
        window.expect(":")
        if key == member and window.peek() == "[":
            shape.arrays += 1
            yield from _array(window, emit == shape.arrays - 1)
        else:
            if window.peek() is None:
                raise ValueError("unterminated object")
            window.value(keep_text=False)
            shape.others = shape.others or key != member
        if _closes(window, "}"):
            break
    if shape.arrays == 0:
        raise ValueError(f"no array member {member!r}")


def _array(window: TextWindow, emit: bool) -> Iterator[tuple[str, Any]]:
    window.expect("[")
    if window.peek() == "]":
        window.pos += 1
        return
    while True:
        if window.peek() is None:
            raise ValueError("unterminated array")
        text, value = window.value(keep_text=emit)
        if emit:
            yield text, value
        if _closes(window, "]"):
            return


def _closes(window: TextWindow, close: str) -> bool:
    """Consume what follows an item of an object or array: True at its closing ``close``, False
    at a comma (another item follows); ValueError otherwise."""
    char = window.peek()
    window.pos += 1
    if char == close:
        return True
    if char != ",":
        raise ValueError(f"expected ',' or {close!r}")
    return False
