"""Read `rules/*.yaml` (the product's) and then the company's own `DIR/rules/*.yaml` over it.

A company file can add parameter values, header aliases, enum words or whole columns without
touching code: mappings are merged key by key, lists of dated values are extended. It cannot invent
words: a parameter, a top-level section or a key of a parameter's value that the product does not
define is refused at load, naming the file and the line (a misspelling would otherwise be ignored).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
from pathlib import Path
from typing import Any, Iterable

import yaml

from addin.resources import rules_dir
from addin.rulebook.book import DatedValue, Parameter, Rulebook
from addin.rulebook.located import Located, Mark, load_located, mark_of, merged_marks

RULES_DIR = rules_dir()


#: top-level sections of a rules file besides `parameters` and `workbooks` (read by the services named)
SECTIONS = {
    "parameters": "dated values (addin.rulebook)",
    "workbooks": "workbook schemas (addin.validate.schema)",
    "books": "chart of accounts and posting rules (addin.services.books)",
    "bank_formats": "bank statement CSV layouts (addin.services.receivables)",
    "reconcile": "the nightly run's settings (addin.reconcile.run)",
}


class RulesFileError(ValueError):
    def __init__(self, path: Path, problem: str, line: int | None = None):
        super().__init__(f"{path}:{line}: {problem}" if line else f"{path}: {problem}")
        self.path, self.problem, self.line = path, problem, line

    @classmethod
    def at(cls, mark: Mark | None, path: Path, problem: str) -> "RulesFileError":
        return cls(Path(mark[0]), problem, mark[1]) if mark else cls(path, problem)


def _as_date(value: Any, path: Path, where: str, mark: Mark | None = None) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RulesFileError.at(mark, path, f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _stamp(path: Path) -> tuple[str, int, int, int]:
    """What says a file is unchanged: its path, inode, size and modification time in nanoseconds."""
    st = os.stat(path)
    return str(path), st.st_ino, st.st_size, st.st_mtime_ns


# Parsed files are kept per process, by stamp: a company is loaded many times (every command, every nightly
# check, every worksheet function) and parsing the product's 19 rules files and their CSV tables was 95 % of
# it. An edited file has a new stamp and is read again. What is kept is shared, so it is never changed in place.
@functools.lru_cache(maxsize=256)
def _parsed_yaml(stamp: tuple[str, int, int, int]) -> Any:
    return load_located(Path(stamp[0]))


@functools.lru_cache(maxsize=256)
def _csv_rows(stamp: tuple[str, int, int, int]) -> tuple[dict[str, str], ...]:
    with open(stamp[0], encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def load_yaml_documents(folders: Iterable[Path]) -> list[tuple[Path, dict]]:
    documents = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.yaml")):
            try:
                data = _parsed_yaml(_stamp(path)) or {}
            except yaml.YAMLError as exc:
                raise RulesFileError(path, f"not valid YAML: {exc}") from None
            if not isinstance(data, dict):
                raise RulesFileError(path, "top level must be a mapping")
            documents.append((path, data))
    return documents


def merge(base: dict, extra: dict) -> dict:
    """Deep-merge `extra` over `base`: mappings key by key, lists appended, scalars replaced."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + [v for v in value if v not in out[key]]
        else:
            out[key] = value
    return merged_marks(base, extra, out)


def _resolve(value: Any, path: Path) -> Any:
    """`{table: jp/file.csv}` becomes the CSV's rows (dicts of strings), read relative to the YAML.

    `where: {column: value}` keeps matching rows; `key` + `column` turn the rows into a mapping
    (e.g. prefecture → that year's health-insurance rate).
    """
    if not (isinstance(value, dict) and "table" in value and set(value) <= {"table", "where", "key", "column"}):
        return value
    table = path.parent / str(value["table"])
    if not table.exists():
        raise RulesFileError(path, f"table {value['table']} not found beside it")
    rows = list(_csv_rows(_stamp(table)))
    for column, wanted in (value.get("where") or {}).items():
        rows = [r for r in rows if r.get(column) == str(wanted)]
    if "key" in value:
        try:
            return {r[value["key"]]: r[value["column"]] for r in rows}
        except KeyError as exc:
            raise RulesFileError(path, f"table {value['table']} has no column {exc}") from None
    return rows


