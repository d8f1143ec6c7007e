"""Row rules: relations between the columns of one row (and between rows of one sheet).

Each rule is a small function over the typed frame, named in `rules/schemas/*.yaml` by `check:`
and typed in addin/validate/schema.py (its parameters are that model's fields); a company can use any
of them in its own rules file.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

from addin.model import Table
from addin.normalize.column import blank_mask
from addin.validate.report import Reporter
from addin.validate.schema import (
    AllOrNone,
    DateOrder,
    NotGreater,
    PositiveWhen,
    RequiredWhen,
    RequiredWhenPresent,
    SameValuePerKey,
    SheetSpec,
)


def _label(spec: SheetSpec, field: str) -> tuple[str, str]:
    col = spec.columns[field]
    return col.label_ja, col.label_en


def _choice(spec: SheetSpec, field: str, value: Any) -> tuple[str, str]:
    """A value the rule names, as people read it: an enum's first alias (月給) in ja, its word in en."""
    aliases = spec.columns[field].values.get(str(value)) if spec.columns[field].kind == "enum" else None
    return (str(aliases[0]) if aliases else str(value)), str(value)


def _condition(frame: pd.DataFrame, spec: SheetSpec, when: dict[str, Any]) -> tuple[pd.Series, str, str]:
    mask = pd.Series(True, index=frame.index)
    texts_ja, texts_en = [], []
    for field, wanted in when.items():
        wanted = wanted if isinstance(wanted, list) else [wanted]
        mask &= frame[field].isin([str(w) for w in wanted])
        ja, en = _label(spec, field)
        shown = [_choice(spec, field, w) for w in wanted]
        texts_ja.append(f"{ja}が{'/'.join(j for j, _ in shown)}")
        texts_en.append(f"{en} is {'/'.join(e for _, e in shown)}")
    return mask, "・".join(texts_ja), " and ".join(texts_en)


def _each(
    reporter: Reporter,
    table: Table,
    spec: SheetSpec,
    field: str,
    mask: Any,
    code: str,
    other_ja: str = "",
    other_en: str = "",
    **fmt: Any,
) -> None:
    for position in np.flatnonzero(np.asarray(mask, dtype=bool)):
        raw = table.frame[field].iloc[position] if field in table.frame.columns else None
        reporter.cell_issue(table, spec, field, int(position), code, raw, other_ja=other_ja, other_en=other_en, **fmt)


def _missing(table: Table, field: str) -> pd.Series:
    """Nothing typed at all; a mistyped value is reported by its own column rule, not as missing."""
    if field not in table.frame.columns:
        return pd.Series(True, index=table.frame.index)
    raw = table.frame[field].to_numpy(dtype=object)
    return pd.Series(blank_mask(raw, table.distinct.get(field)), index=table.frame.index)


def date_order(table: Table, typed: pd.DataFrame, spec: SheetSpec, rule: DateOrder, reporter: Reporter) -> None:
    earlier, later = typed[rule.earlier], typed[rule.later]
    other_ja, other_en = _label(spec, rule.earlier)
    both = earlier.notna() & later.notna()
    before = both & (later < earlier)
    _each(reporter, table, spec, rule.later, before, "date_order", other_ja, other_en)
    if rule.min_years:
        too_soon = both & ~before & (later < earlier + pd.DateOffset(years=rule.min_years))
        _each(reporter, table, spec, rule.later, too_soon, "min_years_between", other_ja, other_en, min=rule.min_years)


def required_when(table: Table, typed: pd.DataFrame, spec: SheetSpec, rule: RequiredWhen, reporter: Reporter) -> None:
    mask, other_ja, other_en = _condition(typed, spec, rule.when)
    _each(reporter, table, spec, rule.field, mask & _missing(table, rule.field), "required_when", other_ja, other_en)


def required_when_present(
    table: Table, typed: pd.DataFrame, spec: SheetSpec, rule: RequiredWhenPresent, reporter: Reporter
) -> None:
    if rule.present is not None:
        trigger = typed[rule.present].notna()
        ja, en = _label(spec, rule.present)
        other_ja, other_en = f"{ja}が入力されている", f"{en} is given"
    else:
        trigger = typed[rule.absent].isna()
        ja, en = _label(spec, rule.absent or "")
        other_ja, other_en = f"{ja}が空欄", f"{en} is empty"
    _each(reporter, table, spec, rule.field, trigger & _missing(table, rule.field), "required_when", other_ja, other_en)


def all_or_none(table: Table, typed: pd.DataFrame, spec: SheetSpec, rule: AllOrNone, reporter: Reporter) -> None:
    fields = [f for f in rule.fields if f in table.frame.columns]
    if not fields:
        return
    present = pd.DataFrame({f: ~_missing(table, f) for f in fields})
    partial = present.any(axis=1) & ~present.all(axis=1)
    for position in np.flatnonzero(partial.to_numpy()):
        missing = [f for f in fields if not present.iloc[position][f]]
        reporter.cell_issue(
            table,
            spec,
            missing[0],
            int(position),
            "all_or_none",
            other_ja="、".join(_label(spec, f)[0] + "なし" for f in missing),
            other_en=", ".join("no " + _label(spec, f)[1] for f in missing),
        )


def not_greater(table: Table, typed: pd.DataFrame, spec: SheetSpec, rule: NotGreater, reporter: Reporter) -> None:
    field, than = rule.field, rule.than
    over = typed[field].notna() & (typed[field] > typed[than].fillna(0))
    other_ja, other_en = _label(spec, than)
    _each(reporter, table, spec, field, over, "not_greater", other_ja, other_en)


def positive_when(table: Table, typed: pd.DataFrame, spec: SheetSpec, rule: PositiveWhen, reporter: Reporter) -> None:
    mask, other_ja, other_en = _condition(typed, spec, rule.when)
    values = typed[rule.field]
    _each(reporter, table, spec, rule.field, mask & values.notna() & (values <= 0), "not_positive", other_ja, other_en)


def same_value_per_key(
    table: Table, typed: pd.DataFrame, spec: SheetSpec, rule: SameValuePerKey, reporter: Reporter
) -> None:
    key, field = rule.key, rule.field
    usable = typed[key].notna() & typed[field].notna()
    first = typed[usable].groupby(key, sort=False)[field].transform("first")
    differs = usable & (typed[field] != first.reindex(typed.index))
    other_ja, other_en = _label(spec, key)
    _each(reporter, table, spec, field, differs, "inconsistent_in_key", other_ja, other_en)


#: each row-rule model (addin/validate/schema.py ROW_RULE_TYPES) and the function that runs it
ROW_RULES: dict[type, Callable[..., None]] = {
    DateOrder: date_order,
    RequiredWhen: required_when,
    RequiredWhenPresent: required_when_present,
    AllOrNone: all_or_none,
    NotGreater: not_greater,
    PositiveWhen: positive_when,
    SameValuePerKey: same_value_per_key,
}


def check_rows(table: Table, spec: SheetSpec, raw: Table, reporter: Reporter) -> None:
    for rule in spec.rules:
        check = ROW_RULES.get(type(rule))
        if check is not None:  # a cross-sheet rule: addin/validate/cross.py
            check(raw, table.frame, spec, rule, reporter)
