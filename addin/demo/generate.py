"""Generate the demo company's master data for fiscal year April 2025 – March 2026.

Deterministic from a seed; `scale` multiplies every master list. Values are written the way
people type them (正社員, 月給, 甲, 〇, 10%, 末), so the demo exercises normalisation too.
Staff cover every case payroll distinguishes: 甲 and 乙, 0–7 dependents, turning 40 and 65 in
the year, hourly part-timers, a director, pay above 740,000 yen, a mid-month hire and a leaver.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from stdnum.jp import cn as corporate_number
from stdnum.jp import in_ as my_number

from addin.dates import month_end
from addin.demo.names import BANKS, DEPARTMENTS, FAMILY, FIRM_KINDS, FIRM_WORDS, GIVEN, PREFECTURES, PRODUCTS
from addin.normalize.text import bank_kana

FY_START = dt.date(2025, 4, 1)
FY_MONTHS = [dt.date(2025 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(12)]
BASE = {"staff": 50, "items": 200, "vendors": 30, "customers": 40}


@dataclass(frozen=True)
class PlantedError:
    book: str
    sheet: str
    field: str
    index: int      # data row index (0 = first row under the header)
    code: str       # the issue code validation must report there
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
            birth = dt.date(1985, 10, 15)      # turns 40 in October 2025: nursing care from then
        elif case == 6:
            birth = dt.date(1960, 11, 2)       # turns 65 in November 2025: nursing care ends
        elif case == 7:
            birth = dt.date(1986, 1, 1)        # 40 on 2025-12-31 in law (the day before the birthday)
        hire = dt.date(rng.randint(max(birth.year + 18, 2000), 2024), rng.randint(1, 12), 1)
        leave = None
        if case == 3:
            hire = dt.date(2025, 10, 15)       # mid-month hire
        elif case == 4:
            leave = dt.date(2025, 12, 20)      # mid-month leaver
        base = rng.randrange(190_000, 520_000, 1_000)
        if director:
            base = 1_200_000
        elif case == 1:
            base = 820_000                     # above the table's 740,000 line
        hourly = rng.randrange(1_100, 1_600, 10) if part_time else None
        commute = rng.randrange(0, 30_000, 100)
        column = "乙" if case in (44, 45) else "甲"
        dependents = 0 if column == "乙" else (case - 8) % 8 if 8 <= case < 40 else rng.choice([0, 0, 1, 2])
        insured = not part_time or case in (40, 41, 42)
        bank_code, _ = BANKS[rng.randrange(len(BANKS))]
        pay_estimate = (base if not part_time else hourly * 5 * 20) + commute
        resident = 0 if case == 3 else rng.randrange(3_000, 40_000, 100)
        rows.append({
            "employee_id": f"E{i + 1:05d}",
            "name": f"{family[0]} {given[0]}",
            "name_kana": f"{family[1]} {given[1]}",
            "department": "役員" if director else DEPARTMENTS[rng.randrange(len(DEPARTMENTS))],
            "employment_type": "役員" if director else ("パート" if part_time else ("契約社員" if case in (30, 31) else "正社員")),
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
        })


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
            allowances.append({"employee_id": person["employee_id"], "name": "役職手当", "amount": 30_000, "taxable": "課税"})
        if not hourly and case % 4 == 1:
            allowances.append({"employee_id": person["employee_id"], "name": "住宅手当", "amount": 15_000, "taxable": "課税"})
        if case % 10 == 2:
            allowances.append({"employee_id": person["employee_id"], "name": "出張日当", "amount": 8_000,
                               "taxable": "非課税", "month": "2025-07"})
        for month in FY_MONTHS:
            if not _employed(person, month):
                continue
            days = rng.randint(12, 20) if hourly else rng.randint(18, 22)
            hours_per_day = 5 if hourly else 8
            overtime = 0 if hourly else rng.choice([0, 4.5, 10, 15.25, 22, 30])
            over60 = 0
            if case == 9 and month.month == 12:
                overtime, over60 = 72, 12     # year-end rush: 12 hours above the 60-hour line
            attendance.append({
                "employee_id": person["employee_id"],
                "month": f"{month.year}/{month.month}",
                "work_days": days,
                "work_hours": days * hours_per_day,
                "overtime_hours": overtime,
                "overtime_over60_hours": over60,
                "late_night_hours": rng.choice([0, 0, 0, 2, 3.5]),
                "holiday_hours": rng.choice([0, 0, 0, 8]),
                "unpaid_absence_days": rng.choice([0] * 12 + [1]),
            })


BONUS_DATES = [dt.date(2025, 7, 10), dt.date(2025, 12, 10)]


def _bonuses(demo: DemoCompany, rng: random.Random) -> None:
    """Summer and winter bonuses for monthly staff (1–2.5 months of base pay): the director's two
    cross the health-insurance cap of the fiscal year (573万) and the pension cap of a month (150万)."""
    bonuses = demo.sheet("staff", "bonuses")
    for i, person in enumerate(demo.rows["staff"]["staff"]):
        case = i % BASE["staff"]
        if person["pay_type"] != "月給" or case == 3:     # hourly staff and the October hire get none
            continue
        for day in BONUS_DATES:
            if person["leave_date"] is not None and person["leave_date"] < day:
                continue
            months = Decimal(rng.choice(["1.0", "1.5", "2.0", "2.5"]))
            amount = 3_000_000 if case == 0 else int(Decimal(person["base_salary"]) * months)
            bonuses.append({"employee_id": person["employee_id"], "pay_date": day, "amount": amount,
                            "nontaxable_amount": None, "period_months": 6})


def _vendors(demo: DemoCompany, rng: random.Random, count: int) -> None:
    rows = demo.sheet("vendors", "vendors")
    for i in range(count):
        individual = i % 15 == 14
        registered = i % 6 != 5
        word = FIRM_WORDS[i % len(FIRM_WORDS)]
        name = f"{FAMILY[i % len(FAMILY)][0]}デザイン事務所" if individual else f"株式会社{word}{FIRM_KINDS[i % len(FIRM_KINDS)]}"
        pref, town = PREFECTURES[i % len(PREFECTURES)]
        bank_code, _ = BANKS[i % len(BANKS)]
        holder = (bank_kana(f"{FAMILY[i % len(FAMILY)][1]} {GIVEN[i % len(GIVEN)][1]}") if individual
                  else "ｶ)" + bank_kana(FAMILY[(i + 3) % len(FAMILY)][1] + "ｼｮｳｼﾞ"))
        rows.append({
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
        })


def _items(demo: DemoCompany, rng: random.Random, count: int) -> None:
    # goods come from firms; individuals (designers) bill fees only
    vendors = [v for v in demo.rows["vendors"]["vendors"] if v["is_individual"] != "〇"]
    rows = demo.sheet("stock", "items")
    for i in range(count):
        name, unit, rate = PRODUCTS[i % len(PRODUCTS)]
        price = rng.randrange(100, 20_000, 10)
        cost = (Decimal(price) * Decimal(rng.randint(55, 75)) / 100).quantize(Decimal("0.01"), ROUND_DOWN)
        rows.append({
            "sku": f"SKU-{i + 1:05d}",
            "name": f"{name} {chr(65 + i % 26)}{i // 26 + 1}",
            "unit": unit,
            "unit_price": price,
            "unit_cost": float(cost),
            "tax_rate": rate,
            "vendor_id": vendors[i % len(vendors)]["vendor_id"],
            "reorder_point": rng.randrange(10, 60, 5),
            "reorder_qty": rng.randrange(50, 200, 10),
        })


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
                qty = item["reorder_qty"] // 5       # a month's sales, roughly
                cost = Decimal(str(item["unit_cost"]))
                orders.append({"po_no": po_no, "date": order_day, "vendor_id": vendor_id, "sku": item["sku"],
                               "qty": qty, "unit_cost": item["unit_cost"]})
                if month == FY_MONTHS[-1] and rng.random() < 0.3:
                    continue                                        # still open at year end
                movements.append({"date": receive_day, "sku": item["sku"], "kind": "入庫", "qty": qty,
                                  "unit_cost": item["unit_cost"], "reference": po_no})
                on_hand[item["sku"]] += qty
                amounts[item["tax_rate"].rstrip("%")] += int((cost * qty).to_integral_value(ROUND_DOWN))
            for rate, amount in amounts.items():
                if amount:
                    bills.append({"bill_no": f"B-{po_no}-{rate}", "vendor_id": vendor_id, "bill_date": month_end(month),
                                  "po_no": po_no, "amount_excl_tax": amount, "tax_rate": f"{rate}%",
                                  "tax": amount * int(rate) // 100,
                                  "is_fee": "×"})
        for vendor in vendors.values():
            if vendor["is_individual"] == "〇":   # a designer's monthly fee: 報酬, withholding applies
                bills.append({"bill_no": f"D-{month:%y%m}", "vendor_id": vendor["vendor_id"], "bill_date": month_end(month),
                              "po_no": None, "amount_excl_tax": 150_000, "tax_rate": "10%", "tax": 15_000, "is_fee": "〇"})
        for item in items:
            issue_day = month + dt.timedelta(days=rng.randint(17, 27))   # after the month's receipts
            qty = min(on_hand[item["sku"]], rng.randrange(5, 60))
            if qty > 0:
                movements.append({"date": issue_day, "sku": item["sku"], "kind": "出庫", "qty": qty,
                                  "unit_cost": None, "reference": f"出荷 {issue_day:%m%d}"})
                on_hand[item["sku"]] -= qty
            if rng.random() < 0.02 and qty > 2:
                movements.append({"date": issue_day + dt.timedelta(days=1), "sku": item["sku"], "kind": "返品",
                                  "qty": 1, "unit_cost": None, "reference": "得意先返品"})
                on_hand[item["sku"]] += 1
    movements.sort(key=lambda m: m["date"])
    count_day = dt.date(2026, 3, 31)
    for item in items:
        counts.append({"count_date": count_day, "sku": item["sku"], "counted_qty": on_hand[item["sku"]]})


def _sales(demo: DemoCompany, rng: random.Random, count: int) -> None:
    customers = demo.sheet("sales", "customers")
    for i in range(count):
        pref, town = PREFECTURES[(i + 2) % len(PREFECTURES)]
        customers.append({
            "customer_id": f"C{i + 1:04d}",
            "name": f"株式会社{FIRM_WORDS[(i * 7) % len(FIRM_WORDS)]}{FIRM_KINDS[(i + 3) % len(FIRM_KINDS)]}",
            "honorific": "御中",
            "postal_code": f"{rng.randrange(100, 999)}-{rng.randrange(0, 9999):04d}",
            "address": f"{pref}{town}{rng.randint(1, 9)}-{rng.randint(1, 20)}",
            "closing_day": ["末", "末", "末", "20", "25", "15"][i % 6],
            "payment_terms": ["翌月末", "翌月末", "翌々月10日", "翌月25日"][i % 4],
            "registration_number": f"T{_valid_corporate_number(rng)}" if i % 3 else None,
        })
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
                    orders.append({"order_no": f"SO{seq:06d}", "date": day, "customer_id": customer["customer_id"],
                                   "sku": item["sku"], "description": item["name"], "qty": rng.randint(1, 20),
                                   "unit_price": item["unit_price"], "tax_rate": item["tax_rate"], "shipped_date": shipped})


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
    leaver = next(i for i, r in enumerate(attendance) if r["employee_id"] == staff[4]["employee_id"] and r["month"] == "2025/12")
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
    _plant(demo, "vendors", "vendors", reg, "registration_number", number[:-1] + str((int(number[-1]) + 1) % 10),
           "registration_number_check_digit")
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


def generate(scale: int = 1, seed: int = 2025, with_errors: bool = False, grades=None,
             staff_only: bool = False) -> DemoCompany:
    """The demo company's rows by book and sheet; `grades` are (min, max, standard remuneration)."""
    rng = random.Random(seed)
    demo = DemoCompany()
    _staff(demo, rng, BASE["staff"] * scale, grades)
    _attendance(demo, rng)
    _bonuses(demo, random.Random(seed + 1))     # its own stream: the other sheets stay as they were
    if staff_only:
        return demo
    _vendors(demo, rng, BASE["vendors"] * scale)
    _items(demo, rng, BASE["items"] * scale)
    _stock_flows(demo, rng)
    _sales(demo, rng, BASE["customers"] * scale)
    if with_errors:
        _plant_errors(demo)
    return demo
