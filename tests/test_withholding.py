"""Withholding held against the official monthly table (../shared/data/jp) at every band edge,
for 甲 0–7 dependents and 乙, both table years, and the formula above 740,000 yen."""

from __future__ import annotations

import csv
from datetime import date
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from addin.payroll.withholding import ComputerMethod, MonthlyTable
from addin.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "jp"
DATA = SHARED if SHARED.is_dir() else ROOT / "rules" / "jp"
RULES = load_rulebook()
YEARS = {"R02-R07_2020-2025": date(2025, 12, 25), "R08_2026": date(2026, 1, 23)}


def rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_rules_copies_are_the_official_data():
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout")
    for path in SHARED.glob("*.csv"):
        assert (ROOT / "rules" / "jp" / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("year", YEARS)
def test_every_band_edge_of_the_monthly_table(year):
    table = MonthlyTable.on(RULES, YEARS[year])
    official = rows(f"withholding_monthly_{year}.csv")
    amounts, expected_kou, expected_otsu = [], [], []
    for row in official:
        for amount in (int(row["min_inclusive"]), int(row["max_exclusive"]) - 1):
            amounts.append(amount)
            expected_kou.append([int(row[f"kou_{n}"]) for n in range(8)])
            expected_otsu.append(int(row["otsu"]))
    amounts = np.array(amounts)
    for n in range(8):
        got = table.tax(amounts, np.full(len(amounts), n), np.zeros(len(amounts), bool))
        assert got.tolist() == [e[n] for e in expected_kou], f"甲 {n}人"
    got = table.tax(amounts, np.zeros(len(amounts), int), np.ones(len(amounts), bool))
    assert got.tolist() == expected_otsu


@pytest.mark.parametrize("year, lowest", [("R02-R07_2020-2025", 88000), ("R08_2026", 105000)])
def test_below_the_table(year, lowest):
    table = MonthlyTable.on(RULES, YEARS[year])
    assert table.tax([lowest - 1], [0], [False]).tolist() == [0]
    # 乙 below the first row: 3.063 %, 1円未満切り捨て
    assert table.tax([lowest - 1], [0], [True]).tolist() == [(lowest - 1) * 3063 // 100000]


@pytest.mark.parametrize("year", YEARS)
def test_formula_above_740000_at_every_segment_edge(year):
    table = MonthlyTable.on(RULES, YEARS[year])
    for seg in rows(f"withholding_monthly_{year}_over740k.csv"):
        low = int(seg["min_inclusive"])
        edges = [low, low + 1, low + 12_345] + ([int(seg["max_exclusive"]) - 1] if seg["max_exclusive"] else [])
        columns = range(8) if seg["column"] == "kou" else [0]
        for amount in edges:
            for n in columns:
                excess = Fraction(amount - low) * Fraction(seg["rate_on_excess_over_min"])
                expected = int(seg[f"base_tax_{n}"]) + int(excess)  # 1円未満切り捨て
                got = table.tax([amount], [n], [seg["column"] == "otsu"])[0]
                assert got == expected, (seg["column"], amount, n)


def test_spot_values_from_the_facts():
    r8, r7 = MonthlyTable.on(RULES, date(2026, 1, 23)), MonthlyTable.on(RULES, date(2025, 12, 25))
    assert r8.tax([200000] * 3, [0, 1, 2], [False] * 3).tolist() == [4340, 2730, 1100]
    assert r8.tax([300000] * 5, [0, 1, 2, 3, 4], [False] * 5).tolist() == [7930, 6320, 4700, 3080, 1470]
    assert r8.tax([100000, 105000, 200000, 300000, 740000, 1710000], [0] * 6, [True] * 6).tolist() == [
        3063,
        3800,
        19700,
        53600,
        259200,
        655400,
    ]
    assert r7.tax([167000] * 3, [0, 1, 2], [False] * 3).tolist() == [3620, 2000, 390]
    assert r7.tax([740000], [0], [False]).tolist() == [73390]
    assert r7.tax([88000, 97000], [0, 0], [True, True]).tolist() == [3200, 3500]


def test_more_than_seven_dependents():
    table = MonthlyTable.on(RULES, date(2026, 1, 23))
    seven = table.tax([500000], [7], [False])[0]
    assert table.tax([500000, 500000], [8, 10], [False, False]).tolist() == [seven - 1610, max(seven - 3 * 1610, 0)]
    assert table.tax([200000], [9], [False]).tolist() == [0]  # never below zero


def test_table_is_chosen_by_pay_date_and_refused_before_2020():
    from addin.rulebook import RuleNotInForce

    assert MonthlyTable.on(RULES, date(2025, 12, 31)).mins[0] == 88000
    assert MonthlyTable.on(RULES, date(2026, 1, 1)).mins[0] == 105000
    with pytest.raises(RuleNotInForce, match="withholding.yaml"):
        MonthlyTable.on(RULES, date(2019, 12, 25))


def test_computer_method_reproduces_the_nta_examples():
    method = ComputerMethod.on(RULES, date(2026, 1, 23))
    assert method.tax([175000, 446000, 775200], [2, 8, 3]).tolist() == [210, 940, 59470]
    assert method.tax([50000], [0]).tolist() == [0]
