"""A published PDF of 项目支出绩效目标表 as grids: one per project, for the form interpreter.

pdfplumber finds the cells from the table's ruling lines, so a merged cell is known as one cell
(its covered places carry its text with ``merged=True``, as cells.read_xlsx fills merged ranges).
A project's table is joined across page breaks: the title repeated on each page and the grid's
header row repeated under it are dropped, columns are matched by their position on the page (a
page may draw fewer column lines than the first), a rowspan label cut by the page break carries
on, and a row whose cells were cut by the break is put back together. Text outside the tables
(the site's header and footer, breadcrumbs, links) is ignored, but for the lines just above a
project's first table (title, 年度, 金额单位). Each table that starts with 项目名称 is a project.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from . import ImportError_
from .cells import EMPTY, Cell, Grid, _Budget
from ..taxonomy import simplified
from .fields import field_of

MAX_PAGES = 1000  # a county's whole budget book is a few hundred pages; more is not one import
MAX_PAGE_OBJECTS = 200_000  # characters and ruling lines of one page: a real page has a few thousand
_SNAP = 2.5  # points: two lines this close are one line (PDF writers round coordinates)
_TABLE = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3,
          "join_tolerance": 3, "intersection_tolerance": 3}
_WRAP = "\x00"  # a line wrapped after an ASCII , ; or : : a space or nothing, as the document writes them
_GOAL = re.compile(r"目标\s*\d+\s*[:：、.．]")
_NO_LINE_START = set("，。、；：？！”’）》」』】,.;:?!)%")

# CJK Radicals Supplement forms that stand for a whole ideograph (Unicode's
# EquivalentUnifiedIdeograph.txt): CJK fonts map 门 and ⻔ to one glyph, and a PDF's text layer
# then often gives the radical. Kangxi radicals (⽬ for 目) are taken back by NFKC.
_RADICALS = dict(zip(
    "⺁⺌⺟⺠⺩⻄⻅⻆⻉⻊⻋⻑⻓⻔⻕⻗⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
    "厂小母民王西见角贝足车長长门阜雨青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龟"))


def _char(text: str) -> str:
    if "\u2f00" <= text <= "\u2fdf":
        return unicodedata.normalize("NFKC", text)
    return _RADICALS.get(text, text)


@dataclass
class _Table:
    page: int
    top: float
    xs: list[float]  # column boundaries, left to right
    rows: list[list[Cell]]
    above: list[str] = field(default_factory=list)  # text lines between the previous table and this one
    last_open: bool = False  # the table's last row reaches the page's bottom (cut by the break)
    full: list[list[float]] = field(default_factory=list)  # per cell: room left on its last line, in characters
    open_cols: list[bool] = field(default_factory=list)  # per column: the last row's bottom border is not drawn


@dataclass
class _Project:
    page: int
    xs: list[float]
    rows: list[list[Cell]]
    header: int | None = None  # index of the 一级指标 … header row
    header_texts: tuple[str, ...] = ()
    label_cols: int = 0  # columns left of 三级指标 (一级, 二级 and the 绩效指标 label)
    value_col: int = 0  # the 指标值 column
    last_full: list[float] = field(default_factory=list)  # the last row's cells: room left on their last line
    last_cut: bool = False  # the last row's bottom border is not drawn under a cell right of the labels: cut


def read_pdf(raw: bytes, origin: str) -> list[tuple[str, Grid]]:
    """(where, grid) for each project of the PDF, where is 第 N 页 of its first page."""
    pdf = _open(raw, origin)
    try:
        pages = pdf.pages
        if len(pages) > MAX_PAGES:
            raise ImportError_(f"{origin}: PDF 有 {len(pages):,} 页，超过导入上限 {MAX_PAGES:,} 页；请按单位或部门分成几个文件导入")
        tables: list[_Table] = []
        chars = images = spaced = bare = 0
        budget = _Budget(origin)
        for number, page in enumerate(pages, start=1):
            try:
                found, page_chars, page_images, (page_spaced, page_bare) = _page_tables(page, number, origin, budget)
            except ImportError_:
                raise
            except MemoryError:
                raise
            except Exception as exc:  # pdfminer meets whatever a damaged page holds
                raise _damaged(origin, exc, number) from None
            tables += found
            chars += page_chars
            images += page_images
            spaced, bare = spaced + page_spaced, bare + page_bare
    finally:
        pdf.close()
    if not chars:
        what = f"只有 {images} 张图片" if images else "没有任何文字"
        raise ImportError_(f"{origin}: 这是扫描件（没有文字层）：PDF 中{what}，读不出表格内容；"
                           "请用原始的 Excel/Word 文件，或先做文字识别 OCR，再导入识别出的文字")
    if not tables:
        raise ImportError_(f"{origin}: PDF 中没有找到带表格线的表格（项目支出绩效目标表要有表格线才能分出单元格）；"
                           "请用原始的 Excel/Word 文件，或把复制出的文字存为 .txt 再导入")
    _font_twins(tables)
    glue = " " if spaced > bare else ""
    return [(f"{origin}:第{p.page}页", [[Cell(c.text.replace(_WRAP, glue), c.merged) if c.text and _WRAP in c.text else c
                                        for c in row] for row in p.rows]) for p in _projects(tables)]


def _font_twins(tables: list[_Table]) -> None:
    """Simplified-Chinese fonts draw 户 with the glyph of 戶, and a PDF's text layer may then give
    戶: in a table with no other Traditional character it is 户."""
    texts = [cell.text for t in tables for row in t.rows for cell in row if cell.text] + \
        [line for t in tables for line in t.above]
    if any(ch != "戶" and simplified(ch) != ch for text in texts for ch in text):
        return
    for t in tables:
        t.above = [line.replace("戶", "户") for line in t.above]
        t.rows = [[Cell(cell.text.replace("戶", "户"), cell.merged) if cell.text and "戶" in cell.text else cell
                   for cell in row] for row in t.rows]


def _open(raw: bytes, origin: str):  # -> pdfplumber.PDF
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font warnings are not the user's concern
    if not raw.lstrip()[:1024].startswith(b"%PDF") and b"%PDF-" not in raw[:1024]:
        raise ImportError_(f"{origin}: 不是 PDF 文件（开头没有 %PDF）；可能已损坏或不是下载的原件")
    try:
        pdf = pdfplumber.open(io.BytesIO(raw))
        pdf.pages  # the page tree is read here: a damaged one fails now
        return pdf
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ImportError_(f"{origin}: PDF 已加密（设置了打开密码或不支持的加密方式：{type(exc).__name__}），无法读取；"
                           "请用原件另存一份不加密的 PDF，或用原始的 Excel/Word 文件") from None
    except MemoryError:
        raise
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in type(exc).__name__.lower():
            raise ImportError_(f"{origin}: PDF 已加密，无法读取；请用原件另存一份不加密的 PDF") from None
        raise _damaged(origin, exc) from None


def _damaged(origin: str, exc: BaseException, page: int | None = None) -> ImportError_:
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    where = f"第 {page} 页" if page else ""
    return ImportError_(f"{origin}: PDF {where}已损坏，无法读取（{detail[:200]}）；请重新下载原件，"
                        "或用原始的 Excel/Word 文件")


def _page_tables(page, number: int, origin: str,
                 budget: _Budget) -> tuple[list[_Table], int, int, tuple[int, int]]:
    objects = page.objects
    count = sum(len(objects.get(k, ())) for k in ("char", "line", "rect", "curve"))
    if count > MAX_PAGE_OBJECTS:
        raise ImportError_(f"{origin}: 第 {number} 页有 {count:,} 个文字和线条对象，超过导入上限 {MAX_PAGE_OBJECTS:,}；"
                           "这不像是一页表格，请检查文件")
    chars = [c for c in page.chars if c["text"].strip() or c["text"] == " "]
    images = len(objects.get("image", ()))
    if not any(c["text"].strip() for c in chars):
        return [], 0, images, (0, 0)
    found: list[_Table] = []
    counts = _punctuation_spacing(chars)
    tables = sorted(page.find_tables(dict(_TABLE, explicit_horizontal_lines=_cut_ends(page))),
                    key=lambda t: t.bbox[1])
    # A box drawn around other tables (the page's frame in a screen print) is layout, not a table.
    tables = [t for t in tables if not any(o is not t and _contains(t.bbox, o.bbox) for o in tables)]
    inside = [False] * len(chars)
    for table in tables:
        x0, top, x1, bottom = table.bbox
        for i, c in enumerate(chars):
            if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom:
                inside[i] = True
    outside = [c for c, used in zip(chars, inside) if not used]
    previous = 0.0
    for table in tables:
        built = _table(table, chars, number, page, budget)
        if built is None:
            continue
        built.above = [text for top, text in _lines(outside) if previous <= top < built.top]
        previous = table.bbox[3]
        found.append(built)
    return found, sum(1 for c in chars if c["text"].strip()), images, counts


def _cut_ends(page) -> list[dict[str, Any]]:
    """Lines across the lowest and highest ends of the page's column lines: a row cut by the page
    break has its bottom border (on the next page, its top) not drawn, and without it the cut
    row's cells are not cells and their text belongs to no row. Only there: where column lines
    end higher up, a rowspan cell may go on between them."""
    columns = [e for e in page.edges if e["orientation"] == "v" and e["bottom"] - e["top"] > _SNAP]
    if not columns:
        return []
    lines = []
    for y, end in ((max(e["bottom"] for e in columns), "bottom"), (min(e["top"] for e in columns), "top")):
        xs = [e["x0"] for e in columns if abs(e[end] - y) <= _SNAP]
        if max(xs) - min(xs) > _SNAP:
            lines.append({"object_type": "cut_edge", "orientation": "h", "x0": min(xs), "x1": max(xs),
                          "top": y, "bottom": y, "width": max(xs) - min(xs), "height": 0.0})
    return lines


def _contains(outer: tuple[float, ...], inner: tuple[float, ...]) -> bool:
    return outer[0] <= inner[0] + 1 and outer[1] <= inner[1] + 1 and outer[2] >= inner[2] - 1 and outer[3] >= inner[3] - 1


def _table(table, chars: list[dict[str, Any]], number: int, page, budget: _Budget) -> _Table | None:
    boxes = [c for c in table.cells]
    if not boxes:
        return None
    xs = _positions([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _positions([b[1] for b in boxes] + [b[3] for b in boxes])
    if len(xs) < 2 or len(ys) < 2:
        return None
    budget.take((len(xs) - 1) * (len(ys) - 1), f"第 {number} 页的表格", len(ys) - 1)
    rows: list[list[Cell]] = [[EMPTY] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    full = [[0.0] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    taken = [False] * len(chars)
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        c0, c1 = _index(xs, box[0]), _index(xs, box[2])
        r0, r1 = _index(ys, box[1]), _index(ys, box[3])
        if c1 <= c0 or r1 <= r0:
            continue
        mine = []
        for i, c in enumerate(chars):
            if not taken[i] and box[0] <= (c["x0"] + c["x1"]) / 2 <= box[2] and \
                    box[1] <= (c["top"] + c["bottom"]) / 2 <= box[3]:
                taken[i] = True
                mine.append(c)
        text, ends_full = _cell_text(mine, box)
        for r in range(r0, r1):
            for c in range(c0, c1):
                full[r][c] = ends_full
                rows[r][c] = Cell(text, merged=(r, c) != (r0, c0)) if text or (r, c) != (r0, c0) else EMPTY
    # A row in which no cell with text begins is a sliver between lines that do not quite meet
    # (a rowspan cell cut by the page break ends a little below its neighbours): not a row.
    kept = [i for i, row in enumerate(rows) if any(cell.text and not cell.merged for cell in row)]
    if not kept:
        return None
    last_open = page.height - table.bbox[3] < 0.12 * page.height
    return _Table(number, table.bbox[1], xs, [rows[i] for i in kept], last_open=last_open,
                  full=[full[i] for i in kept], open_cols=_open_bottom(page, table, xs, ys, kept[-1], boxes))


def _open_bottom(page, table, xs: list[float], ys: list[float], last: int, boxes) -> list[bool]:
    """Per column: whether the last row's own cell there has no bottom border (Chromium draws none
    under a cell the break cut; a rowspan label from rows above is cut whether the row is or not).
    A line longer than the table (a frame around the page) is not its border."""
    top, bottom = ys[last], ys[last + 1]
    drawn = [e for e in page.horizontal_edges if abs(e["top"] - bottom) <= _SNAP
             and e["x0"] >= table.bbox[0] - _SNAP and e["x1"] <= table.bbox[2] + _SNAP]
    own = [b for b in boxes if abs(b[1] - top) <= _SNAP and abs(b[3] - bottom) <= _SNAP]
    return [any(b[0] - _SNAP <= a and c <= b[2] + _SNAP for b in own)
            and not any(e["x0"] <= (a + c) / 2 <= e["x1"] for e in drawn) for a, c in zip(xs, xs[1:])]


def _positions(values: list[float]) -> list[float]:
    """Distinct line positions: values within _SNAP of each other are one."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _SNAP:
            out.append(v)
    return out


