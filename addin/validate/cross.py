"""Cross-sheet rules: references between sheets and books (every Movement's sku is an Item, every
Attendance row belongs to an employee employed that month …)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from addin.model import Table
from addin.validate.report import Reporter
from addin.validate.schema import ActiveEmployee, BookSpec, MatchesRef, SheetSpec

#: typed and raw tables by (book, sheet) name
Tables = dict[tuple[str, str], tuple[Table, Table]]


def _where(books: dict[str, BookSpec], book: str, sheet: str) -> tuple[str, str]:
    spec = books[book]
    name = spec.sheets[sheet].display_name
    return f"{spec.file}!{name}", f"{spec.file}!{name}"


def check_references(tables: Tables, books: dict[str, BookSpec], reporter: Reporter) -> None:
    for (book, sheet), (typed, raw) in tables.items():
        spec = books[book].sheets[sheet]
        for field, column in spec.columns.items():
            if not column.ref or field not in raw.frame.columns:
                continue
            ref_book, ref_sheet, ref_field = column.ref.split(".")
            target = tables.get((ref_book, ref_sheet))
            if target is None:
                continue  # the referenced sheet is unusable: already reported as fatal
            values = typed.frame[field]
            unknown = values.notna() & ~values.isin(target[0].frame[ref_field].dropna().unique())
            where_ja, where_en = _where(books, ref_book, ref_sheet)
            for position in np.flatnonzero(unknown.to_numpy()):
                reporter.cell_issue(
                    raw,
                    spec,
                    field,
                    int(position),
                    "unknown_reference",
                    raw.frame[field].iloc[position],
                    other_ja=where_ja,
                    other_en=where_en,
                )


def _ref_rows(tables: Tables, ref: str, key: str) -> pd.DataFrame | None:
    book, sheet = ref.split(".")
    target = tables.get((book, sheet))
    if target is None:
        return None
    frame = target[0].frame
    return frame[frame[key].notna()].drop_duplicates(key, keep="first").set_index(key)


def matches_ref(
    typed: Table,
    raw: Table,
    spec: SheetSpec,
    rule: MatchesRef,
    tables: Tables,
    books: dict[str, BookSpec],
    reporter: Reporter,
) -> None:
    """A row's `field` equals that of the row with the same `key` in `ref` (a bill's vendor is its PO's)."""
    key, field = rule.key, rule.field
    ref = _ref_rows(tables, rule.ref, key)
    if ref is None or ref.empty or typed.frame.empty:
        return
    expected = typed.frame[key].map(ref[field])
    wrong = expected.notna() & typed.frame[field].notna() & (typed.frame[field] != expected)
    where_ja, where_en = _where(books, *rule.ref.split("."))
    for position in np.flatnonzero(wrong.to_numpy()):
        wanted = expected.iloc[position]
        reporter.cell_issue(
            raw,
            spec,
            field,
            int(position),
            "reference_mismatch",
            raw.frame[field].iloc[position],
            other_ja=f"{where_ja} {wanted}",
            other_en=f"{where_en} {wanted}",
        )


def active_employee(
    typed: Table,
    raw: Table,
    spec: SheetSpec,
    rule: ActiveEmployee,
    tables: Tables,
    books: dict[str, BookSpec],
    reporter: Reporter,
) -> None:
    """The month lies between the month of hire and the month of leaving, inclusive."""
    key, month = rule.key, rule.month
    ref = _ref_rows(tables, rule.ref, key)
    if ref is None or ref.empty or typed.frame.empty:
        return
    ids = typed.frame[key]
    start = ids.map(ref[rule.start]).dt.to_period("M")
    end = ids.map(ref[rule.end]).dt.to_period("M")
    when = typed.frame[month].dt.to_period("M")
    # an employee whose own dates contradict each other is reported on the Staff sheet, not here
    known = ids.isin(ref.index) & when.notna() & ~(start.notna() & end.notna() & (end < start))
    outside = known & ((start.notna() & (when < start)) | (end.notna() & (when > end)))
    for position in np.flatnonzero(outside.to_numpy()):
        reporter.cell_issue(raw, spec, month, int(position), "inactive_employee", ids.iloc[position])


#: each cross-sheet rule model (addin/validate/schema.py CROSS_RULE_TYPES) and the function that runs it
CROSS_RULES: dict[type, Callable[..., None]] = {MatchesRef: matches_ref, ActiveEmployee: active_employee}


def check_cross_rules(tables: Tables, books: dict[str, BookSpec], reporter: Reporter) -> None:
    for (book, sheet), (typed, raw) in tables.items():
        spec = books[book].sheets[sheet]
        for rule in spec.rules:
            check = CROSS_RULES.get(type(rule))
            if check is not None:  # a row rule: addin/validate/rows.py
                check(typed, raw, spec, rule, tables, books, reporter)
