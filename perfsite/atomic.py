"""Writing a user's own files (content, schemas, a new site): each is whole or as it was.

Every file is written beside its target and renamed over it, and when several are written
together all are written before any is renamed: a full disk or a killed process leaves no
file cut short and no edit lost. (What a build does to ``output/`` is write.py's.)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Mapping


def write_files(files: Mapping[Path, bytes | str], *, overwrite: bool = True) -> None:
    """Write every file or none (an OSError says why). ``overwrite=False`` never replaces a
    file that exists by the time it is renamed (``perfsite init``)."""
    temps: list[tuple[str, Path]] = []
    made: list[Path] = []
    done = False
    try:
        for path, data in files.items():
            made += _make_parents(path.parent)
            temps.append((_written_beside(path, data.encode("utf-8") if isinstance(data, str) else data), path))
        for tmp, path in temps:
            if overwrite:
                os.replace(tmp, path)
            else:
                os.link(tmp, path)  # FileExistsError rather than replace a file made meanwhile
                os.unlink(tmp)
        done = True
    finally:
        if not done:
            for tmp, _ in temps:
                Path(tmp).unlink(missing_ok=True)
            for folder in reversed(made):
                _remove_if_empty(folder)


def _written_beside(path: Path, data: bytes) -> str:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_of(path))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _mode_of(path: Path) -> int:
    """The mode a file keeps when it is replaced, or the one a new file gets (mkstemp's is 0600)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _make_parents(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; the ones made, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir(exist_ok=True)
    return list(reversed(missing))


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
