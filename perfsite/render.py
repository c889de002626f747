"""The Jinja environment: strict, autoescaped, and the two filters pages need (money, goal text).

Only this module knows Jinja. Template mistakes come back as diagnostics naming the template file
and line, like content errors, instead of tracebacks.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import jinja2
import jinja2.bccache
from jinja2 import meta
import markdown as md
import nh3
from markupsafe import Markup

from .diagnostics import Diagnostic, Level, display_path
from .site import department_slug
from .values import fmt_amount, written_amount

THEME = Path(__file__).parent / "theme"
"""The default theme, shipped in the package: a site's templates/ overrides any single file of it."""

_ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "code", "blockquote",
                 "sub", "sup", "span", "del", "ins", "hr"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


_MARKDOWN = md.Markdown(output_format="html")
_BRACKETS = 64  # more [ than this in one goal: they are written as text


@functools.lru_cache(maxsize=65536)
def goal_html(text: str) -> Markup:
    """Markdown → HTML → sanitized: raw HTML such as the seed's <p> survives as paragraphs,
    while <script>, event handlers and javascript: links never reach a page. One converter is
    reused (building one per goal was a fifth of a large build) and results are cached, since
    goals repeat from year to year."""
    if text.count("[") > _BRACKETS:  # Python-Markdown's link patterns take quadratic time on a run of
        text = text.replace("[", "\\[")  # brackets (4,000 took 1.5 s): so many are text, not links
    html = _MARKDOWN.reset().convert(text)
    return Markup(nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                            url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer"))


def money(amount: Decimal | None) -> str:
    """A total perfsite computed (a department's, a year's), at its shortest: 121.4."""
    return "" if amount is None else fmt_amount(amount)


def amount(value: Decimal | None) -> str:
    """An amount one table states (a project's 资金总额), as its file wrote it: 12.50."""
    return "" if value is None else written_amount(value)


class TemplateProblem(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


class TemplateMemo(Protocol):
    """Where the renderer keeps what it learnt of template sources between builds (cache.py)."""

    def get(self, key: str) -> str | bytes | None: ...
    def __setitem__(self, key: str, value: str | bytes) -> None: ...


class _Bytecode(jinja2.BytecodeCache):
    """Compiled templates in a TemplateMemo (Jinja checks each against its source's checksum):
    compiling the templates was a tenth of a small rebuild."""

    def __init__(self, memo: TemplateMemo) -> None:
        self.memo = memo

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.memo.get(bucket.key)
        if isinstance(code, bytes):
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.memo[bucket.key] = bucket.bytecode_to_string()


class Renderer:
    """Renders named templates from one directory."""

    def __init__(self, templates: Path, memo: TemplateMemo | None = None) -> None:
        """``memo``: what earlier builds learnt of the templates (compiled code, references)."""
        self.templates = templates
        self._memo: TemplateMemo = memo if memo is not None else {}  # type: ignore[assignment]
        self.env = jinja2.Environment(
            bytecode_cache=_Bytecode(memo) if memo is not None else None,
            # The site's own files first, then the packaged theme (as Pelican and MkDocs' custom_dir do),
            # so a bureau copies only what it changes and gets upgrades for the rest.
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates), encoding="utf-8"),
                                        jinja2.FileSystemLoader(str(THEME), encoding="utf-8")]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=True,  # one Renderer lives across preview rebuilds: edited templates reload
        )
        self.env.filters["money"] = money
        self.env.filters["amount"] = amount
        self.env.filters["goal"] = goal_html
        self.env.globals["dept_slug"] = department_slug

    def check(self) -> list[Diagnostic]:
        """Syntax errors of every template (the site's and the theme's), all at once, before
        anything is rendered."""
        out = []
        for name in sorted(self.env.list_templates(extensions=["html"])):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                out.append(self._problem(exc, name).diagnostic)
            except UnicodeDecodeError:
                out.append(Diagnostic(display_path(self.templates / name), 0, 0, Level.ERROR, "E005",
                                      "模板不是 UTF-8 编码", "把模板另存为 UTF-8"))
        return out

    def static_files(self) -> dict[str, tuple[str, Path]]:
        """The theme's static files (static/…, by path from there) with the site's own in their
        place, and any the site adds: name → (whose: "theme" or "site", where it is)."""
        found: dict[str, tuple[str, Path]] = {}
        for whose, root in (("theme", THEME / "static"), ("site", self.templates / "static")):
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        found[path.relative_to(root).as_posix()] = (whose, path)
        return dict(sorted(found.items()))

    def digests(self) -> dict[str, str]:
        """Per template: a hash of its source and of every template it extends, includes or
        imports, so a change to base.html re-renders every page and one to year.html only years."""
        sources: dict[str, str] = {}
        refs: dict[str, set[str]] = {}
        for name in self.env.list_templates(extensions=["html"]):
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            sources[name] = source
            refs[name] = self._referenced(source)
        out = {}
        for name in sources:
            seen, todo = set(), [name]
            while todo:
                current = todo.pop()
                if current in seen or current not in sources:
                    continue
                seen.add(current)
                todo.extend(sources if "*" in refs[current] else refs[current])
            h = hashlib.blake2b(digest_size=16)
            for part in sorted(seen):
                h.update(part.encode() + b"\0" + sources[part].encode() + b"\0")
            out[name] = h.hexdigest()
        return out

    def _referenced(self, source: str) -> set[str]:
        """The templates a source extends, includes or imports ("*": any), remembered by the source's hash
        (parsing every template again was a tenth of a small rebuild)."""
        key = "refs2:" + hashlib.blake2b(source.encode("utf-8"), digest_size=16).hexdigest()
        known = self._memo.get(key)
        if known is None:
            # A name Jinja cannot know before rendering (an include of a variable) is "*": the
            # template may use any other, so its digest covers them all.
            known = "\0".join(sorted(r or "*" for r in meta.find_referenced_templates(self.env.parse(source))))
            self._memo[key] = known
        return set(known.split("\0")) - {""}

    def render(self, name: str, **context: Any) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateError as exc:
            raise self._problem(exc, name) from None

    def _problem(self, exc: jinja2.TemplateError, name: str) -> TemplateProblem:
        filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        if line is None:  # runtime errors: the template frame is in the traceback Jinja rewrote
            tb = sys.exc_info()[2]
            while tb is not None:
                code = tb.tb_frame.f_code
                if code.co_filename.endswith(".html"):
                    filename, line = code.co_filename, tb.tb_lineno
                tb = tb.tb_next
        path = display_path(Path(filename)) if filename else display_path(self.templates / name)
        kind = "模板语法错误" if isinstance(exc, jinja2.TemplateSyntaxError) else "模板渲染错误"
        hint = ("模板只能读取它的视图中有的字段 (a template reads only its view)：见 README“模板能读到什么”"
                if isinstance(exc, jinja2.UndefinedError) else "检查模板中的变量名和 {% %} 标签是否成对")
        return TemplateProblem(Diagnostic(path, line or 0, 1 if line else 0, Level.ERROR, "E051",
                                          f"{kind}：{exc.message or exc}", hint))
