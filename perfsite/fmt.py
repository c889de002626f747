"""The canonical form of content files: one spelling per content, so that ``git diff`` between two
years shows only what really changed.

The data comes from :mod:`perfsite.source` (the only YAML parser). libyaml drops comments, so they
are found in the text outside the scalars whose spans the parser recorded, then re-attached: a
full-line comment to the node that follows it, an end-of-line comment to the node on its line,
comments above the first key to the top and comments after the last node to the end. Key order
comes from the pydantic models, so the form's order is declared once.
"""

from __future__ import annotations

import functools
import os
import re
import types
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel

from .atomic import write_files
from .config import CONFIG_NAME, SiteConfig
from .department import DepartmentTable
from .diagnostics import Diagnostic, Level, display_path
from .evaluation import Evaluation
from .load import DEPARTMENTS, EVALUATIONS, SUFFIXES, unlisted_error, walk
from .model import Project
from .parallel import spread
from .source import Pos, Source, load_file, parse_text

Kind = Literal["project", "site", "evaluation", "department"]
_YEAR_DIR = re.compile(r"^\d{4}$")


# --- what the form says about each place: key order, amounts, the year ----------------------------

@dataclass
class _Shape:
    kind: Literal["model", "dict", "list", "flow", "amount", "year", "text"]
    fields: dict[str, _Shape] = field(default_factory=dict)
    item: _Shape | None = None

    def child(self, key: str | int) -> _Shape | None:
        if self.kind == "model" and isinstance(key, str):
            return self.fields.get(key)
        if (self.kind == "dict" and isinstance(key, str)) or (self.kind in ("list", "flow") and isinstance(key, int)):
            return self.item
        return None


def _shape(tp: Any) -> _Shape:
    origin = get_origin(tp)
    if origin is Annotated:
        return _shape(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if any(get_origin(a) is tuple for a in options):  # a 表样: a form's name, or its columns on one line
            return _Shape("flow", item=_Shape("text"))
        return _shape(options[0]) if len(options) == 1 else _Shape("text")
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _Shape("model", {info.alias or name: _shape(info.annotation)
                                for name, info in tp.model_fields.items()})
    if origin is dict:
        return _Shape("dict", item=_shape(get_args(tp)[1]))
    if origin is list:
        return _Shape("list", item=_shape(get_args(tp)[0]))
    if tp is Decimal:
        return _Shape("amount")
    if tp is int:  # the form's only whole number is 年度
        return _Shape("year")
    return _Shape("text")


@functools.cache
def _root_shape(kind: Kind) -> _Shape:
    return _shape({"site": SiteConfig, "evaluation": Evaluation, "department": DepartmentTable}.get(kind, Project))


# --- spelling one scalar ------------------------------------------------------------------------

_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
# YAML 1.2 core schema (what editors use), beyond PyYAML's YAML 1.1 resolvers.
_CORE_12 = re.compile(r"""~|null|Null|NULL|true|True|TRUE|false|False|FALSE
    |[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+
    |[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)""", re.VERBOSE)
_BREAK = re.compile("[\n\x85\u2028\u2029]")  # line breaks as libyaml counts lines
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_NUMBER = re.compile(r"(\d+)(\.\d+)?")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0",
            "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


def _number(text: str) -> str | None:
    """An amount in one spelling: ASCII digits, no '+', thousands separators or leading zeros, but
    the decimals as published (36.40 stays 36.40). None if it is not a number."""
    text = unicodedata.normalize("NFKC", text).strip()
    sign = ""
    if text[:1] in ("+", "-"):
        sign, text = text[0].replace("+", ""), text[1:]
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    return sign + (match[1].lstrip("0") or "0") + (match[2] or "")


def _reads(doc: str, expected: Any) -> bool:
    source, _ = parse_text(doc, "<fmt>")
    return source is not None and source.data == expected


def _plain_ok(value: str, key: bool) -> bool:
    """Plain only if the strict loader reads it back and no YAML 1.1/1.2 reader takes it for a
    number, bool, null or date."""
    if not value or _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != _STR_TAG \
            or _CORE_12.fullmatch(value):
        return False
    if key:
        return _reads(f"{value}: x\n", {value: "x"})
    return _reads(f"k: {value}\n", {"k": value}) and _reads(f"- {value}\n", [value])


def _printable(ch: str) -> bool:
    code = ord(ch)
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000) and code not in (0x2028, 0x2029, 0xFEFF)


