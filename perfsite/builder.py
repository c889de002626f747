"""load → validate → site → render → write: one build, all or nothing.

Nothing is written while any error stands (or any warning, with ``strict``); rendering happens into
a staged directory, so a template error mid-way leaves the previous site as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import config as config_module
from . import model
from .diagnostics import Diagnostic, Level, display_path
from .load import Content, load_content
from .render import Renderer, TemplateProblem
from .site import Site, make_site
from .write import OutputError, StagedOutput, check_target


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    pages: int = 0
    files: int = 0
    site: Site | None = None

    @property
    def ok(self) -> bool:
        return not any(d.level is Level.ERROR for d in self.diagnostics)


def check(content_dir: Path, strict: bool = False) -> tuple[Content, list[Diagnostic]]:
    """Validate a content tree; diagnostics already promoted when ``strict``."""
    content = load_content(content_dir)
    return content, content.report.items(strict=strict)


def schema_files() -> dict[str, str]:
    """The published JSON Schemas, as text (deterministic)."""
    return {
        "project.schema.json": json.dumps(model.json_schema(), ensure_ascii=False, indent=2) + "\n",
        "site.schema.json": json.dumps(config_module.json_schema(), ensure_ascii=False, indent=2) + "\n",
    }


def build(content_dir: Path, templates_dir: Path, output_dir: Path, strict: bool = False) -> BuildResult:
    content, diagnostics = check(content_dir, strict)
    result = BuildResult(diagnostics=list(diagnostics))
    renderer = Renderer(templates_dir)
    result.diagnostics += renderer.check()
    if not result.ok or content.config is None:
        return result
    site = make_site(content.config, content.entries)
    result.site = site
    try:
        check_target(output_dir, [content_dir, templates_dir])
        with StagedOutput(output_dir) as out:
            _render_site(site, renderer, out, result)
            _copy_static(templates_dir, out, result)
            for name, text in schema_files().items():
                out.write(f"schema/{name}", text)
                result.files += 1
            out.commit()
    except TemplateProblem as problem:
        result.diagnostics.append(problem.diagnostic)
        result.pages = result.files = 0
    except OutputError as exc:
        result.diagnostics.append(Diagnostic(display_path(output_dir), 0, 0, Level.ERROR, "E060", str(exc)))
        result.pages = result.files = 0
    return result


def _render_site(site: Site, renderer: Renderer, out: StagedOutput, result: BuildResult) -> None:
    common = {"site": site, "config": site.config}
    for year in site.years:
        for page in year.projects:
            out.write(page.path, renderer.render("project.html", page=page, project=page.project,
                                                 year=year, root=page.root, **common))
            result.pages += 1
        out.write(year.path, renderer.render("year.html", page=year, year=year, root=year.root, **common))
        result.pages += 1
    out.write("index.html", renderer.render("index.html", page=None, root="", **common))
    result.pages += 1
    result.files += result.pages


def _copy_static(templates_dir: Path, out: StagedOutput, result: BuildResult) -> None:
    static = templates_dir / "static"
    if not static.is_dir():
        return
    for path in sorted(static.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            out.copy(f"static/{path.relative_to(static).as_posix()}", path)
            result.files += 1
