"""Generate the demo company's master data for fiscal year April 2025 – March 2026.

Deterministic from a seed; `scale` multiplies every master list. Values are written the way
people type them (正社員, 月給, 甲, 〇, 10%, 末), so the demo exercises normalisation too.
Staff cover every case payroll distinguishes: 甲 and 乙, 0–7 dependents, turning 40 and 65 in
the year, hourly part-timers, a director, pay above 740,000 yen, a mid-month hire and a leaver.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from stdnum.jp import cn as corporate_number
from stdnum.jp import in_ as my_number

from addin.dates import month_end, pay_date
from addin.demo.names import BANKS, DEPARTMENTS, FAMILY, FIRM_KINDS, FIRM_WORDS, GIVEN, PREFECTURES, PRODUCTS
from addin.normalize.text import bank_kana
from addin.rulebook import load_rulebook

FY_START = dt.date(2025, 4, 1)
FY_MONTHS = [dt.date(2025 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(12)]
BASE = {"staff": 50, "items": 200, "vendors": 30, "customers": 40}


@dataclass(frozen=True)
class PlantedError:
    book: str
    sheet: str
    field: str
    index: int  # data row index (0 = first row under the header)
    code: str  # the issue code validation must report there
    value: object


@dataclass
class DemoCompany:
    rows: dict[str, dict[str, list[dict]]] = field(default_factory=dict)
    planted: list[PlantedError] = field(default_factory=list)

    def sheet(self, book: str, sheet: str) -> list[dict]:
        return self.rows.setdefault(book, {}).setdefault(sheet, [])


def _valid_my_number(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(11))
    return body + my_number.calc_check_digit(body)


def _valid_corporate_number(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(12))
    return corporate_number.calc_check_digit(body) + body


def _grade(pay: int, grades) -> int | None:
    for low, high, value in grades or []:
        if low <= pay < high:
            return value
    return None


def _staff(demo: DemoCompany, rng: random.Random, count: int, grades) -> None:
    rows = demo.sheet("staff", "staff")
    for i in range(count):
        case = i % BASE["staff"]
        family, given = FAMILY[rng.randrange(len(FAMILY))], GIVEN[rng.randrange(len(GIVEN))]
        part_time = case >= 40
        director = case == 0
        birth = dt.date(rng.randint(1962, 2003), rng.randint(1, 12), rng.randint(1, 28))
        if case == 5:
            birth = dt.date(1985, 10, 15)  # turns 40 in October 2025: nursing care from then
        elif case == 6:
            birth = dt.date(1960, 11, 2)  # turns 65 in November 2025: nursing care ends
        elif case == 7:
            birth = dt.date(1986, 1, 1)  # 40 on 2025-12-31 in law (the day before the birthday)
        hire = dt.date(rng.randint(max(birth.year + 18, 2000), 2024), rng.randint(1, 12), 1)
        leave = None
        if case == 3:
            hire = dt.date(2025, 10, 15)  # mid-month hire
        elif case == 4:
            leave = dt.date(2025, 12, 20)  # mid-month leaver
        base = rng.randrange(190_000, 520_000, 1_000)
        if director:
            base = 1_200_000
        elif case == 1:
            base = 820_000  # above the table's 740,000 line
        hourly = rng.randrange(1_100, 1_600, 10) if part_time else None
        commute = rng.randrange(0, 30_000, 100)
        column = "乙" if case in (44, 45) else "甲"
        dependents = 0 if column == "乙" else (case - 8) % 8 if 8 <= case < 40 else rng.choice([0, 0, 1, 2])
        insured = not part_time or case in (40, 41, 42)
        bank_code, _ = BANKS[rng.randrange(len(BANKS))]
        pay_estimate = (base if not part_time else hourly * 5 * 20) + commute
        resident = 0 if case == 3 else rng.randrange(3_000, 40_000, 100)
        rows.append(
            {
                "employee_id": f"E{i + 1:05d}",
                "name": f"{family[0]} {given[0]}",
                "name_kana": f"{family[1]} {given[1]}",
                "department": "役員" if director else DEPARTMENTS[rng.randrange(len(DEPARTMENTS))],
                "employment_type": "役員"
                if director
                else ("パート" if part_time else ("契約社員" if case in (30, 31) else "正社員")),
                "birth_date": birth,
                "hire_date": hire,
                "leave_date": leave,
                "my_number": _valid_my_number(rng),
                "pay_type": "時給" if part_time else "月給",
                "base_salary": None if part_time else base,
                "hourly_rate": hourly,
                "commute_allowance": commute,
                "dependents": dependents,
                "tax_column": column,
                "standard_monthly_remuneration": _grade(pay_estimate, grades) if insured else None,
                "health_insurance": "〇" if insured else "×",
                "pension": "〇" if insured else "×",
                "employment_insurance": "×" if director else ("〇" if insured or case in (43, 46, 47) else "×"),
                "resident_tax_monthly": resident,
                "resident_tax_june": resident + (rng.randrange(0, 99) if resident else 0),
                "bank_code": bank_code,
                "branch_code": f"{rng.randrange(1, 999):03d}",
                "account_type": "普通",
                "account_number": f"{rng.randrange(0, 9_999_999):07d}",
                "account_holder_kana": bank_kana(f"{family[1]} {given[1]}"),
            }
        )


def _employed(row: dict, month: dt.date) -> bool:
    hire, leave = row["hire_date"], row["leave_date"]
    return hire <= month_end(month) and (leave is None or leave >= month)


def _attendance(demo: DemoCompany, rng: random.Random) -> None:
    allowances = demo.sheet("staff", "allowances")
    attendance = demo.sheet("staff", "attendance")
    for i, person in enumerate(demo.rows["staff"]["staff"]):
        case = i % BASE["staff"]
        hourly = person["pay_type"] == "時給"
        if not hourly and case % 3 == 0:
            allowances.append(
                {"employee_id": person["employee_id"], "name": "役職手当", "amount": 30_000, "taxable": "課税"}
            )
        if not hourly and case % 4 == 1:
            allowances.append(
                {"employee_id": person["employee_id"], "name": "住宅手当", "amount": 15_000, "taxable": "課税"}
            )
        if case % 10 == 2:
            allowances.append(
                {
                    "employee_id": person["employee_id"],
                    "name": "出張日当",
                    "amount": 8_000,
                    "taxable": "非課税",
                    "month": "2025-07",
                }
            )
        for month in FY_MONTHS:
            if not _employed(person, month):
                continue
            days = rng.randint(12, 20) if hourly else rng.randint(18, 22)
            hours_per_day = 5 if hourly else 8
            overtime = 0 if hourly else rng.choice([0, 4.5, 10, 15.25, 22, 30])
            over60 = 0
            if case == 9 and month.month == 12:
                overtime, over60 = 72, 12  # year-end rush: 12 hours above the 60-hour line
            attendance.append(
                {
                    "employee_id": person["employee_id"],
                    "month": f"{month.year}/{month.month}",
                    "work_days": days,
                    "work_hours": days * hours_per_day,
                    "overtime_hours": overtime,
                    "overtime_over60_hours": over60,
                    "late_night_hours": rng.choice([0, 0, 0, 2, 3.5]),
                    "holiday_hours": rng.choice([0, 0, 0, 8]),
                    "unpaid_absence_days": rng.choice([0] * 12 + [1]),
                }
            )


# --- 定時決定 2025: the Staff sheet holds the grade the year's own April–June pay gives ---------------
#: the work months of the pays of April–June 2025 that have attendance (翌月25日払い: May and June's
#: pays; April's is for March's work, before the attendance sheet)
TEIJI_WORK_MONTHS = [dt.date(2025, 4, 1), dt.date(2025, 5, 1)]
SCHEDULED_HOURS, SCHEDULED_DAYS = 160, 20  # 月平均所定労働時間 and 所定日数: PayrollSettings' defaults, the demo's
FULL_DAYS, PART_TIME_DAYS = 17, 15  # 支払基礎日数 a month needs; a パート with none: its 15–16-day months


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _insurance_wage(person: dict, work: dict, allowances: list[dict], rules) -> int:
    """報酬 of one month's pay, as payroll computes it: base − 欠勤控除 + allowances + commute + 割増賃金."""
    on = pay_date(dt.date(*map(int, work["month"].split("/")), 1), 25)
    premiums = {k: Fraction(v) for k, v in rules.value("payroll.overtime_premium", on).items()}
    excluded = set(rules.value("payroll.overtime_base_excluded_allowances", on))
    director = person["employment_type"] == "役員"
    if person["pay_type"] == "時給":
        hourly = Fraction(person["hourly_rate"])
        base = _half_up(hourly * Fraction(str(work["work_hours"])))
    else:
        salary = person["base_salary"]
        counted = sum(a["amount"] for a in allowances if a["taxable"] == "課税" and a["name"] not in excluded)
        hourly = Fraction(salary + counted, SCHEDULED_HOURS)
        absence = 0 if director else salary * work["unpaid_absence_days"] // SCHEDULED_DAYS
        base = salary - absence
    hours = {
        k: Fraction(str(work[k]))
        for k in ("overtime_hours", "overtime_over60_hours", "late_night_hours", "holiday_hours")
    }
    overtime = (hours["overtime_hours"] - hours["overtime_over60_hours"]) * (1 + premiums["overtime"]) + hours[
        "overtime_over60_hours"
    ] * (1 + premiums["overtime_over60"])
    extra = (
        0
        if director
        else (
            _half_up(hourly * overtime)
            + _half_up(hourly * hours["holiday_hours"] * (1 + premiums["holiday"]))
            + _half_up(hourly * hours["late_night_hours"] * premiums["late_night"])
        )
    )
    return base + sum(a["amount"] for a in allowances) + person["commute_allowance"] + extra


