"""The Excel edge without Excel: worksheet functions against the engines and the command line, the
VBA wrappers xlwings generates, the buttons end to end on an in-memory workbook that offers exactly
the xlwings calls the adapter uses, and the xlwings.conf sheet of generated workbooks."""

from __future__ import annotations

import ast
import json
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import python_calamine

from addin.cli import main
from addin.excel import udfs
from tests.fake_xlwings import ALLOWED, FakeBook
from tests.payroll_helpers import demo_staff_copy

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def company(tmp_path_factory, demo_template):
    root = tmp_path_factory.mktemp("excel") / "co"
    shutil.copytree(demo_template, root)
    return root


# --- worksheet functions -----------------------------------------------------------------------


def test_withholding_cell_and_range():
    assert udfs.BO_WITHHOLDING(300000, 2, "甲", date(2026, 1, 23)) == [[4700]]
    assert udfs.BO_WITHHOLDING([[200000], [300000]], [[0], [1]], "甲", "2026-01-23") == [[4340], [6320]]
    assert udfs.BO_WITHHOLDING(740000, 0, "乙", "R8.1.23") == [[259200]]
    assert udfs.BO_WITHHOLDING(300000.0, 2.0, "甲", 46045.0) == [[4700]]  # as Excel passes them


def test_bad_cells_become_error_text():
    assert udfs.BO_WITHHOLDING("abc", 0, "甲", "2026-01-23") == [["#VALUE! taxable: 'abc'"]]
    assert udfs.BO_WITHHOLDING([[1, "x"]], 0, "甲", "2026-01-23")[0][1].startswith("#VALUE!")
    assert udfs.BO_WITHHOLDING([[1, 2]], [[1, 2, 3]], "甲", "2026-01-23")[0][0].startswith("#VALUE!")
    assert udfs.BO_WITHHOLDING(300000, 0, "甲", "2019-01-01")[0][0].startswith("#N/A")
    assert udfs.BO_CONSUMPTION_TAX(1000, 5)[0][0].startswith("#VALUE!")


def test_insurance_functions_match_the_engine():
    assert udfs.BO_HEALTH_INSURANCE(58000, "2026-03", date(1990, 1, 1)) == [[2856]]
    assert udfs.BO_NURSING_INSURANCE(300000, "2025-10", date(1985, 10, 15)) == [[2385]]
    assert udfs.BO_NURSING_INSURANCE(300000, "2025-09", date(1985, 10, 15)) == [[0]]
    assert udfs.BO_PENSION(1390000, "2025-06") == [[59475]]
    assert udfs.BO_EMPLOYMENT_INSURANCE([[301000, 301002]], "2025-07-25") == [[1655, 1656]]
    assert udfs.BO_HEALTH_INSURANCE(300000, "2025-06", date(1990, 1, 1), "大阪府") == [[15360]]  # 10.24 %


def test_consumption_tax_check_digits_and_normalisation():
    assert udfs.BO_CONSUMPTION_TAX([[60000, 40000]], [[10, 8]], "floor", True) == [[5454, 2962]]
    assert udfs.BO_CONSUMPTION_TAX(315, "10%", "half_up") == [[32]]
    assert udfs.BO_CHECK_MY_NUMBER([["621498320257"], ["621498320258"], [""]]) == [
        [True],
        [False],
        [""],
    ]  # blank in, blank out
    assert udfs.BO_CHECK_REGISTRATION([["T7000012050002", "T2835678256246"]]) == [[True, False]]
    assert udfs.BO_NORMALIZE("令和7年4月1日", "date") == [[datetime(2025, 4, 1)]]
    assert udfs.BO_NORMALIZE([["¥1,234", "△500"]], "yen") == [[1234, -500]]
    assert udfs.BO_NORMALIZE("ｶﾌﾞｼｷｶﾞｲｼｬ", "text") == [["カブシキガイシャ"]]