def _double(value: str) -> str:
    out = []
    for ch in value:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch):
            out.append(ch)
        else:
            out.append(f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000
                       else f"\\U{code:08X}")
    return '"' + "".join(out) + '"'


def _literal(value: str) -> tuple[str, ...] | None:
    """A ``|`` block (header, then lines) if it reads back exactly and leaves no trailing spaces."""
    if value.endswith("\n\n"):
        return None
    chomp = "" if value.endswith("\n") else "-"
    lines = value.removesuffix("\n").split("\n")
    if any(line != line.rstrip(" \t") for line in lines):
        return None
    first = next((line for line in lines if line), "")
    header = "|" + ("2" if first.startswith((" ", "\t")) else "") + chomp
    body = "".join(f"  {line}\n" if line else "\n" for line in lines)
    return (header, *lines) if _reads(f"k: {header}\n{body}", {"k": value}) else None


@functools.lru_cache(maxsize=8192)
def _spell(value: str, key: bool = False) -> tuple[str, ...]:
    """How a text is written: plain, else single-quoted, else (with a newline) a literal block,
    else double-quoted. More than one element means a block scalar: header, then its lines.
    Characters one cannot see or that YAML readers disagree on are only ever written escaped."""
    if all(_printable(ch) or ch in "\t\n" for ch in value):
        if "\n" not in value:
            if _plain_ok(value, key):
                return (value,)
            single = "'" + value.replace("'", "''") + "'"
            if _reads(f"{single}: x\n", {value: "x"}) if key else _reads(f"k: {single}\n", {"k": value}):
                return (single,)
        elif not key and (block := _literal(value)) is not None:
            return block
    return (_double(value),)


# --- the tree, with comments ----------------------------------------------------------------------

@dataclass
class _Node:
    value: str | None = None
    slots: list[_Slot] | None = None  # entries of a mapping or items of a sequence; None: a scalar
    mapping: bool = False
    shape: _Shape | None = None
    bare: bool = False  # a normalised amount or year, written plain

    def data(self) -> Any:
        if self.slots is None:
            return self.value
        if self.mapping:
            return {s.key: s.node.data() for s in self.slots}
        return [s.node.data() for s in self.slots]

    def ordered(self) -> list[_Slot]:
        """Entries in the form's order (unknown keys after, as they were); all else as written."""
        slots = self.slots or []
        if not self.mapping or self.shape is None or self.shape.kind != "model":
            return slots
        rank = {key: i for i, key in enumerate(self.shape.fields)}
        return sorted(slots, key=lambda s: rank.get(s.key or "", len(rank)))


@dataclass
class _Slot:
    """A mapping entry (``key`` set) or a sequence item, and the comments that go with it."""

    key: str | None
    pos: Pos
    col: int  # the column its line starts at: the key, or the item's '-'
    parent: _Slot | None
    node: _Node = field(default_factory=_Node)
    before: list[str] = field(default_factory=list)
    after: str | None = None

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1


@dataclass
class _Comment:
    pos: Pos
    text: str
    full_line: bool


def _build(source: Source, data: Any, path: tuple[Any, ...], shape: _Shape | None,
           parent: _Slot | None, slots: list[_Slot]) -> _Node:
    if isinstance(data, (dict, list)):
        children: list[_Slot] = []
        items = data.items() if isinstance(data, dict) else enumerate(data)
        for key, value in items:
            here = path + (key,)
            if isinstance(key, str):
                slot = _Slot(key, source.keys[here], source.keys[here][1], parent)
            else:
                slot = _Slot(None, source.values[here], source.values[here][1], parent)
            slots.append(slot)
            children.append(slot)
            slot.node = _build(source, value, here, shape.child(key) if shape else None, slot, slots)
        return _Node(slots=children, mapping=isinstance(data, dict), shape=shape)
    node = _Node(value=data, shape=shape)
    if isinstance(data, str) and shape is not None:
        if shape.kind == "amount" and (number := _number(data)) is not None:
            node.value, node.bare = number, True
        elif shape.kind == "year" and re.fullmatch(r"\d{4}", year := unicodedata.normalize("NFKC", data).strip()):
            node.value, node.bare = year, True
    return node


