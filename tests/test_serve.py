"""`perfsite serve` as a user meets it: a real server in a subprocess on a free loopback port,
real HTTP requests and a real livereload websocket client. Every wait is bounded."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from conftest import MINIMAL, ROOT, Running

WUYE = "content/2022/wuye-houqin.yaml"


class Server(Running):
    """``perfsite serve`` in a subprocess; its output lines are collected by a thread."""

    def __init__(self, cwd: Path, *args: str) -> None:
        super().__init__(cwd, "serve", *args)
        self.url = ""

    def start(self, timeout: float = 15) -> Server:
        # stdout and stderr are read by two threads: the address may have come in before a line
        # that an earlier wait_for was looking for.
        seen = next((line for line in self.output if re.search(r"http://\S+/", line)), None)
        line = seen or self.wait_for(r"http://\S+/", timeout)
        self.url = re.search(r"http://\S+/", line)[0]
        return self

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc

    def get(self, path: str, host: str | None = None) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection(self.netloc, timeout=10)
        headers = {"Host": host} if host else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@pytest.fixture
def server(shipped: Path):
    s = Server(shipped, "--port", "0").start()
    yield s
    s.stop()


class Reloads:
    """A livereload client: does the protocol's hello/info handshake, then collects messages."""

    def __init__(self, server: Server, origin: str | None = None) -> None:
        self.server = server
        self.origin = origin or server.url.rstrip("/")
        self.loop = asyncio.new_event_loop()
        self.conn = None

    def connect(self) -> Reloads:
        async def go():
            request = HTTPRequest(f"ws://{self.server.netloc}/livereload", headers={"Origin": self.origin},
                                  connect_timeout=5, request_timeout=5)
            self.conn = await websocket_connect(request)
            await self.conn.write_message(json.dumps({"command": "hello",
                                                      "protocols": ["http://livereload.com/protocols/official-7"]}))
            hello = json.loads(await asyncio.wait_for(self.conn.read_message(), 5))
            assert hello["command"] == "hello"
            await self.conn.write_message(json.dumps({"command": "info", "url": self.server.url, "plugins": {}}))
        self.loop.run_until_complete(go())
        return self

    def next(self, timeout: float = 5) -> dict:
        async def read():
            return await asyncio.wait_for(self.conn.read_message(), timeout)
        message = self.loop.run_until_complete(read())
        assert message is not None, "websocket closed"
        return json.loads(message)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.loop.close()


def edit(root: Path, rel: str, old: str, new: str) -> float:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return time.monotonic()


