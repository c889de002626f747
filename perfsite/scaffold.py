"""``perfsite new``: a new project file, or a new year started as a copy of the last one.

A new year is a text copy (comments kept, ids kept, so next year's diff pairs every project) with
``年度`` and the 时效 dates moved forward; every other value is left as last year's, ready to edit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

from pypinyin import Style, lazy_pinyin

from .config import SiteConfig
from .forms import CLASSIC, SCORED, SPLIT, columns as form_columns
from .kinds import TARGET
from .load import yaml_files
from .atomic import write_files
from .diagnostics import Level
from .model import PLACEHOLDERS, RESERVED_IDS, build_project
from .source import NotRegular, parse_text, read_regular
from .taxonomy import Profile


class ScaffoldError(Exception):
    """Nothing was written; the message says why."""


def project_id(name: str) -> str:
    """The id a project of this name gets, by every importer and by ``perfsite new``: the pinyin
    initial of each Chinese character (局机关物业管理后勤工作经费 → jjgwyglhqgzjf), ASCII letters and
    digits kept as words (2022年农村危房改造 → 2022-nncwfgz). Short (never longer than the name),
    readable the way Chinese abbreviations are, URL-safe, and the same for the same name every
    year, so next year's diff pairs the tables. Clashes within an import get -2, -3 (run.py)."""
    parts: list[str] = []
    han = ""
    for piece in lazy_pinyin(unicodedata.normalize("NFKC", name), style=Style.FIRST_LETTER,
                             errors=lambda run: ["\x00" + run]):
        if piece.startswith("\x00"):
            parts += [han] if han else []
            han = ""
            parts += re.findall(r"[a-z0-9]+", piece.lower())
        else:
            han += "".join(re.findall(r"[a-z]", piece.lower()))
    parts += [han] if han else []
    ident = "-".join(p for p in parts if p)
    if len(ident) > 64:  # a name of more than 64 characters: cut, told apart by a hash of the whole
        ident = ident[:55].rstrip("-") + "-" + hashlib.blake2b(name.encode("utf-8"), digest_size=3).hexdigest()
    if not ident:
        return "xm-" + hashlib.blake2b(name.encode("utf-8"), digest_size=3).hexdigest()
    return f"{ident}-xiangmu" if ident in RESERVED_IDS else ident


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fill(role: str) -> str:
    return PLACEHOLDERS[role][0]


def project_text(year: int, name: str, ident: str, config: SiteConfig | None, profile: Profile) -> str:
    """The required fields and every fund line, keyed and ordered as the table kind declares them;
    the optional header fields are left out until a project has them. Where only the filer knows
    the text, a placeholder (model.PLACEHOLDERS) that check and build refuse until it is replaced:
    amounts too, since 0 is a real amount (and blank a real 原表空白) that no check may refuse."""
    department = config.publisher if config else _fill("department")
    implementer = config.publisher if config else _fill("implementer")
    kind = TARGET
    header = {"id": ident, "year": str(year), "name": _quote(name), "department": _quote(department),
              "implementer": _quote(implementer)}
    funds = {"unit": "万元", "source": "财政资金"}
    lines = [f"# {name}（{year} 年）{kind.title}。把（填写…）换成实际内容；"
             "perfsite check 会列出每一个未填的占位符，填完之前不会发布。"]
    lines += [f"{f.alias}: {header[f.attr]}" for f in kind.header if f.attr in header]
    dates = config.disclosure.dates(year) if config else None
    if dates is None or dates.approved is None or dates.published is None:  # else the year's apply (W013)
        lines += [f"# {kind.field('approved').alias}: {year}-MM-DD  ← 财政批复的日期；填写后去掉行首的 #"
                  "（或在 site.yaml 的“公开 → 年度”中为全年填写）",
                  f"# {kind.field('published').alias}: {year}-MM-DD  ← 本表公开的日期，批复后 20 日内"]
    lines.append(f"{kind.funds_block.alias}:")
    lines += [f"  {f.alias}: {_fill('amount') if f.amount else funds[f.attr]}" for f in kind.funds]
    lines.append(f"{kind.goals.alias}:")
    lines.append(f"  - '目标1: {_fill('goal')}'")
    form = config.form(year) if config else CLASSIC
    shown = form_columns(form)
    if any(c in shown for c in SCORED):  # a scored form's 预算执行 row: its usual points, for the filer to check
        lines += ["# 预算执行的分值：各行的权重（分值）与它合计 100；本表没有“预算执行”一行则删去这一行",
                  f"{kind.field('budget_points').alias}: 10"]
    lines.append(f"{kind.indicators.alias}:")
    for level1, level2s in profile.tree.items():
        lines.append(f"  {level1}:")
        for level2 in level2s:
            if level2 in ("社会成本", "生态环境成本", "经济效益", "生态效益", "可持续影响"):
                continue  # optional categories: add them when the project has such targets
            lines.append(f"    {level2}:")
            cells = _row(level2, year, shown)
            lines += [f"      {'- ' if i == 0 else '  '}{key}:{' ' + value if value else ''}"
                      for i, (key, value) in enumerate(cells)]
    return "\n".join(lines) + "\n"


