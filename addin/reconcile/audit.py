"""The change audit: a snapshot of every master table per night, and what changed since the last
successful run — row by row and field by field, salaries, bank accounts and prices first."""

from __future__ import annotations

import pandas as pd

from addin.model import Table, column_letter
from addin.model.privacy import mask

#: sheets compared row by row on their key; the others as sets of rows (added / removed)
KEYS = {("staff", "staff"): "employee_id", ("stock", "items"): "sku", ("vendors", "vendors"): "vendor_id",
        ("sales", "customers"): "customer_id"}


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def snapshot(tables: dict[tuple[str, str], Table]) -> dict[tuple[str, str], dict]:
    """Per sheet: where each field sits, and its rows — keyed sheets as {key: {field: text, "_row": n}},
    the others as {row digest: excel row}."""
    out = {}
    for name, table in tables.items():
        frame = table.frame
        if name in KEYS:
            key = KEYS[name]
            texts = frame.map(_text)
            records = texts.assign(_row=[int(r) for r in table.rows]).to_dict("records")
            rows = {row[key]: row for row in records if row[key]}
        else:
            digests = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
            rows = {format(int(d), "x"): int(r) for d, r in zip(digests, table.rows)}
        out[name] = {"columns": dict(table.columns), "rows": rows}
    return out


def _shown(field: str, value: str, personal: set[str]) -> str:
    return mask(value) if field in personal and value else value


def changes(before: dict, after: dict, books: dict, personal: set[str], priority: list[str]) -> list[dict]:
    """Each change: book, sheet, key, field, before, after, cell (in tonight's book), kind."""
    found = []
    for name, tonight in after.items():
        if name not in before:
            continue
        now, then, columns = tonight["rows"], before[name]["rows"], tonight["columns"]
        book, sheet = name
        spec = books[book].sheets[sheet]
        file, title = books[book].file, spec.display_name
        if name in KEYS:
            for key in sorted(set(now) | set(then)):
                old, new = then.get(key), now.get(key)
                if old is None:
                    found.append({"book": file, "sheet": title, "key": key, "field": "", "kind": "added",
                                  "before": "", "after": "", "cell": f"A{new['_row']}"})
                elif new is None:
                    found.append({"book": file, "sheet": title, "key": key, "field": "", "kind": "removed",
                                  "before": "", "after": "", "cell": ""})
                else:
                    for field in spec.columns:
                        if old.get(field, "") != new.get(field, ""):
                            found.append({"book": file, "sheet": title, "key": key, "field": field, "kind": "changed",
                                          "before": _shown(field, old.get(field, ""), personal),
                                          "after": _shown(field, new.get(field, ""), personal),
                                          "cell": _cell(columns, field, new["_row"])})
        else:
            added = set(now) - set(then)
            removed = set(then) - set(now)
            for digest in sorted(added, key=now.get):
                found.append({"book": file, "sheet": title, "key": "", "field": "", "kind": "added", "before": "",
                              "after": "", "cell": f"A{now[digest]}"})
            if removed:
                found.append({"book": file, "sheet": title, "key": "", "field": "", "kind": "removed",
                              "before": str(len(removed)), "after": "", "cell": ""})
    rank = {field: i for i, field in enumerate(priority)}
    found.sort(key=lambda c: (rank.get(c["field"], len(rank)), c["book"], c["sheet"], c["key"], c["field"]))
    return found


def _cell(columns: dict[str, int], field: str, row: int) -> str:
    return f"{column_letter(columns[field])}{row}" if field in columns else f"{row}:{row}"
