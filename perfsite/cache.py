"""What earlier builds computed, kept beside the output (never published): parsed files and
year-over-year diffs, so a build reads, parses, checks and diffs only what changed.

SQLite (standard library), so that a build rewrites only the rows that changed and reads a
project's full model only when a page needs it: a restore loads each file's small summary, and
the model behind it comes on first use (``Entry.project``). The cache is only ever a shortcut:
a missing, stale, corrupt or foreign one is ignored, and the build reads the files instead.

Every value it stores is sealed (an HMAC with a key kept in the user's own cache folder, which a
content repository or an archive cannot carry): pickle and marshal run what they are given, so
nothing is unpickled that this user's builds did not write.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import marshal
import os
import pickle
import secrets
import sqlite3
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator


from . import code_stamp
from .load import Entry, Evaluated, FileCache, Summary, file_stamp
from .model import Project

_SCHEMA = 14  # bump when what is pickled changes shape


class _Forged(ValueError):
    """A stored value whose seal does not match: not written by this user's builds."""


@functools.lru_cache(maxsize=1)
def _seal_key() -> bytes:
    """This user's key for sealing the cache, made once (mode 0600); where there is no home to
    keep it in, one for this process (its cache is then of use to it alone)."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "perfsite"
    path = home / "seal.key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(f".seal.key.{os.getpid()}"), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        os.replace(path.with_name(f".seal.key.{os.getpid()}"), path)
        return path.read_bytes()  # another process may have won the race: use what is there
    except OSError:
        return key


def _seal(data: bytes) -> bytes:
    return hmac.new(_seal_key(), data, hashlib.sha256).digest() + data


def _open(sealed: bytes) -> bytes:
    """What ``_seal`` sealed, or _Forged."""
    if not isinstance(sealed, bytes):
        raise _Forged("the cache holds a value this user's builds did not write")
    mac, data = sealed[:32], sealed[32:]
    if not hmac.compare_digest(mac, hmac.new(_seal_key(), data, hashlib.sha256).digest()):
        raise _Forged("the cache holds a value this user's builds did not write")
    return data
_TABLES = ("DROP TABLE IF EXISTS files",  # the first version's layout
           "CREATE TABLE IF NOT EXISTS entries (path TEXT PRIMARY KEY, stamp TEXT, meta BLOB, project BLOB)",
           "CREATE TABLE IF NOT EXISTS diffs (pair TEXT PRIMARY KEY, summary BLOB, diff BLOB)",
           "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
           "CREATE TABLE IF NOT EXISTS templates (key TEXT PRIMARY KEY, code BLOB)",
           "CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, value BLOB)")
# blobs: 'summaries', every file's row of ``entries`` without its model, as one marshal'd dict
# (plus 'summaries+', the rows changed since), and 'changes', every diff's summary: read whole on
# every build, and one read of one blob was a quarter of the time of 10,000 rows.


class _BlobMap:
    """A dict kept in the blobs table as a base and the entries changed since (None: removed),
    so that a small change writes a few rows' worth, not megabytes; the base is written whole
    again when the changes pass ``limit``."""

    def __init__(self, key: str, limit: int = 1000) -> None:
        self.key, self.limit = key, limit
        self._delta: dict[str, Any] | None = None  # None: the base must be written

    def load(self, db: sqlite3.Connection) -> dict[str, Any] | None:
        blobs = dict(db.execute("SELECT key, value FROM blobs WHERE key IN (?, ?)", (self.key, self.key + "+")))
        if self.key not in blobs:
            self._delta = None
            return None
        data = marshal.loads(_open(blobs[self.key]))
        self._delta = marshal.loads(_open(blobs[self.key + "+"])) if self.key + "+" in blobs else {}
        _apply(data, self._delta)
        return data

    def save(self, db: sqlite3.Connection, data: dict[str, Any], changes: dict[str, Any]) -> None:
        """Apply ``changes`` (None: removed) to ``data`` and store them."""
        _apply(data, changes)
        delta = self._delta
        if delta is not None:
            delta.update(changes)
        if delta is None or len(delta) > self.limit:
            db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (self.key, _seal(marshal.dumps(data))))
            db.execute("DELETE FROM blobs WHERE key = ?", (self.key + "+",))
            self._delta = {}
        elif changes:
            db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (self.key + "+", _seal(marshal.dumps(delta))))

    def forget(self) -> None:
        self._delta = None


def _apply(data: dict[str, Any], changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value


def location(output: Path) -> Path:
    output = output.resolve()
    return output.parent / f".{output.name}.perfsite-cache.sqlite"


def _tag(config_stamp: str) -> str:
    return f"{code_stamp()}|{_SCHEMA}|{config_stamp}"


class Store:
    """One cache file. Connections are per process: forked render workers open their own."""

    def __init__(self, output: Path) -> None:
        self.path = location(output)
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        self._rows: dict[str, tuple[str, tuple]] | None = None  # type: ignore[type-arg]  # path → (stamp, meta)
        self._summaries = _BlobMap("summaries")  # every file's meta row, for the restore
        self._changes = _BlobMap("changes")  # every diff's summary
        self._change_data: dict[str, Any] | None = None
        self._prefetched: dict[str, Any] | None = None  # the summaries blob, read ahead
        # each self-evaluation's stamp and its checks' key, as restored (Evaluated.checked)
        self._evaluations: tuple[dict[str, str], dict[str, tuple[str, ...]]] | None = None
        self._reload: Callable[[Path], tuple[Entry | None, list]] = lambda path: (None, [])  # type: ignore[type-arg]

    def db(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db = sqlite3.connect(self.path, timeout=5)
            self._pid = os.getpid()
            for table in _TABLES:
                self._db.execute(table)
        return self._db

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None

    def project(self, name: str, digest: str) -> Project:
        """A file's model, as the restore promised it (same digest), else parsed again."""
        try:
            row = self.db().execute("SELECT meta, project FROM entries WHERE path = ?", (name,)).fetchone()
            if row is not None and row[1] is not None and marshal.loads(_open(row[0]))[2] == digest:
                return pickle.loads(_open(row[1]))
        except Exception:  # noqa: BLE001 - any trouble with a cache means: no cache
            pass
        entry, _ = self._reload(Path(name))
        if entry is None or entry.digest != digest:
            raise RuntimeError(f"{name} 在构建过程中被修改；请重新构建 (changed during the build)")
        return entry.project

    def prefetch(self) -> None:
        """Read the summaries blob ahead of ``restore`` (while the inputs are scanned elsewhere:
        a build that finds nothing changed needs no restore, and one that does waits less)."""
        try:
            if self.path.is_file():
                self._prefetched = self._summaries.load(self.db())
        except Exception:  # noqa: BLE001 - restore reads it again, or gives up, as without this
            self._prefetched = None

    def restore(self, cache: FileCache, config: Path, reload: Any) -> None:
        """Fill ``cache`` with what the last build parsed, if it was made by this version and
        config: summaries now, models on first use. ``reload(path)`` parses a file again."""
        self._reload = reload
        if not self.path.is_file():
            return
        try:
            db = self.db()
            row = db.execute("SELECT value FROM meta WHERE key = 'tag'").fetchone()
            if row is None or row[0] != _tag(file_stamp(config)):
                with db:  # made by other code or for another config: nothing in it can be trusted
                    db.execute("DELETE FROM entries")
                    db.execute("DELETE FROM diffs")
                    db.execute("DELETE FROM blobs")
                self._rows = {}
                return
            self._rows = {}
            cache.check_config(config)
            rows, self._prefetched = (self._prefetched or self._summaries.load(db)), None
            if rows is None:
                rows = {name: (stamp, marshal.loads(_open(meta))) for name, stamp, meta in db.execute(
                    "SELECT path, stamp, meta FROM entries")}
            put, fetch = cache.put, self.project
            for name, (stamp, (display, id_pos, digest, summary, diags)) in rows.items():
                put(name, stamp, None if summary is None else Entry(
                    None, name, display, id_pos, digest, _summary(summary), fetch=partial(fetch, name, digest)),
                    pickle.loads(diags) if diags else [])
            self._rows = rows
            self._restore_evaluations(db, cache)
        except Exception:  # noqa: BLE001
            cache._files.clear()  # noqa: SLF001
            cache.evaluations.clear()
            cache.checks.clear()
            self._rows = None

    def _restore_evaluations(self, db: sqlite3.Connection, cache: FileCache) -> None:
        """The self-evaluations the last build parsed, each with its stamp, and their checks by
        what those are a function of (load._checked), as one blob: read whole on every load."""
        row = db.execute("SELECT value FROM blobs WHERE key = 'evaluations'").fetchone()
        if row is not None:
            parsed, checks = pickle.loads(_open(row[0]))
            cache.evaluations.update(parsed)
            cache.checks.update(checks)
        self._evaluations = self._evaluation_keys(cache)

    @staticmethod
    def _evaluation_keys(cache: FileCache) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
        return ({path: stamp for path, (stamp, _, _) in cache.evaluations.items()},
                {path: key for path, (key, _) in cache.checks.items()})

    def _save_evaluations(self, db: sqlite3.Connection, cache: FileCache) -> None:
        """Write the self-evaluations' blob when one of them changed since the restore."""
        keys = self._evaluation_keys(cache)
        if keys == self._evaluations:
            return
        parsed = {path: (stamp, _parsed(entry), diags) for path, (stamp, entry, diags) in cache.evaluations.items()}
        db.execute("INSERT OR REPLACE INTO blobs VALUES ('evaluations', ?)",
                   (_seal(pickle.dumps((parsed, cache.checks), protocol=pickle.HIGHEST_PROTOCOL)),))
        self._evaluations = keys

    def save(self, cache: FileCache, config: Path, only: list[str] | None = None) -> None:
        """Write the rows of files that changed since ``restore`` and drop those of files that
        are gone. ``only``: the files that may have changed, when the caller knows (a kept
        process's edit, build --watch), and none is gone."""
        try:
            db = self.db()
            with db:
                rows = self._rows
                partial = only is not None and rows is not None
                if rows is None:  # the restore failed: what is in the file is unknown
                    db.execute("DELETE FROM entries")
                    self._summaries.forget()
                    rows = {}
                current = cache.some(only) if partial else cache.snapshot()  # type: ignore[arg-type]
                changed = [(path, stamp, entry, diags) for path, (stamp, entry, diags) in current.items()
                           if path not in rows or rows[path][0] != stamp]
                changes: dict[str, Any] = {} if partial else dict.fromkeys(set(rows) - set(current))  # None: gone

                def written() -> Iterator[tuple[str, str, bytes, bytes | None]]:
                    for path, stamp, entry, diags in changed:  # streamed: never all models at once
                        meta = _meta(entry, diags)
                        changes[path] = (stamp, meta)
                        yield path, stamp, _seal(marshal.dumps(meta)), None if entry is None else _seal(pickle.dumps(
                            entry.project, protocol=pickle.HIGHEST_PROTOCOL))

                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", written())
                db.executemany("DELETE FROM entries WHERE path = ?", [(p,) for p, v in changes.items() if v is None])
                self._summaries.save(db, rows, changes)
                self._save_evaluations(db, cache)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('tag', ?)", (_tag(file_stamp(config)),))
            self._rows = rows
        except (sqlite3.Error, OSError, pickle.PicklingError, ValueError):
            self._rows = None
            self.close()

    def diffs(self) -> dict[str, Any]:
        """Summaries of the year-over-year diffs earlier builds computed, by pair key, each as its
        ``Change.line`` (thousands are read on every build that shows a year's changes)."""
        try:
            self._change_data = self._changes.load(self.db()) or {}
        except Exception:  # noqa: BLE001
            self._changes.forget()
            self._change_data = {}
        return dict(self._change_data)

    def diff(self, pair: str) -> Any:
        try:
            row = self.db().execute("SELECT diff FROM diffs WHERE pair = ?", (pair,)).fetchone()
            return None if row is None else pickle.loads(_open(row[0]))
        except Exception:  # noqa: BLE001
            return None

    def save_diffs(self, new: dict[str, tuple[Any, Any]], keep: set[str], gone: set[str] | None = None) -> None:
        """Add the diffs computed by this build; drop pairs no longer on the site (``gone``: those
        that are, when the caller knows; else every pair not in ``keep``)."""
        try:
            db = self.db()
            with db:
                summaries = self._change_data if self._change_data is not None else self.diffs()
                changes: dict[str, Any] = {pair: summary.line for pair, (summary, _) in new.items()}
                db.executemany("INSERT OR REPLACE INTO diffs VALUES (?, ?, ?)",
                               ((pair, _seal(marshal.dumps(changes[pair])),
                                 _seal(pickle.dumps(diff, protocol=pickle.HIGHEST_PROTOCOL)))
                                for pair, (_, diff) in new.items()))
                if gone is None:
                    gone = {pair for pair in summaries.keys() | changes.keys() if pair not in keep}
                else:
                    gone = {pair for pair in gone if pair not in keep}
                db.executemany("DELETE FROM diffs WHERE pair = ?", [(p,) for p in gone])
                changes.update(dict.fromkeys(gone))
                self._changes.save(db, summaries, changes)
                self._change_data = summaries
        except (sqlite3.Error, OSError, pickle.PicklingError, ValueError):
            self._changes.forget()
            self._change_data = None
            self.close()


