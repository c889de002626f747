"""What every table importer needs: column and label names with their aliases, amounts in 元 or
万元, 指标值 put together from separate columns, goals split, and the damage worth a second look."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from typing import Any, Callable

from ..forms import CLASSIC, FORMS
from ..kinds import TARGET
from ..taxonomy import PROFILES, band, simplified
from ..values import fmt_amount, parse
from . import Imported
from .cells import norm

# canonical field → names seen in the wild (compared after norm(); a name may carry a unit in brackets).
# The table's own fields and grid columns come from the table kind, keyed by model attribute; the
# rest are columns only budget-system exports have.
ALIASES: dict[str, tuple[str, ...]] = {
    **{f.attr: (*f.names, *f.columns) for f in TARGET.fields if f.columns is not None},
    "code": ("项目编码", "项目代码", "项目编号"),
    "dept_code": ("部门编码", "部门代码", "主管部门编码", "主管部门代码"),
    **{c.key: (c.label, *c.columns) for c in TARGET.grid},
}
FUND_KEYS = {f.attr: f.alias for f in TARGET.amounts}
# 指标性质 as exports spell it → its comparator (定性 and 定量 have none to put before a number).
_NATURE = {"≥": "≥", "≧": "≥", "大于等于": "≥", ">=": "≥", "不低于": "≥", "≤": "≤", "≦": "≤", "小于等于": "≤",
           "<=": "≤", "不高于": "≤", ">": ">", "大于": ">", "<": "<", "小于": "<", "=": "=", "等于": "=",
           "定量": "", "定量指标": "", "定性": "", "定性指标": ""}
# The grid's row columns (三级指标 … 说明), keyed by the importers' names, in the forms' order.
ROW_LABELS = {c.key: c.label for c in TARGET.grid if c.attr}


def label_word(label: str | None) -> str:
    """A label as compared: without brackets and what they hold (资金总额（万元）, 部门（单位）名称 is
    部门名称), spaces and colons, in simplified script (項目名稱 is 项目名称)."""
    return simplified(re.sub(r"[（(][^）)]*[）)]", "", norm(label)))


def field_of(label: str | None) -> str | None:
    """Which field a column header or row label names, if any (brackets and their units ignored)."""
    text = label_word(label)
    for name, aliases in ALIASES.items():
        if text in aliases:
            return name
    return None


def unit_in(text: str | None) -> str | None:
    """'万元' or '元' if the text states an amount unit (单位：元, 预算数（万元）)."""
    t = simplified(norm(text))  # 單位：萬元 says 万元, not 元
    match = re.search(r"(?:单位|[（(])(万元|元)", t)
    return match[1] if match else None


def amount(text: str | None, unit: str) -> tuple[str | None, str | None]:
    """(amount in 万元 as published or converted, note if converted); unparsable text is kept as is
    so that validation points at it."""
    if text is None:
        return None, None
    raw = unicodedata.normalize("NFKC", text).replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return text, None
    if unit == "元":
        return fmt_amount(value / 10000), f"{text} 元"
    return (raw if re.fullmatch(r"\d+(\.\d+)?", raw) else fmt_amount(value)), None


def compose_value(nature: str | None, value: str | None, measure: str | None) -> str:
    """指标值 as the printed form shows it, from the budget system's three columns (an = is kept:
    it says the target is exact)."""
    value = (value or "").strip()
    cmp = _NATURE.get(_word(nature), norm(nature)) if nature else ""
    if cmp and value.startswith(("≥", "≤", ">", "<", "=", "＞", "＜")):
        cmp = ""
    unit = (measure or "").strip()
    if unit and value.endswith(unit):
        unit = ""
    return f"{cmp}{value}{unit}"


def split_goals(text: str) -> tuple[list[str], bool]:
    """One goal per line; a single line holding 目标1…目标2… or 1、…2、… is split there (a guess)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        return lines, False
    parts = re.split(r"(?=目标\s*\d+\s*[:：、.])|(?<=[。；;])\s*(?=\d+[、.．]\D)", text.strip())
    parts = [p.strip() for p in parts if p.strip()]
    return (parts, True) if len(parts) > 1 else ([text.strip()], False)


def damage(value: str) -> str | None:
    """Why a 指标值 looks damaged, if it does: a percentage over 100, a placeholder."""
    parsed = parse(value)
    if parsed.kind == "placeholder":
        return f"指标值「{value}」是未填写的模板占位符"
    if parsed.kind == "quantity" and parsed.unit == "%" and parsed.number is not None and parsed.number > 100:
        return f"指标值「{value}」超过 100%，可能是录入或提取错误（如 92% 误为 292%）"
    return None


