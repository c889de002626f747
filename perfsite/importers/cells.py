"""Spreadsheets and CSV files as one thing: a grid of text cells that knows which were merged.

Merged cells matter to the importers: a blank under a merged label is the label (certain), a
blank that was not merged is only probably the label above (a guess to report).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import ImportError_


@dataclass(frozen=True)
class Cell:
    text: str | None
    merged: bool = False  # covered by a merged range, not its top-left cell


Grid = list[list[Cell]]


def norm(text: str | None) -> str:
    """A label as compared: NFKC, no spaces, no colon or asterisk (required-field marks)."""
    if not text:
        return ""
    return re.sub(r"[\s:：*＊]", "", unicodedata.normalize("NFKC", text))


def _cell_text(value: object, number_format: str = "General") -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and re.fullmatch(r"0{2,}", number_format or ""):
            return str(value).zfill(len(number_format))  # codes stored as numbers with format 0000
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value).strip()
    return text or None


def read_xlsx(path: Path, origin: str) -> list[tuple[str, Grid]]:
    """Every sheet of a workbook as a grid, merged ranges filled with their top-left value."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportError_(f"{origin}: 不是有效的 .xlsx 文件（无法打开：{type(exc).__name__}），"
                           "可能已损坏或是旧版 .xls；请在 Excel 中另存为 .xlsx") from None
    sheets = []
    for sheet in workbook.worksheets:
        rows = [[Cell(_cell_text(c.value, c.number_format)) for c in row] for row in sheet.iter_rows()]
        for merged in sheet.merged_cells.ranges:
            top = rows[merged.min_row - 1][merged.min_col - 1].text if merged.min_row - 1 < len(rows) else None
            for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(rows[r]))):
                    if (r, c) != (merged.min_row - 1, merged.min_col - 1):
                        rows[r][c] = Cell(top, merged=True)
        sheets.append((sheet.title, rows))
    return sheets


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


def read_csv(path: Path, origin: str) -> Grid:
    text = decode(path.read_bytes(), origin)
    sample = "\n".join(text.splitlines()[:30])
    delimiter = max(",\t;", key=sample.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return [[Cell(c.strip() or None) for c in row] for row in rows]
