"""Platform-independent splitting of source bytes into raw records.

* JSONL: one record per physical line, read from a byte offset, streamed; blank lines are skipped
  but counted; a last line without a terminator lands only when it is complete JSON.
* JSON documents: the whole document as one record, or one record per element of an array (the
  top-level array, or an array member of the top-level object), each element's text being the
  exact original slice of the document. A small document is split in memory
  (``split_json_document``); a large one is streamed (``StreamedDocument``): read in chunks, one
  element in memory at a time, the same records.
* Zip archives: the members with a given file name, read in place (never extracted to disk),
  each split as a JSON document with locators prefixed by the member path; a large member is
  streamed out of the archive as a large document is.
* Gzip-compressed JSONL: decompressed (never to disk) and split into lines as JSONL is (the
  stream is complete, so a last line without a terminator is a record too, whether or not it is
  JSON); checked whole first, then streamed one line at a time.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from extract.document_stream import (
    DOCUMENT_CHUNK_BYTES,
    DocumentShape,
    TextWindow,
    walk_document,
)

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
    nothing is lost. Anything else (other shapes, invalid JSON, invalid UTF-8, nesting too deep
    to parse) is one whole-document record with locator ``document``.

    The document, its text and every element are in memory at once: a large document is split
    by ``StreamedDocument`` instead (the same records).
    """
    whole = Piece("document", 1, data, record_kind)
    if array_member is None and not split_top_array:
        return [whole]
    try:
        text = data.decode("utf-8")
        spans, others = array_element_slices(text, None if split_top_array else array_member)
    except (UnicodeDecodeError, ValueError, RecursionError):
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


# A document (or zip member) up to this size is split in memory (one parse, several copies of it
# at once); a larger one is streamed (two parses, one chunk and one element in memory).
IN_MEMORY_DOCUMENT_BYTES = 4 << 20

StreamOpener = Callable[[], AbstractContextManager[BinaryIO]]


class DocumentChanged(ValueError):
    """A streamed document's bytes changed between two reads of it (rewritten in place)."""


@dataclass(frozen=True)
class DocumentCheck:
    """What the first read of a streamed document found (small, whatever the document's size)."""

    splits: bool  # valid JSON of the shape to split
    array: int  # the array occurrence to split (the last one)
    others: bool  # the object has other members: the whole document lands too
    sha256: str
    length: int


@contextlib.contextmanager
def rewound(f: BinaryIO) -> Iterator[BinaryIO]:
    """``f`` from its first byte, left open (a ``StreamOpener`` for an open file)."""
    f.seek(0)
    yield f


