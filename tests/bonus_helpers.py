"""A company folder with a hand-written staff.xlsx that has a Bonuses 賞与 sheet; the vectors of
rules/jp/test_vectors_year.csv by id."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from addin.services.company import load_company
from tests.blank_company import init_copy
from addin.outputs.master_books import write_book

ROOT = Path(__file__).resolve().parents[1]


def vector(vector_id: str) -> dict:
    """A row of rules/jp/test_vectors_year.csv with its inputs as a dict (key=value; bare words as True)."""
    with open(ROOT / "rules" / "jp" / "test_vectors_year.csv", encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["id"] == vector_id)
    inputs = {}
    for part in re.split(r";\s*", row["inputs"]):
        key, _, value = part.partition("=")
        inputs[key.strip()] = int(value) if value.strip().isdigit() else (value.strip() or True)
    return {**row, "inputs": inputs}


def last_number(text: str) -> int:
    """The figure a worked example arrives at: the first number after its last "=" or "->"
    ("… = 9564 (1円未満切捨て)" → 9564), else its last number."""
    tail = re.split(r"=|->", text.replace(",", ""))[-1]
    return int(re.findall(r"\d+", tail)[0])


def company_with_bonuses(
    root: Path,
    staff: list[dict],
    bonuses: list[dict],
    attendance: list[dict] = (),
    allowances: list[dict] = (),
    settings_text: str | None = None,
):
    root.mkdir(parents=True, exist_ok=True)
    init_copy(root)
    if settings_text is not None:
        (root / "backoffice.toml").write_text(settings_text, encoding="utf-8")
    company = load_company(root)
    write_book(
        company.book_path("staff"),
        company.books["staff"],
        {"staff": staff, "attendance": list(attendance), "allowances": list(allowances), "bonuses": list(bonuses)},
    )
    return company
