"""The one-cell paths of the worksheet functions (no array machinery) give what the range paths and the
engine give: the insurance functions through the engine's one-person form (employee_shares,
GradeBands) against its array form (premiums, grade_of, pension_base) over many random inputs, and
against the published rates and grades of rules/jp; the company-book functions still see a saved book."""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import shutil
from datetime import date
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from addin.payroll.insurance import (
    GradeBands,
    InsuranceRates,
    employee_shares,
    grade_of,
    pension_base,
    premiums,
)
from addin.payroll.settings import PayrollSettings
from addin.rulebook import RuleNotInForce, load_rulebook
from tests.xlwings_windows import MISSING, Caller, PyTime, windows_udfs
from tests.payroll_helpers import demo_staff_copy

JP = Path(__file__).resolve().parents[1] / "rules" / "jp"
MONTHS = [date(y, m, 1) for y in (2024, 2025, 2026) for m in (1, 2, 3, 4, 9, 10, 12)]


def com_date(y, m, d):
    return PyTime(y, m, d, tzinfo=dt.timezone.utc)


def _table(name: str) -> list[dict]:
    with open(JP / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _prefectures() -> list[str]:
    return [row["prefecture"] for row in _table("kyoukaikenpo_health_rates_by_prefecture.csv")]


@pytest.fixture(scope="module")
def rulebook():
    return load_rulebook(None)


def _rates_in_force(rulebook, month: date, prefecture: str) -> InsuranceRates | None:
    try:
        return InsuranceRates.on(rulebook, PayrollSettings(prefecture=prefecture), month, month)  # type: ignore[call-arg]
    except RuleNotInForce:
        return None


def test_grade_bands_of_one_pay_are_grade_of_and_pension_base(rulebook):
    grades = rulebook.value("social_insurance.standard_monthly_remuneration_grades", date(2026, 4, 1))
    bands = GradeBands.of(grades)
    lows = [int(g["health_remuneration_min_inclusive"]) for g in grades]
    rng = random.Random(10)
    pays = [-1, 0, *lows, *(low - 1 for low in lows), 10**9] + [rng.randrange(0, 2_000_000) for _ in range(3000)]
    health = grade_of(np.array(pays, dtype=np.int64), grades)
    pension = pension_base(health, grades, 650000)
    assert [bands.health_base(p) for p in pays] == health.tolist()
    assert [bands.pension_base(h, 650000) for h in health.tolist()] == pension.tolist()


def test_one_persons_shares_are_the_array_premiums(rulebook):
    rng = random.Random(20)
    for month in MONTHS:
        grades = rulebook.value("social_insurance.standard_monthly_remuneration_grades", month)
        bands = GradeBands.of(grades)
        for prefecture in rng.sample(_prefectures(), 6):
            rates = _rates_in_force(rulebook, month, prefecture)
            if rates is None:
                continue
            n = 400
            health_base = np.array([bands.health_base(rng.randrange(0, 1_500_000)) for _ in range(n)], np.int64)
            pension_smr = pension_base(health_base, grades, rates.pension_cap)
            health = np.array([rng.random() < 0.9 for _ in range(n)])
            insured = {
                "health": health,
                "nursing": health & np.array([rng.random() < 0.5 for _ in range(n)]),
                "pension": np.array([rng.random() < 0.9 for _ in range(n)]),
            }
            whole = premiums(health_base, pension_smr, np.zeros(n, np.int64), np.zeros(n, bool), insured, rates)
            for i in range(n):
                one = employee_shares(
                    int(health_base[i]), int(pension_smr[i]), {k: bool(v[i]) for k, v in insured.items()}, rates
                )
                assert one == {name: int(whole[name][i]) for name in one}, (month, prefecture, i)
                assert all(type(v) is int for v in one.values())


def _half_share(base: int, percent: str) -> int:
    """The employee's half of base × percent %, 50銭以下切捨て, worked straight from the published rate."""
    exact = Fraction(base) * Fraction(percent) / 100 / 2
    whole = exact.numerator // exact.denominator
    return whole + (exact - whole > Fraction(1, 2))


@pytest.fixture(scope="module")
def call():
    with windows_udfs() as run:
        yield run


def test_one_cell_figures_are_the_published_rates_and_grades(call):
    """Every grade of rules/jp, in 令和8年度 (2026-04) for three prefectures, worked from the CSVs alone."""
    rates = {row["prefecture"]: row for row in _table("kyoukaikenpo_health_rates_by_prefecture.csv")}
    nursing_pct = next(
        r["rate_pct_total"]
        for r in _table("social_insurance_rates.csv")
        if r["item"] == "kaigo_care_insurance_kyoukaikenpo" and r["effective_from_month"] == "2026-03"
    )
    pension_pct = next(
        r["rate_pct_total"] for r in _table("social_insurance_rates.csv") if r["item"].startswith("kosei")
    )
    grades = _table("standard_monthly_remuneration_grades.csv")
    pension_values = [int(g["standard_monthly_remuneration"]) for g in grades if g["pension_grade"]]
    nobody = Caller("")
    for prefecture in ("東京都", "大阪府", "北海道"):
        health_pct = rates[prefecture]["health_rate_pct_R08_from_2026-03"]
        for g in grades:
            smr = int(g["standard_monthly_remuneration"])
            young, forty = com_date(1995, 5, 5), com_date(1975, 5, 5)
            both = _half_share(smr, str(Fraction(health_pct) + Fraction(nursing_pct)))
            nursing = _half_share(smr, nursing_pct)
            assert call("BO_HEALTH_INSURANCE", float(smr), "2026-04", young, prefecture, nobody) == [
                [_half_share(smr, health_pct)]
            ]
            assert call("BO_HEALTH_INSURANCE", float(smr), "2026-04", forty, prefecture, nobody) == [[both - nursing]]
            assert call("BO_NURSING_INSURANCE", float(smr), "2026-04", forty, prefecture, nobody) == [[nursing]]
        for g in grades:
            smr = int(g["standard_monthly_remuneration"])
            base = min(max(smr, min(pension_values)), max(pension_values))
            assert call("BO_PENSION", float(smr), "2026-04", nobody) == [[_half_share(base, pension_pct)]]


def _random_rows(rng: random.Random, n: int) -> list[tuple]:
    """(standard monthly remuneration, premium month, birth date, prefecture) as Excel hands them over,
    with blanks, error cells, bad text, unknown prefectures and months without rules mixed in."""
    prefectures = _prefectures()
    rows = []
    for _ in range(n):
        pay = rng.choice(
            [float(rng.randrange(0, 1_600_000)), float(rng.randrange(50_000, 700_000)), None, "abc", -2146826281]
        )
        month = rng.choice(["2025-03", "2025-10", "2026-02", "2026-04", "R8.3", com_date(2026, 7, 15), "1990-04", None])
        birth = rng.choice(
            [com_date(rng.randrange(1940, 2008), rng.randrange(1, 13), rng.randrange(1, 29)), None, "x", "1986-03-01"]
        )
        prefecture = rng.choice([*rng.sample(prefectures, 3), None, "東京", 7.0])
        rows.append((pay, month, birth, prefecture))
    return rows


@pytest.mark.parametrize("name", ["BO_HEALTH_INSURANCE", "BO_NURSING_INSURANCE", "BO_PENSION"])
def test_one_cell_equals_the_range_path_over_random_inputs(call, name):
    rows = _random_rows(random.Random(name), 400)
    nobody = Caller("")
    if name == "BO_PENSION":
        rows = [(pay, month) for pay, month, *_ in rows]
    columns = [tuple((row[k],) for row in rows) for k in range(len(rows[0]))]
    whole = call(name, *columns, nobody)
    assert len(whole) == len(rows)
    for row, expected in zip(rows, whole, strict=True):
        assert call(name, *row, nobody) == [expected], row
    figures = [cell for (cell,) in whole if isinstance(cell, int)]
    assert len(figures) > 50 and any(figures)  # the comparison covered real figures, not only errors


def test_employment_insurance_one_cell_equals_the_range_path(call):
    rng = random.Random(30)
    rows = [
        (
            rng.choice([float(rng.randrange(0, 2_000_000)), None, "abc"]),
            rng.choice([com_date(2025, 7, 25), com_date(2026, 4, 25), "2024-04-25", com_date(1990, 1, 1), None]),
            rng.choice(["general", "construction", "agriculture", None, "mining"]),
        )
        for _ in range(300)
    ]
    nobody = Caller("")
    whole = call("BO_EMPLOYMENT_INSURANCE", *[tuple((r[k],) for r in rows) for k in range(3)], nobody)
    for row, expected in zip(rows, whole, strict=True):
        assert call("BO_EMPLOYMENT_INSURANCE", *row, nobody) == [expected], row
    assert call("BO_EMPLOYMENT_INSURANCE", 301000.0, com_date(2025, 7, 25), MISSING, nobody) == [[1655]]


def test_a_book_saved_by_renaming_or_beside_another_is_seen(call, tmp_path, demo_template):
    """Excel saves by writing a new file and renaming it over the book; a second staff book (.xlsm)
    makes the lookup refuse. Both are seen on the next one-cell call."""
    root, wb, staff, header = demo_staff_copy(tmp_path, demo_template)
    here = Caller(str(root / "staff.xlsx"))
    who = staff.cell(2, header.index("社員番号") + 1).value
    before = call("BO_NET_PAY", who, "2025-12", MISSING, here)[0][0]
    salary = staff.cell(2, header.index("基本給") + 1)
    salary.value = int(salary.value) + 20000
    wb.save(root / "new.tmp")
    os.replace(root / "new.tmp", root / "staff.xlsx")
    after = call("BO_NET_PAY", who, "2025-12", MISSING, here)[0][0]
    assert isinstance(before, int) and isinstance(after, int) and after > before
    shutil.copy(root / "staff.xlsx", root / "staff.xlsm")
    refused = call("BO_NET_PAY", who, "2025-12", MISSING, here)[0][0]
    assert refused.startswith("#N/A staff:") and "staff.xlsm" in refused


def test_year_end_figures_remembered_across_calls_are_the_ones_worked_out_afresh(call, monkeypatch):
    from addin.excel import udfs

    nobody = Caller("")
    pays = column_of(3_000_000.0 + 7919 * k for k in range(40))
    social = column_of(400_000.0 + 13 * k for k in range(40))
    first = call("BO_NENCHO_TAX", pays, social, 2025.0, 60000.0, *(MISSING,) * 5, "difference", nobody)
    again = call("BO_NENCHO_TAX", pays, social, 2025.0, 60000.0, *(MISSING,) * 5, "difference", nobody)
    monkeypatch.setattr(udfs, "_NENCHO_DONE", {})
    monkeypatch.setattr(udfs, "_NENCHO_KEPT", 16)  # bounded: cleared when full, still right
    fresh = [
        call("BO_NENCHO_TAX", p, s, 2025.0, 60000.0, *(MISSING,) * 5, "difference", nobody)[0]
        for (p,), (s,) in zip(pays, social, strict=True)
    ]
    assert first == again == fresh
    assert all(isinstance(v, int) for (v,) in first) and len({v for (v,) in first}) > 10
    assert sum(len(done) for _, done in udfs._NENCHO_DONE.values()) <= 16


def column_of(values) -> tuple:
    return tuple((v,) for v in values)


def test_normalize_one_cell_equals_the_range_path(call):
    values = ["¥1,234", "１２３", "△500", "R7.4.1", "令和8年3月", "2026/04/01", 45000.0, 12.5, "TRUE", "いいえ"]
    values += [None, " ", "abc", "#N/A", "ｶﾀｶﾅ", com_date(2026, 4, 1), True]
    nobody = Caller("")
    for kind in ("text", "code", "kana", "integer", "yen", "decimal", "date", "month", "bool"):
        whole = call("BO_NORMALIZE", column_of(values), kind, nobody)
        assert [call("BO_NORMALIZE", v, kind, nobody)[0] for v in values] == whole, kind
    assert call("BO_NORMALIZE", "1", "nonsense", nobody)[0][0].startswith("#VALUE! kind")
