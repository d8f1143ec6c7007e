"""Validation: schemas as data, issues as values, every one pointing at its cell."""

from addin.validate.engine import Validation, check_across, check_sheet, finish
from addin.validate.headers import find_source
from addin.validate.report import Reporter
from addin.validate.schema import BookSpec, ColumnSpec, SchemaError, SheetSpec, build_schemas

__all__ = [
    "BookSpec",
    "ColumnSpec",
    "Reporter",
    "SchemaError",
    "SheetSpec",
    "Validation",
    "build_schemas",
    "check_across",
    "check_sheet",
    "find_source",
    "finish",
]
