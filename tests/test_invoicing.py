"""Qualified invoices end to end over real workbooks: rounding once per rate, both rates, tax-included
prices, a 20th closing day, reruns, credit notes, a tampered register, bad input, and the documents
recalculated by a real spreadsheet engine."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
import python_calamine

from addin.cli import main
from addin.invoicing.build import Line, totals_by_rate
from addin.invoicing.settings import InvoiceSettings
from addin.invoicing.terms import due_date, period_end
from addin.services.company import load_company
from tests.blank_company import init_copy
from addin.state import InvoiceRegister
from addin.outputs.master_books import write_book
from addin.rulebook import load_rulebook
from addin.tax import tax_rates

TEN, EIGHT = Fraction(1, 10), Fraction(2, 25)
RATES = tax_rates(load_rulebook(), date(2025, 4, 1))  # the records of rules/consumption_tax.yaml
CUSTOMERS = [
    {"customer_id": "C1", "name": "株式会社月末", "honorific": "御中", "closing_day": "末", "payment_terms": "翌月末"},
    {
        "customer_id": "C2",
        "name": "株式会社二十日",
        "honorific": "御中",
        "closing_day": "20",
        "payment_terms": "翌月10日",
    },
]
ITEMS = [
    {"sku": "P10", "name": "ペン", "unit": "本", "unit_price": 105, "unit_cost": 60, "tax_rate": "10%"},
    {"sku": "F08", "name": "お茶", "unit": "箱", "unit_price": 1000, "unit_cost": 600, "tax_rate": "8%"},
]


def order(no, customer, sku, qty, price, rate, shipped, day=None, description=None):
    return {
        "order_no": no,
        "date": day or shipped,
        "customer_id": customer,
        "sku": sku,
        "qty": qty,
        "unit_price": price,
        "tax_rate": rate,
        "shipped_date": shipped,
        "description": description,
    }


def company(root: Path, orders: list[dict], customers=CUSTOMERS, settings_extra: str = "") -> Path:
    init_copy(root)
    if settings_extra:
        text = (root / "backoffice.toml").read_text(encoding="utf-8")
        (root / "backoffice.toml").write_text(
            text.replace("[invoice]\n", "[invoice]\n" + settings_extra), encoding="utf-8"
        )
    text = (root / "backoffice.toml").read_text(encoding="utf-8")
    (root / "backoffice.toml").write_text(
        text.replace('registration_number = ""', 'registration_number = "T7000012050002"').replace(
            'name = "（会社名）"', 'name = "株式会社テスト"'
        ),
        encoding="utf-8",
    )
    books = load_company(root)
    write_book(books.book_path("sales"), books.books["sales"], {"customers": customers, "orders": orders})
    write_book(books.book_path("stock"), books.books["stock"], {"items": ITEMS})
    return root


def invoice(root, through, *extra, capsys=None):
    code = main(["invoice", str(root), "--through", through, *extra])
    return code, json.loads((root / "out" / "invoices" / "summary.json").read_text(encoding="utf-8"))["invoices"] if (
        root / "out" / "invoices" / "summary.json"
    ).exists() else []


def _line(amount, rate="10"):
    return Line("k", "o", date(2025, 4, 1), "s", "d", 1, amount, amount, rate, rate == "8", 2)


def test_tax_is_rounded_once_per_rate_not_per_line():
    lines = [_line(105), _line(105), _line(105)]
    per_line = sum(int(Fraction(105) * TEN) for _ in lines)  # 10 + 10 + 10
    totals = totals_by_rate(lines, RATES, InvoiceSettings())
    assert per_line == 30 and totals["10"].tax == 31  # 315 × 10 % = 31.5 → 31


def test_rounding_direction_is_the_companys_choice():
    lines = [_line(315)]
    assert {
        mode: totals_by_rate(lines, RATES, InvoiceSettings(rounding=mode))["10"].tax
        for mode in ("floor", "half_up", "ceil")
    } == {"floor": 31, "half_up": 32, "ceil": 32}


def test_tax_included_prices_follow_the_nta_example():
    lines = [_line(60000, "10"), _line(40000, "8")]
    totals = totals_by_rate(lines, RATES, InvoiceSettings(price_entry="inclusive"))
    assert (totals["10"].tax, totals["8"].tax) == (5454, 2962)  # インボイスQ&A 問57
    assert totals["10"].subtotal + totals["10"].tax == 60000


def test_closing_on_the_20th_and_due_dates():
    assert period_end(date(2025, 4, 20), "20") == date(2025, 4, 20)
    assert period_end(date(2025, 4, 21), "20") == date(2025, 5, 20)
    assert due_date(date(2025, 4, 20), "翌月10日") == date(2025, 5, 9)  # 10 May 2025 is a Saturday
    assert due_date(date(2025, 4, 20), "翌月10日", "next") == date(2025, 5, 12)
    assert due_date(date(2025, 4, 30), "月末締め翌月末払い") == date(2025, 5, 30)


def test_both_rates_on_one_invoice_and_the_20th_closing_day(tmp_path):
    root = company(
        tmp_path,
        [
            order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10)),
            order("S1", "C1", "F08", 2, 1000, "8%", date(2025, 4, 10)),
            order("S2", "C2", "P10", 1, 105, "10%", date(2025, 4, 20)),
            order("S3", "C2", "P10", 1, 105, "10%", date(2025, 4, 21)),
        ],
    )
    code, issued = invoice(root, "2025-04-30")
    assert code == 0
    assert [(i["invoice_no"], i["customer_id"], i["issue_date"]) for i in issued] == [
        ("INV-000001", "C2", "2025-04-20"),
        ("INV-000002", "C1", "2025-04-30"),
    ]
    c1 = issued[1]
    assert c1["subtotal_by_rate"] == {"10": 315, "8": 2000} and c1["tax_by_rate"] == {"10": 31, "8": 160}
    assert c1["total"] == 315 + 31 + 2000 + 160
    code, issued = invoice(root, "2025-05-20")  # S3 closes on 20 May
    assert [i["invoice_no"] for i in issued][-1] == "INV-000003" and issued[-1]["issue_date"] == "2025-05-20"


def test_rerun_issues_nothing_and_register_view_matches(tmp_path):
    root = company(tmp_path, [order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10))])
    invoice(root, "2025-04-30")
    before = (root / ".backoffice" / "state.db").stat().st_size
    code, issued = invoice(root, "2025-04-30")
    assert code == 0 and len(issued) == 1
    assert InvoiceRegister(root / ".backoffice" / "state.db").verify() == []
    rows = python_calamine.CalamineWorkbook.from_path(str(root / "invoices.xlsx")).get_sheet_by_index(0).to_python()
    assert rows[1][0] == "INV-000001" and rows[1][9] == 346
    assert before > 0


def test_credit_note_and_replacement_are_linked_both_ways(tmp_path):
    orders = [order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10))]
    root = company(tmp_path, orders)
    invoice(root, "2025-04-30")
    orders[0]["qty"] = 4  # the customer received four, not three
    books = load_company(root)
    write_book(books.book_path("sales"), books.books["sales"], {"customers": CUSTOMERS, "orders": orders})
    code, issued = invoice(root, "2025-04-30", "--correct", "INV-000001", "--date", "2025-05-08")
    assert code == 0
    by_no = {i["invoice_no"]: i for i in issued}
    original, note, new = by_no["INV-000001"], by_no["INV-000002"], by_no["INV-000003"]
    assert original["status"] == "corrected" and original["total"] == 346
    assert note["kind"] == "credit_note" and note["total"] == -346 and note["tax_by_rate"] == {"10": -31}
    assert new["kind"] == "invoice" and new["total"] == 420 + 42 and new["issue_date"] == "2025-05-08"
    assert {(link["relation"], link["invoice_no"]) for link in original["links"]} == {
        ("credited_by", "INV-000002"),
        ("replaced_by", "INV-000003"),
    }
    assert note["links"] == [{"relation": "credits", "invoice_no": "INV-000001"}]
    assert new["links"] == [{"relation": "replaces", "invoice_no": "INV-000001"}]
    assert invoice(root, "2025-04-30", "--correct", "INV-000001")[0] == 2  # not twice


def test_an_issued_invoice_cannot_be_changed_and_tampering_is_detected(tmp_path, capsys):
    root = company(
        tmp_path,
        [
            order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10)),
            order("S2", "C1", "P10", 1, 105, "10%", date(2025, 5, 10)),
        ],
    )
    invoice(root, "2025-04-30")
    db = sqlite3.connect(root / ".backoffice" / "state.db")
    with pytest.raises(sqlite3.DatabaseError, match="never changed"):
        db.execute("UPDATE invoices SET content = replace(content, '315', '300')")
    with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
        db.execute("DELETE FROM invoices")
    db.execute("DROP TRIGGER invoices_immutable")  # someone goes around the product
    db.execute("UPDATE invoices SET content = replace(content, '\"total\":346', '\"total\":300')")
    db.commit()
    code, _ = invoice(root, "2025-05-31")
    assert code == 2
    assert "register_tampered" in capsys.readouterr().out
    assert [f.code for f in InvoiceRegister(root / ".backoffice" / "state.db").verify()] == ["tampered"]


def test_bad_orders_stop_their_invoice_only_and_leave_no_hole(tmp_path, capsys):
    root = company(
        tmp_path,
        [
            order("S1", "C1", "P10", 1, 105, "10%", date(2025, 4, 10)),
            order("S2", "C2", "P10", 1, None, "10%", date(2025, 4, 10)),  # missing price
            order("S3", "C9", "P10", 1, 105, "10%", date(2025, 4, 10)),  # unknown customer
            order("S4", "C3", "F08", 1, 1000, "5%", date(2025, 4, 10)),  # a rate other than 8/10
        ],
        customers=CUSTOMERS + [{"customer_id": "C3", "name": "株式会社五", "closing_day": "末"}],
    )
    code, issued = invoice(root, "2025-04-30", "--lang", "en")
    out = capsys.readouterr().out
    assert code == 1
    assert [i["customer_id"] for i in issued] == ["C1"] and issued[0]["invoice_no"] == "INV-000001"
    assert "sales.xlsx!Orders 受注!G3: unit price is required" in out
    assert "sales.xlsx!Orders 受注!C4: customer id 'C9' is not in sales.xlsx!Customers 得意先" in out
    assert "sales.xlsx!Orders 受注!H5: tax rate '5%' is not one of 10 / 8" in out
    assert out.count("invoice_stopped") == 2
    assert InvoiceRegister(root / ".backoffice" / "state.db").verify() == []


def test_a_closing_day_that_cannot_be_read_stops_that_customer_only(tmp_path, capsys):
    """A 締日 typed "abc" was an internal error that issued nothing for anyone; now that customer is not
    billed (its cell is reported) and the others are."""
    customers = [CUSTOMERS[0], {**CUSTOMERS[1], "closing_day": "abc"}]
    root = company(
        tmp_path,
        [
            order("S1", "C1", "P10", 1, 105, "10%", date(2025, 4, 10)),
            order("S2", "C2", "P10", 1, 105, "10%", date(2025, 4, 10)),
        ],
        customers=customers,
    )
    code, issued = invoice(root, "2025-04-30", "--lang", "en")
    out = capsys.readouterr().out
    assert code == 1 and "internal error" not in out
    assert [i["customer_id"] for i in issued] == ["C1"]
    assert "sales.xlsx!Customers 得意先!F3: closing day 'abc' is not one of" in out
    assert "sales.xlsx!Orders 受注!C3: no invoice for C2: its closing day cannot be read" in out


def test_an_issuer_without_a_valid_registration_number_issues_nothing(tmp_path, capsys):
    root = company(tmp_path, [order("S1", "C1", "P10", 1, 105, "10%", date(2025, 4, 10))])
    text = (root / "backoffice.toml").read_text(encoding="utf-8").replace("T7000012050002", "T7000012050003")
    (root / "backoffice.toml").write_text(text, encoding="utf-8")
    assert invoice(root, "2025-04-30")[0] == 2
    assert "issuer_not_registered" in capsys.readouterr().out
    assert not (root / ".backoffice" / "state.db").exists()


def test_user_text_stays_inert_in_the_workbook(tmp_path):
    customers = [{**CUSTOMERS[0], "name": '=HYPERLINK("http://x")'}]
    root = company(
        tmp_path,
        [order("S1", "C1", "P10", 1, 105, "10%", date(2025, 4, 10), description="@SUM(1)")],
        customers=customers,
    )
    invoice(root, "2025-04-30")
    import openpyxl

    ws = openpyxl.load_workbook(root / "out" / "invoices" / "INV-000001.xlsx").active
    assert ws["A4"].data_type == "s" and ws["A4"].value.startswith("=HYPERLINK")
    assert ws["B14"].data_type == "s"


def _soffice():
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("CI must install libreoffice-calc-nogui (.ci/run does)")
        pytest.skip("LibreOffice is not installed here")
    return found


def test_spreadsheet_engine_recalculates_the_same_totals_as_register_and_pdf(tmp_path):
    soffice = _soffice()
    root = company(
        tmp_path,
        [
            order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10)),
            order("S1", "C1", "F08", 2.5, 999, "8%", date(2025, 4, 11)),
            order("S2", "C1", "P10", 7, 333, "10%", date(2025, 4, 12)),
        ],
        settings_extra='price_entry = "exclusive"\n',
    )
    code, issued = invoice(root, "2025-04-30")
    assert code == 0
    doc = issued[0]
    source = root / "out" / "invoices" / "INV-000001.xlsx"
    target = tmp_path / "recalculated"
    subprocess.run(
        [soffice, "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(target), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    rows = python_calamine.CalamineWorkbook.from_path(str(target / "INV-000001.xlsx")).get_sheet_by_index(0).to_python()
    values = {str(r[1]): r[4] for r in rows if len(r) > 4 and isinstance(r[4], float)}
    assert values["10%対象（税抜）"] == doc["subtotal_by_rate"]["10"] == 315 + 2331
    assert values["10% 消費税"] == doc["tax_by_rate"]["10"] == 264
    assert values["8%対象（税抜） ※軽減税率"] == doc["subtotal_by_rate"]["8"] == 2497  # 2.5 × 999 = 2,497.5 → 2,497
    assert values["8% 消費税"] == doc["tax_by_rate"]["8"] == 199
    assert values["合計（税込）"] == doc["total"]
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(root / "out" / "invoices" / "INV-000001.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for needle in ("T7000012050002", "2,646", "264", "2,497", "199", f"¥{doc['total']:,}", "※"):
            assert needle in text, needle
    elif os.environ.get("CI"):
        pytest.fail("CI must install poppler-utils (.ci/run does)")


def test_the_committed_template_is_what_the_code_makes(tmp_path):
    import openpyxl

    from addin.workbook.templates import INVOICE_TEMPLATE, build_invoice_template

    fresh = openpyxl.load_workbook(build_invoice_template(tmp_path / "invoice.xlsx")).active
    committed = openpyxl.load_workbook(INVOICE_TEMPLATE).active
    cells = lambda ws: [(c.coordinate, c.value, c.font.b, c.fill.fgColor.rgb) for row in ws.iter_rows() for c in row]  # noqa: E731
    assert cells(fresh) == cells(committed)
    assert str(fresh.merged_cells) == str(committed.merged_cells)


def test_tax_summary_applies_the_transitional_credit_and_fee_withholding(tmp_path):
    import pandas as pd

    from addin.rulebook import load_rulebook
    from addin.tax.summary import monthly_summary

    vendors = pd.DataFrame(
        {
            "vendor_id": ["REG", "UNREG", "IND"],
            "registration_number": ["T7000012050002", None, None],
            "is_individual": [False, False, True],
        }
    )
    bills = pd.DataFrame(
        {
            "vendor_id": ["REG", "UNREG", "UNREG", "IND"],
            "bill_date": pd.to_datetime(["2026-09-30", "2026-09-30", "2026-10-01", "2026-10-05"]),
            "amount_excl_tax": [10000, 10000, 10000, 1200000],
            "tax_rate": ["10", "10", "10", "10"],
            "tax": [1000, 1000, 1000, 120000],
            "is_fee": [False, False, False, True],
        }
    )
    months = {m["month"]: m for m in monthly_summary([], bills, vendors, load_rulebook())}
    assert months["2026-09"]["input_tax_creditable"] == 1000 + 800  # 80 % to 2026-09-30
    assert months["2026-10"]["input_tax_creditable"] == 500 + 60000  # 50 % from 2026-10-01
    assert months["2026-10"]["fee_withholding"] == 142940  # 1,200,000 yen fee (FACTS.md §5)


@pytest.mark.parametrize(
    "fee, withheld",
    [(300000, 30630), (1000000, 102100), (1200000, 142940), (999999, 102099), (222222, 22688), (1333333, 170166)],
)
def test_fee_withholding_matches_the_nta_examples(fee, withheld):
    from addin.rulebook import load_rulebook
    from addin.tax import fee_withholding

    assert fee_withholding(fee, load_rulebook(), date(2025, 4, 1)) == withheld


def test_formulas_prepared_once_give_the_librarys_own_bytes():
    """The invoice worksheet keeps xlsxwriter's prepared formulas per process: an invoice written with it is
    byte for byte the one xlsxwriter's own worksheet writes, the first time and when the formulas repeat."""
    import io

    from xlsxwriter.worksheet import Worksheet

    from decimal import Decimal

    from addin.invoicing.build import Draft
    from addin.invoicing.document import content_of
    from addin.invoicing.settings import Issuer
    from addin.outputs import invoice_xlsx as module

    def invoice(number: int, amounts: list[tuple[int, str]]) -> dict:
        lines = [
            Line(f"o{i}", "o", date(2025, 4, 10), "SKU", "品", Decimal(1), a, a, key, RATES[key].reduced, i + 2)
            for i, (a, key) in enumerate(amounts)
        ]
        totals = totals_by_rate(lines, RATES, InvoiceSettings())
        draft = Draft("C1", "株式会社得意先", "御中", "", "", *[date(2025, 4, 30)] * 4, "exclusive", lines, totals)
        return content_of(
            draft, f"INV-{number:06d}", Issuer(name="株式会社テスト", registration_number="T7000012050002")
        )

    for content in [invoice(1, [(1000, "10"), (980, "8")]), invoice(2, [(5, "8"), (77, "10"), (1, "10")])] * 2:
        ours, theirs = io.BytesIO(), io.BytesIO()
        for target, kind in ((ours, module._InvoiceWorksheet), (theirs, Worksheet)):
            sheet = module._Sheet(module.parsed_template())
            module._fill(sheet, content, "floor", "※", RATES)
            module._save(sheet, target, date.fromisoformat(content["issue_date"]), worksheet_class=kind)
        assert ours.getvalue() == theirs.getvalue()
    assert any("ROUNDDOWN" in formula for formula, *_ in module._InvoiceWorksheet._prepared)