def looks_cut(text: str) -> bool:
    """Text that ends mid-sentence: on 、 or ，, or an opening bracket or quote."""
    return bool(text) and text.rstrip()[-1] in "、，,（(“《"


def funds(item: Imported, cells: dict[str, str | None], unit: str | None) -> None:
    """The 资金 block from label → text cells, in 万元; a conversion from 元 is reported, and so is
    a table that never says its unit."""
    block = item.data.setdefault("资金", {"单位": "万元"})
    converted = []
    for key, label in FUND_KEYS.items():
        value, note = amount(cells.get(key), unit or "万元")
        block[label] = value
        if note:
            converted.append(f"{label} {note}")
    if converted:
        item.guess(("资金",), "原表金额单位为元，已换算为万元：" + "；".join(converted))
    if unit is None:
        item.guess(("资金",), "表中没有写明金额单位，按万元导入；若原表是元，请换算")


def _word(text: str | None) -> str:
    return simplified(norm(text))


def form_for(keys: set[str]) -> str | list[str] | None:
    """The 表样 that shows exactly the row columns a source has: a named form where one has just
    these, else their list in the forms' order; None where they are the classic ones (such a file
    imports as before, without a 表样)."""
    present = tuple(label for key, label in ROW_LABELS.items() if key in keys)
    if set(present) <= set(FORMS[CLASSIC]):
        return None
    return next((name for name, columns in FORMS.items() if columns == present), list(present))


def row_entry(text: Callable[[str], str | None], form: str | list[str] | None) -> tuple[dict[str, Any], list[str]]:
    """One indicator row as its file holds it, each column its form shows in its own field (blank
    ones left out), and what was read with a guess. ``text``: a column's cell text by key."""
    shown = FORMS[CLASSIC] if form is None else FORMS[form] if isinstance(form, str) else form
    entry: dict[str, Any] = {}
    notes: list[str] = []
    for key, label in ROW_LABELS.items():
        cell = text(key)
        if label not in shown or (cell is None and label not in ("三级指标", "指标值")):
            continue
        value, note = _READERS.get(key, _as_written)(cell or "")
        if value is not None:
            entry[label] = value
        if note:
            notes.append(note)
    return entry, notes


def _as_written(text: str) -> tuple[str | None, str | None]:
    return text, None  # a cell's text is already without outer blanks (cells.py)


def _nature(text: str) -> tuple[str | None, str | None]:
    """A comparator as its symbol (the model's own spelling); 定量 says none, so none is written;
    a word not known is kept so that validation names it (E027)."""
    word = _word(text)
    if word in ("定性", "定性指标"):
        return "定性", None
    if word not in _NATURE:
        return text.strip(), None
    if not _NATURE[word]:
        return None, f"原表指标性质为「{text.strip()}」，没有写比较符，未填入指标性质；请按原表补上 ≥ ≤ ="
    return _NATURE[word], None


def points(text: str) -> tuple[str | None, str | None]:
    """A weight or score without the % or 分 some exports print after it (权重 20%, 分值 10分)."""
    return re.sub(r"\s*(%|分)$", "", unicodedata.normalize("NFKC", text).strip()), None


def _core(text: str) -> tuple[str | None, str | None]:
    """★ marks as written; a 是否核心指标 column's 是 is one ★ (reported), its 否 is no mark."""
    word = _word(text)
    if word == "是":
        return "★", "原表核心指标为「是」，记为 ★；若模板分一至三颗星，请按原表改正"
    if word in ("否", "", "-"):
        return None, None
    return text.strip(), None


_READERS: dict[str, Callable[[str], tuple[str | None, str | None]]] = {
    "nature": _nature, "weight": points, "score": points, "core": _core}


def category_note(name: str) -> str | None:
    """What a category name in Traditional script or with a score band is checked as: the name is
    kept as written (the taxonomy resolves it), the reading is said."""
    why = [w for w, found in (("繁体字", simplified(name) != name), ("带分值范围", band(name) is not None)) if found]
    canon = next((c for p in PROFILES.values() for c in (p.level1(name), p.level2(name)) if c), None)
    if not why or canon is None:
        return None
    return f"类别「{name}」（{'、'.join(why)}）按「{canon}」核对，照原表保留写法"
