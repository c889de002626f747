"""Atomic output: a build writes into a fresh directory beside ``output/`` and swaps it in.

A build that fails, is interrupted or is killed leaves the previous ``output/`` complete and
unchanged; a lock keeps two builds (say ``serve`` and ``build``) from interleaving. Only this
module writes into the output directory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

MARKER = ".perfsite-output"
_RENAME_EXCHANGE = 2


class OutputError(Exception):
    """The output directory cannot be used (not ours, locked, not writable)."""


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


def check_target(output: Path, protected: list[Path]) -> None:
    """Refuse an output directory that is not ours to replace."""
    resolved = output.resolve()
    for path in protected:
        p = path.resolve()
        if resolved == p or p.is_relative_to(resolved):
            raise OutputError(f"输出目录 {output} 包含或等于 {path}，替换它会删除源文件；请换一个输出目录")
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise OutputError(f"拒绝把网站输出到 {output}；请指定一个专用目录，如 output/")
    if output.exists():
        if not output.is_dir():
            raise OutputError(f"输出路径 {output} 已存在且不是目录")
        if any(output.iterdir()) and not (output / MARKER).exists():
            raise OutputError(f"输出目录 {output} 不是 perfsite 生成的（没有 {MARKER} 标记），为免误删，拒绝覆盖；"
                              "请指定空目录或新目录")


class StagedOutput:
    """Collects files in a temporary directory; ``commit()`` swaps it in for ``output``."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.parent = output.resolve().parent
        self._lock_file: int | None = None
        self.stage: Path | None = None

    def __enter__(self) -> StagedOutput:
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
            self._lock_file = os.open(self.parent / f".{self.output.name}.lock", os.O_CREAT | os.O_RDWR, 0o644)
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            self.stage = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.new-", dir=self.parent))
        except OSError as exc:
            self._release()
            raise OutputError(f"无法在 {self.parent} 中写入：{exc.strerror or exc}") from exc
        (self.stage / MARKER).write_text("perfsite\n", encoding="utf-8")
        return self

    def write(self, relpath: str, data: bytes | str) -> None:
        assert self.stage is not None
        target = self.stage / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        target.write_bytes(data)

    def copy(self, relpath: str, source: Path) -> None:
        assert self.stage is not None
        target = self.stage / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def commit(self) -> None:
        """Make the staged tree the output: one atomic exchange where the OS allows it."""
        assert self.stage is not None
        stage, self.stage = self.stage, None
        for path in sorted(stage.rglob("*"), reverse=True):
            if path.is_file():
                os.chmod(path, 0o644)
        os.chmod(stage, 0o755)
        output = self.output.resolve()
        if output.exists():
            if _exchange(stage, output):
                shutil.rmtree(stage)  # now holds the old site
                return
            old = stage.with_name(stage.name.replace(".new-", ".old-"))
            os.rename(output, old)
            os.rename(stage, output)
            shutil.rmtree(old)
        else:
            os.rename(stage, output)

    def _release(self) -> None:
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None
        self._release()
