"""賞与 — the bonus payroll of one pay date: standard bonus amounts with their caps, premiums,
employment insurance and withholding (FACTS_YEAR.md §A; sources in rules/withholding.yaml and
rules/social_insurance.yaml).

Pure: the previous month's pay and the earlier bonuses of the fiscal year / month come in as
mappings (the service reads them from the payroll history or computes them)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

from addin.model import Issue, Severity, Table
from addin.money import floor_yen, rate
from addin.payroll.gross import yen
from addin.payroll.items import BONUS, Group
from addin.payroll.insurance import InsuranceRates, insured_in, premiums
from addin.payroll.settings import PayrollSettings
from addin.payroll.withholding import MonthlyTable
from addin.rulebook import Rulebook

# the engine's lists, read from the declaration of a bonus's lines (addin/payroll/items.py)
SOCIAL = BONUS.pre_tax  # 社会保険料等, deducted before tax
EMPLOYER = BONUS.fields(Group.EMPLOYER)


@dataclass(frozen=True)
class BonusRateTable:
    """賞与に対する源泉徴収税額の算出率の表 in force on a pay date."""

    kou: list[tuple[list[int], list[Fraction]]]  # per dependents 0–7: band minimums, rates
    otsu: tuple[list[int], list[Fraction]]

    @classmethod
    def on(cls, rules: Rulebook, pay_date: date) -> "BonusRateTable":
        rows = rules.value("withholding.bonus_rate_table", pay_date)

        def bands(picked):
            picked = sorted(picked, key=lambda r: int(r["prev_month_min_inclusive_yen"]))
            return [int(r["prev_month_min_inclusive_yen"]) for r in picked], [rate(r["rate"]) for r in picked]

        return cls(
            [bands([r for r in rows if r["column"] == "kou" and int(r["dependents"]) == n]) for n in range(8)],
            bands([r for r in rows if r["column"] == "otsu"]),
        )

    def rate_for(self, previous_pay: int, dependents: int, otsu: bool) -> Fraction:
        """The rate of the row holding the previous month's pay; 甲 counts dependents up to 7 (the
        bonus table has no per-person adjustment above 7). 乙 ignores dependents."""
        mins, rates = self.otsu if otsu else self.kou[min(max(dependents, 0), 7)]
        return rates[max(bisect_right(mins, max(previous_pay, 0)) - 1, 0)]


@dataclass(frozen=True)
class BonusTax:
    tax: int
    method: str  # 'rate_table' / 'monthly_table' (no pay last month, or > 10×)
    rate: Fraction | None
    divisor: int  # 6 or 12 for the monthly-table method, else 0


def bonus_withholding(
    after_social: int,
    previous_pay: int | None,
    dependents: int,
    otsu: bool,
    period_months: int,
    rates: BonusRateTable,
    monthly: MonthlyTable,
    multiple: int,
) -> BonusTax:
    """源泉徴収税額 of one bonus (FACTS_YEAR.md §A1): the rate table on the previous month's pay after
    social insurance, or — with no such pay (none, or not above its social insurance) or a bonus above
    `multiple` × that pay — the 月額表 on 1/6 (1/12 for a calculation period over 6 months)."""
    amount = max(int(after_social), 0)
    pay = int(previous_pay) if previous_pay is not None and previous_pay > 0 else 0  # 0: no such pay
    if pay == 0 or amount > multiple * pay:
        divisor = 12 if period_months > 6 else 6
        base = pay
        share = amount // divisor  # 1円未満切捨て
        tax = monthly.tax_one(share + base, dependents, otsu) - (monthly.tax_one(base, dependents, otsu) if base else 0)
        return BonusTax(max(tax, 0) * divisor, "monthly_table", None, divisor)
    bonus_rate = rates.rate_for(pay, dependents, otsu)
    return BonusTax(int(floor_yen(amount * bonus_rate.numerator, bonus_rate.denominator)), "rate_table", bonus_rate, 0)


def standard_bonus(amount: np.ndarray, unit: int) -> np.ndarray:
    """標準賞与額: the bonus with anything below `unit` (1,000 yen) cut off."""
    return (np.asarray(amount, dtype=np.int64) // unit) * unit


def capped(standard: np.ndarray, earlier: np.ndarray, cap: int) -> np.ndarray:
    """The part of a standard bonus under a cap already used by `earlier` standard bonuses."""
    return np.minimum(standard, np.maximum(cap - earlier, 0))


def fiscal_year_start(day: date) -> date:
    """The 年度 (April–March) holding `day`: where the health-insurance bonus cap restarts."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


