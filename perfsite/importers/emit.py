"""Imported data → the canonical YAML file ``perfsite fmt`` writes, each guess as a comment at
its row, so the person who reviews the import sees every guess where it applies."""

from __future__ import annotations

import json
from typing import Any

from ..diagnostics import Diagnostic
from ..fmt import format_text
from . import Imported, NodePath

MARK = "导入提示"


def _quote(value: str) -> str:
    """A YAML scalar that reads back as ``value``: single quotes fold a line break into a space
    (a two-line cell would become other text), so text with one is written double-quoted."""
    if "\n" in value:
        return json.dumps(value, ensure_ascii=False)
    return "'" + value.replace("'", "''") + "'"


def _dump(value: Any, path: NodePath, indent: int, notes: dict[NodePath, list[str]], out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            here = path + (key,)
            out.extend(f"{pad}# {MARK}：{note}" for note in notes.get(here, []))
            if isinstance(item, (dict, list)) and item:
                out.append(f"{pad}{_quote(str(key))}:")
                _dump(item, here, indent + 2, notes, out)
            else:
                out.append(f"{pad}{_quote(str(key))}:" + ("" if item is None else f" {_scalar(item)}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            here = path + (index,)
            out.extend(f"{pad}# {MARK}：{note}" for note in notes.get(here, []))
            if isinstance(item, dict) and item:
                first = True
                for key, sub in item.items():
                    lead = f"{pad}- " if first else f"{pad}  "
                    first = False
                    out.extend(f"{pad}  # {MARK}：{note}" for note in notes.get(here + (key,), []))
                    out.append(f"{lead}{_quote(str(key))}:" + ("" if sub is None else f" {_scalar(sub)}"))
            else:
                out.append(f"{pad}- {_scalar(item)}")


def _scalar(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    return _quote(str(value))


def _anchor(data: dict[str, Any], path: NodePath) -> NodePath:
    """The deepest existing node on ``path`` (a guess may name a row that was merged away)."""
    node: Any = data
    found: NodePath = ()
    for part in path:
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) \
                and 0 <= part < len(node):
            node = node[part]
            found += (part,)
        else:
            break
    return found or (next(iter(data)),)


def to_yaml(item: Imported, display: str) -> tuple[str | None, list[Diagnostic]]:
    notes: dict[NodePath, list[str]] = {}
    for guess in item.guesses:
        notes.setdefault(_anchor(item.data, guess.path), []).append(guess.message.replace("\n", " "))
    lines = [f"# 由 perfsite import 从 {item.origin} 导入；以“# {MARK}”开头的注释是导入时的推测，请逐条核对后删除。"]
    _dump(item.data, (), 0, notes, lines)
    text = "\n".join(lines) + "\n"
    return format_text(text, display, item.kind)  # type: ignore[arg-type]
