"""`perfsite init DIR`: a new site a bureau starts from, outside this repository.

The fast tests run the command from this checkout (``python -m perfsite``); the wheel test builds
a wheel, installs it into a fresh venv and uses the installed ``perfsite`` alone, packaged theme
and all, the way a bureau will.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

YEAR = 2025
EXAMPLE = f"content/{YEAR}/xinxi-gongkai.yaml"
PLANNED = sorted([
    ".gitattributes", ".gitignore", ".vscode/extensions.json", ".vscode/settings.json", "README.md",
    "content/site.yaml", EXAMPLE, "schema/department.schema.json", "schema/evaluation.schema.json", "schema/project.schema.json", "schema/site.schema.json",
])
HAS_GIT = shutil.which("git") is not None


def tree(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                  if p.is_file() and ".git" not in p.relative_to(directory).parts)


def init(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = run_cli("init", *args, cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def site(tmp_path: Path) -> Path:
    done = init(tmp_path, "site", "--unit", "黔南州某某局", "--year", str(YEAR), "--url", "https://jx.example.gov.cn/")
    assert done.returncode == 0, done.stderr
    return tmp_path / "site"


def test_init_writes_a_site_that_checks_formats_and_builds(site: Path, tmp_path: Path) -> None:
    assert tree(site) == PLANNED
    config = (site / "content/site.yaml").read_text(encoding="utf-8")
    assert "发布单位: 黔南州某某局" in config and "网站名称: 黔南州某某局项目支出绩效目标公开" in config
    assert "https://jx.example.gov.cn/" in config

    # No error and no warning (--strict), already in the canonical form, and it builds.
    done = run_cli("check", "--strict", cwd=site)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr and "检查通过" in done.stdout
    assert run_cli("fmt", "--check", cwd=site).returncode == 0
    done = run_cli("build", "--no-search", cwd=site)
    assert done.returncode == 0, done.stderr
    page = (site / "output" / str(YEAR) / "xinxi-gongkai.html").read_text(encoding="utf-8")
    assert "政府信息公开工作经费" in page and "黔南州某某局" in page
    assert not (site / "templates").exists()  # the packaged theme alone

    # The schemas are what `perfsite schema` writes; the editor maps them.
    assert run_cli("schema", "--output", str(tmp_path / "schema"), cwd=tmp_path).returncode == 0
    for name in ("project.schema.json", "site.schema.json"):
        assert (site / "schema" / name).read_bytes() == (tmp_path / "schema" / name).read_bytes()
    settings = json.loads((site / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert settings["files.encoding"] == "utf8"
    assert settings["yaml.schemas"] == {"./schema/project.schema.json": ["content/*/**/*.yaml", "!content/*/自评/**/*.yaml",
                                                                         "!content/*/部门/**/*.yaml"],
                                        "./schema/evaluation.schema.json": ["content/*/自评/**/*.yaml"],
                                        "./schema/department.schema.json": ["content/*/部门/**/*.yaml"],
                                        "./schema/site.schema.json": ["content/site.yaml"]}
    assert "content/**/*.yaml diff=perfsite" in (site / ".gitattributes").read_text(encoding="utf-8").splitlines()

    readme = (site / "README.md").read_text(encoding="utf-8")
    for command in (f"perfsite new {YEAR} 项目名称", "perfsite check", "perfsite serve", "perfsite build",
                    f"perfsite new {YEAR + 1} --from {YEAR}", f"perfsite diff {YEAR} {YEAR + 1}",
                    'git config diff.perfsite.command "perfsite diff-driver"', "templates/", "perfsite.__file__"):
        assert command in readme, command


def test_default_year_unit_and_title(tmp_path: Path) -> None:
    done = init(tmp_path, "new-site")
    assert done.returncode == 0, done.stderr
    year = dt.date.today().year
    assert (tmp_path / "new-site" / "content" / str(year) / "xinxi-gongkai.yaml").is_file()
    config = (tmp_path / "new-site/content/site.yaml").read_text(encoding="utf-8")
    assert "发布单位: 示例单位" in config and "网站名称: 示例单位项目支出绩效目标公开" in config
    assert "git config diff.perfsite.command" in done.stdout  # told what to run, once a repository exists
    assert run_cli("check", "--strict", cwd=tmp_path / "new-site").returncode == 0


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_gitignore_leaves_only_the_sites_own_files(site: Path) -> None:
    git(site, "init", "-q")
    for _ in range(2):  # a second build, after an edit, patches output/ in place (journal, lock)
        assert run_cli("build", "--no-search", cwd=site).returncode == 0
        example = site / EXAMPLE
        example.write_text(example.read_text(encoding="utf-8").replace("≥200条", "≥220条"), encoding="utf-8")
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".output.")), "the build leaves siblings"
    status = git(site, "status", "--porcelain", "--untracked-files=all")
    assert sorted(line[3:] for line in status.splitlines()) == PLANNED
    # What a build may leave beside output/ at other moments (killed builds, staged trees) too.
    names = ["output/index.html", ".output.journal", ".output.lock", ".output.perfsite-stamp",
             ".output.perfsite-cache.sqlite", ".output.new-abc123/index.html", ".output.old-abc123/x",
             "templates/__pycache__/x.pyc"]
    ignored = git(site, "check-ignore", "--no-index", *names).splitlines()
    assert sorted(ignored) == sorted(names)


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_git_option_and_an_existing_repository(tmp_path: Path) -> None:
    done = init(tmp_path, "a", "--git", "--year", str(YEAR))
    assert done.returncode == 0, done.stderr
    assert git(tmp_path / "a", "config", "diff.perfsite.command").strip() == "perfsite diff-driver"
    assert "已设置" in done.stdout

    # A folder that holds only .git (made by `git init` first) counts as empty, and is set up.
    git(tmp_path, "init", "-q", "b")
    done = init(tmp_path, "b", "--year", str(YEAR))
    assert done.returncode == 0, done.stderr
    assert git(tmp_path / "b", "config", "diff.perfsite.command").strip() == "perfsite diff-driver"
    assert tree(tmp_path / "b") == PLANNED


def test_refuses_a_non_empty_folder_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    done = init(tmp_path, "site")
    assert done.returncode == 2
    assert "不是空目录" in done.stderr and "not empty" in done.stderr and "--force" in done.stderr
    assert tree(target) == ["notes.txt"]

    # --force: an unrelated file is fine and kept...
    done = init(tmp_path, "site", "--force", "--year", str(YEAR))
    assert done.returncode == 0, done.stderr
    assert tree(target) == sorted(PLANNED + ["notes.txt"])
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"

    # ...but a file it would write is never overwritten: all are listed, nothing is written.
    other = tmp_path / "other"
    (other / "content").mkdir(parents=True)
    (other / "README.md").write_text("ours", encoding="utf-8")
    (other / "content" / "site.yaml").write_text("网站名称: x\n", encoding="utf-8")
    done = init(tmp_path, "other", "--force")
    assert done.returncode == 2
    assert "README.md" in done.stderr and "site.yaml" in done.stderr and "nothing written" in done.stderr
    assert tree(other) == ["README.md", "content/site.yaml"]
    assert (other / "README.md").read_text(encoding="utf-8") == "ours"


@pytest.mark.parametrize("args, message", [
    (["--url", "not a url"], "网址"),
    (["--unit", " "], "--unit"),
    (["--year", "1800"], "--year"),
])
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    done = init(tmp_path, "site", *args)
    assert done.returncode == 2 and message in done.stderr and "错误 (error)" in done.stderr
    assert not (tmp_path / "site").exists()


def test_a_file_in_the_way_and_help(tmp_path: Path) -> None:
    (tmp_path / "site").write_text("x", encoding="utf-8")
    done = init(tmp_path, "site")
    assert done.returncode == 2 and "不是目录" in done.stderr
    done = init(tmp_path, "--help")
    assert done.returncode == 0
    assert "新网站" in done.stdout and "new site" in done.stdout and "--force" in done.stdout


# --- the wheel, installed, outside the repository ---------------------------------------------------

def build_wheel(tmp_path: Path) -> Path:
    """A wheel of this checkout, built from a copy of its sources: an in-tree build would leave
    build/ and egg-info in the repository, under other engineers' feet."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "perfsite", src / "perfsite", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    dist = tmp_path / "dist"
    base = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(src)]
    # Offline with the machine's setuptools and wheel first; without the `wheel` package (or with
    # a setuptools older than pyproject asks for) pip must make its isolated build environment.
    tries = [base[:4] + ["--no-build-isolation"] + base[4:], base]
    for command in tries:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        wheels = list(dist.glob("perfsite-*.whl"))
        if done.returncode == 0 and wheels:
            return wheels[0]
    raise AssertionError(f"no wheel could be built:\n{done.stdout}\n{done.stderr}")