@dataclass
class BonusPayroll:
    pay_date: date
    employees: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return BONUS.totals(self.employees)


def compute_bonus(
    staff_table: Table,
    bonuses_table: Table | None,
    pay_date: date,
    rules: Rulebook,
    settings: PayrollSettings,
    previous_pay: dict[str, int],
    earlier_health_fy: dict[str, int],
    earlier_pension_month: dict[str, int],
) -> BonusPayroll:
    """The bonuses paid on `pay_date`. previous_pay: 前月の社会保険料等控除後の給与等の金額 by employee
    (absent = no pay in the month before); earlier_*: standard bonuses already used against each cap."""
    if bonuses_table is None:
        return BonusPayroll(
            pay_date,
            pd.DataFrame(
                columns=["employee_id", *dict.fromkeys(i.field for i in BONUS.items if i.field in BONUS.summed())]
            ),
            [
                Issue(
                    "staff.xlsx",
                    "Bonuses 賞与",
                    "",
                    "",
                    "no_bonus_sheet",
                    Severity.FATAL,
                    "賞与シート（Bonuses 賞与）がありません",
                    "there is no Bonuses 賞与 sheet",
                )
            ],
        )
    bonuses = bonuses_table.frame
    today = bonuses[bonuses["pay_date"] == pd.Timestamp(pay_date)]
    positions = today.index.to_numpy()
    frame = staff_table.frame
    index_of = {str(e): i for i, e in enumerate(frame["employee_id"])}
    staff = frame.iloc[[index_of[str(e)] for e in today["employee_id"]]].reset_index(drop=True)
    ids = staff["employee_id"].astype(str).tolist()
    amount = yen(today["amount"])
    nontaxable = np.minimum(yen(today["nontaxable_amount"]), amount)

    month = pay_date.replace(day=1)  # bonus premiums belong to the month it is paid in
    rates = InsuranceRates.on(rules, settings, month, pay_date)
    insured = insured_in(staff, month)
    standard = standard_bonus(amount, int(rules.value("social_insurance.standard_bonus_unit", pay_date)))
    lookup = lambda mapping: np.array([int(mapping.get(e, 0)) for e in ids], dtype=np.int64)  # noqa: E731
    health_std = np.where(
        insured["health"],
        capped(
            standard, lookup(earlier_health_fy), int(rules.value("social_insurance.bonus_health_annual_cap", pay_date))
        ),
        0,
    )
    pension_std = np.where(
        insured["pension"],
        capped(
            standard,
            lookup(earlier_pension_month),
            int(rules.value("social_insurance.bonus_pension_monthly_cap", pay_date)),
        ),
        0,
    )
    shares = premiums(
        health_std,
        pension_std,
        amount,
        staff["employment_insurance"].fillna(False).astype(bool).to_numpy(),
        insured,
        rates,
    )
    social = sum(shares[k] for k in SOCIAL)
    taxable_pay = amount - nontaxable
    after_social = np.maximum(taxable_pay - social, 0)

    rate_table, monthly = BonusRateTable.on(rules, pay_date), MonthlyTable.on(rules, pay_date)
    multiple = int(rules.value("withholding.bonus_monthly_method_multiple", pay_date))
    otsu = (staff["tax_column"] == "乙").to_numpy()
    dependents = yen(staff["dependents"])
    periods = pd.array(today["period_months"], dtype="Int64").fillna(6).to_numpy(dtype=np.int64)
    taxes = [
        bonus_withholding(int(a), previous_pay.get(e), int(n), bool(o), int(p), rate_table, monthly, multiple)
        for a, e, n, o, p in zip(
            after_social.tolist(), ids, dependents.tolist(), otsu.tolist(), periods.tolist(), strict=True
        )
    ]

    result = pd.DataFrame(
        {
            "employee_id": ids,
            "name": staff["name"],
            "department": staff["department"],
            "tax_column": staff["tax_column"],
            "dependents": dependents,
            "bonus_amount": amount,
            "nontaxable_amount": nontaxable,
            "standard_bonus": standard,
            "health_standard_bonus": health_std,
            "pension_standard_bonus": pension_std,
            **{k: v for k, v in shares.items() if k not in EMPLOYER},
            "social_insurance": social,
            "taxable_pay": taxable_pay,
            "taxable_amount": after_social,
            "previous_month_pay": [previous_pay.get(e) for e in ids],
            "withholding_method": [t.method for t in taxes],
            "withholding_rate": [
                f"{float(t.rate * 100):.3f}%" if t.rate is not None else f"1/{t.divisor}" for t in taxes
            ],
            "withholding_tax": np.array([t.tax for t in taxes], dtype=np.int64),
        }
    )
    result["total_deductions"] = BONUS.total_deductions(result)
    result["net_pay"] = result["bonus_amount"] - result["total_deductions"]
    for column in ["bank_code", "branch_code", "account_type", "account_number", "account_holder_kana"]:
        result[column] = staff[column].to_numpy()
    for column in EMPLOYER:  # the company's shares last: the totals keep their order
        result[column] = shares[column]
    issues = _check(bonuses_table, staff_table, positions, staff, result, pay_date) + _four_times(
        bonuses_table, positions, pay_date
    )
    return BonusPayroll(pay_date, result, issues)


