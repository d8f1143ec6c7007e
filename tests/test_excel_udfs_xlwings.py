"""Every worksheet function driven through xlwings' own Windows path (xlwings.udfs.call_udf →
xlwings.conversion → xlwings._xlwindows' value cleaning), with the raw values Excel's COM layer hands
over: 2-D tuples, None for blanks, COM error codes for error cells, floats, pywintypes datetimes, and
VBA's "missing" marker for omitted arguments. See tests/xlwings_windows.py."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from addin.cli import main
from tests.xlwings_windows import COM_ERRORS, MISSING, Caller, PyTime, windows_udfs
from tests.payroll_helpers import demo_staff_copy


def com_date(y, m, d):
    return PyTime(y, m, d, tzinfo=dt.timezone.utc)


def column(*values):
    return tuple((v,) for v in values)


@pytest.fixture(scope="module")
def company(tmp_path_factory, demo_template):
    root = tmp_path_factory.mktemp("excel-xlwings") / "co"
    shutil.copytree(demo_template, root)
    return root


@pytest.fixture(scope="module")
def call():
    with windows_udfs() as run:
        yield run


@pytest.fixture(scope="module")
def here(company):
    """A formula in a saved book of the company (Application.Caller)."""
    return Caller(str(company / "staff.xlsx"), "$F$2")


def test_a_single_cell_arrives_2d_and_gives_the_engines_figure(call, here):
    assert call("BO_WITHHOLDING", 300000.0, 2.0, "甲", com_date(2026, 1, 23), here) == [[4700]]
    assert call("BO_WITHHOLDING", ((300000.0,),), ((2.0,),), (("甲",),), ((com_date(2026, 1, 23),),), here) == [[4700]]
    assert call("BO_WITHHOLDING", 740000.0, 0.0, "乙", "R8.1.23", here) == [[259200]]


def test_every_function_in_excel_shapes(call, here):
    assert call("BO_HEALTH_INSURANCE", 58000.0, "2026-03", com_date(1990, 1, 1), MISSING, here) == [[2856]]
    assert call("BO_NURSING_INSURANCE", 300000.0, "2025-10", com_date(1985, 10, 15), MISSING, here) == [[2385]]
    assert call("BO_NURSING_INSURANCE", 300000.0, "2025-09", com_date(1985, 10, 15), MISSING, here) == [[0]]
    assert call("BO_PENSION", 1390000.0, "2025-06", here) == [[59475]]
    assert call("BO_EMPLOYMENT_INSURANCE", ((301000.0, 301002.0),), com_date(2025, 7, 25), MISSING, here) == [
        [1655, 1656]
    ]
    assert call("BO_CONSUMPTION_TAX", ((60000.0, 40000.0),), ((10.0, 8.0),), "floor", True, here) == [[5454, 2962]]
    assert call("BO_CONSUMPTION_TAX", 315.0, MISSING, "half_up", MISSING, here) == [[32]]
    assert call("BO_CHECK_MY_NUMBER", column("621498320257", 621498320258.0, None), here) == [[True], [False], [""]]
    assert call("BO_CHECK_REGISTRATION", (("T7000012050002", "T2835678256246", None),), here) == [[True, False, ""]]
    # xlwings hands a date to COM as a UTC-stamped datetime (_datetime_to_com_time): Excel shows 2025/4/1
    assert call("BO_NORMALIZE", "令和7年4月1日", "date", here) == [[dt.datetime(2025, 4, 1, tzinfo=dt.timezone.utc)]]
    assert call("BO_NORMALIZE", (("¥1,234", "△500"),), "yen", here) == [[1234, -500]]


def test_blank_in_blank_out_and_required_blanks_are_named(call, here):
    rows = call(
        "BO_WITHHOLDING",
        column(300000.0, None, 200000.0),
        column(2.0, None, None),
        "甲",
        column(com_date(2026, 1, 23), None, None),
        here,
    )
    assert rows[1] == [""]  # a blank row stays blank
    assert rows[2][0] == call("BO_WITHHOLDING", 200000.0, 0.0, "甲", MISSING, here)[0][0]  # blank pay date: today
    assert call("BO_CONSUMPTION_TAX", 1000.0, ((None,),), MISSING, MISSING, here)[0][0].startswith(
        "#VALUE! tax_rate が空です"
    )
    assert call("BO_NURSING_INSURANCE", 300000.0, "2025-10", None, MISSING, here)[0][0].startswith(
        "#VALUE! birth_date が空です"
    )
    assert call("BO_PENSION", 300000.0, None, here)[0][0].startswith("#VALUE! premium_month が空です")


def test_error_cells_pass_through_and_bo_ok_tells_results_from_errors(call, here):
    out = call("BO_WITHHOLDING", column(300000.0, COM_ERRORS["#N/A"], "abc"), 0.0, "甲", "2026-01-23", here)
    assert out[1] == ["#N/A taxable"] and out[2][0].startswith("#VALUE! taxable")
    assert call("BO_OK", (tuple(r[0] for r in out) + ("",),), here) == [[True, False, False, True]]
    assert call("BO_WITHHOLDING", ((1.0, 2.0),), ((1.0, 2.0, 3.0),), "甲", "2026-01-23", here)[0][0].startswith(
        "#VALUE!"
    )
    assert call("BO_WITHHOLDING", 300000.0, 0.0, "甲", "2019-01-01", here)[0][0].startswith("#N/A")


def test_functions_that_read_company_books_match_the_command_line(call, here, company, capsys):
    assert main(["payroll", str(company), "--month", "2025-12"]) == 0
    summary = json.loads((company / "out" / "payroll" / "2025-12" / "summary.json").read_text(encoding="utf-8"))
    ids = column(*[e["employee_id"] for e in summary["employees"]])
    assert call("BO_NET_PAY", ids, "2025-12", MISSING, here) == [[e["net_pay"]] for e in summary["employees"]]
    assert main(["stock", str(company), "--as-of", "2026-03-31"]) == 0
    report = json.loads((company / "out" / "stock" / "2026-03-31" / "stock.json").read_text(encoding="utf-8"))
    skus = column(*[i["sku"] for i in report["items"][:20]] + [None])
    assert call("BO_STOCK_ON_HAND", skus, com_date(2026, 3, 31), str(company), here) == [
        [i["on_hand"]] for i in report["items"][:20]
    ] + [[""]]
    capsys.readouterr()


def test_missing_folder_or_book_is_refused(call, here, tmp_path):
    assert call("BO_STOCK_ON_HAND", "S1", MISSING, str(tmp_path / "nowhere"), here)[0][0].startswith(
        "#N/A フォルダがありません"
    )
    assert call("BO_NET_PAY", "E1", "2025-12", str(tmp_path), here)[0][0].startswith("#N/A ブックがありません")
    unsaved = Caller("Book1", "$A$1")  # a new book, never saved
    assert call("BO_STOCK_ON_HAND", "S1", MISSING, MISSING, unsaved)[0][0].startswith("#VALUE! フォルダが分かりません")


def test_the_callers_company_rules_are_honoured(call, tmp_path):
    (tmp_path / "rules" / "schemas").mkdir(parents=True)
    (tmp_path / "rules" / "schemas" / "staff.yaml").write_text(
        "workbooks:\n  staff:\n    sheets:\n      staff:\n        columns:\n          tax_column:\n"
        '            values: {"乙": [従たる給与]}\n',
        encoding="utf-8",
    )
    (tmp_path / "book.xlsx").write_bytes(b"")
    ours = Caller(str(tmp_path / "book.xlsx"))
    elsewhere = Caller(str(tmp_path.parent / "other.xlsx"))
    assert call("BO_WITHHOLDING", 740000.0, 0.0, "従たる給与", "2026-01-23", ours) == [[259200]]
    assert call("BO_WITHHOLDING", 740000.0, 0.0, "従たる給与", "2026-01-23", elsewhere)[0][0].startswith(
        "#VALUE! column"
    )


def test_function_wizard_sees_a_category_and_japanese_argument_docs(call):
    from addin.excel import udfs  # reloaded with xlwings' real decorators by the fixture

    for fn in udfs.UDFS:
        info = fn.__xlfunc__
        assert info["category"] == "backoffice"
        docs = [a["doc"] for a in info["args"] if a["name"] != "caller"]
        assert docs and all(not d.startswith("Positional argument") for d in docs), fn.__name__
        assert all(
            a["options"].get("ndim") == 2 and a["options"].get("err_to_str")
            for a in info["args"]
            if a["name"] != "caller"
        ), fn.__name__
        # results go back as cells.result made them, except where they may hold dates (xlwings converts those)
        assert info["ret"]["options"] == ({} if fn.__name__ == "BO_NORMALIZE" else udfs.RET_OPTIONS), fn.__name__
        assert any("\u3040" <= ch <= "\u9fff" for ch in info["ret"]["doc"]), fn.__name__


def test_results_reach_com_as_plain_values_blank_and_error_cells_included(call, here):
    """With xlwings' writer skipped, every cell must already be what COM takes: int, float, bool or text
    (a None would show as 0 in a spilled array)."""
    na = COM_ERRORS["#N/A"]
    results = [
        call("BO_WITHHOLDING", column(300000.0, None, na, "x"), 0.0, "甲", "2026-01-23", here),
        call("BO_HEALTH_INSURANCE", column(300000.0, None, na), "2026-04", com_date(1980, 1, 1), MISSING, here),
        call("BO_PENSION", column(300000.0, None), "2026-04", here),
        call("BO_EMPLOYMENT_INSURANCE", column(300000.0, None), com_date(2026, 1, 23), MISSING, here),
        call("BO_CONSUMPTION_TAX", column(1000.0, None, na), 10.0, MISSING, MISSING, here),
        call("BO_CHECK_MY_NUMBER", column("621498320257", None, na), here),
        call("BO_OK", column(1.0, None, "#N/A x"), here),
        call("BO_KYUYO_SHOTOKU", column(3000000.0, None, 2.5), 2026.0, here),
        call("BO_NENCHO_TAX", column(3000000.0, None), 450000.0, 2026.0, *(MISSING,) * 7, here),
    ]
    for rows in results:
        assert all(type(cell) in (int, float, bool, str) for row in rows for cell in row), rows
    assert results[0] == [
        [call("BO_WITHHOLDING", 300000.0, 0.0, "甲", "2026-01-23", here)[0][0]],
        [""],
        ["#N/A taxable"],
        ["#VALUE! taxable: 'x'"],
    ]
    assert results[7][2][0].startswith("#VALUE! pay")  # 2.5 yen is not a whole amount, even in a column of numbers


def test_equal_values_of_different_types_are_read_apart(call, here):
    """TRUE, 1 and 1.0 are equal in Python; a range holding them is still read cell by cell."""
    assert call("BO_NORMALIZE", ((1.0, True, 0.0, False),), "integer", here) == [
        [1, "#VALUE! integer: True", 0, "#VALUE! integer: False"]
    ]


def test_company_figures_follow_the_book_the_lookup_finds(call, tmp_path, demo_template):
    root, wb, staff, header = demo_staff_copy(tmp_path, demo_template)
    here = Caller(str(root / "staff.xlsx"))
    who = staff.cell(2, header.index("社員番号") + 1).value
    before = call("BO_NET_PAY", who, "2025-12", MISSING, here)[0][0]
    assert isinstance(before, int)
    salary = staff.cell(2, header.index("基本給") + 1)
    salary.value = int(salary.value) + 10000
    wb.save(root / "staff.xlsx")  # the book changed: recomputed
    after = call("BO_NET_PAY", who, "2025-12", MISSING, here)[0][0]
    assert isinstance(after, int) and after > before
    (root / "staff.xlsx").unlink()  # and a book that is gone is refused
    assert call("BO_NET_PAY", who, "2025-12", MISSING, here)[0][0].startswith("#N/A ブックがありません")


# --- year-end adjustment: the worked examples of rules/jp/test_vectors_year.csv ----------------------


def _vectors() -> list[dict]:
    """The 年末調整 examples with pay, tax withheld and social insurance only (what BO_NENCHO_TAX takes
    without declarations): inputs and expected figures as numbers by their CSV names."""
    import csv
    import re
    from tests.conftest import ROOT

    out = []
    with open(ROOT / "rules" / "jp" / "test_vectors_year.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            given = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(-?\d+)", row["inputs"]))
            expected = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(-?\d+)", row["expected"]))
            if (
                row["id"].startswith("NENCHO")
                and {"kyuyo", "shakai_hoken"} <= set(given) <= {"kyuyo", "choshu", "shakai_hoken"}
                and "nenchou_nenzei" in expected
            ):
                out.append({"year": int(row["year"]), **given, **expected})
    return out


def test_year_end_functions_give_the_worked_examples(call, here):
    vectors = _vectors()
    assert len(vectors) >= 5  # R7 and R8, refund and shortfall
    years = column(*[float(v["year"]) for v in vectors])
    pay = column(*[float(v["kyuyo"]) for v in vectors])
    assert call("BO_KYUYO_SHOTOKU", pay, years, here) == [[v["kyuyo_shotoku"]] for v in vectors]
    assert call("BO_BASIC_DEDUCTION", column(*[float(v["kyuyo_shotoku"]) for v in vectors]), years, here) == [
        [v["kiso"]] for v in vectors
    ]
    social, withheld = (
        column(*[float(v["shakai_hoken"]) for v in vectors]),
        column(*[float(v.get("choshu", 0)) for v in vectors]),
    )
    rest = (MISSING,) * 6
    assert call("BO_NENCHO_TAX", pay, social, years, withheld, *rest, here) == [[v["nenchou_nenzei"]] for v in vectors]
    settled = [v for v in vectors if "choshu" in v]
    for v in settled:  # one cell at a time: the scalar path
        figures = [float(v["kyuyo"]), float(v["shakai_hoken"]), float(v["year"]), float(v["choshu"]), *(MISSING,) * 5]
        excess = v.get("kanpu", 0) if v.get("kanpu", 0) > 0 else 0
        shortfall = v.get("fusoku", 0) or (-v["kanpu"] if v.get("kanpu", 0) < 0 else 0)
        assert call("BO_NENCHO_TAX", *figures, "超過額", here) == [[excess]], v
        assert call("BO_NENCHO_TAX", *figures, "shortfall", here) == [[shortfall]], v
        assert call("BO_NENCHO_TAX", *figures, "課税給与所得金額", here) == [[v["kazei"]]], v
    assert any(v.get("fusoku") for v in settled) and any(v.get("kanpu", 0) > 0 for v in settled)
    assert call("BO_KYUYO_SHOTOKU", 7654321.0, 2026.0, here) == [[5788888]]  # KYUYO-SHOTOKU-EX (p.36)


def test_year_end_functions_blank_required_errors_and_years_without_rules(call, here):
    assert call("BO_KYUYO_SHOTOKU", column(4390000.0, None), 2026.0, here) == [[3070400], [""]]
    assert call("BO_KYUYO_SHOTOKU", 4390000.0, None, here)[0][0].startswith("#VALUE! year が空です")
    assert call("BO_KYUYO_SHOTOKU", 4390000.0, 2027.0, here)[0][0].startswith(
        "#N/A 2027年分の年末調整の規則がありません"
    )
    assert call("BO_KYUYO_SHOTOKU", 4390000.0, "R8", here)[0][0].startswith("#VALUE! year")
    assert call("BO_BASIC_DEDUCTION", COM_ERRORS["#N/A"], 2026.0, here) == [["#N/A total_income"]]
    nothing = (MISSING,) * 7
    assert call("BO_NENCHO_TAX", None, None, None, *nothing, here) == [[""]]
    assert call("BO_NENCHO_TAX", 5000000.0, None, 2026.0, *nothing, here)[0][0].startswith(
        "#VALUE! social_insurance が空です"
    )
    assert call("BO_NENCHO_TAX", 20000001.0, 0.0, 2025.0, *nothing, here)[0][0].startswith("#N/A 年末調整の対象外です")
    assert call("BO_NENCHO_TAX", 5000000.0, 0.0, 2025.0, *(MISSING,) * 6, "bogus", here)[0][0].startswith(
        "#VALUE! figure"
    )
    # a spouse, a dependant and premiums only lower the tax (the engine's own rules: tests/test_yearend_engine.py)
    alone = call("BO_NENCHO_TAX", 5000000.0, 720000.0, 2026.0, *nothing, here)[0][0]
    family = call(
        "BO_NENCHO_TAX", 5000000.0, 720000.0, 2026.0, MISSING, 0.0, 1.0, 80000.0, 50000.0, MISSING, MISSING, here
    )[0][0]
    assert family < alone == 91800


# --- the books: balances of the posted journal ---------------------------------------------------------


@pytest.fixture(scope="module")
def booked(tmp_path_factory, demo_template):
    """The demo with April and May's invoices issued and April posted to the journal."""
    from datetime import date
    from addin.services.books import run_books
    from addin.services.company import load_company
    from addin.services.invoicing import run_invoices

    root = tmp_path_factory.mktemp("excel-books") / "co"
    shutil.copytree(demo_template, root)
    company = load_company(root)
    assert run_invoices(company, date(2025, 5, 31)).exit_code == 0
    april = run_books(company, date(2025, 4, 1), date(2025, 4, 30), write=False)
    assert april.exit_code == 0
    return root, april