def _dash_col(line: str, pos: Pos) -> int:
    i = pos[1] - 2
    while i >= 0 and line[i] in " \t":
        i -= 1
    return i + 1 if i >= 0 and line[i] == "-" else pos[1]


def _comments(source: Source) -> list[_Comment]:
    """Every '#' comment outside the scalars, in text order."""
    text = source.text
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]

    def offset(pos: Pos) -> int:
        return starts[pos[0] - 1] + pos[1] - 1

    spans = []
    for begins, ends, styles in ((source.keys, source.key_ends, source.key_styles),
                                 (source.values, source.value_ends, source.styles)):
        for path, stop in ends.items():
            a, b = offset(begins[path]), offset(stop)
            if styles[path] in ("|", ">"):  # the header line's comment lies outside the scalar
                header = a + 1
                while header < len(text) and text[header] in "0123456789+-":
                    header += 1
                spans.append((a, header))
                a = starts[begins[path][0]] if begins[path][0] < len(starts) else b
            spans.append((a, b))
    spans.sort()
    span_starts = [a for a, _ in spans]

    found = []
    for number, begin in enumerate(starts, start=1):
        end = starts[number] - 1 if number < len(starts) else len(text)
        i = text.find("#", begin, end)
        while i >= 0:
            k = bisect_right(span_starts, i) - 1
            if k < 0 or i >= spans[k][1]:
                found.append(_Comment((number, i - begin + 1), text[i:end].rstrip(),
                                      not text[begin:i].strip()))
                break
            i = text.find("#", i + 1, end)
    return found


# --- writing ---------------------------------------------------------------------------------------

_Line = tuple[int, str, bool]  # indentation, text, is a comment


def _lines(node: _Node, indent: int) -> list[_Line]:
    out: list[_Line] = []
    for slot in node.ordered():
        out += _slot_lines(slot, indent)
    return out


def _slot_lines(slot: _Slot, indent: int) -> list[_Line]:
    out: list[_Line] = [(indent, c, True) for c in slot.before]
    lead = "-" if slot.key is None else _spell(slot.key, key=True)[0] + ":"
    eol = f"  {slot.after}" if slot.after else ""
    node = slot.node
    if node.slots is None:
        if node.value is None:
            out.append((indent, lead + eol, False))
        else:
            first, *block = (node.value,) if node.bare else _spell(node.value)
            out.append((indent, f"{lead} {first}{eol}", False))
            out += [(indent + 2, line, False) for line in block]
    elif not node.slots:
        out.append((indent, f"{lead} {'{}' if node.mapping else '[]'}{eol}", False))
    elif slot.key is not None and (flow := _flow(slot)) is not None:
        out.append((indent, f"{lead} {flow}", False))
    elif slot.key is not None:
        out.append((indent, lead + eol, False))
        out += _lines(node, indent + 2)
    else:  # a collection in a sequence starts on the item's line; comments above it go above the item
        if slot.after:
            out.append((indent, slot.after, True))
        children = _lines(node, indent + 2)
        k = next(i for i, line in enumerate(children) if not line[2])
        out += [(indent, c, True) for _, c, _ in children[:k]]
        out.append((indent, "- " + children[k][1], False))
        out += children[k + 1:]
    return out


_FLOW_UNSAFE = re.compile(r"[,\[\]{}#]|: ")  # what ends or breaks a plain scalar inside [ ]


def _flow(slot: _Slot) -> str | None:
    """A 表样's columns as one line, ``[三级指标, 指标值, 权重]  # comment``, as README and the forms
    write them; None (a block list) where the list holds anything but short texts, or comments that
    one line cannot keep in their places (one above an item, or at the end of more than one line)."""
    node = slot.node
    if node.shape is None or node.shape.kind != "flow" or node.mapping or not node.slots:
        return None
    items = node.slots
    comments = [c for c in (slot.after, *(i.after for i in items)) if c]
    if len(comments) > 1 or any(i.before or i.node.slots is not None or i.node.value is None for i in items):
        return None
    spelled = []
    for item in items:
        value = item.node.value
        assert isinstance(value, str)
        words = _spell(value)
        if len(words) > 1:
            return None
        word = words[0]
        if word == value and _FLOW_UNSAFE.search(value):
            word = "'" + value.replace("'", "''") + "'"
        spelled.append(word)
    return "[" + ", ".join(spelled) + "]" + (f"  {comments[0]}" if comments else "")