def test_net_pay_and_stock_match_the_command_line(company, capsys):
    assert main(["payroll", str(company), "--month", "2025-12"]) == 0
    summary = json.loads((company / "out" / "payroll" / "2025-12" / "summary.json").read_text(encoding="utf-8"))
    ids = [[e["employee_id"]] for e in summary["employees"]]
    assert udfs.BO_NET_PAY(ids, "2025-12", str(company)) == [[e["net_pay"]] for e in summary["employees"]]
    assert udfs.BO_NET_PAY("E99999", "2025-12", str(company))[0][0].startswith("#N/A")
    assert main(["stock", str(company), "--as-of", "2026-03-31"]) == 0
    report = json.loads((company / "out" / "stock" / "2026-03-31" / "stock.json").read_text(encoding="utf-8"))
    skus = [[i["sku"]] for i in report["items"][:20]]
    assert udfs.BO_STOCK_ON_HAND(skus, "2026-03-31", str(company)) == [[i["on_hand"]] for i in report["items"][:20]]
    capsys.readouterr()


def test_net_pay_in_a_cell_is_refused_not_guessed_when_a_salary_cannot_be_read(tmp_path, demo_template):
    """A basic pay typed "abc" is read as empty: BO_NET_PAY showed that person's net pay as -85,422 yen.
    It now refuses every person, as the payroll run does, naming the cell."""
    root, wb, staff, header = demo_staff_copy(tmp_path, demo_template)
    who, other = (staff.cell(r, header.index("社員番号") + 1).value for r in (2, 3))
    assert isinstance(udfs.BO_NET_PAY(who, "2025-12", str(root))[0][0], int)
    staff.cell(2, header.index("基本給") + 1).value = "abc"
    wb.save(root / "staff.xlsx")
    shown = udfs.BO_NET_PAY([[who], [other]], "2025-12", str(root))
    column = chr(65 + header.index("基本給"))
    assert all(cell[0].startswith("#N/A") for cell in shown), shown
    assert f"Staff 従業員!{column}2" in shown[0][0] and "数値" in shown[0][0]
    # a readable pay the run refuses all the same (1 yen of basic pay: a net pay below zero) is refused too
    staff.cell(2, header.index("基本給") + 1).value = 1
    wb.save(root / "staff.xlsx")
    shown = udfs.BO_NET_PAY([[who], [other]], "2025-12", str(root))
    assert all(cell[0].startswith("#N/A") and "マイナス" in cell[0] for cell in shown), shown


def test_net_pay_in_a_cell_follows_a_year_end_adjustment_run_after_it(tmp_path, demo_template, capsys):
    """November's pay settles 2025's 年末調整 in the demo; a cell computed before the adjustment was run
    must not keep its figure once it is (the cells remembered only staff.xlsx's stamp)."""
    from addin.services.company import load_company
    from addin.services.payroll import compute_month

    root = tmp_path / "co"
    shutil.copytree(demo_template, root)
    ids = [["E00002"], ["E00003"]]
    before = udfs.BO_NET_PAY(ids, "2025-11", str(root))
    assert main(["nencho", str(root), "--year", "2025"]) == 0
    fresh, _ = compute_month(load_company(root), date(2025, 11, 1))
    after = udfs.BO_NET_PAY(ids, "2025-11", str(root))
    assert after == [[fresh["E00002"]], [fresh["E00003"]]] and after != before
    capsys.readouterr()


def test_a_prefecture_with_no_rate_is_said_in_japanese_in_the_run_and_the_cell(tmp_path, demo_template, capsys):
    root = tmp_path / "co"
    shutil.copytree(demo_template, root)
    settings = root / "backoffice.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace('prefecture = "東京都"', 'prefecture = "火星"'), encoding="utf-8"
    )
    assert main(["payroll", str(root), "--month", "2026-03"]) == 2
    assert "都道府県「火星」の協会けんぽの料率がありません" in capsys.readouterr().out
    assert udfs.BO_NET_PAY("E00002", "2026-03", str(root))[0][0].startswith("#N/A 都道府県「火星」")


