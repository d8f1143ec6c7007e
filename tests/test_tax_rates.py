"""Consumption-tax rates are records declared once (rules/consumption_tax.yaml), read through the rulebook
by invoicing, the invoice documents and register, the books and the schemas' choices."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pypdf
import pytest

from addin.books.chart import chart_of
from addin.invoicing.build import Draft, Line, build_drafts, totals_by_rate
from addin.invoicing.document import content_of
from addin.invoicing.settings import InvoiceSettings, Issuer
from addin.model import Table
from addin.outputs.invoice_pdf import invoice_pdf
from addin.outputs.invoice_register import register_header, tax_summary_header
from addin.rulebook import RuleNotInForce, RulesFileError, load_rulebook
from addin.services.company import load_company
from addin.tax import TaxRate, every_tax_rate, standard_rate, tax_rates
from addin.tax.rates import RATE_COLUMN
from tests.test_typed_rules import company_with

RULES = load_rulebook()

#: a company's own rate from a date: its record, and the word its orders may hold for it
NEW_RATE = """\
parameters:
  consumption_tax.rates:
    source: a hypothetical 2031 reform
    values:
      - effective_from: 2031-04-01
        value:
          "10": {percent: 10, reduced: false, label: 10%}
          "8": {percent: 8, reduced: true, label: 8%（軽減）}
          "5": {percent: 5, reduced: true, label: 5%（軽減）}
workbooks:
  sales:
    sheets:
      orders:
        columns:
          tax_rate:
            values: {"5": ["5%", 超軽減]}
