"""The form as an Excel workbook (.xlsx): one sheet per project, laid out as its page prints it.

A sheet is made from the same plain data as the page (site.grid, fund_lines, grid_columns,
budget_row), so that its cells are the page's: the title and 金额单位 rows, the header, fund and
goal blocks, and the indicator grid in the table's 表样, merged where the page has rowspan or
colspan, on A4 (landscape where the page is ``.form-wide``), one page wide, the grid's header
row repeated on every printed page. Amounts (the fund lines, 权重 / 分值) and a 指标值 that is a
bare number (一体化 forms split ≥ and % into columns of their own) are numbers shown with the
decimals the page shows (12.50 stays 12.50), so that they add up and sort in Excel; every other
cell is text as the page shows it (≥90%, 2022年12月31日, 良好), and never a formula.

openpyxl makes the package (styles, workbook, print-title names, properties); each worksheet
part is written here directly (``sheet_xml``), which took a tenth of the time of openpyxl's cell
objects (docs/internals.md, "The .xlsx attachments"). The bytes depend on the view only: the
document's dates and the zip entries' times are ``when`` (SOURCE_DATE_EPOCH, else 1 January of
the budget year), never the clock.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import os
import re
import zipfile
from decimal import Decimal
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Iterable, NamedTuple

if TYPE_CHECKING:  # openpyxl itself is imported when the first file is made (_writer)
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

from .forms import SCORED
from .kinds import TARGET
from .model import Project
from .render import goal_html
from .site import Form, GridRow, budget_row, fund_lines, grid, grid_columns, is_wide, midterm_layout

TITLE = "项目支出绩效目标表"
UNIT = "金额单位：万元"  # the page's: fund_lines gives every amount in 万元 (Funds.wan), as project.html says
_AMOUNTS = frozenset(f.attr for f in TARGET.fund_lines if f.amount)  # fund lines that are numbers
_NUMBERS = frozenset((*SCORED, "指标值"))  # grid columns whose cells are numbers where their text is one

# Column widths (characters of "0"; a Chinese character is two), by the page's column ids.
_WIDTHS = {"label": 6, "l1": 12, "l2": 14, "l3": 30, "value": 18, "note": 28, "nature": 9, "unit": 9,
           "weight": 7, "score": 7, "direction": 9, "explanation": 30, "basis": 12, "core": 7}
_WIDE_WIDTHS = {"l3": 24, "value": 12}  # a wide form's, where it differs (site.css's .form-wide)
_LINE = 14.4  # points per line of 11-point text
_MARGINS = {"left": 0.47, "right": 0.47, "top": 0.59, "bottom": 0.59}  # inches: the print stylesheet's 12/15 mm


class Placed(NamedTuple):
    """One cell of a sheet (0-based), spanning ``rows`` × ``cols`` as the page's cell does."""

    row: int
    col: int
    text: str
    style: str  # a key of _STYLES
    rows: int = 1
    cols: int = 1
    number: Decimal | None = None  # the amount the text shows, when the cell is a number


class Sheet(NamedTuple):
    name: str  # the project's name (made a valid, unique sheet name when the workbook is written)
    cells: list[Placed]
    widths: list[float]
    head_row: int  # the grid's header row: repeated on every printed page
    wide: bool


