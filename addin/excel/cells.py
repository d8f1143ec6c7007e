"""What Excel hands a worksheet function, made into arrays: a value or a 2-D range, broadcast to one
shape; and what goes back: a 2-D list (a native dynamic array) with `#` error text per bad cell.

Excel's shapes (xlwings, ndim=2, err_to_str): a single cell arrives as [[x]], a blank cell as None, an
error cell as its text ("#N/A"), a date as datetime, a number as float. A blank main input gives a
blank result; a blank required input a named error; an error cell in an input passes through.
xlwings cannot return a real Excel error value from Python (its VBA wrapper turns anything that is not
a value into text), so errors are text starting with "#"; BO_OK tells them apart from a result."""

from __future__ import annotations

from datetime import date, datetime
from decimal import InvalidOperation
from typing import Any, Callable

import numpy as np

EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)
REQUIRED = object()


class CellError(ValueError):
    """A bad input cell; its text becomes the cell's result ("#VALUE! …")."""


def grid(value: Any) -> np.ndarray:
    """Excel value → 2-D object array (a single cell is 1×1)."""
    if isinstance(value, np.ndarray):
        return value if value.ndim == 2 else value.reshape(1, -1)
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
        try:  # a range as Excel sends it (rows of equal length): numpy builds it in one call
            out = np.array(value, dtype=object)
        except ValueError:  # ragged rows (only ever from Python): padded below
            out = None
        if out is not None and out.ndim == 2:
            return out
    if isinstance(value, (list, tuple)):
        rows = (
            [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]
            if value and isinstance(value[0], (list, tuple))
            else [list(value)]
        )
        out = np.empty((len(rows), max(len(r) for r in rows) if rows else 0), dtype=object)
        for i, r in enumerate(rows):
            out[i, : len(r)] = r
        return out
    out = np.empty((1, 1), dtype=object)
    out[0, 0] = value
    return out


NOT_SINGLE = object()


def single(value: Any) -> Any:
    """The value of a one-cell input ([[x]] as xlwings gives it with ndim=2, or x), else NOT_SINGLE."""
    if type(value) is list and len(value) == 1 and type(value[0]) is list and len(value[0]) == 1:
        value = value[0][0]  # what xlwings hands over for one cell, taken first
        return value if not isinstance(value, (list, tuple, np.ndarray)) else single(value)
    while isinstance(value, (list, tuple)):
        if len(value) != 1:
            return NOT_SINGLE
        value = value[0]
    return NOT_SINGLE if isinstance(value, np.ndarray) else value


def broadcast(*values: Any) -> list[np.ndarray]:
    arrays = [grid(v) for v in values]
    try:
        return list(np.broadcast_arrays(*arrays))
    except ValueError:
        raise CellError("#VALUE! 範囲の大きさが合いません / ranges differ in size") from None


def error_text(kind: str, message: str) -> str:
    return f"#{kind} {message}"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def blanks(values: np.ndarray) -> np.ndarray:
    """Cells with nothing in them: their result is blank too (so a column of formulas can run past the data)."""
    if not values.size:
        return np.zeros(values.shape, dtype=bool)
    if str not in set(map(type, values.ravel().tolist())):  # numbers and dates: only None is blank
        return np.equal(values, None)
    return np.vectorize(is_blank, otypes=[bool])(values)


#: value types that never compare equal across types (True == 1 == 1.0 would merge distinct cells)
_PLAIN_TYPES = frozenset({float, str, type(None), datetime, date})


def exact_integers(parser: Callable[[Any], int]) -> Callable[[Any], int]:
    """Marks a parser that reads a whole float x as int(x): `each` then reads a column of whole
    numbers (what Excel sends) in one numpy step instead of cell by cell."""
    parser.whole_floats = True  # type: ignore[attr-defined]
    return parser


def _whole(floats: list) -> list[int] | None:
    """Python ints for floats that are all whole and finite, else None."""
    numbers = np.array(floats, dtype=np.float64)
    if not (np.isfinite(numbers).all() and (numbers == np.trunc(numbers)).all() and np.abs(numbers).max() < 2**53):
        return None
    return numbers.astype(np.int64).tolist()


