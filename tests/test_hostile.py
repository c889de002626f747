"""Broken and hostile input, interrupted and concurrent builds: a clear `file:line` message and
exit 1 (never a traceback), and the last good site never lost."""

from __future__ import annotations

import fcntl
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINIMAL, ROOT, run_cli, snapshot

P = "content/2022/test-project.yaml"


def corpus() -> dict[str, tuple[bytes, str, str]]:
    """name → (file bytes, expected code, expected place "line" or "" for the whole file)."""
    m = MINIMAL
    return {
        "empty file": (b"", "E006", ""),
        "not a mapping": (b"- a\n- b\n", "E006", "1:1"),
        "tab indentation": (m.replace("  资金来源", "\t资金来源").encode(), "E001", "7:1"),
        "unclosed quote": (m.replace("项目名称: 测试项目", "项目名称: '测试项目").encode(), "E001", ""),
        "duplicate key, top": (m.replace("实施单位: 测试局\n", "实施单位: 测试局\n实施单位: 别处\n").encode(), "E002", "6:1"),
        "duplicate key, deep": (m.replace("        指标值: ≥1次\n", "        指标值: ≥1次\n        指标值: ≥2次\n").encode(),
                                "E002", "20:9"),
        "anchor and alias": (m.replace("实施单位: 测试局", "实施单位: &u 测试局\n项目属性: *u").encode(), "E003", "5:7"),
        "binary junk": (bytes(range(256)) * 64, "E005", ""),
        "UTF-16": (m.encode("utf-16"), "E005", ""),
        "GB18030": (m.encode("gb18030"), "E005", ""),
        "negative amount": (m.replace("其他资金: 0", "其他资金: -5").encode(), "E010", "12:9"),
        "NaN amount": (m.replace("其他资金: 0", "其他资金: NaN").encode(), "E010", "12:9"),
        "1e400 amount": (m.replace("其他资金: 0", "其他资金: 1e400").encode(), "E010", "12:9"),
        "amount in words": (m.replace("资金总额: 10", "资金总额: 十万").encode(), "E010", "8:9"),
        "year disagrees with folder": (m.replace("年度: 2022", "年度: 2021").encode(), "E025", "2:5"),
        "python tag": (m.replace("项目名称: 测试项目", "项目名称: !!python/object/apply:os.system [ls]").encode(), "E007", "3:7"),
        "control character": (m.replace("测试项目", "测试\x07项目").encode(), "E001", "3:9"),
        "deep nesting": (("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60))).encode(), "E022", ""),
    }


@pytest.mark.parametrize("name", list(corpus()))
def test_bad_input_gives_a_clear_message_and_exit_1(site_dir: Path, name: str):
    data, code, place = corpus()[name]
    (site_dir / P).write_bytes(data)
    result = run_cli("check", cwd=site_dir)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr
    where = re.escape(P) + (f":{place}" if place else "")
    assert re.search(rf"^{where}\S*:? ?\S* ?error {code} ", result.stderr, re.M) or \
        re.search(rf"^{re.escape(P)}(:\d+:\d+)?: error {code} ", result.stderr, re.M), result.stderr
    if place:
        assert re.search(rf"^{re.escape(P)}:{place}", result.stderr, re.M), result.stderr


def test_bom_crlf_full_width_and_odd_file_names_are_accepted(site_dir: Path):
    text = ("\ufeff" + MINIMAL.replace("≥1次", "＞＝１次").replace("资金总额: 10", "资金总额: １０")).replace("\n", "\r\n")
    (site_dir / P).write_bytes(text.encode("utf-8"))
    (site_dir / "content/2022/a b..c%20#?.yaml").write_text(MINIMAL.replace("id: test-project", "id: odd-name"),
                                                             encoding="utf-8")
    result = run_cli("build", "--strict", cwd=site_dir)
    assert result.returncode == 0, result.stderr
    assert (site_dir / "output/2022/odd-name.html").is_file()  # pages are named by id, never by file name
    html = (site_dir / "output/2022/test-project.html").read_text(encoding="utf-8")
    assert "＞＝１次" in html  # shown as published, normalised only for checks


def test_two_files_with_one_id(site_dir: Path):
    (site_dir / "content/2022/copy.yaml").write_text(MINIMAL, encoding="utf-8")
    result = run_cli("check", cwd=site_dir)
    assert result.returncode == 1 and "E026" in result.stderr and "Traceback" not in result.stderr


def _limited(code: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter, so its peak memory is its own."""
    script = tmp / "limited.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))


def test_billion_laughs_is_refused_fast_and_small(tmp_path: Path):
    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))
    (tmp_path / "laughs.yaml").write_text(laughs, encoding="utf-8")
    result = _limited(f"""
import resource, time
from pathlib import Path
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from perfsite.source import load_file
t = time.perf_counter()
source, diags = load_file(Path({str(tmp_path / 'laughs.yaml')!r}), "laughs.yaml")
took = time.perf_counter() - t
grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start
print(source is None, [d.code for d in diags], took, grew)
""", tmp_path)
    parts = result.stdout.split()  # refused? codes… seconds kilobytes
    assert parts[0] == "True" and "E003" in result.stdout, result.stdout + result.stderr
    assert float(parts[-2]) < 1.0 and int(parts[-1]) < 100 * 1024


def test_a_50_mb_file_is_refused_by_size_before_it_is_read(site_dir: Path):
    with open(site_dir / P, "wb") as handle:
        handle.write(b"a: '" + b"x" * (50 * 1024 * 1024) + b"'\n")
    started = time.perf_counter()
    result = run_cli("check", cwd=site_dir)
    assert result.returncode == 1 and "E004" in result.stderr and time.perf_counter() - started < 10


def test_a_killed_build_leaves_the_previous_site_complete(tmp_path: Path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    site = generate(600, tmp_path / "site")
    assert run_cli("build", "--no-search", cwd=site).returncode == 0
    before = snapshot(site / "output")
    for path in (site / "content/2022").glob("*.yaml"):  # every page must be rendered again
        path.write_text(path.read_text(encoding="utf-8").replace("良好", "优良"), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "perfsite", "build", "--no-search", "--jobs", "1"], cwd=site,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    stage = None
    while time.monotonic() < deadline and stage is None:  # wait until it is writing its new site
        stage = next((p for p in site.glob(".output.new-*") if sum(1 for _ in p.rglob("*.html")) > 20), None)
        time.sleep(0.01)
    assert stage is not None and proc.poll() is None, "the build finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert snapshot(site / "output") == before
    result = run_cli("build", "--no-search", cwd=site)  # the next build sweeps the leftovers and succeeds
    assert result.returncode == 0, result.stderr
    assert not list(site.glob(".output.new-*")) and "优良" in (site / "output/2022/p000000.html").read_text(encoding="utf-8")


def test_two_builds_cannot_interleave(site_dir: Path):
    assert run_cli("build", cwd=site_dir).returncode == 0
    before = snapshot(site_dir / "output")
    (site_dir / P).write_text(MINIMAL.replace("测试项目", "改过的项目"), encoding="utf-8")
    lock = os.open(site_dir / ".output.lock", os.O_CREAT | os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another build holds the output
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "perfsite", "build"], cwd=site_dir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2)
        assert proc.poll() is None and snapshot(site_dir / "output") == before  # waiting, not writing
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "等待" in err
    assert "改过的项目" in (site_dir / "output/2022/test-project.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("journal", [
    {"stage": "/ELSEWHERE", "write": [], "remove": []},  # a folder anywhere: it was rmtree'd
    {"stage": ".output.new-x", "write": [], "remove": ["../../VICTIM"]},  # a file outside output/
    {"stage": ".output.new-x", "write": ["../VICTIM"], "remove": []},
    {"stage": "../.output.new-x", "write": [], "remove": []},
    {"stage": ".output.new-x", "write": [], "remove": ["/ELSEWHERE/file"]},
    {"stage": ".output.new-x", "write": [], "remove": [7]},
    {"write": [], "remove": []},
    ["not", "a", "journal"],
])
def test_a_journal_that_is_not_this_outputs_own_is_refused_and_left_alone(site_dir: Path, tmp_path: Path,
                                                                          journal: object):
    """The journal beside output/ finishes a killed patch; one that names a stage or a file
    outside the output (crafted, or carried in by an archive) is refused with a clear message and
    exit 1: nothing is moved or deleted, the journal stays, output/ stays as it was."""
    import json

    assert run_cli("build", "--no-search", cwd=site_dir).returncode == 0
    elsewhere = tmp_path / "ELSEWHERE"
    elsewhere.mkdir()
    (elsewhere / "file").write_text("keep me", encoding="utf-8")
    victim = tmp_path / "VICTIM"
    victim.write_text("keep me too", encoding="utf-8")
    text = json.dumps(journal).replace("/ELSEWHERE", str(elsewhere))
    (site_dir / ".output.journal").write_text(text, encoding="utf-8")
    before = snapshot(site_dir / "output")
    result = run_cli("build", "--no-search", cwd=site_dir)
    assert result.returncode == 1, result.stderr
    assert "E060" in result.stderr and ".output.journal" in result.stderr and "Traceback" not in result.stderr
    assert (elsewhere / "file").read_text(encoding="utf-8") == "keep me"
    assert victim.read_text(encoding="utf-8") == "keep me too"
    assert (site_dir / ".output.journal").read_text(encoding="utf-8") == text
    assert snapshot(site_dir / "output") == before


def test_a_crafted_cache_beside_the_output_runs_no_code(site_dir: Path, tmp_path: Path):
    """The parse cache beside output/ holds pickles (models, diffs, Jinja's compiled templates);
    one that a content repository or an archive carries, or that anyone but this user's builds
    wrote, is ignored: its payload never runs, and the build reads the files instead."""
    import pickle
    import sqlite3

    assert run_cli("build", "--no-search", cwd=site_dir).returncode == 0
    marker = tmp_path / "PWNED"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    evil = pickle.dumps(Payload())
    db = sqlite3.connect(site_dir / ".output.perfsite-cache.sqlite")
    with db:
        db.execute("UPDATE templates SET code = ?", (evil,))
        db.execute("UPDATE entries SET project = ?", (evil,))
        db.execute("UPDATE diffs SET diff = ?", (evil,))
        db.execute("INSERT OR REPLACE INTO blobs VALUES ('summaries', ?)", (evil,))
    db.close()
    path = site_dir / P
    path.write_text(path.read_text(encoding="utf-8").replace("测试局", "测试局二", 1), encoding="utf-8")
    result = run_cli("build", "--no-search", cwd=site_dir)
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), "a pickle from the cache was run"
    assert "测试局二" in (site_dir / "output/2022/test-project.html").read_text(encoding="utf-8")
    assert run_cli("check", cwd=site_dir).returncode == 0 and not marker.exists()


@pytest.mark.parametrize("escape", ["\\x01", "\\e", "\\v", "\\uFFFE", "\\x9b", "\\N"])
def test_control_characters_written_as_escapes_are_refused_at_their_place(site_dir: Path, escape: str):
    """YAML's double-quoted escapes put characters the file itself may not hold into a value: a
    name with ESC would reach the terminal raw in a diagnostic, and feed.xml would not be XML.
    They are refused where they stand, shown by their code point, and nothing is built."""
    path = site_dir / P
    path.write_text(path.read_text(encoding="utf-8").replace("项目名称: 测试项目", f'项目名称: "测试{escape}项目"'),
                    encoding="utf-8")
    result = run_cli("build", "--no-search", cwd=site_dir)
    assert result.returncode == 1, result.stderr
    assert re.search(rf"^{P}:3:7: error E001 .*U\+[0-9A-F]{{4}}", result.stderr, re.M), result.stderr
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stderr), "a control character reached the terminal"
    assert not (site_dir / "output").exists() and "Traceback" not in result.stderr


def test_a_fifo_or_a_device_among_the_content_is_refused_not_read(site_dir: Path):
    """A FIFO named x.yaml blocked build, check, fmt and new --from forever, and a link to
    /dev/zero was read until memory ran out: only regular files are read (E009, with the file
    named), every command ends, and nothing is written."""
    os.mkfifo(site_dir / "content/2022/pipe.yaml")
    (site_dir / "content/2022/zero.yaml").symlink_to("/dev/zero")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for command in (["build", "--no-search"], ["check"], ["fmt", "--check"], ["new", "2023", "--from", "2022"]):
        done = subprocess.run([sys.executable, "-m", "perfsite", *command], cwd=site_dir, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode in (1, 2), (command, done.stderr)
        assert "Traceback" not in done.stderr and "内部错误" not in done.stderr, done.stderr
        if command[0] != "new":
            assert re.search(r"pipe\.yaml: error E009 不是普通文件", done.stderr), done.stderr
            assert re.search(r"zero\.yaml: error E009 不是普通文件", done.stderr), done.stderr
    assert not (site_dir / "output").exists() and not (site_dir / "content/2023").exists()


def test_a_goal_that_would_take_markdown_minutes_is_refused_or_written_as_text(site_dir: Path):
    """A goal of 20,000 [ took Python-Markdown 100 s (and froze serve for everyone): a goal is at
    most 2,000 characters (E022 where it stands), a table at most 50 goals, and a goal with many
    [ shows them as text instead of parsing them as links."""
    path = site_dir / P
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - 目标1：完成测试。", "  - '" + "[" * 20000 + "'"), encoding="utf-8")
    result = run_cli("build", "--no-search", cwd=site_dir)
    assert result.returncode == 1 and re.search(rf"^{P}:14:5: error E022 .*2000", result.stderr, re.M), result.stderr
    path.write_text(text.replace("  - 目标1：完成测试。\n", "  - 目标。\n" * 51), encoding="utf-8")
    result = run_cli("build", "--no-search", cwd=site_dir)
    assert result.returncode == 1 and re.search(r"E022 「年度目标」最多 50 条", result.stderr), result.stderr
    path.write_text(text.replace("  - 目标1：完成测试。", "  - '见[文件](https://example.gov.cn/a.pdf)" + "[" * 1500 + "'"),
                    encoding="utf-8")
    result = run_cli("build", "--no-search", cwd=site_dir)
    assert result.returncode == 0, result.stderr
    page = (site_dir / "output/2022/test-project.html").read_text(encoding="utf-8")
    assert "[" * 1500 in page and "见[文件](https://example.gov.cn/a.pdf)" in page  # as written, no link made


@pytest.mark.parametrize("link", ["dangling", "looping"])
def test_a_broken_link_among_the_content_is_named_by_build_as_by_check(site_dir: Path, link: str):
    """A dangling or looping symlink was E009 in check and silently skipped by build (exit 0): a
    project file the tool cannot read must never vanish quietly. Both now name it."""
    target = site_dir / "content/2022/broken.yaml"
    target.symlink_to("nowhere.yaml" if link == "dangling" else "broken.yaml")
    for command in (["check"], ["build", "--no-search"]):
        result = run_cli(*command, cwd=site_dir)
        assert result.returncode == 1, (command, result.stderr)
        assert re.search(r"content/2022/broken\.yaml: error E009", result.stderr), (command, result.stderr)
    assert not (site_dir / "output").exists()


def _deep_folder(parent: Path, length: int = 5000) -> str:
    """A folder below ``parent`` whose path is longer than PATH_MAX (made a step at a time,
    relative to an open folder, as only such a path can be made), with a project file in it."""
    fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    first = "d" * 200
    try:
        for _ in range(length // 201 + 1):
            os.mkdir(first, dir_fd=fd)
            inner = os.open(first, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with os.fdopen(os.open("lost.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as handle:
            handle.write(MINIMAL.replace("test-project", "lost"))
    finally:
        os.close(fd)
    return first


def test_a_folder_that_cannot_be_listed_is_named_by_every_command(site_dir: Path):
    """A folder too deep to list (or without permission: root reads those anyway, so the test uses
    depth) was skipped by check, build and fmt with no word, and the project in it vanished."""
    first = _deep_folder(site_dir / "content/2022")
    for command in (["check"], ["build", "--no-search"], ["fmt", "--check", "content"]):
        result = run_cli(*command, cwd=site_dir)
        assert result.returncode == 1, (command, result.stderr)
        assert re.search(rf"content/2022/{first}/.*: error E009 目录无法读取", result.stderr), (command, result.stderr[-800:])
    assert not (site_dir / "output").exists()


def _file_size_limit(size: int):
    """A child's limit on the size of any file it writes (RLIMIT_FSIZE): what a full disk does
    to a build, without a disk to fill or root to mount one."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def test_a_build_that_cannot_write_says_why_and_leaves_the_output_as_it_was(site_dir: Path):
    """A full disk was 内部错误 (exit 3). Now it is E060 with what to do, and the site is left as
    it was, so the next build equals a clean one."""
    assert run_cli("build", "--no-search", cwd=site_dir).returncode == 0
    before = snapshot(site_dir / "output")
    project = site_dir / "content/2022/test-project.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("测试项目", "改名项目"), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "perfsite", "build", "--no-search"], cwd=site_dir, env=env,
                            capture_output=True, text=True, timeout=120, preexec_fn=_file_size_limit(2048))
    assert result.returncode == 1, result.stderr
    assert "E060 无法写入输出" in result.stderr and "提示 (hint)" in result.stderr, result.stderr
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(site_dir / "output") == before
    assert run_cli("build", "--no-search", cwd=site_dir).returncode == 0
    assert "改名项目" in (site_dir / "output/2022/test-project.html").read_text(encoding="utf-8")


def test_a_file_where_a_folder_belongs_is_a_clear_error(site_dir: Path):
    (site_dir / "blocker").write_text("", encoding="utf-8")
    result = run_cli("schema", "--output", "blocker/schema", cwd=site_dir)
    assert result.returncode == 1, result.stderr
    assert "blocker/schema：Not a directory" in result.stderr and "挡在了目录的位置" in result.stderr, result.stderr


@pytest.mark.parametrize("args", [["check"], ["--help"], ["check", "content/2022/nowhere.yaml"]])
def test_a_stdout_that_cannot_hold_chinese_gets_escapes_not_an_internal_error(site_dir: Path, args: list[str]):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="ascii")
    result = subprocess.run([sys.executable, "-m", "perfsite", *args], cwd=site_dir, env=env,
                            capture_output=True, timeout=120)
    assert result.returncode in (0, 1, 2), result.stderr
    out = (result.stdout + result.stderr).decode("ascii")
    assert "\\u" in out and "internal error" not in out and "Traceback" not in out, out


@pytest.mark.parametrize("written", ["2022-02-30", "2022-13-01", "'2022年3月'"])
def test_a_date_that_does_not_exist_is_refused_in_chinese_at_its_line(site_dir: Path, written: str):
    project = site_dir / "content/2022/test-project.yaml"
    project.write_text(project.read_text(encoding="utf-8") + f"公开日期: {written}\n", encoding="utf-8")
    line = len(project.read_text(encoding="utf-8").splitlines())
    result = run_cli("check", cwd=site_dir)
    assert result.returncode == 1
    assert re.search(rf"test-project\.yaml:{line}:\d+: error E022 「公开日期」不是有效的日期", result.stderr), result.stderr


@pytest.mark.parametrize("args", [["check"], ["fmt", "--check"], ["diff", "2022", "content/2022"],
                                  ["diff", "--format", "json", "2022", "content/2022"]])
def test_a_file_name_cannot_send_the_terminal_escape_sequences(site_dir: Path, args: list[str]):
    """A name with ESC [2J cleared the screen when check printed it; a name with bytes that are
    not UTF-8 made fmt --check and diff --format json fail ("surrogates not allowed")."""
    name = os.fsencode(site_dir / "content/2022") + b"/e\x1b[2J\xfe\xe2\x80\xae.yaml"
    with open(name, "w", encoding="utf-8") as handle:
        handle.write("id:   x\n")  # not in canonical form: fmt --check names it
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    result = subprocess.run([sys.executable, "-m", "perfsite", *args], cwd=site_dir, env=env,
                            capture_output=True, timeout=120)
    shown = result.stdout + result.stderr
    assert result.returncode in (0, 1), shown
    assert b"\x1b" not in shown and b"\xe2\x80\xae" not in shown, shown
    assert b"e\\x1b[2J\\xfe\\u202e.yaml" in shown and b"Traceback" not in shown, shown


def _run_limited(site_dir: Path, size: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "perfsite", *args], cwd=site_dir, env=env,
                          capture_output=True, text=True, timeout=120, preexec_fn=_file_size_limit(size))


@pytest.mark.parametrize("args", [["new", "2023", "--from", "2022", "--force"],
                                  ["new", "2022", "某项目", "--id", "test-project", "--force"],
                                  ["schema", "--output", "schema"], ["import", "x.csv", "--force"]])
def test_a_write_that_fails_leaves_every_file_whole(site_dir: Path, args: list[str]):
    """A full disk cut an existing file short (new --from --force: 8,772 bytes to 2,048), left a
    0-byte one (schema, new) and ended in 内部错误. Files are now written beside their targets and
    renamed only when all are whole."""
    (site_dir / "content/2023").mkdir()
    (site_dir / "content/2023/test-project.yaml").write_text(MINIMAL.replace("2022", "2023") + "# 已编辑\n" * 300,
                                                            encoding="utf-8")
    (site_dir / "schema").mkdir()
    (site_dir / "x.csv").write_text("项目名称,三级指标,指标值\n" + "某项目,指标,≥1个\n" * 400, encoding="utf-8")
    before = snapshot(site_dir)
    result = _run_limited(site_dir, 512, *args)
    assert result.returncode == 1, result.stderr
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert snapshot(site_dir) == before


def test_a_file_where_the_templates_or_site_yaml_belong_is_named(site_dir: Path):
    """templates/ as a file was silently the packaged theme alone; site.yaml as a folder was
    「找不到」 (not found)."""
    shutil.rmtree(site_dir / "templates")
    (site_dir / "templates").write_text("", encoding="utf-8")
    result = run_cli("build", "--no-search", cwd=site_dir)
    assert result.returncode == 2 and "templates 不是目录" in result.stderr, result.stderr
    (site_dir / "templates").unlink()
    (site_dir / "content/site.yaml").unlink()
    (site_dir / "content/site.yaml").mkdir()
    result = run_cli("check", cwd=site_dir)
    assert result.returncode == 1 and "content/site.yaml: error E009 不是普通文件" in result.stderr, result.stderr


def test_a_valid_project_under_a_name_that_is_not_utf8_builds(site_dir: Path):
    """Bytes of a name that are not UTF-8 reached the state file as surrogates: a warning about
    such a file made build fail with 内部错误 (found by the fuzz, seed 9)."""
    text = MINIMAL.replace("2022年12月31日", "2021年12月31日")  # W002: a diagnostic naming the file
    with open(os.fsencode(site_dir / "content/2022") + b"/\xff\xfe.yaml", "w", encoding="utf-8") as handle:
        handle.write(text.replace("test-project", "planted"))
    result = run_cli("build", "--no-search", cwd=site_dir)
    assert result.returncode == 0, result.stderr
    assert "content/2022/\\xff\\xfe.yaml:" in result.stderr and "W002" in result.stderr, result.stderr
