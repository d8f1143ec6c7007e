"""The staff book as pay reads it: validated once, its tables, and the issues that stop every pay figure.

One rule for every figure of pay — the month's run, a bonus, the 年末調整, a grade review, the nightly
comparison with closed months, BO_NET_PAY in a cell: any issue that is not a warning stops it before
anything is computed. Past one, the figure would be silently wrong: a salary typed "abc" is read as
empty, and the person's net pay comes out negative rather than refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from addin.model import Issue, Severity, Table
from addin.model.issues import fatal, in_a_line
from addin.validate import Validation
from addin.services.company import Company
from addin.services.validation import BookOpener, open_company_book, validate_company


class StaffUnusable(Exception):
    """No pay figure can be computed from the staff book as it is; `str()` says where to look."""


@dataclass(frozen=True)
class StaffTables:
    """The validated staff book, read once and shared by every period computed from it."""

    staff: Table | None
    attendance: Table | None
    allowances: Table | None
    bonuses: Table | None
    blocking: tuple[Issue, ...] = ()  # every issue found that is not a warning

    @property
    def usable(self) -> bool:
        """Whether pay may be computed from these tables at all."""
        return not self.blocking and self.staff is not None

    def required(self) -> StaffTables:
        """These tables, or StaffUnusable for a caller that has no issue list to add to (the night's checks)."""
        if not self.usable:
            raise StaffUnusable(self.why_not())
        return self

    @classmethod
    def from_validation(cls, checked: Validation) -> StaffTables:
        """From a validation of the staff book alone (`only={"staff"}`): every issue in it is the staff book's."""
        return cls(
            checked.table("staff", "staff"),
            checked.table("staff", "attendance"),
            checked.table("staff", "allowances"),
            checked.table("staff", "bonuses"),
            tuple(i for i in checked.issues if i.severity is not Severity.WARNING),
        )

    @classmethod
    def of(cls, company: Company, opener: BookOpener | None = None) -> StaffTables:
        return cls.from_validation(validate_company(company, opener or open_company_book, only={"staff"}))

    def stopping(self) -> list[Issue]:
        """What stops pay: the blocking issues, or (none found, yet no staff sheet to read) one that says so."""
        if self.usable:
            return []
        return list(self.blocking) or [
            fatal(
                "staff.xlsx",
                "staff_unusable",
                "staff.xlsx を読めません（validate で確認してください）",
                "staff.xlsx cannot be used (see validate)",
            )
        ]

    def why_not(self, lang: str = "ja") -> str:
        """Why no pay can be computed, in a line for a cell: the first issues with their cells."""
        return in_a_line(self.stopping(), lang)
