"""A company folder: its settings (`backoffice.toml`), its rules and where its workbooks live."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from addin.rulebook import Rulebook, load_rulebook
from addin.state.anchor import ANCHOR_FILE
from addin.state.files import SECRET_FILE, STATE
from addin.tax import check_rate_choices
from addin.validate import BookSpec, build_schemas
from addin.workbook.protocol import BookUnreadable

SETTINGS_FILE = "backoffice.toml"


class SettingsError(ValueError):
    pass


@dataclass
class Company:
    root: Path
    settings: dict[str, Any] = field(default_factory=dict)
    rulebook: Rulebook = field(default_factory=Rulebook)
    books: dict[str, BookSpec] = field(default_factory=dict)

    @property
    def paths(self) -> "CompanyPaths":
        return CompanyPaths(self.root)

    @property
    def out(self) -> Path:
        return self.paths.out

    @property
    def lang(self) -> str:
        return str(self.settings.get("company", {}).get("language", "ja"))

    def book_path(self, book: str) -> Path:
        return find_book(self.root, self.books[book].file)


#: what a book may be saved as: whatever the readers read, found by the stem of its configured name
BOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


def find_book(root: Path, file: str) -> Path:
    """The one file holding a book: `staff.xlsx` may be kept as staff.xlsm, .xls, .ods …

    The configured name when nothing else matches (so a missing book is named as configured);
    BookUnreadable("book_ambiguous") naming both when two files could be it.
    """
    wanted = Path(file)
    stem = wanted.stem.casefold()
    try:
        found = sorted(
            p
            for p in Path(root).iterdir()
            if p.stem.casefold() == stem and p.suffix.casefold() in BOOK_SUFFIXES and not p.name.startswith("~$")
        )
    except OSError:
        found = []
    if len(found) > 1:
        raise BookUnreadable(wanted.name, "book_ambiguous", ", ".join(p.name for p in found))
    return found[0] if found else Path(root) / file


def load_company(root: Path) -> Company:
    root = Path(root)
    settings: dict[str, Any] = {}
    path = CompanyPaths(root).settings
    if path.exists():
        try:
            settings = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: 読めません / cannot be read: {exc}") from None
        checked_settings(settings)
    rulebook = load_rulebook(root)
    check_rate_choices(rulebook)  # a tax_rate choice no rate record declares is refused at load
    books = build_schemas(rulebook.schemas)
    for spec in books.values():
        try:  # issues, copies and backups name the file as it really is (staff.xlsm …)
            spec.file = find_book(root, spec.file).name
        except BookUnreadable:
            pass  # two candidates: reported when the book is opened
    return Company(root, settings, rulebook, books)


def checked_settings(settings: dict[str, Any]) -> None:
    """Every value of backoffice.toml within its type, range and list (see addin/services/settings.py)."""
    from addin.services.settings import check_settings

    try:
        check_settings(settings)
    except ValueError as bad:
        raise SettingsError(str(bad)) from None


@dataclass(frozen=True)
class CompanyPaths:
    """Every path of a company folder, named once: the private state under `.backoffice/` (owner-only),
    the company's own rules, and what each run writes under `out/`. Creating folders (and their modes)
    stays with the code that writes there (addin/state/files.py, addin/outputs/atomic.py)."""

    root: Path

    # what a person keeps
    @property
    def settings(self) -> Path:
        return self.root / SETTINGS_FILE

    @property
    def rules(self) -> Path:
        """DIR/rules/*.yaml: the company's additions to the product's rules."""
        return self.root / "rules"

    @property
    def bank(self) -> Path:
        """DIR/bank/: bank statement files to import (receivables)."""
        return self.root / "bank"

    # what only the product writes: .backoffice/
    @property
    def state(self) -> Path:
        return self.root / STATE

    @property
    def db(self) -> Path:
        """The SQLite store: invoice register, run ledger, snapshots, payroll history, journal, receipts."""
        return self.state / "state.db"

    @property
    def key(self) -> Path:
        """The company key sealing the register and the anchors (outside the database on purpose)."""
        return self.state / SECRET_FILE

    @property
    def anchor(self) -> Path:
        return self.state / ANCHOR_FILE

    @property
    def tmp(self) -> Path:
        """Scratch copies (recalculation, the nightly run's consistent copies)."""
        return self.state / "tmp"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def backups(self) -> Path:
        """The nightly backups, one folder per day (each with its own anchor)."""
        return self.state / "backups"

    def pre_init_backup(self, stamp: str) -> Path:
        """Where `init --force` copies the books it replaces."""
        return self.backups / "pre-init" / stamp

    # what each run writes: out/<run>/…
    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def validation_report(self) -> Path:
        return self.out / "validation.xlsx"

    def payroll(self, month: dt.date) -> Path:
        return self.out / "payroll" / f"{month:%Y-%m}"

    def bonus(self, period: str) -> Path:
        return self.out / "bonus" / period

    def grades(self, year: int) -> Path:
        return self.out / "grades" / str(year)

    def nencho(self, year: int) -> Path:
        return self.nencho_years / str(year)

    @property
    def nencho_years(self) -> Path:
        """Where each year's 年末調整 lands (a run swaps its year's folder in: this folder changes then)."""
        return self.out / "nencho"

    @property
    def invoices(self) -> Path:
        return self.out / "invoices"

    @property
    def tax(self) -> Path:
        return self.out / "tax"

    def stock(self, as_of: dt.date) -> Path:
        return self.out / "stock" / as_of.isoformat()

    def payments(self, pay_by: dt.date) -> Path:
        return self.out / "payments" / pay_by.isoformat()

    def receivables(self, as_of: dt.date) -> Path:
        return self.out / "receivables" / as_of.isoformat()

    def runs_of(self, kind: str, output: str) -> list[Path]:
        """Every past run of a kind that left its output: out/<kind>/<run>/<output> (e.g. "stock",
        "stock.json"), in run-folder order (the folders are named by date or period, so oldest first)."""
        folder = self.out / kind
        if not folder.is_dir():
            return []
        return sorted(path for path in (run / output for run in folder.iterdir()) if path.is_file())

    def books(self, start: dt.date, end: dt.date) -> Path:
        return self.out / "books" / f"{start.isoformat()}_{end.isoformat()}"

    @property
    def reconcile_runs(self) -> Path:
        """out/reconcile/: one folder per night."""
        return self.out / "reconcile"

    @property
    def reconcile_lock(self) -> Path:
        """Held while a nightly run is under way (one night at a time)."""
        return self.state / "reconcile.lock"

    def reconcile(self, day: dt.date) -> Path:
        return self.reconcile_runs / day.isoformat()