"""


def test_the_records_say_percent_reduced_and_label():
    rates = tax_rates(RULES, date(2025, 4, 1))
    assert list(rates) == ["10", "8"]  # highest first: the order of every per-rate table
    assert rates["10"] == TaxRate("10", Decimal(10), False, "10%")
    assert rates["8"] == TaxRate("8", Decimal(8), True, "8%（軽減）")
    assert (rates["10"].fraction, rates["8"].fraction) == (Fraction(1, 10), Fraction(2, 25))
    assert standard_rate(rates) is rates["10"]


def test_a_date_before_the_reduced_rate_is_refused_not_defaulted():
    with pytest.raises(RuleNotInForce, match="consumption_tax.rates"):
        tax_rates(RULES, date(2019, 9, 30))


def test_every_schema_choice_and_books_category_is_a_declared_rate():
    declared = set(every_tax_rate(RULES))
    columns = [
        (book, sheet)
        for book, schema in RULES.schemas.items()
        for sheet, spec in schema["sheets"].items()
        if RATE_COLUMN in (spec.get("columns") or {})
    ]
    assert sorted(columns) == [("sales", "orders"), ("stock", "items"), ("vendors", "bills")]
    for book, sheet in columns:
        assert set(RULES.schemas[book]["sheets"][sheet]["columns"][RATE_COLUMN]["values"]) == declared
    categories = chart_of(RULES.settings["books"]).tax_categories.values()
    assert {c.rate for c in categories if c.rate} == declared


def test_a_schema_choice_no_record_declares_fails_at_load_naming_file_and_line(tmp_path):
    company_with(tmp_path, NEW_RATE.replace('"5": {percent: 5', '"6": {percent: 6'))  # the record says 6, the word 5
    with pytest.raises(RulesFileError) as refused:
        load_company(tmp_path)
    message = str(refused.value)
    assert f"{tmp_path / 'rules' / 'ours.yaml'}:16:" in message
    assert "choice '5' is not a rate in consumption_tax.rates" in message and "税率" in message


def test_a_malformed_rate_record_fails_naming_file_and_line(tmp_path):
    company_with(tmp_path, NEW_RATE.replace("reduced: true, label: 5%", "reduce: true, label: 5%"))
    with pytest.raises(RulesFileError) as refused:
        load_company(tmp_path)
    assert f"{tmp_path / 'rules' / 'ours.yaml'}:9:" in str(refused.value) and "'reduce'" in str(refused.value)


def test_two_standard_rates_are_refused():
    ten = TaxRate("10", Decimal(10), False, "10%")
    with pytest.raises(ValueError, match="one standard"):
        standard_rate({"10": ten, "12": TaxRate("12", Decimal(12), False, "12%")})


def _line(amount: int, key: str, rates: dict[str, TaxRate]) -> Line:
    name = {"10": "ペン", "5": "お茶"}[key]
    return Line(f"o#{key}", "o", date(2031, 4, 1), "s", name, Decimal(1), amount, amount, key, rates[key].reduced, 2)


def test_story_a_new_consumption_tax_rate_is_one_company_file(tmp_path):
    """A new reduced 5 % from 2031-04-01: its record and its word, nothing else; invoicing, the document,
    the register and the tax summary all follow."""
    rules = load_company(company_with(tmp_path, NEW_RATE)).rulebook
    assert list(tax_rates(rules, date(2031, 3, 31))) == ["10", "8"]
    rates = tax_rates(rules, date(2031, 4, 1))
    assert rates["5"] == TaxRate("5", Decimal(5), True, "5%（軽減）")
    lines = [_line(10_000, "10", rates), _line(999, "5", rates)]
    totals = totals_by_rate(lines, rates, InvoiceSettings())
    assert [(k, t.subtotal, t.tax) for k, t in totals.items()] == [("10", 10_000, 1_000), ("5", 999, 49)]
    draft = Draft("C1", "株式会社得意先", "御中", "", "", *[date(2031, 4, 30)] * 4, "exclusive", lines, totals)
    content = content_of(draft, "INV-000001", Issuer(name="株式会社テスト", registration_number="T7000012050002"))
    text = pypdf.PdfReader(io.BytesIO(invoice_pdf(content, rates=rates))).pages[0].extract_text()
    assert "5%対象 ※軽減" in text and "10%対象" in text and "※は軽減税率（5%）対象です" in text
    declared = list(every_tax_rate(rules).values())
    assert register_header(declared)[5:11] == ["10%対象", "10%消費税", "8%対象", "8%消費税", "5%対象", "5%消費税"]
    assert tax_summary_header(declared)[1:8] == [
        "売上10%対象", "売上10%税", "売上8%対象", "売上8%税", "売上5%対象", "売上5%税", "売上税額計"
    ]  # fmt: skip


def _table(sheet: str, records: list[dict]) -> Table:
    frame = pd.DataFrame(records)
    return Table("sales.xlsx", sheet, frame, np.arange(2, len(frame) + 2), {c: i + 1 for i, c in enumerate(frame)})


def test_an_order_at_a_rate_not_in_force_stops_its_invoice_at_the_cell():
    customers = _table(
        "Customers 得意先",
        [
            {"customer_id": c, "name": c, "honorific": "御中", "postal_code": "", "address": "", "closing_day": "end"}
            | {"payment_terms": "翌月末"}
            for c in ("C1", "C2")
        ],
    )
    shipped = pd.Timestamp("2025-04-10")
    orders = _table(
        "Orders 受注",
        [
            {"order_no": n, "customer_id": c, "sku": "S", "description": "d", "qty": Decimal(1), "unit_price": 100}
            | {"tax_rate": rate, "shipped_date": shipped}
            for n, c, rate in [("O1", "C1", "10"), ("O2", "C2", "10"), ("O3", "C2", "8")]
        ],
    )
    only_standard = {"10": tax_rates(RULES, date(2025, 4, 30))["10"]}  # as if "8" were no longer in force
    drafts, issues = build_drafts(orders, customers, date(2025, 4, 30), set(), set(), only_standard, InvoiceSettings())
    assert [d.customer_id for d in drafts] == ["C1"]
    assert [(i.cell, i.field, i.code) for i in issues] == [("G4", "tax_rate", "rate_not_in_force")]  # O3, row 4
    assert "10%" in issues[0].message_ja and "2025-04-30" in issues[0].message_en
