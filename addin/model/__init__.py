"""Plain data types shared by every room: issues, raw grids and located tables."""

from addin.model.issues import Issue, Severity, IssueList
from addin.model.grid import UNCACHED, CellError, Grid, OutsideCell, UncachedFormula
from addin.model.table import Table, column_letter

__all__ = [
    "Issue",
    "Severity",
    "IssueList",
    "Grid",
    "Table",
    "column_letter",
    "CellError",
    "UncachedFormula",
    "UNCACHED",
    "OutsideCell",
]
