"""Work done ahead in a forked child (parallel.Ahead): the same answers as doing it here, from
another process, and never a lost or wrong answer when the child fails."""

from __future__ import annotations

import os
import time
from pathlib import Path

from perfsite.parallel import Ahead
from perfsite.write import files_in


def test_results_come_from_a_child_in_order(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/one.html").write_text("1")
    (tmp_path / "two.csv").write_text("2")
    with Ahead([os.getpid, lambda: files_in(tmp_path), lambda: ("text", {"k": [1, 2]})]) as ahead:
        assert ahead.get(1) == {"a/one.html", "two.csv"}
        assert ahead.get(0) != os.getpid()  # it ran elsewhere, meanwhile
        assert ahead.get(2) == ("text", {"k": [1, 2]})
        assert ahead.get(1) == {"a/one.html", "two.csv"}  # asked again: the same


def test_without_fork_the_work_is_done_here():
    with Ahead([os.getpid], fork=False) as ahead:
        assert ahead.get(0) == os.getpid()


def test_a_failing_child_costs_only_time():
    parent = os.getpid()

    def fails_in_child() -> str:
        if os.getpid() != parent:
            raise OSError("no such file")
        return "done here"

    with Ahead([lambda: "first", fails_in_child, lambda: 3]) as ahead:
        assert ahead.get(0) == "first"
        assert ahead.get(1) == "done here"
        assert ahead.get(2) == 3
    with Ahead([lambda: Path("not plain data")]) as ahead:  # marshal cannot send it
        assert ahead.get(0) == Path("not plain data")


def test_close_stops_a_child_whose_work_is_not_wanted():
    started = time.monotonic()
    ahead = Ahead([lambda: time.sleep(30)])
    ahead.close()
    assert time.monotonic() - started < 10
    ahead.close()  # twice is harmless