def test_stock_on_hand_in_a_cell_is_refused_when_a_quantity_cannot_be_read(tmp_path, demo_template):
    root = tmp_path / "co"
    shutil.copytree(demo_template, root)
    wb = openpyxl.load_workbook(root / "stock.xlsx")
    moves = wb["Movements 入出庫"]
    header = [c.value for c in moves[1]]
    sku = moves.cell(2, header.index("商品コード") + 1).value
    assert isinstance(udfs.BO_STOCK_ON_HAND(sku, "2026-03-31", str(root))[0][0], (int, float))
    unit_cost = moves.cell(2, header.index("単価") + 1)
    unit_cost.value = "abc"  # a price does not change a quantity on hand: still a figure
    wb.save(root / "stock.xlsx")
    assert isinstance(udfs.BO_STOCK_ON_HAND(sku, "2026-03-31", str(root))[0][0], (int, float))
    unit_cost.value = None
    moves.cell(2, header.index("数量") + 1).value = "abc"
    wb.save(root / "stock.xlsx")
    shown = udfs.BO_STOCK_ON_HAND(sku, "2026-03-31", str(root))[0][0]
    assert shown.startswith("#N/A") and f"Movements 入出庫!{chr(65 + header.index('数量'))}2" in shown


def test_every_udf_is_named_for_vba_and_documented():
    for fn in udfs.UDFS:
        assert fn.__name__.startswith("BO_") and fn.__name__.isidentifier() and fn.__name__.isascii()
        assert fn.__doc__


def test_readme_and_the_acceptance_script_cover_every_function_and_button():
    from xml.etree import ElementTree

    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("## Inside Excel", 1)[1].split("\n## ", 1)[0]
    script = (ROOT / "docs" / "excel-acceptance.md").read_text(encoding="utf-8")
    for fn in udfs.UDFS:
        assert f"`{fn.__name__}(" in readme and f"={fn.__name__}(" in script, fn.__name__
    ui = ElementTree.parse(ROOT / "addin" / "excel" / "addin_src" / "customUI.xml")
    for button in ui.iter("{http://schemas.microsoft.com/office/2006/01/customui}button"):
        assert button.get("label") in readme and f"**{button.get('label')}**" in script, button.get("label")


# --- VBA wrappers as xlwings generates them --------------------------------------------------------


def test_vba_wrappers_contain_every_function():
    """The add-in's xlwings_udfs module, as xlwings' own generate_vba_wrapper writes it."""
    from addin.excel.build_addin import udf_module

    vba = udf_module()
    for fn in udfs.UDFS:
        assert f"Function {fn.__name__}(" in vba, fn.__name__
        assert f'XLPy.CallUDF("addin.excel.udfs", "{fn.__name__}"' in vba
    assert "caller" not in vba.split("Function BO_NET_PAY(")[1].split(")")[0]  # Excel passes the caller itself


# --- buttons on a live workbook ----------------------------------------------------------------------


def test_validate_button_lists_links_and_highlights_then_clears(tmp_path, demo_with_errors):
    from addin.excel import buttons

    root = tmp_path / "co"
    shutil.copytree(demo_with_errors[0], root)
    book = FakeBook(root / "staff.xlsx")
    message = buttons.validate_book(book)
    assert message.startswith("問題 22 件")
    sheet = book.sheets["Issues 問題"]
    staff_rows = [r for r in sheet.used_range.options(ndim=2).value[1:] if r[1] == "staff.xlsx"]
    assert staff_rows and all(
        sheet._links[(i + 2, 1)] == f"#'{r[2]}'!{r[3]}"
        for i, r in enumerate(sheet.used_range.options(ndim=2).value[1:])
        if r[1] == "staff.xlsx"
    )
    coloured = {(s.name, k) for s in book.sheets for k in s._colors}
    expected = {
        (
            r[2],
            (
                int(r[3][1:]) if r[3][1].isdigit() else int(r[3][2:]),
                openpyxl.utils.column_index_from_string(r[3].rstrip("0123456789")),
            ),
        )
        for r in staff_rows
    }
    assert coloured == expected
    assert book.app._alerts and book.app._status[-1] is False  # status bar given back


def test_highlights_are_cleared_on_a_clean_run(company):
    from addin.excel import buttons

    book = FakeBook(company / "staff.xlsx")
    staff = book.sheets["Staff 従業員"]
    header = staff.range("A1:Z1").options(ndim=2).value[0]
    tax_col = header.index("税額表の区分") + 1
    staff._cells[(3, tax_col)] = "丙"  # a mistake typed in Excel
    buttons.validate_book(book)
    assert staff._colors  # the cell is red
    staff._cells[(3, tax_col)] = "甲"  # corrected
    assert buttons.validate_book(book).startswith("問題はありません")
    assert staff._colors == {}  # and no longer red


