"""Rebuild on every save: the file watcher that ``serve`` and ``build --watch`` share, and the
``build --watch`` loop.

``build --watch`` keeps one builder alive and writes the real output after each save, as a new
``perfsite build`` would (state file, input stamp, cache, search index), so that a plain build
after it finds nothing to do. A save that only edits projects costs what it changed, not the
size of the site: the watcher says which files changed (no ``stat`` of every input) and the
kept site is updated for them (``Builder._edit``). Anything else is a whole build, as a new
command's, and the output is published only when no error stands.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Callable, TextIO

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .builder import Builder, BuildResult
from .diagnostics import summary
from .progress import Progress

DEBOUNCE_S = 0.05  # one rebuild per burst: an editor's save is several events
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".part", ".crdownload")


class Events(FileSystemEventHandler):
    """Tells ``notify(path)`` each file an event names (both ends of a rename: editors save by
    renaming a temporary file over the real one), and ``notify(None)`` when a folder was made,
    removed or moved, which changes files no event names one by one. A folder's own "modified"
    is only the echo of its files' events, which are reported themselves."""

    def __init__(self, notify: Callable[[str | None], None]) -> None:
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory:
            if event.event_type != "modified":
                self.notify(None)
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = raw.decode() if isinstance(raw, bytes) else raw
            if path and not Path(path).name.startswith((".#", "#")) and not path.endswith(IGNORED_SUFFIXES) \
                    and "/.git/" not in path:
                self.notify(path)


class WatchError(Exception):
    """The watcher could not start; the message says why and what to do."""


def roots(content: Path, templates: Path) -> list[Path]:
    """What a kept process watches: the content, and the site's templates when it has any (a site
    may use the packaged theme alone)."""
    return [content, templates] if templates.exists() else [content]


def observe(roots: list[Path], notify: Callable[[str | None], None]) -> Observer:
    """A started watcher (inotify through watchdog) of ``roots``, recursively."""
    observer = Observer()
    events = Events(notify)
    try:
        for path in {root.resolve() for root in roots}:
            observer.schedule(events, str(path), recursive=True)
        observer.daemon = True
        observer.start()
    except OSError as exc:
        observer.stop()
        hint = ("inotify 的监视数已用完：提高 fs.inotify.max_user_watches / max_user_instances "
                "(sysctl)，或关闭其他监视文件的程序" if exc.errno in (errno.ENOSPC, errno.EMFILE)
                else "检查内容和模板目录是否存在且可读")
        raise WatchError(f"无法监视文件变化 (cannot watch for changes)：{exc.strerror or exc}\n"
                         f"  = 提示 (hint): {hint}") from exc
    return observer


def rebuilt(result: BuildResult, reason: str, elapsed_ms: float) -> str:
    """The line a rebuild prints when it succeeded."""
    return (f"已重新生成 (rebuilt){(' ' + reason) if reason else ''}：写入 {len(result.written)}，"
            f"未变 {result.unchanged}，删除 {len(result.removed)}（{elapsed_ms:.0f} ms）")


def reason(paths: list[str]) -> str:
    """What a rebuild was for, shortly: the first file saved, and how many there were."""
    if not paths:
        return "(目录 folders)"
    shown = [path for path in paths if _saved(path)] or paths  # none: files were removed
    return f"({Path(shown[0]).name}" + (f" 等 {len(shown)} 个文件)" if len(shown) > 1 else ")")


def _saved(path: str) -> bool:
    """A file the burst left, as content: editors save through a temporary file (vim's probe 4913,
    .name.x7q2 or a mkstemp name renamed over the file), gone by the time the burst is quiet;
    hidden files are never content (load skips them)."""
    return not Path(path).name.startswith(".") and os.path.isfile(path)


class Batches:
    """What the watcher reported, handed out once a burst has been quiet for DEBOUNCE_S: the
    paths, and whether something no path names (a folder) changed, so every input must be
    looked at."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paths: set[str] = set()
        self._rescan = False
        self._last = 0.0

    def add(self, path: str | None) -> None:
        with self._cond:
            if path is None:
                self._rescan = True
            else:
                self._paths.add(path)
            self._last = time.monotonic()
            self._cond.notify()

    def take(self) -> tuple[list[str], bool]:
        """Wait for a quiet burst."""
        with self._cond:
            while True:
                if self._paths or self._rescan:
                    quiet = time.monotonic() - self._last
                    if quiet >= DEBOUNCE_S:
                        paths, rescan = sorted(self._paths), self._rescan
                        self._paths, self._rescan = set(), False
                        return paths, rescan
                    self._cond.wait(DEBOUNCE_S - quiet)
                else:
                    self._cond.wait(1.0)  # a timeout keeps Ctrl-C prompt


class _Stop(Exception):
    pass


def run(builder: Builder, roots: list[Path], first: Callable[[], BuildResult], progress: Progress,
        out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """``first()`` builds (the command's own build, with its report); then every quiet burst of
    saves under ``roots`` rebuilds into the same output, until Ctrl-C or SIGTERM. Exit status:
    0, or 1 if the last build failed (the output is then the last good one)."""
    def stop(signum: int, frame: object) -> None:
        raise _Stop

    # Both, explicitly: a process started in the background inherits SIGINT ignored.
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    observer = None
    ok = False
    try:
        batches = Batches()
        observer = observe(roots, batches.add)  # before the first build: a save during it is seen
        ok = first().ok
        shown = " 和 ".join(f"{root}/" for root in roots)
        print(f"正在监视 {shown}，保存后自动重新生成；按 Ctrl-C 停止 "
              "(watching for changes; press Ctrl-C to stop)", file=out, flush=True)
        while True:
            paths, rescan = batches.take()
            started = time.perf_counter()
            result = builder.build(None if rescan else paths)
            progress.finish()
            for d in result.diagnostics:
                print(d.format(), file=err, flush=True)
            ok = result.ok
            if ok:
                print(rebuilt(result, reason(paths), (time.perf_counter() - started) * 1000), file=out, flush=True)
            else:
                print(f"构建失败 (build failed)：{summary(result.diagnostics)}；{builder.output} 保持不变，"
                      "保存修正后自动重新生成 (the output is left as it was; fix and save to rebuild)",
                      file=err, flush=True)
    except _Stop:
        print("已停止监视 (stopped watching)", file=out, flush=True)
    except WatchError as exc:
        print(f"perfsite: 错误 (error): {exc}", file=err, flush=True)
        return 1
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=2)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if ok else 1
