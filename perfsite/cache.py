"""Parsed content kept between builds, beside the output (never published): a file whose size,
mtime and inode are unchanged is not read, parsed or checked again.

SQLite (standard library) so that a build rewrites only the rows of files that changed. The cache
is only ever a shortcut: a missing, stale, corrupt or foreign one is ignored, and the build reads
the files instead.
"""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path

from . import __version__
from .load import FileCache

_SCHEMA = "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, stamp TEXT, blob BLOB)"


def location(output: Path) -> Path:
    output = output.resolve()
    return output.parent / f".{output.name}.perfsite-cache.sqlite"


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=5)
    connection.execute(_SCHEMA)
    connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    return connection


def _tag(config_stamp: tuple[int, int, int]) -> str:
    return f"{__version__}|{config_stamp}"


def restore(cache: FileCache, output: Path, config: Path) -> None:
    """Fill ``cache`` with what the last build parsed, if it was made by this version and config."""
    path = location(output)
    if not path.is_file():
        return
    try:
        with _connect(path) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'tag'").fetchone()
            if row is None or row[0] != _tag(FileCache.stamp(config)):
                return
            cache.check_config(config)
            for name, stamp, blob in db.execute("SELECT path, stamp, blob FROM files"):
                entry, diags = pickle.loads(blob)
                cache.put(Path(name), tuple(int(x) for x in stamp.split(",")), entry, diags)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - any trouble with a cache means: no cache
        cache._files.clear()  # noqa: SLF001


def save(cache: FileCache, output: Path, config: Path) -> None:
    """Write the rows that changed since ``restore`` and drop those of files that are gone."""
    path = location(output)
    try:
        with _connect(path) as db:
            known = {name: stamp for name, stamp in db.execute("SELECT path, stamp FROM files")}
            current = cache.snapshot()
            rows = ((str(p), ",".join(map(str, stamp)), pickle.dumps((entry, diags), protocol=pickle.HIGHEST_PROTOCOL))
                    for p, (stamp, entry, diags) in current.items()
                    if known.get(str(p)) != ",".join(map(str, stamp)))  # streamed: never all blobs at once
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", rows)
            gone = set(known) - {str(p) for p in current}
            db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
            db.execute("INSERT OR REPLACE INTO meta VALUES ('tag', ?)", (_tag(FileCache.stamp(config)),))
    except (sqlite3.Error, OSError, pickle.PicklingError):
        pass
