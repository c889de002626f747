"""Word (.docx), old Excel (.xls) and web pages (.html) as the same grids cells.py makes of an
.xlsx: one reader per format, merged cells known (a cell a merge covers carries its text with
merged=True), so that form.py and export.py read them as they read a workbook.

A document holds tables, not sheets: the form is often split into a head table (名称, 资金, 目标)
and a grid table (一级…指标值), as Word templates and perfsite's own pages have it. ``joined``
puts such tables together; the text just before a table (its title, 金额单位) is kept as rows
above it, where the interpreters look for the year and the amount unit.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

from . import ImportError_
from .cells import EMPTY, MAX_UNPACKED_BYTES, OLE2, ZIP_DAMAGE, Cell, Grid, _Budget, _cell_text, _clean, _fill_merged, decode
from .fields import field_of

_CONTEXT = 3  # blocks of text before a table kept as its title rows
_MAX_COLSPAN, _MAX_ROWSPAN = 1000, 65534  # what browsers clamp spans to (HTML standard)


@dataclass
class Table:
    title: str  # where it is, for messages: 表格3
    context: Grid  # one-cell rows: the text just before the table, and its caption
    body: Grid


def has_name(grid: Grid) -> bool:
    """The grid names a project (a 项目名称 cell): a table's head, not a part of one."""
    return any(field_of(c.text) == "name" and not c.merged for row in grid for c in row)


def joined(tables: list[Table]) -> list[tuple[str, Grid]]:
    """Each table as a grid, a form's head table joined with the tables after it up to its
    indicator grid (their own titles and captions left out: they would read as goals)."""
    from .department import recognises as is_department
    from .evaluation import has_grid
    from .export import find_header
    from .form import _grid_header

    def complete(grid: Grid) -> bool:  # a target form's grid header, or a 自评表's
        return _grid_header(grid) is not None or has_grid(grid)

    def opens(table: Table, grid: Grid) -> bool:  # a project's head, or a 部门整体 form's (it names no project)
        return has_name(table.body) or is_department(grid)

    out: list[tuple[str, Grid]] = []
    head: tuple[str, Grid] | None = None
    for table in tables:
        grid = table.context + table.body
        if head is not None and not opens(table, grid) and find_header(grid) is None:
            head = (head[0], head[1] + table.body)
            if complete(head[1]):
                out.append(head)
                head = None
            continue
        head = None
        if opens(table, grid) and not complete(grid) and find_header(grid) is None:
            head = (table.title, grid)
        else:
            out.append((table.title, grid))
    return out


def _title_rows(texts: list[str]) -> Grid:
    return [[Cell(t)] for t in texts if t]


def _damaged(origin: str, what: str, exc: BaseException, advice: str) -> ImportError_:
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return ImportError_(f"{origin}: {what}内容已损坏，无法读取（{detail[:200]}）；{advice}")


def ole2_kind(raw: bytes) -> str | None:
    """What a compound (OLE2) file holds, by its directory's stream names: 'xls', 'doc',
    'encrypted' (a password-protected .xlsx or .docx is such a file) or 'unknown'."""
    if not raw.startswith(OLE2):
        return None
    names = {name: name.encode("utf-16-le") in raw for name in ("EncryptionInfo", "WordDocument", "Workbook", "Book")}
    if names["EncryptionInfo"]:
        return "encrypted"
    if names["WordDocument"]:
        return "doc"
    return "xls" if names["Workbook"] or names["Book"] else "unknown"


# ---- .docx -------------------------------------------------------------------------------------

_DOCX_ADVICE = "请在 Word 中打开后另存为 .docx 再导入"


