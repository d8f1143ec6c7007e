"""Social and employment insurance: who is insured in the premium month, the standard monthly
remuneration, and each share with its named rounding (FACTS.md §3)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

from addin.money import floor_yen, rate, social_insurance_share
from addin.dates import month_end, reaches_age
from addin.payroll.settings import PayrollSettings
from addin.rulebook import Rulebook


class UnknownPrefecture(ValueError):
    """The settings name no health-insurance rate: an unknown prefecture, or a society without its rate."""

    def __init__(self, message_ja: str, message_en: str):
        super().__init__(message_en)
        self.message_ja, self.message_en = message_ja, message_en


@dataclass(frozen=True)
class InsuranceRates:
    health: Fraction
    nursing: Fraction
    support_levy: Fraction
    pension: Fraction
    child_contribution: Fraction
    pension_cap: int
    employment_worker: Fraction
    employment_employer: Fraction

    @classmethod
    def on(cls, rules: Rulebook, settings: PayrollSettings, premium_month: date, pay_date: date) -> "InsuranceRates":
        if settings.health_insurance == "society":
            if settings.health_insurance_society_rate is None:
                raise UnknownPrefecture(
                    "健康保険組合（health_insurance = society）の料率 health_insurance_society_rate がありません",
                    "health_insurance = society needs health_insurance_society_rate",
                )
            health = rate(settings.health_insurance_society_rate)
            nursing = rate(
                settings.nursing_insurance_society_rate or rules.value("social_insurance.nursing_rate", premium_month)
            )
        else:
            by_prefecture = rules.value("social_insurance.health_rate_kyoukai", premium_month)
            if settings.prefecture not in by_prefecture:
                raise UnknownPrefecture(
                    f"都道府県「{settings.prefecture}」の協会けんぽの料率がありません（例: 東京都、大阪府、北海道）",
                    f"unknown prefecture {settings.prefecture!r} (e.g. 東京都, 大阪府, 北海道)",
                )
            health = rate(by_prefecture[settings.prefecture] + "%")
            nursing = rate(rules.value("social_insurance.nursing_rate", premium_month))
        business = settings.employment_insurance_business
        return cls(
            health,
            nursing,
            rate(rules.value("social_insurance.child_support_levy_rate", premium_month)),
            rate(rules.value("social_insurance.pension_rate", premium_month)),
            rate(rules.value("social_insurance.child_contribution_rate", premium_month)),
            int(rules.value("social_insurance.pension_grade_cap", premium_month)),
            # employment insurance follows the pay date, not the premium month (FACTS.md §3)
            rate(rules.value("employment_insurance.worker_rate", pay_date)[business]),
            rate(rules.value("employment_insurance.employer_rate", pay_date)[business]),
        )


def grade_of(pay: np.ndarray, grades: list[dict]) -> np.ndarray:
    """標準報酬月額 for a monthly pay, by the health-insurance grade bands."""
    lows = np.array([int(g["health_remuneration_min_inclusive"]) for g in grades], dtype=np.int64)
    values = np.array([int(g["standard_monthly_remuneration"]) for g in grades], dtype=np.int64)
    return values[np.clip(np.searchsorted(lows, pay, side="right") - 1, 0, len(values) - 1)]


def pension_base(health_base: np.ndarray, grades: list[dict], cap: int) -> np.ndarray:
    """厚生年金 standard remuneration: grade 1 (88,000) at the bottom, the cap (650,000) at the top."""
    floor = min(int(g["standard_monthly_remuneration"]) for g in grades if g["pension_grade"])
    return np.clip(health_base, floor, cap)


def _legal_dates(births: pd.Series, years: int) -> pd.Series:
    return births.map(lambda b: pd.Timestamp(reaches_age(b.date(), years)) if pd.notna(b) else pd.NaT)


def insured_in(staff: pd.DataFrame, premium_month: date) -> dict[str, np.ndarray]:
    """Who owes each premium for the premium month (charged from the month of acquisition to the
    month before the month of loss, and for the month itself when both fall in it; loss = the day after leaving,
    the day one reaches 70 for pension, the 75th birthday for health; nursing care for ages 40–64 — 介護保険法9条)."""
    first, end = pd.Timestamp(premium_month), pd.Timestamp(month_end(premium_month))
    employed = (staff["hire_date"] <= end) & (staff["leave_date"].isna() | (staff["leave_date"] >= end))
    # 同月得喪: acquired and lost within the same month — that month is charged (健保法156条3項,
    # 厚年法19条2項; the pension part may later be refunded by the 年金事務所 if another pension follows)
    employed |= (staff["hire_date"] >= first) & staff["leave_date"].notna() & (staff["leave_date"] < end)
    birth = staff["birth_date"]
    health = (
        employed
        & staff["health_insurance"].fillna(False).astype(bool)
        & (birth.map(lambda b: pd.Timestamp(b.year + 75, b.month, 28 if (b.month, b.day) == (2, 29) else b.day)) > end)
    )
    pension = employed & staff["pension"].fillna(False).astype(bool) & (_legal_dates(birth, 70) > end)
    nursing = health & (_legal_dates(birth, 40) <= end) & (_legal_dates(birth, 65) > end)
    return {"health": health.to_numpy(), "pension": pension.to_numpy(), "nursing": nursing.to_numpy()}


def _share(base: np.ndarray, fraction: Fraction, insured: np.ndarray) -> np.ndarray:
    """被保険者負担分: base × rate ÷ 2, rounded once (50銭以下切捨て)."""
    return np.where(insured, social_insurance_share(base * fraction.numerator, 2 * fraction.denominator), 0)


def _employer(base: np.ndarray, fraction: Fraction, employee: np.ndarray, insured: np.ndarray) -> np.ndarray:
    """事業主負担: the premium (1円未満切捨て) less the employee's share."""
    return np.where(insured, floor_yen(base * fraction.numerator, fraction.denominator) - employee, 0)


