"""Issue #12 fuzz harness: hostile backoffice.toml values and hostile command lines, in-process, each
case under a time limit. Every case ends in a result or a located refusal (exit 2) — never a traceback,
never an "internal error", never a hang — and the master workbooks stay byte-identical.

CI runs ≥ 500 cases (derandomized, so a failure reproduces); BACKOFFICE_FUZZ=full runs ten times more.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import signal
import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from addin.cli import main
from addin.invoicing.settings import InvoiceSettings
from addin.outputs.zengin import ZenginError, zengin_file
from addin.payroll.settings import PayrollSettings
from addin.services.payroll import requester_of
from addin.services.settings import check_settings
from tests.blank_company import init_copy

FULL = os.environ.get("BACKOFFICE_FUZZ") == "full"
SETTINGS_CASES = 4500 if FULL else 450
CLI_CASES = 1500 if FULL else 150
SECONDS_PER_CASE = 20


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    """Fail the case (not the whole run) when it takes longer than `seconds`."""

    def expired(*_):
        raise Hang(f"case took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ── settings ──────────────────────────────────────────────────────────────────────────────────────

KNOWN = {
    "company": ["name", "name_kana", "registration_number", "postal_code", "address", "prefecture", "language"],
    "payroll": [
        "closing_day",
        "pay_day",
        "pay_months_later",
        "pay_day_holiday",
        "premium_collection",
        "employment_insurance_business",
        "health_insurance",
        "health_insurance_society_rate",
        "nursing_insurance_society_rate",
        "scheduled_hours_per_month",
        "scheduled_days_per_month",
        "withholding_method",
    ],
    "bank": [
        "requester_code",
        "requester_name_kana",
        "bank_code",
        "bank_name_kana",
        "branch_code",
        "branch_name_kana",
        "account_type",
        "account_number",
    ],
    "invoice": ["prefix", "digits", "rounding", "price_entry", "due_date_holiday", "reduced_mark"],
    "nightly": ["time", "days"],
    "stock": ["valuation", "payment_holiday", "transfer_fee_borne_by_vendor"],
}
PLAUSIBLE = [
    "end",
    "25",
    "0.0927",
    "-0.5",
    "INV-",
    "../../../X-",
    "society",
    "kyoukai",
    "fifo",
    "moving_average",
    "ordinary",
    "0009",
    "001",
    "1234567",
    "1234567890",
    "ﾐﾂｲｽﾐﾄﾓ",
    "02:00",
    "25:00",
    "weekdays",
    "daily",
    "floor",
    "ceil",
    "previous",
    "1,2,3",
    "ja",
    "en",
    "T7000012050002",
    "",
    " ",
    "=cmd|' /C calc'!A0",
    "\u202e",
    "A" * 300,
    "\x00",
    "1e309",
    "NaN",
    "-inf",
    "true",
    "３１",
]
scalars = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-3, max_value=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=8), scalars, max_size=2))


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, (int, date)):
        return str(value) if isinstance(value, int) else value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml_value, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


@st.composite
def settings_texts(draw) -> str:
    """A backoffice.toml: known sections with known and unknown keys, hostile values, sometimes garbage."""
    if draw(st.integers(0, 19)) == 0:
        return draw(st.text(max_size=200))
    lines = []
    for section in draw(st.lists(st.sampled_from([*KNOWN, "extra"]), unique=True, max_size=6)):
        lines.append(f"[{section}]")
        keys = draw(st.lists(st.sampled_from(KNOWN.get(section, []) + ["unknown_key"]), unique=True, max_size=8))
        lines += [f"{json.dumps(key)} = {_toml_value(draw(values))}" for key in keys]
    if draw(st.booleans()):
        lines.append(f"payroll = {_toml_value(draw(scalars))}")  # a section written as a value
    return "\n".join(lines) + "\n"


def _consumers_agree(parsed: dict) -> None:
    """Once the settings pass, everything downstream takes them without a surprise."""
    checked = check_settings(parsed)
    payroll = PayrollSettings.from_settings(parsed)
    invoice, _ = InvoiceSettings.from_settings(parsed)
    assert payroll.pay_day == "end" or 1 <= payroll.pay_day <= 31
    assert payroll.closing_day == "end" or 1 <= payroll.closing_day <= 31
    for rate, low, high in (
        (payroll.health_insurance_society_rate, "0.03", "0.13"),
        (payroll.nursing_insurance_society_rate, "0", "0.05"),
    ):
        assert rate is None or low <= str(rate) and float(low) <= float(rate) <= float(high)
    assert "/" not in invoice.prefix and "\\" not in invoice.prefix and ".." not in invoice.prefix
    assert len(invoice.prefix) <= 16 and 1 <= invoice.digits <= 12
    assert checked.company.language in ("ja", "en")
    try:
        zengin_file("salary", requester_of(parsed), date(2026, 4, 24), [])
    except ZenginError as refused:  # a refusal in words is fine, a crash is not
        assert str(refused)


@hsettings(
    max_examples=SETTINGS_CASES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(text=settings_texts())
def test_hostile_settings_end_in_a_setting_or_a_located_refusal(text):
    with time_limit(SECONDS_PER_CASE):
        try:
            parsed = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return  # load_company reports these with the file named
        try:
            check_settings(parsed)
        except ValueError as refused:
            for line in str(refused).splitlines():
                assert line.startswith("backoffice.toml [") and " / " in line, line
            return
        _consumers_agree(parsed)


# ── command lines ─────────────────────────────────────────────────────────────────────────────────

HOSTILE = [
    "",
    " ",
    "..",
    "../..",
    "../../state.db",
    "/etc/passwd",
    "\x00",
    "-",
    "--",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "2026-13",
    "2026-04-01",
    "2026-03",
    "2026-03-31",
    "25:00",
    "02:00",
    "staff.xlsx",
    "INV-000001",
    "INV-999999",
    "x" * 5000,
    "ｽﾀｯﾌ",
    "\u202e",
    "%s%n",
    "-inf",
    "1e309",
    "$(reboot)",
    "NaN",
]
hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30))
COMMANDS = {
    "validate": [
        ("--format", st.sampled_from(["text", "json", "xml"])),
        ("--lang", st.sampled_from(["ja", "en", "fr"])),
    ],
    "payroll": [("--month", hostile), ("--lang", hostile)],
    "invoice": [("--through", hostile), ("--correct", hostile), ("--date", hostile)],
    "stock": [("--as-of", hostile), ("--pay-by", hostile)],
    "restore": [("--date", hostile), ("--book", hostile), ("--book", hostile)],
    "reconcile": [("--once", None), ("--date", hostile), ("--at", hostile)],
    "verify": [],
    "init": [("--lang", hostile)],
}


@st.composite
def command_lines(draw, company: Path):
    command = draw(st.sampled_from(sorted(COMMANDS)))
    folder = draw(
        st.sampled_from(
            [
                str(company),
                str(company / "staff.xlsx"),
                str(company / "nope"),
                str(company / ".." / "elsewhere"),
                "",
                "\x00",
                str(company / ".backoffice"),
            ]
        )
    )
    argv = [command, folder]
    for option, value in draw(st.lists(st.sampled_from(COMMANDS[command]), max_size=3)) if COMMANDS[command] else []:
        argv += [option] if value is None else [option, draw(value)]
    if command == "reconcile" and "--at" in argv:
        argv = [a for a in argv if a != "--once"]
        at = argv.index("--at") + 1
        argv[at] = "99:99" if at < len(argv) else "99:99"  # a valid --at would serve forever
    return argv


@pytest.fixture(scope="module")
def small_company(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "co"
    init_copy(root)
    return root


def _masters(root: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.glob("*.xlsx") if p.name != "invoices.xlsx"
    }


def test_hostile_command_lines_end_in_an_exit_code_with_words(small_company, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # "" and "." mean the current folder: a scratch one, never the repo
    before = _masters(small_company)

    @hsettings(
        max_examples=CLI_CASES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(argv=command_lines(small_company))
    def case(argv):
        out, err = io.StringIO(), io.StringIO()
        with time_limit(SECONDS_PER_CASE), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as usage:  # argparse: a usage message, exit 2
                code = usage.code
        assert code in (0, 1, 2), (argv, code, err.getvalue()[-500:])
        text = err.getvalue() + out.getvalue()
        assert "Traceback" not in text and "internal error" not in text, (argv, text[-800:])
        if code == 2:
            assert text.strip(), argv  # a refusal always says why

    case()
    assert _masters(small_company) == before


# ── workbooks (as far as the reader goes): hostile Orders cells through a whole invoice run ─────────

WORKBOOK_CASES = 200 if FULL else 20
cells = st.one_of(
    st.sampled_from(
        [
            float("inf"),
            float("-inf"),
            float("nan"),
            1e309 if False else 1e308,
            -1e308,
            2**63,
            -(2**63) - 1,
            "#REF!",
            "#DIV/0!",
            "=1/0",
            "=A1",
            "1,2,3",
            "¥1,234",
            "△500",
            "１２３",
            "",
            " ",
            None,
            True,
            "R7.4.1",
            "令和7年4月1日",
            "2025-02-30",
            "0001-01-01",
            "\x07bell",
            "x" * 40000,
            "[]:*?",
        ]
    ),
    st.text(max_size=20),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
)
ORDER_FIELDS = [
    "order_no",
    "date",
    "customer_id",
    "sku",
    "description",
    "qty",
    "unit_price",
    "tax_rate",
    "shipped_date",
]


@pytest.fixture(scope="module")
def orders_company(tmp_path_factory) -> Path:
    from tests.test_invoicing import company as invoicing_company, order

    return invoicing_company(
        tmp_path_factory.mktemp("fuzz-orders") / "co", [order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10))]
    )


def test_hostile_order_cells_end_in_an_exit_code_never_a_traceback(orders_company, tmp_path):
    import shutil

    from addin.services.company import load_company

    columns = load_company(orders_company).books["sales"].sheets["orders"].columns
    LABELS = {field: columns[field].label_ja for field in ORDER_FIELDS}

    import openpyxl
    from openpyxl.utils import get_column_letter

    @hsettings(
        max_examples=WORKBOOK_CASES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(row=st.fixed_dictionaries({f: cells for f in ORDER_FIELDS}))
    def case(row):
        root = tmp_path / "case"
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(orders_company, root)
        wb = openpyxl.load_workbook(root / "sales.xlsx")
        ws = next(w for w in wb.worksheets if w.title.startswith("Orders"))
        headers = [c.value for c in ws[1]]
        written = 0
        for field, value in row.items():
            column = headers.index(LABELS[field]) + 1
            try:
                ws[f"{get_column_letter(column)}3"] = value
                written += 1
            except Exception:  # openpyxl itself refuses (e.g. control chars)
                continue
        assert written
        try:
            wb.save(root / "sales.xlsx")
        except (ValueError, TypeError, OverflowError):
            return
        before = hashlib.sha256((root / "sales.xlsx").read_bytes()).hexdigest()
        out, err = io.StringIO(), io.StringIO()
        with time_limit(SECONDS_PER_CASE), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["invoice", str(root), "--through", "2026-03-31"])
        assert code in (0, 1, 2) and "Traceback" not in err.getvalue() + out.getvalue(), (row, err.getvalue()[-600:])
        assert hashlib.sha256((root / "sales.xlsx").read_bytes()).hexdigest() == before

    case()
