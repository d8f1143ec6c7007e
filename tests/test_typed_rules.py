"""Rule entries are typed: a word the product does not understand is refused at load, naming the file
and the line; and the change stories of README's "where to change what" each take one company file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import get_args

import pytest

from addin.rulebook import RulesFileError, load_rulebook
from addin.services.company import load_company
from addin.stock.payments import transfer_fee
from addin.validate import Reporter, SchemaError, check_sheet
from addin.validate.checks import DIGIT_CHECKS
from addin.validate.cross import CROSS_RULES
from addin.validate.rows import ROW_RULES
from addin.validate.schema import CHECKS, CROSS_RULE_TYPES, ROW_RULE_TYPES, Rule
from addin.workbook import CalamineBook
from tests.conftest import write_sheet
from tests.test_validation_rules import GOOD_STAFF


def company_with(tmp_path: Path, text: str, name: str = "ours.yaml") -> Path:
    """A company folder whose DIR/rules/<name> holds `text` (no workbooks: only the rules are loaded)."""
    (tmp_path / "rules").mkdir(parents=True, exist_ok=True)
    (tmp_path / "rules" / name).write_text(text, encoding="utf-8")
    return tmp_path


def refusal(tmp_path: Path, text: str, error: type[Exception]) -> str:
    company_with(tmp_path, text)
    with pytest.raises(error) as refused:
        load_company(tmp_path)
    return str(refused.value)


STAFF_RULE = """\
# a company's own rule on its staff sheet
workbooks:
  staff:
    sheets:
      staff:
        rules:
          - {check: %s}
"""


# --- refusals: each names the file and the line -------------------------------------------------------


def test_a_misspelt_check_fails_at_load_naming_file_and_line(tmp_path):
    message = refusal(tmp_path, STAFF_RULE % "date_ordr, earlier: hire_date, later: leave_date", SchemaError)
    assert f"{tmp_path / 'rules' / 'ours.yaml'}:7:" in message
    assert "unknown check 'date_ordr'" in message and "date_order" in message  # and what it could have been


def test_a_misspelt_key_of_a_rule_fails_at_load_naming_file_and_line(tmp_path):
    message = refusal(tmp_path, STAFF_RULE % "date_order, earlier: hire_date, latr: leave_date", SchemaError)
    assert f"{tmp_path / 'rules' / 'ours.yaml'}:7:" in message and "'latr'" in message


def test_a_rule_on_a_column_the_sheet_lacks_fails_at_load(tmp_path):
    message = refusal(tmp_path, STAFF_RULE % "not_greater, field: base_salary, than: hourly_rat", SchemaError)
    assert f"{tmp_path / 'rules' / 'ours.yaml'}:7:" in message and "'hourly_rat' is not a column" in message


def test_a_reference_to_nothing_fails_at_load(tmp_path):
    text = (
        "workbooks:\n  vendors:\n    sheets:\n      bills:\n        rules:\n"
        "          - {check: matches_ref, key: po_no, field: vendor_id, ref: vendors.purchase_order}\n"
    )
    message = refusal(tmp_path, text, SchemaError)
    assert f"{tmp_path / 'rules' / 'ours.yaml'}:6:" in message and "'vendors.purchase_order'" in message


def test_a_misspelt_column_check_fails_at_load_naming_file_and_line(tmp_path):
    text = (
        "workbooks:\n  vendors:\n    sheets:\n      vendors:\n        columns:\n"
        "          registration_number: {check: registration_numbr}\n"
    )
    message = refusal(tmp_path, text, SchemaError)
    assert f"{tmp_path / 'rules' / 'ours.yaml'}:6:" in message and "registration_numbr" in message


def test_a_misspelt_parameter_fails_at_load_naming_file_and_line(tmp_path):
    text = (
        "parameters:\n  matching.tolerence:\n    source: our policy\n"
        "    values: [{effective_from: 2027-01-01, value: {yen: 50, percent: '0.5%'}}]\n"
    )
    message = refusal(tmp_path, text, RulesFileError)
    assert f"{tmp_path / 'rules' / 'ours.yaml'}:2:" in message
    assert "unknown parameter 'matching.tolerence'" in message and "matching.tolerance" in message


def test_a_misspelt_key_of_a_parameter_value_fails_at_load(tmp_path):
    text = (
        "parameters:\n  matching.tolerance:\n    source: our policy\n    values:\n"
        "      - effective_from: 2027-01-01\n        value: {yen: 50, percnt: '0.5%'}\n"
    )
    message = refusal(tmp_path, text, RulesFileError)
    assert f"{tmp_path / 'rules' / 'ours.yaml'}:6:" in message and "'percnt'" in message


def test_a_misspelt_section_fails_at_load(tmp_path):
    message = refusal(tmp_path, "# ours\nparameter:\n  matching.tolerance: {}\n", RulesFileError)
    assert f"{tmp_path / 'rules' / 'ours.yaml'}:2:" in message and "unknown section 'parameter'" in message


def test_the_cli_reports_a_refused_rules_file_with_exit_2(tmp_path, capsys):
    from addin.cli import main

    company_with(tmp_path, STAFF_RULE % "date_ordr, earlier: hire_date, later: leave_date")
    assert main(["validate", str(tmp_path)]) == 2
    assert "ours.yaml:7" in capsys.readouterr().err + capsys.readouterr().out


# --- one declaration per concept ------------------------------------------------------------------


def test_every_rule_model_is_run_by_exactly_one_engine():
    union = set(get_args(get_args(Rule)[0]))
    assert union == set(ROW_RULE_TYPES) | set(CROSS_RULE_TYPES)
    assert set(ROW_RULES) == set(ROW_RULE_TYPES) and set(CROSS_RULES) == set(CROSS_RULE_TYPES)
    assert not set(ROW_RULES) & set(CROSS_RULES)
    assert set(DIGIT_CHECKS) == CHECKS


#: product parameters that no code reads yet (none: stock.unit_cost_rounding is read by stock/valuation.py)
NOT_YET_READ: set[str] = set()


def test_every_product_parameter_is_read_somewhere():
    """Rules data that nothing reads is removed: each parameter name appears in the code that uses it."""
    root = Path(__file__).resolve().parents[1] / "addin"
    code = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    unread = [name for name in load_rulebook().parameters if f'"{name}"' not in code and f"'{name}'" not in code]
    assert set(unread) == NOT_YET_READ


# --- change stories: each is one file in DIR/rules --------------------------------------------------


def check_staff(company: Path, records: list[dict], extra_headers: dict[str, list] | None = None):
    """Validate a one-sheet staff book written in `company` with that company's rules."""
    spec = load_company(company).books["staff"].sheets["staff"]
    fields = [f for f in spec.columns if f in GOOD_STAFF]
    header = [spec.columns[f].label_ja for f in fields] + list(extra_headers or {})
    rows = [header] + [
        [r.get(f) for f in fields] + [v[i] for v in (extra_headers or {}).values()] for i, r in enumerate(records)
    ]
    path = write_sheet(company / "staff-check.xlsx", spec.display_name, rows)
    reporter = Reporter()
    typed, _ = check_sheet(CalamineBook(path).read_sheet(spec.display_name), spec, reporter)
    return typed.frame, [(i.field, i.code) for i in reporter.summarise()]


