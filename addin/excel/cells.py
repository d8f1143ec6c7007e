"""What Excel hands a worksheet function, made into arrays: a value or a 2-D range, broadcast to one
shape; and what goes back: a 2-D list (a native dynamic array) with `#` error text per bad cell.

Excel's shapes (xlwings, ndim=2, err_to_str): a single cell arrives as [[x]], a blank cell as None, an
error cell as its text ("#N/A"), a date as datetime, a number as float. A blank main input gives a
blank result; a blank required input a named error; an error cell in an input passes through.
xlwings cannot return a real Excel error value from Python (its VBA wrapper turns anything that is not
a value into text), so errors are text starting with "#"; BO_OK tells them apart from a result."""

from __future__ import annotations

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
    return np.vectorize(is_blank, otypes=[bool])(values) if values.size else np.zeros(values.shape, dtype=bool)


def each(
    parser: Callable[[Any], Any], values: np.ndarray, label: str, default: Any = REQUIRED
) -> tuple[np.ndarray, np.ndarray]:
    """Parse every cell once per distinct value; (parsed, error text or None). A blank cell takes
    `default`, or is a named error when the input is required; an Excel error cell stays that error."""
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
    try:
        if isinstance(v, str) and v.strip() in EXCEL_ERRORS:
            return None, f"{v.strip()} {label}"
        if is_blank(v):
            return (
                (default, None)
                if default is not REQUIRED
                else (None, error_text("VALUE!", f"{label} が空です / {label} is empty"))
            )
        value = parser(v)
    except (ValueError, TypeError, KeyError, ArithmeticError, InvalidOperation):
        return None, error_text("VALUE!", f"{label}: {v!r}")
    if value is None:
        return None, error_text("VALUE!", f"{label} が空です / {label} is empty")
    return value, None


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
    """A 2-D list for Excel: numbers as Python ints/floats, bad cells as their error text, blank in → blank out."""
    out = np.where(errors == None, values, errors)  # noqa: E711
    if blank is not None:
        out = np.where(blank, "", out)
    width = max(out.shape[1] if out.ndim == 2 else out.size, 1)
    flat = [_plain(v) for v in out.ravel().tolist()]
    return [flat[i : i + width] for i in range(0, len(flat), width)] or [[]]


def _plain(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value
