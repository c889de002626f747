"""The 表样 (forms) an indicator grid is published in: which of a row's columns it shows, in order.

A budget system's form is a fact about the year (set per year in ``site.yaml``) or about one
table (its own ``表样``); everything that shows a row (page, print, CSV, ``new``) follows it, and
a row that holds a column its form does not show is an error, so nothing is hidden silently.
Columns are named by the row's YAML keys (model.Row's aliases; tests/test_kinds.py checks them).
"""

from __future__ import annotations

CLASSIC = "classic"

FORMS: dict[str, tuple[str, ...]] = {
    CLASSIC: ("三级指标", "指标值", "说明"),  # 财预〔2015〕88号 and the seed: what every site had before
    "一体化2021": ("三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向"),  # 预算管理一体化 exports
    "评审": ("三级指标", "指标值", "分值", "指标解释"),  # approval tables with scores
}
REQUIRED = ("三级指标", "指标值")  # every form shows these, in this order

# A form's columns that say how a row's number is read: where they are shown, 指标值 holds only the number.
SPLIT = ("指标性质", "度量单位")
SCORED = ("权重", "分值")  # columns whose values add up to 100 (with 预算执行)


def columns(form: str | tuple[str, ...]) -> tuple[str, ...]:
    """The row columns of a form given by name or as its own list."""
    return FORMS[form] if isinstance(form, str) else form


def scored(form: str | tuple[str, ...]) -> str | None:
    """The form's column for points (权重 or 分值), where 预算执行's points stand too; None if it has none."""
    return next((c for c in columns(form) if c in SCORED), None)


def problem(form: str | list[str] | tuple[str, ...], known: tuple[str, ...]) -> str | None:
    """What is wrong with a form as a file or site.yaml gives it, or None. ``known``: every
    column a row can have."""
    if isinstance(form, str):
        if form in FORMS:
            return None
        return f"未知的表样「{form}」，可选：{'、'.join(FORMS)}，或列出各栏，如 [三级指标, 指标值, 权重]"
    unknown = [c for c in form if c not in known]
    if unknown:
        return f"表样中的「{unknown[0]}」不是指标行的栏目；可用的栏目：{'、'.join(known)}"
    if len(set(form)) != len(form):
        return "表样中有重复的栏目"
    order = [c for c in form if c in REQUIRED]
    if tuple(order) != REQUIRED:
        return f"表样必须包含{'、'.join(REQUIRED)}（按此顺序）"
    return None
