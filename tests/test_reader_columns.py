"""No column is dropped without an issue, and the property behind the whole corpus: the demo staff
book with columns renamed (units, notes in brackets), error values and totals rows sprinkled in is
paid exactly like the plain demo, or refused naming every damaged cell."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.model import column_letter
from addin.services.company import load_company
from addin.validate import Reporter, check_sheet
from addin.workbook import open_book
from tests.reader_corpus import ATTENDANCE, ERROR_VALUES, STAFF, edit, error_cell, figures, payroll_book, replace_cells


@pytest.fixture(scope="module")
def demo_grids(demo_template):
    """Every sheet of every demo book, read once: (spec, grid)."""
    company = load_company(demo_template)
    found = []
    for spec in company.books.values():
        book = open_book(demo_template / spec.file)
        for sheet in spec.sheets.values():
            name = next((n for n in book.sheet_names() if n in sheet.names), None)
            if name is not None:
                found.append((sheet, book.read_sheet(name)))
    assert len(found) >= 10
    return found


def test_every_column_of_every_demo_sheet_is_read_or_reported(demo_grids):
    """Rename any header to a word no schema knows: the column is reported at its header cell
    (or, for a required column, as missing) — never silently left out."""
    checked = 0
    for spec, grid in demo_grids:
        header = grid.rows[0]
        for offset, title in enumerate(header):
            if title in ("", None):
                continue
            renamed = [list(r) for r in grid.rows]
            renamed[0][offset] = f"ＱＸ列{offset}"
            reporter = Reporter()
            result = check_sheet(
                type(grid)(grid.book, grid.sheet, renamed, grid.first_row, grid.first_col), spec, reporter
            )
            cell = f"{column_letter(grid.first_col + offset)}{grid.first_row}"
            at_cell = [i for i in reporter.issues if i.cell == cell and i.code.startswith("unknown")]
            missing = [i for i in reporter.issues if i.code == "column_missing"]
            assert at_cell or missing, f"{grid.sheet}!{cell} {title} dropped without an issue"
            if result is not None:
                typed, _ = result
                assert len(typed.frame.columns) == len(spec.columns)
            checked += 1
    assert checked > 60


def test_a_column_added_anywhere_is_reported(demo_grids):
    for spec, grid in demo_grids:
        rows = [list(r) + [""] for r in grid.rows]
        rows[0][-1] = "社内管理番号（旧）"
        reporter = Reporter()
        check_sheet(type(grid)(grid.book, grid.sheet, rows, grid.first_row, grid.first_col), spec, reporter)
        cell = f"{column_letter(grid.first_col + len(rows[0]) - 1)}{grid.first_row}"
        assert [i.code for i in reporter.issues if i.cell == cell] == ["unknown_column"], grid.sheet


# --- the property -------------------------------------------------------------------------------

#: staff columns (header cell, alias) that change pay, and attendance ones
MONEY = [("K1", "基本給"), ("M1", "通勤手当"), ("T1", "住民税月額"), ("P1", "標準報酬月額")]
NOTES = ["（月額）", "(円)", " [円]", "【必須】", "（税込）", "(JPY)"]
ERROR_CELLS = [(STAFF, f"{c}{r}") for c in "KMTP" for r in range(2, 52)] + [
    (ATTENDANCE, f"{c}{r}") for c in "CDEG" for r in range(2, 40)
]
UNKNOWN = [
    (STAFF, "M1", "通勤費"),
    (STAFF, "T1", "住民税（円）額"),
    (ATTENDANCE, "E1", "残業"),
    (STAFF, "K1", "基本給与額"),
]

mutations = st.fixed_dictionaries(
    {
        "renamed": st.lists(
            st.tuples(st.sampled_from(MONEY), st.sampled_from(NOTES)), max_size=3, unique_by=lambda t: t[0]
        ),
        "errors": st.lists(
            st.tuples(st.sampled_from(ERROR_CELLS), st.sampled_from(ERROR_VALUES)), max_size=2, unique_by=lambda t: t[0]
        ),
        "totals": st.sampled_from([None, "合計", "小計", "Total", "計 "]),
        "unknown": st.one_of(st.none(), st.sampled_from(UNKNOWN)),
    }
)


@pytest.fixture(scope="module")
def plain(demo_template):
    return figures(demo_template)[0]


@pytest.fixture(scope="module")
def payroll_staff(demo_template, tmp_path_factory):
    """The staff book a month's payroll reads (reader_corpus.payroll_book): what each example rewrites."""
    return payroll_book(demo_template / "staff.xlsx", tmp_path_factory.mktemp("payroll-book") / "staff.xlsx")


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(change=mutations)
def test_payroll_is_the_plain_demo_or_refused_at_the_cell(
    demo_template, payroll_staff, plain, tmp_path_factory, change
):
    root = tmp_path_factory.mktemp("mutated")
    shutil.copyfile(payroll_staff, root / "staff.xlsx")
    shutil.copyfile(demo_template / "backoffice.toml", root / "backoffice.toml")
    staff = root / "staff.xlsx"
    unknown = change["unknown"]
    renamed = [
        (cell, alias + note)
        for (cell, alias), note in change["renamed"]
        if not (unknown and unknown[1] == cell and unknown[0] == STAFF)
    ]

    def apply(wb):
        for cell, title in renamed:
            wb[STAFF][cell] = title
        if unknown:
            wb[unknown[0]][unknown[1]] = unknown[2]
        if change["totals"]:
            wb[STAFF]["B53"] = change["totals"]
            for col in "KMT":
                wb[STAFF][f"{col}53"] = f"=SUM({col}2:{col}51)"
        for (sheet, cell), _ in change["errors"]:
            wb[sheet][cell] = 1

    edit(staff, apply)
    for sheet in (STAFF, ATTENDANCE):
        errors = {cell: error_cell(cell, value) for (s, cell), value in change["errors"] if s == sheet}
        if errors:
            replace_cells(staff, sheet, errors)
    rows, blocking, _ = figures(staff)
    damaged = {f"{s}!{c}" for (s, c), _ in change["errors"]} | ({f"{unknown[0]}!{unknown[1]}"} if unknown else set())
    if not damaged:
        assert blocking == [] and rows == plain
    else:
        assert rows is None
        assert damaged <= {f"{i.sheet}!{i.cell}" for i in blocking}