def test_story_a_validation_rule_is_one_company_file(tmp_path):
    """Commute allowance may not exceed the base salary: one rule in DIR/rules, no code."""
    odd = {**GOOD_STAFF, "employee_id": "E0002", "my_number": "", "commute_allowance": 400000}
    _, before = check_staff(tmp_path, [GOOD_STAFF, odd])
    assert before == []
    company_with(tmp_path, STAFF_RULE % "not_greater, field: commute_allowance, than: base_salary")
    _, after = check_staff(tmp_path, [GOOD_STAFF, odd])
    assert after == [("commute_allowance", "not_greater")]


def test_story_a_column_is_one_company_file(tmp_path):
    """A locker number read, typed and checked: one column in DIR/rules, no code."""
    company_with(
        tmp_path,
        "workbooks:\n  staff:\n    sheets:\n      staff:\n        columns:\n"
        "          locker_no: {kind: integer, min: 1, max: 500, aliases: [ロッカー番号]}\n",
    )
    frame, issues = check_staff(
        tmp_path, [GOOD_STAFF, {**GOOD_STAFF, "employee_id": "E0002", "my_number": ""}], {"ロッカー番号": [12, 999]}
    )
    assert frame["locker_no"].iloc[0] == 12
    assert issues == [("locker_no", "above_max")]


def test_story_a_new_rate_from_a_date_is_one_company_file(tmp_path):
    """The bank raises its fee from a date: the old schedule stays in force before it, the new one from it."""
    company_with(
        tmp_path,
        "parameters:\n  payments.transfer_fee:\n    source: our bank's 2027 schedule\n"
        "    values:\n      - effective_from: 2027-04-01\n"
        "        value: {same_bank_below_30000: 0, same_bank_from_30000: 0,"
        " other_bank_below_30000: 550, other_bank_from_30000: 770}\n",
    )
    rules = load_company(tmp_path).rulebook
    before = rules.value("payments.transfer_fee", date(2027, 3, 31))
    after = rules.value("payments.transfer_fee", date(2027, 4, 1))
    assert transfer_fee(50_000, False, before) == 660 and transfer_fee(50_000, False, after) == 770
    assert transfer_fee(10_000, True, after) == 0
    assert rules.parameter("payments.transfer_fee").file.endswith("ours.yaml")  # where the next one goes


def test_one_registration_number_check_for_validation_and_tax():
    """The validation check and the tax engine's `is_registered` are one function, with one verdict."""
    from addin.tax.summary import is_registered
    from addin.validate.checks import check_registration_number

    cases = {
        "T7000012050002": True,
        "T7000012050003": False,
        "7000012050002": False,
        "t7000012050002": False,
        "T700001205000": False,
        "": False,
    }
    assert {v: is_registered(v) for v in cases} == cases
    assert {v: check_registration_number(v) is None for v in cases} == cases
    assert is_registered(None) is False


def test_readme_documents_every_check_and_its_keys():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Rule entries") : readme.index("## Where to change what")]
    for model in ROW_RULE_TYPES + CROSS_RULE_TYPES:
        row = next(
            line
            for line in table.splitlines()
            if line.startswith(f"| `{model.model_fields['check'].default}`")
            or line.startswith(f"| `{get_args(model.model_fields['check'].annotation)[0]}`")
        )
        assert all(f"`{key}" in row for key in model.model_fields if key != "check"), row
    assert all(f"`{check}`" in table for check in CHECKS)


def test_a_lookup_table_parameter_takes_a_companys_own_keys(tmp_path):
    """Keys that are data (an allowance's name), not field names, may be added by a company."""
    company_with(
        tmp_path,
        "parameters:\n  payroll.allowance_insurance_default:\n    source: our rules\n"
        "    values: [{effective_from: 2027-01-01, value: {携帯電話実費: expense}}]\n",
    )
    rules = load_company(tmp_path).rulebook
    assert rules.value("payroll.allowance_insurance_default", date(2027, 1, 1)) == {"携帯電話実費": "expense"}
