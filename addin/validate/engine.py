"""One validation pass over grids already read: locate, normalise, column, row and cross-sheet rules.

Checks run as separate passes (beancount-style) and every finding becomes an Issue with its cell;
nothing is raised one at a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from addin.model import Grid, Issue, IssueList, Table
from addin.validate.columns import normalize_table
from addin.validate.cross import Tables, check_cross_rules, check_references
from addin.validate.headers import locate
from addin.validate.report import Reporter
from addin.validate.rows import check_rows
from addin.validate.schema import BookSpec, SheetSpec


@dataclass
class Validation:
    """What a validation pass leaves: typed tables for the engines, and the issues."""

    tables: dict[tuple[str, str], Table] = field(default_factory=dict)
    raw: dict[tuple[str, str], Table] = field(default_factory=dict)
    issues: IssueList = field(default_factory=IssueList)

    def table(self, book: str, sheet: str) -> Table | None:
        return self.tables.get((book, sheet))


def check_sheet(grid: Grid, spec: SheetSpec, reporter: Reporter) -> tuple[Table, Table] | None:
    """(typed, raw) tables of one sheet, or None when it cannot be used (fatal issues reported)."""
    raw = locate(grid, spec, reporter)
    if raw is None:
        return None
    typed = normalize_table(raw, spec, reporter)
    check_rows(typed, spec, raw, reporter)
    # kept without its factorisation (Table.distinct): it served this pass; kept, it is a code per cell
    return typed, raw.with_frame(raw.frame)


def check_across(tables: Tables, books: dict[str, BookSpec], reporter: Reporter) -> None:
    check_references(tables, books, reporter)
    check_cross_rules(tables, books, reporter)


def finish(tables: Tables, reporter: Reporter, extra: Sequence[Issue] = ()) -> Validation:
    result = Validation()
    for key, (typed, raw) in tables.items():
        result.tables[key] = typed
        result.raw[key] = raw
    result.issues.extend(extra)
    result.issues.extend(sorted(reporter.summarise(), key=_reading_order))
    return result


def _reading_order(issue: Issue) -> tuple:
    """Book, sheet, then row and column as a person scans a sheet; whole-sheet issues first."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", issue.cell or "")
    row, width, letters = (int(match[2]), len(match[1]), match[1]) if match else (0, 0, "")
    return issue.book, issue.sheet, row, width, letters
