"""`stock --as-of` on each side of the demo's edges: before any movement, the first movement, the day
before / of / after the count date. Each runs to a report (never an internal error)."""

from __future__ import annotations

from datetime import date

import pytest

from addin.services.company import load_company
from addin.services.stock import run_stock

FIRST_MOVEMENT, COUNT_DATE = date(2025, 4, 5), date(2026, 3, 31)


@pytest.fixture(scope="module")
def company(demo_template):
    return load_company(demo_template)


@pytest.mark.parametrize(
    "as_of", [date(2025, 4, 4), FIRST_MOVEMENT, date(2025, 4, 6), date(2026, 3, 30), COUNT_DATE, date(2026, 4, 1)]
)
def test_stock_as_of_each_edge(company, as_of):
    run = run_stock(company, as_of, write=False)
    assert run.exit_code in (0, 1) and run.report["as_of"] == as_of.isoformat()
    counted = run.report["counts"]
    if as_of < COUNT_DATE:
        assert counted == []  # a count after the date is not yet known
    if as_of < FIRST_MOVEMENT:
        assert run.report["items"] == [] and run.report["total_value"] == 0
    else:
        assert run.report["total_value"] > 0
