"""Strict YAML: content files as plain data plus the line and column of every node.

PyYAML's ``safe_load`` silently turns ``0123`` into 83, ``no`` into False and ``2022-12-31`` into a
date, and keeps the last of two duplicate keys. None of that is acceptable for budget data, so this
module builds the tree itself from libyaml's event stream: every scalar stays text (the model
decides what is a number), plain ``null``/``~``/empty is None, and duplicate keys, anchors,
aliases, tags, several documents and oversized files are refused with a position.

Only this module parses YAML.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, Level

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULLS = {"", "~", "null", "Null", "NULL"}

Pos = tuple[int, int]
NodePath = tuple[str | int, ...]


@dataclass
class Source:
    """A parsed file: its data and where each node stands (1-based line, col)."""

    path: Path
    display: str
    data: Any
    text: str = ""
    values: dict[NodePath, Pos] = field(default_factory=dict)
    keys: dict[NodePath, Pos] = field(default_factory=dict)
    # Where each scalar ends (just past it) and how it was written ('' plain, "'", '"', '|', '>'):
    # what the formatter needs to find the comments between nodes, which libyaml drops.
    value_ends: dict[NodePath, Pos] = field(default_factory=dict)
    key_ends: dict[NodePath, Pos] = field(default_factory=dict)
    styles: dict[NodePath, str] = field(default_factory=dict)
    key_styles: dict[NodePath, str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """What the file says, as a hash: the build cache's key for everything made from it."""
        return hashlib.blake2b(self.text.encode("utf-8"), digest_size=16).hexdigest()

    def pos(self, path: NodePath, *, key: bool = False) -> Pos:
        """Best position for ``path``: the key or the value, else the nearest ancestor's."""
        path = tuple(path)
        while True:
            table = (self.keys, self.values) if key else (self.values, self.keys)
            for t in table:
                if path in t:
                    return t[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def diag(self, path: NodePath, level: Level, code: str, message: str, hint: str = "",
             *, key: bool = False) -> Diagnostic:
        line, col = self.pos(path, key=key)
        return Diagnostic(self.display, line, col, level, code, message, hint)


class _Abort(Exception):
    """Stops building a tree that cannot be trusted past this point."""


# (problem fragment, context fragment, message, hint): libyaml's wording, most specific first.
_PROBLEMS = [
    ("cannot start any token", "", "不能用制表符 (tab) 缩进，或此处有不允许的字符",
     "YAML 只允许空格缩进；把制表符换成空格，以 @ ` % 开头的值要加引号"),
    ("mapping values are not allowed", "", "这里不能出现“: ”",
     "值里含有“: ”时请给整个值加引号，或检查这一行的缩进"),
    ("could not find expected ':'", "", "缺少“: ”",
     "每个字段写成“名称: 值”，冒号后要有空格；也可能是上面的引号没有闭合"),
    ("end of stream", "quoted scalar", "引号没有闭合", "给这个值补上结尾的引号"),
    ("end of stream", "", "文件意外结束", "检查引号或括号是否成对闭合"),
    ("did not find expected key", "", "缩进不一致，找不到预期的字段", "同一层级的字段要对齐到同一列"),
    ("did not find expected '-' indicator", "", "列表项缩进不一致", "同一列表的各项“- ”要对齐到同一列"),
    ("did not find expected ','", "flow", "方括号或花括号没有闭合", "检查 [ ] 与 { } 是否成对"),
]


def _explain(problem: str, context: str) -> tuple[str, str]:
    for fragment, ctx, message, hint in _PROBLEMS:
        if fragment in problem and ctx in context:
            return message, hint
    return "YAML 语法错误", "检查这一行及上一行的缩进、冒号和引号"


# What YAML 1.1 accepts in a stream (the complement is refused by its reader).
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
# What a double-quoted scalar can still bring in through its escapes ("\x01", "\e", "\v",
# "\uFFFE"): control characters, surrogates and noncharacters, which make feed.xml ill-formed and
# would reach a terminal raw in a diagnostic.
_ESCAPED_CONTROL = re.compile("[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uD800-\uDFFF\uFDD0-\uFDEF\uFFFE\uFFFF]")
_OPEN_QUOTE = re.compile(r"""^\s*(?:-\s+)?(?:[^'"#:]+:\s+)?(['"])""")


def _unclosed_quote(text: str, before_line: int) -> int | None:
    """The first line above an error whose value opens a quote it never closes on that line."""
    for number, line in enumerate(text.splitlines()[: max(before_line - 1, 0)], start=1):
        match = _OPEN_QUOTE.match(line)
        if not match:
            continue
        quote, rest = match[1], line[match.end():]
        closed = rest.replace("''", "") if quote == "'" else rest.replace('\\"', "")
        if quote not in closed:
            return number
    return None


def _decode(raw: bytes, display: str) -> tuple[str | None, Diagnostic | None]:
    """UTF-8 (with or without BOM) only; other encodings are named, not guessed silently."""
    def refuse(message: str, hint: str) -> tuple[None, Diagnostic]:
        return None, Diagnostic(display, 0, 0, Level.ERROR, "E005", message, hint)

    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return refuse("文件是 UTF-16 编码，perfsite 只读 UTF-8", "在编辑器中选择“另存为 UTF-8”")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if b"\x00" not in raw:
            try:
                raw.decode("gb18030")
            except UnicodeDecodeError:
                pass
            else:
                return refuse("文件看起来是 GB18030/GBK 编码，perfsite 只读 UTF-8",
                              "在编辑器中选择“另存为 UTF-8”，或用 iconv -f GB18030 -t UTF-8 转换")
        return refuse(f"文件不是 UTF-8 文本（第 {exc.start} 字节无法解码），可能是二进制文件",
                      "内容文件必须是 UTF-8 编码的 YAML 文本")
    if "\x00" in text:
        return refuse("文件含有 NUL 字符，不是文本文件", "内容文件必须是 UTF-8 编码的 YAML 文本")
    return text, None


class NotRegular(OSError):
    """A content path that is no regular file (a FIFO, a device, a folder)."""


class TooLarge(OSError):
    pass


def read_regular(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, at most ``max_bytes``: a FIFO named x.yaml would block the read
    forever, and a link to /dev/zero fill memory (opened without blocking, checked, then read
    with a bound)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(path)
        if st.st_size > max_bytes:
            raise TooLarge(f"{st.st_size:,} 字节")
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # it grew while being read
                raise TooLarge(f"读到 {total:,} 字节时")
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_file(path: Path, display: str, max_bytes: int = MAX_BYTES) -> tuple[Source | None, list[Diagnostic]]:
    """Read, decode and parse one file; never raises for bad content."""
    try:
        raw = read_regular(path, max_bytes)
    except NotRegular:
        return None, [Diagnostic(display, 0, 0, Level.ERROR, "E009", "不是普通文件（管道、设备或目录），不会读取",
                                 "内容目录里只放项目 YAML 文件；删除它，或把它移出 content/")]
    except TooLarge as exc:
        return None, [Diagnostic(display, 0, 0, Level.ERROR, "E004",
                                 f"文件过大：超过上限 {max_bytes:,} 字节（{exc}）",
                                 "一个项目一个文件；这么大的文件多半不是项目表")]
    except OSError as exc:
        return None, [Diagnostic(display, 0, 0, Level.ERROR, "E009", f"无法读取文件：{exc.strerror or exc}")]
    text, problem = _decode(raw, display)
    if problem is not None:
        return None, [problem]
    return parse_text(text, display, path)


def parse_text(text: str, display: str, path: Path | None = None) -> tuple[Source | None, list[Diagnostic]]:
    """Parse YAML text into a :class:`Source`; problems come back as diagnostics."""
    source = Source(path=path or Path(display), display=display, data=None, text=text)
    diags: list[Diagnostic] = []
    try:
        _build(source, yaml.parse(text, Loader=_Loader), diags)
    except _Abort:
        return None, diags
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "quoted scalar" in (exc.context or ""):
            mark = exc.context_mark  # where the open quote is, not the end of the file
        problem = (exc.problem or "").strip()
        message, hint = _explain(problem, exc.context or "")
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        opened = _unclosed_quote(text, line)
        if opened is not None and opened != line:
            hint = f"第 {opened} 行的引号可能没有闭合（YAML 把其后的内容都当成了这个值）；{hint}"
        diags.append(Diagnostic(display, line, col, Level.ERROR, "E001",
                                f"{message} (YAML: {problem or exc})", hint))
        return None, diags
    except yaml.YAMLError:  # the reader refused a character (libyaml reports a byte offset: find it ourselves)
        bad = _NOT_PRINTABLE.search(text)
        line, col, shown = 0, 0, ""
        if bad is not None:
            before = text[: bad.start()]
            line, col = before.count("\n") + 1, bad.start() - (before.rfind("\n") + 1) + 1
            shown = f" U+{ord(bad.group()):04X}"
        diags.append(Diagnostic(display, line, col, Level.ERROR, "E001", f"文件含有不允许的控制字符{shown}",
                                "删除这个字符；内容文件只能是普通文本"))
        return None, diags
    if any(d.level is Level.ERROR for d in diags):
        return None, diags
    return source, diags


def _build(source: Source, events: Any, diags: list[Diagnostic]) -> None:
    display = source.display
    # A frame: [container, node path, pending key or None]
    stack: list[list[Any]] = []
    documents = 0
    root_set = False

    def at(mark: Any) -> Pos:
        return (mark.line + 1, mark.column + 1)

    def fail(mark: Any, code: str, message: str, hint: str = "") -> None:
        line, col = at(mark)
        diags.append(Diagnostic(display, line, col, Level.ERROR, code, message, hint))

    def place(value: Any, mark: Any) -> NodePath | None:
        """Attach a value to the current container; returns its path (None if discarded)."""
        nonlocal root_set
        if not stack:
            source.data = value
            root_set = True
            source.values[()] = at(mark)
            return ()
        frame = stack[-1]
        container, base = frame[0], frame[1]
        if isinstance(container, list):
            node = base + (len(container),)
            container.append(value)
        else:
            key = frame[2]
            frame[2] = None
            if key is _DUPLICATE:
                return None
            node = base + (key,)
            container[key] = value
        source.values[node] = at(mark)
        return node

    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                fail(event.start_mark, "E008", "一个文件只能有一个 YAML 文档",
                     "删除“---”分隔的第二个文档，每个项目单独一个文件")
                raise _Abort
            continue
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            continue
        if isinstance(event, yaml.AliasEvent):
            fail(event.start_mark, "E003", f"不允许使用别名 (alias) *{event.anchor}",
                 "直接写出内容；别名会让内容难以审阅，还可能被用来制造超大数据")
            raise _Abort
        if getattr(event, "anchor", None):
            fail(event.start_mark, "E003", f"不允许使用锚点 (anchor) &{event.anchor}", "删除 &锚点名，直接写出内容")
            raise _Abort
        tag = getattr(event, "tag", None)
        if tag not in (None, "!", "tag:yaml.org,2002:str"):
            fail(event.start_mark, "E007", f"不允许使用 YAML 标签 (tag) {tag}", "删除以 ! 开头的标签")
            raise _Abort

        if isinstance(event, yaml.ScalarEvent):
            value: Any = event.value
            bad = _ESCAPED_CONTROL.search(value)
            if bad is not None:
                fail(event.start_mark, "E001", f"文本中含有不允许的控制字符 U+{ord(bad.group()):04X}（来自转义写法）",
                     "删除它：双引号里的 \\x01、\\e、\\v 等转义会写入控制字符，网页和订阅源都无法正确显示")
                raise _Abort
            if not event.style and event.implicit[0] and value in _NULLS:
                value = None
            frame = stack[-1] if stack else None
            if frame is not None and isinstance(frame[0], dict) and frame[2] is None:
                key = "" if value is None else value
                node = frame[1] + (key,)
                if key in frame[0] or node in source.keys:
                    first = source.keys.get(node, (0, 0))
                    fail(event.start_mark, "E002", f"重复的键「{key}」（第一次出现在第 {first[0]} 行）",
                         "同一层级的字段名不能重复；YAML 会悄悄丢掉其中一个值")
                    frame[2] = _DUPLICATE
                else:
                    source.keys[node] = at(event.start_mark)
                    source.key_ends[node] = at(event.end_mark)
                    source.key_styles[node] = event.style or ""
                    frame[2] = key
                continue
            node = place(value, event.start_mark)
            if node is not None:
                source.value_ends[node] = at(event.end_mark)
                source.styles[node] = event.style or ""
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            frame = stack[-1] if stack else None
            if frame is not None and isinstance(frame[0], dict) and frame[2] is None:
                fail(event.start_mark, "E022", "键必须是简单文本，不能是列表或映射", "检查这一行的写法")
                raise _Abort
            if len(stack) >= MAX_DEPTH:
                fail(event.start_mark, "E022", f"嵌套层级过深（超过 {MAX_DEPTH} 层）", "项目表最多只有几层嵌套")
                raise _Abort
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            node = place(container, event.start_mark)
            stack.append([container, node if node is not None else ("\x00dup",), None])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
    if not root_set:
        source.data = None


_DUPLICATE = object()