def employment_insurance_share(wages: np.ndarray, worker_rate: Fraction) -> np.ndarray:
    """雇用保険 worker share on wages paid, 50銭以下切捨て (FACTS.md §3)."""
    return social_insurance_share(np.asarray(wages, dtype=np.int64) * worker_rate.numerator, worker_rate.denominator)


def premiums(
    health_base: np.ndarray,
    pension_smr: np.ndarray,
    ei_base: np.ndarray,
    employment_insured: np.ndarray,
    insured: dict[str, np.ndarray],
    rates: InsuranceRates,
) -> dict[str, np.ndarray]:
    """Employee and employer shares. Health and nursing care are one premium (健康保険料 = 一般 +
    介護), so their employee share is rounded once; the nursing part is shown separately."""
    combined_rate = rates.health + rates.nursing
    combined = np.where(
        insured["nursing"],
        _share(health_base, combined_rate, insured["health"]),
        _share(health_base, rates.health, insured["health"]),
    )
    nursing = _share(health_base, rates.nursing, insured["nursing"])
    health = combined - nursing
    support = _share(health_base, rates.support_levy, insured["health"])
    pension = _share(pension_smr, rates.pension, insured["pension"])
    employment = np.where(employment_insured, employment_insurance_share(ei_base, rates.employment_worker), 0)
    employer_health = np.where(
        insured["nursing"],
        _employer(health_base, combined_rate, combined, insured["health"]),
        _employer(health_base, rates.health, combined, insured["health"]),
    )
    return {
        "health_insurance": health,
        "nursing_insurance": nursing,
        "child_support_levy": support,
        "pension": pension,
        "employment_insurance": employment,
        "employer_health_insurance": employer_health,
        "employer_child_support_levy": _employer(health_base, rates.support_levy, support, insured["health"]),
        "employer_pension": _employer(pension_smr, rates.pension, pension, insured["pension"]),
        "employer_child_contribution": np.where(
            insured["pension"],
            floor_yen(pension_smr * rates.child_contribution.numerator, rates.child_contribution.denominator),
            0,
        ),
        "employer_employment_insurance": np.where(
            employment_insured,
            floor_yen(ei_base * rates.employment_employer.numerator, rates.employment_employer.denominator),
            0,
        ),
    }


# --- one person at a time (a worksheet cell): the same bands, rates and named roundings as above ---------


@dataclass(frozen=True)
class GradeBands:
    """A month's grade bands read once, for one person at a time: `grade_of` and `pension_base` of one row."""

    lows: tuple[int, ...]
    values: tuple[int, ...]
    pension_floor: int

    @classmethod
    def of(cls, grades: list[dict]) -> "GradeBands":
        return cls(
            tuple(int(g["health_remuneration_min_inclusive"]) for g in grades),
            tuple(int(g["standard_monthly_remuneration"]) for g in grades),
            min(int(g["standard_monthly_remuneration"]) for g in grades if g["pension_grade"]),
        )

    def health_base(self, pay: int) -> int:
        """標準報酬月額 for a monthly pay (grade_of for one pay)."""
        return self.values[min(max(bisect_right(self.lows, pay) - 1, 0), len(self.values) - 1)]

    def pension_base(self, health_base: int, cap: int) -> int:
        """厚生年金 standard remuneration (pension_base for one person)."""
        return min(max(health_base, self.pension_floor), cap)


def _share_one(base: int, fraction: Fraction, insured: bool) -> int:
    """_share for one person: base × rate ÷ 2, rounded once (50銭以下切捨て)."""
    return int(social_insurance_share(base * fraction.numerator, 2 * fraction.denominator)) if insured else 0


def employee_shares(
    health_base: int, pension_smr: int, insured: Mapping[str, bool], rates: InsuranceRates
) -> dict[str, int]:
    """The employee's health (without nursing), nursing and pension shares of `premiums` for one
    person, in plain ints: health and nursing rounded once together, the nursing part shown apart."""
    combined_rate = rates.health + rates.nursing if insured["nursing"] else rates.health
    combined = _share_one(health_base, combined_rate, insured["health"])
    nursing = _share_one(health_base, rates.nursing, insured["nursing"])
    return {
        "health_insurance": combined - nursing,
        "nursing_insurance": nursing,
        "pension": _share_one(pension_smr, rates.pension, insured["pension"]),
    }
