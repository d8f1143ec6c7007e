"""源泉徴収票 (employee copy) PDFs, the 年末調整 list and working sheet, 給与支払報告書 data per
municipality, the 法定調書合計表 figures and summary.json — one staged, owner-only folder.

The employee's copy carries no My Number (番号法 / 所得税法施行規則93条: 受給者交付用には記載しない).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from reportlab.lib.pagesizes import A5, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from addin.outputs.fonts import GOTHIC
from addin.outputs.pool import run_jobs
from addin.outputs.staging import staged_folder, write_private
from addin.outputs.xlsx import new_workbook
from addin.yearend import reports
from addin.yearend.model import Adjustment, EmployeeYear, RelativeClass

ERAS = [(date(2019, 5, 1), "令和", 2018), (date(1989, 1, 8), "平成", 1988), (date(1926, 12, 25), "昭和", 1925)]
PAGE = landscape(A5)


def wareki(day: date | None, with_day: bool = True) -> str:
    if day is None:
        return ""
    for start, era, offset in ERAS:
        if day >= start:
            text = f"{era}{day.year - offset}年"
            return text + (f"{day.month}月{day.day}日" if with_day else "")
    return day.isoformat()


def era_year(year: int) -> str:
    return wareki(date(year, 12, 31), with_day=False)


@dataclass(frozen=True)
class Box:
    key: str
    label: str
    x: float
    y: float  # bottom edge (PDF points from the page bottom)
    w: float
    h: float


def _row(y: float, h: float, cells: list[tuple[str, str, float]], x0: float = 20) -> list[Box]:
    """Boxes left to right on one band; widths are fractions of the printable width."""
    width = PAGE[0] - 2 * x0
    out, x = [], x0
    for key, label, share in cells:
        out.append(Box(key, label, x, y, width * share, h))
        x += width * share
    return out


#: the official form's boxes, top to bottom (令和7年分様式 — 受給者交付用)
BOXES: list[Box] = [
    *_row(
        340,
        30,
        [("address", "支払を受ける者 住所又は居所", 0.55), ("employee_id", "受給者番号", 0.15), ("name", "氏名", 0.30)],
    ),
    *_row(
        305,
        32,
        [
            ("kind", "種別", 0.12),
            ("pay", "支払金額", 0.22),
            ("employment_income", "給与所得控除後の金額（調整控除後）", 0.22),
            ("deductions_total", "所得控除の額の合計額", 0.22),
            ("annual_tax", "源泉徴収税額", 0.22),
        ],
    ),
    *_row(
        273,
        30,
        [
            ("spouse_flag", "(源泉)控除対象配偶者の有無等", 0.16),
            ("spouse_amount", "配偶者(特別)控除の額", 0.16),
            ("dep_specified", "控除対象扶養親族 特定", 0.10),
            ("dep_elderly", "老人(内同居)", 0.11),
            ("dep_other", "その他", 0.09),
            ("under_16", "16歳未満扶養親族", 0.12),
            ("disabled", "障害者の数 特別(内)/その他", 0.16),
            ("non_resident", "非居住者親族", 0.10),
        ],
    ),
    *_row(
        243,
        30,
        [
            ("social_insurance", "社会保険料等の金額（内 小規模企業共済等）", 0.31),
            ("life_insurance", "生命保険料の控除額", 0.23),
            ("earthquake_insurance", "地震保険料の控除額", 0.23),
            ("housing_credit", "住宅借入金等特別控除の額", 0.23),
        ],
    ),
    *_row(203, 40, [("remarks", "（摘要）", 1.0)]),
    *_row(
        173,
        30,
        [
            ("life_new", "新生命保険料の金額", 0.2),
            ("life_old", "旧生命保険料の金額", 0.2),
            ("life_medical", "介護医療保険料の金額", 0.2),
            ("pension_new", "新個人年金保険料の金額", 0.2),
            ("pension_old", "旧個人年金保険料の金額", 0.2),
        ],
    ),
    *_row(
        143,
        30,
        [
            ("housing_available", "住宅借入金等特別控除可能額", 0.18),
            ("old_long_term", "旧長期損害保険料の金額", 0.17),
            ("basic", "基礎控除の額", 0.16),
            ("income_adjustment", "所得金額調整控除額", 0.16),
            ("specific_relative", "特定親族特別控除の額", 0.17),
            ("small_business", "小規模企業共済等掛金", 0.16),
        ],
    ),
    *_row(
        113,
        30,
        [
            ("spouse_name", "(源泉・特別)控除対象配偶者 氏名", 0.3),
            ("dependant_names", "控除対象扶養親族・16歳未満の扶養親族 氏名", 0.7),
        ],
    ),
    *_row(
        83,
        30,
        [
            ("own_status", "本人区分（障害者・寡婦・ひとり親・勤労学生・乙欄・死亡退職）", 0.42),
            ("joined", "中途就職", 0.16),
            ("left", "中途退職", 0.16),
            ("birth", "受給者生年月日", 0.26),
        ],
    ),
    *_row(48, 35, [("payer_address", "支払者 住所（居所）又は所在地", 0.5), ("payer_name", "氏名又は名称", 0.5)]),
]
BOX_OF = {b.key: b for b in BOXES}


def _yen(value: int | None) -> str:
    return "" if value is None else f"{int(value):,}"


def slip_values(result: Adjustment, person: EmployeeYear, where: dict, company: dict) -> dict[str, str]:
    """What each box shows. Not adjusted: 給与所得控除後 and 所得控除 blank, tax = what was withheld."""
    fig = result.figures() if result.adjusted else {}
    n = reports.counts(result) if result.adjusted else {}
    spouse = next((r for r in result.relatives if r.relative.is_spouse), None)
    spouse_amount = fig.get("spouse", 0) + fig.get("spouse_special", 0)
    p, s = person.premiums, person.status
    remarks = []
    if person.previous:
        prev = person.previous
        remarks.append(
            f"前職 {prev.name} 支払金額{prev.pay:,}円 源泉徴収税額{prev.tax:,}円 社会保険料{prev.social_insurance:,}円"
            + (f" {wareki(prev.left_on)}退職" if prev.left_on else "")
        )
    if not result.adjusted:
        remarks.append(f"年末調整未済（{result.reason}）")
    flags = [
        w
        for w, on in (
            ("特別障害者", s.disability == "special"),
            ("その他障害者", s.disability == "ordinary"),
            ("寡婦", fig.get("widow", 0) > 0),
            ("ひとり親", fig.get("single_parent", 0) > 0),
            ("勤労学生", fig.get("working_student", 0) > 0),
            ("乙欄", person.tax_column != "甲"),
            ("死亡退職", person.leave_reason == "death"),
        )
        if on
    ]
    year_of = lambda d: d if d is not None and d.year == person.year else None  # noqa: E731
    names = [
        f"{r.relative.name}（{r.klass.value}）"
        for r in result.relatives
        if not r.relative.is_spouse and r.klass not in (RelativeClass.NONE,)
    ]
    social_text = _yen(result.social_insurance) + (f"（内 {result.small_business:,}）" if result.small_business else "")
    return {
        "address": str(where.get("municipality") or ""),
        "employee_id": result.employee_id,
        "name": f"{result.name} 様",
        "kind": "給料・賞与",
        "pay": _yen(result.pay),
        "employment_income": _yen(fig.get("employment_income")),
        "deductions_total": _yen(fig.get("deductions_total")),
        "annual_tax": _yen(result.annual_tax),
        "spouse_flag": ("有" + ("（老人）" if spouse and spouse.age >= 70 else "")) if spouse_amount else "",
        "spouse_amount": _yen(spouse_amount) if spouse_amount else "",
        "dep_specified": str(n.get("specified", "")),
        "dep_elderly": f"{n['elderly']}（{n['elderly_parent']}）" if n else "",
        "dep_other": str(n.get("other", "")),
        "under_16": str(n.get("under_16", "")),
        "disabled": f"{n['disabled_special']}（{n['disabled_special_together']}）/{n['disabled_other']}" if n else "",
        "non_resident": str(n.get("non_resident", "")),
        "social_insurance": social_text if result.adjusted else "",
        "life_insurance": _yen(fig.get("life_insurance")) if fig.get("life_insurance") else "",
        "earthquake_insurance": _yen(fig.get("earthquake_insurance")) if fig.get("earthquake_insurance") else "",
        "housing_credit": _yen(fig.get("housing_credit")) if fig.get("housing_credit") else "",
        "remarks": " / ".join(remarks),
        "life_new": _yen(p.life_general_new) if p.life_general_new else "",
        "life_old": _yen(p.life_general_old) if p.life_general_old else "",
        "life_medical": _yen(p.life_medical) if p.life_medical else "",
        "pension_new": _yen(p.life_pension_new) if p.life_pension_new else "",
        "pension_old": _yen(p.life_pension_old) if p.life_pension_old else "",
        "housing_available": _yen(fig.get("housing_credit_available")) if fig.get("housing_credit_available") else "",
        "old_long_term": _yen(p.old_long_term) if p.old_long_term else "",
        "basic": _yen(fig.get("basic")),
        "income_adjustment": _yen(fig.get("income_adjustment")) if fig.get("income_adjustment") else "",
        "specific_relative": _yen(fig.get("specific_relative")) if fig.get("specific_relative") else "",
        "small_business": _yen(result.small_business) if result.small_business else "",
        "spouse_name": spouse.relative.name if spouse and spouse_amount else "",
        "dependant_names": "、".join(names),
        "own_status": "・".join(flags),
        "joined": wareki(year_of(person.hire_date)),
        "left": wareki(year_of(person.leave_date)),
        "birth": wareki(person.birth_date),
        "payer_address": str(company.get("address", "")),
        "payer_name": str(company.get("name", "")),
    }


def _fit(text: str, width: float, size: float) -> float:
    """The largest size ≤ `size` (and ≥ 5 pt) at which `text` fits `width`."""
    natural = stringWidth(text, GOTHIC, size)
    return size if natural <= width else max(5.0, size * width / natural)


#: label sizes are the same on every slip: computed once
LABEL_SIZE = {b.key: _fit(b.label, b.w - 4, 5.5) for b in BOXES}


def _draw_frame(pdf: Canvas) -> None:
    """The form itself: the boxes and their printed labels, the same on every slip."""
    pdf.setLineWidth(0.6)
    for box in BOXES:
        pdf.rect(box.x, box.y, box.w, box.h)
        pdf.setFont(GOTHIC, LABEL_SIZE[box.key])
        pdf.drawString(box.x + 2, box.y + box.h - 7, box.label)
    pdf.setFont(GOTHIC, 7)
    pdf.drawRightString(PAGE[0] - 20, PAGE[1] - 34, "（受給者交付用・個人番号は記載しません）")


def _frame_operators() -> list[str]:
    """The frame's page operators, drawn once per process on a scratch canvas: formatting ~500
    coordinates per slip would otherwise cost more than everything else (slips ≥ 300/s)."""
    scratch = Canvas(io.BytesIO(), pagesize=PAGE, invariant=1)
    scratch.setFont(GOTHIC, 14)  # the same first font as every slip: the same internal font name
    start = len(scratch._code)
    _draw_frame(scratch)
    return scratch._code[start:]


FRAME_OPERATORS = _frame_operators()


def slip_pdf(result: Adjustment, person: EmployeeYear, where: dict, company: dict) -> bytes:
    buffer = io.BytesIO()
    width, height = PAGE
    # uncompressed: reportlab's pure-Python ASCII85 step costs more than the page is worth (≥ 300/s)
    pdf = Canvas(buffer, pagesize=PAGE, invariant=1, pageCompression=0)
    year = era_year(person.year)
    pdf.setTitle(f"{year}分 給与所得の源泉徴収票 {result.employee_id}")
    pdf.setFont(GOTHIC, 14)
    pdf.drawCentredString(width / 2, height - 34, f"{year}分　給与所得の源泉徴収票")
    pdf._code.extend(FRAME_OPERATORS)
    for key, text in slip_values(result, person, where, company).items():
        if not text:
            continue
        box = BOX_OF[key]
        pdf.setFont(GOTHIC, _fit(text, box.w - 6, 9))
        if text[0].isdigit():
            pdf.drawRightString(box.x + box.w - 3, box.y + 5, text)
        else:
            pdf.drawString(box.x + 3, box.y + 5, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def statement_pdf(result: Adjustment, company: dict) -> bytes:
    """年末調整計算書 for one employee: every figure with the rule behind it, the relatives' classes on
    31 December and how the difference is settled in the last pay — checkable line by line."""
    from reportlab.lib.pagesizes import A4

    buffer = io.BytesIO()
    width, height = A4
    pdf = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=0)
    pdf.setTitle(f"{era_year(result.year)}分 年末調整計算書 {result.employee_id}")
    pdf.setFont(GOTHIC, 14)
    pdf.drawString(40, height - 50, f"{era_year(result.year)}分　年末調整計算書")
    pdf.setFont(GOTHIC, 10)
    pdf.drawString(40, height - 68, f"{result.employee_id}　{result.name} 様")
    pdf.drawRightString(width - 40, height - 50, str(company.get("name", "")))
    y = height - 95
    rows = [(line.label_ja, f"{line.amount:,}", line.basis) for line in result.lines]
    rows += [
        (f"親族 {r.relative.name}（12月31日 {r.age}歳）", f"{r.deduction + r.disability_deduction:,}", r.klass.value)
        for r in result.relatives
    ]
    s = result.settlement
    if s is not None:
        rows += [
            (
                "最終支給での還付額",
                f"{s.refund_paid:,}",
                f"超過額 {s.excess:,} − 最終支給の税額への充当 {s.offset_against_last_pay_tax:,}",
            ),
            (
                "最終支給での徴収額",
                f"{s.collected:,}",
                f"繰延可: 1月 {s.deferred_january:,} / 2月 {s.deferred_february:,}" if s.deferrable else "",
            ),
        ]
    if not result.adjusted:
        rows = [
            ("年末調整対象外", "", result.reason),
            ("支払金額", f"{result.pay:,}", ""),
            ("源泉徴収税額", f"{result.withheld:,}", "本年中に徴収した額"),
        ]
    for label, amount, basis in rows:
        pdf.setFont(GOTHIC, _fit(label, 200, 9))
        pdf.drawString(40, y, label)
        pdf.setFont(GOTHIC, 9)
        pdf.drawRightString(330, y, amount)
        pdf.setFont(GOTHIC, _fit(basis, width - 385, 6.5))
        pdf.drawString(345, y, basis)
        pdf.setLineWidth(0.3)
        pdf.line(40, y - 4, width - 40, y - 4)
        y -= 17
        if y < 50:
            pdf.showPage()
            y = height - 50
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# --- the list, the working sheet, the municipal and tax-office figures ------------------------------
LIST_COLUMNS = [
    ("社員番号", "employee_id"),
    ("氏名", "name"),
    ("年末調整", "adjusted"),
    ("対象外の理由", "reason"),
    ("支払金額", "pay"),
    ("給与所得控除後の金額", "employment_income"),
    ("所得控除の額の合計額", "deductions_total"),
    ("課税給与所得金額", "taxable_income"),
    ("算出所得税額", "computed_tax"),
    ("住宅借入金等特別控除", "housing_credit"),
    ("年調年税額", "annual_tax"),
    ("源泉徴収税額", "withheld"),
    ("超過額(還付)", "excess"),
    ("不足額(徴収)", "shortfall"),
    ("還付額", "refund_paid"),
    ("徴収額", "collected"),
    ("税務署提出", "file_with_tax_office"),
    ("市区町村", "municipality"),
]


def employee_records(run) -> list[dict]:
    out = []
    for result, person in zip(run.adjustments, run.people, strict=True):
        where = run.details.get(result.employee_id, {})
        s = result.settlement
        fig = result.figures()
        out.append(
            {
                "employee_id": result.employee_id,
                "name": result.name,
                "adjusted": result.adjusted,
                "reason": result.reason,
                "pay": result.pay,
                "withheld": result.withheld,
                "social_insurance": result.social_insurance,
                "employment_income": fig.get("employment_income"),
                "deductions_total": fig.get("deductions_total"),
                "taxable_income": fig.get("taxable_income"),
                "computed_tax": fig.get("computed_tax"),
                "housing_credit": fig.get("housing_credit"),
                "annual_tax": result.annual_tax,
                "difference": fig.get("difference", 0),
                "excess": s.excess if s else 0,
                "shortfall": s.shortfall if s else 0,
                "refund_paid": s.refund_paid if s else 0,
                "collected": s.collected if s else 0,
                "offset_against_last_pay_tax": s.offset_against_last_pay_tax if s else 0,
                "deferrable": bool(s and s.deferrable),
                "deferred_january": s.deferred_january if s else 0,
                "deferred_february": s.deferred_february if s else 0,
                "last_pay_date": max(p.pay_date for p in person.payments).isoformat() if person.payments else None,
                "file_with_tax_office": reports.files_with_tax_office(
                    result, person, where.get("is_director", False), run.rules
                ),
                "municipality": where.get("municipality", ""),
                "municipality_code": where.get("municipality_code", ""),
                "figures": fig,
                "relatives": [
                    {
                        "name": r.relative.name,
                        "relationship": r.relative.relationship,
                        "age_on_31_december": r.age,
                        "class": r.klass.value,
                        "deduction": r.deduction,
                        "disability_deduction": r.disability_deduction,
                    }
                    for r in result.relatives
                ],
            }
        )
    return out


def summary_of(run, records: list[dict]) -> dict:
    totals = {
        k: sum(r[k] or 0 for r in records)
        for k in ("pay", "withheld", "annual_tax", "excess", "shortfall", "refund_paid", "collected")
    }
    totals["annual_tax_adjusted"] = sum(r["annual_tax"] for r in records if r["adjusted"])
    return {
        "year": run.year,
        "employees": records,
        "totals": totals,
        "remittance": asdict(reports.remittance(run.people, run.adjustments)),
        "tax_office": reports.tax_office_totals(run.adjustments, run.people, run.details, run.rules),
        "municipalities": reports.by_municipality(run.adjustments, run.people, run.details, run.rules),
    }


def write_list_book(path: Path, run, records: list[dict], summary: dict) -> Path:
    wb = new_workbook(path, title=f"{run.year}年分 年末調整")
    head = wb.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1, "text_wrap": True})
    money = wb.add_format({"num_format": "#,##0"})
    ws = wb.add_worksheet("年末調整一覧")
    for c, (label, _) in enumerate(LIST_COLUMNS):
        ws.write_string(0, c, label, head)
    for r, rec in enumerate(records, start=1):
        for c, (_, key) in enumerate(LIST_COLUMNS):
            value = rec.get(key)
            if isinstance(value, bool):
                ws.write_string(r, c, "〇" if value else "×")
            elif isinstance(value, int):
                ws.write_number(r, c, value, money)
            else:
                ws.write_string(r, c, "" if value is None else str(value))
    ws.freeze_panes(1, 2)
    ws.set_column(0, len(LIST_COLUMNS), 13)
    sheet = wb.add_worksheet("年末調整計算書")
    for c, label in enumerate(["社員番号", "氏名", "項目", "Item", "金額", "根拠"]):
        sheet.write_string(0, c, label, head)
    r = 1
    for result in run.adjustments:
        for line in result.lines or []:
            for c, value in enumerate([result.employee_id, result.name, line.label_ja, line.label_en]):
                sheet.write_string(r, c, value)
            sheet.write_number(r, 4, line.amount, money)
            sheet.write_string(r, 5, line.basis)
            r += 1
        for rel in result.relatives:  # each person's class on 31 December, so it can be checked by hand
            sheet.write_row(
                r,
                0,
                [
                    result.employee_id,
                    result.name,
                    f"親族 {rel.relative.name}（12月31日 {rel.age}歳）",
                    f"relative: {rel.klass.name.lower()}",
                ],
            )
            sheet.write_number(r, 4, rel.deduction + rel.disability_deduction, money)
            sheet.write_string(
                r,
                5,
                rel.klass.value + (f"・障害者控除 {rel.disability_deduction:,}" if rel.disability_deduction else ""),
            )
            r += 1
        if not result.adjusted:
            sheet.write_row(
                r, 0, [result.employee_id, result.name, "年末調整対象外", "not adjusted", "", result.reason]
            )
            r += 1
    sheet.set_column(0, 1, 12)
    sheet.set_column(2, 3, 30)
    sheet.set_column(4, 4, 12)
    sheet.set_column(5, 5, 60)
    settle = wb.add_worksheet("最終支給での精算")
    heads = [
        "社員番号",
        "氏名",
        "精算する支給日",
        "超過額",
        "うち最終支給の税額に充当",
        "還付額（年調過不足 +）",
        "不足額",
        "徴収額（年調過不足 −）",
        "繰延可（70%基準）",
        "1月徴収",
        "2月徴収",
    ]
    for c, label in enumerate(heads):
        settle.write_string(0, c, label, head)
    for r, rec in enumerate((x for x in records if x["adjusted"]), start=1):
        settle.write_row(r, 0, [rec["employee_id"], rec["name"], rec["last_pay_date"] or ""])
        for c, key in enumerate(
            ["excess", "offset_against_last_pay_tax", "refund_paid", "shortfall", "collected"], start=3
        ):
            settle.write_number(r, c, rec[key], money)
        settle.write_string(r, 8, "〇" if rec["deferrable"] else "")
        settle.write_number(r, 9, rec["deferred_january"], money)
        settle.write_number(r, 10, rec["deferred_february"], money)
    settle.set_column(0, len(heads), 14)
    muni = wb.add_worksheet("給与支払報告書 総括")
    for c, label in enumerate(["市区町村コード", "市区町村", "人数", "支払金額", "源泉徴収税額"]):
        muni.write_string(0, c, label, head)
    for r, g in enumerate(summary["municipalities"], start=1):
        muni.write_row(r, 0, [g["municipality_code"], g["municipality"]])
        for c, key in enumerate(["people", "pay", "tax"], start=2):
            muni.write_number(r, c, g[key], money)
    office = wb.add_worksheet("法定調書合計表")
    for c, label in enumerate(["区分", "人員", "支払金額", "源泉徴収税額"]):
        office.write_string(0, c, label, head)
    names = {
        "all": "支払総額（全員）",
        "adjusted": "年末調整をしたもの",
        "not_adjusted": "年末調整をしなかったもの",
        "filed": "源泉徴収票を提出するもの",
        "directors_filed": "うち役員",
    }
    for r, (key, label) in enumerate(names.items(), start=1):
        block = summary["tax_office"][key]
        office.write_string(r, 0, label)
        for c, k in enumerate(["people", "pay", "tax"], start=1):
            office.write_number(r, c, block[k], money)
    rem = summary["remittance"]
    pay = wb.add_worksheet("納付書")
    rows = [
        ("納付月（支払月）", rem["month"]),
        ("本月の源泉徴収税額", rem["withheld"]),
        ("年末調整による不足額徴収", rem["shortfalls_collected"]),
        ("年末調整による超過額還付", rem["refunds"]),
        ("納付税額", rem["payable"]),
        ("翌月以降に繰り越す還付額", rem["carried_forward"]),
    ]
    for r, (label, value) in enumerate(rows):
        pay.write_string(r, 0, label, head)
        pay.write(r, 1, value, money)
    pay.set_column(0, 0, 28)
    wb.close()
    return path


MUNICIPAL_FIELDS = [
    "employee_id",
    "name",
    "pay",
    "employment_income",
    "deductions_total",
    "annual_tax",
    "social_insurance",
    "adjusted",
    "reason",
]


def municipal_csv(records: list[dict]) -> bytes:
    """個人別明細 data for one municipality, UTF-8 with BOM so Excel opens it in Japanese."""
    out = io.StringIO()
    writer = csv.DictWriter(out, MUNICIPAL_FIELDS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for rec in records:
        writer.writerow({k: ("" if rec.get(k) is None else rec.get(k)) for k in MUNICIPAL_FIELDS})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_document(job: tuple) -> Path:
    """One owner-only PDF (a 源泉徴収票 or a 年末調整計算書): a job of the document pool."""
    path, render, args = job
    return write_private(path, render(*args))


def document_jobs(folder: Path, run, company: dict) -> list[tuple]:
    """Every employee's 源泉徴収票 under slips/, then every 年末調整計算書 under statements/."""
    slips = [
        (
            folder / "slips" / f"{result.employee_id}.pdf",
            slip_pdf,
            (result, person, run.details.get(result.employee_id, {}), company),
        )
        for result, person in zip(run.adjustments, run.people, strict=True)
    ]
    statements = [
        (folder / "statements" / f"{result.employee_id}.pdf", statement_pdf, (result, company))
        for result in run.adjustments
    ]
    return slips + statements