def test_pages_are_served_with_the_reload_script_and_charset(server: Server):
    status, headers, body = server.get("/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert "livereload.js" in body and "黔南州住房和城乡建设局" in body
    status, headers, _ = server.get("/static/site.css")
    assert status == 200 and headers["content-type"] == "text/css; charset=utf-8"
    status, _, body = server.get("/2022/wuye-houqin.html")
    assert status == 200 and "每周≥7次" in body


def test_a_save_sends_a_reload_and_the_new_value_is_served(server: Server, shipped: Path):
    client = Reloads(server).connect()
    try:
        saved = edit(shipped, WUYE, "每周≥7次", "每周≥8次")
        assert client.next()["command"] == "reload"
        elapsed = time.monotonic() - saved
        status, _, body = server.get("/2022/wuye-houqin.html")
        assert status == 200 and "每周≥8次" in body and "每周≥7次" not in body
        assert elapsed < 5  # bounded; the real latency is measured in benchmarks/serve_reload.py
    finally:
        client.close()


def test_quick_resaves_are_not_dropped(server: Server, shipped: Path):
    client = Reloads(server).connect()
    try:
        edit(shipped, WUYE, "每周≥7次", "每周≥8次")
        assert client.next()["command"] == "reload"
        edit(shipped, WUYE, "每周≥8次", "每周≥9次")  # well within livereload's own 3 s dead time
        assert client.next()["command"] == "reload"
        assert "每周≥9次" in server.get("/2022/wuye-houqin.html")[2]
    finally:
        client.close()


def test_an_error_shows_an_error_page_until_it_is_fixed(server: Server, shipped: Path):
    client = Reloads(server).connect()
    try:
        edit(shipped, WUYE, "  资金总额: 10.38", "  资金总额: 10.39")
        assert client.next()["command"] == "reload"
        for path in ("/2022/wuye-houqin.html", "/", "/2022/index.html"):
            status, headers, body = server.get(path)
            assert status == 500 and headers["content-type"] == "text/html; charset=utf-8"
            assert "构建失败" in body and "content/2022/wuye-houqin.yaml:12:9: error E012" in body
            assert "livereload.js" in body  # so that the fix reloads it away
        server.wait_for(r"wuye-houqin.yaml:12:9: error E012")  # and the terminal says the same
        edit(shipped, WUYE, "  资金总额: 10.39", "  资金总额: 10.38")
        assert client.next()["command"] == "reload"
        status, _, body = server.get("/2022/wuye-houqin.html")
        assert status == 200 and "构建失败" not in body and "每周≥7次" in body
    finally:
        client.close()


def test_a_template_error_names_the_template_line(server: Server, shipped: Path):
    client = Reloads(server).connect()
    try:
        edit(shipped, "templates/year.html", "{% block main %}", "{% block main %}{{ nope }}")
        assert client.next()["command"] == "reload"
        status, _, body = server.get("/2022/index.html")
        assert status == 500 and re.search(r"templates/year.html:\d+:1: error E051", body)
    finally:
        client.close()


def test_a_foreign_origin_is_refused(server: Server):
    with pytest.raises(HTTPClientError) as refused:
        Reloads(server, origin="http://evil.example").connect()
    assert refused.value.code == 403
    Reloads(server).connect().close()  # the page's own origin is accepted


@pytest.mark.parametrize("path", ["/../content/site.yaml", "/%2e%2e/content/site.yaml", "/static/../../content/site.yaml",
                                  "/..%2fcontent%2fsite.yaml", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "//etc/passwd"])
def test_path_traversal_is_refused(server: Server, path: str):
    status, _, body = server.get(path)
    assert status in (403, 404) and "网站名称" not in body and "root:" not in body


def test_garbage_in_a_url_or_on_the_websocket_is_refused_and_the_preview_goes_on(server: Server):
    """A NUL byte in a URL was a 500 with a traceback in the preview's log."""
    for path in ("/%00", "/2022/a%00b.html", "/%ff%fe"):
        assert server.get(path)[0] == 400, path
    with socket.create_connection((urlsplit(server.url).hostname, urlsplit(server.url).port), timeout=5) as raw:
        raw.sendall(b"GET /livereload HTTP/1.1\r\nHost: " + server.netloc.encode() + b"\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    b"Sec-WebSocket-Version: 13\r\n\r\n" + bytes(range(256)) * 8)
    assert server.get("/")[0] == 200
    assert "Traceback" not in server.everything()


def test_a_foreign_host_header_is_refused(server: Server):
    assert server.get("/", host="evil.example")[0] == 403  # DNS rebinding
    assert server.get("/", host=server.netloc)[0] == 200


def test_chinese_file_names_and_urls(server: Server, shipped: Path):
    client = Reloads(server).connect()
    try:
        (shipped / "content/2022/新项目.yaml").write_text(MINIMAL.replace("id: test-project", "id: xin-xiangmu"), encoding="utf-8")
        assert client.next()["command"] == "reload"
        status, _, body = server.get("/2022/xin-xiangmu.html")
        assert status == 200 and "测试项目" in body
        (shipped / "templates/static/说明.txt").write_text("静态文件", encoding="utf-8")
        assert client.next()["command"] == "reload"
        status, headers, body = server.get("/static/" + quote("说明.txt"))
        assert status == 200 and body == "静态文件" and headers["content-type"] == "text/plain; charset=utf-8"
    finally:
        client.close()


def test_a_save_that_renames_a_temporary_file_over_the_project_is_served(server: Server, shipped: Path):
    """As many editors save: write a new file beside it, then rename it over the old one."""
    client = Reloads(server).connect()
    try:
        target = shipped / WUYE
        temporary = target.with_name(".wuye-houqin.yaml.x7q2")
        temporary.write_text(target.read_text(encoding="utf-8").replace("每周≥7次", "每周≥6次", 1), encoding="utf-8")
        os.replace(temporary, target)
        assert client.next()["command"] == "reload"
        assert "每周≥6次" in server.get("/2022/wuye-houqin.html")[2]
        line = server.expect(r"已重新生成 \(rebuilt\) \(")  # names the saved file, not the temporary one
        assert "已重新生成 (rebuilt) (wuye-houqin.yaml)：" in line, line
    finally:
        client.close()


def test_a_folder_moved_in_and_out_of_the_content_is_seen(server: Server, shipped: Path):
    """inotify names only the folder of a move; the preview must follow either way (watchdog
    also reports the files it finds in it, and the folder event makes a whole scan)."""
    client = Reloads(server).connect()
    try:
        outside = shipped / "elsewhere"
        outside.mkdir()
        (outside / "new.yaml").write_text(MINIMAL.replace("id: test-project", "id: xin-xiangmu"), encoding="utf-8")
        os.rename(outside, shipped / "content/2022/more")
        assert client.next()["command"] == "reload"
        assert server.get("/2022/xin-xiangmu.html")[0] == 200
        os.rename(shipped / "content/2022/more", outside)
        assert client.next()["command"] == "reload"
        assert server.get("/2022/xin-xiangmu.html")[0] == 404
    finally:
        client.close()


def test_a_deleted_project_disappears(server: Server, shipped: Path):
    client = Reloads(server).connect()
    try:
        (shipped / WUYE).unlink()
        (shipped / "content/2022/自评/wuye-houqin.yaml").unlink()  # its example self-evaluation goes with it
        assert client.next()["command"] == "reload"
        assert server.get("/2022/wuye-houqin.html")[0] == 404
        assert "局机关物业管理后勤工作经费" not in server.get("/")[2]
    finally:
        client.close()


DEPARTMENT = """\
年度: 2022
部门名称: 黔南州住房和城乡建设局
总体资金情况:
  支出构成:
    - {名称: 基本支出, 金额: 300}
    - {名称: 项目支出, 金额: 121.4}
年度主要任务:
  - {任务名称: 住房和城乡建设管理, 总额: 121.4, 财政拨款: 121.4}
年度总体目标:
  - 完成年度住房和城乡建设管理任务。
绩效指标:
  产出:
    数量:
      - {三级指标: 完成项目, 指标值: ≥5个}
"""


def test_a_department_table_saved_while_serving_shows_above_its_projects(server: Server, shipped: Path):
    client = Reloads(server).connect()
    try:
        table = shipped / "content/2022/部门/zhujianju.yaml"
        table.parent.mkdir()
        table.write_text(DEPARTMENT, encoding="utf-8")
        assert client.next()["command"] == "reload"
        index = server.get("/departments/index.html")[2]
        slug = re.search(r'href="(d[^"]+\.html)"', index)[1]
        body = server.get(f"/departments/{slug}")[2]
        assert body.index("住房和城乡建设管理") < body.index("局机关物业管理后勤工作经费")
        assert "资金总额合计 <span class=\"projects-total\">121.4</span>" in body
        edit(shipped, WUYE, "资金总额: 10.38", "资金总额: 11.38")  # a project's total: the table shows it
        edit(shipped, WUYE, "财政拨款: 10.38", "财政拨款: 11.38")
        edit(shipped, WUYE, "本级安排: 10.38", "本级安排: 11.38")
        deadline = time.monotonic() + 30
        while "122.4" not in server.get(f"/departments/{slug}")[2]:
            assert time.monotonic() < deadline, "the department page never showed the new total"
            client.next()
        assert "少于公开项目之和" in server.get(f"/departments/{slug}")[2]
    finally:
        client.close()


def test_ctrl_c_stops_cleanly(shipped: Path):
    s = Server(shipped, "--port", "0").start()
    assert s.get("/")[0] == 200
    s.proc.send_signal(signal.SIGINT)
    assert s.proc.wait(timeout=10) == 0
    s.wait_for("预览已停止")
    assert not any("Traceback" in line for line in s.output)


def test_an_explicit_port_in_use_is_a_clear_error(shipped: Path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        s = Server(shipped, "--port", str(port))
        assert s.proc.wait(timeout=30) == 1
        s.wait_for(f"端口 {port} 已被占用", timeout=5)
        assert not any("Traceback" in line for line in s.output)


def test_the_default_port_moves_on_when_taken(shipped: Path):
    with socket.socket() as busy:
        try:
            busy.bind(("127.0.0.1", 8000))
        except OSError:
            pytest.skip("port 8000 is in use by something else")
        busy.listen()
        s = Server(shipped)
        try:
            s.start()
            assert any("端口 8000 已被占用" in line for line in s.output)
            assert s.netloc != "127.0.0.1:8000" and s.get("/")[0] == 200
        finally:
            s.stop()


def test_listening_beyond_loopback_warns(shipped: Path):
    s = Server(shipped, "--host", "0.0.0.0", "--port", "0")
    try:
        s.wait_for("警告 .*其他计算机")
        s.start()
        port = urlsplit(s.url).port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # only ever reached on loopback
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        s.stop()


@pytest.mark.parametrize("when", ["预览地址", "已重新生成"])  # before the server takes the signal; the first build
def test_ctrl_c_while_starting_leaves_no_temporary_folder(shipped: Path, tmp_path: Path, when: str):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "perfsite", "serve", "--port", "0"], cwd=shipped, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if when in line:
            proc.send_signal(signal.SIGINT)
            break
    _, err = proc.communicate(timeout=20)
    assert proc.returncode in (0, 130) and "Traceback" not in err, err
    assert not list(tmp_path.glob("perfsite-serve-*"))


def test_a_long_first_build_shows_its_progress_and_whole_builds_run_in_workers(tmp_path: Path):
    """As `perfsite build` does: plain lines when not on a terminal; nothing for small saves. A
    whole build (a template changed) renders in forked workers while the watcher runs."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    site = generate(240, tmp_path / "site")  # about 800 files
    server = Server(site, "--port", "0")
    try:
        server.wait_for(r"生成 \(rendering\)：\d+ 个文件", timeout=60)
        server.start(timeout=60)
        client = Reloads(server).connect()
        try:
            mark = len(server.output)
            edit(site, "content/2023/p000001.yaml", "资金来源: 财政资金", "资金来源: 财政专项资金")
            assert client.next(timeout=20)["command"] == "reload"
        finally:
            client.close()
        server.wait_for(r"已重新生成 \(rebuilt\) \(p000001")
        assert not any("(rendering)" in line for line in server.output[mark:]), server.output[mark:]

        # A template change: every page again, in forked workers, with the watcher's threads running.
        client = Reloads(server).connect()
        try:
            edit(site, "templates/base.html", '<footer class="site-footer">', '<footer class="site-footer edited">')
            assert client.next(timeout=60)["command"] == "reload"
        finally:
            client.close()
        assert 'class="site-footer edited"' in server.get("/2024/p000079.html")[2]
    finally:
        server.stop()


def test_a_killed_previews_folder_is_swept_by_the_next_one(shipped: Path, tmp_path: Path):
    """A preview killed outright (SIGKILL, out of memory) cannot remove its folder: the next one
    removes every folder whose process is gone, and none of a live one."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"perfsite-serve-{gone.stdout.strip()}-x1y2"
    alive = tmp_path / f"perfsite-serve-{os.getpid()}-a3b4"
    for folder in (dead, alive):
        (folder / "site").mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "perfsite", "serve", "--port", "0"], cwd=shipped, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if "预览地址" in line:
                break
        assert not dead.exists() and alive.exists()
        assert len(list(tmp_path.glob("perfsite-serve-*"))) == 2  # the live one and its own
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    assert [p.name for p in tmp_path.glob("perfsite-serve-*")] == [alive.name]


def test_loopback_is_the_default(server: Server):
    assert server.netloc.startswith("127.0.0.1:")


def test_a_rebound_name_gets_no_websocket_and_no_script(server: Server):
    """DNS rebinding: a page at evil.example that resolves to this machine sends Host and Origin
    both evil.example. tornado asks check_origin only when they differ, so the upgrade and
    livereload.js must pass the Host check themselves."""
    port = server.netloc.rpartition(":")[2]
    conn = http.client.HTTPConnection(server.netloc, timeout=10)
    conn.request("GET", "/livereload", headers={
        "Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}", "Upgrade": "websocket",
        "Connection": "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"})
    response = conn.getresponse()
    assert response.status == 403, response.status  # not 101 Switching Protocols
    conn.close()
    assert server.get("/livereload.js", host=f"evil.example:{port}")[0] == 403
    assert server.get("/livereload.js", host=server.netloc)[0] == 200
    Reloads(server).connect().close()  # this server's own pages still connect
