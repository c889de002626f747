"""Spreadsheets and CSV files as one thing: a grid of text cells that knows which were merged.

Merged cells matter to the importers: a blank under a merged label is the label (certain), a
blank that was not merged is only probably the label above (a guess to report).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterator, Sequence

from ..source import NotRegular, TooLarge, read_regular
from . import ImportError_


@dataclass(frozen=True, slots=True)
class Cell:
    text: str | None
    merged: bool = False  # covered by a merged range, not its top-left cell


Row = Sequence[Cell]
Grid = list[Row]
EMPTY = Cell(None)

# Bounds on what one input may make import hold (issue 18): far above any real export (a county's
# is well under 1 MB, 10,000 cells), so that a hostile file is refused in seconds, not minutes.
MAX_INPUT_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # an .xlsx's parts unpacked
MAX_CELLS = 5_000_000  # cells of one file's grids, blanks within rows included
_EXCEL_DIGITS = 15  # what Excel keeps of a number; beyond it is binary noise (10.380000000000001)
_EXCEL_ROWS, _EXCEL_COLS = 1_048_576, 16_384  # a sheet's own limits: a row number past them is damage


def norm(text: str | None) -> str:
    """A label as compared: NFKC, no spaces, no colon or asterisk (required-field marks)."""
    if not text:
        return ""
    return re.sub(r"[\s:：*＊]", "", unicodedata.normalize("NFKC", text))


def read_input(path: Path, origin: str) -> bytes:
    """An input file's bytes, refused by name if it is no regular file or too large (a FIFO would
    block the read, /dev/zero fill memory)."""
    if not path.exists() and not path.is_symlink():
        raise ImportError_(f"{origin}: 文件不存在")
    try:
        raw = read_regular(path, MAX_INPUT_BYTES)
    except NotRegular:
        raise ImportError_(f"{origin}: 不是普通文件（管道、设备或目录），不会读取") from None
    except TooLarge as exc:
        raise ImportError_(f"{origin}: 文件过大（{exc}），超过导入上限 {MAX_INPUT_BYTES // 1024 // 1024} MB；"
                           "请按单位或部门分成几个文件导入") from None
    except OSError as exc:
        raise ImportError_(f"{origin}: 无法读取文件：{exc.strerror or exc}") from None
    if not raw:
        raise ImportError_(f"{origin}: 文件是空的")
    return raw


def _clean(text: str) -> str | None:
    """A cell's text: line breaks as \\n whatever wrote them, outer blanks dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def _format_section(number_format: str) -> str:
    """The positive-number part of a format, without quoted text, escapes and [colour]."""
    section = (number_format or "General").split(";")[0]
    return re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", section)


def _number_text(value: int | float, number_format: str) -> str:
    """A number as the cell shows it, without losing a digit of it: the format's decimal places
    pad it (12.5 under 0.00 is 12.50, as printed), a percent format shows 0.95 as 95%, and a
    float is cut at Excel's 15 digits (10.380000000000001 is 10.38)."""
    section = _format_section(number_format)
    if isinstance(value, int) and re.fullmatch(r"0{2,}", section):
        return str(value).zfill(len(section))  # codes stored as numbers with format 0000
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    number = Decimal(format(value, f".{_EXCEL_DIGITS}g")) if isinstance(value, float) else Decimal(value)
    percent = "%" in section
    if percent:
        number *= 100
    shown = re.search(r"\.(0+)", section)
    own = max(0, -number.normalize().as_tuple().exponent)
    places = max(own, len(shown[1]) if shown else 0)
    text = format(number.quantize(Decimal(1).scaleb(-places)) if places else number.to_integral_value(), "f")
    return text + ("%" if percent else "")


def _cell_text(value: object, number_format: str = "General") -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return _number_text(value, number_format)
    return _clean(str(value))


def _damaged(origin: str, exc: BaseException, where: str = "") -> ImportError_:
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return ImportError_(f"{origin}: {where}内容已损坏，无法读取（{detail}）；"
                        "请在 Excel 中打开后另存为 .xlsx 再导入")


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .xls and of encrypted .xlsx
# What zipfile raises for a package whose central directory is damaged (is_zipfile finds only the
# end record): a bad entry, a "version" or compression it does not know, a cut member.
ZIP_DAMAGE = (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError)


