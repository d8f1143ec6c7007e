"""Read `rules/*.yaml` (the product's) and then the company's own `DIR/rules/*.yaml` over it.

A company file can add parameter values, header aliases, enum words or whole columns without
touching code: mappings are merged key by key, lists of dated values are extended.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, Iterable

import yaml

from addin.resources import rules_dir
from addin.rulebook.book import DatedValue, Parameter, Rulebook

RULES_DIR = rules_dir()


class RulesFileError(ValueError):
    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def _as_date(value: Any, path: Path, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RulesFileError(path, f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def load_yaml_documents(folders: Iterable[Path]) -> list[tuple[Path, dict]]:
    documents = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.yaml")):
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
    return out


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
    with table.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for column, wanted in (value.get("where") or {}).items():
        rows = [r for r in rows if r.get(column) == str(wanted)]
    if "key" in value:
        try:
            return {r[value["key"]]: r[value["column"]] for r in rows}
        except KeyError as exc:
            raise RulesFileError(path, f"table {value['table']} has no column {exc}") from None
    return rows


def _parameter(name: str, spec: dict, path: Path) -> Parameter:
    if not isinstance(spec, dict) or not isinstance(spec.get("values"), list):
        raise RulesFileError(path, f"parameter {name}: needs a list of 'values'")
    values = []
    for i, item in enumerate(spec["values"]):
        where = f"parameter {name}, value {i + 1}"
        start = _as_date(item.get("effective_from"), path, where)
        if start is None:
            raise RulesFileError(path, f"{where}: effective_from is required")
        if "value" not in item:
            raise RulesFileError(path, f"{where}: value is required")
        values.append(DatedValue(start, _resolve(item["value"], path), _as_date(item.get("effective_to"), path, where),
                                 str(item.get("source", spec.get("source", "")))))
    if not (spec.get("source") or all(v.source for v in values)):
        raise RulesFileError(path, f"parameter {name}: a source is required")
    return Parameter(name, str(path), str(spec.get("description", "")), str(spec.get("source", "")), values)


def load_rulebook(company_dir: Path | None = None, rules_dir: Path = RULES_DIR) -> Rulebook:
    folders = [rules_dir] + ([Path(company_dir) / "rules"] if company_dir else [])
    book = Rulebook()
    for path, data in load_yaml_documents(folders):
        for name, spec in (data.get("parameters") or {}).items():
            parameter = _parameter(name, spec, path)
            if name in book.parameters:  # a company file extends the product's dated values
                old = book.parameters[name]
                parameter = Parameter(name, str(path), old.description, old.source, old.values + parameter.values)
            book.parameters[name] = parameter
        for book_name, schema in (data.get("workbooks") or {}).items():
            book.schemas[book_name] = merge(book.schemas.get(book_name, {}), schema)
        for key, value in data.items():
            if key not in ("parameters", "workbooks"):
                book.settings[key] = merge(book.settings.get(key, {}), value) if isinstance(value, dict) else value
    return book
