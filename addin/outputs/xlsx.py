"""Every workbook the product writes starts here: user text stays inert (never a formula or a link),
and a fixed creation time makes the same content give the same bytes (reruns, tests, backups)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

FIXED_CREATED = dt.datetime(2000, 1, 1)


def new_workbook(path: Path, constant_memory: bool = False, **properties) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": constant_memory}
    )
    wb.set_properties({"created": FIXED_CREATED, **properties})
    return wb
