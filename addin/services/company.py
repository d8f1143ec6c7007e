"""A company folder: its settings (`backoffice.toml`), its rules and where its workbooks live."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from addin.rulebook import Rulebook, load_rulebook
from addin.validate import BookSpec, build_schemas

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
        return self.root / self.books[book].file


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
    return Company(root, settings, rulebook, build_schemas(rulebook.schemas))


def checked_settings(settings: dict[str, Any]) -> None:
    """Every value of backoffice.toml within its type, range and list (see addin/services/settings.py)."""
    from addin.services.settings import check_settings
    try:
        check_settings(settings)
    except ValueError as bad:
        raise SettingsError(str(bad)) from None
