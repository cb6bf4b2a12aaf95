"""Platform-independent splitting of source bytes into raw records.

* JSONL: one record per physical line, read from a byte offset, streamed; blank lines are skipped
  but counted; a last line without a terminator lands only when it is complete JSON.
* JSON documents: the whole document as one record, or one record per element of an array (the
  top-level array, or an array member of the top-level object), each element's text being the
  exact original slice of the document.
* Zip archives: the members with a given file name, read in place (bytes in memory, never
  extracted to disk), each split as a JSON document with locators prefixed by the member path.
* Gzip-compressed JSONL: decompressed in memory and split into lines as JSONL is (the stream is
  complete, so a last line without a terminator is a record too, whether or not it is JSON).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

UNPARSED: Any = object()
"""Sentinel: the record has not been parsed yet."""

_JSON_WS = " \t\n\r"


@dataclass(frozen=True)
class Piece:
    """One raw record cut out of a source file."""

    locator: str
    ordinal: int
    data: bytes
    record_kind: str | None = None
    parsed: Any = field(default=UNPARSED, compare=False)


def is_complete_json(data: bytes) -> bool:
    """True when ``data`` is exactly one complete JSON value (surrounding whitespace allowed)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    try:
        json.loads(text.lstrip("\ufeff"))
    except ValueError:
        return False
    return True


class JsonlReader:
    """Stream JSONL records from ``offset`` up to ``size`` bytes of an open binary file.

    The reader's public attributes always describe what has been consumed so far, so that a caller
    can checkpoint after any yielded record: ``consumed`` (byte offset after the last consumed
    line), ``lines`` (physical lines consumed), ``open_line`` (the last consumed line had no
    terminator) and ``hasher`` (SHA-256 over bytes ``[0, consumed)``, when the caller supplies one
    that already covers ``[0, offset)``).
    """

    def __init__(
        self,
        f: BinaryIO,
        *,
        offset: int,
        size: int,
        lines: int = 0,
        hasher: Any = None,
    ) -> None:
        self._f = f
        self._size = size
        self.consumed = offset
        self.lines = lines
        self.open_line = False
        self.hasher = hasher if hasher is not None else hashlib.sha256()
        self.bytes_read = 0

    def __iter__(self) -> Iterator[Piece]:
        self._f.seek(self.consumed)
        remaining = self._size - self.consumed
        while remaining > 0:
            line = self._f.readline(remaining)
            if not line:  # the file shrank while we read it
                break
            remaining -= len(line)
            self.bytes_read += len(line)
            if line.endswith(b"\n"):
                body = line[:-1]
                if body.endswith(b"\r"):
                    body = body[:-1]
                self._consume(line, open_line=False)
                if body.strip():
                    yield Piece(f"line:{self.lines}", self.lines, body)
            elif line.strip() and is_complete_json(line):
                # A last line without a terminator that is complete JSON lands now.
                self._consume(line, open_line=True)
                yield Piece(f"line:{self.lines}", self.lines, line)
            # Otherwise: a half-written (or blank) tail waits for the next run.

    def _consume(self, line: bytes, *, open_line: bool) -> None:
        self.hasher.update(line)
        self.consumed += len(line)
        self.lines += 1
        self.open_line = open_line


def hash_prefix(f: BinaryIO, length: int, chunk_size: int = 1 << 20) -> tuple[Any, int]:
    """SHA-256 of the first ``length`` bytes of ``f``, read in chunks: (hasher, bytes read).

    Fewer bytes than ``length`` means the file is shorter; the caller compares the digest anyway.
    """
    hasher = hashlib.sha256()
    f.seek(0)
    remaining = length
    done = 0
    while remaining > 0:
        chunk = f.read(min(chunk_size, remaining))
        if not chunk:
            break
        hasher.update(chunk)
        remaining -= len(chunk)
        done += len(chunk)
    return hasher, done


def _skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _JSON_WS:
        i += 1
    return i


def _array_slices(
    text: str, i: int, decoder: json.JSONDecoder
) -> tuple[list[tuple[int, int, Any]], int]:
    """Parse the array at ``text[i] == '['``: element (start, end, value) spans, and its end."""
    if text[i] != "[":
        raise ValueError("not an array")
    out: list[tuple[int, int, Any]] = []
    i = _skip_ws(text, i + 1)
    if i < len(text) and text[i] == "]":
        return out, i + 1
    while True:
        value, end = decoder.raw_decode(text, i)
        out.append((i, end, value))
        i = _skip_ws(text, end)
        if i >= len(text):
            raise ValueError("unterminated array")
        if text[i] == "]":
            return out, i + 1
        if text[i] != ",":
            raise ValueError("expected ',' or ']'")
        i = _skip_ws(text, i + 1)


