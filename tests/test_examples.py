"""The shipped example sites (examples/): each passes check --strict, builds, is in fmt's form,
and says on every file and page that it is an example, so no one takes it for a real bureau's data."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, run_cli

YITIHUA = ROOT / "examples/yitihua/content"
CONTENT = "examples/yitihua/content"


def test_the_yitihua_example_passes_strict_check_and_builds(tmp_path: Path):
    check = run_cli("check", "--strict", "--content", CONTENT, cwd=ROOT)
    assert check.returncode == 0, check.stderr
    out = tmp_path / "site"
    build = run_cli("build", "--strict", "--no-search", "--content", CONTENT, "--output", str(out), cwd=ROOT)
    assert build.returncode == 0, build.stderr
    projects = sorted(p.stem for p in (YITIHUA / "2023").glob("*.yaml"))
    assert 3 <= len(projects) <= 5
    for name in projects:
        page = (out / "2023" / f"{name}.html").read_text(encoding="utf-8")
        assert "示例" in page  # the site's title, on every page
    fmt = run_cli("fmt", "--check", "--content", CONTENT, CONTENT, cwd=ROOT)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_the_yitihua_example_is_in_the_form_it_shows_and_marked_as_an_example():
    from perfsite.config import load_config
    from perfsite.load import load_project

    config, diags = load_config(YITIHUA)
    assert config is not None and not diags
    assert "示例" in config.title and "示例" in config.publisher
    assert config.form(2023) == "一体化2021" and config.profile(2023).key == "2021"
    for path in sorted(YITIHUA.rglob("*.yaml")):
        assert "示例" in path.read_text(encoding="utf-8").splitlines()[0] and "虚构" in path.read_text(encoding="utf-8")
    for path in sorted((YITIHUA / "2023").glob("*.yaml")):
        entry, diags = load_project(path, path.name, 2023, config)
        assert not diags
        project = entry.project
        rows = [row for *_, row in project.rows()]
        assert project.budget_points == 10 and sum(row.weight for row in rows) == 90
        assert all(row.nature and row.direction for row in rows)  # every column of the form, filled
