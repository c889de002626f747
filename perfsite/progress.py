"""Progress of a long build: a bar redrawn in place on a terminal, a few plain lines otherwise
(CI logs), nothing for small builds."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO = sys.stderr, minimum: int = 500) -> None:
        self.stream, self.minimum = stream, minimum
        self.tty = stream.isatty()
        self.phase = ""
        self.last_line = 0.0
        self.started = time.monotonic()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.finish()
            self.phase = phase
            if total >= self.minimum and not self.tty:
                print(f"{phase}：{total} 个文件", file=self.stream, flush=True)
        if total < self.minimum:
            return
        if self.tty:
            width = 30
            filled = int(width * done / total) if total else width
            print(f"\r{phase} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="",
                  file=self.stream, flush=True)
        elif done == total or time.monotonic() - self.last_line > 5:
            self.last_line = time.monotonic()
            print(f"{phase}：{done}/{total}", file=self.stream, flush=True)

    def finish(self) -> None:
        """Clears the bar; the next build (serve's next save) starts afresh."""
        if self.tty and self.phase:
            print("\r\033[K", end="", file=self.stream, flush=True)
        self.phase = ""
