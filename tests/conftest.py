"""Shared fixtures: the repository's shipped content, a minimal valid project, a CLI runner."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "perfsite" / "theme"  # tests copy the whole theme: a site that overrides every file
# The source document, vendored so the repository tests itself; the shared copy, where present, must match.
SEED = ROOT / "tests" / "fixtures" / "000_949027b7908cebdd.txt"
SHARED_SEED = ROOT.parent / "shared" / "seeds" / SEED.name

MINIMAL = """\
id: test-project
年度: 2022
项目名称: 测试项目
主管部门及代码: 测试局
实施单位: 测试局
资金:
  资金来源: 财政资金
  资金总额: 10
  财政拨款: 10
  上级补助: 0
  本级安排: 10
  其他资金: 0
年度目标:
  - 目标1：完成测试。
绩效指标:
  产出:
    数量:
      - 三级指标: 检查次数
        指标值: ≥1次
    时效:
      - 三级指标: 完成时限
        指标值: 2022年12月31日
    成本:
      - 三级指标: 工作经费
        指标值: ≤10万元
  满意度:
    服务对象满意度:
      - 三级指标: 群众满意度
        指标值: ≥90%
"""

SITE_UNDATED = """\
网站名称: 测试网站
发布单位: 测试局
网址: https://example.gov.cn/jxmb/
"""
# A test site's tables are dated, as a real site's are: its years' 批复日期 and 公开日期 (W013 else).
SITE = SITE_UNDATED + """\
公开:
  年度:
""" + "".join(f"    '{year}':\n      批复日期: '{year}-01-20'\n      公开日期: '{year}-02-05'\n" for year in (2022, 2023, 2024))


def date_year(root: Path, year: int) -> None:
    """Give a site's ``year`` its 批复日期 and 公开日期 in site.yaml (whose 公开 → 年度, if it has one,
    is its last block, as the shipped site's is): a year's tables are dated before they are
    published (W013)."""
    path = root / "content" / "site.yaml"
    text = path.read_text(encoding="utf-8")
    entry = f"    '{year}': {{批复日期: {year}-01-20, 公开日期: {year}-02-05}}\n"
    path.write_text(text + entry if "\n公开:" in text else text + "公开:\n  年度:\n" + entry, encoding="utf-8")


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A private copy of the shipped content/ and templates/, as a project directory."""
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return tmp_path


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A project directory with site.yaml, the shipped templates and one minimal project."""
    (tmp_path / "content" / "2022").mkdir(parents=True)
    (tmp_path / "content" / "site.yaml").write_text(SITE, encoding="utf-8")
    (tmp_path / "content" / "2022" / "test-project.yaml").write_text(MINIMAL, encoding="utf-8")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return tmp_path


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real ``perfsite`` command (as ``python -m perfsite``) in ``cwd``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PERFSITE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "perfsite", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def files(directory: Path) -> dict[str, bytes]:
    """Every file's bytes, by its path under ``directory``."""
    return {k: v[0] for k, v in snapshot(directory).items()}


def clean_build(site: Path, tmp_path: Path, state: bool = True) -> dict[str, bytes]:
    """The files a clean build of ``site`` (without the search index) makes; ``state=False``: as
    a preview shows them, without the state file."""
    from perfsite.builder import Builder

    out = tmp_path / f"clean-{len(list(tmp_path.glob('clean-*')))}"
    assert Builder(site / "content", site / "templates", out, search=False).build().ok
    made = files(out)
    if not state:
        made.pop(".perfsite-state")
    return made


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime, to prove a directory was left exactly as it was."""
    return {p.relative_to(directory).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


class Running:
    """``perfsite <command>`` in a subprocess (serve, build --watch); its output lines are
    collected by a thread each for stdout and stderr."""

    def __init__(self, cwd: Path, *args: str, background: bool = False) -> None:
        """``background``: started as a shell starts ``command &``, with SIGINT ignored."""
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
        ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if background else None
        self.proc = subprocess.Popen([sys.executable, "-m", "perfsite", *args], cwd=cwd, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ignore)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self._pumps = [threading.Thread(target=self._pump, args=(stream,), daemon=True)
                       for stream in (self.proc.stdout, self.proc.stderr)]
        for pump in self._pumps:
            pump.start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.lines.put(line)

    def expect(self, pattern: str, timeout: float = 15) -> str:
        """A line matching, already read or still to come (stdout and stderr may come in either
        order)."""
        seen = next((line for line in self.output if re.search(pattern, line)), None)
        return seen or self.wait_for(pattern, timeout)

    def everything(self) -> str:
        """All it printed, once it has ended."""
        for pump in self._pumps:
            pump.join(timeout=5)
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "".join(self.output)

    def wait_for(self, pattern: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.output.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} within {timeout}s; got:\n{''.join(self.output)}")

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode
