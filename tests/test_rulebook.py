"""Dated parameters: the value in force on a date, a clear refusal when none is, company overlays."""

from datetime import date
from pathlib import Path

import pytest

from addin.rulebook import RuleNotInForce, RulesFileError, UnknownRule, load_rulebook

RULES = """
parameters:
  consumption_tax.standard_rate:
    description: 標準税率
    source: 消費税法29条
    values:
      - {effective_from: 1997-04-01, value: "0.05"}
      - {effective_from: 2014-04-01, value: "0.08"}
      - {effective_from: 2019-10-01, value: "0.10"}
  bounded:
    source: test
    values:
      - {effective_from: 2025-04-01, effective_to: 2026-03-31, value: 1}
"""


@pytest.fixture
def rules_dir(tmp_path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "tax.yaml").write_text(RULES, encoding="utf-8")
    return folder


def test_value_in_force_on_a_date(rules_dir):
    book = load_rulebook(rules_dir=rules_dir)
    assert book.value("consumption_tax.standard_rate", date(2019, 9, 30)) == "0.08"
    assert book.value("consumption_tax.standard_rate", date(2019, 10, 1)) == "0.10"
    assert book.entry("consumption_tax.standard_rate", date(2030, 1, 1)).source == "消費税法29条"


def test_a_date_with_no_rule_is_a_clear_error_naming_the_file(rules_dir):
    book = load_rulebook(rules_dir=rules_dir)
    with pytest.raises(RuleNotInForce) as refused:
        book.value("consumption_tax.standard_rate", date(1990, 1, 1))
    assert "tax.yaml" in str(refused.value) and "1990-01-01" in str(refused.value)
    with pytest.raises(RuleNotInForce) as ended:
        book.value("bounded", date(2026, 4, 1))
    assert "bounded" in ended.value.message_ja and "tax.yaml" in ended.value.message_ja
    with pytest.raises(UnknownRule):
        book.value("no.such.rule", date(2025, 1, 1))


def test_company_rules_extend_the_products(rules_dir, tmp_path):
    company = tmp_path / "company"
    (company / "rules").mkdir(parents=True)
    (company / "rules" / "ours.yaml").write_text(
        """
parameters:
  bounded:
    source: our extension
    values: [{effective_from: 2026-04-01, value: 2}]
workbooks:
  staff:
    sheets:
      staff:
        columns:
          employee_id: {aliases: [社員No]}
""",
        encoding="utf-8",
    )
    book = load_rulebook(company, rules_dir=rules_dir)
    assert book.value("bounded", date(2025, 5, 1)) == 1 and book.value("bounded", date(2026, 5, 1)) == 2
    assert "社員No" in book.schemas["staff"]["sheets"]["staff"]["columns"]["employee_id"]["aliases"]


def test_a_company_alias_is_understood_by_validation(demo_copy, capsys):
    import openpyxl

    from addin.cli import main

    wb = openpyxl.load_workbook(demo_copy / "staff.xlsx")
    wb["Staff 従業員"]["A1"] = "社員No"
    wb.save(demo_copy / "staff.xlsx")
    assert main(["validate", str(demo_copy)]) == 2  # unknown header: the key column is missing
    (demo_copy / "rules").mkdir()
    (demo_copy / "rules" / "aliases.yaml").write_text(
        "workbooks:\n  staff:\n    sheets:\n      staff:\n        columns:\n"
        "          employee_id: {aliases: [社員No]}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(demo_copy)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    "text, problem",
    [
        ("parameters:\n  x: {values: [{effective_from: 2025-01-01, value: 1}]}", "source"),
        ("parameters:\n  x: {source: s, values: [{value: 1}]}", "effective_from"),
        ("parameters:\n  x: {source: s, values: [{effective_from: someday, value: 1}]}", "not a date"),
        ("parameters: [unclosed", "not valid YAML"),
    ],
)
def test_bad_rules_files_name_themselves(tmp_path, text, problem):
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesFileError) as bad:
        load_rulebook(rules_dir=tmp_path)
    assert "bad.yaml" in str(bad.value) and problem in str(bad.value)
    if "values" in text:  # a bad parameter is named with its line
        assert "bad.yaml:2: parameter x" in str(bad.value)