def read_docx(raw: bytes, origin: str) -> list[Table]:
    """Every table of a Word document, nested ones included, in document order."""
    import docx
    from docx.oxml.ns import qn

    kind = ole2_kind(raw)
    if kind == "doc":
        raise ImportError_(f"{origin}: 是旧版 Word 97-2003 (.doc) 文件，无法读取；请在 Word 中另存为 .docx 再导入")
    if kind is not None:
        raise ImportError_(f"{origin}: 是设置了打开密码的文档，无法读取；请在 Word 中取消密码后另存为 .docx")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise ImportError_(f"{origin}: 不是有效的 .docx 文件（不是完整的 zip 压缩包：可能已损坏或没有下载完整）；{_DOCX_ADVICE}")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names, unpacked = archive.namelist(), sum(info.file_size for info in archive.infolist())
    except ZIP_DAMAGE as exc:
        raise _damaged(origin, "", exc, _DOCX_ADVICE) from None
    if "word/document.xml" not in names:
        raise ImportError_(f"{origin}: 是 zip 压缩包，但不是 Word 文档（其中没有 word/document.xml）；需要 .docx 文件")
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportError_(f"{origin}: 解压后有 {unpacked:,} 字节，超过导入上限 {MAX_UNPACKED_BYTES // 1024 // 1024} MB；"
                           "请只保留项目表，或分成几个文件导入")
    try:
        body = docx.Document(io.BytesIO(raw)).element.body
    except MemoryError:
        raise
    except Exception as exc:  # python-docx and lxml raise whatever the damaged parts make them meet
        raise _damaged(origin, "", exc, _DOCX_ADVICE) from None
    budget = _Budget(origin)
    tables: list[Table] = []
    before: list[str] = []
    try:
        # in document order, content controls (w:sdt) and tables inside cells included
        for element in body.iter(qn("w:p"), qn("w:tbl")):
            outer = next(element.iterancestors(qn("w:tbl")), None)
            if element.tag == qn("w:p"):
                if outer is None:
                    before.append(_paragraph_text(element))
                continue
            title = f"表格{len(tables) + 1}"
            context = _title_rows([t for t in before if t][-_CONTEXT:]) if outer is None else []
            tables.append(Table(title, context, _docx_grid(element, title, budget)))
            if outer is None:
                before = []
    except (ImportError_, MemoryError):
        raise
    except Exception as exc:
        raise _damaged(origin, "", exc, _DOCX_ADVICE) from None
    return tables


def _paragraph_text(p) -> str:
    """A paragraph's text as Word shows it: its w:t runs (in hyperlinks and content controls
    too; deleted revisions and field codes are not w:t), tabs, and line breaks as \\n."""
    from docx.oxml.ns import qn

    marks = {qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}
    text = "".join(el.text or "" if el.tag == qn("w:t") else marks[el.tag]
                   for el in p.iter(qn("w:t"), *marks) if el.getparent().tag == qn("w:r"))  # not tab stops
    return _clean(text) or ""


def _docx_grid(tbl, where: str, budget: _Budget) -> Grid:
    """A table's rows as cells: a cell spanning columns (gridSpan) fills them, merged; a cell
    continuing a vertical merge (vMerge) is the text of the cell above, merged."""
    from docx.oxml.ns import qn

    rows: Grid = []
    for number, tr in enumerate(tbl.iterchildren(qn("w:tr")), start=1):
        row: list[Cell] = []
        before = tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}")
        row.extend([EMPTY] * _int(before, 0, _MAX_COLSPAN))
        for tc in tr.iterchildren(qn("w:tc")):
            props = tc.find(qn("w:tcPr"))
            span = _int(props.find(qn("w:gridSpan")) if props is not None else None, 1, _MAX_COLSPAN)
            vmerge = props.find(qn("w:vMerge")) if props is not None else None
            col = len(row)
            if vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue":
                above = rows[-1][col] if rows and col < len(rows[-1]) else EMPTY
                first = Cell(above.text, merged=above.text is not None)
            else:
                texts = [_paragraph_text(p) for p in tc.iter(qn("w:p"))
                         if next(p.iterancestors(qn("w:tbl")), None) is tbl]  # not those of a table inside
                first = Cell(_clean("\n".join(t for t in texts if t)))
            budget.take(span, where, number)
            row.append(first)
            row.extend([Cell(first.text, merged=True) if first.text else EMPTY] * (span - 1))
        rows.append(row)
    return rows


def _int(element, default: int, most: int) -> int:
    from docx.oxml.ns import qn

    if element is None:
        return default
    try:
        return max(1 if default else 0, min(int(element.get(qn("w:val"), default)), most))
    except ValueError:
        return default


# ---- .xls --------------------------------------------------------------------------------------

_XLS_ADVICE = "请在 Excel 中打开后另存为 .xlsx 再导入"


