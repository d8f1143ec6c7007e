"""The vectorised valuations against the textbook ones, on random ledgers with every kind of movement:
the moving average row by row, every receipt re-averaging the stock held (a short or empty stock
restarts at the receipt's cost); the periodic average month by month, item by item. Each average
rounded half up to the unit `stock.unit_cost_rounding` names (the sen, 0.1 yen or the yen), each value
half up to the yen (the rules of valuation.py, restated slowly). Also: the rounding unit is read from
the rulebook and changes the result, an unusable one is refused, and amounts beyond int64 stay exact."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

import pytest

from addin.model import Table
from addin.money import half_up_yen
from addin.rulebook import load_rulebook
from addin.stock.ledger import QTY_SCALE, Ledger, build_ledger
from addin.stock.valuation import (
    AVG_SCALE,
    COST_SCALE,
    UnitCostScaleRefused,
    moving_average,
    periodic_average,
    unit_cost_scale,
    unit_cost_text,
)

KINDS = np.array(["receipt", "issue", "return", "adjust"], dtype=object)


def _movements(seed: int, rows: int = 1500, skus: int = 25) -> Table:
    rng = np.random.default_rng(seed)
    kind = KINDS[rng.choice(4, rows, p=[0.35, 0.45, 0.1, 0.1])]
    qty = [Decimal(int(n)) / 4 for n in rng.integers(1, 200, rows)]  # quarter units too
    qty = [-q if k == "adjust" and flip else q for q, k, flip in zip(qty, kind, rng.random(rows) < 0.5, strict=True)]
    cost = [
        Decimal(int(n)) / 100 if k == "receipt" else None
        for n, k in zip(rng.integers(100, 900000, rows), kind, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 200, rows), unit="D"),
            "sku": [f"S{n:03d}" for n in rng.integers(0, skus, rows)],
            "kind": kind,
            "qty": qty,
            "unit_cost": cost,
            "reference": None,
        }
    )
    return Table("stock.xlsx", "Movements", frame, np.arange(2, rows + 2), {})


def _textbook(frame: pd.DataFrame, scale: int = AVG_SCALE) -> tuple[list[int | None], dict[str, tuple[int, int]]]:
    averages, last, sku, average = [], {}, None, None
    per_unit, per_sen = COST_SCALE // scale, COST_SCALE // AVG_SCALE
    for row in frame.itertuples():
        if row.sku != sku:
            sku, average = row.sku, None
        if row.kind == "receipt":
            cost = int(row.unit_cost * COST_SCALE)
            before = row.balance - row.qty
            if before <= 0 or row.balance <= 0:
                average = half_up_yen(cost, per_unit) * (AVG_SCALE // scale)
            else:  # stock held before the item's first receipt (a return, an adjustment) is held at 0
                held = before * (average or 0) * per_sen + row.qty * cost
                average = half_up_yen(held, row.balance * per_unit) * (AVG_SCALE // scale)
        averages.append(average)
        last[sku] = (row.balance, average or 0)
    return averages, last


@pytest.mark.parametrize("scale", [100, 10, 1])
def test_moving_average_matches_the_row_by_row_textbook_method(scale):
    for seed in range(4):
        ledger = build_ledger(_movements(seed), date(2025, 12, 31))
        frame = ledger.frame
        averages, last = _textbook(frame, scale)
        valued = moving_average(ledger, scale)
        items = valued.items.set_index("sku")
        for sku, (balance, average) in last.items():
            assert (items.loc[sku, "on_hand"], items.loc[sku, "unit_cost"]) == (balance, average)
            assert items.loc[sku, "value"] == half_up_yen(balance * average, QTY_SCALE * AVG_SCALE)
        unvalued = [
            i for i, (a, k) in enumerate(zip(averages, frame["kind"], strict=True)) if a is None and k == "issue"
        ]
        assert valued.no_cost_basis.index.tolist() == unvalued
        cost = [half_up_yen(-q * (a or 0), QTY_SCALE * AVG_SCALE) for q, a in zip(frame["qty"], averages, strict=True)]
        expected = frame.assign(month=frame["date"].dt.strftime("%Y-%m"), cost=cost)
        issues = expected[expected["kind"] == "issue"].groupby(["sku", "month"])["cost"].sum()
        got = valued.monthly.set_index(["sku", "month"])["cost_of_issues"]
        assert got[got != 0].to_dict() == issues[issues != 0].to_dict()
        assert int(valued.monthly["adjustment_cost"].sum()) == sum(
            c for c, k in zip(cost, frame["kind"], strict=True) if k == "adjust"
        )


def _periodic_textbook(ledger: Ledger, scale: int) -> tuple[dict[str, tuple[int, int]], dict[tuple[str, str], int]]:
    """総平均法 item by item, month by month in Python ints: (opening value + the month's receipts) ÷
    (opening qty + received qty); with nothing in the pool the last average stands. Months in which no
    item moved are not months of the valuation; a month the item itself did not move in re-averages its
    opening stock. Returns each item's (on hand, average) and the cost of issues per (sku, month)."""
    frame = ledger.frame.assign(month=ledger.frame["date"].dt.strftime("%Y-%m"))
    months = sorted(frame["month"].unique())
    last, cost_of_issues = {}, {}
    for sku, rows in frame.groupby("sku", sort=True):
        qty = value = average = 0
        for month in months:
            here = rows[rows["month"] == month]
            receipts = here[here["kind"] == "receipt"]
            in_qty = int(receipts["qty"].sum())
            in_value = sum(
                int(q) * int(c * COST_SCALE) for q, c in zip(receipts["qty"], receipts["unit_cost"], strict=True)
            )
            pool_qty = qty + in_qty
            if pool_qty > 0:
                pool = value * QTY_SCALE * COST_SCALE + in_value
                average = half_up_yen(pool, pool_qty * (COST_SCALE // scale)) * (AVG_SCALE // scale)
            issues = here[here["kind"] == "issue"]["qty"]
            if len(issues):
                cost_of_issues[(sku, month)] = sum(
                    half_up_yen(-int(q) * average, QTY_SCALE * AVG_SCALE) for q in issues
                )
            qty += int(here["qty"].sum())
            value = half_up_yen(qty * average, QTY_SCALE * AVG_SCALE)
        last[sku] = (qty, average)
    return last, cost_of_issues


@pytest.mark.parametrize("scale", [100, 10, 1])
def test_periodic_average_matches_the_month_by_month_textbook_method(scale):
    for seed in range(3):
        ledger = build_ledger(_movements(seed, rows=600, skus=12), date(2025, 12, 31))
        last, cost_of_issues = _periodic_textbook(ledger, scale)
        valued = periodic_average(ledger, scale)
        items = valued.items.set_index("sku")
        assert {sku: (int(r.on_hand), int(r.unit_cost)) for sku, r in items.iterrows()} == last
        for sku, (qty, average) in last.items():
            assert items.loc[sku, "value"] == half_up_yen(qty * average, QTY_SCALE * AVG_SCALE)
        got = valued.monthly.set_index(["sku", "month"])["cost_of_issues"]
        assert {k: int(v) for k, v in got.items() if v} == {k: v for k, v in cost_of_issues.items() if v}


def _ledger(rows: list[tuple[str, str, Decimal, Decimal | None]]) -> Ledger:
    frame = pd.DataFrame(rows, columns=["date", "kind", "qty", "unit_cost"]).assign(sku="A", reference=None)
    frame["date"] = pd.to_datetime(frame["date"])
    return build_ledger(Table("stock.xlsx", "Movements", frame, np.arange(2, len(rows) + 2), {}), date(2025, 12, 31))


# 3 at 100 yen and 6 at 101 yen: 906 ÷ 9 = 100.666… yen
THIRDS = [("2025-04-01", "receipt", Decimal(3), Decimal(100)), ("2025-04-02", "receipt", Decimal(6), Decimal(101))]


@pytest.mark.parametrize("method", [moving_average, periodic_average])
@pytest.mark.parametrize("scale, sen", [(100, 10067), (10, 10070), (1, 10100)])
def test_the_rounding_unit_changes_the_average(method, scale, sen):
    valued = method(_ledger(THIRDS), scale)
    assert int(valued.items["unit_cost"].iloc[0]) == sen
    assert int(valued.items["value"].iloc[0]) == half_up_yen(9 * sen, AVG_SCALE)  # 906.03, 906.3, 909


def test_the_rounding_unit_is_read_from_the_rulebook_by_date(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "stock.yaml").write_text(
        "parameters:\n  stock.unit_cost_rounding:\n    source: our accounting policy from FY2026\n    values:\n"
        "      - {effective_from: 2026-04-01, value: {unit_cost_scale: 1}}\n",
        encoding="utf-8",
    )
    rules = load_rulebook(tmp_path)
    assert unit_cost_scale(rules, date(2026, 3, 31)) == 100  # the product's: the sen
    assert unit_cost_scale(rules, date(2026, 4, 1)) == 1  # the company's from its date: the yen


@pytest.mark.parametrize("scale", [1000, 3, 0, -100, "100", True, None, 100.0])
def test_an_unusable_rounding_unit_is_refused(tmp_path, scale):
    with pytest.raises(UnitCostScaleRefused) as refused:
        moving_average(_ledger(THIRDS), scale)  # type: ignore[arg-type]
    assert "unit_cost_scale" in refused.value.message_en and "使えません" in refused.value.message_ja
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ours.yaml").write_text(
        "parameters:\n  stock.unit_cost_rounding:\n    source: ours\n    values:\n"
        f"      - {{effective_from: 2026-04-01, value: {{unit_cost_scale: {scale!r}}}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(UnitCostScaleRefused) as refused:
        unit_cost_scale(load_rulebook(tmp_path), date(2026, 4, 1))
    assert refused.value.file.endswith("ours.yaml")  # the file that holds the value in force


def test_amounts_beyond_int64_stay_exact():
    """A billion units at a hundred million yen: products of 1e24 (1e-7 yen) are carried in Python ints."""
    big = [
        ("2025-04-01", "receipt", Decimal(10**9), Decimal(10**8) + Decimal("0.01")),
        ("2025-04-02", "receipt", Decimal(10**9), Decimal(10**8) + Decimal("0.02")),
        ("2025-05-01", "issue", Decimal(5 * 10**8), None),
    ]
    average = (10**10 + 1) * 10**9 + (10**10 + 2) * 10**9  # sen × units
    expected_avg = half_up_yen(average, 2 * 10**9)  # 10,000,000,001.5 sen → 10,000,000,002
    for method in (moving_average, periodic_average):
        valued = method(_ledger(big), 100)
        assert int(valued.items["unit_cost"].iloc[0]) == expected_avg
        assert int(valued.items["value"].iloc[0]) == half_up_yen(15 * 10**8 * expected_avg, AVG_SCALE)
        issued = valued.monthly.set_index("month")["cost_of_issues"]
        assert int(issued["2025-05"]) == half_up_yen(5 * 10**8 * expected_avg, AVG_SCALE)


def test_unit_costs_leave_as_exact_decimal_strings():
    assert [unit_cost_text(s) for s in (10067, 10000, 5, -5, 0)] == ["100.67", "100.00", "0.05", "-0.05", "0.00"]


def test_the_stock_run_applies_the_company_rounding_and_refuses_an_unusable_one(tmp_path, capsys):
    from addin.cli import main
    from tests.test_stock import company, item, movements, report

    thirds = [("2025-04-01", "入庫", 3, 100, ""), ("2025-04-02", "入庫", 6, 101, "")]
    root = company(tmp_path, movements("A", thirds))
    rules = (
        "parameters:\n  stock.unit_cost_rounding:\n    source: our accounting policy\n    values:\n"
        "      - {effective_from: 2025-04-01, value: {unit_cost_scale: %s}}\n"
    )
    (root / "rules").mkdir(exist_ok=True)
    (root / "rules" / "ours.yaml").write_text(rules % 1, encoding="utf-8")
    code, rep = report(root)
    assert code == 0 and item(rep, "A") == {"sku": "A", "on_hand": 9, "unit_cost": "101.00", "value": 909}
    (root / "rules" / "ours.yaml").write_text(rules % 1000, encoding="utf-8")
    capsys.readouterr()
    assert main(["stock", str(root), "--as-of", "2025-06-30"]) == 2
    said = capsys.readouterr()
    assert "unit_cost_scale 1000" in said.out + said.err and "ours.yaml" in said.out + said.err


def test_a_count_of_an_item_with_no_average_is_valued_at_zero_without_a_float():
    from addin.stock.counts import count_differences

    ledger = _ledger([("2025-04-01", "adjust", Decimal(5), None), *THIRDS])
    counts = pd.DataFrame({"count_date": [pd.Timestamp("2025-04-01")], "sku": ["A"], "counted_qty": [Decimal(4)]})
    table = Table("stock.xlsx", "Counts", counts, np.array([2]), {})
    found = count_differences(table, ledger, pd.Series({"B": 12345}))  # A has no average
    assert found["unit_cost"].dtype == np.int64 and found[["difference", "unit_cost", "value"]].values.tolist() == [
        [-4000, 0, 0]
    ]
    found = count_differences(table, ledger, lambda: pd.Series({"A": 10067}))
    assert found[["unit_cost", "value"]].values.tolist() == [[10067, -403]]  # -4 × 100.67 = -402.68


# --- the read path's shortcuts (addin/validate/headers.py) -----------------------------------------

HEADER = ["日付", "商品コード", "区分", "数量", "単価", "参照"]


def _located(rows: list[list], sum_rows: frozenset[int] = frozenset()) -> tuple[list[int], list[str]]:
    """The Excel rows `locate` keeps from a movements sheet, and the issue codes it reports."""
    from addin.model import Grid
    from addin.services.company import load_company
    from addin.validate import Reporter
    from addin.validate.headers import locate

    spec = load_company(Path(__file__).parent).books["stock"].sheets["movements"]
    reporter = Reporter()
    table = locate(Grid("stock.xlsx", "Movements", [HEADER, *rows], sum_rows=set(sum_rows)), spec, reporter)
    assert table is not None
    return table.rows.tolist(), [i.code for i in reporter.summarise()]


def _moves(count: int) -> list[list]:
    return [[dt.datetime(2025, 4, 1 + i % 28), f"S{i}", "入庫", float(i + 1), 1.5 * i, f"R{i}"] for i in range(count)]


def test_a_totals_label_ends_the_data_in_a_column_of_any_type():
    assert _located(_moves(5)) == ([2, 3, 4, 5, 6], [])  # no text that may be a total: nothing looked at alone
    for column, label in [(0, "合計"), (3, "Total"), (4, "小計"), (5, "ＴＯＴＡＬ"), (2, "計")]:
        totals = ["", "", "", "", "", ""]
        totals[column] = label  # in a date, number, enum or text column; no date (the key) on the row
        kept, codes = _located([*_moves(3), totals, ["", "", "", "", "", "note"]])
        assert kept == [2, 3, 4] and codes == ["notes_ignored"], (column, label)
    kept, _ = _located([*_moves(3), [dt.datetime(2025, 5, 1), "S9", "入庫", 1.0, 1.0, "合計"]])
    assert kept == [2, 3, 4, 5]  # a row with its key (the first required column, 日付) is data, whatever it holds


def test_a_sum_row_and_blank_rows_are_left_out():
    kept, _ = _located([*_moves(3), ["", "", "", 6.0, "", ""]], sum_rows=frozenset({5}))
    assert kept == [2, 3, 4]
    kept, _ = _located([_moves(1)[0], ["", None, "", None, "", ""], [None] * 6, *_moves(2)])
    assert kept == [2, 5, 6]
    kept, _ = _located([_moves(1)[0], [" ", "", "", "", "", ""]])  # a space is a value (as before)
    assert kept == [2, 3]
