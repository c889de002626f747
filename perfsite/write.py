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
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Iterable

MARKER = ".perfsite-output"
_RENAME_EXCHANGE = 2


def _write(target: Path, data: bytes | str | Iterable[bytes]) -> None:
    with open(target, "wb") as handle:
        if isinstance(data, str):
            handle.write(data.encode("utf-8"))
        elif isinstance(data, (bytes, bytearray)):
            handle.write(data)
        else:
            handle.writelines(data)


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
    """Collects files in a temporary directory; ``commit()`` swaps it in for ``output``.

    Unchanged files are hard-linked from the current output (``keep``), so an incremental build
    costs a link per unchanged file, not a render."""

    def __init__(self, output: Path, previous: set[str] | None = None) -> None:
        self.output = output
        self.parent = output.resolve().parent
        self.previous = previous or set()
        self.touched: set[str] = set()
        self._lock_file: int | None = None
        self.stage: Path | None = None
        self._dirs: set[Path] = set()

    def __enter__(self) -> StagedOutput:
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
            self._lock_file = os.open(self.parent / f".{self.output.name}.lock", os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"另一个构建正在写入 {self.output}，等待它完成… (waiting for another build)",
                      file=sys.stderr, flush=True)
                fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            self._sweep()
            self.stage = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.new-", dir=self.parent))
        except OSError as exc:
            self._release()
            raise OutputError(f"无法在 {self.parent} 中写入：{exc.strerror or exc}") from exc
        (self.stage / MARKER).write_text("perfsite\n", encoding="utf-8")
        return self

    def _target(self, relpath: str) -> Path:
        assert self.stage is not None
        target = self.stage / relpath
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        return target

    def _sweep(self) -> None:
        """Remove what a killed build left behind; holding the lock, no live build owns them."""
        for prefix in (f".{self.output.name}.new-", f".{self.output.name}.old-"):
            for leftover in self.parent.glob(prefix + "*"):
                shutil.rmtree(leftover, ignore_errors=True)

    def keep(self, relpath: str) -> bool:
        """Carry the current output's file over unchanged; False if there is none to carry."""
        source = self.output / relpath
        target = self._target(relpath)
        try:
            os.link(source, target)
        except FileNotFoundError:
            return False
        except OSError:
            shutil.copyfile(source, target)
        self.touched.add(relpath)
        return True

    def write(self, relpath: str, data: bytes | str | Iterable[bytes]) -> None:
        self.touched.add(relpath)
        _write(self._target(relpath), data)

    def copy(self, relpath: str, source: Path) -> None:
        self.touched.add(relpath)
        shutil.copyfile(source, self._target(relpath))

    def commit(self) -> list[str]:
        """Make the staged tree the output: one atomic exchange where the OS allows it.
        Returns the files of the previous build that are gone now."""
        assert self.stage is not None
        removed = sorted(self.previous - self.touched)
        stage, self.stage = self.stage, None
        for path in sorted(stage.rglob("*"), reverse=True):
            if path.is_file():
                os.chmod(path, 0o644)
        os.chmod(stage, 0o755)
        output = self.output.resolve()
        if output.exists():
            if _exchange(stage, output):
                shutil.rmtree(stage)  # now holds the old site
                return removed
            old = stage.with_name(stage.name.replace(".new-", ".old-"))
            os.rename(output, old)
            os.rename(stage, output)
            shutil.rmtree(old)
        else:
            os.rename(stage, output)
        return removed

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


class InPlaceOutput:
    """Writes changed files straight into ``output``, each one atomically (temp file + rename),
    and deletes files that are no longer made. For ``serve``, whose output is its own temporary
    directory: a reader sees the old file or the new one, never half of one."""

    def __init__(self, output: Path, previous: set[str] | None = None) -> None:
        self.output = output
        self.previous = previous or set()
        self.touched: set[str] = set()

    def __enter__(self) -> InPlaceOutput:
        try:
            self.output.mkdir(parents=True, exist_ok=True)
            marker = self.output / MARKER
            if not marker.exists():
                marker.write_text("perfsite\n", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"无法写入 {self.output}：{exc.strerror or exc}") from exc
        return self

    def keep(self, relpath: str) -> bool:
        if (self.output / relpath).is_file():
            self.touched.add(relpath)
            return True
        return False

    def write(self, relpath: str, data: bytes | str | Iterable[bytes]) -> None:
        self.touched.add(relpath)
        target = self.output / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(fd)
        _write(Path(tmp), data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)

    def copy(self, relpath: str, source: Path) -> None:
        self.write(relpath, source.read_bytes())

    def commit(self) -> list[str]:
        removed = sorted(self.previous - self.touched)
        for relpath in removed:
            try:
                (self.output / relpath).unlink()
            except FileNotFoundError:
                pass
        return removed

    def __exit__(self, *exc: object) -> None:
        pass
