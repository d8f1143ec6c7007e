"""年末調整 (year-end adjustment): one employee's year of pay and declarations in, the year's tax out.

Pure: no files, no Excel. `YearRules.for_year` reads the dated tables of `rules/yearend.yaml` for a
年分; `adjust` applies them to an `EmployeeYear` and returns an `Adjustment` whose every figure names
the rule behind it.
"""

from addin.yearend.compute import adjust, adjust_all
from addin.yearend.model import (
    Adjustment,
    EmployeeYear,
    HousingCredit,
    Line,
    Payment,
    Premiums,
    PreviousEmployer,
    Relative,
    RelativeClass,
    Settlement,
    Status,
)
from addin.yearend.rules import YearRules

__all__ = [
    "Adjustment",
    "EmployeeYear",
    "HousingCredit",
    "Line",
    "Payment",
    "Premiums",
    "PreviousEmployer",
    "Relative",
    "RelativeClass",
    "Settlement",
    "Status",
    "YearRules",
    "adjust",
    "adjust_all",
]
