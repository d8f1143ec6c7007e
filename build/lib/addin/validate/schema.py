"""Workbook schemas, declared once in `rules/schemas/*.yaml` and checked here on load."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from addin.normalize.column import DTYPES

Kind = Literal["text", "code", "kana", "enum", "integer", "yen", "decimal", "date", "month", "bool"]
CHECKS = {"my_number", "corporate_number", "registration_number", "zengin_kana"}


class ColumnSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    kind: Kind
    required: bool = False
    unique: bool = False
    aliases: list[str] = Field(default_factory=list)
    label_ja: str = ""
    label_en: str = ""
    pattern: str | None = None
    min: Any = None
    max: Any = None
    max_length: int | None = None
    values: dict[str, list[Any] | None] = Field(default_factory=dict)   # enum: canonical -> aliases
    true_words: list[str] = Field(default_factory=list)
    false_words: list[str] = Field(default_factory=list)
    pad: int = 0
    pad_warns: bool = False      # a code padded to `pad` digits (typed as a number) is reported as a warning
    upper: bool = True
    check: str | None = None
    ref: str | None = None       # "book.sheet.column" the value must exist in
    personal: bool = False       # masked in messages and reports
    description: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "ColumnSpec":
        if self.kind == "enum" and not self.values:
            raise ValueError("an enum column needs 'values'")
        if self.check and self.check not in CHECKS:
            raise ValueError(f"unknown check {self.check!r}; known: {sorted(CHECKS)}")
        if self.ref and self.ref.count(".") != 2:
            raise ValueError("ref must be book.sheet.column")
        if not self.label_en:
            self.label_en = self.name.replace("_", " ")
        if not self.label_ja:
            self.label_ja = self.aliases[0] if self.aliases else self.name
        return self

    def options(self) -> dict:
        return {"values": self.values, "true_words": self.true_words, "false_words": self.false_words,
                "pad": self.pad, "pad_numbers_only": self.pad_warns}

    @property
    def dtype(self):
        return DTYPES[self.kind]


class SheetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    names: list[str]
    key: str | None = None
    optional: bool = False
    columns: dict[str, ColumnSpec]
    unique_together: list[list[str]] = Field(default_factory=list)
    rules: list[dict[str, Any]] = Field(default_factory=list)
    #: headers the company declares it keeps for itself (DIR/rules/*.yaml): not read, not reported
    ignore_columns: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _name_columns(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for col_name, col in (data.get("columns") or {}).items():
                if isinstance(col, dict):
                    col.setdefault("name", col_name)
        return data

    @property
    def display_name(self) -> str:
        return self.names[0]


class BookSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    file: str
    sheets: dict[str, SheetSpec]


class SchemaError(ValueError):
    pass


def build_schemas(raw: dict[str, dict]) -> dict[str, BookSpec]:
    """Turn the rulebook's merged schema documents into checked specs; a bad one names itself."""
    books = {}
    for book_name, doc in raw.items():
        doc = {**doc, "name": book_name}
        for sheet_name, sheet in (doc.get("sheets") or {}).items():
            if isinstance(sheet, dict):
                sheet.setdefault("name", sheet_name)
        try:
            books[book_name] = BookSpec.model_validate(doc)
        except ValidationError as exc:
            raise SchemaError(f"rules schema for workbook {book_name!r}: {exc}") from None
    return books


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
