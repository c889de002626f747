"""The strict YAML loader: YAML 1.1 traps refused or neutralised, every problem with a position."""

from pathlib import Path

import pytest

from perfsite.diagnostics import Level
from perfsite.source import load_file, parse_text


def parse(text: str):
    return parse_text(text, "t.yaml")


def only(diags):
    assert len(diags) == 1, [d.format() for d in diags]
    return diags[0]


def test_scalars_stay_text_so_codes_dates_and_booleans_survive():
    source, diags = parse("code: 0123\nflag: no\nday: 2022-12-31\namount: 10.380\ntime: 1:30\non: yes\n")
    assert diags == []
    assert source.data == {"code": "0123", "flag": "no", "day": "2022-12-31", "amount": "10.380",
                           "time": "1:30", "on": "yes"}


def test_empty_and_null_are_none_but_quoted_empty_is_text():
    source, _ = parse("a:\nb: ~\nc: null\nd: ''\n")
    assert source.data == {"a": None, "b": None, "c": None, "d": ""}


def test_positions_are_one_based_for_keys_and_values():
    source, _ = parse("a: 1\nb:\n  - x: 2\n")
    assert source.values[("a",)] == (1, 4)
    assert source.keys[("b",)] == (2, 1)
    assert source.values[("b", 0, "x")] == (3, 8)
    assert source.pos(("b", 0, "missing")) == (3, 5)  # nearest existing ancestor


@pytest.mark.parametrize("text, line, col", [
    ("a: 1\na: 2\n", 2, 1),
    ("top:\n  inner:\n    k: 1\n    k: 2\n", 4, 5),
    ("rows:\n  - x: 1\n    x: 1\n", 3, 5),
])
def test_duplicate_keys_at_any_depth_are_errors(text, line, col):
    source, diags = parse(text)
    d = only(diags)
    assert source is None
    assert (d.code, d.line, d.col, d.level) == ("E002", line, col, Level.ERROR)
    assert "重复" in d.message


def test_anchors_and_aliases_are_refused():
    d = only(parse("a: &x [1, 2]\nb: *x\n")[1])
    assert (d.code, d.line) == ("E003", 1)
    laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n"
    assert only(parse(laughs)[1]).code == "E003"


def test_tags_are_refused_except_plain_str():
    assert only(parse("a: !!python/object:os.system x\n")[1]).code == "E007"
    source, diags = parse("a: !!str 012\n")
    assert diags == [] and source.data == {"a": "012"}


def test_several_documents_are_refused():
    d = only(parse("a: 1\n---\nb: 2\n")[1])
    assert (d.code, d.line) == ("E008", 2)


def test_syntax_errors_point_at_the_line_with_a_chinese_message():
    d = only(parse("a: 1\nb:\n\tc: 2\n")[1])
    assert (d.code, d.line, d.col) == ("E001", 3, 1)
    assert "制表符" in d.message


def test_unclosed_quote_points_at_the_quote():
    d = only(parse('a: 1\nb: "abc\nc: 2\n')[1])
    assert (d.code, d.line, d.col) == ("E001", 2, 4)
    assert "引号" in d.message


def test_unclosed_quote_far_above_the_failure_is_named_in_the_hint():
    text = "a: 'open\nb: 1\nc:\n  - 'x'\n"
    d = only(parse(text)[1])
    assert "第 1 行的引号" in d.hint


def test_control_characters_are_refused_with_position():
    d = only(parse("a: ok\nb: x\x07y\n")[1])
    assert (d.code, d.line) == ("E001", 2)


def test_bom_and_crlf_are_accepted(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_bytes("\ufeffa: 甲\r\nb: 乙\r\n".encode("utf-8"))
    source, diags = load_file(path, "x.yaml")
    assert diags == [] and source.data == {"a": "甲", "b": "乙"}


def test_gbk_and_utf16_are_refused_with_the_encoding_named(tmp_path: Path):
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("项目名称: 测试项目\n".encode("gb18030"))
    d = only(load_file(gbk, "gbk.yaml")[1])
    assert d.code == "E005" and "GB18030" in d.message
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("a: 1\n".encode("utf-16"))
    assert "UTF-16" in only(load_file(utf16, "utf16.yaml")[1]).message


def test_oversized_files_are_refused_before_reading(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 2000 + b"\n")
    d = only(load_file(path, "big.yaml", max_bytes=1000)[1])
    assert d.code == "E004"


def test_binary_junk_is_refused(tmp_path: Path):
    path = tmp_path / "junk.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    assert only(load_file(path, "junk.yaml")[1]).code == "E005"
