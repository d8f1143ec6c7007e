"""Every line of a pay run declared once: what it is (field), its Japanese and English labels, its
group, its sign, and where it is shown (the pay slip's block, the register, summary.json).

The engines' lists (the deductions summed into total_deductions, the pre-tax 社会保険料等, the totals),
the register's columns, the pay slip (PDF and sheet), summary.json's employee lines and totals — for
the monthly payroll and for a bonus — are all read from the two layouts here. Adding a deduction is one
`Item` in a layout plus the engine line that computes its column (README: "Payroll line items").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Literal

import numpy as np
import pandas as pd


class Group(str, Enum):
    INFO = "info"  # who: id, name, codes
    ATTENDANCE = "attendance"  # days and hours worked
    BASIS = "basis"  # what a computation rests on (standard remuneration, taxable amount …)
    PAYMENT = "payment"  # pay, with its sign in gross pay (欠勤控除 −)
    NON_TAXABLE = "non-taxable"  # pay not subject to income tax (its limit applied by the engine)
    DEDUCTION = "deduction"  # summed with its sign into total_deductions
    TOTAL = "total"  # gross pay, total deductions, net pay
    EMPLOYER = "employer"  # the company's share: register and totals, never the slip
    RECORD = "record"  # kept in summary.json for later (年末調整, 算定基礎), shown nowhere else


@dataclass(frozen=True)
class Item:
    field: str
    ja: str  # the register's heading (and the slip's, unless slip_ja)
    en: str
    group: Group
    slip: str | None = None  # the pay slip's block holding it (None: not on the slip)
    register: bool = False
    summary: bool = False  # an employee line of summary.json holds it
    sign: int = 1  # −1: it lowers the total of its group (欠勤控除, 年末調整還付)
    slip_ja: str | None = None
    always: bool = False  # on the slip even when zero (else only when it is not)
    kind: Literal["money", "quantity", "text"] = "money"
    total: bool = True  # money summed in the register's 合計 row and summary.json's totals
    pre_tax: bool = False  # 社会保険料等: deducted before the withholding tax is found
    blank: bool = False  # may be missing (no pay last month): blank, null in JSON
    occasional: bool = False  # only in the pay runs that carry it (the year-end settlement)

    @property
    def slip_label(self) -> str:
        return self.slip_ja or self.ja


def _info(field: str, ja: str, en: str, summary: bool = True, kind="text") -> Item:
    return Item(field, ja, en, Group.INFO, register=True, summary=summary, kind=kind, total=False)


def _hours(field: str, ja: str, en: str, register: bool = True) -> Item:
    return Item(
        field, ja, en, Group.ATTENDANCE, slip="勤怠", register=register, always=True, kind="quantity", total=False
    )


def _deduction(field: str, ja: str, en: str, **how) -> Item:
    return Item(field, ja, en, Group.DEDUCTION, slip="控除", register=True, summary=True, **how)


def _employer(field: str, ja: str, en: str) -> Item:
    return Item(field, ja, en, Group.EMPLOYER, register=True)


def _record(field: str, ja: str, en: str) -> Item:
    return Item(field, ja, en, Group.RECORD, summary=True, total=False)


EMPLOYEE_ID = _info("employee_id", "社員番号", "employee id")
NAME = _info("name", "氏名", "name", summary=False)
DEPARTMENT = _info("department", "部署", "department", summary=False)
TAX_COLUMN = _info("tax_column", "税区分", "tax column (甲/乙)")
DEPENDENTS = _info("dependents", "扶養", "dependants", kind="money")

HEALTH = _deduction("health_insurance", "健康保険", "health insurance", pre_tax=True)
NURSING = _deduction("nursing_insurance", "介護保険", "long-term care insurance", pre_tax=True)
SUPPORT_LEVY = _deduction(
    "child_support_levy", "支援金", "child support levy", pre_tax=True, slip_ja="子ども・子育て支援金"
)
PENSION = _deduction("pension", "厚生年金", "pension", pre_tax=True)
EMPLOYMENT = _deduction("employment_insurance", "雇用保険", "employment insurance", pre_tax=True)
TAXABLE_AMOUNT = Item(
    "taxable_amount", "課税対象額", "taxable amount (after social insurance)", Group.BASIS, register=True, summary=True
)
WITHHOLDING = _deduction("withholding_tax", "所得税", "income tax withheld", always=True)
RESIDENT = _deduction("resident_tax", "住民税", "resident tax")
# the year-end adjustment's 過不足, settled in the last pay of the year (never the month's own tax)
YEAR_END_REFUND = _deduction("year_end_refund", "年末調整還付", "year-end adjustment refund", sign=-1, occasional=True)
YEAR_END_COLLECTION = _deduction(
    "year_end_collection", "年末調整徴収", "year-end adjustment collection", occasional=True
)
TOTAL_DEDUCTIONS = Item(
    "total_deductions",
    "控除合計",
    "total deductions",
    Group.TOTAL,
    slip="控除",
    register=True,
    summary=True,
    always=True,
)
NET_PAY = Item("net_pay", "差引支給額", "net pay", Group.TOTAL, register=True, summary=True)
EMPLOYER_SHARES = (
    _employer("employer_health_insurance", "健康保険(会社)", "health insurance (employer)"),
    _employer("employer_child_support_levy", "支援金(会社)", "child support levy (employer)"),
    _employer("employer_pension", "厚生年金(会社)", "pension (employer)"),
    _employer("employer_child_contribution", "拠出金(会社)", "child contribution (employer)"),
    _employer("employer_employment_insurance", "雇用保険(会社)", "employment insurance (employer)"),
)
SOCIAL_INSURANCE = _record("social_insurance", "社会保険料等", "social insurance withheld")
TAXABLE_PAY = _record("taxable_pay", "課税支給額", "taxable pay")


def _pay(field: str, ja: str, en: str, group: Group = Group.PAYMENT, **how) -> Item:
    return Item(field, ja, en, group, slip="支給", register=True, **how)


@dataclass(frozen=True)
class Layout:
    """The lines of one kind of pay run, in the register's order."""

    name: str
    items: tuple[Item, ...]
    slip_blocks: tuple[str, ...]  # the slip's blocks, left to right
    summary_order: tuple[str, ...]  # summary.json's keys in the order first released (kept byte-stable)

    def __post_init__(self):
        for where in ("register", "summary"):
            fields = [i.field for i in self.items if getattr(i, where)]
            if len(fields) != len(set(fields)):
                raise ValueError(f"{self.name}: a field twice in the {where}")
        unknown = set(self.summary_order) - {i.field for i in self.items if i.summary}
        if unknown:
            raise ValueError(f"{self.name}: summary_order names no summary item: {sorted(unknown)}")

    def _present(self, item: Item, columns) -> bool:
        return not item.occasional or columns is None or item.field in columns

    def fields(self, *groups: Group, columns=None) -> list[str]:
        return [i.field for i in self.items if i.group in groups and self._present(i, columns)]

    def deductions(self, columns=None) -> list[Item]:
        return [i for i in self.items if i.group is Group.DEDUCTION and self._present(i, columns)]

    @property
    def pre_tax(self) -> list[str]:
        """社会保険料等: the deductions taken before the withholding tax is found."""
        return [i.field for i in self.items if i.pre_tax]

    def register_items(self, columns=None) -> list[Item]:
        return [i for i in self.items if i.register and self._present(i, columns)]

    def summary_fields(self, columns=None) -> list[str]:
        """summary.json's keys: the first-released order, then newer items in layout order."""
        named = [i.field for i in self.items if i.summary and self._present(i, columns)]
        return [f for f in self.summary_order if f in named] + [f for f in named if f not in self.summary_order]

    def summed(self) -> set[str]:
        return {i.field for i in self.items if i.kind == "money" and i.total}

    def total_deductions(self, frame: pd.DataFrame) -> np.ndarray:
        """Σ sign × deduction over the deductions this run carries."""
        items = self.deductions(frame.columns)
        return sum(
            (i.sign * frame[i.field].to_numpy(dtype=np.int64) for i in items), np.zeros(len(frame), dtype=np.int64)
        )

    def totals(self, frame: pd.DataFrame) -> dict[str, int]:
        """summary.json's totals: every summed money column, in the frame's order."""
        summed = self.summed()
        return {c: int(frame[c].sum()) for c in frame.columns if c in summed}

    def slip_items(self, block: str, columns=None) -> list[Item]:
        return [i for i in self.items if i.slip == block and self._present(i, columns)]


