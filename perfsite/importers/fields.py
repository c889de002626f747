"""What every table importer needs: column and label names with their aliases, amounts in 元 or
万元, 指标值 put together from separate columns, goals split, and the damage worth a second look."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from ..kinds import TARGET
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
_NATURE = {"≥": "≥", "大于等于": "≥", ">=": "≥", "不低于": "≥", "≤": "≤", "小于等于": "≤", "<=": "≤",
           "不高于": "≤", ">": ">", "大于": ">", "<": "<", "小于": "<", "=": "", "等于": "", "定量": "", "定性": ""}


def field_of(label: str | None) -> str | None:
    """Which field a column header or row label names, if any (brackets and their units ignored)."""
    text = re.sub(r"[（(][^）)]*[）)]", "", norm(label))
    for name, aliases in ALIASES.items():
        if text in aliases:
            return name
    return None


def unit_in(text: str | None) -> str | None:
    """'万元' or '元' if the text states an amount unit (单位：元, 预算数（万元）)."""
    t = norm(text)
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
    """指标值 as the printed form shows it, from the budget system's three columns."""
    value = (value or "").strip()
    cmp = _NATURE.get(norm(nature), norm(nature)) if nature else ""
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