def test_payroll_button_gives_the_command_line_figures(company):
    from addin.excel import buttons

    book = FakeBook(company / "staff.xlsx")
    book.set("Control 操作", "B2", "2025-11")
    message = buttons.run_payroll_month(book)
    assert "2025-11 給与" in message
    summary = json.loads((company / "out" / "payroll" / "2025-11" / "summary.json").read_text(encoding="utf-8"))
    assert f"{summary['totals']['net_pay']:,}" in message
    assert str(book.sheets["Control 操作"]._cells[(6, 2)]).endswith(f"差引支給 {summary['totals']['net_pay']:,} 円")


def test_errors_become_a_message_box_not_a_traceback(company):
    from addin.excel import buttons

    book = FakeBook(company / "staff.xlsx")
    book.set("Control 操作", "B2", "not a month")
    message = buttons.run_payroll_month(book)
    assert message.startswith("backoffice: NotADate") and "Traceback" not in message
    assert book.app._alerts[-1][1] == message


def test_stock_and_invoice_buttons(company):
    from addin.excel import buttons

    stock = FakeBook(company / "stock.xlsx")
    assert "在庫評価額" in buttons.show_stock(stock)
    assert "Reorder 発注提案" in [s.name for s in stock.sheets]
    sales = FakeBook(company / "sales.xlsx")
    sales.set("Control 操作", "B3", "2025-04-30")
    assert "件の請求書を発行しました" in buttons.issue_invoices(sales)


def test_year_end_button_takes_the_typed_year_else_the_control_cell(company):
    from addin.excel import buttons

    book = FakeBook(company / "staff.xlsx")
    assert "年分（例 2025）を入力してください" in buttons.run_nencho_year(book)  # neither typed nor in B5
    book.set("Control 操作", "B5", 2025.0)  # a number, as Excel holds it
    stopped = buttons.run_nencho_year(book, "2019")  # what was typed wins
    assert stopped.startswith("年末調整を中止しました") and "2019年分の年末調整の規則がありません" in stopped
    assert not (company / "out" / "nencho" / "2019").exists()
    message = buttons.run_nencho_year(book)
    summary = json.loads((company / "out" / "nencho" / "2025" / "summary.json").read_text(encoding="utf-8"))
    people = summary["employees"]
    refund, collect = sum(e["refund_paid"] for e in people), sum(e["collected"] for e in people)
    assert (
        message.startswith(
            f"2025年分: {len(people)} 名（年末調整 {sum(e['adjusted'] for e in people)} 名） "
            f"還付 {refund:,} 円 徴収 {collect:,} 円"
        )
        and refund > 0
        and collect > 0
    )
    assert str(book.sheets["Control 操作"].cell("B6")).endswith(f"還付 {refund:,} 円 徴収 {collect:,} 円")


def test_year_end_button_reads_the_open_book_not_the_file(company):
    from addin.excel import buttons

    book = FakeBook(company / "staff.xlsx")
    staff = book.sheets["Staff 従業員"]
    column = staff.range("A1:Z1").options(ndim=2).value[0].index("税額表の区分") + 1
    staff._cells[(3, column)] = "丙"  # typed in Excel, not saved
    message = buttons.run_nencho_year(book, "2025")
    assert message.startswith("年末調整を中止しました")
    assert f"staff.xlsx!Staff 従業員!{openpyxl.utils.get_column_letter(column)}3" in message


@pytest.fixture(scope="module")
def money(tmp_path_factory, demo_template):
    """The demo after April's payroll and two months of invoices, with the bank statements for them."""
    from addin.services.company import load_company
    from addin.services.invoicing import run_invoices
    from addin.services.payroll import run_payroll
    from addin.services.receivables import write_demo_statements

    root = tmp_path_factory.mktemp("excel-money") / "co"
    shutil.copytree(demo_template, root)
    company = load_company(root)
    assert run_payroll(company, date(2025, 4, 1)).exit_code == 0
    assert run_invoices(company, date(2025, 5, 31)).exit_code == 0
    write_demo_statements(company, date(2025, 6, 30))
    return root