def each(
    parser: Callable[[Any], Any], values: np.ndarray, label: str, default: Any = REQUIRED
) -> tuple[np.ndarray, np.ndarray]:
    """Parse every cell once per distinct value; (parsed, error text or None). A blank cell takes
    `default`, or is a named error when the input is required; an Excel error cell stays that error."""
    if values.size == 1:  # one cell (a formula per row): no array machinery
        value, error = parse_cell(parser, values.flat[0], label, default)
        return _objects([value], values.shape), _objects([error], values.shape)
    flat = values.ravel().tolist()
    kinds = set(map(type, flat))
    if kinds <= _PLAIN_TYPES:  # equal values are the same value: parse each distinct one once
        distinct = list(dict.fromkeys(flat))
        position = {v: i for i, v in enumerate(distinct)}
        codes = np.fromiter(map(position.__getitem__, flat), dtype=np.intp, count=len(flat))
        numbers = _whole(distinct) if kinds == {float} and getattr(parser, "whole_floats", False) else None
        pairs = (
            [(n, None) for n in numbers]
            if numbers is not None
            else [parse_cell(parser, v, label, default) for v in distinct]
        )
        parsed = _objects([value for value, _ in pairs], (len(pairs),))
        errors = _objects([error for _, error in pairs], (len(pairs),))
        return parsed[codes].reshape(values.shape), errors[codes].reshape(values.shape)
    parsed, errors = [], []
    seen: dict = {}
    for v in values.ravel().tolist():
        try:
            key = (type(v), v)
            hit = seen.get(key)
        except TypeError:  # an unhashable value: parsed every time
            key, hit = None, None
        if hit is None:
            hit = parse_cell(parser, v, label, default)
            if key is not None:
                seen[key] = hit
        parsed.append(hit[0])
        errors.append(hit[1])
    return _objects(parsed, values.shape), _objects(errors, values.shape)


def parse_cell(parser: Callable[[Any], Any], v: Any, label: str, default: Any = REQUIRED) -> tuple[Any, str | None]:
    """One cell: (value, None) or (None, error text)."""
    if type(v) is float and v.is_integer() and getattr(parser, "whole_floats", False):
        return int(v), None  # the case Excel sends most, as the parser reads it (exact_integers)
    if is_blank(v):
        return (default, None) if default is not REQUIRED else _empty(label)
    if isinstance(v, str) and v.strip() in EXCEL_ERRORS:
        return None, f"{v.strip()} {label}"
    try:
        value = parser(v)
    except (ValueError, TypeError, KeyError, ArithmeticError, InvalidOperation):
        return None, error_text("VALUE!", f"{label}: {v!r}")
    if value is None:
        return _empty(label)
    return value, None


def _empty(label: str) -> tuple[None, str]:
    return None, error_text("VALUE!", f"{label} が空です / {label} is empty")


def parse_year(value: Any) -> int:
    """A 年分 as a cell or a prompt gives it: 2025, 2025.0 or "2025" (four digits, 西暦)."""
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    if not (text.isdigit() and len(text) == 4):
        raise ValueError(f"年分 {value!r}: 西暦4桁で入力してください / use a 4-digit year")
    return int(text)


def _objects(items: list, shape: tuple) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out.reshape(shape)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
        return True
    except TypeError:
        return False


def merge_errors(*errors: np.ndarray) -> np.ndarray:
    out = np.full(errors[0].shape, None, dtype=object)
    for e in errors:
        out = np.where(out == None, e, out)  # noqa: E711 - the first error per cell wins
    return out


def result(values: np.ndarray, errors: np.ndarray, blank: np.ndarray | None = None) -> list[list]:
    """A 2-D list of what COM takes as it is (the functions return it to Excel unconverted): Python
    ints, floats, bools and text; bad cells as their error text, blank in → blank out, None as blank."""
    out = np.where(errors == None, values, errors)  # noqa: E711
    if blank is not None:
        out = np.where(blank, "", out)
    if out.ndim != 2:
        out = out.reshape(1, -1)
    if not out.size:
        return [[]]
    if set(map(type, out.ravel().tolist())) <= _COM_TYPES:
        return out.tolist()
    return np.frompyfunc(_plain, 1, 1)(out).tolist()


#: what a result cell may hold when it goes to Excel without xlwings' conversion
_COM_TYPES = frozenset({int, float, str, bool})


def _plain(value: Any) -> Any:
    if value is None:
        return ""  # an empty Variant in an array shows as 0 in Excel; xlwings' writer also sends ""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value