def _parameter(name: str, spec: Any, path: Path, mark: Mark | None) -> Parameter:
    if not isinstance(spec, dict) or not isinstance(spec.get("values"), list):
        raise RulesFileError.at(mark, path, f"parameter {name}: needs a list of 'values'")
    values = []
    for i, item in enumerate(spec["values"]):
        where = f"parameter {name}, value {i + 1}"
        here = mark_of(item) or mark
        if not isinstance(item, dict):
            raise RulesFileError.at(here, path, f"{where}: expected {{effective_from: …, value: …}}")
        start = _as_date(item.get("effective_from"), path, where, here)
        if start is None:
            raise RulesFileError.at(here, path, f"{where}: effective_from is required")
        if "value" not in item:
            raise RulesFileError.at(here, path, f"{where}: value is required")
        end = _as_date(item.get("effective_to"), path, where, here)
        source = str(item.get("source", spec.get("source", "")))
        values.append(DatedValue(start, _resolve(item["value"], path), end, source))
    if not (spec.get("source") or all(v.source for v in values)):
        raise RulesFileError.at(mark, path, f"parameter {name}: a source is required")
    return Parameter(name, str(path), str(spec.get("description", "")), str(spec.get("source", "")), values)


def _value_keys(parameter: Parameter) -> set[str] | None:
    """The field names a record-valued parameter's values use, e.g. matching.tolerance {yen, percent}.

    None when its values are not records: not mappings, or lookup tables keyed by data (prefectures,
    allowance names, rate percentages), which a company may extend with keys of its own."""
    if not parameter.values or not all(isinstance(v.value, dict) for v in parameter.values):
        return None
    keys = {str(k) for v in parameter.values for k in v.value}
    is_field = all(k.isascii() and k.isidentifier() for k in keys)
    return keys if is_field else None


def _check_extension(name: str, spec: Any, path: Path, data: dict, product: dict[str, Parameter]) -> None:
    """A company file may give new dated values to the product's parameters, never invent a name or a key."""
    parameters = data["parameters"]
    if name not in product:
        close = sorted(n for n in product if n.split(".")[0] == name.split(".")[0]) or sorted(product)
        raise RulesFileError.at(
            mark_of(parameters, name),
            path,
            f"unknown parameter {name!r}: nothing reads it (did you mean one of "
            f"{', '.join(close[:8])}?) / 未知のパラメータです",
        )
    keys = _value_keys(product[name])
    for item in (spec.get("values") if isinstance(spec, dict) else None) or []:
        value = item.get("value") if isinstance(item, dict) else None
        if keys is not None and isinstance(value, dict) and "table" not in value:
            unknown = sorted(str(k) for k in value if str(k) not in keys)
            if unknown:
                raise RulesFileError.at(
                    mark_of(value, unknown[0]) or mark_of(item),
                    path,
                    f"parameter {name}: unknown key {unknown[0]!r} (known: {', '.join(sorted(keys))}) / 未知のキーです",
                )


def _check_sections(data: dict, path: Path) -> None:
    for key in data:
        if key not in SECTIONS:
            raise RulesFileError.at(
                mark_of(data, key), path, f"unknown section {key!r} (known: {', '.join(SECTIONS)}) / 未知の項目です"
            )


def load_rulebook(company_dir: Path | None = None, rules_dir: Path = RULES_DIR) -> Rulebook:
    book = Rulebook()
    product: dict[str, Parameter] = {}
    for folder, is_company in [(rules_dir, False)] + ([(Path(company_dir) / "rules", True)] if company_dir else []):
        for path, data in load_yaml_documents([folder]):
            _check_sections(data, path)
            _read_document(book, path, data, product if is_company else None)
        if not is_company:
            product = dict(book.parameters)
    return book


def _read_document(book: Rulebook, path: Path, data: dict, product: dict[str, Parameter] | None) -> None:
    """Add one rules file to `book`; `product` (the product's parameters) when it is a company's file."""
    parameters = data.get("parameters") or {}
    for name, spec in parameters.items():
        if product is not None:
            _check_extension(name, spec, path, data, product)
        parameter = _parameter(name, spec, path, mark_of(parameters, name))
        if name in book.parameters:  # a company file extends the product's dated values
            old = book.parameters[name]
            parameter = Parameter(name, str(path), old.description, old.source, old.values + parameter.values)
        book.parameters[name] = parameter
    for book_name, schema in (data.get("workbooks") or {}).items():
        book.schemas[book_name] = merge(book.schemas.get(book_name, Located()), schema)
    for key, value in data.items():
        if key not in ("parameters", "workbooks"):
            book.settings[key] = merge(book.settings.get(key, {}), value) if isinstance(value, dict) else value
