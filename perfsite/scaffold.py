"""``perfsite new``: a new project file, or a new year started as a copy of the last one.

A new year is a text copy (comments kept, ids kept, so next year's diff pairs every project) with
``年度`` and the 时效 dates moved forward; every other value is left as last year's, ready to edit.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Mapping, NamedTuple

from pypinyin import Style, lazy_pinyin

from .config import SiteConfig
from .forms import CLASSIC, SCORED, SPLIT, columns as form_columns
from .kinds import TARGET
from .load import DEPARTMENTS, EVALUATIONS, is_department, is_evaluation, yaml_files
from .atomic import write_files
from .diagnostics import Diagnostic, Level, display_path, nearest
from .evaluation import BUDGET, DEFAULT_WEIGHTS, build_evaluation
from .fmt import format_text
from .department import build_department, names_department
from .model import PLACEHOLDERS, RESERVED_IDS, Project, build_project, split_department
from .scoring import weight_key
from .source import NotRegular, Source, load_file, parse_text, read_regular
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
    lines += _grid_lines(profile, year, shown)
    return "\n".join(lines) + "\n"


def _grid_lines(profile: Profile, year: int, shown: tuple[str, ...]) -> list[str]:
    """The year's taxonomy as a grid of one placeholder row per category, the form's columns."""
    lines = []
    for level1, level2s in profile.tree.items():
        lines.append(f"  {level1}:")
        for level2 in level2s:
            if level2 in ("社会成本", "生态环境成本", "经济效益", "生态效益", "可持续影响"):
                continue  # optional categories: add them when the project has such targets
            lines.append(f"    {level2}:")
            cells = _row(level2, year, shown)
            lines += [f"      {'- ' if i == 0 else '  '}{key}:{' ' + value if value else ''}"
                      for i, (key, value) in enumerate(cells)]
    return lines


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
    # last year's self-evaluations stay behind: a new year starts with targets, its 自评 after it
    files = [f for f in files if not is_evaluation(f.relative_to(content).as_posix())]
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


# --- perfsite new YEAR --self-evaluation ID ------------------------------------------------------

_CENT = Decimal("0.01")


def spread(points: Decimal, count: int) -> list[Decimal]:
    """A category's points over its rows, in 0.01s: equal shares, the last row taking what is left
    so that the category adds up exactly (50 over 3: 16.66, 16.66, 16.68)."""
    share = (points / count).quantize(_CENT, ROUND_DOWN)
    return [share] * (count - 1) + [points - share * (count - 1)]


def _number_text(amount: Decimal) -> str:
    return format(amount.normalize(), "f")  # 10, 12.5, 8.33: no exponent, no trailing zeros


def row_points(target: Project, profile: Profile, weights: Mapping[str, Decimal]) -> dict[tuple[str, str, int], Decimal | None]:
    """Each target row's 分值: its category's weight spread over the category's rows (产出 and, in
    the 2021 taxonomy, 成本 together); None for a row of a category the weights do not name."""
    groups: dict[str | None, list[tuple[str, str, int]]] = {}
    for level1, level2, index, _row in target.rows():
        groups.setdefault(weight_key(level1, profile, dict(weights)), []).append((level1, level2, index))
    points: dict[tuple[str, str, int], Decimal | None] = {}
    for group, places in groups.items():
        shares = spread(weights[group], len(places)) if group in weights and group != BUDGET else [None] * len(places)
        points.update(zip(places, shares))
    return points


def _target(content: Path, year: int, ident: str) -> tuple[Path, Project]:
    """The target table of that id in the year (a self-evaluation is linked to it by id, as load
    links them): the file named after the id first, then any other of the year's tables."""
    folder = content / str(year)
    files = [f for f in (yaml_files(folder)[0] if folder.is_dir() else [])
             if not is_evaluation(f.relative_to(content).as_posix())]
    ids = []
    for path in sorted(files, key=lambda f: f.stem != ident):
        source, diags = load_file(path, display_path(path))
        found = source.data.get("id") if source is not None and isinstance(source.data, dict) else None
        if found == ident or (path.stem == ident and found is None):
            return path, _valid_target(path, source, diags)
        ids += [found] if isinstance(found, str) else []
    close = nearest(ident, ids)
    listed = "、".join(sorted(ids)[:12]) + ("……" if len(ids) > 12 else "")
    raise ScaffoldError(f"找不到 id 为「{ident}」的 {year} 年目标表：自评表从同一 id 的目标表开始 (no target table)"
                        + (f"；是不是「{close}」？" if close else "")
                        + (f"\n{year} 年的项目：{listed}" if ids else f"\n{folder} 中没有项目文件"))


def _valid_target(path: Path, source: Source | None, diags: list[Diagnostic]) -> Project:
    """The target table as a model, or its first error: a scaffold starts from a table check accepts."""
    if source is not None:
        project, _parts, diags = build_project(source)
        if project is not None:
            return project
    raise ScaffoldError(f"目标表 {path} 有错误，先改正它（perfsite check）：\n" + (diags[0].format() if diags else str(path)))


