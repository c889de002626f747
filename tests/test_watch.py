"""``perfsite build --watch``: a real process, a real watcher (inotify) and real files. After
each save the output is what a new ``perfsite build`` would make, state file included; an error
publishes nothing; Ctrl-C or SIGTERM stop it cleanly."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from perfsite.builder import Builder

from conftest import ROOT, Running, clean_build, files

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_build_watch_rebuilds_the_output_on_every_save(tmp_path: Path):
    site = generate(30, tmp_path / "site")
    watching = Running(site, "build", "--watch", "--no-search")
    try:
        watching.expect(r"^完成 → output")
        watching.expect(r"正在监视 content/ 和 templates/")
        page = site / "output/2023/p000001.html"
        assert "财政专项资金" not in page.read_text(encoding="utf-8")

        edit(site / "content/2023/p000001.yaml", "资金来源: 财政资金", "资金来源: 财政专项资金")
        watching.wait_for(r"已重新生成 \(rebuilt\) \(p000001\.yaml\)：写入 \d+")
        assert "财政专项资金" in page.read_text(encoding="utf-8")
        assert files(site / "output") == clean_build(site, tmp_path)

        before = files(site / "output")
        edit(site / "content/2024/p000002.yaml", "资金总额: ", "资金总额: x")
        watching.wait_for(r"构建失败 \(build failed\)：1 个错误.*output 保持不变")
        watching.expect(r"p000002\.yaml:\d+:\d+: error E010")
        assert files(site / "output") == before  # nothing published while the error stands

        edit(site / "content/2024/p000002.yaml", "资金总额: x", "资金总额: ")
        edit(site / "templates/base.html", '<footer class="site-footer">', '<footer class="site-footer changed">')
        watching.wait_for(r"已重新生成 \(rebuilt\)")
        deadline = time.monotonic() + 10  # the two saves may come as one burst or two
        while 'class="site-footer changed"' not in page.read_text(encoding="utf-8") and time.monotonic() < deadline:
            watching.wait_for(r"已重新生成 \(rebuilt\)")
        assert files(site / "output") == clean_build(site, tmp_path)

        plain = subprocess.run([sys.executable, "-m", "perfsite", "build", "--no-search"], cwd=site,
                               capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        assert plain.returncode == 0 and "写入 0 个文件" in plain.stdout, plain.stdout + plain.stderr
    finally:
        code = watching.stop(signal.SIGINT)
    printed = watching.everything()
    assert code == 0 and "已停止监视 (stopped watching)" in printed
    assert "Traceback" not in printed


def test_build_watch_started_in_the_background_still_stops_on_sigint(tmp_path: Path):
    """A shell starts `perfsite build --watch &` with SIGINT ignored, which Python then leaves
    ignored: the command sets its own handler, so Ctrl-C (or `kill -INT`) still stops it."""
    site = generate(6, tmp_path / "site")
    watching = Running(site, "build", "--watch", "--no-search", background=True)
    try:
        watching.expect(r"正在监视")
    finally:
        code = watching.stop(signal.SIGINT)
    printed = watching.everything()
    assert code == 0 and "已停止监视 (stopped watching)" in printed and "Traceback" not in printed


def test_build_watch_stopped_while_an_error_stands_exits_1(tmp_path: Path):
    site = generate(6, tmp_path / "site")
    edit(site / "content/2022/p000001.yaml", "资金总额: ", "资金总额: x")
    watching = Running(site, "build", "--watch", "--no-search")
    try:
        watching.expect(r"正在监视")
        watching.expect(r"构建失败 \(build failed\)")
        assert not (site / "output").exists()
    finally:
        code = watching.stop(signal.SIGTERM)
    printed = watching.everything()
    assert code == 1 and "已停止监视" in printed and "Traceback" not in printed


def test_build_watch_makes_the_whole_output_again_after_it_was_removed(tmp_path: Path):
    """`rm -rf output` while it watches (to start clean): the next save builds all of it, not
    only the edited page (the kept process sees that its state file is gone)."""
    site = generate(6, tmp_path / "site")
    watching = Running(site, "build", "--watch", "--no-search")
    try:
        watching.expect(r"正在监视")
        shutil.rmtree(site / "output")
        edit(site / "content/2023/p000001.yaml", "资金来源: 财政资金", "资金来源: 财政专项资金")
        watching.wait_for(r"已重新生成 \(rebuilt\)")
        assert files(site / "output") == clean_build(site, tmp_path)
    finally:
        assert watching.stop() == 0


def test_a_watcher_that_cannot_start_is_a_clear_error_not_a_traceback(tmp_path: Path):
    """A folder gone between the command's check and the watch (or inotify's limits reached):
    a message with a hint, exit 1, before anything is built."""
    from io import StringIO

    from perfsite import watch
    from perfsite.progress import Progress

    site = generate(6, tmp_path / "site")
    builder = Builder(site / "content", site / "templates", site / "output", keep=True, search=False)
    built: list[int] = []
    out, err = StringIO(), StringIO()
    code = watch.run(builder, [site / "content", tmp_path / "gone"], lambda: (built.append(1), builder.build())[1],
                     Progress(err), out, err)
    assert code == 1 and not built
    assert "无法监视文件变化 (cannot watch for changes)" in err.getvalue() and "提示 (hint)" in err.getvalue()


def _vim(target: Path, text: str) -> None:
    """vim's save: probe the folder with a file "4913", move the file to its backup, write it anew."""
    probe = target.with_name("4913")
    probe.write_text("", encoding="utf-8")
    probe.unlink()
    backup = target.with_name(target.name + "~")
    os.replace(target, backup)
    target.write_text(text, encoding="utf-8")
    backup.unlink()


def _renamed_from(name: str) -> Callable[[Path, str], None]:
    """A save that writes a temporary file beside the target and renames it over the target."""
    def save(target: Path, text: str) -> None:
        temporary = target.with_name(name.format(target.name))
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    return save


def _emacs(target: Path, text: str) -> None:
    """emacs: a lock link .#name while editing, a backup name~, then the file written."""
    lock = target.with_name(".#" + target.name)
    os.symlink("user@host.1234:1700000000", lock)
    shutil.copy2(target, target.with_name(target.name + "~"))
    target.write_text(text, encoding="utf-8")
    lock.unlink()


@pytest.mark.parametrize("save", [_vim, _renamed_from(".{}.swp"), _renamed_from(".{}.x7q2"), _renamed_from("{}.tmp"),
                                  _renamed_from("tmp3k9x_q1z"), _emacs],
                         ids=["vim", "swp-renamed", "hidden-renamed", "tmp-renamed", "mkstemp-renamed", "emacs"])
def test_the_log_names_the_saved_file_not_the_editors_temporary_one(shipped: Path, save):
    """Editors save through a temporary file; the rebuild's line names the file that was saved."""
    watching = Running(shipped, "build", "--watch", "--no-search")
    try:
        watching.expect(r"正在监视")
        target = shipped / "content/2022/wuye-houqin.yaml"
        save(target, target.read_text(encoding="utf-8").replace("每周≥7次", "每周≥6次", 1))
        line = watching.wait_for(r"已重新生成 \(rebuilt\)")
        assert re.search(r"已重新生成 \(rebuilt\) \(wuye-houqin\.yaml\)：写入 [1-9]", line), line
        assert "每周≥6次" in (shipped / "output/2022/wuye-houqin.html").read_text(encoding="utf-8")
    finally:
        watching.stop(signal.SIGINT)
