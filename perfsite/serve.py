"""``perfsite serve``: a live preview that never shows a stale page.

Built on livereload's pieces (its websocket protocol handler, livereload.js and the script
injector), assembled into our own tornado application so that it can be hardened:

- loopback only unless ``--host`` says otherwise (with a warning);
- the websocket accepts only pages of this server (Origin) and every request must name this
  server in its Host header (no DNS rebinding); livereload's ``/forcereload`` is not exposed;
- text is served with ``charset=utf-8``; tornado's static handler refuses paths outside the root;
- every save triggers one rebuild per burst (inotify through watchdog, debounced), never dropped
  (livereload would ignore saves within 3 s of a reload); the rebuild is incremental;
- while any error stands, every page is an error page listing the diagnostics, which reloads
  itself away once the files are fixed.
"""

from __future__ import annotations

import errno
import html
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import webbrowser
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from tornado import escape, ioloop, web
from watchdog.observers import Observer

from .builder import Builder, BuildResult
from .diagnostics import Diagnostic, Level, summary
from .progress import Progress
from .watch import Batches, WatchError, observe, rebuilt, reason, roots

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")

log = logging.getLogger("perfsite.serve")


@dataclass
class State:
    """What the server shows: the last build's diagnostics (errors mean the error page)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    allowed_hosts: set[str] = field(default_factory=set)
    any_host: bool = False

    @property
    def failed(self) -> bool:
        return any(d.level is Level.ERROR for d in self.diagnostics)

    def host_ok(self, host: str) -> bool:
        return self.any_host or host.lower() in self.allowed_hosts


def error_page(diagnostics: list[Diagnostic]) -> bytes:
    """A self-contained page (no site CSS: the templates may be what is broken)."""
    items = "\n".join(
        f'<li class="{d.level.value}"><code>{html.escape(d.format().splitlines()[0])}</code>'
        + (f"<br><span class=\"hint\">{html.escape(d.hint)}</span>" if d.hint else "") + "</li>"
        for d in diagnostics)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>构建失败 — perfsite 预览</title>
<style>
body {{ font: 1rem/1.6 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2rem; color: #000; }}
h1 {{ color: #9b1c1c; font-size: 1.5rem; }}
li {{ margin: .75rem 0; }} code {{ font-size: 1rem; white-space: pre-wrap; word-break: break-all; }}
li.warning code {{ color: #6b4e00; }} .hint {{ color: #333; }}
</style>
</head>
<body>
<main>
<h1>构建失败：内容或模板有错误 (build failed)</h1>
<p>这里显示的是错误，不是旧页面。改正下列问题并保存后，本页会自动刷新为网站页面。</p>
<ol id="diagnostics">
{items}
</ol>
<p>{html.escape(summary(diagnostics))}</p>
</main>
</body>
</html>
"""
    return page.encode("utf-8")


class PreviewHandler(web.StaticFileHandler):
    """Static files with charset, Host checking, and the error page while a build has failed."""

    state: State

    def initialize(self, path: str, default_filename: str | None = None, state: State | None = None) -> None:
        super().initialize(path, default_filename)
        assert state is not None
        self.state = state

    def prepare(self) -> None:
        if not self.state.host_ok(self.request.host_name):
            raise web.HTTPError(403, reason="Host not allowed")

    async def get(self, path: str, include_body: bool = True) -> None:
        if "\0" in path:  # no file has one; the OS would refuse it with a ValueError (a 500 and a traceback)
            raise web.HTTPError(400, reason="NUL in path")
        if self.state.failed and (path == "" or path.endswith((".html", "/"))):
            self.set_status(500)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(error_page(self.state.diagnostics))
            return
        await super().get(path, include_body)

    def get_content_type(self) -> str:
        kind = super().get_content_type()
        if kind.startswith(_TEXT_TYPES) and "charset" not in kind:
            kind += "; charset=utf-8"
        return kind

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    def should_return_304(self) -> bool:
        return False

    def write_error(self, status_code: int, **kwargs: object) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