def evaluation_text(target: Project, shown: str, profile: Profile, weights: Mapping[str, Decimal]) -> str:
    """A self-evaluation of ``target``: its rows under its categories' names, each target as a
    comment (taken from the target table, so not a key), the budget as the target's 资金总额, 分值
    from the weights, and a placeholder (model.PLACEHOLDERS) for each actual and score."""
    q = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 - a scalar that reads back as itself
    funds, year = target.funds, target.year
    lines = [f"# {target.name}（{year} 年）项目支出绩效自评表。把（填写…）换成实际内容；",
             "# perfsite check 会列出每一个未填的占位符，填完之前不会发布。",
             f"# 年度指标值、预期目标和主管部门取自目标表 {shown}，不再填写（“# 年度指标值”只是提示）。",
             "# 分值按 " + "、".join(f"{k} {_number_text(v)}" for k, v in weights.items())
             + " 平均分到各行，可按本地规定调整，合计 100。",
             "# 未达到年度指标值的行，加一行“偏差原因: …”写偏差原因分析及改进措施。",
             f"id: {target.id}", f"年度: {year}", f"项目名称: {q(target.name)}",
             f"# 公开日期: {year + 1}-MM-DD  ← 自评表随决算公开的日期；填写后去掉行首的 #",
             "项目资金:", f"  单位: {funds.unit}",
             "  # 年初预算数、全年预算数取自目标表的资金总额；年中调整过预算的，改全年预算数并在说明中写明"]
    spent = _fill("amount")
    for key, amount in (("年度资金总额", funds.total), ("当年财政拨款", funds.fiscal), ("其他资金", funds.other)):
        if amount or key == "年度资金总额":
            budget = format(amount, "f")
            lines += [f"  {key}:", f"    年初预算数: {budget}", f"    全年预算数: {budget}", f"    全年执行数: {spent}"]
    lines += [f"  分值: {_number_text(weights.get(BUDGET, Decimal(0)))}", f"  得分: {_fill('score')}", "年度总体目标:",
              f"  # 预期目标取自目标表的年度目标（{len(target.goals)} 条）；逐条写实际完成情况",
              "  实际完成情况:"]
    lines += [f"    - {_fill('achieved')}"] * len(target.goals)
    lines.append("绩效指标:")
    points = row_points(target, profile, weights)
    for level1, groups in target.indicators.items():
        lines.append(f"  {q(level1)}:")
        for level2, rows in groups.items():
            lines.append(f"    {q(level2)}:")
            for index, row in enumerate(rows):
                share = points[(level1, level2, index)]
                lines += [f"      - 三级指标: {q(row.name)}",
                          f"        # 年度指标值：{' '.join(row.value_text.split())}",
                          f"        实际完成值: {_fill('actual')}",
                          f"        分值: {_fill('points') if share is None else _number_text(share)}",
                          f"        得分: {_fill('score')}"]
    lines += ["# 总分：预算执行与各指标得分之和；自评等级（可不填）：90 分及以上 优，80 良，60 中，以下 差",
              f"总分: {_fill('score')}"]
    return "\n".join(lines) + "\n"


def new_evaluation(content: Path, year: int, ident: str, profile: Profile,
                   weights: Mapping[str, Decimal] = DEFAULT_WEIGHTS, force: bool = False) -> Path:
    """Write content/<年度>/自评/<id>.yaml for the target table of that id; refuse if it exists."""
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?", ident):  # a name, never a path
        raise ScaffoldError(f"id「{ident}」格式不对：写目标表的 id（文件名去掉 .yaml），如 wuye-houqin")
    target_path, target = _target(content, year, ident)
    path = content / str(year) / EVALUATIONS / f"{ident}.yaml"
    if path.exists() and not force:
        raise ScaffoldError(f"{path} 已存在：不覆盖已填写的自评表；要重新开始，加 --force (file exists)")
    display = display_path(path)
    text, diags = format_text(evaluation_text(target, display_path(target_path), profile, weights),
                              display, "evaluation")
    source = parse_text(text, display)[0] if text is not None else None
    refused = [d for d in (diags + (build_evaluation(source)[1] if source else [])) if d.code != "E029"]
    if text is None or refused:  # a bug here, not the user's input: every text is quoted above
        raise ScaffoldError(f"内部错误：生成的自评表无效 (generated file is invalid)：{refused[0].format() if refused else display}")
    write_files({path: text})
    return path


# --- perfsite new YEAR --department --------------------------------------------------------------

def _year_projects(content: Path, year: int) -> list[tuple[Path, Project]]:
    """The year's target tables (not its 自评 or 部门 files), each valid: a department's tasks are
    taken from them, so one check refuses is to be corrected first."""
    folder = content / str(year)
    files = [f for f in (yaml_files(folder)[0] if folder.is_dir() else [])
             if not is_evaluation(f.relative_to(content).as_posix()) and not is_department(f.relative_to(content).as_posix())]
    return [(path, _valid_target(path, *load_file(path, display_path(path)))) for path in files]


