"""Grade reviews of the standard monthly remuneration (標準報酬月額), pure (FACTS_YEAR.md §B):

* 定時決定 (算定基礎, 健保法41条): the pay paid in April, May and June; months with fewer than 17
  支払基礎日数 left out (11 for a short-time worker of a 特定適用事業所; a パート with no month of 17
  uses its 15–16-day months); the average of the months left, its grade applies from September.
* 随時改定 (月額変更, 健保法43条): fixed pay changes, the three months from the first pay at the new
  rate each have ≥ 17 days (≥ 11), their average's grade is ≥ 2 grades from the current one in the
  same direction as the change: the new grade applies from the fourth month.

Input is one row per employee and month paid: employee_id, pay_month (first of the month paid),
insurance_wage (報酬), base_days (支払基礎日数), fixed_pay (固定的賃金), standard (標準報酬月額 then)."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ReviewRules:
    """The review's thresholds, from rules/grades.yaml (defaults: the law as of 2016-10)."""

    full_days: int = 17  # 支払基礎日数 a month needs (健保法41条1項, 43条1項)
    short_time_days: int = 11  # 特定適用事業所の短時間労働者 (施行規則24条の2)
    part_time_days: int = 15  # パート with no 17-day month: its 15–16-day months (通達)
    zuiji_grades: int = 2  # 随時改定: 2 grades or more (健保法43条1項 「著しく高低」)

    @classmethod
    def of(cls, days: dict, grades: int) -> "ReviewRules":
        return cls(int(days["full"]), int(days["short_time"]), int(days["part_time_fallback"]), int(grades))


DEFAULT = ReviewRules()


@dataclass(frozen=True)
class GradeTable:
    lows: np.ndarray  # health remuneration band minimums
    values: np.ndarray  # standard monthly remuneration per grade (grade = index + 1)

    @classmethod
    def of(cls, grades: list[dict]) -> "GradeTable":
        return cls(
            np.array([int(g["health_remuneration_min_inclusive"]) for g in grades], dtype=np.int64),
            np.array([int(g["standard_monthly_remuneration"]) for g in grades], dtype=np.int64),
        )

    def grade(self, pay) -> np.ndarray:
        """Health-insurance grade number (1–50) of a monthly remuneration."""
        return np.clip(np.searchsorted(self.lows, np.asarray(pay, dtype=np.int64), side="right"), 1, len(self.values))

    def grade_of_standard(self, standard) -> np.ndarray:
        """The grade whose standard monthly remuneration this is (the band holding it otherwise)."""
        return self.grade(standard)

    def standard(self, grade) -> np.ndarray:
        return self.values[np.asarray(grade, dtype=np.int64) - 1]


@dataclass
class Review:
    year: int
    teiji: pd.DataFrame  # one row per employee reviewed
    zuiji: pd.DataFrame  # one row per 随時改定 that applies

    @property
    def teiji_changes(self) -> int:
        return int((self.teiji["proposed"] != self.teiji["current"]).sum()) if len(self.teiji) else 0


def _thresholds(staff: pd.DataFrame, rules: ReviewRules) -> pd.Series:
    short = staff["short_time_worker"].fillna(False).astype(bool) if "short_time_worker" in staff else False
    return pd.Series(np.where(short, rules.short_time_days, rules.full_days), index=staff["employee_id"].astype(str))