def test_account_balances_are_the_trial_balance_and_follow_new_postings(call, booked):
    from datetime import date
    from addin.services.books import run_books
    from addin.services.company import load_company

    root, april = booked
    here = Caller(str(root / "sales.xlsx"))
    rows = [r for r in april.balances if r.closing]
    assert len(rows) >= 3
    by_code = column(*[float(r.code) for r in rows])  # a code typed as a number
    assert call("BO_ACCOUNT_BALANCE", by_code, com_date(2025, 4, 30), MISSING, MISSING, here) == [
        [r.closing] for r in rows
    ]
    assert call("BO_ACCOUNT_BALANCE", column(*[r.name for r in rows], None), "2025-04-30", MISSING, MISSING, here) == [
        [r.closing] for r in rows
    ] + [[""]]
    from addin.books.ledger import sub_balances
    from addin.state.journal import JournalStore

    store = JournalStore(root / ".backoffice" / "state.db")
    subs = {
        sub: v
        for (account, sub), v in sub_balances(store.entries(), date(2025, 4, 30)).items()
        if account == "accounts_receivable"
    }
    store.close()
    customers = sorted(subs)[:5]
    assert call("BO_ACCOUNT_BALANCE", "売掛金", "2025-04-30", column(*customers), MISSING, here) == [
        [subs[c]] for c in customers
    ] and sum(subs.values()) == next(r.closing for r in rows if r.account == "accounts_receivable")
    later = call("BO_ACCOUNT_BALANCE", "売掛金", com_date(2025, 12, 31), MISSING, MISSING, here)[0][0]
    may = run_books(load_company(root), date(2025, 5, 1), date(2025, 5, 31), write=False)  # more is posted
    receivable = next(r.closing for r in may.balances if r.account == "accounts_receivable")
    after = call("BO_ACCOUNT_BALANCE", "売掛金", com_date(2025, 12, 31), MISSING, MISSING, here)[0][0]
    assert later < after == receivable  # the journal changed: recomputed
    assert call("BO_ACCOUNT_BALANCE", "売掛金", None, MISSING, MISSING, here)[0][0].startswith("#VALUE! as_of が空です")
    assert call("BO_ACCOUNT_BALANCE", "no such account", "2025-04-30", MISSING, MISSING, here)[0][0].startswith(
        "#N/A 勘定科目「no such account」"
    )


def test_account_balance_refuses_a_missing_folder_or_journal(call, here, tmp_path):
    assert call("BO_ACCOUNT_BALANCE", "売掛金", "2025-04-30", MISSING, str(tmp_path / "nowhere"), here)[0][
        0
    ].startswith("#N/A フォルダがありません")
    assert call("BO_ACCOUNT_BALANCE", "売掛金", "2025-04-30", MISSING, str(tmp_path), here)[0][0].startswith(
        "#N/A 仕訳がありません"
    )  # never a silent 0
    assert call("BO_ACCOUNT_BALANCE", "売掛金", "2025-04-30", MISSING, MISSING, Caller("Book1"))[0][0].startswith(
        "#VALUE! フォルダが分かりません"
    )
