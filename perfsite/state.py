"""What the last build made, and from what.

Inside the output, swapped in with it: ``.perfsite-state``, the key of every file (content
hashes, so deterministic) and the build's diagnostics; the next build carries over every file whose
key is unchanged instead of rendering it again. Beside the output: a stamp of the inputs' names,
sizes and mtimes bound to that state file's hash, so a build whose inputs did not change at all
is known from ``stat`` calls alone. A stale or missing stamp only costs the shortcut."""

from __future__ import annotations

import hashlib
import json
import os
import stat as stat_module
from pathlib import Path
from typing import Callable

from . import __version__, code_stamp
from .diagnostics import Diagnostic, Level
from .load import UNLISTED, stamp_of, walk
from .search import is_marker
from .write import STATE_NAME as NAME, files_in


def inputs(content: Path, templates: Path, strict: bool, search: bool, pdf: bool = False) -> tuple[str, dict[str, str]]:
    """A hash of every input's name, size, mtime and inode (stat only: cheap at 10,000 files), and
    each file's stamp (load.file_stamp), so that loading need not stat them again."""
    stamps = scan(content, templates)
    return signature(stamps, strict, search, pdf), stamps


def signature(stamps: dict[str, str], strict: bool, search: bool, pdf: bool = False) -> str:
    """What ``inputs`` hashes, from stamps a kept process updated itself (build --watch)."""
    listed = "".join([f"{path}\0{stamp}\n" for path, stamp in stamps.items()])
    # SOURCE_DATE_EPOCH dates the .xlsx files (xlsx.source_date): a build under another is not "unchanged"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    options = f"{code_stamp()}|{strict}|{search}|{epoch}{'|pdf' if pdf else ''}"
    h = hashlib.blake2b(options.encode("utf-8", "surrogateescape"), digest_size=16)
    h.update(listed.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def scan(content: Path, templates: Path) -> dict[str, str]:
    """Each input file's stamp (load.file_stamp), in a fixed order: what the preview, which keeps
    no state file, needs of ``inputs``."""
    stamps: dict[str, str] = {}
    for root in (content, templates):
        for path, why in walk(root):
            if why is not None:
                stamps[path] = UNLISTED + why
                continue
            try:
                stamps[path] = stamp_of(os.stat(path))
            except OSError:  # a dangling or looping link: an input all the same, which the
                stamps[path] = ""  # build names (E009) as check does, instead of skipping it
    return stamps


def restamp(stamps: dict[str, str], changed: list[str], roots: list[Path]) -> tuple[dict[str, str], list[str]] | None:
    """``stamps`` with those of ``changed`` (paths a watcher reported, in any form under
    ``roots``) made again, and which of them differ: what a kept process learns without a
    ``stat`` of every input. None when the report does not suffice: a file added or removed (a
    path that exists now but was not an input, or an input that no longer exists). A path that
    neither exists nor was an input (an editor's temporary file, already renamed over its
    target) is no input."""
    forms = [(os.fspath(root), os.fspath(root.resolve())) for root in roots]
    stamps, differ = dict(stamps), []
    for path in changed:
        scanned = path
        for given, resolved in forms:
            if path.startswith(resolved + os.sep):
                scanned = os.path.join(given, path[len(resolved) + 1:])
                break
        try:
            st = os.stat(scanned)
        except OSError:
            if scanned in stamps or os.path.lexists(scanned):
                return None
            continue
        if scanned not in stamps or not stat_module.S_ISREG(st.st_mode):
            return None
        now = stamp_of(st)
        if stamps[scanned] != now:
            stamps[scanned] = now
            differ.append(scanned)
    return stamps, differ


def _stamp_path(output: Path) -> Path:
    output = output.resolve()
    return output.parent / f".{output.name}.perfsite-stamp"


_FORMAT = 2


def _read(output: Path) -> dict | None:
    """The state file: one JSON line (format, version, file count, diagnostics), then the paths,
    a blank line, and the keys in the same order (a JSON object of 30,000 keys took a tenth of a
    small rebuild to write and read; two splits and a zip take a few milliseconds)."""
    try:
        head, _, body = (output / NAME).read_text(encoding="utf-8").partition("\n")
        data = json.loads(head)
        if data.get("format") != _FORMAT:
            return None
        paths, _, keys = body.partition("\n\n")
        data["keys"] = dict(zip(paths.split("\n"), keys.removesuffix("\n").split("\n"), strict=True)) if paths else {}
        return data
    except (OSError, ValueError, AttributeError, TypeError):
        return None


def digest(output: Path) -> str | None:
    try:
        return digest_of((output / NAME).read_bytes())
    except OSError:
        return None


def digest_of(data: bytes) -> str:
    """The hash a stamp binds: of the state file's bytes (or of the text about to be them)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def identity(output: Path) -> tuple[int, int, int] | None:
    """Which state file is in the output (inode, mtime, size): every build that changes the
    output puts in a new one, so a kept process (build --watch) knows from a ``stat`` whether
    another build has run since its own."""
    try:
        st = os.stat(output / NAME)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def load_keys(output: Path) -> dict[str, str]:
    data = _read(output)
    return dict(data.get("keys", {})) if data else {}


def unchanged(output: Path, current: str,
              listing: Callable[[], set[str]] | None = None) -> tuple[list[Diagnostic], int] | None:
    """The last build's diagnostics and file count, if its inputs are exactly these and its output
    is still all there (``listing``: gives files_in(output), when the caller has it under way)."""
    try:
        stamp = json.loads(_stamp_path(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stamp.get("inputs") != current or stamp.get("state") != digest(output):
        return None
    data = _read(output)
    if not data:
        return None
    present = listing() if listing is not None else files_in(output)
    if not all(path in present for path in data.get("keys", {}) if not is_marker(path)):
        return None
    diagnostics = [Diagnostic(d["path"], d["line"], d["col"], Level(d["level"]), d["code"], d["message"], d["hint"])
                   for d in data.get("diagnostics", [])]
    return diagnostics, int(data.get("files", 0))


def stamp(output: Path, current: str, state: str) -> None:
    """After the output is in place: remember which inputs made it, and which state file
    (``digest_of`` the one the build wrote)."""
    path = _stamp_path(output)
    try:
        path.write_text(json.dumps({"inputs": current, "state": state}), encoding="utf-8")
    except OSError:
        pass


def text(keys: dict[str, str], diagnostics: list[Diagnostic], files: int) -> str:
    """The state file of a build, for the output's writer (keys in the plan's order, which is
    deterministic)."""
    data = {"format": _FORMAT, "version": __version__, "files": files,
            "diagnostics": [{"path": d.path, "line": d.line, "col": d.col, "level": d.level.value, "code": d.code,
                             "message": d.message, "hint": d.hint} for d in diagnostics]}
    head = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if not keys:
        return head + "\n"
    return f"{head}\n{chr(10).join(keys)}\n\n{chr(10).join(keys.values())}\n"
