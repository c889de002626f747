"""Work spread over processes by fork: the children inherit the loaded site (no pickling of the
models on the way out), and only small results come back. Linux-first; elsewhere, or for small
work, everything runs in this process."""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import signal
from typing import Any, Callable

_TASK: Callable[[int, int], Any] | None = None


def _own_signals() -> None:
    """In a forked child: signals are its own again. An asyncio loop (serve's) has the signal
    module write each signal to a socket that the loop reads; a child inherits that socket, so the
    SIGTERM with which a pool ends its workers reached the parent's loop, and stopped the preview."""
    try:
        signal.set_wakeup_fd(-1)
    except ValueError:  # not the main thread: no loop of this process set one
        return
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_DFL)


def _run(bounds: tuple[int, int]) -> Any:
    assert _TASK is not None
    return _TASK(*bounds)


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def spread(count: int, task: Callable[[int, int], Any], jobs: int, *, minimum: int = 200,
           on_done: Callable[[int], None] | None = None) -> list[Any]:
    """``task(start, stop)`` over ``range(count)`` in chunks, in ``jobs`` forked processes when the
    work is large enough to pay for them; results in chunk order. ``on_done(n)`` after each chunk."""
    global _TASK
    if jobs <= 1 or count < minimum or "fork" not in multiprocessing.get_all_start_methods():
        return [task(0, count)]
    chunks = max(jobs * 4, 1)
    size = -(-count // chunks)
    bounds = [(start, min(start + size, count)) for start in range(0, count, size)]
    _TASK = task
    gc.freeze()  # keep the inherited heap's pages shared: the GC would otherwise write to them
    try:
        results = []
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_own_signals) as pool:
            for (start, stop), result in zip(bounds, pool.imap(_run, bounds)):
                results.append(result)
                if on_done is not None:
                    on_done(stop)
        return results
    finally:
        _TASK = None


class Ahead:
    """Plain-data work (``tasks``, in order) done in one forked child while this process does
    something else: each result is sent back when it is ready, and ``get(i)`` waits for result
    ``i``. A small rebuild at 10,000 projects spends a tenth of its time in ``stat`` and listing
    calls that need none of what this process computes meanwhile. Where fork is missing, or the
    child fails, ``get`` runs the task here: the answer is the same, only later."""

    def __init__(self, tasks: list[Callable[[], Any]], *, fork: bool = True) -> None:
        self.tasks = tasks
        self._results: list[Any] = []
        self._pipe: Any = None
        self._pid = 0
        if not fork or not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: never returns
            code = 1
            try:
                _own_signals()
                os.close(read)
                with open(write, "wb") as out:
                    for task in tasks:
                        data = marshal.dumps(task())
                        out.write(len(data).to_bytes(8, "little") + data)
                        out.flush()
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._pipe = pid, open(read, "rb")

    def get(self, index: int) -> Any:
        while len(self._results) <= index and self._pipe is not None:
            head = self._pipe.read(8)
            data = self._pipe.read(int.from_bytes(head, "little")) if len(head) == 8 else b""
            try:
                self._results.append(marshal.loads(data))
            except (EOFError, ValueError, TypeError):
                self.close()  # the child failed: what is left is done here
        if index < len(self._results):
            return self._results[index]
        return self.tasks[index]()

    def close(self) -> None:
        """Stop the child, if it is still working (its results are not wanted any more)."""
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None
        if self._pid:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = 0

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
