"""Worker processes that read source files in parallel (``extract run --workers N``).

Each worker reads whole files (``reading.read_file``) and sends back every event: the file's
row chunks in order, then its ``FileDone``. Files interleave; the events of one file never do.
The extract process alone writes the lake, in the order the events arrive: workers never touch
it.

Each worker has two pipes of its own: tasks in and events out. Files go out in bundles (small
files together, up to ``BUNDLE_BYTES``; a bigger file alone), at most ``PREFETCH`` bundles per
worker at a time, the next sent when one is done; events come back a chunk's worth of text per
message, so a corpus of many small files costs few messages. A worker sends through a small bounded
outbox, so it keeps reading while the extract process writes, and waits when the outbox is full:
memory stays bounded whatever the corpus (a ``concurrent.futures`` pool returns one result per
task, which for a 1 GB file would be all of it at once). Nothing is shared between workers, so a
worker that dies (killed, out of memory) leaves no lock held and no half-written message in a
shared queue: its pipe reads end of file, the files sent to it and not done fail with a clear
error (what it had sent stays), and the other workers go on with the rest.

Workers start through the ``forkserver`` method where there is one (POSIX; ``spawn``
elsewhere): never ``fork``, which would copy the extract process's threads (a lock lease
renewer, an object store's event loop) into the worker. A worker ignores SIGINT (the extract
process stops it) and ends as soon as the extract process dies (a thread waits on the parent's
sentinel; its task pipe reading end of file tells too).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from extract.progress import RunError
from extract.reading import Event, FileDone, ReadConfig, ReadTask, read_file

PREFETCH = 2  # bundles assigned to a worker at a time: the next is there when one is done
BUNDLE_BYTES = 1 << 20  # small files go to a worker together, up to this many bytes
OUTBOX = 2  # events a worker may have read ahead of what the extract process took
PIPE_BYTES = 1 << 20
_STOP = "stop"


class WorkerFailed(RuntimeError):
    """A worker raised an unexpected exception (a bug): its traceback is the message."""


def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["extract.reading"])
        return ctx
    return multiprocessing.get_context("spawn")


def _watch_parent() -> None:
    """End this worker as soon as the extract process dies, even in the middle of a long read
    (its pipes would only tell at the next bundle or the next chunk sent)."""
    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is None:
        return

    def watch() -> None:
        with contextlib.suppress(OSError, ValueError):
            wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="extract-reader-watch", daemon=True).start()


def _worker(tasks: Connection, events: Connection, config: ReadConfig) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent()
    outbox: queue.Queue[Any] = queue.Queue(maxsize=OUTBOX)
    broken = threading.Event()

    def send() -> None:
        while True:
            item = outbox.get()
            if item is _STOP:
                return
            try:
                events.send(item)
            except OSError:  # the extract process is gone
                broken.set()
                return

    sender = threading.Thread(target=send, name="extract-reader-send", daemon=True)
    sender.start()

    def put(item: Any) -> None:
        while not broken.is_set():
            try:
                outbox.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        raise SystemExit(1)

    try:
        while True:
            try:
                bundle: list[ReadTask] | None = tasks.recv()
            except (EOFError, OSError):  # the extract process is gone
                return
            if bundle is None:
                break
            if not _read_bundle(bundle, config, put):
                break
    finally:
        if not broken.is_set():
            outbox.put(_STOP)
            sender.join()
        events.close()


def _widen(conn: Connection) -> None:
    """A 1 MiB pipe buffer where the OS allows it (Linux): a chunk then crosses in a few
    system calls rather than one per 64 KiB, each waking the other process."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setpipe is None:
        return
    with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size: keep the default
        fcntl.fcntl(conn.fileno(), setpipe, PIPE_BYTES)


def _read_bundle(bundle: list[ReadTask], config: ReadConfig, put: Callable[[Any], None]) -> bool:
    """Read a bundle's files; send their events in messages of about a chunk's text each.
    False after an unexpected exception (sent as ``("error", index, traceback)``)."""
    message: list[Event] = []
    text = 0
    for task in bundle:
        started = time.process_time()
        try:
            for event in read_file(task, config):
                if isinstance(event, FileDone):
                    event.cpu_seconds = time.process_time() - started
                else:
                    text += len(event.text)
                message.append(event)
                if text >= config.chunk_bytes:
                    put(message)
                    message, text = [], 0
        except Exception:
            if message:
                put(message)
            put(("error", task.index, traceback.format_exc()))
            return False
    if message:
        put(message)
    return True