def read_xls(raw: bytes, origin: str) -> list[tuple[str, Grid]]:
    """Every sheet of an Excel 97-2003 workbook as a grid, merged ranges filled as in an .xlsx."""
    import xlrd

    if ole2_kind(raw) == "encrypted":
        raise ImportError_(f"{origin}: 是设置了打开密码的工作簿（加密的 .xlsx 也是这种格式），无法读取；"
                           "请在 Excel 中取消密码并另存为 .xlsx")
    if ole2_kind(raw) == "doc":
        raise ImportError_(f"{origin}: 是 Word 97-2003 (.doc) 文件，不是 Excel 工作簿；请在 Word 中另存为 .docx 再导入")
    try:
        book = xlrd.open_workbook(file_contents=raw, formatting_info=True, on_demand=True, logfile=io.StringIO())
    except MemoryError:
        raise
    except Exception as exc:  # xlrd.XLRDError, struct.error, IndexError … on a damaged file
        if "encrypted" in str(exc).lower():
            raise ImportError_(f"{origin}: 是设置了打开密码的工作簿，无法读取；请在 Excel 中取消密码并另存为 .xlsx") from None
        raise _damaged(origin, "", exc, _XLS_ADVICE) from None
    budget = _Budget(origin)
    sheets = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            where = f"工作表「{sheet.name}」"
            sheets.append((sheet.name, _xls_grid(book, sheet, where, origin, budget)))
            book.unload_sheet(index)
    except (ImportError_, MemoryError):
        raise
    except Exception as exc:
        raise _damaged(origin, "", exc, _XLS_ADVICE) from None
    finally:
        book.release_resources()
    return sheets


def _xls_grid(book, sheet, where: str, origin: str, budget: _Budget) -> Grid:
    from openpyxl.utils import get_column_letter

    rows: Grid = []
    for r in range(sheet.nrows):
        cells = sheet.row(r)
        texts = [_xls_text(book, sheet, cell, r, c) for c, cell in enumerate(cells)]
        while texts and texts[-1] is None:
            texts.pop()
        budget.take(len(texts), where, r + 1)
        rows.append([Cell(t) if t is not None else EMPTY for t in texts])
    while rows and not rows[-1]:
        rows.pop()
    refs = [f"{get_column_letter(clo + 1)}{rlo + 1}:{get_column_letter(chi)}{rhi}"
            for rlo, rhi, clo, chi in sheet.merged_cells if rhi > rlo and chi > clo]
    _fill_merged(rows, refs, where, origin, budget)
    return rows


def _xls_text(book, sheet, cell, r: int, c: int) -> str | None:
    import xlrd

    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if kind == xlrd.XL_CELL_DATE:
        try:
            return _cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return _cell_text(cell.value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return _cell_text(bool(cell.value))
    if kind == xlrd.XL_CELL_NUMBER:
        value = cell.value
        if float(value).is_integer() and abs(value) < 2 ** 53:
            value = int(value)  # .xls keeps every number as a float: 9.0 is the 9 it shows
        try:
            xf = book.xf_list[sheet.cell_xf_index(r, c)]
            number_format = book.format_map[xf.format_key].format_str
        except (IndexError, KeyError, AttributeError):
            number_format = "General"
        return _cell_text(value, number_format)
    return _cell_text(str(cell.value))


# ---- .html -------------------------------------------------------------------------------------

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}


