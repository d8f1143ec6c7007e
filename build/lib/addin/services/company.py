"""A company folder: its settings (`backoffice.toml`), its rules and where its workbooks live."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from addin.rulebook import Rulebook, load_rulebook
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
    def out(self) -> Path:
        return self.root / "out"

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
        found = sorted(p for p in Path(root).iterdir() if p.stem.casefold() == stem
                       and p.suffix.casefold() in BOOK_SUFFIXES and not p.name.startswith("~$"))
    except OSError:
        found = []
    if len(found) > 1:
        raise BookUnreadable(wanted.name, "book_ambiguous", ", ".join(p.name for p in found))
    return found[0] if found else Path(root) / file


def load_company(root: Path) -> Company:
    root = Path(root)
    settings: dict[str, Any] = {}
    path = root / SETTINGS_FILE
    if path.exists():
        try:
            settings = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: 読めません / cannot be read: {exc}") from None
        checked_settings(settings)
    rulebook = load_rulebook(root)
    books = build_schemas(rulebook.schemas)
    for spec in books.values():
        try:        # issues, copies and backups name the file as it really is (staff.xlsm …)
            spec.file = find_book(root, spec.file).name
        except BookUnreadable:
            pass    # two candidates: reported when the book is opened
    return Company(root, settings, rulebook, books)


def checked_settings(settings: dict[str, Any]) -> None:
    """Every value of backoffice.toml within its type, range and list (see addin/services/settings.py)."""
    from addin.services.settings import check_settings
    try:
        check_settings(settings)
    except ValueError as bad:
        raise SettingsError(str(bad)) from None
