"""Rendering: goal text is Markdown made safe; template mistakes are diagnostics, not tracebacks."""

from __future__ import annotations

import re
from pathlib import Path

from perfsite.builder import build
from perfsite.render import goal_html

from conftest import MINIMAL, run_cli, snapshot


def test_seed_style_p_tags_become_paragraphs():
    assert str(goal_html("<p>目标1: 一</p> <p>目标2: 二</p>")) == "<p>目标1: 一</p>\n<p>目标2: 二</p>"


def test_markdown_is_rendered():
    html = str(goal_html("目标1：**重点**完成\n\n- 甲\n- 乙"))
    assert "<strong>重点</strong>" in html and "<li>甲</li>" in html


def test_scripts_handlers_and_javascript_links_never_survive():
    html = str(goal_html('<script>alert(1)</script><img src=x onerror="alert(2)">'
                         '[点我](javascript:alert(3)) <a href="javascript:alert(4)">x</a> <p onclick="x()">p</p>'))
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html and "onclick" not in html
    assert "<p>p</p>" in html


def test_hostile_text_in_every_field_is_escaped(site_dir: Path):
    evil = '<script>alert(1)</script>{{ 7*7 }}{% if 1 %}x{% endif %}&amp;'
    path = site_dir / "content/2022/test-project.yaml"
    text = MINIMAL.replace("项目名称: 测试项目", f"项目名称: '{evil}'").replace("指标值: ≥90%", f"指标值: '{evil}'")
    path.write_text(text, encoding="utf-8")
    result = build(site_dir / "content", site_dir / "templates", site_dir / "output")
    assert result.ok, [d.format() for d in result.diagnostics]
    html = (site_dir / "output/2022/test-project.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "49" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}{% if 1 %}x{% endif %}&amp;amp;" in html


def test_template_syntax_error_names_template_and_line(site_dir: Path):
    assert run_cli("build", cwd=site_dir).returncode == 0
    before = snapshot(site_dir / "output")
    template = site_dir / "templates/year.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines[4] = "{% for x in %}"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("build", cwd=site_dir)
    assert result.returncode == 1
    assert re.search(r"^templates/year.html:5:1: error E051 模板语法错误", result.stderr, re.M), result.stderr
    assert snapshot(site_dir / "output") == before


def test_undefined_variable_is_an_error_not_a_blank(site_dir: Path):
    assert run_cli("build", cwd=site_dir).returncode == 0
    before = snapshot(site_dir / "output")
    template = site_dir / "templates/project.html"
    text = template.read_text(encoding="utf-8").replace("{{ project.implementer }}", "{{ project.implementor }}")
    template.write_text(text, encoding="utf-8")
    result = run_cli("build", cwd=site_dir)
    assert result.returncode == 1
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "implementor" in l)
    assert re.search(rf"^templates/project.html:{line}:1: error E051 .*implementor", result.stderr, re.M), result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(site_dir / "output") == before


def test_a_template_the_site_does_not_override_comes_from_the_packaged_theme(site_dir: Path):
    """A site's templates/ overrides single files: remove one, and the theme's is used."""
    (site_dir / "templates/index.html").unlink()
    text = (site_dir / "templates/base.html").read_text(encoding="utf-8")
    (site_dir / "templates/base.html").write_text(text.replace("<footer", "<footer data-site-own", 1), encoding="utf-8")
    result = run_cli("build", cwd=site_dir)
    assert result.returncode == 0, result.stderr
    home = (site_dir / "output/index.html").read_text(encoding="utf-8")
    assert "data-site-own" in home  # the site's base.html, under the theme's index.html
    assert "按年度公开的项目支出绩效目标表" in home


def test_blank_funds_render_blank_and_zero_renders_zero(site_dir: Path):
    path = site_dir / "content/2022/test-project.yaml"
    path.write_text(MINIMAL.replace("  上级补助: 0", "  上级补助:"), encoding="utf-8")
    assert run_cli("build", cwd=site_dir).returncode == 0
    html = (site_dir / "output/2022/test-project.html").read_text(encoding="utf-8")
    assert 'data-field="upper"></td>' in html and 'data-field="other">0</td>' in html
