"""The 年末調整 settlement in the last pay of the year: which pay settles, the refund, the collection,
the deferred shortfall and the employee not adjusted — hand-worked on a small company whose recorded
adjustment (out/nencho/2025/summary.json) is written here — then the demo's December 2025 pay."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from addin.cli.main import main
from addin.outputs.payslip import slip_lines
from addin.outputs.zengin import read_trailer
from addin.payroll.items import MONTHLY, Group
from addin.payroll.settlement import Due, deferred_year, due_at_settlement, settled_year, with_settlement
from addin.services.company import load_company
from addin.services.payroll import run_payroll
from tests.payroll_helpers import company_with, person

NOVEMBER, DECEMBER, JANUARY = date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)
PAID_DEC = "2025-12-25"  # work month 2025-11, 月末締め翌月25日払い


# --- which pay settles, and what is due: pure ------------------------------------------------------
def test_the_last_pay_of_the_year_settles_it():
    # 翌月払い: November's work is paid 25 Dec, December's on 23 Jan (25th a Sunday) — November settles 2025
    assert settled_year(NOVEMBER, date(2025, 12, 25), date(2026, 1, 23), None) == 2025
    assert settled_year(date(2025, 10, 1), date(2025, 11, 25), date(2025, 12, 25), None) is None
    # 当月払い: December's own pay is the last
    assert settled_year(DECEMBER, date(2025, 12, 25), date(2026, 1, 23), None) == 2025
    # a setting names the work month: 12 settles 2025 in the January pay (翌年1月精算), 11 then does not
    assert settled_year(DECEMBER, date(2026, 1, 23), date(2026, 2, 25), 12) == 2025
    assert settled_year(NOVEMBER, date(2025, 12, 25), date(2026, 1, 23), 12) is None
    assert deferred_year(date(2026, 1, 23)) == (2025, "deferred_january")
    assert deferred_year(date(2026, 2, 25)) == (2025, "deferred_february")
    assert deferred_year(date(2026, 3, 25)) is None


# NTA 令和8年分 設例 (test_vectors_year.csv #2): 超過 25,745, of which 6,963 set against the last pay's own
# tax (省略しない) and 18,782 refunded. This pay withholds its tax, so it refunds the whole 25,745: the
# same net, and the month's withholding untouched.
REFUND = {
    "employee_id": "E1",
    "adjusted": True,
    "excess": 25_745,
    "shortfall": 0,
    "refund_paid": 18_782,
    "offset_against_last_pay_tax": 6_963,
    "collected": 0,
    "deferrable": False,
    "deferred_january": 0,
    "deferred_february": 0,
    "last_pay_date": PAID_DEC,
}
# keiri 不足 example (#3): 不足 47,500; deferrable, halves 23,750 / 23,750 (January rounded up)
COLLECTION = {
    "employee_id": "E2",
    "adjusted": True,
    "excess": 0,
    "shortfall": 47_500,
    "refund_paid": 0,
    "offset_against_last_pay_tax": 0,
    "collected": 47_500,
    "deferrable": True,
    "deferred_january": 23_750,
    "deferred_february": 23_750,
    "last_pay_date": PAID_DEC,
}
NOT_ADJUSTED = {
    "employee_id": "E3",
    "adjusted": False,
    "reason": "乙欄（扶養控除等申告書の提出なし）",
    "excess": 0,
    "shortfall": 0,
    "refund_paid": 0,
    "offset_against_last_pay_tax": 0,
    "collected": 0,
    "deferrable": False,
    "deferred_january": 0,
    "deferred_february": 0,
    "last_pay_date": PAID_DEC,
}


def test_what_the_settling_pay_carries():
    assert due_at_settlement(REFUND, defer=False) == Due(25_745, 0)
    assert due_at_settlement(COLLECTION, defer=False) == Due(0, 47_500)
    assert due_at_settlement(COLLECTION, defer=True) == Due(0, 0)  # January and February instead
    assert due_at_settlement({**COLLECTION, "deferrable": False}, defer=True) == Due(0, 47_500)
    assert due_at_settlement(NOT_ADJUSTED, defer=False) == Due()


def test_the_settlement_moves_net_pay_and_nothing_else():
    deductions = MONTHLY.fields(Group.DEDUCTION, columns=())
    frame = pd.DataFrame(
        {
            "employee_id": ["E1", "E2", "E3"],
            "gross_pay": [300_000, 400_000, 100_000],
            **{k: [1_000, 2_000, 3_000] for k in deductions},
        }
    )
    frame["total_deductions"] = MONTHLY.total_deductions(frame)
    frame["net_pay"] = frame["gross_pay"] - frame["total_deductions"]
    after = with_settlement(frame, {"E1": Due(25_745, 0), "E2": Due(0, 47_500)})
    assert after["total_deductions"].tolist() == [7_000 - 25_745, 14_000 + 47_500, 21_000]
    assert after["net_pay"].tolist() == [293_000 + 25_745, 386_000 - 47_500, 79_000]
    assert after["withholding_tax"].tolist() == frame["withholding_tax"].tolist()
    assert after["year_end_refund"].tolist() == [25_745, 0, 0]
    assert after["year_end_collection"].tolist() == [0, 47_500, 0]
    # the slip: the refund as a negative deduction, the collection as a deduction, nothing when 0
    slip = {
        r["employee_id"]: slip_lines(
            {
                **{
                    k: 0
                    for k in (
                        "base_pay",
                        "absence_deduction",
                        "taxable_allowances",
                        "nontaxable_allowances",
                        "overtime_pay",
                        "holiday_pay",
                        "late_night_pay",
                        "commute_allowance",
                    )
                },
                **r,
            }
        )["控除"]
        for r in after.to_dict("records")
    }
    assert ("年末調整還付", "-25,745") in slip["E1"] and ("控除合計", "-18,745") in slip["E1"]
    assert ("年末調整徴収", "47,500") in slip["E2"] and not any("年末調整" in label for label, _ in slip["E3"])


# --- a small company, end to end -----------------------------------------------------------------
def _company(root: Path, settings: str = ""):
    staff = [
        person(employee_id="E1"),
        person(employee_id="E2", base_salary=400_000, standard_monthly_remuneration=410_000),
        person(employee_id="E3", tax_column="乙", base_salary=100_000, standard_monthly_remuneration=98_000),
    ]
    company_with(root, staff)
    if settings:
        toml = root / "backoffice.toml"
        text = toml.read_text(encoding="utf-8").replace("[payroll]\n", "[payroll]\n" + settings)
        toml.write_text(text, encoding="utf-8")
    return load_company(root)


def _record(root: Path, *lines: dict) -> None:
    folder = root / "out" / "nencho" / "2025"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps({"year": 2025, "employees": list(lines)}), encoding="utf-8")


def _summary(root: Path, month: date) -> dict:
    return json.loads((root / "out" / "payroll" / f"{month:%Y-%m}" / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def settled(tmp_path_factory):
    """The same December pay without an adjustment recorded, then with one."""
    root = tmp_path_factory.mktemp("settle") / "company"
    company = _company(root)
    before = run_payroll(company, NOVEMBER)
    plain = _summary(root, NOVEMBER)
    _record(root, REFUND, COLLECTION, NOT_ADJUSTED)
    after = run_payroll(company, NOVEMBER)
    return root, before, plain, after


def test_without_an_adjustment_the_pay_says_so_and_pays_without_it(settled):
    root, before, plain, _ = settled
    assert before.exit_code == 0
    assert [i.code for i in before.issues] == ["no_year_end_adjustment"]
    assert "2025年分の年末調整がありません" in before.issues[0].message_ja
    assert plain["pay_date"] == PAID_DEC and "year_end_refund" not in plain["employees"][0]


def test_refund_collection_and_not_adjusted_in_the_december_pay(settled):
    root, _, plain, after = settled
    assert after.exit_code == 0 and after.issues == []
    was = {e["employee_id"]: e for e in plain["employees"]}
    now = {e["employee_id"]: e for e in _summary(root, NOVEMBER)["employees"]}
    for e, refund, collection in (("E1", 25_745, 0), ("E2", 0, 47_500), ("E3", 0, 0)):
        assert (now[e]["year_end_refund"], now[e]["year_end_collection"]) == (refund, collection)
        assert now[e]["net_pay"] == was[e]["net_pay"] + refund - collection
        assert now[e]["total_deductions"] == was[e]["total_deductions"] - refund + collection
        # the month's own figures are untouched
        for key in ("withholding_tax", "gross_pay", "taxable_amount", "social_insurance", "resident_tax"):
            assert now[e][key] == was[e][key], (e, key)
    summary = _summary(root, NOVEMBER)
    assert list(summary["employees"][0])[-2:] == ["year_end_refund", "year_end_collection"]
    assert summary["totals"]["year_end_refund"] == 25_745 and summary["totals"]["year_end_collection"] == 47_500
    folder = root / "out" / "payroll" / "2025-11"
    count, total = read_trailer(next(folder.glob("zengin_*.txt")).read_bytes())
    assert total == sum(e["net_pay"] for e in now.values()) == summary["zengin"]["total"]


def test_the_register_and_the_slips_show_the_settlement(settled):
    folder = settled[0] / "out" / "payroll" / "2025-11"
    rows = list(
        openpyxl.load_workbook(folder / "register.xlsx", read_only=True)["賃金台帳"].iter_rows(values_only=True)
    )
    head = list(rows[2])
    assert head[head.index("住民税") + 1 : head.index("住民税") + 4] == ["年末調整還付", "年末調整徴収", "控除合計"]
    by_id = {r[0]: r for r in rows[3:6]}
    assert by_id["E1"][head.index("年末調整還付")] == 25_745 and by_id["E2"][head.index("年末調整徴収")] == 47_500
    assert rows[6][0] == "合計"
    text = PdfReader(folder / "payslips" / "E1.pdf").pages[0].extract_text()
    assert "年末調整還付" in text and "-25,745" in text
    assert "年末調整徴収" in PdfReader(folder / "payslips" / "E2.pdf").pages[0].extract_text()
    assert "年末調整" not in PdfReader(folder / "payslips" / "E3.pdf").pages[0].extract_text()
    sheet = openpyxl.load_workbook(folder / "payslips.xlsx", read_only=True)["E2"]
    assert ("年末調整徴収", "47,500") in [(r[6], r[7]) for r in sheet.iter_rows(values_only=True) if len(r) > 7]


def test_a_deferred_shortfall_is_collected_in_january_and_february(tmp_path):
    company = _company(tmp_path, "year_end_deferral = true\n")
    _record(tmp_path, REFUND, COLLECTION, NOT_ADJUSTED)
    assert run_payroll(company, NOVEMBER).exit_code == 0
    december = {e["employee_id"]: e for e in _summary(tmp_path, NOVEMBER)["employees"]}
    assert december["E2"]["year_end_collection"] == 0 and december["E1"]["year_end_refund"] == 25_745
    for month, half in ((DECEMBER, 23_750), (JANUARY, 23_750)):
        run = run_payroll(company, month)
        assert run.exit_code == 0, [i.message_en for i in run.issues]
        line = {e["employee_id"]: e for e in _summary(tmp_path, month)["employees"]}
        assert (line["E2"]["year_end_collection"], line["E1"]["year_end_collection"]) == (half, 0)
        assert line["E2"]["net_pay"] == line["E2"]["gross_pay"] - line["E2"]["total_deductions"]
    assert run_payroll(company, date(2025, 10, 1)).exit_code == 0  # any other month: no settlement lines
    assert "year_end_collection" not in _summary(tmp_path, date(2025, 10, 1))["employees"][0]


def test_a_january_settlement_is_not_deferred(tmp_path):
    company = _company(tmp_path, "year_end_settlement_month = 12\nyear_end_deferral = true\n")
    _record(tmp_path, *({**r, "last_pay_date": "2026-01-23"} for r in (REFUND, COLLECTION, NOT_ADJUSTED)))
    november = run_payroll(company, NOVEMBER)
    assert november.exit_code == 0 and november.issues == []  # not the settling pay any more
    assert run_payroll(company, DECEMBER).exit_code == 0  # paid 2026-01-23: settles 2025
    line = {e["employee_id"]: e for e in _summary(tmp_path, DECEMBER)["employees"]}
    assert (line["E1"]["year_end_refund"], line["E2"]["year_end_collection"]) == (25_745, 47_500)
    assert run_payroll(company, JANUARY).exit_code == 0  # February: no half to collect
    assert "year_end_collection" not in _summary(tmp_path, JANUARY)["employees"][0]


def test_an_adjustment_that_did_not_see_this_pay_stops_it(tmp_path):
    company = _company(tmp_path)
    _record(tmp_path, {**REFUND, "last_pay_date": "2025-11-25"}, COLLECTION, NOT_ADJUSTED)
    run = run_payroll(company, NOVEMBER)
    assert run.exit_code == 1 and [i.code for i in run.issues] == ["nencho_out_of_date"]
    assert "E1" in run.issues[0].message_ja and "nencho --year 2025" in run.issues[0].message_en
    assert not (tmp_path / "out" / "payroll" / "2025-11").exists()


def test_someone_adjusted_but_not_in_this_pay_is_said(tmp_path):
    company = _company(tmp_path)
    gone = {**REFUND, "employee_id": "E9", "last_pay_date": "2025-08-25"}
    _record(tmp_path, REFUND, COLLECTION, NOT_ADJUSTED, gone)
    run = run_payroll(company, NOVEMBER)
    assert run.exit_code == 0 and [i.code for i in run.issues] == ["year_end_not_in_this_pay"]
    assert run.issues[0].value == "E9"


# --- the demo's December 2025 pay ------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_december(tmp_path_factory, demo_template):
    root = tmp_path_factory.mktemp("demo-settle") / "company"
    shutil.copytree(demo_template, root)
    assert main(["payroll", str(root), "--month", "2025-11", "--close"]) == 0  # closed before the adjustment
    closed = _summary(root, NOVEMBER)
    assert main(["nencho", str(root), "--year", "2025"]) == 0
    compared = run_payroll(load_company(root), NOVEMBER)
    assert main(["payroll", str(root), "--month", "2025-11", "--reopen", "--reason", "年末調整の精算を含める"]) == 0
    assert main(["payroll", str(root), "--month", "2025-11"]) == 0
    return root, closed, compared


def test_a_closed_december_is_compared_not_rewritten(demo_december):
    root, closed, compared = demo_december
    assert compared.exit_code == 1 and compared.closed is not None and compared.written == []
    codes = {(i.code, i.field) for i in compared.issues}
    assert ("closed_period_differs", "net_pay") in codes  # the settlement would change what was paid: said
    assert ("closed_outputs_changed", "") not in codes  # and the closed outputs were left as they were


def test_the_demo_december_pay_carries_the_settlement(demo_december):
    root, closed, _ = demo_december
    summary = _summary(root, NOVEMBER)
    nencho = json.loads((root / "out" / "nencho" / "2025" / "summary.json").read_text(encoding="utf-8"))
    assert summary["pay_date"] == PAID_DEC
    totals = summary["totals"]
    assert totals["year_end_refund"] == nencho["totals"]["excess"] == nencho["totals"]["refund_paid"] > 0
    assert totals["year_end_collection"] == nencho["totals"]["collected"] > 0
    was = {e["employee_id"]: e for e in closed["employees"]}
    for e in summary["employees"]:
        before = was[e["employee_id"]]
        assert e["withholding_tax"] == before["withholding_tax"]
        assert e["net_pay"] == before["net_pay"] + e["year_end_refund"] - e["year_end_collection"]
    # the year's withheld tax after the settlement is the year's tax of everyone adjusted
    people = {e["employee_id"]: e for e in nencho["employees"]}
    for e in summary["employees"]:
        p = people[e["employee_id"]]
        assert p["withheld"] - e["year_end_refund"] + e["year_end_collection"] == p["annual_tax"]
    assert np.int64(summary["zengin"]["total"]) == sum(e["net_pay"] for e in summary["employees"] if e["net_pay"] > 0)
