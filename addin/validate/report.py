"""Turn a finding (table, field, row, code) into a located, bilingual Issue."""

from __future__ import annotations

from collections import Counter
from typing import Any

from addin.model import CellError, Issue, Severity, Table
from addin.model.privacy import mask
from addin.validate.messages import render
from addin.validate.schema import ColumnSpec, SheetSpec

#: more than this many issues of one code in one column are summarised, not listed
ISSUES_PER_KIND = 1000


def shown_value(value: Any, spec: ColumnSpec | None) -> str:
    if isinstance(value, CellError):
        return str(value)  # an error value is no one's personal data
    if value is None:
        return ""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return mask(text) if spec is not None and spec.personal else text


class Reporter:
    """Builds issues for one book and keeps count, so a sheet full of one mistake stays readable."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self._seen: Counter = Counter()

    def sheet_issue(
        self,
        book: str,
        sheet: str,
        code: str,
        severity: Severity = Severity.FATAL,
        cell: str = "",
        field: str = "",
        label_ja: str = "",
        label_en: str = "",
        value: str = "",
        other_en: str = "",
        **fmt,
    ) -> None:
        fmt_en = {**fmt, "other": other_en} if other_en else fmt
        self.issues.append(
            Issue(
                book,
                sheet,
                cell,
                field,
                code,
                severity,
                render(code, "ja", book=book, label=label_ja, value=value, **fmt),
                render(code, "en", book=book, label=label_en, value=value, **fmt_en),
                value,
            )
        )

    def cell_issue(
        self,
        table: Table,
        sheet_spec: SheetSpec,
        field: str,
        position: int,
        code: str,
        raw_value: Any = None,
        severity: Severity = Severity.ERROR,
        other_ja: str = "",
        other_en: str = "",
        labels: tuple[str, str] | None = None,
        **fmt,
    ) -> None:
        spec = sheet_spec.columns.get(field)
        kind = (table.book, table.sheet, field, code)
        self._seen[kind] += 1
        if self._seen[kind] > ISSUES_PER_KIND:
            return
        value = shown_value(raw_value, spec)
        label_ja, label_en = labels or ((spec.label_ja, spec.label_en) if spec else (field, field))
        if spec is not None:
            fmt.setdefault("min", spec.min)
            fmt.setdefault("max", spec.max_length if code == "too_long" else spec.max)
            fmt.setdefault("decimals", spec.decimals)
        self.issues.append(
            Issue(
                table.book,
                table.sheet,
                table.cell(field, position),
                field,
                code,
                severity,
                render(code, "ja", label=label_ja, value=value, other=other_ja, **fmt),
                render(code, "en", label=label_en, value=value, other=other_en or other_ja, **fmt),
                value,
            )
        )

    def absorb(self, other: "Reporter") -> None:
        """Take over what `other` found (another book's pass), its counts included."""
        self.issues.extend(other.issues)
        self._seen.update(other._seen)

    def summarise(self) -> list[Issue]:
        """Add one 'and N more' issue for each kind that went over the limit."""
        for (book, sheet, field, _code), count in self._seen.items():
            if count > ISSUES_PER_KIND:
                self.sheet_issue(
                    book, sheet, "too_many", Severity.ERROR, field=field, other=f"{count - ISSUES_PER_KIND:,}"
                )
        return self.issues