class Served:
    """`perfsite serve` from the venv; its merged output read line by line by a thread."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.proc.stdout], daemon=True).start()

    def url(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if found := re.search(r"http://\S+/", line):
                return found[0]
        raise AssertionError("serve printed no URL:\n" + "".join(self.seen))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode


def test_wheel_installed_in_a_fresh_venv_makes_and_serves_a_site(tmp_path: Path) -> None:
    """The important one (about 15–30 s; kept in the default run on purpose: CI must run it)."""
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    theme = {n.removeprefix("perfsite/theme/") for n in names if re.fullmatch(r"perfsite/theme/[^/]+\.html", n)}
    assert {"base.html", "project.html", "index.html", "year.html"} <= theme
    assert {"perfsite/theme/static/site.css", "perfsite/theme/static/site.js", "perfsite/newsite.py"} <= set(names)

    # --system-site-packages: jinja2, pydantic & co. come from this machine, only perfsite from
    # the wheel. That machine may have this checkout installed in editable mode, which must not
    # shadow the wheel: PYTHONPATH (which conftest's runner sets to the checkout) is dropped and
    # every command runs outside the repository, so no path entry leads there; the venv's own
    # site-packages come before the system's on sys.path; and setuptools' editable finder is
    # *appended* to sys.meta_path, after the path finder that finds the venv's copy first.
    # --ignore-installed: pip sees the editable perfsite 0.1.0 through the system site-packages
    # and would otherwise call the wheel "already satisfied" (or try to uninstall that one).
    # The assertions on perfsite.__file__ and the theme's path prove it, instead of trusting it.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                   check=True, timeout=120)
    python, perfsite = venv / "bin" / "python", venv / "bin" / "perfsite"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PERFSITE_DEBUG")}
    env.update(PYTHONNOUSERSITE="1", PYTHONUNBUFFERED="1", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    work = tmp_path / "work"
    work.mkdir()
    assert ROOT not in work.parents

    def run(*command: str | Path, cwd: Path = work, code: int = 0) -> str:
        done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=180)
        assert done.returncode == code, f"{command}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout

    run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--ignore-installed",
        "--disable-pip-version-check", wheel)
    installed = Path(run(python, "-c", "import perfsite; print(perfsite.__file__)").strip())
    assert venv in installed.parents, f"{installed} is not the wheel's copy"
    run(perfsite, "init", "site", "--unit", "黔南州某某局", "--year", str(YEAR))
    site = work / "site"
    # The README's hint for where the theme is, run as staff would run it.
    hint = re.search(r'^python -c "(.+)"$', (site / "README.md").read_text(encoding="utf-8"), re.M)
    theme_dir = Path(run(python, "-c", hint[1], cwd=site).strip())
    assert venv in theme_dir.parents and (theme_dir / "base.html").is_file()

    assert "theme-marker" not in (theme_dir / "base.html").read_text(encoding="utf-8")
    out = run(perfsite, "build", "--no-search", cwd=site)
    assert "完成" in out
    assert (site / "output" / str(YEAR) / "xinxi-gongkai.html").is_file()
    assert (site / "output" / "static" / "site.css").read_bytes() == (theme_dir / "static" / "site.css").read_bytes()
    assert "检查通过" in run(perfsite, "check", "--strict", cwd=site)

    # A second year, one edit, and the semantic diff between the two.
    run(perfsite, "new", str(YEAR + 1), "--from", str(YEAR), cwd=site)
    new = site / "content" / str(YEAR + 1) / "xinxi-gongkai.yaml"
    new.write_text(new.read_text(encoding="utf-8").replace("≥200条", "≥300条"), encoding="utf-8")
    changes = run(perfsite, "diff", str(YEAR), str(YEAR + 1), "--color", "never", cwd=site)
    assert "主动公开政府信息条数" in changes and "300" in changes
    assert f"{YEAR + 1}年12月31日" not in changes  # rolled-over dates are not changes
    run(perfsite, "build", "--no-search", cwd=site)

    # The live preview, on any free port, serves the home page; Ctrl-C stops it.
    served = Served([str(perfsite), "serve", "--port", "0"], site, env)
    try:
        url = served.url()
        with urllib.request.urlopen(url, timeout=15) as response:
            home = response.read().decode("utf-8")
        assert response.status == 200 and "黔南州某某局项目支出绩效目标公开" in home
    finally:
        code = served.stop()
    assert code in (0, 130, -signal.SIGINT), "".join(served.seen)

    # A site template overriding base.html only: every page has it, the rest is still the theme's.
    (site / "templates").mkdir()
    base = (theme_dir / "base.html").read_text(encoding="utf-8")
    assert base.count("<body>") == 1
    (site / "templates" / "base.html").write_text(
        base.replace("<body>", '<body>\n<p class="theme-marker">本站自定义页头</p>'), encoding="utf-8")
    run(perfsite, "build", "--no-search", cwd=site)
    pages = sorted((site / "output").rglob("*.html"))
    assert len(pages) > 5
    missing = [p for p in pages if 'class="theme-marker"' not in p.read_text(encoding="utf-8")]
    assert not missing, missing
    project = (site / "output" / str(YEAR + 1) / "xinxi-gongkai.html").read_text(encoding="utf-8")
    assert 'class="fund-block"' in project and "主动公开政府信息条数" in project  # project.html, the theme's
    assert "theme-marker" not in (theme_dir / "base.html").read_text(encoding="utf-8")  # the theme is untouched