@pytest.fixture
def money_copy(money, tmp_path):
    root = tmp_path / "co"
    shutil.copytree(money, root)
    return root


def test_books_button_posts_the_period_once_and_writes_the_import_file(money_copy):
    from addin.excel import buttons

    book = FakeBook(money_copy / "sales.xlsx")
    assert "期間（開始日と終了日）を入力してください" in buttons.run_books_period(book, "", "2025-05-31", "")
    backwards = buttons.run_books_period(book, "2025-05-31", "2025-04-01", "")
    assert backwards.startswith("仕訳出力を中止しました") and "期間または形式が不正です" in backwards
    assert buttons.run_books_period(book, "2025-04-01", "2025-05-31", "xls").startswith("仕訳出力を中止しました")
    assert not (money_copy / "out" / "books").exists()  # nothing written
    message = buttons.run_books_period(book, "2025-04-01", "2025-05-31", "YAYOI")
    folder = money_copy / "out" / "books" / "2025-04-01_2025-05-31"
    summary = json.loads((folder / "books.json").read_text(encoding="utf-8"))
    assert summary["entries"] > 0 and summary["posted"] == summary["entries"]
    assert message.startswith(
        f"2025-04-01〜2025-05-31: 仕訳 {summary['entries']} 件（新規 {summary['posted']}、取消 0、既存 0）"
    )
    assert f"借方・貸方 {sum(r['debit'] for r in summary['trial_balance']):,} 円" in message
    assert (folder / "journal_yayoi.csv").read_bytes().decode("cp932").count("\r\n") >= summary["entries"]
    again = buttons.run_books_period(book, "2025-04-01", "2025-05-31", "")
    assert f"（新規 0、取消 0、既存 {summary['entries']}）" in again  # posted once, never twice
    closing = {r["account"]: r["closing"] for r in summary["trial_balance"]}
    accounts = [["accounts_receivable"], ["売上高"], ["4110"], ["仮受消費税"], [None]]
    assert udfs.BO_ACCOUNT_BALANCE(accounts, "2025-05-31", None, str(money_copy)) == [
        [closing["accounts_receivable"]],
        [closing["sales"]],
        [closing["sales"]],
        [closing["output_tax"]],
        [""],
    ]
    assert closing["accounts_receivable"] > 0


def test_receipts_button_matches_writes_what_waits_and_applies_the_open_books_confirmations(money_copy):
    from addin.excel import buttons

    book = FakeBook(money_copy / "sales.xlsx")
    before = (money_copy / "sales.xlsx").stat().st_mtime_ns
    message = buttons.match_receipts(book)
    folder = money_copy / "out" / "receivables" / date.today().isoformat()
    report = json.loads((folder / "receivables.json").read_text(encoding="utf-8"))
    counts = report["counts"]
    assert counts["matched"] > 0 and counts["unmatched"] > 0
    assert message.startswith(
        f"{date.today()}: 自動消込 {counts['matched']} 件、提案 {counts['proposed']} 件、"
        f"未消込 {counts['unmatched']} 件"
    )
    written = openpyxl.load_workbook(folder / "receivables.xlsx", read_only=True)
    expected = [r for name in ("提案 Proposals", "未消込 Unmatched") for r in list(written[name].values)[1:]]
    sheet = book.sheets[buttons.PROPOSALS_SHEET].used_range.options(ndim=2).value
    assert sheet[0] == list(next(written["提案 Proposals"].values)) == buttons.PROPOSAL_COLUMNS
    blank = lambda row: [None if v == "" else v for v in row]  # noqa: E731
    assert [blank(r) for r in sheet[1:]] == [blank(r) for r in expected] and len(expected) == counts[
        "proposed"
    ] + counts["unmatched"]
    line_id = sheet[1][0]
    book.set("Receipts 入金", "A2", line_id)  # a person sets the line aside
    book.set("Receipts 入金", "B2", "対象外")  # in the open book, unsaved
    again = buttons.match_receipts(book)
    assert f"未消込 {counts['unmatched'] - 1} 件" in again, again
    assert (money_copy / "sales.xlsx").stat().st_mtime_ns == before  # the master book is not rewritten