def _workbook(raw: bytes, origin: str):  # -> openpyxl Workbook (read-only)
    """The workbook, opened read-only (cells streamed, never the declared <dimension> filled in),
    or a refusal that says what the file is instead."""
    import openpyxl

    if raw.startswith(OLE2):
        raise ImportError_(f"{origin}: 是旧版 Excel 97-2003 (.xls) 文件，或设置了打开密码的工作簿（加密的 .xlsx "
                           "也是这种格式），无法读取；请在 Excel 中取消密码并另存为 .xlsx")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise ImportError_(f"{origin}: 不是有效的 .xlsx 文件（不是完整的 zip 压缩包：可能已损坏、没有下载完整，"
                           "或是旧版 .xls）；请在 Excel 中另存为 .xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = archive.namelist()
            # zip reads stop at each member's declared size, so their sum bounds what a zip bomb can unpack
            unpacked = sum(info.file_size for info in archive.infolist())
    except ZIP_DAMAGE as exc:
        raise _damaged(origin, exc) from None
    if "xl/workbook.xml" not in names:
        raise ImportError_(f"{origin}: 是 zip 压缩包，但不是 Excel 工作簿（其中没有 xl/workbook.xml）；"
                           "需要 .xlsx 文件")
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportError_(f"{origin}: 解压后有 {unpacked:,} 字节，超过导入上限 {MAX_UNPACKED_BYTES // 1024 // 1024} MB；"
                           "请只保留项目表所在的工作表，或分成几个文件导入")
    try:
        return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises whatever the damaged parts make it meet
        raise _damaged(origin, exc) from None


def read_xlsx(raw: bytes, origin: str) -> list[tuple[str, Grid]]:
    """Every sheet of a workbook as a grid, merged ranges filled with their top-left value."""
    workbook = _workbook(raw, origin)
    try:
        budget = _Budget(origin)
        return [(sheet.title, _sheet_grid(workbook, sheet, f"工作表「{sheet.title}」", origin, budget))
                for sheet in workbook.worksheets]
    finally:
        workbook.close()


class _Budget:
    """The cells one file may make import hold; a sheet past it is refused with its size."""

    def __init__(self, origin: str) -> None:
        self.origin, self.held = origin, 0

    def take(self, cells: int, where: str, row: int) -> None:
        self.held += cells
        if self.held > MAX_CELLS:
            raise ImportError_(f"{self.origin}: {where}太大：读到第 {row:,} 行时已有 {self.held:,} 个单元格，"
                               f"超过导入上限 {MAX_CELLS:,}；请只保留项目表所在的区域（删去远处的内容），"
                               "或分成几个文件导入")


def _sheet_rows(workbook, sheet, where: str, origin: str, merged: list[str]) -> Iterator[tuple[int, list[dict]]]:
    """(row number, cells present) as the sheet's XML lists them; ``merged`` gets the merged
    ranges once all is read. openpyxl's own row iteration pads every row to the declared
    dimension (a cell at XFD1048576 makes it a billion cells) and its normal mode makes a cell of
    every merged one, so its parser is driven directly, as ReadOnlyWorksheet does."""
    from openpyxl.worksheet._reader import WorkSheetParser

    parser = WorkSheetParser(sheet._get_source(), sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                             date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
    rows = parser.parse()
    while True:
        try:
            number, cells = next(rows)
        except StopIteration:
            break
        except MemoryError:
            raise
        except Exception as exc:  # bad XML, a bad coordinate, a shared string that is not there
            raise _damaged(origin, exc, where) from None
        if not 1 <= number <= _EXCEL_ROWS or any(not 1 <= c["column"] <= _EXCEL_COLS for c in cells):
            raise ImportError_(f"{origin}: {where}第 {number} 行的行号或列号超出 Excel 的范围，文件已损坏；"
                               "请在 Excel 中打开后另存为 .xlsx 再导入")
        yield number, cells
    merged += [m.ref for m in parser.merged_cells.mergeCell] if parser.merged_cells else []


def _number_format(sheet, cell: dict) -> str:
    from openpyxl.cell.read_only import ReadOnlyCell

    try:
        return ReadOnlyCell(sheet, **cell).number_format
    except (IndexError, KeyError, AttributeError):  # a style the workbook does not define
        return "General"


def _sheet_grid(workbook, sheet, where: str, origin: str, budget: _Budget) -> Grid:
    found: dict[int, list[Cell]] = {}
    merged: list[str] = []
    for number, cells in _sheet_rows(workbook, sheet, where, origin, merged):
        texts = {c["column"]: _cell_text(c["value"], _number_format(sheet, c) if isinstance(c["value"], int | float)
                                         else "General") for c in cells if c["value"] is not None}
        texts = {col: text for col, text in texts.items() if text is not None and col >= 1}
        if not texts:
            continue
        row = found.setdefault(number, [])
        width = max(texts)
        budget.take(max(0, width - len(row)), where, number)
        row.extend([EMPTY] * (width - len(row)))
        for col, text in texts.items():
            row[col - 1] = Cell(text)
    rows: Grid = [found.get(n, ()) for n in range(1, max(found, default=0) + 1)]
    _fill_merged(rows, merged, where, origin, budget)
    return rows


def _fill_merged(rows: Grid, refs: list[str], where: str, origin: str, budget: _Budget) -> None:
    """Cells under a merged range take its top-left text, within the rows and columns the sheet
    uses (a range may reach far past them: that emptiness is not filled in)."""
    from openpyxl.utils import range_boundaries

    width = max((len(r) for r in rows), default=0)
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            raise ImportError_(f"{origin}: {where}的合并单元格区域“{ref}”无效；请在 Excel 中打开后另存为 .xlsx") from None
        if min_row > len(rows) or min_col > width:
            continue
        top = rows[min_row - 1][min_col - 1].text if min_col <= len(rows[min_row - 1]) else None
        last_col = min(max_col or min_col, width)
        for r in range(min_row - 1, min(max_row or min_row, len(rows))):
            row = rows[r] if isinstance(rows[r], list) else list(rows[r])
            budget.take(last_col - min_col + 1, where, r + 1)  # Excel's ranges never overlap: a legal area is paid once
            row.extend([EMPTY] * (last_col - len(row)))
            for c in range(min_col - 1, last_col):
                if (r, c) != (min_row - 1, min_col - 1):
                    row[c] = Cell(top, merged=True)
            rows[r] = row


def decode(raw: bytes, origin: str) -> str:
    """UTF-8 (with or without BOM) or GB18030/GBK; anything else is refused with its name."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportError_(f"{origin}: 文件是 UTF-16 编码；请另存为 UTF-8 或 GB18030")
    if b"\x00" in raw:
        raise ImportError_(f"{origin}: 不是文本文件（含有 NUL 字节）；需要 UTF-8 或 GB18030 编码的文本/CSV")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_(f"{origin}: 既不是 UTF-8 也不是 GB18030/GBK 编码的文本；请另存为 UTF-8")


def read_csv(raw: bytes, origin: str) -> Grid:
    """A CSV file as a grid. Line ends may be CRLF, LF or CR alone (old Mac files); a quoted cell
    may hold line breaks, kept as \\n."""
    text = decode(raw, origin)
    sample = text[:65536]
    delimiter = max(",\t;", key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    budget = _Budget(origin)
    rows: Grid = []
    try:
        for row in reader:
            budget.take(len(row), "文件", reader.line_num)
            rows.append([Cell(t) if (t := _clean(c)) else EMPTY for c in row])
    except csv.Error as exc:  # a cell over the csv module's field limit, a stray quote at the end
        raise ImportError_(f"{origin}:{reader.line_num}: 这一行无法按 CSV 读取（{exc}）；请检查引号是否成对，"
                           "或在 Excel 中另存为 .xlsx 导入") from None
    return rows
