"""perfsite: publish 项目支出绩效目标表 (project performance-target tables) as a static website."""

from __future__ import annotations

import functools
import hashlib
import os

__version__ = "0.1.0"


@functools.lru_cache(maxsize=1)
def code_stamp() -> str:
    """A hash of this version of the code (the package's source files and its theme): part of
    every cache and build key, so that an edited or upgraded perfsite never reuses what an older
    one made. Made of contents, not mtimes, so that the keys kept in output/ are the same on every
    machine."""
    h = hashlib.blake2b(__version__.encode(), digest_size=8)
    here = os.path.dirname(os.path.abspath(__file__))
    for folder, dirs, names in sorted(os.walk(here)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py") or folder.startswith(os.path.join(here, "theme")):
                h.update(f"{folder[len(here):]}/{name}\0".encode())
                with open(os.path.join(folder, name), "rb") as handle:
                    h.update(handle.read())
    return h.hexdigest()