MONTHLY = Layout(
    "monthly",
    (
        EMPLOYEE_ID,
        NAME,
        DEPARTMENT,
        TAX_COLUMN,
        DEPENDENTS,
        _hours("work_days", "出勤日数", "days worked"),
        _hours("work_hours", "労働時間", "hours worked"),
        _hours("overtime_hours", "時間外", "overtime hours"),
        _hours("overtime_over60_hours", "うち60時間超", "of which beyond 60 hours", register=False),
        _hours("holiday_hours", "休日労働", "statutory holiday hours"),
        _hours("late_night_hours", "深夜労働", "late-night hours"),
        _hours("unpaid_absence_days", "欠勤日数", "unpaid absence days", register=False),
        Item(
            "standard_monthly_remuneration",
            "標準報酬月額",
            "standard monthly remuneration",
            Group.BASIS,
            register=True,
            summary=True,
            total=False,
        ),
        _pay("base_pay", "基本給", "base pay", summary=True, always=True),
        _pay("absence_deduction", "欠勤控除", "absence deduction", sign=-1),
        _pay("taxable_allowances", "課税手当", "taxable allowances"),
        _pay("nontaxable_allowances", "非課税手当", "non-taxable allowances", Group.NON_TAXABLE),
        _pay("overtime_pay", "時間外手当", "overtime pay", summary=True),
        _pay("holiday_pay", "休日手当", "holiday pay", summary=True),
        _pay("late_night_pay", "深夜手当", "late-night pay", summary=True),
        _pay("commute_allowance", "通勤手当", "commuting allowance", Group.NON_TAXABLE, summary=True),
        Item("gross_pay", "総支給額", "gross pay", Group.TOTAL, slip="支給", register=True, summary=True, always=True),
        HEALTH,
        NURSING,
        SUPPORT_LEVY,
        PENSION,
        EMPLOYMENT,
        TAXABLE_AMOUNT,
        WITHHOLDING,
        RESIDENT,
        YEAR_END_REFUND,
        YEAR_END_COLLECTION,
        TOTAL_DEDUCTIONS,
        NET_PAY,
        *EMPLOYER_SHARES,
        # for the year: 支払金額 and 社会保険料等 of this pay (年末調整), 報酬 and 支払基礎日数 (算定基礎)
        TAXABLE_PAY,
        SOCIAL_INSURANCE,
        _record("fixed_pay", "固定的賃金", "fixed pay"),
        _record("insurance_wage", "報酬", "remuneration for insurance"),
        _record("base_days", "支払基礎日数", "payment base days"),
        # a leaver's resident tax: collected at once, or what remains for the municipality (普通徴収)
        _record("resident_tax_lump_sum", "住民税一括徴収", "resident tax collected at leaving"),
        _record("resident_tax_remaining", "住民税残額", "resident tax remaining"),
        _record("resident_tax_remaining_months", "住民税残月数", "resident tax months remaining"),
    ),
    ("勤怠", "支給", "控除"),
    (
        "employee_id",
        "gross_pay",
        "taxable_amount",
        "dependents",
        "tax_column",
        "withholding_tax",
        "health_insurance",
        "nursing_insurance",
        "child_support_levy",
        "pension",
        "employment_insurance",
        "resident_tax",
        "total_deductions",
        "net_pay",
        "base_pay",
        "overtime_pay",
        "holiday_pay",
        "late_night_pay",
        "commute_allowance",
        "standard_monthly_remuneration",
        "taxable_pay",
        "social_insurance",
        "fixed_pay",
        "insurance_wage",
        "base_days",
        "resident_tax_lump_sum",
        "resident_tax_remaining",
        "resident_tax_remaining_months",
    ),
)


