"""A small HTML table reader for tests: cells with their spans, expanded into a grid."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    tag: str
    text: str
    rowspan: int
    colspan: int
    attrs: dict[str, str]
    paragraphs: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: Cell | None = None
        self._para: list[str] | None = None
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "table":
            table = {"attrs": a, "rows": [], "caption": ""}
            self._stack.append(table)
            self.tables.append(table)
        elif tag == "tr" and self._stack:
            self._stack[-1]["rows"].append([])
        elif tag in ("td", "th") and self._stack:
            self._cell = Cell(tag, "", int(a.get("rowspan", 1)), int(a.get("colspan", 1)), a)
            self._stack[-1]["rows"][-1].append(self._cell)
        elif tag == "p" and self._cell is not None:
            self._para = []

    def handle_endtag(self, tag):
        if tag == "table" and self._stack:
            self._stack.pop()
        elif tag in ("td", "th") and self._cell is not None:
            self._cell.text = " ".join(self._cell.text.split())
            self._cell = None
        elif tag == "p" and self._para is not None and self._cell is not None:
            self._cell.paragraphs.append("".join(self._para).strip())
            self._para = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.text += data
        if self._para is not None:
            self._para.append(data)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def expand(rows: list[list[Cell]]) -> list[list[Cell]]:
    """The table as a full grid: a cell with rowspan/colspan fills every slot it covers."""
    grid: dict[tuple[int, int], Cell] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    grid[(r + dr, c + dc)] = cell
            c += cell.colspan
    height = max((r for r, _ in grid), default=-1) + 1
    width = max((c for _, c in grid), default=-1) + 1
    return [[grid.get((r, c)) for c in range(width)] for r in range(height)]
