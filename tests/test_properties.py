"""Property-based: random damage to the shipped content ends in a valid build or in clean
diagnostics — never an uncaught exception. A few thousand examples run in CI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfsite import rules
from perfsite.diagnostics import Diagnostic
from perfsite.model import build_project
from perfsite.render import Renderer
from perfsite.site import grid, fund_lines
from perfsite.source import parse_text
from perfsite.taxonomy import PROFILES

from conftest import CONTENT, TEMPLATES

SHIPPED = [p.read_text(encoding="utf-8") for p in sorted((CONTENT / "2022").glob("*.yaml"))]
EXAMPLES = int(os.environ.get("PERFSITE_PROPERTY_EXAMPLES", "1500"))
RENDERER = Renderer(TEMPLATES)

text_strategy = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
scalar = st.one_of(text_strategy, st.integers().map(str), st.floats(allow_nan=True).map(str),
                   st.sampled_from(["", "~", "null", "yes", "no", "1e400", "-0", "NaN", "≥**个", "2022-13-45",
                                    "<script>alert(1)</script>", "{{ 7*7 }}", "&amp;", "\u202e", "0123"]))


def run_pipeline(text: str) -> list[Diagnostic]:
    """What a build does with one file, short of writing: parse, validate, check, render."""
    source, diags = parse_text(text, "p.yaml")
    if source is None:
        assert diags, "a refused file must say why"
        return diags
    project, parts, problems = build_project(source)
    problems += rules.check(parts, source, PROFILES["classic"])
    problems += rules.check(parts, source, PROFILES["2021"])
    for d in problems:
        assert d.format()  # every diagnostic can be printed
    if project is not None:
        grid(project)
        fund_lines(project)
    return diags + problems


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, prefix + (i,))
    return out


def mutate(data: Any, path: tuple, op: str, value: Any) -> Any:
    if not path:
        return value if op in ("retype", "scalar") else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if op == "delete":
        del parent[last]
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(last, parent[last])
    elif op == "rename" and isinstance(parent, dict):
        parent[str(value)[:20] or "?"] = parent.pop(last)
    else:
        parent[last] = value
    return data


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(SHIPPED))), st.data())
def test_random_changes_to_the_data_never_crash(which: int, data: st.DataObject):
    tree = parse_text(SHIPPED[which], "p.yaml")[0].data
    for _ in range(data.draw(st.integers(1, 4))):
        places = paths(tree)
        path = data.draw(st.sampled_from(places))
        op = data.draw(st.sampled_from(["delete", "duplicate", "rename", "retype", "scalar"]))
        value = data.draw(st.one_of(scalar, st.lists(scalar, max_size=3), st.dictionaries(scalar, scalar, max_size=3),
                                    st.none()) if op == "retype" else scalar)
        if op == "delete" and not path:
            continue
        tree = mutate(tree, path, op, value)
    text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)
    run_pipeline(text)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(SHIPPED))), st.data())
def test_random_damage_to_the_text_never_crashes(which: int, data: st.DataObject):
    text = SHIPPED[which]
    for _ in range(data.draw(st.integers(1, 5))):
        lines = text.split("\n")
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["insert", "delete", "duplicate", "indent", "outdent", "splice"]))
        if op == "insert":
            lines[i] = lines[i][: len(lines[i]) // 2] + data.draw(text_strategy) + lines[i][len(lines[i]) // 2:]
        elif op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "outdent":
            lines[i] = lines[i][2:]
        else:
            lines[i] = data.draw(st.sampled_from(["- ", "? x", "&a", "*a", "!!binary x", "'", '"', "{", "[", "- - -",
                                                  "%YAML 1.2", "---", "...", "\t", "key: value: x"]))
        text = "\n".join(lines)
    run_pipeline(text)


@settings(max_examples=max(EXAMPLES // 5, 50), deadline=None)
@given(st.dictionaries(st.sampled_from(["三级指标", "指标值", "说明"]), scalar, min_size=1))
def test_any_row_either_validates_and_renders_or_is_refused(row: dict):
    base = parse_text(SHIPPED[0], "p.yaml")[0].data
    base["绩效指标"]["产出"]["数量"] = [row]
    text = yaml.safe_dump(base, allow_unicode=True, sort_keys=False)
    diags = run_pipeline(text)
    source, _ = parse_text(text, "p.yaml")
    if source is not None:
        project, _, problems = build_project(source)
        if project is not None:
            from perfsite.config import SiteConfig
            from perfsite.load import Entry
            from perfsite.memo import DiffMemo
            from perfsite.outputs import Views
            from perfsite.site import make_site
            from perfsite.view import resolve
            config = SiteConfig.model_validate({"网站名称": "t", "发布单位": "t", "网址": "https://example.gov.cn/"})
            site = make_site(config, [Entry(project, Path("p.yaml"), "p.yaml", digest="x")])
            year = site.years[0]
            page = Views(site, DiffMemo()).project_page(year, year.departments[0], year.projects[0])
            html = RENDERER.render(page.make, **resolve(page.view))
            values = " ".join(str(v) for v in row.values())
            assert "<script>alert(1)</script>" not in html  # never raw
            if "<script>alert(1)</script>" in values:
                assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text
            if "{{ 7*7 }}" in values:
                assert "{{ 7*7 }}" in html  # not evaluated
            return
    assert diags, "a row that does not render must be refused with a diagnostic"
