"""What a view is, and how its key is derived from it.

A *view* is the plain data one output is made from (a page's template context, a writer's
argument): dicts, lists, tuples, strings, numbers, dates, named tuples, frozen dataclasses,
pydantic models, and ``Part``s. Its *key* is a hash of all of it, so an output whose key is
unchanged is unchanged, whatever its template reads: there is no list of what a template is
believed to show. A template receives its view and nothing else, so it cannot reach data its key
does not cover.

A ``Part`` is a piece of a view named by a digest of what it is made from, so that keys stay
cheap: a project's model is named by its file's content hash (and made only when a page that
shows it is rendered), a value computed from other parts by the function and its arguments.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any, Callable

from pydantic import BaseModel


class Part:
    """A piece of a view, made on first use. Four kinds, each with a fingerprint that covers all
    its value can hold: ``file(digest, load)`` (a content file's model: the file's content hash),
    ``of(value)`` (the value itself), ``derived(fn, *args)`` (a pure function of fingerprintable
    arguments: the function's name and the arguments' fingerprints) and ``valued(fn, *args)``
    (the same, fingerprinted by the value it gives: a page that shows a count is the same page
    whatever edit left the count as it was)."""

    __slots__ = ("kind", "_tokens", "_fn", "_args", "_value", "_made", "_files")

    def __init__(self, kind: str, tokens: str | None, fn: Callable[..., Any] | None, args: tuple[Any, ...] = (),
                 value: Any = None, made: bool = False) -> None:
        self.kind = kind
        self._tokens, self._fn, self._args, self._value, self._made = tokens, fn, args, value, made
        self._files: frozenset[str] | None = None

    @classmethod
    def file(cls, digest: str, load: Callable[[], Any]) -> Part:
        """What a content file says, loaded on first use; ``digest`` is the hash of its bytes."""
        return cls("file", file_token(digest), load)

    @classmethod
    def of(cls, value: Any) -> Part:
        """A value shared by many views (a department's summary): fingerprinted once."""
        return cls("of", None, None, (), value, True)

    @classmethod
    def derived(cls, fn: Callable[..., Any], *args: Any) -> Part:
        """``fn(*args)``, made on first use. ``fn`` must be pure: its code is in every key (the
        code stamp), its arguments in this part's fingerprint. Parts among the arguments are
        passed as parts (``fn`` reads their ``value``)."""
        return cls("derived", None, fn, args)

    @classmethod
    def valued(cls, fn: Callable[..., Any], *args: Any) -> Part:
        """``fn(*args)``, as ``derived``, but made when it is fingerprinted, and fingerprinted
        by its value."""
        return cls("valued", None, fn, args)

    @property
    def file_digest(self) -> str:
        """A file part's content digest (what names a pair of files in the diff memo)."""
        assert self.kind == "file" and self._tokens is not None
        return self._tokens[1:]

    @property
    def value(self) -> Any:
        if not self._made:
            self._value, self._made = self._fn(*self._args), True  # type: ignore[misc]
        return self._value

    def tokens(self) -> str:
        if self._tokens is None:
            if self.kind == "derived":  # the function and its arguments
                self._tokens = f"D{_name(self._fn)}({fingerprint(self._args)})"
            else:  # of, valued: the value's own fingerprint, hashed once
                self._tokens = "V" + digest(self.value)
        return self._tokens

    def files(self) -> frozenset[str]:
        """The file parts (their fingerprints) this part is made from: what a kept process
        follows to find the views an edited file is in (kept.py)."""
        if self._files is None:
            if self.kind == "file":
                self._files = frozenset((self.tokens(),))
            elif self.kind == "of":
                self._files = files_of(self._value)
            else:
                self._files = files_of(self._args) | (files_of(self._value) if self._made else frozenset())
        return self._files

    def replaced(self, new: dict[str, Part]) -> Part:
        """This part with the file parts named in ``new`` replaced: itself if it holds none."""
        if not (self.files() & new.keys()):
            return self
        if self.kind == "file":
            return new[self.tokens()]
        if self.kind == "of":
            return Part.of(replaced(self._value, new))
        return Part(self.kind, None, self._fn, replaced(self._args, new))


def file_token(digest: str) -> str:
    """The fingerprint of the file part of a file with this content digest."""
    return "F" + digest


def files_of(obj: Any) -> frozenset[str]:
    """The file parts anywhere in a view (Part.files)."""
    kind = type(obj)
    if kind is Part:
        return obj.files()
    if kind is dict:
        obj = obj.values()
    elif not (kind is list or kind is tuple):
        return frozenset()
    found: set[str] = set()
    for item in obj:
        of = type(item)
        if of is Part:
            found.update(item.files())
        elif of is dict or of is list or of is tuple:
            found.update(files_of(item))
    return frozenset(found)


def replaced(obj: Any, new: dict[str, Part]) -> Any:
    """A view with the file parts named in ``new`` (by fingerprint) replaced by those parts, and
    every part made from them made again: the view a build would make if only those files had
    changed (and nothing a summary shows)."""
    kind = type(obj)
    if kind is Part:
        return obj.replaced(new)
    if kind is dict:
        return {k: replaced(v, new) for k, v in obj.items()}
    if kind is list:
        return [replaced(v, new) for v in obj]
    if kind is tuple:
        return tuple(replaced(v, new) for v in obj)
    return obj


_NAMES: dict[Any, str] = {}  # function → its full name, made once (a bound method's too)


def _name(fn: Callable[..., Any]) -> str:
    function = getattr(fn, "__func__", fn)
    found = _NAMES.get(function)
    if found is None:
        found = _NAMES[function] = f"{function.__module__}.{function.__qualname__}"
    return found


_UNKNOWN = object()
_OWN: dict[type, Any] = {}  # type → its __fingerprint__ method (None: it has none), looked up once


def fingerprint(obj: Any) -> str:
    """All of ``obj`` as one string: equal for equal views, different for different ones.
    Anything else is an error, not a guess: a view holds only what its key can cover. (Parts and
    strings inside dicts and lists are handled in place: a key is made for every output of the
    site on every build.)"""
    kind = type(obj)
    if kind is Part:
        return obj.tokens()
    if kind is str:
        return f"s{len(obj)}:{obj}"
    if kind is dict:
        out = []
        for k, v in obj.items():
            of = type(v)
            value = v.tokens() if of is Part else f"s{len(v)}:{v}" if of is str else fingerprint(v)
            out.append(f"s{len(k)}:{k}={value};" if type(k) is str else f"{fingerprint(k)}={value};")
        return "{" + "".join(out) + "}"
    if kind is list or kind is tuple:
        return "[" + ",".join([v.tokens() if type(v) is Part else fingerprint(v) for v in obj]) + "]"
    if obj is None:
        return "N"
    if kind is bool:
        return "T" if obj else "B"
    if kind is int or kind is float or kind is Decimal:
        return f"n{obj}"
    if kind is dt.date or kind is dt.datetime:
        return "t" + obj.isoformat()
    own = _OWN.get(kind, _UNKNOWN)
    if own is _UNKNOWN:
        own = _OWN[kind] = getattr(kind, "__fingerprint__", None)
    if own is not None:
        return "o" + own(obj)
    if isinstance(obj, tuple):  # named tuples: their fields in order
        return "[" + ",".join([fingerprint(v) for v in obj]) + "]"
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return kind.__name__ + fingerprint([getattr(obj, f.name) for f in dataclasses.fields(obj)])
    if isinstance(obj, BaseModel):
        return kind.__name__ + obj.model_dump_json()
    raise TypeError(f"a view cannot hold {kind.__name__}: its key could not cover it")


def digest(obj: Any) -> str:
    return hashlib.blake2b(fingerprint(obj).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def resolve(obj: Any) -> Any:
    """The view as its template receives it: every part replaced by its value."""
    if isinstance(obj, Part):
        return resolve(obj.value)
    if type(obj) is dict:
        return {k: resolve(v) for k, v in obj.items()}
    if type(obj) is list:
        return [resolve(v) for v in obj]
    if type(obj) is tuple:
        return tuple(resolve(v) for v in obj)
    return obj