class _Text(HTMLParser):
    """A goal's text as its page shows it: the sanitized HTML's text, one paragraph a line."""

    _BREAKS = {"p", "br", "li", "div", "blockquote", "hr", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def goal_text(goal: str) -> str:
    reader = _Text()
    reader.feed(str(goal_html(goal)))
    reader.close()
    lines = (" ".join(line.split()) for line in "".join(reader.parts).split("\n"))
    return "\n".join(line for line in lines if line)


_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_DIGITS = 15  # what a spreadsheet's number holds exactly


def _number(text: str) -> Decimal | None:
    """The number a cell's text is, when it is one that a number cell shows the same (no
    leading zeros, no more digits than Excel keeps); else None."""
    if _NUMBER.fullmatch(text) and sum(ch.isdigit() for ch in text) <= _DIGITS:
        return Decimal(text)
    return None


def _spans(width: int) -> list[tuple[int, int]]:
    """Where the page's 4-column header table (label, value, label, value) lies on the grid's
    columns: as site.css aligns them, 标签 over 绩效指标 and 一级, 值 over 二级 and 三级."""
    a = 2 if width >= 6 else 1
    return [(0, a), (a, a + 2), (a + 2, a + 3), (a + 3, width)]


def layout(project: Project, form: Form) -> Sheet:
    """A project's form as cells, in the page's order (project.html)."""
    columns = grid_columns(form)
    width, wide = 3 + len(columns), is_wide(form)
    spans = _spans(width)
    cells: list[Placed] = [Placed(0, 0, TITLE, "title", cols=width),
                           Placed(1, 0, f"（{project.year}年度）", "year", cols=spans[3][0]),
                           Placed(1, spans[3][0], UNIT, "unit", cols=width - spans[3][0])]
    row = 2

    def pair(*texts: tuple[str, str, Decimal | None]) -> None:
        """One row of the page's header table: (text, style, number) in its label and value
        columns, the last cell reaching the sheet's right edge as the page's colspan does."""
        nonlocal row
        for i, (text, style, number) in enumerate(texts):
            start, end = spans[i][0], width if i == len(texts) - 1 else spans[i][1]
            cells.append(Placed(row, start, text, style, cols=end - start, number=number))
        row += 1

    def th(text: str) -> tuple[str, str, None]:
        return text, "th", None

    def td(text: str | None) -> tuple[str, str, None]:
        return text or "", "td", None

    pair(th("项目名称"), td(project.name))
    pair(th("主管部门及代码"), td(project.department), th("实施单位"), td(project.implementer))
    if project.leader or project.phone:  # the rows project.html prints only when filled
        pair(th("项目负责人"), td(project.leader), th("联系电话"), td(project.phone))
    if project.attribute or project.period:
        pair(th("项目属性"), td(project.attribute), th("项目期"), td(project.period))
    for line in fund_lines(project):
        number = _number(line.amount) if line.key in _AMOUNTS else None
        pair((line.label, "th-indent" if line.indent else "th", None),
             (line.amount, "td" if number is None else "amount", number))
    rest = width - spans[1][0]
    cells += [Placed(row, 0, "总体目标", "th", rows=2, cols=spans[0][1]),
              Placed(row, spans[1][0], "年度目标", "th", cols=rest),
              Placed(row + 1, spans[1][0], "\n".join(goal_text(g) for g in project.goals), "goals", cols=rest)]
    row += 2
    head_row = row
    cells += [Placed(row, 0, "", "td"), Placed(row, 1, "一级指标", "th"), Placed(row, 2, "二级指标", "th")]
    cells += [Placed(row, 3 + i, c.label, "th") for i, c in enumerate(columns)]
    row += 1
    cells += _grid(project, form, row, [c.label in _NUMBERS for c in columns])
    if project.midterm is not None:
        cells += _midterm(project, form, max(c.row + c.rows for c in cells) + 1, width)
    widths = [_WIDTHS["label"], _WIDTHS["l1"], _WIDTHS["l2"]]
    widths += [(_WIDE_WIDTHS if wide else {}).get(c.id, _WIDTHS.get(c.id, 12)) for c in columns]
    return Sheet(project.name, cells, widths, head_row, wide)


def _grid(project: Project, form: Form, row: int, numeric: list[bool]) -> list[Placed]:
    """The indicator grid's rows from ``row``: 绩效指标 down the first column, then the 预算执行 row
    of a scored form, then each row with its 一级 and 二级 merged down over their rows."""
    rows, budget = grid(project, form), budget_row(project, form)
    out = [Placed(row, 0, "绩效指标", "th", rows=len(rows) + (budget is not None))]
    if budget is not None:
        out.append(Placed(row, 1, budget.label, "th", cols=budget.colspan))
        at = 1 + budget.colspan
        for i, cell in enumerate(budget.cells):
            out.append(_cell(row, at + i, cell.text, numeric[at - 3 + i]))
        row += 1
    return out + _rows(rows, row, numeric)


def _rows(rows: list[GridRow], row: int, numeric: list[bool], last: int = 1) -> list[Placed]:
    """A grid's rows from ``row``, each with its 一级 and 二级 merged down over their rows (the
    label column left of them is the caller's); ``last``: the columns the last cell spans."""
    out = []
    for grid_row in rows:
        if grid_row.level1:
            out.append(Placed(row, 1, grid_row.level1.text, "th", rows=grid_row.level1.rowspan))
        if grid_row.level2:
            out.append(Placed(row, 2, grid_row.level2.text, "th", rows=grid_row.level2.rowspan))
        for i, cell in enumerate(grid_row.cells):
            placed = Placed(row, 3 + i, cell.text, "th-row") if cell.header else _cell(row, 3 + i, cell.text, numeric[i])
            out.append(placed._replace(cols=last) if i == len(grid_row.cells) - 1 else placed)
        row += 1
    return out


def _midterm(project: Project, form: Form, row: int, width: int) -> list[Placed]:
    """A multi-year project's 中期 block after its grid, as its page shows it (site.midterm_layout):
    中期 beside 年度 for the money and the goals, then the 中期 grid."""
    m = midterm_layout(project, form)
    assert m is not None
    half = 3 + (width - 3) // 2  # 中期 in the columns before it, 年度 from it
    cells = [Placed(row, 0, "", "td", cols=3), Placed(row, 3, f"中期（{m['period']}）", "th", cols=half - 3),
             Placed(row, half, f"{project.year}年度", "th", cols=width - half)]
    lines = [*((line.label, line.midterm, line.year) for line in m["funds"]),
             ("总体目标", "\n".join(goal_text(g) for g in m["goals"]), "\n".join(goal_text(g) for g in project.goals))]
    for i, (label, mid, year) in enumerate(lines, start=1):
        goals = label == "总体目标"
        cells += [Placed(row + i, 0, label, "th", cols=3),
                  (Placed(row + i, 3, mid, "goals") if goals else _cell(row + i, 3, mid, True))._replace(cols=half - 3),
                  (Placed(row + i, half, year, "goals") if goals else _cell(row + i, half, year, True))._replace(cols=width - half)]
    row += len(lines) + 1
    columns = m["columns"]
    cells += [Placed(row, 0, "", "td"), Placed(row, 1, "一级指标", "th"), Placed(row, 2, "二级指标", "th")]
    cells += [Placed(row, 3 + i, c.label, "th") for i, c in enumerate(columns)]
    row += 1
    numeric = [c.label in _NUMBERS for c in columns]
    return [*cells, Placed(row, 0, "中期绩效指标", "th", rows=len(m["grid"])), *_rows(m["grid"], row, numeric)]


def _cell(row: int, col: int, text: str, numeric: bool) -> Placed:
    number = _number(text) if numeric else None
    return Placed(row, col, text, "amount" if number is not None else "td", number=number)


# Styles -------------------------------------------------------------------------------------
# Each style: its font (宋体 11 unless said), its alignment, and whether it has thin borders all round.
_STYLES: dict[str, tuple[dict[str, object], dict[str, object], bool]] = {
    "title": ({"size": 18, "bold": True}, {"horizontal": "center", "vertical": "center"}, False),
    "year": ({}, {"horizontal": "center", "vertical": "center"}, False),
    "unit": ({}, {"horizontal": "right", "vertical": "center"}, False),
    "th": ({"bold": True}, {"horizontal": "center", "vertical": "center", "wrap_text": True}, True),
    "th-indent": ({"bold": True}, {"horizontal": "center", "vertical": "center", "wrap_text": True, "indent": 1}, True),
    "th-row": ({}, {"horizontal": "left", "vertical": "center", "wrap_text": True}, True),
    "td": ({}, {"horizontal": "left", "vertical": "center", "wrap_text": True}, True),
    "goals": ({}, {"horizontal": "left", "vertical": "top", "wrap_text": True}, True),
    "amount": ({}, {"horizontal": "right", "vertical": "center"}, True),
}
_ROW_HEIGHTS = {"title": 32.0}
_PALETTE = [(style, "General") for style in _STYLES] + [("amount", "0")] + [
    ("amount", "0." + "0" * n) for n in range(1, _DIGITS + 1)]  # an amount shows up to _DIGITS decimals


def _number_format(text: str) -> str:
    """The format that shows a number as the page's text does: 12.50 → 0.00, 36 → 0."""
    decimals = len(text.partition(".")[2])
    return "0." + "0" * decimals if decimals else "0"


_WIDE_CHARACTERS = re.compile("[\u2e80-\U0010ffff]")


def _columns_wide(text: str) -> int:
    """How many "0"s wide a line of text is: a Chinese (wide) character is two."""
    return len(text) + len(_WIDE_CHARACTERS.findall(text))


def _heights(sheet: Sheet) -> dict[int, float]:
    """Each row's height, from its cells' wrapped lines (Excel never fits a merged cell's row)."""
    lines: dict[int, int] = {}
    for c in sheet.cells:
        if c.rows != 1:
            continue
        room = max(1.0, sum(sheet.widths[c.col:c.col + c.cols]) - 1)
        needed = sum(max(1, math.ceil(_columns_wide(part) / room)) for part in c.text.split("\n"))
        lines[c.row] = max(lines.get(c.row, 1), needed)
    return {row: n * _LINE + 4 for row, n in lines.items() if n > 1}  # a row of one line keeps Excel's height


_TABLES = ("_fonts", "_alignments", "_borders", "_number_formats", "_cell_styles")  # a workbook's style tables
_made: list[tuple[dict[tuple[str, str], int], list[tuple[str, list, dict]]]] = []  # the palette, once


def _palette(wb: Workbook) -> dict[tuple[str, str], int]:
    """Every cell style a sheet can use, (style, number format) → its index in the workbook's
    style table, registered in one fixed order, so that every workbook has the same table and a
    sheet's XML means the same in any of them. Registering them through openpyxl costs a tenth of
    a file: it is done once, and each new workbook (whose tables start the same) gets copies of
    the tables (openpyxl <3.2's)."""
    from openpyxl.utils.indexed_list import IndexedList

    if _made:
        styles, tables = _made[0]
        for name, items, index in tables:
            table = IndexedList()
            list.extend(table, items)
            table._dict = dict(index)  # a dict's copy keeps its keys' hashes: styles hash slowly
            setattr(wb, name, table)
        return styles
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, BUILTIN_FORMATS_REVERSE

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    styles = {}
    for style, fmt in _PALETTE:
        font, alignment, boxed = _STYLES[style]
        found = StyleArray()
        found.fontId = wb._fonts.add(Font(name="宋体", size=font.get("size", 11), bold=font.get("bold", False)))
        found.alignmentId = wb._alignments.add(Alignment(**alignment))
        found.borderId = wb._borders.add(box) if boxed else 0
        found.numFmtId = (BUILTIN_FORMATS_REVERSE[fmt] if fmt in BUILTIN_FORMATS_REVERSE
                          else wb._number_formats.add(fmt) + BUILTIN_FORMATS_MAX_SIZE)
        styles[style, fmt] = wb._cell_styles.add(found)
    _made.append((styles, [(name, list(getattr(wb, name)), dict(getattr(wb, name)._dict)) for name in _TABLES]))
    return styles


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})  # \r: kept, not read as \n
_NS = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">')


