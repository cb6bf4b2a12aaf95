"""The extractor's log: readable text by default, one JSON object a line with ``--log-format json``.

Every command logs through the stdlib ``logging`` logger ``extract`` (``get_logger``), to stderr.
A record may carry four context fields, passed with ``extra=fields(...)``:

* ``stage`` — what the message is about: ``discover``, ``extract``, ``load``, ``run`` (the run's
  summary), ``lock``, ``health``, ``init``, ``summary``, ``export``, ``sources``, ``cleanup``;
* ``platform`` — the platform it concerns (``claude_code`` …);
* ``run_id`` — the extract run (null before the run has one);
* ``file`` — the source or lake file it concerns.

The text format prints what the commands always printed: ``error: `` / ``warning: `` in front of
errors and warnings, ``[platform] file: `` in front of a message about one file, nothing in front
of information; ``-v`` adds the ``debug`` records. The JSON format prints every field of every
record (``timestamp`` in UTC, ISO 8601 with milliseconds; absent fields are null), and a record's
``details`` (a mapping, e.g. a run's counts) under ``details``.

A record that the command's human output already shows another way (a file error listed in the
run table, the run's summary line, which is the table's first line) is marked ``text=False``: the
text log leaves it out instead of printing it twice; the JSON log keeps it, since a machine reading
the log must not have to parse the table.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar

import click

LOGGER_NAME = "extract"
FORMATS = ("text", "json")
CONTEXT_FIELDS = ("stage", "platform", "run_id", "file")


def get_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def fields(
    stage: str | None = None,
    *,
    platform: str | None = None,
    run_id: str | None = None,
    file: str | None = None,
    details: Mapping[str, Any] | None = None,
    text: bool = True,
) -> dict[str, Any]:
    """The ``extra=`` mapping of a log call: the record's context fields."""
    return {
        "stage": stage,
        "platform": platform,
        "run_id": run_id,
        "file": file,
        "details": dict(details) if details is not None else None,
        "text": text,
    }


def _field(record: logging.LogRecord, name: str) -> Any:
    return getattr(record, name, None)


class TextFormatter(logging.Formatter):
    """``error: [platform] file: message``: the extractor's usual stderr lines."""

    PREFIXES: ClassVar[dict[int, str]] = {
        logging.DEBUG: "debug: ",
        logging.INFO: "",
        logging.WARNING: "warning: ",
        logging.ERROR: "error: ",
        logging.CRITICAL: "error: ",
    }

    def format(self, record: logging.LogRecord) -> str:
        prefix = self.PREFIXES.get(record.levelno, f"{record.levelname.lower()}: ")
        platform, file = _field(record, "platform"), _field(record, "file")
        where = ""
        if platform and file:
            where = f"[{platform}] {file}: "
        elif file:
            where = f"{file}: "
        text = f"{prefix}{where}{record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per record: timestamp, level, stage, platform, run_id, file, message."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, tz=timezone.utc)
        out: dict[str, Any] = {
            "timestamp": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
        }
        for name in CONTEXT_FIELDS:
            out[name] = _field(record, name)
        out["message"] = record.getMessage()
        details = _field(record, "details")
        if details:
            out["details"] = details
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


class _TextOnly(logging.Filter):
    """Drops the records marked ``text=False`` (text format only)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "text", True) is not False


class StderrHandler(logging.Handler):
    """Writes to the current ``sys.stderr`` through click (so that tests capturing it see it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


def configure(log_format: str = "text", verbose: bool = False) -> logging.Logger:
    """(Re)configure the ``extract`` logger: one stderr handler in ``log_format``.

    Calling it again replaces the handler (each CLI invocation configures its own).
    """
    if log_format not in FORMATS:
        raise ValueError(f"unknown log format {log_format!r} (known: {', '.join(FORMATS)})")
    logger = get_logger()
    for handler in list(logger.handlers):
        if isinstance(handler, StderrHandler):
            logger.removeHandler(handler)
    handler = StderrHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
        handler.addFilter(_TextOnly())
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    return logger
