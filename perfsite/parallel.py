"""Work spread over processes by fork: the children inherit the loaded site (no pickling of the
models on the way out), and only small results come back. Linux-first; elsewhere, or for small
work, everything runs in this process."""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any, Callable

_TASK: Callable[[int, int], Any] | None = None


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
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for (start, stop), result in zip(bounds, pool.imap(_run, bounds)):
                results.append(result)
                if on_done is not None:
                    on_done(stop)
        return results
    finally:
        _TASK = None