def _basis(field: str, ja: str, en: str, slip_ja: str | None = None, **how) -> Item:
    return Item(
        field, ja, en, Group.BASIS, slip="算定基礎", register=True, summary=True, slip_ja=slip_ja, always=True, **how
    )


BONUS = Layout(
    "bonus",
    (
        EMPLOYEE_ID,
        NAME,
        DEPARTMENT,
        TAX_COLUMN,
        DEPENDENTS,
        _pay("bonus_amount", "賞与額", "bonus", summary=True, always=True, slip_ja="賞与"),
        _pay("nontaxable_amount", "うち非課税", "of which non-taxable", Group.BASIS, summary=True),
        _basis("standard_bonus", "標準賞与額", "standard bonus"),
        _basis("health_standard_bonus", "健保の標準賞与額", "standard bonus for health insurance", "健保の対象額"),
        _basis("pension_standard_bonus", "厚年の標準賞与額", "standard bonus for pension", "厚年の対象額"),
        HEALTH,
        NURSING,
        SUPPORT_LEVY,
        PENSION,
        EMPLOYMENT,
        # a bonus's totals have always carried its social insurance and taxable pay
        replace(SOCIAL_INSURANCE, total=True),
        replace(TAXABLE_PAY, total=True),
        _basis(
            "previous_month_pay",
            "前月の社保控除後給与",
            "previous month's pay after social insurance",
            total=False,
            blank=True,
        ),
        TAXABLE_AMOUNT,
        Item(
            "withholding_method",
            "税額の求め方",
            "how the tax was found",
            Group.BASIS,
            register=True,
            summary=True,
            kind="text",
            total=False,
        ),
        _basis("withholding_rate", "算出率", "rate applied", kind="text", total=False),
        WITHHOLDING,
        # the slip's 支給 block closes on the bonus again as 総支給額 (nothing else is paid)
        Item("bonus_amount", "総支給額", "gross pay", Group.TOTAL, slip="支給", always=True),
        TOTAL_DEDUCTIONS,
        NET_PAY,
        *EMPLOYER_SHARES,
    ),
    ("算定基礎", "支給", "控除"),
    (
        "employee_id",
        "bonus_amount",
        "nontaxable_amount",
        "standard_bonus",
        "health_standard_bonus",
        "pension_standard_bonus",
        "health_insurance",
        "nursing_insurance",
        "child_support_levy",
        "pension",
        "employment_insurance",
        "social_insurance",
        "taxable_pay",
        "taxable_amount",
        "previous_month_pay",
        "withholding_method",
        "withholding_rate",
        "withholding_tax",
        "dependents",
        "tax_column",
        "total_deductions",
        "net_pay",
    ),
)
