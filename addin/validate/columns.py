"""Column rules: normalise every column of a sheet, then judge each value against its spec.

Everything that depends on one value alone (parse, range, pattern, check digit) is decided once
per distinct value; only `required` and uniqueness look at rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.model import Severity, Table
from addin.normalize.text import number_as_text
from addin.normalize.column import blank_mask, normalize_values, scalar_parser
from addin.validate.checks import bad_zengin_chars, value_check
from addin.validate.report import Reporter
from addin.validate.schema import ColumnSpec, SheetSpec


def _enum_choices(spec: ColumnSpec) -> str:
    return " / ".join(spec.values)


def _pattern_hint(spec: ColumnSpec) -> str:
    return spec.pattern or ""


def normalize_table(table: Table, spec: SheetSpec, reporter: Reporter) -> Table:
    """The table with typed values; every problem reported with its cell."""
    typed: dict[str, object] = {}
    for name, column in spec.columns.items():
        if name not in table.frame.columns:
            typed[name] = pd.Series([None] * len(table), dtype=column.dtype)
            continue
        raw = table.frame[name].to_numpy(dtype=object)
        parsed = normalize_values(raw, column.kind, column.options(), value_check(column), table.distinct.get(name))
        typed[name] = parsed.values
        _report_value_errors(table, spec, column, raw, parsed.errors, reporter)
        if column.pad_warns:
            _report_padded(table, spec, column, raw, parsed.values, reporter)
        if column.required:
            missing = np.flatnonzero(pd.isna(parsed.values) & (parsed.errors == None))  # noqa: E711
            for position in missing:
                reporter.cell_issue(table, spec, name, int(position), "required")
        if column.unique:
            _report_duplicates(table, spec, name, pd.Series(parsed.values), raw, reporter)
    frame = pd.DataFrame(typed)
    for keys in spec.unique_together:
        _report_duplicate_keys(table, spec, keys, frame, reporter)
    return table.with_frame(frame)


def _report_value_errors(table, spec, column, raw, errors, reporter) -> None:
    for position in np.flatnonzero(errors != None):  # noqa: E711
        code = errors[position]
        if code == "formula_not_cached":
            continue  # reported once for the column (headers.locate): the book needs recalculating
        value = raw[position]
        other = ""
        if code == "not_in_enum":
            other = _enum_choices(column)
        elif code == "bad_pattern":
            other = _pattern_hint(column)
        elif code == "zengin_kana":
            other = bad_zengin_chars(table_value(value, column))
        reporter.cell_issue(table, spec, column.name, int(position), code, value, other_ja=other)


def _report_padded(table, spec, column, raw, values, reporter) -> None:
    """A fixed-length code typed as a number lost its leading zeros; it is read padded, and said so."""
    for position, value in enumerate(raw):
        if (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and isinstance(values[position], str)
            and len(number_as_text(value)) < column.pad == len(values[position])
        ):
            reporter.cell_issue(
                table, spec, column.name, position, "code_padded", values[position], severity=Severity.WARNING
            )


def table_value(value, column: ColumnSpec) -> str:
    try:
        return scalar_parser(column.kind, column.options())(value) or ""
    except ValueError:
        return str(value)


def _first_rows(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Positions of repeated values and, for each, the position of its first occurrence."""
    present = values.notna()
    dup = values.duplicated(keep="first") & present
    first = values[present].drop_duplicates(keep="first")
    first_pos = pd.Series(first.index, index=first.to_numpy())
    repeats = np.flatnonzero(dup.to_numpy())
    return repeats, first_pos.loc[values.iloc[repeats].to_numpy()].to_numpy() if len(repeats) else repeats


def _report_duplicates(table, spec, name, values, raw, reporter) -> None:
    repeats, firsts = _first_rows(values)
    for position, first in zip(repeats, firsts, strict=True):
        reporter.cell_issue(
            table, spec, name, int(position), "duplicate", raw[position], other_ja=str(int(table.rows[first]))
        )


def _report_duplicate_keys(table, spec, keys, frame, reporter) -> None:
    if not all(k in table.frame.columns for k in keys):
        return
    # one id per distinct combination; rows with an empty key part take no part (-1 → NA)
    combined = frame[keys].groupby(keys, dropna=True, sort=False).ngroup().replace(-1, pd.NA)
    repeats, firsts = _first_rows(combined)
    labels = "・".join(spec.columns[k].label_ja for k in keys)
    labels_en = ", ".join(spec.columns[k].label_en for k in keys)
    for position, first in zip(repeats, firsts, strict=True):
        reporter.cell_issue(
            table,
            spec,
            keys[-1],
            int(position),
            "duplicate_key",
            other_ja=str(int(table.rows[first])),
            labels=(labels, labels_en),
        )


def unreadable_rows(typed: Table, raw: Table, spec: SheetSpec) -> set[int]:
    """The Excel rows a computation cannot use (`typed` and `raw`: the same rows, normalised and as read):
    a value was typed that could not be read (an amount "abc", a date that is no date), or a required one
    is missing. Judged from the values themselves, so rows beyond what the issue list shows count too; a
    row whose values were read (a duplicate, an unknown code) is the computation's to judge."""
    unusable = np.zeros(len(typed), dtype=bool)
    for name in typed.frame.columns:
        missing = np.asarray(pd.isna(typed.frame[name]), dtype=bool)
        if not missing.any():
            continue
        column = spec.columns.get(name)
        if column is not None and column.required:
            unusable |= missing
        elif name in raw.frame.columns:
            unusable |= missing & ~blank_mask(raw.frame[name].to_numpy(dtype=object))
    return {int(row) for row in typed.rows[unusable]}