class _Example(NamedTuple):
    """What a new row of a 二级 category holds. The comparator and the direction follow the
    category's convention (a cost is a ceiling, a count a floor, a date a deadline), which the filer
    changes where the project differs; the number, and a count's unit, only the filer knows:
    ``value`` and ``unit`` stand for their placeholders."""

    nature: str  # 指标性质
    alone: str  # 指标值 where 指标性质 and 度量单位 have columns of their own
    unit: str | None  # 度量单位
    whole: str  # 指标值 as one text, where they do not (the classic form)
    direction: str  # 指标方向


_COST = _Example("≤", "{value}", "万元", "≤{value}万元", "反向")
_EXAMPLES = {"时效": _Example("≤", "{year}年12月31日", None, "{year}年12月31日", "正向"), "成本": _COST, "经济成本": _COST,
             "质量": _Example("≥", "{value}", "%", "≥{value}", "正向"),
             "服务对象满意度": _Example("≥", "{value}", "%", "≥{value}%", "正向")}
_COUNT = _Example("≥", "{value}", "unit", "≥{value}", "正向")  # 数量, 效益: a floor in a unit the filer names
_LEFT_OUT = ("note",)  # 说明 is blank on most rows: a new file has none, as before 表样 existed


def _row(level2: str, year: int, shown: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """A new row's (key, value) pairs: the columns its form shows, in the model's order; a
    column that is not the filer's to fill on every row (指标解释, 核心指标) is a blank key, there
    to show the form has it."""
    example = _EXAMPLES.get(level2, _COUNT)
    value = (example.alone if any(c in shown for c in SPLIT) else example.whole).format(value=_fill("value"), year=year)
    unit = _fill("unit") if example.unit == "unit" else None if example.unit is None else _quote(example.unit)
    cells = {"name": _fill("name"), "nature": _quote(example.nature), "value_text": _quote(value), "unit": unit,
             "weight": _fill("points"), "score": _fill("points"), "direction": example.direction}
    return [(c.label, cells.get(c.attr)) for c in TARGET.row_fields if c.label in shown and c.attr not in _LEFT_OUT]


def new_project(content: Path, year: int, name: str, ident: str | None, config: SiteConfig | None,
                profile: Profile, force: bool = False) -> Path:
    ident = ident or project_id(name)
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?", ident):
        raise ScaffoldError(f"id「{ident}」格式不对：只用小写字母、数字和连字符")
    if ident in RESERVED_IDS:
        raise ScaffoldError(f"id「{ident}」不能用：年度目录中的 {ident}.* 是网站自己的页面；换一个 --id，如 {ident}-xiangmu")
    target = content / str(year) / f"{ident}.yaml"
    if target.exists() and not force:
        raise ScaffoldError(f"{target} 已存在；换一个 --id，或加 --force 覆盖")
    text = project_text(year, name, ident, config, profile)
    problem = _invalid(text, target)
    if problem is not None:
        raise ScaffoldError(f"项目名称「{name!r}」写不成有效的项目文件：{problem}；什么也没有写 (nothing written)")
    write_files({target: text})
    return target


def _invalid(text: str, target: Path) -> str | None:
    """What check would refuse in a scaffold besides its placeholders (E029): a name with a
    control character, say. A file new writes is one check accepts once it is filled in."""
    source, diags = parse_text(text, str(target))
    if source is not None:
        diags += build_project(source)[2]
    refused = [d for d in diags if d.level is Level.ERROR and d.code != "E029"]
    return refused[0].message if refused else None


def roll_forward(text: str, old: int, new: int) -> str:
    """年度, dates of the old budget year and the year a comment names the table by, moved to the
    new one; 更正 dropped (they corrected last year's table); everything else as it was."""
    text = _CORRECTIONS.sub("", text)
    text = re.sub(rf"(?m)^(年度:\s*['\"]?){old}(['\"]?\s*(?:#.*)?)$", rf"\g<1>{new}\g<2>", text)
    text = re.sub(rf"{old}(年\s*\d{{1,2}}\s*月|年底|年末|-\d{{1,2}}-\d{{1,2}})", rf"{new}\g<1>", text)
    return _COMMENT.sub(lambda m: m[1] + _table_year(old, new).sub(rf"\g<1>{new}", m[2]), text)


# The top-level 更正 block: its key's line and every line after it up to the next top-level key
# (its entries, indented or not, their comments and blank lines).
_CORRECTIONS = re.compile(r"(?m)^(?:更正|['\"]更正['\"])\s*:.*(?:\n|\Z)(?:(?:[ \t-].*|#.*|)(?:\n|\Z))*(?=[^\s#-]|\Z)")


# A comment: a whole line, or the end of a line whose value has no quote in it (a quoted value may
# hold a "#" of its own; such a comment stays as it was, and is listed as kept).
_COMMENT = re.compile(r"(?m)^([^'\"#\n]*?(?:^|\s))(#.*)$")


def _table_year(old: int, new: int) -> re.Pattern[str]:
    """The ways a comment names the year of its table (2022年度, （2022 年）): these move with the
    table. Any other mention (转录自 2022 年…公开件, 比 2022 年增加) may mean last year, and stays."""
    return re.compile(rf"((?<!\d)|[（(]\s*){old}(?=\s*年度|\s*年\s*[）)])")


def kept_mentions(text: str, old: int, around: int = 24) -> list[tuple[int, str]]:
    """(line, the words around the first mention) of each line of a copied file that still names
    the old year, for the user to check: what roll_forward could not know to be this year's."""
    mention = re.compile(rf"(?<!\d){old}(?!\d)")
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = mention.search(line)
        if match:
            start, end = max(0, match.start() - around), match.end() + around
            found.append((number, ("…" if start else "") + line[start:end].strip() + ("…" if end < len(line) else "")))
    return found


def new_year(content: Path, year: int, from_year: int,
             force: bool = False) -> tuple[list[Path], list[tuple[Path, int, str]]]:
    """The files written, and each line of them that still names ``from_year`` (kept_mentions)."""
    source = content / str(from_year)
    if not source.is_dir():
        raise ScaffoldError(f"找不到 {source}：没有 {from_year} 年度的内容可复制")
    target = content / str(year)
    files, unlisted = yaml_files(source)
    if unlisted:
        raise ScaffoldError(f"{unlisted[0].path}: {unlisted[0].message}")
    if not files:
        raise ScaffoldError(f"{source} 中没有项目文件")
    existing = [target / f.relative_to(source) for f in files if (target / f.relative_to(source)).exists()]
    if existing and not force:
        raise ScaffoldError(f"{target} 中已有 {len(existing)} 个同名文件（如 {existing[0].name}）；加 --force 覆盖")
    texts = []
    for file in files:  # all read before anything is written
        try:
            text = read_regular(file).decode("utf-8-sig")
            texts.append(text.replace("\r\n", "\n").replace("\r", "\n"))  # as fmt writes them; CR-only lines hid 年度
        except (OSError, UnicodeDecodeError) as exc:
            why = "不是普通文件" if isinstance(exc, NotRegular) else "不是 UTF-8 文本" if isinstance(
                exc, UnicodeDecodeError) else (exc.strerror or str(exc))
            raise ScaffoldError(f"无法读取 {file}：{why}；什么也没有写 (nothing written)") from None
    rolled = {target / file.relative_to(source): roll_forward(text, from_year, year) for file, text in zip(files, texts)}
    write_files(rolled)  # all or none: a full disk cut an existing file short (--force) or left one empty
    kept = [(out, n, line) for out, text in rolled.items() for n, line in kept_mentions(text, from_year)]
    return list(rolled), kept
