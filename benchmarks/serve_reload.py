"""Save → reloaded page latency of `perfsite serve`, on the shipped site and on N generated projects.

For each site: start the real server, connect a livereload websocket client, then save one project
file K times and measure (a) save → reload message and (b) save → the new value served over HTTP
(what a browser shows after reloading). Targets: under 1 s on the shipped site, under 2 s at 10,000.
Usage: python benchmarks/serve_reload.py [N ...]   (default: 10000)
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]

from generate import generate  # noqa: E402
from test_serve import Reloads, Server  # noqa: E402  (the same real client the tests use)

TRIALS = 10


def measure(site: Path, rel: str, old: str, label: str) -> None:
    started = time.monotonic()
    server = Server(site, "--port", "0").start(timeout=300)
    first = time.monotonic() - started
    client = Reloads(server).connect()
    reload_ms, served_ms = [], []
    path = site / rel
    page = "/" + rel.replace("content/", "").replace(".yaml", ".html")
    try:
        for trial in range(TRIALS):
            text = path.read_text(encoding="utf-8")
            new = f"{old}{trial}"
            path.write_text(text.replace(old if trial == 0 else f"{old}{trial - 1}", new, 1), encoding="utf-8")
            saved = time.monotonic()
            assert client.next(timeout=30)["command"] == "reload"
            reload_ms.append((time.monotonic() - saved) * 1000)
            while new not in server.get(page)[2]:
                time.sleep(0.005)
            served_ms.append((time.monotonic() - saved) * 1000)
            time.sleep(0.2)
    finally:
        client.close()
        server.stop()
    print(f"{label:>28}: first build + start {first:6.2f} s | save→reload median {statistics.median(reload_ms):6.0f} ms"
          f" max {max(reload_ms):6.0f} ms | save→new page served median {statistics.median(served_ms):6.0f} ms"
          f" max {max(served_ms):6.0f} ms")


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        shipped = Path(tmp) / "shipped"
        shutil.copytree(HERE.parent / "content", shipped / "content")
        shutil.copytree(HERE.parent / "templates", shipped / "templates")
        measure(shipped, "content/2022/wuye-houqin.yaml", "全面保障", "shipped site (5 projects)")
        for n in sizes:
            site = generate(n, Path(tmp) / f"n{n}")
            measure(site, "content/2022/p000000.yaml", "良好", f"{n:,} projects")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10000])