class TemplateCode:
    """What the renderer keeps of its templates between builds, by keys it makes from their
    sources: compiled code, and which templates each references (render.TemplateMemo)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str) -> Any:
        """The value stored under ``key`` (Jinja's compiled code is a pickle: sealed, as all)."""
        try:
            row = self.store.db().execute("SELECT code FROM templates WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            data = _open(row[0])
        except (sqlite3.Error, ValueError):
            return None
        return data[1:] if data[:1] == b"b" else data[1:].decode("utf-8")

    def __setitem__(self, key: str, value: str | bytes) -> None:
        data = b"b" + value if isinstance(value, bytes) else b"s" + value.encode("utf-8")
        try:
            with self.store.db() as db:
                db.execute("INSERT OR REPLACE INTO templates VALUES (?, ?)", (key, _seal(data)))
        except sqlite3.Error:
            pass


def _parsed(entry: Evaluated | None) -> Evaluated | None:
    """A self-evaluation as parsed, without what a load adds (its score and its target's entry)."""
    if entry is None:
        return None
    copy = Evaluated(entry.evaluation, entry.source, entry.path, entry.display)
    return copy


def _meta(entry: Entry | None, diags: list) -> tuple:  # type: ignore[type-arg]
    """What a restore needs of a file, as plain data for marshal (pickled dataclasses took ten
    times as long to load); the model is stored apart and read only when needed."""
    problems = pickle.dumps(diags, protocol=pickle.HIGHEST_PROTOCOL) if diags else b""
    if entry is None:
        return (None, None, None, None, problems)
    s = entry.summary
    summary = (*s[:7], str(s.total), _day(s.published), s.text, s.form, _day(s.approved), s.note, s.index_number,
               tuple((date.isoformat(), what) for date, what in s.corrections))
    return (entry.display, entry.id_pos, entry.digest, summary, problems)


def _summary(data: tuple) -> Summary:  # type: ignore[type-arg]
    *head, total, published, text, form, approved, note, index_number, corrections = data
    return Summary(*head, Decimal(total), _date(published), text, form, _date(approved), note, index_number,
                   tuple((dt.date.fromisoformat(date), what) for date, what in corrections))


def _day(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