def _bundles(tasks: Sequence[ReadTask]) -> deque[list[ReadTask]]:
    """Consecutive files in bundles of up to ``BUNDLE_BYTES`` (a bigger file alone): one
    message to a worker, and its events back in few messages, rather than a few per file."""
    bundles: deque[list[ReadTask]] = deque()
    size = 0
    for task in tasks:
        if not bundles or (size + task.size > BUNDLE_BYTES and bundles[-1]):
            bundles.append([])
            size = 0
        bundles[-1].append(task)
        size += task.size
    return bundles


@dataclass
class _Worker:
    process: Any
    tasks: Connection
    events: Connection
    assigned: deque[ReadTask] = field(default_factory=deque)  # sent to it, not done yet
    bundles: deque[int] = field(default_factory=deque)  # files not done of each bundle sent


class ReaderPool:
    """Up to ``workers`` processes reading ``tasks``: ``events()`` yields what they read.

    Use as a context manager: leaving it stops every worker (also on an error or Ctrl-C).
    """

    def __init__(self, workers: int, config: ReadConfig) -> None:
        self._ctx = _context()
        self._config = config
        self._size = workers
        self._workers: list[_Worker] = []

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start_worker(self) -> _Worker:
        task_r, task_w = self._ctx.Pipe(duplex=False)
        event_r, event_w = self._ctx.Pipe(duplex=False)
        _widen(event_r)
        proc = self._ctx.Process(
            target=_worker, args=(task_r, event_w, self._config), name="extract-reader"
        )
        proc.daemon = True
        proc.start()
        task_r.close()  # only the worker holds these ends: its death reads as end of file
        event_w.close()
        return _Worker(proc, task_w, event_r)

    def events(self, tasks: Sequence[ReadTask]) -> Iterator[Event]:
        """Every event of every task. A worker that dies ends each of its files with a
        ``FileDone`` of category ``failed`` and ``lost=True``; a worker's exception (a bug)
        raises ``WorkerFailed``."""
        pending = _bundles(tasks)
        self._workers = [self._start_worker() for _ in range(min(self._size, len(pending)))]
        for worker in self._workers:
            self._assign(worker, pending)
        by_reader = {w.events: w for w in self._workers}
        while by_reader:
            for reader in wait(list(by_reader)):
                worker = by_reader[reader]  # type: ignore[index]
                try:
                    message = worker.events.recv()
                except (EOFError, OSError):
                    del by_reader[worker.events]
                    yield from self._lost(worker, pending, by_reader)
                    continue
                if isinstance(message, tuple):
                    raise WorkerFailed(f"a reader process failed on a file:\n{message[2]}")
                for event in message:
                    if isinstance(event, FileDone):
                        worker.assigned.popleft()
                        worker.bundles[0] -= 1
                        if not worker.bundles[0]:
                            worker.bundles.popleft()
                    yield event
                self._assign(worker, pending)

    def _assign(self, worker: _Worker, pending: deque[list[ReadTask]]) -> None:
        # a bundle pickles to about 1 KB a file: these sends do not wait for the worker
        try:
            while len(worker.bundles) < PREFETCH and pending:
                bundle = pending.popleft()
                worker.assigned.extend(bundle)
                worker.bundles.append(len(bundle))
                worker.tasks.send(bundle)
            if not worker.bundles:
                worker.tasks.send(None)  # nothing more: the worker ends
        except OSError:  # it died: its events pipe reads end of file next, and its files fail
            pass

    def _lost(
        self,
        worker: _Worker,
        pending: deque[list[ReadTask]],
        by_reader: dict[Connection, _Worker],
    ) -> Iterator[FileDone]:
        """A worker's pipe closed: normal when it was told to end, else it died."""
        worker.process.join(timeout=5)
        if not worker.assigned:
            return
        reason = f"a reader process died (exit code {worker.process.exitcode})"
        lost = list(worker.assigned)
        worker.assigned.clear()
        worker.bundles.clear()
        if not by_reader:  # no worker left to read the rest
            lost.extend(task for bundle in pending for task in bundle)
            pending.clear()
            reason = f"{reason}, and no other was left"
        for task in lost:
            yield FileDone(
                task.index,
                "failed",
                None,
                errors=[RunError(task.src.platform.name, task.src.uri, reason)],
                lost=True,
            )

    def close(self) -> None:
        for worker in self._workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in self._workers:
            worker.process.join(timeout=5)
            worker.tasks.close()
            worker.events.close()
        self._workers = []