def _index(positions: list[float], value: float) -> int:
    return min(range(len(positions)), key=lambda i: abs(positions[i] - value))


def _lines(chars: list[dict[str, Any]]) -> list[tuple[float, str]]:
    """Text lines (top, text) of loose characters, top to bottom."""
    out: list[tuple[float, list[dict[str, Any]]]] = []
    for c in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if out and abs(out[-1][0] - c["top"]) <= max(2.0, c["size"] * 0.3):
            out[-1][1].append(c)
        else:
            out.append((c["top"], [c]))
    return [(top, text) for top, line in out if (text := _join(line).strip())]


def _join(line: list[dict[str, Any]]) -> str:
    """A line's characters left to right; a gap wider than a character without a space glyph is a space."""
    text, last = "", None
    for c in sorted(line, key=lambda c: c["x0"]):
        if last is not None and c["x0"] - last["x1"] > 0.8 * c["size"] and not text.endswith(" ") \
                and c["text"] != " ":
            text += " "
        text += _char(c["text"])
        last = c
    return text


def _punctuation_spacing(chars: list[dict[str, Any]]) -> tuple[int, int]:
    """How often the page's text has a space after an ASCII , ; or : before Chinese (卫生, 创建),
    and how often none. A line wrapped there lost the space (it hangs at the line's end, not
    drawn): the document's own habit says whether it goes back (see _WRAP)."""
    spaced = bare = 0
    for a, b in zip(chars, chars[1:]):
        if a["text"] in ",;:" and abs(a["top"] - b["top"]) < 1:
            spaced += b["text"] == " "
            bare += _cjk(b["text"])
    return spaced, bare