CELL_LIMIT = 32767  # characters a cell holds in Excel: a longer one makes it "repair" the file


def _text_cell(ref: str, style: int, text: str) -> str:
    if len(text) > CELL_LIMIT:  # only a pathological file: the page shows it whole, the sheet says it is cut
        text = text[:CELL_LIMIT - 1] + "…"
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{text.translate(_XML_ESCAPES)}</t></is></c>'


def _letter(column: int) -> str:
    """A column's letters: 1 → A, 27 → AA."""
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def sheet_xml(sheet: Sheet, styles: dict[tuple[str, str], int]) -> str:
    """The worksheet part (SpreadsheetML) of a sheet, written directly: openpyxl's cell objects
    and their serialisation took nine tenths of a file's time. Every cell of a merged range has
    the range's style, so that Excel draws its borders all round; text is inline text (never a
    formula), a number its digits as the page shows them."""
    slots: dict[tuple[int, int], str] = {}
    merges = []
    letters = [_letter(i) for i in range(1, len(sheet.widths) + 1)]
    for c in sheet.cells:
        style = styles[c.style, "General" if c.number is None else _number_format(c.text)]
        for row in range(c.row, c.row + c.rows):
            for col in range(c.col, c.col + c.cols):
                slots[row, col] = f'<c r="{letters[col]}{row + 1}" s="{style}"/>'
        ref = f"{letters[c.col]}{c.row + 1}"
        if c.number is not None:
            slots[c.row, c.col] = f'<c r="{ref}" s="{style}"><v>{c.text}</v></c>'
        elif c.text:
            slots[c.row, c.col] = _text_cell(ref, style, c.text)
        if c.rows > 1 or c.cols > 1:
            merges.append(f'<mergeCell ref="{ref}:{letters[c.col + c.cols - 1]}{c.row + c.rows}"/>')
    heights = _heights(sheet)
    heights.update({c.row: _ROW_HEIGHTS[c.style] for c in sheet.cells if c.style in _ROW_HEIGHTS})
    last = max(row for row, _ in slots)
    rows = []
    for row in range(last + 1):
        cells = "".join(slots[row, col] for col in range(len(letters)) if (row, col) in slots)
        height = f' ht="{heights[row]:g}" customHeight="1"' if row in heights else ""
        rows.append(f'<row r="{row + 1}"{height}>{cells}</row>')
    cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(sheet.widths, 1))
    margins = "".join(f' {side}="{inches:g}"' for side, inches in _MARGINS.items())
    return "".join([
        _NS, '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>', f'<dimension ref="A1:{letters[-1]}{last + 1}"/>',
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols><sheetData>", *rows, "</sheetData>",
        f'<mergeCells count="{len(merges)}">{"".join(merges)}</mergeCells>' if merges else "",
        '<printOptions horizontalCentered="1"/>', f'<pageMargins{margins} header="0.3" footer="0.3"/>',
        f'<pageSetup paperSize="9" orientation="{"landscape" if sheet.wide else "portrait"}" fitToWidth="1" '
        'fitToHeight="0"/></worksheet>'])