def write_nencho_outputs(folder: Path, run, company: dict, progress: Callable[[str], None] | None = None) -> list[Path]:
    """All files in one staged, owner-only folder (pay, tax and family data are inside); the PDFs on
    every core when there are many (addin/outputs/pool.py)."""
    records = employee_records(run)
    summary = summary_of(run, records)
    by_id = {r["employee_id"]: r for r in records}
    with staged_folder(folder, private=True) as tmp:
        (tmp / "slips").mkdir(mode=0o700)
        (tmp / "statements").mkdir(mode=0o700)
        run_jobs(
            write_document, document_jobs(tmp, run, company), progress=progress, stage="源泉徴収票, 年末調整計算書"
        )
        municipal = tmp / "municipal"
        municipal.mkdir(mode=0o700)
        for group in summary["municipalities"]:
            name = f"{group['municipality_code'] or 'nocode'}_{group['municipality']}".replace("/", "_")
            write_private(municipal / f"{name}.csv", municipal_csv([by_id[e] for e in group["employee_ids"]]))
        book = write_list_book(tmp / "nencho.xlsx", run, records, summary)
        book.chmod(0o600)
        write_private(tmp / "summary.json", json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8"))
    return [
        folder / "summary.json",
        folder / "nencho.xlsx",
        folder / "slips",
        folder / "statements",
        folder / "municipal",
    ]