def array_element_slices(text: str, member: str | None) -> tuple[list[tuple[int, int, Any]], bool]:
    """Exact character spans of the elements of a JSON array inside ``text``.

    ``member=None``: the document must be a top-level array. Otherwise it must be an object whose
    member ``member`` is an array. Returns (spans, has_other_members). Raises ``ValueError`` when
    the document does not have that shape or is not valid JSON.
    """
    decoder = json.JSONDecoder()
    i = _skip_ws(text, 1 if text.startswith("\ufeff") else 0)
    if i >= len(text):
        raise ValueError("empty document")
    if member is None:
        spans, end = _array_slices(text, i, decoder)
        if _skip_ws(text, end) != len(text):
            raise ValueError("trailing data")
        return spans, False
    if text[i] != "{":
        raise ValueError("not an object")
    found: list[tuple[int, int, Any]] | None = None
    others = False
    i = _skip_ws(text, i + 1)
    if i < len(text) and text[i] == "}":
        raise ValueError("empty object")
    while True:
        if i >= len(text) or text[i] != '"':
            raise ValueError("expected a member name")
        key, i = decoder.raw_decode(text, i)
        i = _skip_ws(text, i)
        if i >= len(text) or text[i] != ":":
            raise ValueError("expected ':'")
        i = _skip_ws(text, i + 1)
        if key == member and i < len(text) and text[i] == "[":
            found, i = _array_slices(text, i, decoder)  # the last occurrence wins, as in json
        else:
            _, i = decoder.raw_decode(text, i)
            others = others or key != member
        i = _skip_ws(text, i)
        if i >= len(text):
            raise ValueError("unterminated object")
        if text[i] == "}":
            i += 1
            break
        if text[i] != ",":
            raise ValueError("expected ',' or '}'")
        i = _skip_ws(text, i + 1)
    if _skip_ws(text, i) != len(text):
        raise ValueError("trailing data")
    if found is None:
        raise ValueError(f"no array member {member!r}")
    return found, others


def split_json_document(
    data: bytes,
    *,
    record_kind: str,
    array_member: str | None = None,
    array_record_kind: str | None = None,
    split_top_array: bool = False,
) -> list[Piece]:
    """Split a JSON document into records.

    With ``array_member`` (e.g. ``"loglines"``) and a document of the shape ``{"loglines": [...]}``,
    or with ``split_top_array`` and a document ``[...]``, each element is one record
    (``loglines[<i>]`` / ``[<i>]``) whose bytes are the element's exact original text. If the
    wrapping object has other members too, the whole document also lands as one record so that
    nothing is lost. Anything else (other shapes, invalid JSON, invalid UTF-8) is one whole-document
    record with locator ``document``.
    """
    whole = Piece("document", 1, data, record_kind)
    if array_member is None and not split_top_array:
        return [whole]
    try:
        text = data.decode("utf-8")
        spans, others = array_element_slices(text, None if split_top_array else array_member)
    except (UnicodeDecodeError, ValueError):
        return [whole]
    prefix = "" if split_top_array else str(array_member)
    kind = array_record_kind or record_kind
    pieces = [
        Piece(f"{prefix}[{n}]", n + 1, text[start:end].encode("utf-8"), kind, value)
        for n, (start, end, value) in enumerate(spans)
    ]
    if others:
        pieces.append(Piece("document", len(pieces) + 1, data, record_kind))
    return pieces


class ZipSourceError(ValueError):
    """The source is not a zip archive that can be read."""


def zip_member_names(archive: zipfile.ZipFile, member_name: str) -> list[str]:
    """The members of ``archive`` whose file name (last path component) is ``member_name``."""
    out = []
    for info in archive.infolist():
        if info.is_dir():
            continue
        if info.filename.replace("\\", "/").rsplit("/", 1)[-1] == member_name:
            out.append(info.filename)
    return out


def zip_has_member(f: BinaryIO, member_name: str) -> bool:
    """True when ``f`` is a zip archive with a ``member_name`` member (reads only the directory)."""
    try:
        with zipfile.ZipFile(f) as archive:
            return bool(zip_member_names(archive, member_name))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return False