def test_receipts_button_stops_on_an_unusable_open_book(company):
    from addin.excel import buttons

    book = FakeBook(company / "sales.xlsx")
    customers = book.sheets["Customers 得意先"]
    for key in [k for k in customers._cells if k[0] == 1]:  # the header row deleted in Excel
        del customers._cells[key]
    message = buttons.match_receipts(book)
    assert message.startswith("入金消込を中止しました") and "sales.xlsx!Customers 得意先" in message
    assert buttons.PROPOSALS_SHEET not in [s.name for s in book.sheets]


def test_the_adapter_and_buttons_use_only_the_allowed_xlwings_calls():
    """Every attribute the live adapter touches on xlwings objects is in the fake's subset."""
    allowed = set().union(*ALLOWED.values()) | {
        "status",
        "alert",
        "owned_sheet",
        "clear_highlights",
        "write_issues",
        "write_table",
        "read_cell",
        "sheet_names",
        "table_names",
        "read_sheet",
        "read_table",
        "folder",
        "book",
        "name",
    }
    for path in (ROOT / "addin" / "workbook" / "live.py", ROOT / "addin" / "excel" / "buttons.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = {
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, (ast.Attribute, ast.Call, ast.Subscript, ast.Name))
            and _on_xlwings_object(node)
        }
        assert used <= allowed, (path.name, used - allowed)


def _on_xlwings_object(node: ast.Attribute) -> bool:
    """Attributes reached from `book`, `sheet`, `table`, `rng` or `self.book` — the xlwings objects."""
    base = node.value
    while isinstance(base, (ast.Attribute, ast.Call, ast.Subscript)):
        base = base.func if isinstance(base, ast.Call) else base.value
    return isinstance(base, ast.Name) and base.id in {"book", "sheet", "table", "rng", "self", "live"}


def test_macros_are_one_line_of_glue(monkeypatch, company):
    from addin.excel import macros
    import xlwings

    tree = ast.parse((ROOT / "addin" / "excel" / "macros.py").read_text(encoding="utf-8"))
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert {f.name for f in functions} == {
        "validate_book",
        "run_payroll",
        "issue_invoices",
        "show_stock",
        "reconcile_now",
        "clear_highlights",
        "check_settings",
        "run_nencho",
        "run_books",
        "match_receipts",
    }
    assert all(len(f.body) == 1 for f in functions)
    book = FakeBook(company / "staff.xlsx")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: book), raising=False)
    macros.validate_book()
    assert book.app._alerts[-1][1].startswith("問題はありません")
    assert book.app.screen_updating is True  # given back after the writes


# --- settings per user, none in workbooks ---------------------------------------------------------------


def test_generated_workbooks_carry_no_machine_settings(company):
    for name in ("staff.xlsx", "stock.xlsx", "vendors.xlsx", "sales.xlsx"):
        wb = python_calamine.CalamineWorkbook.from_path(str(company / name))
        assert not {"xlwings.conf", "backoffice.conf"} & set(wb.sheet_names)


def test_excel_setup_writes_the_user_config_and_check_reads_it(tmp_path, capsys):
    assert main(["excel", "check", "--home", str(tmp_path)]) == 1
    assert "backoffice excel setup" in capsys.readouterr().out
    assert main(["excel", "setup", "--home", str(tmp_path)]) == 0
    conf = (tmp_path / ".backoffice" / "backoffice.conf").read_text(encoding="utf-8")
    assert f'"INTERPRETER_WIN","{sys.executable}"' in conf and '"UDF MODULES","addin.excel.udfs"' in conf
    assert '""' not in conf  # no empty key shadows another source
    assert (tmp_path / ".xlwings" / "xlwings.conf").exists()
    from addin.excel.setup import diagnose

    conf_findings = [f for f in diagnose(tmp_path) if "conf" in f.message_en]
    assert conf_findings and all(f.ok for f in conf_findings)
