"""The journal (仕訳) table of .backoffice/state.db: entries are appended, never changed or deleted
(SQLite triggers refuse it). Posting the same source again adds nothing; a source whose figures
changed gets a reversing entry and its corrected version, both new rows."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from json.encoder import encode_basestring
from pathlib import Path
from typing import NamedTuple

from addin.books.journal import Entry, Line, reversal_of
from addin.state.files import connect, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS journal_entries (
    seq INTEGER PRIMARY KEY,
    entry_id TEXT NOT NULL UNIQUE,
    source_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    entry_date TEXT NOT NULL,
    reverses TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    run TEXT NOT NULL,
    posted_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_by_date ON journal_entries(entry_date);
CREATE INDEX IF NOT EXISTS journal_by_source ON journal_entries(source_key);
CREATE TRIGGER IF NOT EXISTS journal_immutable BEFORE UPDATE ON journal_entries
BEGIN SELECT RAISE(ABORT, 'a posted journal entry is never changed: post a reversing entry'); END;
CREATE TRIGGER IF NOT EXISTS journal_kept BEFORE DELETE ON journal_entries
BEGIN SELECT RAISE(ABORT, 'a posted journal entry is never deleted'); END;
"""


def _canonical(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_quote = encode_basestring  # what _encode does to a str (ensure_ascii=False): the same function

# An entry's figures, written out with the keys in sorted order (what _encode gives when every value has
# the type declared on Entry, Source and Line): a year of entries is encoded ~3× faster than by walking
# and sorting each dict. Any other value (None, a bool, a float …) takes the plain encoder.
_FIGURES = '{"date":%s,"description":%s,"lines":[%s],"reverses":%s,"source":{"document":%s,"kind":%s,"run":%s}}'
_LINE = (
    '{"account":%s,"amount":%d,"cell":%s,"memo":%s,"party":%s,"side":%s,"sub":%s,"tax":%s,'
    '"tax_amount":%d,"tax_posted":%d}'
)


def _line_json(line: Line) -> str:
    if not type(line.amount) is type(line.tax_amount) is type(line.tax_posted) is int:
        raise TypeError("not an int")  # %d would print a bool as 1 and cut a float
    return _LINE % (
        _quote(line.account),
        line.amount,
        _quote(line.cell),
        _quote(line.memo),
        _quote(line.party),
        _quote(line.side),
        _quote(line.sub),
        _quote(line.tax),
        line.tax_amount,
        line.tax_posted,
    )


def _figures_json(entry: Entry) -> str:
    """_canonical(entry.content()) without entry_id."""
    try:
        source = entry.source
        return _FIGURES % (
            _quote(entry.date.isoformat()),
            _quote(entry.description),
            ",".join(map(_line_json, entry.lines)),
            _quote(entry.reverses),
            _quote(source.document),
            _quote(source.kind),
            _quote(source.run),
        )
    except TypeError:  # encode_basestring refuses a non-str; _encode writes or refuses it as json does
        return _encode(
            {
                "date": entry.date.isoformat(),
                "description": entry.description,
                "lines": [vars(line) for line in entry.lines],
                "reverses": entry.reverses,
                "source": vars(entry.source),
            }
        )


class _Encoded(NamedTuple):  # a tuple, not a frozen dataclass: one is made per entry posted
    """An entry's canonical JSON in its two forms from one encoding: the figures the hash covers
    (_canonical(entry.content()) without entry_id) and the stored content, the same with entry_id in
    its sorted place (after "description", before "lines"). Inside a JSON string every quote is
    escaped, so the first ',"lines":' is the key's; tests compare both with _canonical."""

    figures: str
    entry_id: str

    @classmethod
    def of(cls, entry: Entry) -> "_Encoded":
        return cls(_figures_json(entry), entry.entry_id)

    @property
    def content(self) -> str:
        at = self.figures.index(',"lines":')
        entry_id = _quote(self.entry_id) if type(self.entry_id) is str else _encode(self.entry_id)
        return f'{self.figures[:at]},"entry_id":{entry_id}{self.figures[at:]}'

    @property
    def digest(self) -> str:
        """What decides whether a source changed: date, lines and description (not the version suffix)."""
        return hashlib.sha256(self.figures.encode("utf-8")).hexdigest()

    def renamed(self, entry_id: str) -> "_Encoded":
        return _Encoded(self.figures, entry_id)


def _figures_hash(entry: Entry) -> str:
    return _Encoded.of(entry).digest


@dataclass
class Posting:
    added: list[Entry] = field(default_factory=list)  # new entries, corrections included
    reversed: list[Entry] = field(default_factory=list)  # reversing entries posted for changed sources
    unchanged: int = 0
    # posted entry_id → the in-memory entry whose figures that row holds (same hash), so reading the
    # journal back need not decode what this posting already has
    known: dict[str, Entry] = field(default_factory=dict)


class JournalStore:
    def __init__(self, path: Path):
        self.db = connect(Path(path))  # salaries are inside: owner-only, -wal and -shm too
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def _current(self) -> dict[str, tuple[str | None, str, int]]:
        """source_key → (entry_id, figures hash, version) of its latest version; entry_id None when
        that version has been reversed."""
        reversed_ids = {r[0] for r in self.db.execute("SELECT reverses FROM journal_entries WHERE reverses != ''")}
        live = {}
        for entry_id, key, digest, version in self.db.execute(
            "SELECT entry_id, source_key, content_hash, version FROM journal_entries WHERE reverses = '' ORDER BY seq"
        ):
            live[key] = (None if entry_id in reversed_ids else entry_id, digest, version)
        return live

    def post(self, entries: list[Entry], run: str, reason: str = "source changed") -> Posting:
        """Append what is new; reverse and re-post what changed; one transaction, rows inserted in
        batches."""
        posting = Posting()
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows: list[tuple] = []
        with transaction(self.db):
            live = self._current()
            for entry in entries:
                encoded = _Encoded.of(entry)
                digest = encoded.digest
                entry_id, known, version = live.get(entry.entry_id, (None, "", 0))
                if entry_id is not None and known == digest:
                    posting.unchanged += 1
                    posting.known[entry_id] = entry if entry_id == entry.entry_id else _renamed(entry, entry_id)
                    continue
                if entry_id is not None:
                    self._insert_rows(rows)  # the entry to reverse may be among the rows not yet inserted
                    undo = reversal_of(self.get(entry_id), f"{entry_id}~reversed", reason)
                    rows.append(_row(undo, _Encoded.of(undo), entry.entry_id, version, "", run, now))
                    posting.reversed.append(undo)
                version += 1
                posted = entry if version == 1 else _renamed(entry, f"{entry.entry_id}#{version}")
                stored = encoded if version == 1 else encoded.renamed(posted.entry_id)
                rows.append(_row(posted, stored, entry.entry_id, version, digest, run, now))
                posting.added.append(posted)
                posting.known[posted.entry_id] = posted
                live[entry.entry_id] = (posted.entry_id, digest, version)
            self._insert_rows(rows)
        return posting

    def _insert_rows(self, rows: list[tuple]) -> None:
        self.db.executemany(
            "INSERT INTO journal_entries (entry_id, source_key, version, kind, entry_date, reverses, content,"
            " content_hash, run, posted_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        rows.clear()

    def get(self, entry_id: str) -> Entry:
        row = self.db.execute("SELECT content FROM journal_entries WHERE entry_id = ?", (entry_id,)).fetchone()
        return Entry.from_content(json.loads(row[0]))

    def entries(
        self, until: date | None = None, since: date | None = None, known: dict[str, Entry] | None = None
    ) -> list[Entry]:
        """Every posted entry (reversals included) in date order, then posting order. `known`
        (Posting.known) supplies entries already in memory; only the others are decoded."""
        where, args = " FROM journal_entries WHERE 1=1", list[str]()
        if since is not None:
            where, args = where + " AND entry_date >= ?", args + [since.isoformat()]
        if until is not None:
            where, args = where + " AND entry_date <= ?", args + [until.isoformat()]
        order = " ORDER BY entry_date, seq"
        if not known:
            return [
                Entry.from_content(json.loads(c)) for (c,) in self.db.execute("SELECT content" + where + order, args)
            ]
        # the order first, then the content of only the entries not in memory (a year's journal is ~10⁸
        # characters: not made into Python strings only to be dropped)
        rows = self.db.execute("SELECT entry_id, seq" + where + order, args).fetchall()
        decoded = self._decoded([seq for entry_id, seq in rows if entry_id not in known])
        return [known.get(entry_id) or decoded[seq] for entry_id, seq in rows]

    def _decoded(self, seqs: list[int], batch: int = 500) -> dict[int, Entry]:
        out = {}
        for at in range(0, len(seqs), batch):
            chunk = seqs[at : at + batch]
            marks = ",".join("?" * len(chunk))
            for seq, content in self.db.execute(
                f"SELECT seq, content FROM journal_entries WHERE seq IN ({marks})", chunk
            ):
                out[seq] = Entry.from_content(json.loads(content))
        return out

    def net(self, account: str, until: date, sub: str | None = None) -> int:
        """Debits − credits of an account (and sub-account) over every posted line dated up to a day,
        summed by SQLite over the stored lines: a worksheet cell asking one balance does not decode
        the whole journal."""
        sql = (
            "SELECT COALESCE(SUM(CASE json_extract(l.value, '$.side') WHEN 'debit' THEN 1 ELSE -1 END"
            " * json_extract(l.value, '$.amount')), 0) FROM journal_entries e, json_each(e.content, '$.lines') l"
            " WHERE e.entry_date <= ? AND json_extract(l.value, '$.account') = ?"
        )
        args = [until.isoformat(), account]
        if sub is not None:
            sql, args = sql + " AND json_extract(l.value, '$.sub') = ?", args + [sub]
        return int(self.db.execute(sql, args).fetchone()[0])

    def source_keys(self, kind: str | None = None) -> set[str]:
        sql = "SELECT DISTINCT source_key FROM journal_entries WHERE reverses = ''"
        rows = self.db.execute(sql + " AND kind = ?", (kind,)) if kind else self.db.execute(sql)
        return {r[0] for r in rows}

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM journal_entries").fetchone()[0]


def _renamed(entry: Entry, entry_id: str) -> Entry:
    return Entry(entry_id, entry.date, entry.description, entry.source, entry.lines, entry.reverses)


def _row(entry: Entry, encoded: _Encoded, source_key: str, version: int, digest: str, run: str, now: str) -> tuple:
    """One journal_entries row; a reversal (no digest given) is stored with the hash of its own figures."""
    return (
        entry.entry_id,
        source_key,
        version,
        entry.source.kind,
        entry.date.isoformat(),
        entry.reverses,
        encoded.content,
        digest or encoded.digest,
        run,
        now,
    )