# A member is refused before it is inflated when it would inflate past either limit: a real
# ChatGPT export's conversations.json compresses about 5-10x and stays far below both.
ZIP_MAX_MEMBER_BYTES = 4 << 30
ZIP_MAX_RATIO = 200
ZIP_RATIO_FLOOR_BYTES = 64 << 20  # small members may compress as much as they like


def check_zip_member(info: zipfile.ZipInfo) -> None:
    """Raise ZipSourceError for a member whose name escapes the archive or that is a zip bomb."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or ".." in name.split("/") or (len(name) > 1 and name[1] == ":"):
        raise ZipSourceError(f"member name escapes the archive: {info.filename!r} (refused)")
    if info.file_size > ZIP_MAX_MEMBER_BYTES:
        raise ZipSourceError(
            f"member {info.filename!r} would inflate to {info.file_size:,} bytes, more than the "
            f"{ZIP_MAX_MEMBER_BYTES:,} allowed (refused before inflating)"
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > ZIP_RATIO_FLOOR_BYTES and ratio > ZIP_MAX_RATIO:
        raise ZipSourceError(
            f"member {info.filename!r} would inflate {ratio:,.0f}x to {info.file_size:,} bytes: "
            "a zip bomb, refused before inflating"
        )


def split_zip_members(
    f: BinaryIO,
    member_name: str,
    *,
    record_kind: str,
    array_member: str | None = None,
    array_record_kind: str | None = None,
    split_top_array: bool = False,
    on_refused: Callable[[str], None] | None = None,
) -> list[Piece]:
    """Split every ``member_name`` member of the zip archive ``f`` with ``split_json_document``.

    A member whose name escapes the archive (``../``, absolute) or that would inflate like a zip
    bomb is refused before it is read (``check_zip_member``): ``on_refused`` gets the reason and
    the other members still land; without ``on_refused`` the refusal raises ``ZipSourceError``.

    Member names are only used as text in the locators (``<member>[<i>]``, ``<member>`` for a
    whole-document record, ``<member>:<locator>`` otherwise): nothing is ever written to disk.
    Ordinals run on across members.
    Raises ``ZipSourceError`` when the archive (or a member) cannot be read.
    """
    pieces: list[Piece] = []
    try:
        with zipfile.ZipFile(f) as archive:
            names = []
            for name in zip_member_names(archive, member_name):
                try:
                    check_zip_member(archive.getinfo(name))
                except ZipSourceError as exc:
                    if on_refused is None:
                        raise
                    on_refused(str(exc))
                    continue
                names.append(name)
            for name in names:
                data = archive.read(name)
                for piece in split_json_document(
                    data,
                    record_kind=record_kind,
                    array_member=array_member,
                    array_record_kind=array_record_kind,
                    split_top_array=split_top_array,
                ):
                    if piece.locator == "document":
                        locator = name
                    elif piece.locator.startswith("["):
                        locator = name + piece.locator
                    else:
                        locator = f"{name}:{piece.locator}"
                    pieces.append(
                        Piece(
                            locator,
                            len(pieces) + 1,
                            piece.data,
                            piece.record_kind,
                            piece.parsed,
                        )
                    )
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        EOFError,
        zlib.error,
    ) as exc:
        raise ZipSourceError(f"not a readable zip archive: {exc}") from exc
    return pieces


class GzipSourceError(ValueError):
    """The source is not a complete gzip stream."""


def split_gzip_jsonl(f: BinaryIO, chunk_size: int = 1 << 20) -> list[Piece]:
    """Decompress the gzip file ``f`` (every member of a multi-member stream) and split it into
    JSONL records: one per physical line of the decompressed text, locator ``line:<n>``
    (1-based, blank lines counted but not records, ``\r\n`` stripped). The whole stream is
    decompressed before anything is returned, so a truncated or corrupt file yields no records.
    Raises ``GzipSourceError`` when ``f`` is not a complete gzip stream.
    """
    pieces: list[Piece] = []
    f.seek(0)
    try:
        with gzip.GzipFile(fileobj=f, mode="rb") as stream:
            line_no = 0
            while True:
                line = stream.readline(chunk_size)
                while line and not line.endswith(b"\n"):  # a line longer than one chunk
                    more = stream.readline(chunk_size)
                    if not more:
                        break
                    line += more
                if not line:
                    break
                line_no += 1
                body = line[:-1] if line.endswith(b"\n") else line
                if body.endswith(b"\r"):
                    body = body[:-1]
                if body.strip():
                    pieces.append(Piece(f"line:{line_no}", line_no, body))
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise GzipSourceError(f"not a complete gzip file: {exc}") from exc
    return pieces