def _trailer_indent(col: int, last: _Slot | None, depth_limit: int) -> int:
    """Indentation of a comment after the last node: that of the innermost open node at or left of
    it, no deeper than the output's last node (so that a second run keeps it)."""
    slot = last
    while slot is not None and slot.col > col:
        slot = slot.parent
    return 0 if slot is None else 2 * min(slot.depth, depth_limit)


def _render(source: Source, kind: Kind) -> tuple[str, Any]:
    slots: list[_Slot] = []
    root = _build(source, source.data, (), _root_shape(kind), None, slots)
    slots.sort(key=lambda s: s.pos)  # stable: an item before the first key of its mapping
    text_lines = _BREAK.split(source.text)
    for slot in slots:
        if slot.key is None:
            slot.col = _dash_col(text_lines[slot.pos[0] - 1], slot.pos)
    positions = [s.pos for s in slots]
    header: list[str] = []
    trailer: list[_Comment] = []
    for comment in _comments(source):
        if comment.full_line:
            i = bisect_right(positions, comment.pos)
            if i == 0:
                header.append(comment.text)
            elif i == len(slots):
                trailer.append(comment)
            else:
                slots[i].before.append(comment.text)
            continue
        i = bisect_left(positions, comment.pos) - 1
        if i < 0:
            header.append(comment.text)
        elif slots[i].after is None:
            slots[i].after = comment.text
        elif i + 1 < len(slots):
            slots[i + 1].before.append(comment.text)
        else:
            trailer.append(comment)

    lines: list[_Line] = [(0, c, True) for c in header]
    if root.slots is None:
        if root.value is not None:
            first, *block = _spell(root.value)
            lines += [(0, first, False)] + [(2, line, False) for line in block]
    elif not root.slots:
        lines.append((0, "{}" if root.mapping else "[]", False))
    else:
        lines += _lines(root, 0)
    depth, node = -1, root
    while node.slots:
        depth, node = depth + 1, node.ordered()[-1].node
    last = slots[-1] if slots else None
    lines += [(_trailer_indent(c.pos[1], last, depth), c.text, True) for c in trailer]
    text = "".join((" " * indent + t if t else "") + "\n" for indent, t, _ in lines)
    return text, root.data()


def format_text(text: str, display: str, kind: Kind) -> tuple[str | None, list[Diagnostic]]:
    """Canonical form of one file's text; None (and diagnostics) if the file cannot be parsed.

    The result is checked by parsing it again: it must say the same (after normalising amounts and
    the year) and keep every comment, otherwise the file is refused rather than rewritten wrong.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    source, diags = parse_text(text, display)
    if source is None:
        return None, diags
    out, expected = _render(source, kind)
    again, _ = parse_text(out, display)
    if again is None or again.data != expected or \
            Counter(c.text for c in _comments(source)) != Counter(c.text for c in _comments(again)):
        return None, diags + [Diagnostic(display, 0, 0, Level.ERROR, "F001",
                                         "无法安全地格式化此文件（格式化后内容或注释会改变），文件保持不变",
                                         "这是 perfsite 的缺陷，请报告；文件本身可以照常使用")]
    return out, diags


# --- files -----------------------------------------------------------------------------------------

@dataclass
class FmtResult:
    """What ``perfsite fmt`` did (or, with ``--check``, would do)."""

    changed: list[Path] = field(default_factory=list)  # files whose canonical form differs (rewritten unless check)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # files that could not be parsed (left untouched)


def _targets(paths: list[Path], content_root: Path | None) -> tuple[list[tuple[Path, Kind, bool]], list[Diagnostic]]:
    """Files to format and how, and the folders that could not be listed. Without
    ``content_root``, any site.yaml outside a year folder is taken for the site config (so that
    ``perfsite fmt .`` finds content/site.yaml). A file in a year's 自评/ folder is a
    self-evaluation, ordered as evaluation.py's models are; one in its 部门/ folder a department's
    table, ordered as department.py's are."""
    site = (content_root / CONFIG_NAME).resolve() if content_root is not None else None
    found: dict[Path, tuple[Path, Kind, bool]] = {}
    unlisted: list[Diagnostic] = []

    def add(path: Path, in_year: bool, within: Path | None) -> None:
        resolved = _resolved(path)
        if site is not None:
            kind: Kind = "site" if resolved == site else "project"
        else:
            kind = "site" if path.name == CONFIG_NAME and not in_year else "project"
        if kind == "project" and _in_year_folder(path, EVALUATIONS):
            kind = "evaluation"
        elif kind == "project" and _in_year_folder(path, DEPARTMENTS):
            kind = "department"
        writable = within is None or resolved.is_relative_to(within)
        found.setdefault(resolved, (path, kind, writable))

    for given in paths:
        if not given.is_dir():
            add(given, _YEAR_DIR.match(_resolved(given).parent.name) is not None, None)  # named: the user's own choice
            continue
        for name, why in walk(given, hidden=False):
            rel = Path(name).relative_to(given)
            if any(part.startswith(".") for part in rel.parts):
                continue
            if why is not None:
                unlisted.append(unlisted_error(name, why))
            elif name.endswith(SUFFIXES):
                in_year = any(_YEAR_DIR.match(p) for p in (given.resolve().name, *rel.parts[:-1]))
                add(Path(name), in_year, given.resolve())
    return sorted(found.values(), key=lambda t: t[0]), unlisted


