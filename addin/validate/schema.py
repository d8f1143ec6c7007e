"""Workbook schemas, declared once in `rules/schemas/*.yaml` and checked here on load.

Every rule entry is a typed model chosen by its `check:` (a discriminated union): an unknown check or
a misspelt key is refused when the rules are loaded, with the file and the line, instead of loading
and silently never running.
"""

from __future__ import annotations

from datetime import date
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from addin.normalize.column import DTYPES
from addin.rulebook.located import mark_at, where

Kind = Literal["text", "code", "kana", "enum", "integer", "yen", "decimal", "date", "month", "bool"]
#: the check digits and character sets a column may name (implemented in addin/validate/checks.py)
ColumnCheck = Literal["my_number", "corporate_number", "registration_number", "zengin_kana"]
CHECKS = set(get_args(ColumnCheck))
Scalar = Union[str, int, bool]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def own_fields(self) -> list[str]:
        """The columns of this rule's own sheet that it reads (each must exist)."""
        raise NotImplementedError


class DateOrder(_Rule):
    """`later` is not before `earlier` (and at least `min_years` after it)."""

    check: Literal["date_order"]
    earlier: str
    later: str
    min_years: int = Field(0, ge=0)

    def own_fields(self) -> list[str]:
        return [self.earlier, self.later]


class RequiredWhen(_Rule):
    """`field` is given on rows where each `when` column has (one of) the value(s)."""

    check: Literal["required_when"]
    field: str
    when: dict[str, Scalar | list[Scalar]]

    def own_fields(self) -> list[str]:
        return [self.field, *self.when]


class RequiredWhenPresent(_Rule):
    """`field` is given when the column `present` is given, or when the column `absent` is blank."""

    check: Literal["required_when_present"]
    field: str
    present: str | None = None
    absent: str | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> "RequiredWhenPresent":
        if (self.present is None) == (self.absent is None):
            raise ValueError("give exactly one of 'present' or 'absent'")
        return self

    def own_fields(self) -> list[str]:
        return [self.field, self.present or self.absent or ""]


class AllOrNone(_Rule):
    """Either every one of `fields` is given or none is (bank details)."""

    check: Literal["all_or_none"]
    fields: list[str] = Field(min_length=2)

    def own_fields(self) -> list[str]:
        return list(self.fields)


class NotGreater(_Rule):
    """`field` does not exceed `than`."""

    check: Literal["not_greater"]
    field: str
    than: str

    def own_fields(self) -> list[str]:
        return [self.field, self.than]


class PositiveWhen(_Rule):
    """`field` is above zero on rows matching `when`."""

    check: Literal["positive_when"]
    field: str
    when: dict[str, Scalar | list[Scalar]]

    def own_fields(self) -> list[str]:
        return [self.field, *self.when]


class SameValuePerKey(_Rule):
    """Rows sharing `key` share `field` too."""

    check: Literal["same_value_per_key"]
    key: str
    field: str

    def own_fields(self) -> list[str]:
        return [self.key, self.field]


class MatchesRef(_Rule):
    """A row's `field` equals that of the row with the same `key` in sheet `ref` ("book.sheet")."""

    check: Literal["matches_ref"]
    key: str
    field: str
    ref: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")

    def own_fields(self) -> list[str]:
        return [self.key, self.field]

    def ref_fields(self) -> list[str]:
        return [self.key, self.field]


class ActiveEmployee(_Rule):
    """The row's `month` lies between the `start` and `end` months of its `key` in sheet `ref`."""

    check: Literal["active_employee"]
    key: str
    month: str
    ref: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    start: str
    end: str

    def own_fields(self) -> list[str]:
        return [self.key, self.month]

    def ref_fields(self) -> list[str]:
        return [self.key, self.start, self.end]


#: rules over one sheet (addin/validate/rows.py runs them)
ROW_RULE_TYPES = (DateOrder, RequiredWhen, RequiredWhenPresent, AllOrNone, NotGreater, PositiveWhen, SameValuePerKey)
#: rules reading another sheet (addin/validate/cross.py runs them)
CROSS_RULE_TYPES = (MatchesRef, ActiveEmployee)
Rule = Annotated[
    Union[
        DateOrder,
        RequiredWhen,
        RequiredWhenPresent,
        AllOrNone,
        NotGreater,
        PositiveWhen,
        SameValuePerKey,
        MatchesRef,
        ActiveEmployee,
    ],
    Field(discriminator="check"),
]


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
    decimals: int | None = None  # digits kept after the point (hours in hundredths: 2); more is refused
    values: dict[str, list[Any] | None] = Field(default_factory=dict)  # enum: canonical -> aliases
    true_words: list[str] = Field(default_factory=list)
    false_words: list[str] = Field(default_factory=list)
    pad: int = 0
    pad_warns: bool = False  # a code padded to `pad` digits (typed as a number) is reported as a warning
    upper: bool = True
    check: ColumnCheck | None = None
    ref: str | None = None  # "book.sheet.column" the value must exist in
    personal: bool = False  # masked in messages and reports
    description: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "ColumnSpec":
        if self.kind == "enum" and not self.values:
            raise ValueError("an enum column needs 'values'")
        if self.ref and self.ref.count(".") != 2:
            raise ValueError("ref must be book.sheet.column")
        if not self.label_en:
            self.label_en = self.name.replace("_", " ")
        if not self.label_ja:
            self.label_ja = self.aliases[0] if self.aliases else self.name
        return self

    def options(self) -> dict:
        return {
            "values": self.values,
            "true_words": self.true_words,
            "false_words": self.false_words,
            "pad": self.pad,
            "pad_numbers_only": self.pad_warns,
        }

    @property
    def dtype(self) -> Any:  # a pandas dtype: a name or a type
        return DTYPES[self.kind]


class SheetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    names: list[str]
    key: str | None = None
    optional: bool = False
    columns: dict[str, ColumnSpec]
    unique_together: list[list[str]] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    #: headers the company declares it keeps for itself (DIR/rules/*.yaml): not read, not reported
    ignore_columns: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _name_columns(cls, data: Any) -> Any:
        """Each column named by its key; a new dict, never the rules file's own (kept and shared, loader.py)."""
        if isinstance(data, dict) and isinstance(data.get("columns"), dict):
            columns = {k: {"name": k, **c} if isinstance(c, dict) else c for k, c in data["columns"].items()}
            return {**data, "columns": columns}
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
    """Turn the rulebook's merged schema documents into checked specs; a bad one names its file and line."""
    books = {}
    for book_name, doc in raw.items():
        named = dict(doc)  # each sheet named by its key, in new dicts: the raw documents are shared (loader.py)
        if isinstance(doc.get("sheets"), dict):
            named["sheets"] = {k: {"name": k, **v} if isinstance(v, dict) else v for k, v in doc["sheets"].items()}
        try:
            books[book_name] = BookSpec.model_validate({**named, "name": book_name})
        except ValidationError as exc:
            raise SchemaError(_located_problem(book_name, doc, exc)) from None
        _check_rule_columns(books[book_name], doc)
    for book_name, book in books.items():
        _check_references(book, books, raw[book_name])
    return books


def _check_references(book: BookSpec, books: dict[str, BookSpec], doc: dict) -> None:
    """What a column's `ref:` or a cross-sheet rule's `ref:` names exists (else the check would never run)."""
    for sheet_name, sheet in book.sheets.items():
        for place, ref, fields in _references(sheet_name, sheet):
            ref_book, ref_sheet = ref.split(".")
            target = books[ref_book].sheets.get(ref_sheet) if ref_book in books else None
            missing = [f for f in fields if target is None or f not in target.columns]
            if missing:
                what = f"{ref}.{missing[0]}" if target is not None else ref
                raise SchemaError(
                    f"{where(mark_at(doc, place))}: workbooks.{book.name}.{'.'.join(map(str, place))}: "
                    f"ref {what!r} names no such sheet or column / 参照先がありません"
                )


def _references(sheet_name: str, sheet: SheetSpec) -> Iterator[tuple[list, str, list[str]]]:
    """(place in the file, "book.sheet", the columns needed there) for each reference the sheet makes."""
    for name, column in sheet.columns.items():
        if column.ref:
            target, field = column.ref.rsplit(".", 1)
            yield ["sheets", sheet_name, "columns", name], target, [field]
    for index, rule in enumerate(sheet.rules):
        if isinstance(rule, (MatchesRef, ActiveEmployee)):
            yield ["sheets", sheet_name, "rules", index], rule.ref, rule.ref_fields()


def _check_rule_columns(book: BookSpec, doc: dict) -> None:
    """Each column a rule names is a column of its sheet (a misspelt one would fail mid-run)."""
    for sheet_name, sheet in book.sheets.items():
        for index, rule in enumerate(sheet.rules):
            unknown = [f for f in rule.own_fields() if f not in sheet.columns]
            if unknown:
                place = ["sheets", sheet_name, "rules", index]
                raise SchemaError(
                    f"{where(mark_at(doc, place))}: workbooks.{book.name}.sheets.{sheet_name}.rules."
                    f"{index}: {rule.check}: {unknown[0]!r} is not a column of this sheet "
                    f"(columns: {', '.join(sheet.columns)}) / ルールの列名が正しくありません"
                )


def _located_problem(book_name: str, doc: dict, exc: ValidationError) -> str:
    """The problems, prefixed with the file:line of the first and each one's path in the schema.

    A misspelt key is named first: it usually explains the "field required" that follows it."""
    problems = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[:3]
    paths = [_file_path(error["loc"]) for error in problems]
    told = "; ".join(
        f"workbooks.{book_name}.{'.'.join(map(str, path))}: {_problem(error, path)}"
        for error, path in zip(problems, paths, strict=True)
    )
    return f"{where(mark_at(doc, paths[0]))}: {told} / ルールの記述が正しくありません"


def _file_path(loc: tuple) -> list:
    """pydantic names the union member after a rule's index: not a key of the file."""
    return [step for i, step in enumerate(loc) if not (i and isinstance(loc[i - 1], int) and step in _RULE_TAGS)]


def _problem(error: Any, path: list) -> str:
    if error["type"] == "union_tag_invalid":
        return f"unknown check {error['input'].get('check')!r} (known: {', '.join(sorted(_RULE_TAGS))})"
    if error["type"] == "union_tag_not_found":
        return f"a rule needs 'check:' (one of {', '.join(sorted(_RULE_TAGS))})"
    if error["type"] == "extra_forbidden":
        return f"unknown key {path[-1]!r}"
    got = error.get("input")
    return f"{error['msg']} (got {got!r})" if isinstance(got, (str, int, float)) else str(error["msg"])


#: the `check:` words a rule entry may use
_RULE_TAGS = {get_args(model.model_fields["check"].annotation)[0] for model in ROW_RULE_TYPES + CROSS_RULE_TYPES}


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
