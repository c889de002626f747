"""Diagnostics: problems found in content, as values.

Every layer returns diagnostics instead of raising, so one run reports every problem of every
file (the way a compiler does), and the CLI decides the exit status from them.
"""

from __future__ import annotations

import difflib
import enum
import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place: ``path:line:col: level CODE message`` plus an optional hint.

    ``line`` and ``col`` are 1-based, as editors count; 0 means "the whole file".
    """

    path: str
    line: int
    col: int
    level: Level = field(compare=False)
    code: str
    message: str
    hint: str = field(default="", compare=False)

    def format(self) -> str:
        where = self.path if self.line == 0 else f"{self.path}:{self.line}:{self.col}"
        text = f"{where}: {self.level.value} {self.code} {self.message}"
        if self.hint:
            text += f"\n  = 提示 (hint): {self.hint}"
        return text

    def promoted(self) -> Diagnostic:
        """The same problem as an error (``--strict``)."""
        return Diagnostic(self.path, self.line, self.col, Level.ERROR, self.code, self.message, self.hint)


class Report:
    """Collects diagnostics; sorted by place when read, so output is stable."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def add(self, diagnostic: Diagnostic) -> None:
        self._items.append(diagnostic)

    def extend(self, diagnostics: list[Diagnostic]) -> None:
        self._items.extend(diagnostics)

    def error(self, path: str, line: int, col: int, code: str, message: str, hint: str = "") -> None:
        self.add(Diagnostic(path, line, col, Level.ERROR, code, message, hint))

    def warning(self, path: str, line: int, col: int, code: str, message: str, hint: str = "") -> None:
        self.add(Diagnostic(path, line, col, Level.WARNING, code, message, hint))

    def items(self, strict: bool = False) -> list[Diagnostic]:
        items = [d.promoted() if strict else d for d in self._items]
        return sorted(set(items), key=lambda d: (d.path, d.line, d.col, d.code, d.message))


def nearest(name: str, known: list[str], cutoff: float = 0.4) -> str | None:
    """The known name closest to a misspelt one, for a hint "是不是「…」？"; None when none is close."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=cutoff)
    return close[0] if close else None


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as the user should see it: relative to the working directory when it can be, and
    bytes of a name that are not UTF-8 (which Python holds as surrogates, and no page, state
    file or terminal can encode) written as \\xff."""
    return _UNDECODABLE.sub(lambda m: f"\\x{ord(m[0]) - 0xDC00:02x}", _relative(path, root))


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _relative(path: Path, root: Path | None) -> str:
    if root is None and not path.is_absolute() and ".." not in path.parts:
        return path.as_posix()
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


# What to do about the OS errors a user can cause or fix, by errno; any other says what the OS said.
_OS_HINTS = {
    errno.ENOSPC: "磁盘已满 (disk full)：腾出空间后重试",
    errno.EFBIG: "文件超过了允许的大小 (file too large)：检查 ulimit -f 和磁盘",
    errno.EDQUOT: "超出磁盘配额 (quota exceeded)：腾出空间后重试",
    errno.EACCES: "没有权限 (permission denied)：检查该路径的权限或所有者",
    errno.EPERM: "不允许的操作 (operation not permitted)：检查该路径的权限或所有者",
    errno.EROFS: "文件系统只读 (read-only file system)：换一个可写的位置",
    errno.ENOTDIR: "路径中有一个文件挡在了目录的位置 (not a directory)：删除或改名该文件",
    errno.EISDIR: "该路径是目录，这里需要文件 (is a directory)",
    errno.EEXIST: "该路径已经存在 (file exists)",
    errno.ENAMETOOLONG: "路径过长 (name too long)：缩短目录层级或文件名",
    errno.EMFILE: "打开的文件过多 (too many open files)：调高 ulimit -n，或用 --jobs 1",
    errno.ENFILE: "系统打开的文件过多 (too many open files)：稍后重试",
    errno.ENOMEM: "内存不足 (out of memory)：关闭其他程序，或用 --jobs 1",
    errno.EAGAIN: "系统资源暂时不足（进程数等 process limits）：调高 ulimit -u，或用 --jobs 1",
    errno.EIO: "读写出错 (I/O error)：检查磁盘",
}


def os_problem(exc: OSError) -> tuple[str, str]:
    """(message, hint) for an OS error: the one place that turns one into words, so that a full
    disk or a file where a folder belongs is a clear error, never an internal one."""
    where = exc.filename if exc.filename is not None else ""
    what = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc))
    message = f"{display_path(Path(os.fsdecode(where)))}：{what}" if where else what
    return message, _OS_HINTS.get(exc.errno or 0, "")


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.level is Level.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{errors} 个错误 (errors), {warnings} 个警告 (warnings)"