def _teiji_grades(demo: DemoCompany, grades, rules) -> None:
    """Each insured person's standard monthly remuneration from the average 報酬 of the review's months
    (17 支払基礎日数 or more; a パート with none uses 15–16), so the 2025 定時決定 agrees with the sheet;
    a person with no such month (hired later) keeps the estimate from the fixed pay."""
    recurring: dict[str, list[dict]] = {}
    for a in demo.rows["staff"].get("allowances", []):
        if not a.get("month"):
            recurring.setdefault(a["employee_id"], []).append(a)
    months = {f"{m.year}/{m.month}" for m in TEIJI_WORK_MONTHS}
    worked: dict[str, list[dict]] = {}
    for row in demo.rows["staff"]["attendance"]:
        if row["month"] in months:
            worked.setdefault(row["employee_id"], []).append(row)
    for person in demo.rows["staff"]["staff"]:
        rows = worked.get(person["employee_id"], [])
        if person["standard_monthly_remuneration"] is None or not rows:
            continue
        hourly = person["pay_type"] == "時給"
        used = [r for r in rows if not hourly or r["work_days"] >= FULL_DAYS] or [
            r for r in rows if PART_TIME_DAYS <= r["work_days"] < FULL_DAYS
        ]
        if used:
            wages = [_insurance_wage(person, r, recurring.get(person["employee_id"], []), rules) for r in used]
            person["standard_monthly_remuneration"] = _grade(sum(wages) // len(wages), grades)


# --- 年末調整 2025 (issue #14): the months before the fiscal year, and everyone's declarations ---------
#: work months whose pay (翌月25日) falls in 2025 but precede the fiscal year's attendance: their pay
#: comes from the PayHistory sheet (the withholding table from `rules`)
NENCHO_EARLY_MONTHS = [dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
NENCHO_YEAR = 2025
MUNICIPALITIES = [
    ("131016", "東京都千代田区"),
    ("131041", "東京都新宿区"),
    ("141003", "神奈川県横浜市"),
    ("271004", "大阪府大阪市"),
    ("011002", "北海道札幌市"),
]
SPOUSE_INCOMES = [0, 0, 700_000, 1_000_000, 1_280_000]  # 配偶者控除, 特別控除 38万 / 36万 / 6万 bands
#: the family members in the order they are declared: (name, relationship, birth date, income, 同居, 障害)
FAMILY_TEMPLATE = [
    ("子A", "長女", dt.date(2005, 6, 1), 0, "〇", None),  # 20 on 31 Dec: 特定扶養
    ("子B", "長男", dt.date(2012, 4, 1), 0, "〇", None),  # 13: 年少
    ("父", "父", dt.date(1950, 3, 3), 0, "〇", None),  # 75, lives together: 同居老親等
    ("子C", "次男", dt.date(2008, 8, 8), 0, "〇", "特別障害者"),  # 17, 同居特別障害者
    ("母", "母", dt.date(1952, 9, 9), 400_000, "×", None),  # 老人扶養, apart
    ("子D", "次女", dt.date(2001, 2, 2), 0, "〇", None),  # 24: 一般
    ("孫", "孫", dt.date(2018, 5, 5), 0, "〇", None),
]
SINGLE_PARENT_CASES = {19}  # total income under 5,000,000 with the bonuses: ひとり親 applies


def _pay_history(demo: DemoCompany, rules) -> None:
    """Pay dated Jan–Apr 2025 as carried over from the payroll software used before (支給実績):
    the months before the fiscal year's attendance. Taxable pay = the fixed monthly pay; social
    insurance about 14.9 % of it; tax from the 2025 monthly table on what is left."""
    from addin.payroll.withholding import withholding_tax

    rows = demo.sheet("staff", "pay_history")
    allowances: dict[str, int] = {}
    for a in demo.rows["staff"].get("allowances", []):
        if a["taxable"] == "課税" and not a.get("month"):
            allowances[a["employee_id"]] = allowances.get(a["employee_id"], 0) + a["amount"]
    for month in NENCHO_EARLY_MONTHS:
        paid = pay_date(month, 25)
        people = [p for p in demo.rows["staff"]["staff"] if _employed(p, month)]
        pays = [(p["base_salary"] or p["hourly_rate"] * 5 * 16) + allowances.get(p["employee_id"], 0) for p in people]
        socials = [
            pay * 149 // 1000 if p["health_insurance"] == "〇" else pay * 55 // 10000
            for p, pay in zip(people, pays, strict=True)
        ]
        taxes = withholding_tax(
            rules,
            paid,
            [pay - si for pay, si in zip(pays, socials, strict=True)],
            [p["dependents"] for p in people],
            [p["tax_column"] == "乙" for p in people],
        )
        for p, pay, social, tax in zip(people, pays, socials, taxes, strict=True):
            rows.append(
                {
                    "employee_id": p["employee_id"],
                    "pay_date": paid,
                    "kind": "給与",
                    "taxable_pay": pay,
                    "social_insurance": social,
                    "withholding_tax": int(tax),
                }
            )
    # the director's bonuses (the Bonuses sheet) take his year's pay over 20,000,000: no 年末調整 (確定申告)


def _family(demo: DemoCompany, person: dict, case: int, index: int) -> None:
    rows = demo.sheet("staff", "nencho_dependents")
    family = person["name"].split(" ")[0]
    shift = dt.timedelta(days=index % 40)  # distinct people; no one crosses an age-class date
    members = (
        []
        if case in SINGLE_PARENT_CASES
        else [
            (
                f"{family} 配偶者",
                "配偶者",
                dt.date(1978 + case % 10, 1 + case % 12, 10),
                SPOUSE_INCOMES[case % 5],
                "〇",
                None,
            )
        ]
    )
    members += FAMILY_TEMPLATE
    for k, (_, relation, birth, income, together, disability) in enumerate(members[: person["dependents"]]):
        if case % 3 == 0 and relation == "長女":
            income = 900_000  # earns: 特定親族特別控除 (61万 band)
        given = GIVEN[(index * 3 + k) % len(GIVEN)][0]
        rows.append(
            {
                "year": NENCHO_YEAR,
                "employee_id": person["employee_id"],
                "name": f"{family} {given}",
                "relationship": relation,
                "birth_date": birth + shift,
                "estimated_income": income,
                "living_together": together,
                "disability": disability,
                "non_resident": "×",
            }
        )


def _insurance(demo: DemoCompany, person: dict, case: int) -> None:
    rows = demo.sheet("staff", "nencho_insurance")
    items = [
        ("一般生命保険料(新)", 84_000, case % 2 == 0),
        ("一般生命保険料(旧)", 60_000, case % 4 == 0),
        ("介護医療保険料", 30_000, case % 3 == 0),
        ("個人年金保険料(旧)", 120_000, case % 5 == 0),
        ("地震保険料", 18_000, case % 2 == 1),
        ("旧長期損害保険料", 12_000, case % 7 == 0),
        ("国民年金保険料", 210_120, case == 15),
        ("小規模企業共済等掛金", 276_000, case == 16),
    ]
    for kind, amount, wanted in items:
        if wanted:
            rows.append(
                {
                    "year": NENCHO_YEAR,
                    "employee_id": person["employee_id"],
                    "kind": kind,
                    "insurer": "サンプル生命" if "生命" in kind or "医療" in kind or "年金保険" in kind else "",
                    "amount": amount,
                }
            )


def _declarations(demo: DemoCompany) -> None:
    """The 2025 declarations of every 甲欄 employee: family, insurance, housing credit, own status."""
    own = demo.sheet("staff", "nencho_employee")
    housing = demo.sheet("staff", "nencho_housing")
    for i, person in enumerate(demo.rows["staff"]["staff"]):
        case = i % BASE["staff"]
        if person["tax_column"] != "甲":
            continue
        _family(demo, person, case, i)
        _insurance(demo, person, case)
        code, municipality = MUNICIPALITIES[case % len(MUNICIPALITIES)]
        row = {
            "year": NENCHO_YEAR,
            "employee_id": person["employee_id"],
            "municipality": municipality,
            "municipality_code": code,
            "single_parent": "〇" if case in SINGLE_PARENT_CASES else None,
            "disability": "障害者" if case == 21 else None,
            "working_student": "〇" if case == 41 else None,
        }
        if case == 3:  # hired 2025-10-15: the previous employer withheld too little → a shortfall
            row.update(
                previous_employer="株式会社前職商事",
                previous_pay=3_150_000,
                previous_social_insurance=470_000,
                previous_tax=8_000,
                previous_leave_date=dt.date(2025, 9, 30),
            )
        own.append(row)
        if case in (17, 18):
            housing.append(
                {
                    "year": NENCHO_YEAR,
                    "employee_id": person["employee_id"],
                    "credit_amount": 180_000 if case == 17 else 300_000,
                    "move_in_date": dt.date(2021, 3, 20),
                    "balance": 25_714_285 if case == 17 else 42_857_142,
                }
            )


BONUS_DATES = [dt.date(2025, 7, 10), dt.date(2025, 12, 10)]


def _bonuses(demo: DemoCompany, rng: random.Random) -> None:
    """Summer and winter bonuses for monthly staff (1–2.5 months of base pay): the director's two
    cross the health-insurance cap of the fiscal year (573万) and the pension cap of a month (150万)."""
    bonuses = demo.sheet("staff", "bonuses")
    for i, person in enumerate(demo.rows["staff"]["staff"]):
        case = i % BASE["staff"]
        if person["pay_type"] != "月給" or case == 3:  # hourly staff and the October hire get none
            continue
        for day in BONUS_DATES:
            if person["leave_date"] is not None and person["leave_date"] < day:
                continue
            months = Decimal(rng.choice(["1.0", "1.5", "2.0", "2.5"]))
            amount = 3_000_000 if case == 0 else int(Decimal(person["base_salary"]) * months)
            bonuses.append(
                {
                    "employee_id": person["employee_id"],
                    "pay_date": day,
                    "amount": amount,
                    "nontaxable_amount": None,
                    "period_months": 6,
                }
            )


def _vendors(demo: DemoCompany, rng: random.Random, count: int) -> None:
    rows = demo.sheet("vendors", "vendors")
    for i in range(count):
        individual = i % 15 == 14
        registered = i % 6 != 5
        word = FIRM_WORDS[i % len(FIRM_WORDS)]
        name = (
            f"{FAMILY[i % len(FAMILY)][0]}デザイン事務所"
            if individual
            else f"株式会社{word}{FIRM_KINDS[i % len(FIRM_KINDS)]}"
        )
        pref, town = PREFECTURES[i % len(PREFECTURES)]
        bank_code, _ = BANKS[i % len(BANKS)]
        holder = (
            bank_kana(f"{FAMILY[i % len(FAMILY)][1]} {GIVEN[i % len(GIVEN)][1]}")
            if individual
            else "ｶ)" + bank_kana(FAMILY[(i + 3) % len(FAMILY)][1] + "ｼｮｳｼﾞ")
        )
        rows.append(
            {
                "vendor_id": f"V{i + 1:04d}",
                "name": name,
                "registration_number": f"T{_valid_corporate_number(rng)}" if registered else None,
                "is_individual": "〇" if individual else "×",
                "postal_code": f"{rng.randrange(100, 999)}-{rng.randrange(0, 9999):04d}",
                "address": f"{pref}{town}{rng.randint(1, 9)}-{rng.randint(1, 20)}-{rng.randint(1, 30)}",
                "bank_code": bank_code,
                "branch_code": f"{rng.randrange(1, 999):03d}",
                "account_type": "当座" if i % 4 == 0 else "普通",
                "account_number": f"{rng.randrange(0, 9_999_999):07d}",
                "account_holder_kana": holder,
                "payment_terms": "月末締め翌月末払い",
            }
        )


def _items(demo: DemoCompany, rng: random.Random, count: int) -> None:
    # goods come from firms; individuals (designers) bill fees only
    vendors = [v for v in demo.rows["vendors"]["vendors"] if v["is_individual"] != "〇"]
    rows = demo.sheet("stock", "items")
    for i in range(count):
        name, unit, rate = PRODUCTS[i % len(PRODUCTS)]
        price = rng.randrange(100, 20_000, 10)
        cost = (Decimal(price) * Decimal(rng.randint(55, 75)) / 100).quantize(Decimal("0.01"), ROUND_DOWN)
        rows.append(
            {
                "sku": f"SKU-{i + 1:05d}",
                "name": f"{name} {chr(65 + i % 26)}{i // 26 + 1}",
                "unit": unit,
                "unit_price": price,
                "unit_cost": float(cost),
                "tax_rate": rate,
                "vendor_id": vendors[i % len(vendors)]["vendor_id"],
                "reorder_point": rng.randrange(10, 60, 5),
                "reorder_qty": rng.randrange(50, 200, 10),
            }
        )


def _stock_flows(demo: DemoCompany, rng: random.Random) -> None:
    """Monthly purchase orders, their receipts and bills; issues that never overdraw stock; a count."""
    items = demo.rows["stock"]["items"]
    vendors = {v["vendor_id"]: v for v in demo.rows["vendors"]["vendors"]}
    movements, counts = demo.sheet("stock", "movements"), demo.sheet("stock", "counts")
    orders, bills = demo.sheet("vendors", "purchase_orders"), demo.sheet("vendors", "bills")
    on_hand = {item["sku"]: 0 for item in items}
    by_vendor: dict[str, list[dict]] = {}
    for item in items:
        by_vendor.setdefault(item["vendor_id"], []).append(item)
    po_seq = 0
    for month in FY_MONTHS:
        for vendor_id, vendor_items in by_vendor.items():
            po_seq += 1
            po_no = f"PO{month.year % 100:02d}{month.month:02d}-{po_seq:05d}"
            order_day = month + dt.timedelta(days=rng.randint(0, 9))
            receive_day = order_day + dt.timedelta(days=rng.randint(2, 7))
            amounts = {"10": 0, "8": 0}
            for item in vendor_items[: 1 + len(vendor_items) // 2] if rng.random() < 0.5 else vendor_items:
                qty = item["reorder_qty"] // 5  # a month's sales, roughly
                cost = Decimal(str(item["unit_cost"]))
                orders.append(
                    {
                        "po_no": po_no,
                        "date": order_day,
                        "vendor_id": vendor_id,
                        "sku": item["sku"],
                        "qty": qty,
                        "unit_cost": item["unit_cost"],
                    }
                )
                if month == FY_MONTHS[-1] and rng.random() < 0.3:
                    continue  # still open at year end
                movements.append(
                    {
                        "date": receive_day,
                        "sku": item["sku"],
                        "kind": "入庫",
                        "qty": qty,
                        "unit_cost": item["unit_cost"],
                        "reference": po_no,
                    }
                )
                on_hand[item["sku"]] += qty
                amounts[item["tax_rate"].rstrip("%")] += int((cost * qty).to_integral_value(ROUND_DOWN))
            for rate, amount in amounts.items():
                if amount:
                    bills.append(
                        {
                            "bill_no": f"B-{po_no}-{rate}",
                            "vendor_id": vendor_id,
                            "bill_date": month_end(month),
                            "po_no": po_no,
                            "amount_excl_tax": amount,
                            "tax_rate": f"{rate}%",
                            "tax": amount * int(rate) // 100,
                            "is_fee": "×",
                        }
                    )
        for vendor in vendors.values():
            if vendor["is_individual"] == "〇":  # a designer's monthly fee: 報酬, withholding applies
                bills.append(
                    {
                        "bill_no": f"D-{month:%y%m}",
                        "vendor_id": vendor["vendor_id"],
                        "bill_date": month_end(month),
                        "po_no": None,
                        "amount_excl_tax": 150_000,
                        "tax_rate": "10%",
                        "tax": 15_000,
                        "is_fee": "〇",
                    }
                )
        for item in items:
            issue_day = month + dt.timedelta(days=rng.randint(17, 27))  # after the month's receipts
            qty = min(on_hand[item["sku"]], rng.randrange(5, 60))
            if qty > 0:
                movements.append(
                    {
                        "date": issue_day,
                        "sku": item["sku"],
                        "kind": "出庫",
                        "qty": qty,
                        "unit_cost": None,
                        "reference": f"出荷 {issue_day:%m%d}",
                    }
                )
                on_hand[item["sku"]] -= qty
            if rng.random() < 0.02 and qty > 2:
                movements.append(
                    {
                        "date": issue_day + dt.timedelta(days=1),
                        "sku": item["sku"],
                        "kind": "返品",
                        "qty": 1,
                        "unit_cost": None,
                        "reference": "得意先返品",
                    }
                )
                on_hand[item["sku"]] += 1
    movements.sort(key=lambda m: m["date"])
    count_day = dt.date(2026, 3, 31)
    for item in items:
        counts.append({"count_date": count_day, "sku": item["sku"], "counted_qty": on_hand[item["sku"]]})


def _sales(demo: DemoCompany, rng: random.Random, count: int) -> None:
    customers = demo.sheet("sales", "customers")
    for i in range(count):
        pref, town = PREFECTURES[(i + 2) % len(PREFECTURES)]
        customers.append(
            {
                "customer_id": f"C{i + 1:04d}",
                "name": f"株式会社{FIRM_WORDS[(i * 7) % len(FIRM_WORDS)]}{FIRM_KINDS[(i + 3) % len(FIRM_KINDS)]}",
                "honorific": "御中",
                "postal_code": f"{rng.randrange(100, 999)}-{rng.randrange(0, 9999):04d}",
                "address": f"{pref}{town}{rng.randint(1, 9)}-{rng.randint(1, 20)}",
                "closing_day": ["末", "末", "末", "20", "25", "15"][i % 6],
                "payment_terms": ["翌月末", "翌月末", "翌々月10日", "翌月25日"][i % 4],
                "registration_number": f"T{_valid_corporate_number(rng)}" if i % 3 else None,
            }
        )
    items = demo.rows["stock"]["items"]
    orders = demo.sheet("sales", "orders")
    seq = 0
    for month in FY_MONTHS:
        for customer in customers:
            for _ in range(2):
                seq += 1
                day = month + dt.timedelta(days=rng.randint(0, 26))
                shipped = day + dt.timedelta(days=rng.randint(1, 4))
                if shipped > dt.date(2026, 3, 31):
                    shipped = None
                for item in rng.sample(items, k=rng.randint(1, 3)):
                    orders.append(
                        {
                            "order_no": f"SO{seq:06d}",
                            "date": day,
                            "customer_id": customer["customer_id"],
                            "sku": item["sku"],
                            "description": item["name"],
                            "qty": rng.randint(1, 20),
                            "unit_price": item["unit_price"],
                            "tax_rate": item["tax_rate"],
                            "shipped_date": shipped,
                        }
                    )


def _plant(demo: DemoCompany, book: str, sheet: str, index: int, field: str, value, code: str) -> None:
    demo.rows[book][sheet][index][field] = value
    demo.planted.append(PlantedError(book, sheet, field, index, code, value))


def _plant_errors(demo: DemoCompany) -> None:
    """One mistake per kind of rule, each at a known cell; nothing else may be reported."""
    staff = demo.rows["staff"]["staff"]
    good = staff[10]["my_number"]
    _plant(demo, "staff", "staff", 10, "my_number", good[:-1] + str((int(good[-1]) + 1) % 10), "my_number_check_digit")
    _plant(demo, "staff", "staff", 11, "leave_date", staff[11]["hire_date"] - dt.timedelta(days=1), "date_order")
    _plant(demo, "staff", "staff", 12, "account_number", "12345678", "bad_pattern")
    _plant(demo, "staff", "staff", 13, "tax_column", "丙", "not_in_enum")
    _plant(demo, "staff", "staff", 14, "account_holder_kana", "山田太郎", "zengin_kana")
    _plant(demo, "staff", "staff", 15, "dependents", -1, "below_min")
    _plant(demo, "staff", "staff", 16, "birth_date", "令和8年13月1日", "not_a_date")
    attendance = demo.rows["staff"]["attendance"]
    _plant(demo, "staff", "attendance", 3, "employee_id", "E99999", "unknown_reference")
    _plant(demo, "staff", "attendance", 5, "overtime_over60_hours", 99, "not_greater")
    leaver = next(
        i for i, r in enumerate(attendance) if r["employee_id"] == staff[4]["employee_id"] and r["month"] == "2025/12"
    )
    _plant(demo, "staff", "attendance", leaver, "month", "2026/1", "inactive_employee")
    items = demo.rows["stock"]["items"]
    items.append(dict(items[19]))  # the same item typed in twice, at the end of the sheet
    _plant(demo, "stock", "items", len(items) - 1, "sku", items[19]["sku"], "duplicate")
    _plant(demo, "stock", "items", 21, "tax_rate", "5%", "not_in_enum")
    _plant(demo, "stock", "movements", 7, "sku", "SKU-NOPE", "unknown_reference")
    _plant(demo, "stock", "movements", 8, "date", "2025/13/01", "not_a_date")
    _plant(demo, "stock", "movements", 9, "qty", "十二", "not_a_number")
    vendors = demo.rows["vendors"]["vendors"]
    reg = next(i for i, v in enumerate(vendors) if v["registration_number"])
    number = vendors[reg]["registration_number"]
    _plant(
        demo,
        "vendors",
        "vendors",
        reg,
        "registration_number",
        number[:-1] + str((int(number[-1]) + 1) % 10),
        "registration_number_check_digit",
    )
    bills = demo.rows["vendors"]["bills"]
    other = next(b for b in bills if b["vendor_id"] != bills[2]["vendor_id"])
    _plant(demo, "vendors", "bills", 2, "vendor_id", other["vendor_id"], "reference_mismatch")
    dup_of = bills[4]
    _plant(demo, "vendors", "bills", 5, "bill_no", dup_of["bill_no"], "duplicate_key")
    demo.rows["vendors"]["bills"][5]["vendor_id"] = dup_of["vendor_id"]
    demo.rows["vendors"]["bills"][5]["po_no"] = dup_of["po_no"]
    _plant(demo, "sales", "customers", 3, "postal_code", "123-45", "bad_pattern")
    _plant(demo, "sales", "orders", 10, "customer_id", "C9999", "unknown_reference")
    orders = demo.rows["sales"]["orders"]
    _plant(demo, "sales", "orders", 11, "shipped_date", orders[11]["date"] - dt.timedelta(days=3), "date_order")
    _plant(demo, "sales", "orders", 12, "unit_price", None, "required")


def generate(
    scale: int = 1, seed: int = 2025, with_errors: bool = False, grades=None, staff_only: bool = False, rules=None
) -> DemoCompany:
    """The demo company's rows by book and sheet; `grades` are (min, max, standard remuneration)."""
    rng = random.Random(seed)
    demo = DemoCompany()
    _staff(demo, rng, BASE["staff"] * scale, grades)
    _attendance(demo, rng)
    rules = rules if rules is not None else load_rulebook()
    _teiji_grades(demo, grades, rules)
    _pay_history(demo, rules)
    _declarations(demo)
    _bonuses(demo, random.Random(seed + 1))  # its own stream: the other sheets stay as they were
    if staff_only:
        return demo
    _vendors(demo, rng, BASE["vendors"] * scale)
    _items(demo, rng, BASE["items"] * scale)
    _stock_flows(demo, rng)
    _sales(demo, rng, BASE["customers"] * scale)
    _customer_money_terms(demo)
    if with_errors:
        _plant_errors(demo)
    return demo


# ---- money in: transfer names, credit limits and a year of bank statements ---------------------

FIRM_WORD_KANA = {
    "東西": "ﾄｳｻﾞｲ",
    "日の出": "ﾋﾉﾃﾞ",
    "青葉": "ｱｵﾊﾞ",
    "若葉": "ﾜｶﾊﾞ",
    "富士": "ﾌｼﾞ",
    "桜": "ｻｸﾗ",
    "大和": "ﾔﾏﾄ",
    "北斗": "ﾎｸﾄ",
    "光": "ﾋｶﾘ",
    "中央": "ﾁﾕｳｵｳ",
    "丸山": "ﾏﾙﾔﾏ",
    "三栄": "ｻﾝｴｲ",
    "協和": "ｷﾖｳﾜ",
    "昭和": "ｼﾖｳﾜ",
    "新星": "ｼﾝｾｲ",
    "白鳥": "ｼﾗﾄﾘ",
    "城南": "ｼﾞﾖｳﾅﾝ",
    "平和": "ﾍｲﾜ",
    "旭": "ｱｻﾋ",
    "相互": "ｿｳｺﾞ",
}
FIRM_KIND_KANA = {
    "商事": "ｼﾖｳｼﾞ",
    "産業": "ｻﾝｷﾞﾖｳ",
    "物産": "ﾌﾞﾂｻﾝ",
    "工業": "ｺｳｷﾞﾖｳ",
    "食品": "ｼﾖｸﾋﾝ",
    "商会": "ｼﾖｳｶｲ",
    "製作所": "ｾｲｻｸｼﾖ",
    "興業": "ｺｳｷﾞﾖｳ",
}
DEMO_FEES = (440, 660)  # the fees demo customers deduct (other bank, below / from 30,000 yen)
LATE_PAYER_CASE = 9  # stops paying in December: overdue and over its credit limit
NET_BANK_CASES = {3, 7}  # pay into the company's internet-bank account (a CSV statement)


def customer_kana(customer: dict) -> str:
    """The demo customer's name as its bank prints it, without the legal form (ﾄｳｻﾞｲｼﾖｳｼﾞ)."""
    name = customer["name"].removeprefix("株式会社")
    for word, kana in FIRM_WORD_KANA.items():
        if name.startswith(word):
            kind = name[len(word) :]
            suffix = int(customer["customer_id"][1:]) - 1
            return (
                kana
                + FIRM_KIND_KANA[kind]
                + (str(suffix // BASE["customers"] + 1) if suffix >= BASE["customers"] else "")
            )
    raise KeyError(customer["name"])


def _customer_money_terms(demo: DemoCompany) -> None:
    """振込名義 and 与信限度額 on the Customers sheet: one or two transfer names each, a few left blank."""
    for i, customer in enumerate(demo.rows["sales"]["customers"]):
        kana, case = customer_kana(customer), i % 10
        names = [f"ｶ){kana}"]
        if case == 3:
            names.append(f"{kana}(ｶ ｵｵｻｶｼﾃﾝ")  # the Osaka branch pays some invoices
        customer["transfer_names"] = "、".join(names)
        customer["credit_limit"] = 400_000 if case == LATE_PAYER_CASE else 5_000_000


@dataclass(frozen=True)
class PlantedDeposit:
    account: str  # "zengin" or "netbank"
    date: dt.date
    amount: int
    payer: str
    status: str  # what matching must say: matched / proposed / unmatched
    invoices: tuple[str, ...]
    case: str


@dataclass
class DemoBank:
    deposits: list[PlantedDeposit] = field(default_factory=list)
    withdrawals: list[tuple[str, dt.date, int, str]] = field(default_factory=list)


def _pay(
    bank: DemoBank, customer: dict, case: int, when: dt.date, amount: int, payer: str, status: str, invoices, label: str
) -> None:
    account = "netbank" if case in NET_BANK_CASES else "zengin"
    bank.deposits.append(PlantedDeposit(account, when, amount, payer, status, tuple(invoices), label))


def bank_year(
    invoices: list[dict], customers: list[dict], fees: tuple[int, ...], last_day: dt.date = dt.date(2026, 3, 31)
) -> DemoBank:
    """Deposits for the year's invoices — most paid exactly on the due date, and each hard case of 入金消込
    planted on known customers and months with the outcome matching must give — plus monthly payments out."""
    bank = DemoBank()
    totals = [inv["total"] for inv in invoices]
    readings: dict[str, int] = {}
    for customer in customers:
        readings[customer_kana(customer)] = readings.get(customer_kana(customer), 0) + 1
    by_customer: dict[str, list[dict]] = {}
    for invoice in sorted(invoices, key=lambda v: (v["due_date"], v["invoice_no"])):
        by_customer.setdefault(invoice["customer_id"], []).append(invoice)
    for i, customer in enumerate(customers):
        kana, case = customer_kana(customer), i % 10
        own = by_customer.get(customer["customer_id"], [])
        k = 0
        while k < len(own):
            invoice, due = own[k], own[k]["due_date"]
            if due > last_day or (case == LATE_PAYER_CASE and due.month in (12, 1, 2, 3)):
                k += 1
                continue
            total, number, payer = invoice["total"], invoice["invoice_no"], f"ｶ){kana}"
            if readings[kana] > 1:  # 東西工業 and 東西興業 are both ﾄｳｻﾞｲｺｳｷﾞﾖｳ at the bank
                _pay(bank, customer, case, due, total, payer, "matched", (number,), "shared_name")
                k += 1
                continue
            if case == 2 and k == 5 and k + 1 < len(own) and own[k + 1]["due_date"] <= last_day:
                both = total + own[k + 1]["total"]  # two months paid together, the older first
                _pay(
                    bank,
                    customer,
                    case,
                    own[k + 1]["due_date"],
                    both,
                    payer,
                    "matched",
                    (number, own[k + 1]["invoice_no"]),
                    "combined",
                )
                k += 2
                continue
            if case == 4 and k == 2:  # paid in two parts
                first = total * 6 // 10 // 1000 * 1000
                _pay(
                    bank, customer, case, due - dt.timedelta(days=5), first, payer, "proposed", (number,), "split_first"
                )
                _pay(bank, customer, case, due, total - first, payer, "proposed", (number,), "split_second")
            elif (
                case == 6
                and k >= 6
                and not bank_has(bank, customer, "overpayment")
                and _alone(own, k, early := (invoice["issue_date"] + dt.timedelta(days=10)))
            ):  # paid early, 10,000 yen too much
                _pay(bank, customer, case, early, total + 10_000, payer, "proposed", (number,), "overpayment")
            elif case == 8 and k == 4 and _unique_amount(total, totals, fees):
                _pay(bank, customer, case, due, total, "ｶ)ﾐﾅﾄﾐﾗｲﾎｰﾙﾃﾞｨﾝｸﾞｽ", "proposed", (number,), "other_payer")
            elif case == 0 and k == 1 and len(kana) >= 8:
                _pay(bank, customer, case, due, total, kana[:-1], "proposed", (number,), "name_cut_short")
            elif case in (1, 5) and k % 3 == 1:
                fee = DEMO_FEES[total >= 30_000]
                _pay(bank, customer, case, due, total - fee, payer, "matched", (number,), "fee_deducted")
            elif case == 3 and k % 3 == 2:
                _pay(
                    bank, customer, case, due, total, f"{kana}(ｶ ｵｵｻｶｼﾃﾝ", "matched", (number,), "second_transfer_name"
                )
            elif case == 5:
                _pay(bank, customer, case, due, total, f"{kana}(ｶ", "matched", (number,), "legal_form_after")
            else:
                _pay(bank, customer, case, due, total, payer, "matched", (number,), "exact")
            k += 1
    strangers = [
        ("ｶ)ﾐﾁﾉｸｼﾖｳｶｲ", dt.date(2025, 6, 12)),
        ("ﾀﾅｶ ｲﾁﾛｳ", dt.date(2025, 9, 3)),
        ("ｶﾌﾞｼｷｶﾞｲｼﾔ ﾐﾗｲｺｳｷﾞﾖｳ", dt.date(2025, 12, 19)),
        ("ｺｸｾﾞｲ ｶﾝﾌﾟｷﾝ", dt.date(2026, 2, 27)),
    ]
    amount = 12_345
    for payer, when in strangers:  # nobody we know, no invoice of that amount
        while not _unique_amount(amount, totals, fees, include_self=False):
            amount += 1
        bank.deposits.append(PlantedDeposit("zengin", when, amount, payer, "unmatched", (), "unknown_payer"))
        amount += 7_531
    for month in FY_MONTHS:
        bank.withdrawals.append(("zengin", month + dt.timedelta(days=24), 385_000, "ﾔﾁﾝ ﾏﾙﾉｳﾁﾋﾞﾙ"))
        bank.withdrawals.append(("netbank", month + dt.timedelta(days=9), 660, "ﾌﾘｺﾐﾃｽｳﾘﾖｳ"))
    bank.deposits.sort(key=lambda d: (d.date, d.account, d.payer, d.amount))
    return bank


def bank_has(bank: DemoBank, customer: dict, case: str) -> bool:
    return any(d.case == case and d.payer.endswith(customer_kana(customer)) for d in bank.deposits)


def _alone(own: list[dict], k: int, day: dt.date) -> bool:
    """Invoice k is the only one of its customer open on `day` (the others are paid before or issued after)."""
    return all(other["issue_date"] > day or other["due_date"] < day for j, other in enumerate(own) if j != k)


def _unique_amount(amount: int, totals: list[int], fees: tuple[int, ...], include_self: bool = True) -> bool:
    """No other invoice has this total, or this total plus a transfer fee (so the amount alone points to one)."""
    clashes = sum(1 for t in totals if t == amount) - (1 if include_self else 0)
    return clashes == 0 and not any(t - amount in fees for t in totals)