class StreamedDocument:
    """Split a JSON document as ``split_json_document`` does (the same records, locators and
    bytes), streaming it: memory holds one chunk of the document and one element, never the
    whole document or all its elements.

    ``open_stream`` gives the document from its first byte each time it is called (an open file
    rewound, a zip member opened again). A document to split is read twice:

    1. ``check()``: the whole document is walked, its elements parsed and dropped: is it valid
       JSON of the shape to split, which array occurrence splits (the last, as in ``json``),
       are there other members? Nothing is yielded before the whole document is known valid, so
       a document invalid anywhere (even at its last byte: a truncated export) still lands as
       one whole-document record, never as some elements and then the whole.
    2. ``pieces()``: the elements again, one ``Piece`` at a time (then the whole document when
       the object has other members).

    A document that does not split (another shape, invalid) is read whole into its one
    ``document`` record: that record is the document. ``sha256`` and ``length`` describe the
    bytes split. If the second read finds bytes other than the first (the file was rewritten in
    place in between), ``DocumentChanged`` is raised where the difference shows: at the first
    element that no longer parses, else at the end (digests differ), after the elements read.
    """

    def __init__(
        self,
        open_stream: StreamOpener,
        *,
        record_kind: str,
        array_member: str | None = None,
        array_record_kind: str | None = None,
        split_top_array: bool = False,
        chunk_size: int = DOCUMENT_CHUNK_BYTES,
    ) -> None:
        self.open_stream = open_stream
        self.record_kind = record_kind
        self.member = None if split_top_array else array_member
        self.splitting = split_top_array or array_member is not None
        self.prefix = "" if split_top_array else str(array_member)
        self.array_record_kind = array_record_kind or record_kind
        self.chunk_size = chunk_size
        self.checked: DocumentCheck | None = None
        self.sha256: str | None = None
        self.length = 0

    def __iter__(self) -> Iterator[Piece]:
        self.check()
        return self.pieces()

    def check(self) -> DocumentCheck:
        """The first read (see the class doc); reads nothing when the document does not split."""
        if self.checked is not None:
            return self.checked
        shape, splits = DocumentShape(), False
        if self.splitting:
            with self.open_stream() as stream:
                window = TextWindow(stream, self.chunk_size)
                try:
                    for _ in walk_document(window, self.member, shape, emit=None):
                        pass
                    splits = True
                except (UnicodeDecodeError, ValueError):
                    window.drain()  # read to the end all the same (a zip member's CRC)
            digest, length = window.sha256.hexdigest(), window.length
        else:
            digest, length = "", 0
        self.checked = DocumentCheck(splits, shape.arrays - 1, shape.others, digest, length)
        return self.checked

    def pieces(self) -> Iterator[Piece]:
        """The records (after ``check()``), one at a time."""
        checked = self.check()
        if not checked.splits:
            yield self._whole(1, None if not self.splitting else checked.sha256)
            return
        n = 0
        with self.open_stream() as stream:
            window = TextWindow(stream, self.chunk_size)
            elements = walk_document(window, self.member, DocumentShape(), emit=checked.array)
            try:
                for text, value in elements:
                    n += 1
                    piece = Piece(
                        f"{self.prefix}[{n - 1}]",
                        n,
                        text.encode("utf-8"),
                        self.array_record_kind,
                        value,
                    )
                    del text, value
                    yield piece
            except (UnicodeDecodeError, ValueError) as exc:
                raise DocumentChanged(f"the document changed while it was read: {exc}") from exc
            if window.sha256.hexdigest() != checked.sha256:
                raise DocumentChanged("the document changed while it was read")
        self.sha256, self.length = checked.sha256, checked.length
        if checked.others:
            yield self._whole(n + 1, checked.sha256)

    def _whole(self, ordinal: int, expected_sha256: str | None) -> Piece:
        with self.open_stream() as stream:
            data = stream.read()
        digest = hashlib.sha256(data).hexdigest()
        if expected_sha256 is not None and digest != expected_sha256:
            raise DocumentChanged("the document changed while it was read")
        self.sha256, self.length = digest, len(data)
        return Piece("document", ordinal, data, self.record_kind)


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


