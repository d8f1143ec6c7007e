"""The journal store's fast paths keep every stored byte: the lines built without the dataclass
__init__, the content and hash encoded by hand and the batched inserts give exactly what the plain
definitions (dataclasses.asdict, json.dumps with sorted keys, one INSERT per entry) give."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict
from datetime import date

from addin.books import Entry, Line, Source
from addin.books.journal import credit, debit, make_entry, new_line
from addin.books.sources import BooksSettings, invoice_entries, stock_entries
from addin.state.journal import JournalStore

EXCLUSIVE = BooksSettings()
INVOICE = {
    "invoice_no": "INV-000001",
    "kind": "invoice",
    "issue_date": "2026-03-10",
    "total": 110_000 + 90_180,
    "customer": {"customer_id": "C1", "name": '株式会社 "引用" \\ 商事\t'},
    "by_rate": {"10": {"subtotal": 100_000, "tax": 10_000}, "8": {"subtotal": 83_500, "tax": 6_680}},
}


def _reference(entry: Entry, with_id: bool = True) -> str:
    """The canonical JSON by the plain definition: every field, keys sorted, compact, UTF-8 kept."""
    content = {
        "entry_id": entry.entry_id,
        "date": entry.date.isoformat(),
        "description": entry.description,
        "source": asdict(entry.source),
        "reverses": entry.reverses,
        "lines": [asdict(line) for line in entry.lines],
    }
    if not with_id:
        content.pop("entry_id")
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_a_line_built_fast_is_the_line_the_dataclass_builds():
    fields = dict(sub="源泉所得税", tax="purchase_10", tax_amount=9, tax_posted=9, party="V1", cell="B!C3", memo="m")
    fast, plain = new_line("bank_fees", "debit", 91, **fields), Line("bank_fees", "debit", 91, **fields)
    assert fast == plain and hash(fast) == hash(plain)
    assert list(vars(fast).items()) == list(vars(plain).items())
    assert debit("bank", 5) == Line("bank", "debit", 5) and credit("bank", 5) == Line("bank", "credit", 5)


def _stored(path) -> list[tuple[str, str, str]]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT entry_id, content, content_hash FROM journal_entries ORDER BY seq").fetchall()
    finally:
        db.close()


def test_stored_content_and_hash_are_the_plain_canonical_json(tmp_path):
    path = tmp_path / "state.db"
    credit_note = {**INVOICE, "invoice_no": "CN-000001", "kind": "credit_note", "total": -1_100}
    credit_note["by_rate"] = {"10": {"subtotal": -1_000, "tax": -100}}
    odd = make_entry(
        'manual:"1"',
        date(2026, 3, 31),
        'line\nbreak "quoted" \\ back \u2028 ✓ ,"lines":[ "entry_id":',
        Source("stock", "run \x01", "doc"),
        [debit("inventory", 7, memo="\x7f"), credit("closing_inventory", 7)],
    )
    first = invoice_entries([INVOICE, credit_note], EXCLUSIVE) + stock_entries(date(2026, 3, 31), 500, "s") + [odd]
    store = JournalStore(path)
    store.post(first, "run 1")
    # a changed source: reversal (hashed over its own figures) and a renamed version #2
    store.post(stock_entries(date(2026, 3, 31), 600, "s"), "run 2")
    posted = store.entries()
    store.close()
    rows = _stored(path)
    assert len(rows) == len(first) + 4
    by_id = {e.entry_id: e for e in posted}
    for entry_id, content, digest in rows:
        entry = by_id[entry_id]
        assert content == _reference(entry)
        assert digest == hashlib.sha256(_reference(entry, with_id=False).encode("utf-8")).hexdigest()


def test_the_same_source_twice_in_one_posting_reverses_the_row_not_yet_flushed(tmp_path):
    store = JournalStore(tmp_path / "state.db")
    five, six = stock_entries(date(2026, 3, 31), 500, "s")[0], stock_entries(date(2026, 3, 31), 600, "s")[0]
    posting = store.post([five, six], "run")
    assert [e.entry_id for e in posting.added] == ["stock:2026-03-31", "stock:2026-03-31#2"]
    assert [e.reverses for e in posting.reversed] == ["stock:2026-03-31"]
    assert store.count() == 3
    store.close()


def test_the_register_gives_the_books_only_the_fields_they_read(tmp_path):
    from addin.services.books import DOCUMENT_FIELDS
    from addin.state.register import InvoiceRegister

    register = InvoiceRegister(tmp_path / "state.db")
    lines = [{"item": '商品 "A"', "qty": 3, "unit_price": 1.5}]
    for kind, key in (("invoice", "L1"), ("credit_note", "L2")):
        register.issue(
            lambda number, kind=kind: {**INVOICE, "invoice_no": number, "kind": kind, "lines": lines, "note": None},
            "INV-",
            6,
            [key],
        )
    full, picked = register.all(), register.fields(DOCUMENT_FIELDS)
    register.close()
    assert [doc["kind"] for doc in picked] == ["invoice", "credit_note"]
    for doc, fields in zip(full, picked, strict=True):
        assert fields == {k: doc[k] for k in DOCUMENT_FIELDS}
    assert register_without_field(tmp_path) == [{"invoice_no": "INV-000001"}]


def register_without_field(tmp_path) -> list[dict]:
    """A field a document does not have stays absent (a KeyError where it is needed), not None."""
    from addin.state.register import InvoiceRegister

    register = InvoiceRegister(tmp_path / "other.db")
    bare = {k: INVOICE[k] for k in ("kind", "customer", "issue_date")}
    register.issue(lambda number: {**bare, "invoice_no": number}, "INV-", 6, ["K"])
    try:
        return register.fields(("invoice_no", "by_rate"))
    finally:
        register.close()


def test_values_of_another_type_are_encoded_as_plain_json_would():
    """The fast encoder writes str and int fields itself; a bool, a float or None (never built by the
    sources, but possible in a hand-made entry) must still come out as json.dumps writes it."""
    from addin.state.journal import _Encoded

    odd_lines = (
        Line("bank", "debit", True, memo=None),  # type: ignore[arg-type]
        Line("bank", "credit", 1.5, tax_amount=2),  # type: ignore[arg-type]
    )
    for lines in [odd_lines[:1], odd_lines[1:], (Line("bank", "debit", 3, sub='補助 "x" \\ \x00 \U0001f600'),)]:
        entry = Entry("manual:1", date(2026, 3, 31), "摘要", Source("stock", "r", "d"), lines)
        encoded = _Encoded.of(entry)
        assert encoded.figures == _reference(entry, with_id=False)
        assert encoded.content == _reference(entry)


def test_reading_back_with_some_entries_in_memory_gives_what_decoding_everything_gives(tmp_path):
    store = JournalStore(tmp_path / "state.db")
    first = invoice_entries([INVOICE], EXCLUSIVE) + stock_entries(date(2026, 3, 31), 500, "s")
    store.post(first, "run 1")
    posting = store.post(stock_entries(date(2026, 3, 31), 600, "s"), "run 2")  # a reversal and a version #2
    decoded = store.entries()
    some = {e.entry_id: e for e in decoded[::2]}
    for known in (some, posting.known):
        mixed = store.entries(known=known)
        assert [e.entry_id for e in mixed] == [e.entry_id for e in decoded] and mixed == decoded
        assert all(a is known[a.entry_id] for a in mixed if a.entry_id in known)
    assert store.entries(since=date(2026, 4, 1), known=some) == store.entries(since=date(2026, 4, 1))
    store.close()