def _in_year_folder(path: Path, name: str) -> bool:
    """Whether a file sits in <年度>/``name``/ or a folder below it (a self-evaluation in 自评, a
    department's table in 部门), as load.is_evaluation reads a content path (here the content
    root may be unknown)."""
    parts = Path(os.path.abspath(path)).parts
    return any(folder == name and _YEAR_DIR.match(year) for year, folder in zip(parts, parts[1:-1]))


def _resolved(path: Path) -> Path:
    """Where a path leads; a link that loops leads nowhere, and reading it names that (E009)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def format_paths(paths: list[Path], *, check: bool, content_root: Path | None = None, jobs: int = 1) -> FmtResult:
    """PATHS may be files or directories (directories: every *.yaml/*.yml below, skipping hidden ones);
    site.yaml (the file named site.yaml directly in a content root) is formatted as kind="site", a file
    in <年度>/自评/ as "evaluation", one in <年度>/部门/ as "department", all others as "project".
    Rewrites changed files atomically (temp file in the same dir + os.replace) unless check=True.
    ``jobs``: forked processes sharing the files (a file takes ~2 ms: 20 s at 10,000 in one)."""
    targets, unlisted = _targets(paths, content_root)
    result = FmtResult(diagnostics=unlisted)
    for part in spread(len(targets), lambda start, stop: _format_some(targets[start:stop], check), jobs):
        result.changed += part.changed
        result.diagnostics += part.diagnostics
    return result


def _format_some(targets: list[tuple[Path, str, bool]], check: bool) -> FmtResult:
    result = FmtResult()
    for path, kind, writable in targets:
        display = display_path(path)
        source, diags = load_file(path, display)
        text = None
        if source is not None:
            text, diags = format_text(source.text, display, kind)
        if text is None:
            result.diagnostics += diags
            continue
        data = text.encode("utf-8")
        try:
            same = path.read_bytes() == data
        except OSError as exc:
            result.diagnostics.append(Diagnostic(display, 0, 0, Level.ERROR, "E009",
                                                 f"无法读取文件：{exc.strerror or exc}"))
            continue
        if same:
            continue
        if not writable:  # a link out of the folder: a cloned repository must not make fmt rewrite ~/x.yaml
            result.diagnostics.append(Diagnostic(display, 0, 0, Level.ERROR, "F002",
                                                 f"是指向目录之外的链接（{_resolved(path)}），不改写它",
                                                 f"要格式化它，直接指名：perfsite fmt {_resolved(path)}"))
            continue
        result.changed.append(path)
        if not check:
            try:
                write_files({path.resolve(): data})  # through a link, not over it
            except OSError as exc:
                result.diagnostics.append(Diagnostic(display, 0, 0, Level.ERROR, "E009",
                                                     f"无法写入文件：{exc.strerror or exc}"))
    return result