def teiji(
    records: pd.DataFrame,
    staff: pd.DataFrame,
    year: int,
    table: GradeTable,
    excluded: AbstractSet[str] = frozenset(),
    rules: ReviewRules = DEFAULT,
) -> pd.DataFrame:
    """定時決定 of `year` for everyone insured on 1 July, except those who acquired the status from
    1 June to 1 July and those in `excluded` (a 随時改定 from July, August or September, 41条3項)."""
    july = pd.Timestamp(year, 7, 1)
    insured = (
        staff["health_insurance"].fillna(False).astype(bool)
        & (staff["hire_date"] < pd.Timestamp(year, 6, 1))
        & (staff["leave_date"].isna() | (staff["leave_date"] >= july))
    )
    people = staff[insured & ~staff["employee_id"].astype(str).isin(excluded)]
    ids = people["employee_id"].astype(str)
    months = [pd.Timestamp(year, m, 1) for m in (4, 5, 6)]
    rows = records[records["pay_month"].isin(months)]
    person = pd.Index(ids).get_indexer(rows["employee_id"])
    known = person >= 0
    cell = (person[known], rows["pay_month"].dt.month.to_numpy()[known] - 4)
    wage = np.zeros((len(ids), 3), dtype=np.int64)
    days = np.zeros((len(ids), 3), dtype=np.int64)
    np.add.at(wage, cell, rows["insurance_wage"].to_numpy(dtype=np.int64)[known])  # two pays in a month add up
    np.maximum.at(days, cell, rows["base_days"].to_numpy(dtype=np.int64)[known])
    threshold = _thresholds(staff, rules).reindex(ids).to_numpy()[:, None]
    full = days >= threshold
    part_time = (people["employment_type"] == "part_time").to_numpy() & (threshold[:, 0] == rules.full_days)
    fallback = (
        part_time[:, None] & ~full.any(axis=1)[:, None] & (days >= rules.part_time_days) & (days < rules.full_days)
    )
    used = full | fallback
    count = used.sum(axis=1)
    current = pd.array(people["standard_monthly_remuneration"], dtype="Int64").fillna(0).to_numpy(dtype=np.int64)
    average = np.where(count > 0, (wage * used).sum(axis=1) // np.maximum(count, 1), 0)  # 1円未満切捨て
    proposed_grade = np.where(count > 0, table.grade(average), table.grade_of_standard(current))
    proposed = np.where(count > 0, table.standard(proposed_grade), current)  # none usable: 従前
    out = pd.DataFrame(
        {
            "employee_id": ids.to_numpy(),
            "name": people["name"].to_numpy(),
            "current": current,
            "current_grade": table.grade_of_standard(current),
            "proposed": proposed,
            "proposed_grade": np.where(count > 0, proposed_grade, table.grade_of_standard(current)),
            "months_used": count,
            "average": average,
            "effective": f"{year}-09",
        }
    )
    for i, m in enumerate(("april", "may", "june")):
        out[f"{m}_wage"], out[f"{m}_days"], out[f"{m}_used"] = wage[:, i], days[:, i], used[:, i]
    short = threshold[:, 0] == rules.short_time_days
    out["basis"] = np.select(
        [count == 0, fallback.any(axis=1), short],
        ["従前（算定できる月なし）", "15日以上の月（パート）", "11日以上の月（短時間労働者）"],
        "17日以上の月",
    )
    return out


def zuiji(records: pd.DataFrame, staff: pd.DataFrame, table: GradeTable, rules: ReviewRules = DEFAULT) -> pd.DataFrame:
    """Every 随時改定 the records show: a fixed-pay change, three full months from it, ≥ 2 grades
    in the change's direction; effective from the fourth month. Vectorised over all pays: row i is a
    change month when the row before is the same employee's previous month with other fixed pay."""
    rows = records.sort_values(["employee_id", "pay_month"], kind="stable").reset_index(drop=True)
    n = len(rows)
    employee = rows["employee_id"].astype(str).to_numpy()
    month = (rows["pay_month"].dt.year * 12 + rows["pay_month"].dt.month).to_numpy(dtype=np.int64)
    fixed, wage, days, standard = (
        rows[c].to_numpy(dtype=np.int64) for c in ("fixed_pay", "insurance_wage", "base_days", "standard")
    )
    need = _thresholds(staff, rules).reindex(employee).fillna(rules.full_days).to_numpy(dtype=np.int64)
    i = np.arange(1, max(n - 2, 1))
    i = i[i + 2 < n]
    same = (employee[i - 1] == employee[i]) & (employee[i + 2] == employee[i]) & (month[i + 2] == month[i] + 2)
    changed = same & (fixed[i] != fixed[i - 1]) & (standard[i - 1] > 0)  # insured before the change
    full = (days[i] >= need[i]) & (days[i + 1] >= need[i]) & (days[i + 2] >= need[i])
    i = i[changed & full]
    average = (wage[i] + wage[i + 1] + wage[i + 2]) // 3  # 3か月の平均 (fixed denominator)
    current_grade = table.grade_of_standard(standard[i - 1])
    new_grade = table.grade(average)
    moves = (np.abs(new_grade - current_grade) >= rules.zuiji_grades) & (
        np.sign(new_grade - current_grade) == np.sign(fixed[i] - fixed[i - 1])
    )
    i, average, current_grade, new_grade = i[moves], average[moves], current_grade[moves], new_grade[moves]
    change = rows["pay_month"].to_numpy()[i]
    return pd.DataFrame(
        {
            "employee_id": employee[i],
            "change_month": pd.DatetimeIndex(change).strftime("%Y-%m"),
            "fixed_before": fixed[i - 1],
            "fixed_after": fixed[i],
            "wages": [list(map(int, w)) for w in zip(wage[i], wage[i + 1], wage[i + 2], strict=True)],
            "days": [list(map(int, d)) for d in zip(days[i], days[i + 1], days[i + 2], strict=True)],
            "average": average,
            "current": standard[i - 1],
            "current_grade": current_grade,
            "proposed": table.standard(new_grade),
            "proposed_grade": new_grade,
            "effective": (pd.DatetimeIndex(change) + pd.DateOffset(months=3)).strftime("%Y-%m"),
        }
    )


def review(
    records: pd.DataFrame, staff: pd.DataFrame, year: int, table: GradeTable, rules: ReviewRules = DEFAULT
) -> Review:
    changes = zuiji(records, staff, table, rules)
    summer = {f"{year}-07", f"{year}-08", f"{year}-09"}
    excluded = set(changes.loc[changes["effective"].isin(summer), "employee_id"])
    return Review(year, teiji(records, staff, year, table, excluded, rules), changes)


def disagreements(result: Review, staff: pd.DataFrame, as_of: date) -> list[tuple[str, int | None, int, str]]:
    """(employee, sheet's standard remuneration, the applicable result, where it comes from) for each
    employee whose Staff sheet disagrees with the latest result in force on `as_of`."""
    latest: dict[str, tuple[str, int, str]] = {}
    if as_of >= date(result.year, 9, 1):
        for row in result.teiji.itertuples():
            latest[row.employee_id] = (row.effective, int(row.proposed), f"定時決定 {row.effective}")
    for row in result.zuiji.itertuples():
        if row.effective <= f"{as_of:%Y-%m}" and row.effective >= latest.get(row.employee_id, ("",))[0]:
            latest[row.employee_id] = (row.effective, int(row.proposed), f"随時改定 {row.effective}")
    sheet = dict(
        zip(
            staff["employee_id"].astype(str),
            pd.array(staff["standard_monthly_remuneration"], dtype="Int64"),
            strict=True,
        )
    )
    return [
        (e, None if pd.isna(sheet.get(e)) else int(sheet[e]), value, why)
        for e, (_, value, why) in sorted(latest.items())
        if sheet.get(e) is pd.NA or sheet.get(e) != value
    ]