class ReloadSocket(LiveReloadHandler):
    """livereload's protocol, but only for pages served by this server."""

    state: State

    def initialize(self, state: State) -> None:
        self.state = state

    def prepare(self) -> None:
        """The Host check on every upgrade: tornado asks check_origin only when the Origin's
        host differs from the Host header, so a rebound name (Host and Origin both evil.example)
        would pass it."""
        if not self.state.host_ok(self.request.host_name):
            raise web.HTTPError(403, reason="Host not allowed")

    def check_origin(self, origin: str) -> bool:
        parts = urlsplit(origin)
        return (parts.scheme in ("http", "https") and parts.netloc.lower() == self.request.host.lower()
                and self.state.host_ok(parts.hostname or ""))


class ReloadScript(LiveReloadJSHandler):
    """livereload.js, to pages of this server only (the Host check)."""

    def initialize(self, state: State) -> None:
        self.state = state

    def prepare(self) -> None:
        if not self.state.host_ok(self.request.host_name):
            raise web.HTTPError(403, reason="Host not allowed")


_PREFIX = "perfsite-serve-"


def _sweep() -> None:
    """Remove the folders of previews whose process is gone (killed, or out of memory: at 10,000
    projects each left 500 MB in the temporary directory). A folder names its process."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX):].partition("-")[0]
        try:
            if not pid.isdigit() or folder.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # alive under another user, or not ours to look at
            continue


class _NoWatcher:
    filepath = None


class Preview:
    """The running preview: a builder, a watcher and a tornado application."""

    def __init__(self, content: Path, templates: Path, host: str, port: int, *, explicit_port: bool,
                 jobs: int = 1, out=sys.stdout, err=sys.stderr) -> None:
        """``jobs``: processes for a whole build (the first, or after a template change); a save
        that only edits projects is made here, in milliseconds."""
        self.content, self.templates = content, templates
        self.host, self.port, self.explicit_port = host, port, explicit_port
        self.out, self.err = out, err
        _sweep()
        self.site_dir = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
        self.progress = Progress(err)  # a long build (the first one, at scale) shows how far it is
        self.builder = Builder(content, templates, self.site_dir / "site", in_place=True, search=False, jobs=jobs,
                               progress=self.progress)
        self.state = State()
        self.loop: ioloop.IOLoop | None = None
        self.batches = Batches()
        self.observer: Observer | None = None
        self.server = None

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # -- building ---------------------------------------------------------------------------
    def rebuild(self, why: str = "", changed: list[str] | None = None) -> BuildResult:
        """``changed``: the files the watcher saw change (None: look at every input)."""
        started = time.perf_counter()
        result = self.builder.build(changed)
        self.progress.finish()
        self.state.diagnostics = result.diagnostics
        for d in result.diagnostics:
            print(d.format(), file=self.err, flush=True)
        elapsed = (time.perf_counter() - started) * 1000
        if result.ok:
            self.say(rebuilt(result, why, elapsed))
        else:
            self.say(f"构建失败 (build failed)：{summary(result.diagnostics)}；浏览器显示错误页，保存修正后自动恢复")
        return result

    def _hand_over(self) -> None:
        """A thread that gives each quiet burst of saves (watch.Batches) to the loop, and waits
        for its rebuild before it takes the next: saves made during a rebuild are one more."""
        assert self.loop is not None
        loop = self.loop
        while True:
            paths, rescan = self.batches.take()
            done = threading.Event()

            def flush(paths: list[str] = paths, rescan: bool = rescan, done: threading.Event = done) -> None:
                try:
                    self.rebuild(reason(paths), None if rescan else paths)
                    LiveReloadHandler.reload_waiters(path="*")
                finally:
                    done.set()

            loop.add_callback(flush)
            done.wait()

    # -- serving ----------------------------------------------------------------------------
    def application(self) -> web.Application:
        class Inject(LiveScriptInjector):
            script = escape.utf8(
                '<script>(function(){var s=document.createElement("script");'
                'var port=window.location.port||(window.location.protocol=="https:"?443:80);'
                's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
                'document.head.appendChild(s);})();</script>')

        handlers = [
            (r"/livereload", ReloadSocket, {"state": self.state}),
            (r"/livereload.js", ReloadScript, {"state": self.state}),
            (r"/(.*)", PreviewHandler, {"path": str(self.site_dir / "site"), "default_filename": "index.html",
                                        "state": self.state}),
        ]
        return web.Application(handlers, transforms=[Inject], debug=False, compress_response=False)

    def _listen(self, app: web.Application) -> int:
        port = self.port
        for attempt in range(1 if self.explicit_port else 20):
            try:
                self.server = app.listen(port + attempt if port else 0, address=self.host)
                sockets = list(self.server._sockets.values())  # noqa: SLF001 (tornado keeps them there)
                actual = sockets[0].getsockname()[1]
                if attempt:
                    self.say(f"端口 {port} 已被占用，改用 {actual} (port {port} in use, using {actual})")
                return actual
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
        raise OSError(errno.EADDRINUSE, f"port {port}")

    def run(self, open_browser: bool = False) -> int:
        """Build, serve and rebuild until stopped. The temporary folder goes however it stops: a
        Ctrl-C while the first build runs (13 s at 10,000 projects) or before the server has taken
        over the signal left it behind, with the whole site in it."""
        try:
            return self._run(open_browser)
        finally:
            self.cleanup()

    def _run(self, open_browser: bool) -> int:
        logging.getLogger("tornado.access").setLevel(logging.ERROR)
        logging.getLogger("livereload").setLevel(logging.WARNING)
        LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
        self.loop = ioloop.IOLoop.current()
        self.rebuild()
        try:
            port = self._listen(self.application())
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                why, hint = f"端口 {self.port} 已被占用", "换一个端口：perfsite serve --port 8001，或不指定 --port 让 perfsite 自动选择"
            else:
                why, hint = f"无法在 {self.host} 端口 {self.port} 上监听", "换一个地址（--host 127.0.0.1）或端口"
            print(f"perfsite: 错误 (error): {why} ({exc.strerror or exc})\n"
                  f"  = 提示 (hint): {hint}", file=self.err, flush=True)
            return 1
        names = {self.host}
        if self.host in LOOPBACK or self.host in ("0.0.0.0", "::"):
            names |= LOOPBACK
        self.state.allowed_hosts = names
        self.state.any_host = self.host in ("0.0.0.0", "::")
        if self.host not in LOOPBACK:
            print(f"perfsite: 警告 (warning): 预览服务在 {self.host} 上对其他计算机开放；预览只适合本机使用",
                  file=self.err, flush=True)
        shown_host = f"[{self.host}]" if ":" in self.host else self.host
        url = f"http://{shown_host}:{port}/"
        self.say(f"预览地址 (serving at) {url}  — 按 Ctrl-C 停止 (press Ctrl-C to stop)")
        try:
            self._watch()
        except WatchError as exc:
            print(f"perfsite: 错误 (error): {exc}", file=self.err, flush=True)
            return 1
        LiveReloadHandler.watcher = _NoWatcher()  # reload_waiters logs watcher.filepath
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.loop.asyncio_loop.add_signal_handler(sig, self.loop.stop)  # type: ignore[attr-defined]
        try:
            self.loop.start()
        finally:
            self.say("预览已停止 (stopped)")
        return 0

    def _watch(self) -> None:
        self.observer = observe(roots(self.content, self.templates), self.batches.add)
        threading.Thread(target=self._hand_over, daemon=True).start()

    def cleanup(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=2)
            self.observer = None
        if self.server is not None:
            self.server.stop()
            self.server = None
        shutil.rmtree(self.site_dir, ignore_errors=True)


