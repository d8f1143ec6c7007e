"""The engine's input (one employee's year) and output (the adjustment, line by line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rules imports nothing from here, but the engine modules import this one
    from addin.yearend.rules import YearRules


@dataclass(frozen=True)
class Payment:
    """One payment of the calendar year, counted by its PAY date (支払の確定した日)."""

    pay_date: date
    taxable: int  # 課税支給額 (before social insurance; non-taxable commuting excluded)
    social_insurance: int = 0  # 社会保険料 withheld from it (健保・介護・支援金・厚年・雇用保険)
    tax: int = 0  # 源泉所得税 withheld from it
    kind: str = "salary"  # salary / bonus


@dataclass(frozen=True)
class PreviousEmployer:
    """前職分 for a mid-year hire, from the previous employer's 源泉徴収票."""

    name: str
    pay: int
    social_insurance: int
    tax: int
    left_on: date | None = None


@dataclass(frozen=True)
class Relative:
    """A spouse or relative declared on the 扶養控除等申告書 / 配偶者控除等申告書."""

    name: str
    relationship: str  # spouse / child / parent / grandparent / grandchild / sibling / other
    birth_date: date
    income: int = 0  # 合計所得金額の見積額 (not the pay: the income after 給与所得控除)
    lives_together: bool = False
    disability: str = "none"  # none / ordinary / special
    non_resident: bool = False

    @property
    def is_spouse(self) -> bool:
        return self.relationship == "spouse"

    @property
    def lineal_ascendant(self) -> bool:
        """直系尊属 (for 同居老親等)."""
        return self.relationship in ("parent", "grandparent")


@dataclass(frozen=True)
class Premiums:
    """保険料控除申告書: premiums paid in the year (not the deductions)."""

    life_general_new: int = 0
    life_general_old: int = 0
    life_medical: int = 0  # 介護医療保険料 (new system only)
    life_pension_new: int = 0
    life_pension_old: int = 0
    earthquake: int = 0
    old_long_term: int = 0  # 旧長期損害保険料
    social_insurance: int = 0  # 社会保険料 paid directly (国民年金・国保 for self or family)
    small_business: int = 0  # 小規模企業共済等掛金 (iDeCo etc.)


@dataclass(frozen=True)
class Status:
    """The employee's own status (扶養控除等申告書 本人欄) and other income (基礎控除申告書)."""

    widow: bool = False  # 寡婦
    single_parent: bool = False  # ひとり親
    working_student: bool = False
    disability: str = "none"  # none / ordinary / special
    other_income: int = 0  # 給与所得以外の所得の見積額


@dataclass(frozen=True)
class HousingCredit:
    """住宅借入金等特別控除申告書: the credit computed on that form (the certificate's amount)."""

    amount: int
    move_in: date | None = None
    balance: int | None = None


@dataclass
class EmployeeYear:
    employee_id: str
    name: str
    year: int
    tax_column: str = "甲"
    birth_date: date | None = None
    employment_type: str = "regular"  # regular / contract / part_time / director
    hire_date: date | None = None
    leave_date: date | None = None
    leave_reason: str = ""  # death / illness / after_december_pay / other
    non_resident: bool = False
    declared: bool = True  # filed the 扶養控除等申告書 this year
    payments: list[Payment] = field(default_factory=list)
    previous: PreviousEmployer | None = None
    relatives: list[Relative] = field(default_factory=list)
    premiums: Premiums = field(default_factory=Premiums)
    status: Status = field(default_factory=Status)
    housing: HousingCredit | None = None
    last_pay_tax: int | None = None  # tax of the settling pay, when the excess is set against it first


class RelativeClass(str, Enum):
    SPOUSE_DEDUCTION = "配偶者控除"
    SPOUSE_SPECIAL = "配偶者特別控除"
    SPOUSE_NONE = "配偶者（控除なし）"
    GENERAL = "一般の控除対象扶養親族"
    SPECIFIED = "特定扶養親族"
    ELDERLY = "老人扶養親族"
    ELDERLY_PARENT = "同居老親等"
    UNDER_16 = "年少扶養親族（16歳未満）"
    SPECIFIC_RELATIVE = "特定親族"
    NONE = "控除対象外"


@dataclass(frozen=True)
class RelativeResult:
    relative: Relative
    age: int  # age on 31 December of the year
    klass: RelativeClass
    deduction: int  # 扶養控除 / 配偶者(特別)控除 / 特定親族特別控除 for this person
    disability_deduction: int
    note: str = ""


@dataclass(frozen=True)
class Line:
    """One figure of the 年末調整計算書: what it is, the amount, and the rule behind it."""

    key: str
    label_ja: str
    label_en: str
    amount: int
    basis: str = ""


@dataclass(frozen=True)
class Settlement:
    """How the 過不足 is settled in the last pay of the year."""

    excess: int  # 超過額 (to refund), 0 if none
    shortfall: int  # 不足額 (to collect), 0 if none
    offset_against_last_pay_tax: int  # 超過額 first set against that pay's not-yet-withheld tax
    refund_paid: int
    collected: int
    # 不足額の繰延: collecting it all would leave the last pay after tax below 70 % of the Jan–Nov
    # average; with the tax office's approval it may then be collected in January and February
    deferrable: bool = False
    deferred_january: int = 0
    deferred_february: int = 0


@dataclass
class Adjustment:
    employee_id: str
    name: str
    year: int
    adjusted: bool
    reason: str  # why not adjusted ("" when adjusted)
    pay: int  # 支払金額 (incl. 前職分)
    withheld: int  # 源泉徴収税額 actually withheld in the year (incl. 前職分)
    social_insurance: int  # 社会保険料等 (incl. 小規模企業共済等掛金)
    small_business: int
    amounts: dict[str, int] = field(default_factory=dict)  # every figure by key (compute.LINES)
    relatives: list[RelativeResult] = field(default_factory=list)
    settlement: Settlement | None = None
    rules: YearRules | None = field(default=None, repr=False)  # the YearRules used: the lines' sources

    @property
    def lines(self) -> list[Line]:
        """The 年末調整計算書, figure by figure with the rule behind each (empty when not adjusted)."""
        from addin.yearend.compute import lines_of  # compute imports this module: resolved at call time

        return lines_of(self.amounts, self.rules) if self.adjusted and self.rules is not None else []

    def figure(self, key: str) -> int:
        return self.amounts[key]

    def figures(self) -> dict[str, int]:
        return dict(self.amounts)

    @property
    def annual_tax(self) -> int:
        """年調年税額 when adjusted; otherwise what was withheld (the 源泉徴収票 shows that)."""
        return self.figure("annual_tax") if self.adjusted else self.withheld