def _department_of(given: str | None, projects: list[Project], year: int) -> str:
    """The department the table is of: the one named, else the single one the year's projects name."""
    if given is not None:
        if not given.strip():
            raise ScaffoldError("--name 部门名称不能为空 (empty department name)")
        return given.strip()
    named = sorted({p.department for p in projects})
    if len(named) == 1:
        return named[0]
    if not named:
        raise ScaffoldError(f"{year} 年还没有项目，不知道是哪个部门：请用 --name 部门名称 指定 (no projects: give --name)")
    raise ScaffoldError(f"{year} 年的项目属于 {len(named)} 个部门，请用 --name 指定其中一个 (give --name)：\n"
                        + "\n".join(f"  {name}" for name in named))


def department_text(year: int, department: str, projects: list[Project], profile: Profile,
                    shown: tuple[str, ...]) -> str:
    """A 部门整体支出绩效目标表 of ``department``: one 年度主要任务 per project of the year with its
    money in 万元 and 金额合计 their sum, the year's taxonomy as the grid; what only the department
    knows (its goals, its rows) a placeholder (model.PLACEHOLDERS) that check refuses until filled."""
    q = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 - a scalar that reads back as itself
    lines = [f"# {split_department(department)[1]}（{year} 年）部门(单位)整体支出绩效目标表。把（填写…）换成实际内容；",
             "# perfsite check 会列出每一个未填的占位符，填完之前不会发布。",
             f"年度: {year}", f"部门名称: {q(department)}",
             f"# 公开日期: {year}-MM-DD  ← 随部门预算公开的日期；填写后去掉行首的 #",
             "# 部门职能概述: …  ← 原表有部门职能概述的，填写后去掉行首的 #",
             "单位: 万元",
             "# 总体资金情况（原表有的填写）：收入构成、支出构成，每项 {名称: …, 金额: …, 占比: …}",
             "# 年度主要任务：每个项目一项（取自本年度的项目表，金额已换算为万元）；按原表修改、合并或增加",
             "年度主要任务:"]
    sums: dict[str, list[Decimal]] = {"总额": [], "财政拨款": [], "其他资金": []}
    for project in projects:
        funds = project.funds
        lines += [f"  - 任务名称: {q(project.name)}", "    # 主要内容: …  ← 填写后去掉行首的 #"]
        for label, amount in (("总额", funds.total), ("财政拨款", funds.fiscal), ("其他资金", funds.other)):
            if amount is not None:
                wan = funds.wan(amount) or Decimal(0)
                sums[label].append(wan)
                lines.append(f"    {label}: {_number_text(wan)}")
    if not projects:
        lines += [f"  - 任务名称: {_fill('task')}", f"    总额: {_fill('amount')}"]
    else:
        lines.append("金额合计:")
        lines += [f"  {label}: {_number_text(sum(found, Decimal(0)))}" for label, found in sums.items() if found]
    lines += ["年度总体目标:", f"  - {_fill('department_goal')}", "绩效指标:"]
    lines += _grid_lines(profile, year, shown)
    return "\n".join(lines) + "\n"


def _department_file(folder: Path, name: str) -> Path | None:
    """The file of the folder that is already the table of the department of this name, if one is."""
    for path in (yaml_files(folder)[0] if folder.is_dir() else []):
        source, _ = load_file(path, display_path(path))
        given = source.data.get("部门名称") if source is not None and isinstance(source.data, dict) else None
        if isinstance(given, str) and split_department(given)[1] == name:
            return path
    return None


def new_department(content: Path, year: int, name: str | None, config: SiteConfig | None, profile: Profile) -> Path:
    """Write content/<年度>/部门/<部门>.yaml for the department; never over an existing file."""
    projects = [project for _path, project in _year_projects(content, year)]
    department = _department_of(name, projects, year)
    mine = [p for p in projects if names_department(department, *split_department(p.department))]
    path = content / str(year) / DEPARTMENTS / f"{project_id(split_department(department)[1])}.yaml"
    if path.exists():
        raise ScaffoldError(f"{path} 已存在：不覆盖已填写的部门整体支出绩效目标表 (file exists, never overwritten)")
    other = _department_file(content / str(year) / DEPARTMENTS, split_department(department)[1])
    if other is not None:  # a second table of the department would be refused (E026)
        raise ScaffoldError(f"{other} 已是「{department}」{year} 年的部门整体支出绩效目标表；一个部门一年只有一张，"
                            "不另建 (the department has its table)")
    form = config.form(year) if config else CLASSIC
    text = department_text(year, department, mine, profile, form_columns(form))
    display = display_path(path)
    source, diags = parse_text(text, display)
    if source is not None:
        diags += build_department(source)[1]
    refused = [d for d in diags if d.level is Level.ERROR and d.code != "E029"]
    if source is None or refused:
        raise ScaffoldError(f"部门名称「{department!r}」写不成有效的部门整体支出绩效目标表：{refused[0].message if refused else display}"
                            "；什么也没有写 (nothing written)")
    write_files({path: text})
    return path
