"""An Issue is a value: where a problem is (book, sheet, cell), what it is (code), how bad it is,
and what to tell a person in Japanese and English. Issues are collected, never raised."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum


#: the row of an A1 reference ("D6", "$D$6") or of a whole row ("6:6")
_ROW = re.compile(r"^\$?[A-Z]*\$?(\d+)")


class Severity(str, Enum):
    #: input cannot be used at all (not a workbook, missing sheet or column): exit 2
    FATAL = "fatal"
    #: a value breaks a rule: exit 1
    ERROR = "error"
    #: suspicious but usable; does not change the exit code
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    book: str
    sheet: str
    cell: str  # A1 reference, "" when the issue is about a whole sheet or book
    field: str  # canonical column name, "" when not about one column
    code: str
    severity: Severity
    message_ja: str
    message_en: str
    value: str = ""  # the offending value as typed, already masked when it is personal data

    def message(self, lang: str = "ja") -> str:
        return self.message_en if lang == "en" else self.message_ja

    def location(self) -> str:
        """Excel's own way to name a cell: staff.xlsx!Staff 従業員!H12."""
        parts = [p for p in (self.book, self.sheet, self.cell) if p]
        return "!".join(parts)

    @property
    def row(self) -> int | None:
        """The Excel row of the cell ("D6" → 6, a whole row "6:6" → 6), None for a sheet or a book."""
        found = _ROW.match(self.cell)
        return int(found[1]) if found else None

    def to_record(self, lang: str = "ja") -> dict:
        record = asdict(self)
        record["severity"] = self.severity.value
        record["message"] = self.message(lang)
        return record


def fatal(where: str, code: str, message_ja: str, message_en: str) -> Issue:
    """An issue about a whole file (settings, rules, the register) that stops a run: exit 2."""
    return Issue(where, "", "", "", code, Severity.FATAL, message_ja, message_en)


def rows_in_error(issues: Iterable[Issue], book: str, sheet: str) -> set[int]:
    """The Excel rows of a sheet with an error at one of their cells: left out of what is computed from
    the sheet, so that the rest is computed (each of them is reported with its cell)."""
    return {i.row for i in issues if i.severity is Severity.ERROR and i.book == book and i.sheet == sheet and i.row}


def in_a_line(issues: Sequence[Issue], lang: str = "ja", most: int = 3) -> str:
    """The first issues with their cells in one line, for a worksheet cell or a log line."""
    more = f" (+{len(issues) - most})" if len(issues) > most else ""
    return "; ".join(f"{i.location()} {i.message(lang)}" for i in issues[:most]) + more


def exit_code(issues: Iterable[Issue]) -> int:
    """2 when input is unusable, 1 when a rule is broken, else 0 (warnings do not count)."""
    severities = {i.severity for i in issues}
    if Severity.FATAL in severities:
        return 2
    return 1 if Severity.ERROR in severities else 0


@dataclass
class IssueList:
    """Issues in the order found; the exit code follows the worst severity."""

    items: list[Issue] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        self.items.append(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        self.items.extend(issues)

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def count(self, severity: Severity) -> int:
        return sum(1 for i in self.items if i.severity is severity)

    def exit_code(self) -> int:
        return exit_code(self.items)