def _four_times(bonuses_table: Table, positions, pay_date: date) -> list[Issue]:
    """Paid four or more times in the year (7/1–6/30) a 賞与 is 報酬: it belongs in the standard
    monthly remuneration (annual total ÷ 12), not here (健保法3条6項; FACTS_YEAR.md §A2). A warning:
    the person decides."""
    start = date(pay_date.year if pay_date.month >= 7 else pay_date.year - 1, 7, 1)
    frame = bonuses_table.frame
    in_year = frame[
        (frame["pay_date"] >= pd.Timestamp(start))
        & (frame["pay_date"] < pd.Timestamp(start.replace(year=start.year + 1)))
    ]
    counts = in_year.groupby("employee_id")["pay_date"].nunique()
    return [
        Issue(
            bonuses_table.book,
            bonuses_table.sheet,
            bonuses_table.cell("pay_date", int(p)),
            "pay_date",
            "bonus_four_times",
            Severity.WARNING,
            f"{start.year}年7月〜翌6月に賞与が{counts[e]}回あります（4回以上は報酬として標準報酬月額に含めます）",
            f"{counts[e]} bonuses from July {start.year} to June: paid 4+ times a year they are remuneration "
            f"(standard monthly remuneration), not bonuses",
        )
        for p, e in zip(positions, frame.loc[positions, "employee_id"], strict=True)
        if counts.get(e, 0) >= 4
    ]


def _check(
    bonuses_table: Table, staff_table: Table, positions, staff: pd.DataFrame, result: pd.DataFrame, pay_date: date
) -> list[Issue]:
    issues = []

    def at(position, field_name, code, ja, en):
        issues.append(
            Issue(
                bonuses_table.book,
                bonuses_table.sheet,
                bonuses_table.cell(field_name, int(position)),
                field_name,
                code,
                Severity.ERROR,
                ja,
                en,
            )
        )

    for i, position in enumerate(positions):
        person = staff.iloc[i]
        if pd.notna(person["leave_date"]) and person["leave_date"] < pd.Timestamp(pay_date):
            at(
                position,
                "employee_id",
                "bonus_after_leaving",
                "退職日より後の賞与です",
                "bonus paid after the leave date",
            )
        if person[["bank_code", "branch_code", "account_number"]].isna().any():
            at(
                position,
                "employee_id",
                "no_bank_account",
                "振込先の口座が登録されていません",
                "no bank account to pay into",
            )
        if result["net_pay"].iloc[i] < 0:
            at(position, "amount", "negative_net_pay", "差引支給額がマイナスになります", "net pay would be negative")
    if len(positions) == 0:
        issues.append(
            Issue(
                bonuses_table.book,
                bonuses_table.sheet,
                "",
                "pay_date",
                "no_bonus_on_date",
                Severity.ERROR,
                f"{pay_date} に支給する賞与がありません",
                f"no bonus is paid on {pay_date}",
            )
        )
    return issues
