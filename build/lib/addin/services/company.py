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
    rulebook = load_rulebook(root)
    return Company(root, settings, rulebook, build_schemas(rulebook.schemas))
