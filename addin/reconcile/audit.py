"""The change audit: a snapshot of every master table per night, and what changed since the last
successful run — row by row and field by field, salaries, bank accounts and prices first."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection

import numpy as np
import pandas as pd

from addin.model import Table, column_letter
from addin.model.privacy import mask


def keys_of(books: dict) -> dict[tuple[str, str], str]:
    """The sheets compared row by row on their key — those whose schema names a `key:` (rules/schemas/*.yaml,
    or a company's DIR/rules) — and that key; the other sheets are compared as sets of rows."""
    return {(book, sheet): spec.key for book, b in books.items() for sheet, spec in b.sheets.items() if spec.key}


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


#: a personal field in a stored snapshot: its mask (what a report may show) and a keyed digest
DIGEST_MARK = "\x1f"


def keyed_digest(secret: bytes, value: str) -> str:
    """Enough to see that a personal value changed, never the value (HMAC with the company key)."""
    if not value:
        return ""
    return mask(value) + DIGEST_MARK + hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def _row_key(secret: bytes) -> str:
    """pandas' row hash takes a 16-character key: derived from the company key, so a stored digest of a
    low-entropy row (hours, an allowance) cannot be matched by hashing guesses without it."""
    return hashlib.sha256(b"rows:" + secret).hexdigest()[:16] if secret else "0123456789123456"


def snapshot(
    tables: dict[tuple[str, str], Table],
    keys: dict[tuple[str, str], str],
    personal: Collection[str] = frozenset(),
    secret: bytes = b"",
) -> dict[tuple[str, str], dict]:
    """Per sheet: where each field sits, and its rows — keyed sheets as {key: {field: text, "_row": n}},
    the others as {row digest: excel row}. Personal fields are stored as keyed digests, not values."""
    out: dict[tuple[str, str], dict] = {}
    for name, table in tables.items():
        frame = table.frame
        if name in keys:
            key = keys[name]
            texts = frame.map(_text)
            for field in set(texts.columns) & set(personal) - {key}:
                texts[field] = texts[field].map(lambda value: keyed_digest(secret, value))
            records = texts.assign(_row=[int(r) for r in table.rows]).to_dict("records")
            out[name] = {"columns": dict(table.columns), "rows": {row[key]: row for row in records if row[key]}}
        else:  # transactional sheets: one 64-bit digest per row, compared as sets
            digests = pd.util.hash_pandas_object(frame, index=False, hash_key=_row_key(secret)).to_numpy(
                dtype=np.uint64
            )
            out[name] = {
                "columns": dict(table.columns),
                "digests": digests,
                "row_numbers": np.asarray(table.rows, dtype=np.int64),
            }
    return out


def _shown(field: str, value: str, personal: set[str]) -> str:
    if DIGEST_MARK in value:
        return value.split(DIGEST_MARK)[0]
    return mask(value) if field in personal and value else value


def changes(before: dict, after: dict, books: dict, personal: set[str], priority: list[str]) -> list[dict]:
    """Each change: book, sheet, key, field, before, after, cell (in tonight's book), kind."""
    found = []
    for name, tonight in after.items():
        if name not in before:
            continue
        book, sheet = name
        spec = books[book].sheets[sheet]
        file, title = books[book].file, spec.display_name
        keyed = "rows" in tonight  # a sheet whose schema names a key (keys_of)
        if keyed != ("rows" in before[name]):
            continue  # its key was added to or removed from the rules since: compared from tonight on
        if not keyed:
            found += _row_sets(before[name], tonight, file, title)
            continue
        now, then, columns = tonight["rows"], before[name]["rows"], tonight["columns"]
        for key in sorted(set(now) | set(then)):
            old, new = then.get(key), now.get(key)
            if old is None:
                found.append(
                    {
                        "book": file,
                        "sheet": title,
                        "key": key,
                        "field": "",
                        "kind": "added",
                        "before": "",
                        "after": "",
                        "cell": f"A{new['_row']}",
                    }
                )
            elif new is None:
                found.append(
                    {
                        "book": file,
                        "sheet": title,
                        "key": key,
                        "field": "",
                        "kind": "removed",
                        "before": "",
                        "after": "",
                        "cell": "",
                    }
                )
            else:
                for field in spec.columns:
                    if old.get(field, "") != new.get(field, ""):
                        found.append(
                            {
                                "book": file,
                                "sheet": title,
                                "key": key,
                                "field": field,
                                "kind": "changed",
                                "before": _shown(field, old.get(field, ""), personal),
                                "after": _shown(field, new.get(field, ""), personal),
                                "cell": _cell(columns, field, new["_row"]),
                            }
                        )
    rank = {field: i for i, field in enumerate(priority)}
    found.sort(key=lambda c: (rank.get(c["field"], len(rank)), c["book"], c["sheet"], c["key"], c["field"]))
    return found


def _row_sets(then: dict, now: dict, file: str, title: str) -> list[dict]:
    """Rows of a transactional sheet that appeared (with their rows) and how many disappeared."""
    added = ~np.isin(now["digests"], then["digests"])
    removed = int((~np.isin(then["digests"], now["digests"])).sum())
    found = [
        {
            "book": file,
            "sheet": title,
            "key": "",
            "field": "",
            "kind": "added",
            "before": "",
            "after": "",
            "cell": f"A{row}",
        }
        for row in now["row_numbers"][added].tolist()
    ]
    if removed:
        found.append(
            {
                "book": file,
                "sheet": title,
                "key": "",
                "field": "",
                "kind": "removed",
                "before": str(removed),
                "after": "",
                "cell": "",
            }
        )
    return found


def _cell(columns: dict[str, int], field: str, row: int) -> str:
    return f"{column_letter(columns[field])}{row}" if field in columns else f"{row}:{row}"