def html_text(raw: bytes, origin: str) -> str:
    """A page's text: its BOM, else its <meta charset> (GB2312 and GBK read as GB18030, their
    superset), else UTF-8 or GB18030 as decode() finds."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    match = _CHARSET.search(raw[:4096])
    if match:
        declared = match[1].decode("ascii").lower()
        encoding = "gb18030" if declared in _GB else declared
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(raw, origin)


_BLOCK = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header",
          "footer", "nav", "main", "aside", "blockquote", "pre", "dd", "dt", "dl", "form", "center", "hr", "address"}
_SKIP = {"script", "style", "template", "noscript", "head", "title"}
_SPACE = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses (not &nbsp; nor the ideographic space)
_BREAK = "\x1f"  # a <br> or a block's edge in a cell's text, apart from the source's own line breaks


@dataclass
class _Raw:
    rowspan: int
    colspan: int
    parts: list[str]
    since: int = 0  # parts before this are above a table nested in the cell, or inside it


class _Page(HTMLParser):
    """Every <table> with its rows of cells (their spans as written), the caption and the text
    before each outermost table; a nested table's text is its own, not its cell's."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[_Raw]]]] = []  # (title texts, rows)
        self._open: list[dict] = []  # the tables being read, innermost last
        self._skip = 0
        self._blocks: list[str] = [""]  # text outside every table, by block

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
            return
        if tag == "table":
            outer = self._open[-1]["cell"] if self._open else None
            blocks = self._blocks if not self._open else \
                "".join(outer.parts[outer.since:]).split(_BREAK) if outer is not None else []
            title = [t for b in blocks if (t := _inline(b))][-_CONTEXT:]  # a layout table's cell holds the title
            if not self._open:
                self._blocks = [""]
            table = {"rows": [], "cell": None, "caption": None, "outer": outer}
            self.tables.append((title, table["rows"]))
            table["title"] = title
            self._open.append(table)
            return
        table = self._open[-1] if self._open else None
        if table is None:
            if tag in _BLOCK or tag == "br":
                self._blocks.append("")
            return
        if tag in ("tr", "td", "th"):
            self._end_caption(table)
        if tag == "tr":
            table["cell"] = None
            table["rows"].append([])
        elif tag in ("td", "th"):
            if not table["rows"]:
                table["rows"].append([])
            a = dict(attrs)
            cell = _Raw(_span(a.get("rowspan"), 1, _MAX_ROWSPAN), _span(a.get("colspan"), 1, _MAX_COLSPAN), [])
            table["rows"][-1].append(cell)
            table["cell"] = cell
        elif tag == "caption":
            table["caption"] = []
        elif tag == "br" or tag in _BLOCK:
            self._write(table, _BREAK)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _SKIP:
            self._skip -= 1

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if not self._open:
            if tag in _BLOCK:
                self._blocks.append("")
            return
        table = self._open[-1]
        if tag == "table":
            self._end_caption(table)
            self._open.pop()
            if table["outer"] is not None:
                table["outer"].since = len(table["outer"].parts)
        elif tag in ("td", "th"):
            table["cell"] = None
        elif tag == "tr":
            table["cell"] = None
        elif tag == "caption":
            self._end_caption(table)
        elif tag in _BLOCK:
            self._write(table, _BREAK)

    def handle_data(self, data):
        if self._skip:
            return
        if not self._open:
            self._blocks[-1] += data
            return
        self._write(self._open[-1], data)

    @staticmethod
    def _end_caption(table: dict) -> None:
        if table["caption"] is not None:
            table["title"].append(_inline("".join(table["caption"]).replace(_BREAK, " ")))
            table["caption"] = None

    @staticmethod
    def _write(table: dict, text: str) -> None:
        if table["caption"] is not None:
            table["caption"].append(text)
        elif table["cell"] is not None:
            table["cell"].parts.append(text)


def _span(text: str | None, default: int, most: int) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        return default
    return min(value, most) if value >= 0 else default  # rowspan=0: to the end of the table


def _inline(text: str) -> str:
    return _SPACE.sub(" ", text).replace("\xa0", " ").strip()


def _cell(parts: list[str]) -> str | None:
    """A cell's text as a browser shows it: runs of blanks as one space, <br> and blocks as line
    breaks, &nbsp; as a space."""
    lines = [_inline(line) for line in "".join(parts).split(_BREAK)]
    return "\n".join(line for line in lines if line) or None


def read_html(raw: bytes, origin: str) -> list[Table]:
    page = _Page()
    try:
        page.feed(html_text(raw, origin))
        page.close()
    except (ImportError_, MemoryError):
        raise
    except Exception as exc:  # html.parser is lenient; this is for what it still cannot take
        raise _damaged(origin, "网页", exc, "请在浏览器中打开后另存为网页（仅 HTML）再导入") from None
    budget = _Budget(origin)
    tables = []
    for index, (title, rows) in enumerate(page.tables, start=1):
        where = f"表格{index}"
        tables.append(Table(where, _title_rows(title), _expand(rows, where, budget)))
    return tables


def _expand(rows: list[list[_Raw]], where: str, budget: _Budget) -> Grid:
    """The table as a full grid: a cell fills every slot its rowspan/colspan covers (within the
    table's own rows), the slots after its first as merged."""
    taken: dict[tuple[int, int], Cell] = {}
    for r, row in enumerate(rows):
        c = 0
        for raw in row:
            while (r, c) in taken:
                c += 1
            text = _cell(raw.parts)
            down = len(rows) - r if raw.rowspan == 0 else min(raw.rowspan, len(rows) - r)
            across = max(raw.colspan, 1)
            budget.take(max(down, 1) * across, where, r + 1)
            for dr in range(max(down, 1)):
                for dc in range(across):
                    if (r + dr, c + dc) not in taken:
                        taken[(r + dr, c + dc)] = Cell(text) if (dr, dc) == (0, 0) else \
                            Cell(text, merged=True) if text else EMPTY
            c += across
    grid: Grid = [[] for _ in rows]
    for (r, c), cell in sorted(taken.items()):
        row = grid[r]
        row.extend([EMPTY] * (c - len(row)))
        row.append(cell)
    return grid