def _cell_text(chars: list[dict[str, Any]], box: tuple[float, float, float, float]) -> tuple[str | None, float]:
    """A cell's text: its lines joined where the browser or writer wrapped them (the line was full:
    the next line's first word would not have fitted), kept as \\n where the text itself broke."""
    if not chars:
        return None, 0.0
    groups: list[list[dict[str, Any]]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if groups and abs(groups[-1][0]["top"] - c["top"]) <= max(2.0, c["size"] * 0.3):
            groups[-1].append(c)
        else:
            groups.append([c])
    groups = [sorted(g, key=lambda c: c["x0"]) for g in groups]
    printed = [g for g in groups if any(c["text"].strip() for c in g)]
    if not printed:
        return None, 0.0
    pad = max(0.0, min(g[0]["x0"] for g in printed) - box[0])
    edge = box[2] - pad
    lines = [_join(line) for line in printed]
    text = lines[0].strip()
    for index in range(1, len(printed)):
        glue = _glue(printed[index - 1], printed[index], edge, lines[index - 1], lines[index])
        if glue == "" and text[-1:] in (",", ";", ":") and _cjk(lines[index].strip()[:1]):
            glue = _WRAP
        text += glue + lines[index].strip()
    tail = [c for c in printed[-1] if c["text"].strip()]
    room = (edge - 1.0 - tail[-1]["x1"]) / max(c["size"] for c in tail)
    return text.strip() or None, room


def _glue(before: list[dict[str, Any]], line: list[dict[str, Any]], edge: float, above: str, words: str) -> str:
    """What stands between two lines of a cell: nothing where a CJK line wrapped, a space where
    it wrapped at a space (the space hangs at the line's end) or between Latin words, a line
    break where the line ended short of the cell's edge."""
    need = _first_word_width([c for c in line if c["text"].strip()])
    end = max(c["x1"] for c in before if c["text"].strip())
    if end + need <= edge - 1.0 or _GOAL.match(words.lstrip()):  # room to spare, or a numbered goal: the text broke here
        return "\n"
    if above.endswith(" ") or _latin(above.rstrip()[-1:]) and _latin(words.lstrip()[:1]):
        return " "
    return ""


def _word_units(text: str) -> float:
    """The width of a text's first word in characters (a Latin letter or digit is about half)."""
    units, i = 0.0, 0
    while i < len(text) and text[i] in _NO_LINE_END:
        units, i = units + 1, i + 1
    if i < len(text):
        units += 1 if _cjk(text[i]) else 0.6
        i += 1
        while i < len(text) and not _cjk(text[i - 1]) and text[i].strip() and not _cjk(text[i]):
            units, i = units + 0.6, i + 1
    while i < len(text) and text[i] in _NO_LINE_START:
        units, i = units + (1 if unicodedata.east_asian_width(text[i]) in "WF" else 0.3), i + 1
    return units - 0.1


def _latin(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\u2e80" <= ch <= "\u2fdf"


_NO_LINE_END = set("“‘（《「『【(")


def _first_word_width(chars: list[dict[str, Any]]) -> float:
    """The width the next line's start needs on the line above: a CJK character, or a run of
    other characters (a Latin word, ≥70%), with an opening quote before it and any punctuation
    that may not begin a line after it."""
    if not chars:
        return 0.0
    i = 0
    while i < len(chars) - 1 and chars[i]["text"] in _NO_LINE_END:
        i += 1
    if not _cjk(chars[i]["text"]):
        while i + 1 < len(chars) and not _cjk(chars[i + 1]["text"]) and chars[i + 1]["text"].strip() \
                and chars[i + 1]["text"] not in _NO_LINE_END:
            i += 1
    while i + 1 < len(chars) and chars[i + 1]["text"] in _NO_LINE_START:
        i += 1
    return chars[i]["x1"] - chars[0]["x0"]


# ---- joining a project's tables across pages


def _projects(tables: list[_Table]) -> list[_Project]:
    projects: list[_Project] = []
    current: _Project | None = None
    previous: _Table | None = None
    for table in tables:
        if _starts_project(table):
            head = [[Cell(line)] for line in table.above]
            current = _Project(table.page, list(table.xs), head + table.rows, last_full=table.full[-1])
            projects.append(current)
            _find_header(current, len(head))
            current.last_cut = any(table.open_cols[current.label_cols:])
        elif current is not None and previous is not None:
            _continue(current, table, previous)
        previous = table
    return projects


def _starts_project(table: _Table) -> bool:
    return any(field_of(cell.text) == "name" for row in table.rows[:2] for cell in row if not cell.merged)


def _find_header(project: _Project, start: int) -> None:
    for index in range(start, len(project.rows)):
        row = project.rows[index]
        names = [field_of(cell.text) for cell in row]
        if {"level1", "level2", "level3", "value"} <= set(names):
            project.header = index
            project.header_texts = _texts(row)
            project.label_cols, project.value_col = names.index("level3"), names.index("value")
            return


def _texts(row: list[Cell]) -> tuple[str, ...]:
    return tuple(cell.text for cell in row if cell.text and not cell.merged)


def _continue(project: _Project, table: _Table, previous: _Table) -> None:
    """Append a continuation table (next page, or under the last on this one) to the project."""
    # Lines left and right of the form (a frame around the page) are dropped with what they bound;
    # a column line inside the form that its first page does not have is another table's.
    low, high = project.xs[0] - 4, project.xs[-1] + 4
    inside = [i for i, x in enumerate(table.xs) if low <= x <= high]
    if len(inside) < 2:
        return
    table = _Table(table.page, table.top, [table.xs[i] for i in inside],
                   [row[inside[0]:inside[-1]] for row in table.rows], table.above, table.last_open,
                   [flags[inside[0]:inside[-1]] for flags in table.full], table.open_cols[inside[0]:inside[-1]])
    if project.header is None and abs(table.xs[0] - project.xs[0]) <= 4 and abs(table.xs[-1] - project.xs[-1]) <= 4:
        _split_columns(project, table.xs)  # the grid's columns under a head that fitted the page above
    mapping = [_index(project.xs, x) for x in table.xs]
    if any(abs(project.xs[m] - x) > 4 for m, x in zip(mapping, table.xs)):
        return  # columns of another table: not this form's
    width = len(project.xs) - 1
    rows: list[list[Cell]] = []
    for local in table.rows:
        row = [EMPTY] * width
        for c, cell in enumerate(local):
            for col in range(mapping[c], mapping[c + 1]):
                row[col] = cell if col == mapping[c] else (Cell(cell.text, merged=True) if cell.text else EMPTY)
        rows.append(row)
    new_page = table.page != previous.page
    repeated = new_page and project.header is not None  # else the header row here is the grid's first
    if new_page and project.header is None:
        _find_header_in(project, rows)
    while repeated and rows and _texts(rows[0]) == project.header_texts:
        rows.pop(0)  # the header row printed again on each page
    rows = [r for r in rows if any(cell.text for cell in r)] if new_page else rows
    if not rows:
        return
    if new_page and project.rows:
        last = project.rows[-1]
        first = rows.pop(0)
        if project.last_cut or previous.last_open and _is_rest_of(first, last, project):
            project.rows[-1] = last = [_joined(a, b, full)
                                       for a, b, full in zip(last, first, project.last_full or [0.0] * len(last))]
        else:
            rows.insert(0, first)
        _carry_labels(rows, last, project)
    project.rows += rows
    project.last_full = [0.0] * width
    opened = [False] * width
    for c, flag in enumerate(table.full[-1]):
        for col in range(mapping[c], mapping[c + 1]):
            project.last_full[col], opened[col] = flag, table.open_cols[c]
    project.last_cut = any(opened[project.label_cols:])


def _split_columns(project: _Project, xs: list[float]) -> None:
    """Add the column lines a continuation draws and the project's pages so far do not (the form
    head alone above the break has fewer columns than the grid under it): a cell the new line
    splits covers both columns, merged, as if the two pages were one table."""
    for x in xs:
        k = _index(project.xs, x)
        if abs(project.xs[k] - x) <= 4:
            continue
        k = k if project.xs[k] < x else k - 1  # the column the line splits: between xs[k] and xs[k + 1]
        width = len(project.xs) - 1
        project.xs = project.xs[:k + 1] + [x] + project.xs[k + 1:]
        project.rows = [row[:k + 1] + [Cell(row[k].text, merged=True) if row[k].text else EMPTY] + row[k + 1:]
                        if len(row) == width else row for row in project.rows]  # not the lines above the form
        if len(project.last_full) > k:
            project.last_full.insert(k + 1, project.last_full[k])


def _carry_labels(rows: list[list[Cell]], last: list[Cell], project: _Project) -> None:
    """A rowspan label (一级, 二级, 绩效指标) that the page break cut is drawn again as an empty
    cell at the top of the next page: it carries the label from the last row above the break,
    down to the next label or the grid's header row (its corner is empty: no label reaches it)."""
    for c in range(min(project.label_cols, len(last))):
        if not rows or not last[c].text or rows[0][c].text:
            continue
        for row in rows:
            if project.header_texts and _texts(row) == project.header_texts:
                break
            if not row[c].text:  # the cut cell may be drawn as several empty boxes down to the next label
                row[c] = Cell(last[c].text, merged=True)
            else:
                break


def _find_header_in(project: _Project, rows: list[list[Cell]]) -> None:
    probe = _Project(project.page, project.xs, rows)
    _find_header(probe, 0)
    if probe.header is not None:
        project.header_texts, project.label_cols, project.value_col = \
            probe.header_texts, probe.label_cols, probe.value_col
        project.header = len(project.rows) + probe.header


def _is_rest_of(first: list[Cell], last: list[Cell], project: _Project) -> bool:
    """Whether a continuation page's first row is the rest of the row the break cut: it names no
    label of its own, and it lacks a 三级指标 or a 指标值 (a whole row has both)."""
    if project.header is None:
        return not any(cell.text for cell in first[:1])  # a header row cut (long goals): the label column is empty
    level3, value = project.label_cols, project.value_col
    labels_blank = all(not cell.text for cell in first[:project.label_cols])
    return labels_blank and (not first[level3].text or not first[value].text)


def _joined(above: Cell, below: Cell, room: float) -> Cell:
    """A cell cut by the page break: its text above and the rest below, glued as its lines are
    (the line above was full if the first word below, by its characters, would not have fitted)."""
    if not below.text or below.merged:
        return above
    if not above.text or above.merged:
        return Cell(below.text) if not above.text else above
    full = room < _word_units(below.text)
    glue = "" if full else "\n"
    if full and above.text[-1] in ",;:" and _cjk(below.text[0]):
        glue = _WRAP
    return Cell(above.text + glue + below.text)
