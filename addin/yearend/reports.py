"""What follows the adjustment: who is filed with the tax office, the 給与支払報告書 by municipality,
the December remittance, and what each 源泉徴収票 box holds. Pure functions over the results."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from addin.yearend.model import Adjustment, EmployeeYear, RelativeClass
from addin.yearend.rules import YearRules


def files_with_tax_office(result: Adjustment, person: EmployeeYear, is_director: bool, rules: YearRules) -> bool:
    """源泉徴収票 filed with the tax office (所得税法226条, 規則93条; FACTS_YEAR.md §D2)."""
    f = rules.filing
    if person.tax_column != "甲":
        return result.pay > int(f["not_adjusted_director_over"])  # 乙欄: > 50万
    if result.adjusted:
        return result.pay > int(f["director_over"] if is_director else f["others_over"])
    if result.pay > rules.max_annual_pay:
        return bool(f["over_limit_all"])
    return result.pay > int(f["not_adjusted_director_over"] if is_director else f["not_adjusted_over"])


def in_municipal_report(result: Adjustment, person: EmployeeYear, rules: YearRules) -> bool:
    """給与支払報告書: everyone in service on 1 January of the next year; leavers may be omitted
    when paid ≤ 30万 (地方税法317条の6 第3項)."""
    left = person.leave_date is not None and person.leave_date <= date(person.year, 12, 31)
    return not left or result.pay > int(rules.municipal["leaver_omit_max_pay"])


@dataclass(frozen=True)
class Remittance:
    """納付書 of the settling month: withheld tax net of year-end refunds; an excess carried forward."""

    month: str
    withheld: int
    shortfalls_collected: int
    refunds: int
    payable: int
    carried_forward: int


def remittance(people: list[EmployeeYear], results: list[Adjustment]) -> Remittance:
    last = max((p.pay_date for person in people for p in person.payments), default=None)
    if last is None:
        return Remittance("", 0, 0, 0, 0, 0)
    withheld = sum(
        p.tax
        for person in people
        for p in person.payments
        if (p.pay_date.year, p.pay_date.month) == (last.year, last.month)
    )
    refunds = sum(r.settlement.refund_paid for r in results if r.settlement)
    collected = sum(r.settlement.collected for r in results if r.settlement)
    due = withheld + collected - refunds
    return Remittance(f"{last:%Y-%m}", withheld, collected, refunds, max(due, 0), max(-due, 0))


def counts(result: Adjustment) -> dict[str, int]:
    """The 源泉徴収票's counts of relatives (控除対象扶養親族 特定/老人/同居老親/その他, 16歳未満, 障害者, 非居住者)."""
    rels = result.relatives
    klass = lambda *ks: sum(1 for r in rels if r.klass in ks)  # noqa: E731
    dependants = [
        r
        for r in rels
        if not r.relative.is_spouse and r.klass not in (RelativeClass.NONE, RelativeClass.SPECIFIC_RELATIVE)
    ]
    return {
        "specified": klass(RelativeClass.SPECIFIED),
        "elderly": klass(RelativeClass.ELDERLY, RelativeClass.ELDERLY_PARENT),
        "elderly_parent": klass(RelativeClass.ELDERLY_PARENT),
        "other": klass(RelativeClass.GENERAL),
        "under_16": klass(RelativeClass.UNDER_16),
        "disabled_special": sum(1 for r in rels if r.disability_deduction and r.relative.disability == "special"),
        "disabled_special_together": sum(
            1
            for r in rels
            if r.disability_deduction and r.relative.disability == "special" and r.relative.lives_together
        ),
        "disabled_other": sum(1 for r in rels if r.disability_deduction and r.relative.disability == "ordinary"),
        "non_resident": sum(1 for r in dependants if r.relative.non_resident),
    }


def by_municipality(
    results: list[Adjustment], people: list[EmployeeYear], where: dict[str, dict], rules: YearRules
) -> list[dict]:
    """給与支払報告書 総括表 figures per municipality (1 January address)."""
    groups: dict[tuple[str, str], dict] = defaultdict(lambda: {"people": 0, "pay": 0, "tax": 0, "employee_ids": []})
    for result, person in zip(results, people, strict=True):
        if not in_municipal_report(result, person, rules):
            continue
        info = where.get(result.employee_id, {})
        g = groups[(info.get("municipality_code", ""), info.get("municipality", ""))]
        g["people"] += 1
        g["pay"] += result.pay
        g["tax"] += result.annual_tax
        g["employee_ids"].append(result.employee_id)
    return [{"municipality_code": code, "municipality": name, **g} for (code, name), g in sorted(groups.items())]


def tax_office_totals(
    results: list[Adjustment], people: list[EmployeeYear], where: dict[str, dict], rules: YearRules
) -> dict:
    """給与所得の源泉徴収票合計表 (法定調書合計表 ①): all paid, and those whose slips are filed."""

    def block(items):
        items = list(items)
        return {"people": len(items), "pay": sum(r.pay for r in items), "tax": sum(r.annual_tax for r in items)}

    filed = [
        r
        for r, p in zip(results, people, strict=True)
        if files_with_tax_office(r, p, where.get(r.employee_id, {}).get("is_director", False), rules)
    ]
    return {
        "all": block(results),
        "adjusted": block(r for r in results if r.adjusted),
        "not_adjusted": block(r for r in results if not r.adjusted),
        "filed": block(filed),
        "filed_employee_ids": [r.employee_id for r in filed],
        "directors_filed": block(r for r in filed if where.get(r.employee_id, {}).get("is_director")),
    }
