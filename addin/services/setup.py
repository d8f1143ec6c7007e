"""Create a company folder: `backoffice init` (empty books) and `backoffice demo` (the demo company)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from addin.demo import DemoCompany, generate
from addin.demo.generate import FY_MONTHS
from addin.outputs.atomic import atomic_path, private_folder, write_text
from addin.outputs.master_books import write_book
from addin.services.company import Company, CompanyPaths, load_company

CONTROL_SHEET = "Control 操作"


def control_rows() -> list[list]:
    """The sheet the Excel buttons read their inputs from (and write their last result to)."""
    return [
        ["backoffice 操作", "値"],
        ["対象月（給与）", "2026-03"],
        ["請求締切日", "2026-03-31"],
        ["在庫基準日", "2026-03-31"],
        ["年末調整の年分", ""],
        ["前回の実行", ""],
        [],
        [
            "ボタン",
            "バックオフィス タブ: 検証 / 給与計算 / 請求書発行 / 在庫・発注 / 今すぐ照合 / 年末調整 / 仕訳出力 / "
            "入金消込",
        ],
    ]


SETTINGS_TEMPLATE = """# Company settings for backoffice. Edit freely; every key is documented in README.
[company]
name = "{name}"
name_kana = "{name_kana}"
postal_code = "100-0005"
address = "東京都千代田区丸の内1-1-1"
registration_number = "{registration_number}"   # 適格請求書発行事業者登録番号 (T + 13 digits)
prefecture = "東京都"          # 協会けんぽ health-insurance rate by prefecture
language = "{lang}"            # ja or en: messages and headers

[payroll]
closing_day = "end"            # 締日: "end" or a day of the month
pay_day = 25                   # 支給日; moved to the previous business day on a holiday
premium_collection = "next_month"   # 翌月徴収 (next_month) or 当月徴収 (same_month)
employment_insurance_business = "general"   # general / agriculture_forestry_fisheries_sake / construction
health_insurance = "kyoukai"   # kyoukai (協会けんぽ by prefecture) or society
# health_insurance_society_rate = "0.0927"   # total rate when health_insurance = "society"

[bank]                         # the company's own account: payroll and vendor transfers are paid from it
requester_code = "1234567890"
requester_name_kana = "{name_kana}"
bank_code = "0009"
bank_name_kana = "ﾐﾂｲｽﾐﾄﾓ"
branch_code = "001"
branch_name_kana = "ﾎﾝﾃﾝ"
account_type = "ordinary"
account_number = "1234567"

[invoice]
prefix = "INV-"
rounding = "floor"             # consumption tax once per rate per invoice: floor / half_up / ceil
due_date_holiday = "previous"  # move a due date off weekends and holidays: previous / next / none

[nightly]
time = "02:00"
days = "weekdays"              # weekdays or daily; Japanese holidays are skipped
"""


def _settings_text(lang: str, demo: bool) -> str:
    return SETTINGS_TEMPLATE.format(
        name="株式会社サンプル商事" if demo else "（会社名）",
        name_kana="ｶ)ｻﾝﾌﾟﾙｼｮｳｼﾞ" if demo else "",
        registration_number="T7000012050002" if demo else "",
        lang=lang,
    )


def _grades(company: Company) -> list[tuple[int, int, int]]:
    rows = company.rulebook.value("social_insurance.standard_monthly_remuneration_grades", dt.date(2025, 4, 1))
    return [
        (
            int(r["health_remuneration_min_inclusive"]),
            int(r["health_remuneration_max_exclusive"] or 10**12),
            int(r["standard_monthly_remuneration"]),
        )
        for r in rows
    ]


class SetupRefused(ValueError):
    """init/demo would replace something a person made: nothing was written (exit 2)."""


def _existing_books(company: Company) -> list[Path]:
    found = []
    for name in company.books:
        path = company.book_path(name)
        found += [p for p in (path, path.with_suffix(".xlsm")) if p.exists() or p.is_symlink()]
    return found


def set_aside(root: Path, books: list[Path]) -> Path:
    """Copy the books `init --force` is about to replace into .backoffice/backups/pre-init/<timestamp>/."""
    folder = private_folder(CompanyPaths(root).pre_init_backup(f"{dt.datetime.now():%Y%m%dT%H%M%S%f}"))
    for book in books:
        with atomic_path(folder / book.name) as tmp:
            shutil.copyfile(book, tmp)
    return folder


def init_company(root: Path, lang: str = "ja", demo: DemoCompany | None = None, force: bool = False) -> list[Path]:
    """Write backoffice.toml (unless present) and one formatted workbook per schema.

    A workbook that already exists is never replaced silently: without `force` nothing is written
    (SetupRefused); with `force` the existing books are first copied aside (see `set_aside`).
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise SetupRefused(f"{root}: フォルダではなくファイルです / is a file, not a folder")
    if root.exists() and not force:
        present = _existing_books(load_company(root))
        if present:
            raise SetupRefused(
                f"{present[0]}: すでにあります。上書きしません（バックアップしてから置き換えるには --force） / "
                f"already exists: not replaced (use --force to back it up and start afresh)"
                + (f" (+{len(present) - 1})" if len(present) > 1 else "")
            )
    private_folder(root)  # a new company folder is owner-only; an existing one keeps its mode
    settings = CompanyPaths(root).settings
    written = []
    if not settings.exists():
        written.append(write_text(settings, _settings_text(lang, demo is not None)))
    company = load_company(root)
    present = _existing_books(company)
    if present:
        written.append(set_aside(root, present))
    for book_name, spec in company.books.items():
        rows = demo.rows.get(book_name, {}) if demo else {}
        extra = {CONTROL_SHEET: control_rows()}  # no xlwings.conf sheet: settings are per user
        written.append(write_book(company.book_path(book_name), spec, rows, lang, extra))
    return written


#: the month `backoffice demo` closes: the last of the demo's fiscal year (April 2025 – March 2026)
DEMO_MONTH_END = FY_MONTHS[-1]


def make_demo(
    root: Path, scale: int = 1, with_errors: bool = False, lang: str = "ja", seed: int = 2025, force: bool = False
) -> tuple[DemoCompany, list[Path]]:
    if Path(root).exists() and not Path(root).is_dir():
        raise SetupRefused(f"{root}: フォルダではなくファイルです / is a file, not a folder")
    company = load_company(Path(root))
    demo = generate(scale=scale, seed=seed, with_errors=with_errors, grades=_grades(company))
    return demo, init_company(root, lang, demo, force)