# Sheet names ----------------------------------------------------------------------------------
_NOT_IN_NAMES = re.compile(r"[\[\]:*?/\\]")
NAME_LIMIT = 31  # Excel's, in UTF-16 units


def _cut(name: str, limit: int) -> str:
    while len(name.encode("utf-16-le")) // 2 > limit:
        name = name[:-1]
    return name


def sheet_names(names: Iterable[str]) -> list[str]:
    """Valid sheet names, unique within a workbook (Excel compares them without case): none of
    []:*?/\\, no ' at either end, at most 31 characters, never History (Excel's own)."""
    taken: set[str] = set()
    out = []
    for name in names:
        base = _cut(_NOT_IN_NAMES.sub("_", name).strip().strip("'"), NAME_LIMIT).strip("'") or "Sheet"
        found, n = base, 1
        while found.casefold() in taken or found.casefold() == "history":
            n += 1
            suffix = f"（{n}）"
            found = _cut(base, NAME_LIMIT - len(suffix)) + suffix
        taken.add(found.casefold())
        out.append(found)
    return out


# Files --------------------------------------------------------------------------------------
def source_date() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) as a UTC time, when set and valid; not before
    1980, the first time a zip entry can hold."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        seconds = int(raw)
        return dt.datetime.fromtimestamp(max(seconds, 315532800), dt.timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        return None  # unset or not a number: the budget year's first day


class _Archive(zipfile.ZipFile):
    """A zip whose every entry is dated ``when`` (openpyxl's are dated by the clock)."""

    def __init__(self, file: io.BytesIO, when: dt.datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.when = when.timetuple()[:6]

    def writestr(self, name, data, compress_type=None, compresslevel=None):  # type: ignore[override]
        if isinstance(name, str):
            name = zipfile.ZipInfo(name, self.when)
            name.compress_type, name.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
        super().writestr(name, data, compress_type, compresslevel)


@functools.cache
def _writer() -> type:
    """openpyxl's writer of the package (workbook, print-title names, properties, content
    types), with each worksheet's part as ``sheet_xml`` wrote it and the style part made once:
    every workbook has the palette's styles and no others, and making the part was two fifths of
    a file. openpyxl is imported here, when the first .xlsx is made: it takes a third of a
    second, which every other command is spared."""
    from openpyxl.packaging.extended import ExtendedProperties
    from openpyxl.packaging.relationship import RelationshipList
    from openpyxl.styles.stylesheet import write_stylesheet
    from openpyxl.workbook._writer import WorkbookWriter
    from openpyxl.writer.excel import ExcelWriter
    from openpyxl.writer.theme import theme_xml
    from openpyxl.xml.constants import (ARC_APP, ARC_CORE, ARC_ROOT_RELS, ARC_STYLE, ARC_THEME, ARC_WORKBOOK,
                                        ARC_WORKBOOK_RELS)
    from openpyxl.xml.functions import tostring

    made: dict[str, bytes] = {}

    class Writer(ExcelWriter):
        def __init__(self, workbook: Workbook, archive: zipfile.ZipFile, parts: dict[str, str]) -> None:
            super().__init__(workbook, archive)
            self.parts = parts  # sheet title → its worksheet part

        def write_worksheet(self, ws: Worksheet) -> None:
            ws._drawing, ws._rels = None, RelationshipList()
            self._archive.writestr(ws.path[1:], self.parts[ws.title].encode("utf-8"))
            self.manifest.append(ws)

        def write_data(self) -> None:
            """ExcelWriter.write_data (openpyxl 3.1) for a workbook of worksheets only."""
            archive, wb = self._archive, self.workbook
            if not made:
                made[ARC_APP] = tostring(ExtendedProperties().to_tree())
                made[ARC_STYLE] = tostring(write_stylesheet(wb))
            archive.writestr(ARC_APP, made[ARC_APP])
            archive.writestr(ARC_CORE, tostring(wb.properties.to_tree()))
            archive.writestr(ARC_THEME, theme_xml)
            self._write_worksheets()
            archive.writestr(ARC_STYLE, made[ARC_STYLE])
            writer = WorkbookWriter(wb)
            archive.writestr(ARC_ROOT_RELS, writer.write_root_rels())
            archive.writestr(ARC_WORKBOOK, writer.write())
            archive.writestr(ARC_WORKBOOK_RELS, writer.write_rels())
            self.manifest._write(archive, wb)

    return Writer


def workbook(sheets: list[Sheet], title: str, publisher: str, when: dt.datetime) -> bytes:
    """The sheets as one .xlsx file, the same bytes for the same sheets and ``when``."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    styles, parts = _palette(wb), {}
    for sheet, name in zip(sheets, sheet_names(s.name for s in sheets)):
        ws = wb.create_sheet(name)
        ws.print_title_rows = f"{sheet.head_row + 1}:{sheet.head_row + 1}"  # a name in the workbook part
        parts[name] = sheet_xml(sheet, styles)
    wb.properties.title, wb.properties.creator = title, publisher
    wb.properties.created = wb.properties.modified = when
    out = io.BytesIO()
    _writer()(wb, _Archive(out, when), parts).save()
    return out.getvalue()


def project_xlsx(project: Project, form: Form, publisher: str, when: dt.datetime) -> bytes:
    """One project's form; ``form``: its year's 表样 (the file's own comes first)."""
    return workbook([layout(project, project.form or form)], f"{project.name}（{project.year}年度）{TITLE}",
                    publisher, when)


def department_xlsx(title: str, projects: tuple[Project, ...], form: Form, publisher: str,
                    when: dt.datetime) -> bytes:
    """A department's forms of one year, a sheet per project in page order."""
    return workbook([layout(p, p.form or form) for p in projects], title, publisher, when)


DEPARTMENT_TITLE = "部门（单位）整体支出绩效目标表"


def department_layout(t: dict) -> Sheet:
    """A department's table as cells, in its page's order (_department_form.html), from the
    same laid-out data (department_layout.layout): the label column, then 任务名称, 主要内容 and
    the three 预算金额 columns over the grid's columns."""
    columns = t["columns"]
    width = max(6, 3 + len(columns))
    amounts = width - 3  # 总额, 财政拨款, 其他资金: the last three columns
    cells: list[Placed] = [Placed(0, 0, DEPARTMENT_TITLE, "title", cols=width),
                           Placed(1, 0, f"（{t['year']}年度）", "year", cols=amounts),
                           Placed(1, amounts, UNIT, "unit", cols=3)]
    row = 2
    cells += [Placed(row, 0, "部门（单位）名称", "th"), Placed(row, 1, t["department"], "td", cols=width - 1)]
    row += 1
    if t["duties"]:
        cells += [Placed(row, 0, "部门职能概述", "th"), Placed(row, 1, goal_text(t["duties"]), "goals", cols=width - 1)]
        row += 1
    for block in t["composition"]:
        lines = [*((line.name, line.amount, line.share) for line in block.lines), ("合计", block.total, block.share)]
        cells += [Placed(row, 0, block.title, "th", rows=len(lines) + 1), Placed(row, 1, "项目", "th"),
                  Placed(row, 2, "金额", "th", cols=width - 3), Placed(row, width - 1, "占比", "th")]
        for i, (name, amount, share) in enumerate(lines, start=1):
            cells += [Placed(row + i, 1, name, "th"), _cell(row + i, 2, amount, True)._replace(cols=width - 3),
                      Placed(row + i, width - 1, share, "amount")]
        row += len(lines) + 1
    tasks = [*t["tasks"], t["sum"]]
    cells += [Placed(row, 0, "年度主要任务", "th", rows=len(tasks) + 2), Placed(row, 1, "任务名称", "th", rows=2),
              Placed(row, 2, "主要内容", "th", rows=2, cols=amounts - 2), Placed(row, amounts, "预算金额", "th", cols=3)]
    cells += [Placed(row + 1, amounts + i, label, "th") for i, label in enumerate(("总额", "财政拨款", "其他资金"))]
    for i, task in enumerate(tasks, start=2):
        if task is t["sum"]:
            cells.append(Placed(row + i, 1, task.name, "th", cols=amounts - 1))
        else:
            content = goal_text(task.content) if task.content else ""
            cells += [Placed(row + i, 1, task.name, "th-row"), Placed(row + i, 2, content, "td", cols=amounts - 2)]
        cells += [_cell(row + i, amounts + j, text, True) for j, text in enumerate((task.total, task.fiscal, task.other))]
    row += len(tasks) + 2
    cells += [Placed(row, 0, "年度总体目标", "th"),
              Placed(row, 1, "\n".join(goal_text(g) for g in t["goals"]), "goals", cols=width - 1)]
    row += 1
    head_row = row
    cells += [Placed(row, 0, "", "td"), Placed(row, 1, "一级指标", "th"), Placed(row, 2, "二级指标", "th")]
    cells += [Placed(row, 3 + i, c.label, "th", cols=1 if i < len(columns) - 1 else width - 2 - len(columns))
              for i, c in enumerate(columns)]
    row += 1
    numeric = [c.label in _NUMBERS for c in columns]
    cells.append(Placed(row, 0, "年度绩效指标", "th", rows=len(t["grid"])))
    cells += _rows(t["grid"], row, numeric, width - 2 - len(columns))
    widths = [10, 16, 30, *([12] * (width - 6)), 10, 10, 10]
    return Sheet(t["name"], cells, widths, head_row, width > 6)


def department_table_xlsx(t: dict, publisher: str, when: dt.datetime) -> bytes:
    """A department's own table of one year, as one sheet."""
    return workbook([department_layout(t)], f"{t['name']}（{t['year']}年度）{DEPARTMENT_TITLE}", publisher, when)