def iter_zip_members(
    f: BinaryIO,
    member_name: str,
    *,
    record_kind: str,
    array_member: str | None = None,
    array_record_kind: str | None = None,
    split_top_array: bool = False,
    on_refused: Callable[[str], None] | None = None,
    chunk_size: int = DOCUMENT_CHUNK_BYTES,
    in_memory_bytes: int = IN_MEMORY_DOCUMENT_BYTES,
) -> Iterator[Piece]:
    """Split every ``member_name`` member of the zip archive ``f`` as a JSON document
    (``split_json_document``, or ``StreamedDocument`` for a member larger than
    ``in_memory_bytes``, streamed out of the archive: one chunk and one element in memory).

    A member whose name escapes the archive (``../``, absolute) or that would inflate like a zip
    bomb is refused before it is read (``check_zip_member``): ``on_refused`` gets the reason and
    the other members still land; without ``on_refused`` the refusal raises ``ZipSourceError``.

    Every member is read through once (inflated, its CRC checked, a large one's JSON checked)
    before the first record is yielded, so that an archive that cannot be read yields nothing.
    Member names are only used as text in the locators (``<member>[<i>]``, ``<member>`` for a
    whole-document record, ``<member>:<locator>`` otherwise): nothing is ever written to disk.
    Ordinals run on across members.
    Raises ``ZipSourceError`` when the archive (or a member) cannot be read.
    """
    options: dict[str, Any] = {
        "record_kind": record_kind,
        "array_member": array_member,
        "array_record_kind": array_record_kind,
        "split_top_array": split_top_array,
    }
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
            documents: list[StreamedDocument | None] = []
            for name in names:
                document = None
                if archive.getinfo(name).file_size > in_memory_bytes:
                    opener = _member_opener(archive, name)
                    document = StreamedDocument(opener, chunk_size=chunk_size, **options)
                if document is not None and document.splitting:
                    document.check()
                else:
                    _inflate(archive, name, chunk_size)
                documents.append(document)
            ordinal = 0
            for name, document in zip(names, documents, strict=True):
                pieces: Iterator[Piece] | list[Piece] = (
                    split_json_document(archive.read(name), **options)
                    if document is None
                    else document.pieces()
                )
                for piece in pieces:
                    ordinal += 1
                    yield Piece(
                        _member_locator(name, piece.locator),
                        ordinal,
                        piece.data,
                        piece.record_kind,
                        piece.parsed,
                    )
                del pieces
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        EOFError,
        zlib.error,
    ) as exc:
        raise ZipSourceError(f"not a readable zip archive: {exc}") from exc


def _member_locator(name: str, locator: str) -> str:
    if locator == "document":
        return name
    if locator.startswith("["):
        return name + locator
    return f"{name}:{locator}"


def _member_opener(archive: zipfile.ZipFile, name: str) -> StreamOpener:
    def open_member() -> AbstractContextManager[BinaryIO]:
        return archive.open(name)  # type: ignore[return-value]

    return open_member


def _inflate(archive: zipfile.ZipFile, name: str, chunk_size: int) -> None:
    """Read a member through, dropping its bytes: raises if it cannot be inflated (bad CRC)."""
    with archive.open(name) as member:
        while member.read(chunk_size):
            pass


class GzipSourceError(ValueError):
    """The source is not a complete gzip stream."""


def split_gzip_jsonl(f: BinaryIO, chunk_size: int = 1 << 20) -> list[Piece]:
    """Every record of ``iter_gzip_jsonl`` as a list (all in memory at once)."""
    return list(iter_gzip_jsonl(f, chunk_size))


def iter_gzip_jsonl(f: BinaryIO, chunk_size: int = 1 << 20) -> Iterator[Piece]:
    """Decompress the gzip file ``f`` (every member of a multi-member stream) and split it into
    JSONL records: one per physical line of the decompressed text, locator ``line:<n>``
    (1-based, blank lines counted but not records, ``\r\n`` stripped).

    The whole stream is decompressed once, its bytes dropped, before the first record is
    yielded, so a truncated or corrupt file yields no records; then again, one line at a time
    (memory holds one chunk and one line, never the decompressed file).
    Raises ``GzipSourceError`` when ``f`` is not a complete gzip stream (on the second pass only
    if the file changed in between).
    """
    try:
        f.seek(0)
        with gzip.GzipFile(fileobj=f, mode="rb") as stream:
            while stream.read(chunk_size):
                pass
        f.seek(0)
        with gzip.GzipFile(fileobj=f, mode="rb") as stream:
            yield from _gzip_lines(stream, chunk_size)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise GzipSourceError(f"not a complete gzip file: {exc}") from exc


def _gzip_lines(stream: BinaryIO, chunk_size: int) -> Iterator[Piece]:
    line_no = 0
    while True:
        line = stream.readline(chunk_size)
        while line and not line.endswith(b"\n"):  # a line longer than one chunk
            more = stream.readline(chunk_size)
            if not more:
                break
            line += more
        if not line:
            return
        line_no += 1
        body = line[:-1] if line.endswith(b"\n") else line
        if body.endswith(b"\r"):
            body = body[:-1]
        if body.strip():
            yield Piece(f"line:{line_no}", line_no, body)