def test_product_rules_load_and_every_parameter_has_a_source():
    book = load_rulebook()
    assert book.parameters
    for parameter in book.parameters.values():
        assert parameter.source or all(v.source for v in parameter.values), parameter.name


def misplaced(book) -> list[str]:
    """Parameters whose prefix is not the stem of the rules file that defines them."""
    return [f"{n} in {Path(p.file).name}" for n, p in book.parameters.items() if n.split(".")[0] != Path(p.file).stem]


def test_every_product_parameter_lives_in_the_file_named_by_its_prefix(tmp_path):
    """`withholding.*` in rules/withholding.yaml, `social_insurance.*` in rules/social_insurance.yaml …:
    the name of a parameter says which file to open."""
    assert misplaced(load_rulebook()) == []
    (tmp_path / "payroll.yaml").write_text(
        "parameters:\n  withholding.stray: {source: s, values: [{effective_from: 2020-01-01, value: 1}]}\n",
        encoding="utf-8",
    )
    assert misplaced(load_rulebook(rules_dir=tmp_path)) == ["withholding.stray in payroll.yaml"]


def test_a_company_file_of_any_name_extends_a_moved_parameter(tmp_path):
    """A company's DIR/rules/*.yaml is merged by parameter name, whatever its file is called."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "our_payroll.yaml").write_text(
        "parameters:\n  social_insurance.pension_rate:\n    source: a hypothetical 2030 reform\n"
        '    values: [{effective_from: 2030-04-01, value: "19%"}]\n',
        encoding="utf-8",
    )
    book = load_rulebook(tmp_path)
    assert book.value("social_insurance.pension_rate", date(2030, 3, 31)) == "18.300%"
    assert book.value("social_insurance.pension_rate", date(2030, 4, 1)) == "19%"
    assert book.entry("social_insurance.pension_rate", date(2020, 1, 1)).source.startswith("厚生年金保険法81条")
    assert book.parameter("social_insurance.pension_rate").file.endswith("our_payroll.yaml")


LIMIT_FROM_2030 = (
    "parameters:\n  payroll.commute_nontaxable_limit:\n    values:\n"
    "      - {{effective_from: 2030-01-01, value: {}, source: company}}\n"
)


def test_rules_files_are_read_once_and_a_load_never_changes_what_is_kept(tmp_path):
    """Parsed files are kept per process (a company is loaded for every command and every worksheet function);
    what is kept is shared by every later load, so loading must not write into it, and an edited company file
    is read again."""
    import shutil

    from addin.rulebook.loader import RULES_DIR, _parsed_yaml, _stamp
    from addin.rulebook.located import load_located
    from addin.services.company import load_company
    from addin.services.setup import init_company

    init_company(tmp_path / "co")
    rules = tmp_path / "co" / "rules"
    rules.mkdir()
    shutil.copyfile(RULES_DIR / "schemas" / "staff.yaml", rules / "staff_copy.yaml")  # kept, then merged over
    (rules / "extra.yaml").write_text(LIMIT_FROM_2030.format(160000), encoding="utf-8")
    first = load_company(tmp_path / "co")
    load_company(tmp_path / "co")
    for path in [*RULES_DIR.rglob("*.yaml"), *rules.glob("*.yaml")]:
        assert _parsed_yaml(_stamp(path)) == load_located(path), path
    assert first.rulebook.value("payroll.commute_nontaxable_limit", date(2030, 1, 1)) == 160000

    (rules / "extra.yaml").write_text(LIMIT_FROM_2030.format(170000), encoding="utf-8")
    assert load_company(tmp_path / "co").rulebook.value("payroll.commute_nontaxable_limit", date(2030, 1, 1)) == 170000
