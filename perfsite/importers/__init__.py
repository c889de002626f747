"""Importers: existing disclosures (budget-system exports, forms in .xlsx/.xls/.docx/HTML/PDF, text) → projects.

Each importer returns :class:`Imported` projects: the data exactly as a content file would hold
it (Chinese keys, every scalar as text, amounts in 万元) plus every guess it made, each tied to
the place in the data it concerns, so a person can review it in the report and as a YAML comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NodePath = tuple[str | int, ...]
FORMATS = ("auto", "xlsx", "xls", "docx", "html", "pdf", "csv", "text")  # what import --format takes


class ImportError_(Exception):
    """A file that cannot be imported: the message names the file and what was expected."""


@dataclass
class Guess:
    path: NodePath  # where in the project data, e.g. ("绩效指标", "产出", "成本", 0)
    message: str    # in Chinese, what was guessed and why


@dataclass
class Imported:
    data: dict[str, Any]
    origin: str  # "file.xlsx:Sheet1:12" or "seed.txt:157"
    guesses: list[Guess] = field(default_factory=list)
    kind: str = "project"  # or "evaluation": a 项目支出绩效自评表 (importers/evaluation.py), in <年度>/自评/;
    # or "department": a 部门整体支出绩效目标表 (importers/department.py), in <年度>/部门/
    stem: str | None = None  # the file name of a table that has no id (a department's)

    def guess(self, path: NodePath, message: str) -> None:
        self.guesses.append(Guess(path, message))

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def title(self) -> str | None:
        """What the table is of, for the report: its project, or its department."""
        return self.data.get("项目名称") or self.data.get("部门名称")
