"""``perfsite import``: read every file, plan every output, validate, then write all or nothing.

Nothing is written if any input file cannot be read, or if a target exists (without ``force``);
the YAML is validated as the file it will be, so diagnostics and guesses carry its real lines.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import rules
from ..config import SiteConfig, load_config
from ..diagnostics import Diagnostic, Level, display_path
from ..model import build_project
from ..source import parse_text
from ..taxonomy import PROFILES, canonical
from . import Imported, ImportError_
from .cells import read_csv, read_xlsx
from .emit import MARK, to_yaml
from .export import find_header, import_grid
from .form import import_form, looks_like_form

FORMATS = ("auto", "xlsx", "csv", "text")


@dataclass
class Planned:
    item: Imported
    path: Path
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def guess_lines(self) -> list[tuple[int, str]]:
        return [(n, line.strip().removeprefix(f"# {MARK}："))
                for n, line in enumerate(self.text.splitlines(), start=1) if line.strip().startswith(f"# {MARK}")]


def _kind(path: Path, chosen: str) -> str:
    if chosen != "auto":
        return chosen
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".csv", ".tsv"):
        return "csv"
    with path.open("rb") as handle:
        return "xlsx" if handle.read(4) == b"PK\x03\x04" else "text"


def read_file(path: Path, chosen: str, year: int | None) -> list[Imported]:
    """The projects in one file; ImportError_ names the file and what was expected."""
    origin = display_path(path)
    if not path.is_file():
        raise ImportError_(f"{origin}: 文件不存在")
    if path.stat().st_size == 0:
        raise ImportError_(f"{origin}: 文件是空的")
    kind = _kind(path, chosen)
    if kind == "text":
        from .cells import decode
        from .text import import_text
        return import_text(decode(path.read_bytes(), origin), origin, year)
    if kind == "csv":
        return import_grid(read_csv(path, origin), origin, year)
    found: list[Imported] = []
    for title, grid in read_xlsx(path, origin):
        where = f"{origin}:{title}"
        if find_header(grid) is not None:
            found += import_grid(grid, where, year)
        elif looks_like_form(grid):
            found.append(import_form(grid, where, year))
    if not found:
        raise ImportError_(f"{origin}: 没有一张工作表像项目表：需要预算系统导出的明细表（项目名称、三级指标、指标值等列）"
                           "或项目支出绩效目标表表样（项目名称、一级指标…指标值）")
    return found


def _profile_for(item: Imported, config: SiteConfig | None, year: int) -> tuple[str, str | None]:
    """The taxonomy to validate with, and a note when the table's own shape says otherwise."""
    configured = config.profile(year).key if config else "classic"
    cost_first = any(canonical(l1) == "成本" for l1 in item.data.get("绩效指标", {}))
    shaped = "2021" if cost_first else configured
    if shaped != configured:
        return shaped, (f"这张表的成本指标是一级指标（财预〔2021〕101号体系），而 site.yaml 中 {year} 年用的是 "
                        f"{configured}；请在 site.yaml 的“指标体系”中把 {year} 年设为 2021")
    return configured, None


def plan(files: list[Path], *, chosen: str, year: int | None, out: Path | None,
         content: Path) -> tuple[list[Planned], list[str]]:
    items: list[Imported] = []
    errors: list[str] = []
    for path in files:
        try:
            items += read_file(path, chosen, year)
        except ImportError_ as exc:
            errors.append(str(exc))
    config, _ = load_config(content) if (content / "site.yaml").is_file() else (None, [])
    planned: list[Planned] = []
    taken: set[Path] = set()
    for item in items:
        if year:
            item.data["年度"] = str(year)
        if not item.data.get("年度"):
            errors.append(f"{item.origin}: 不知道「{item.data.get('项目名称')}」的年度；请用 --year 指定")
            continue
        item_year = int(item.data["年度"])
        target_dir = out or content / str(item_year)
        target = target_dir / f"{item.id}.yaml"
        suffix = 2
        while target in taken:
            item.guess(("id",), f"与同批导入的另一个项目 id 相同，改为 {item.id}-{suffix}")
            item.data["id"] = f"{item.data['id']}-{suffix}"
            target = target_dir / f"{item.id}.yaml"
            suffix += 1
        taken.add(target)
        profile_key, note = _profile_for(item, config, item_year)
        if note:
            item.guess(("绩效指标",), note)
        display = display_path(target)
        text, diags = to_yaml(item, display)
        if text is None:
            errors += [d.format() for d in diags]
            continue
        source, problems = parse_text(text, display, target)
        if source is not None:
            _project, parts, problems = build_project(source)
            problems += rules.check(parts, source, PROFILES[profile_key])
        planned.append(Planned(item, target, text, problems))
    return planned, errors


def write(planned: list[Planned], force: bool) -> list[str]:
    """Write every planned file, or none: returns the refusals."""
    existing = [p.path for p in planned if p.path.exists()]
    if existing and not force:
        return [f"{display_path(p)} 已存在；加 --force 覆盖（一个文件也没有写入）" for p in existing]
    for p in planned:
        p.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.path.name}.", dir=p.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(p.text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, p.path)
    return []


def has_errors(planned: list[Planned]) -> bool:
    return any(d.level is Level.ERROR for p in planned for d in p.diagnostics)
