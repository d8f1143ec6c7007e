"""The invoice register: gapless numbers allocated in a transaction, immutable content sealed by a
keyed hash chain, and the order lines each invoice covers (so nothing is invoiced twice).

The seal of each row is an HMAC with the company's secret (kept outside the database), over the
previous seal, the content hash and the links the row was issued with; `status`, the inverse links and
`invoiced_lines` are derived from sealed content, so `verify` recomputes them and names any edit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from addin.invoicing.document import canonical, content_hash
from addin.state.files import STATE as STATE_FOLDER
from addin.state.files import company_secret, connect, read_secret, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS invoices (
    seq INTEGER PRIMARY KEY,
    invoice_no TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    content TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    chain_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'issued',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS invoiced_lines (
    line_key TEXT PRIMARY KEY,
    invoice_no TEXT NOT NULL REFERENCES invoices(invoice_no)
);
CREATE TABLE IF NOT EXISTS links (
    invoice_no TEXT NOT NULL,
    relation TEXT NOT NULL,
    other_no TEXT NOT NULL,
    PRIMARY KEY (invoice_no, relation, other_no)
);
CREATE TABLE IF NOT EXISTS line_key_map (
    old_key TEXT PRIMARY KEY,
    new_key TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS adoptions (
    adopted_at TEXT NOT NULL,
    rows INTEGER NOT NULL,
    old_head TEXT NOT NULL,
    new_head TEXT NOT NULL,
    key_map TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS invoices_immutable BEFORE UPDATE OF seq, invoice_no, kind, customer_id, issue_date,
    content, content_hash, chain_hash, created_at ON invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice is never changed: issue a credit note'); END;
CREATE TRIGGER IF NOT EXISTS invoices_kept BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice is never deleted'); END;
"""


IMMUTABLE_TRIGGER = SCHEMA[
    SCHEMA.index("CREATE TRIGGER IF NOT EXISTS invoices_immutable") : SCHEMA.index(
        "CREATE TRIGGER IF NOT EXISTS invoices_kept"
    )
].strip()


class RegisterProblem(Exception):
    pass


def plain_chain(previous: str, digest: str) -> str:
    """The seal before the keyed one (up to commit 7fa11fa): SHA-256 over the previous seal and the
    content hash. Anyone could recompute it, so it is only ever checked once, when adopting."""
    return hashlib.sha256(f"{previous}:{digest}".encode()).hexdigest()


def adopt_command(folder: Path) -> str:
    return f"backoffice verify {folder} --adopt"


def _unsealed_message(folder: Path) -> str:
    return (
        f"台帳は旧方式（鍵なしのハッシュ連鎖）で記録されています。{adopt_command(folder)} "
        "で旧連鎖を検証して鍵で封印し直してください / "
        f"the register was sealed the old way (plain hash chain): run `{adopt_command(folder)}` to verify the old "
        f"chain and seal it with the company key"
    )


def _lost_key_message(folder: Path) -> str:
    return (
        f"register.key がないため台帳を検証できません。バックアップから {STATE_FOLDER}/register.key を戻してください / "
        f"register.key is missing: the register cannot be verified; restore {STATE_FOLDER}/register.key from a backup"
    )


@dataclass(frozen=True)
class Finding:
    invoice_no: str
    code: str  # tampered / chain_broken / gap / duplicate
    detail: str


FORWARD = ("credits", "replaces")  # links a row is issued with (sealed); their inverses are derived


def seal(secret: bytes, previous: str, digest: str, links: list[tuple[str, str]]) -> str:
    """Each register row seals the one before it, keyed: a changed, removed or resealed row is seen."""
    message = f"{previous}:{digest}:{canonical(sorted(map(list, links)))}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


class InvoiceRegister:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = connect(self.path)
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self.secret = read_secret(self.path.parent)
        if self.secret is None and self.count() == 0:
            self.secret = company_secret(self.path.parent)

    @property
    def company_folder(self) -> Path:
        return self.path.parent.parent

    def unsealed(self) -> bool:
        """A register written before the keyed seal: some row carries the plain chain hash over the
        stored seal before it (a keyed seal never does; one edited row does not hide the others)."""
        previous = ""
        for digest, chained in self.db.execute("SELECT content_hash, chain_hash FROM invoices ORDER BY seq"):
            if chained == plain_chain(previous, digest):
                return True
            previous = chained
        return False

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM invoices").fetchone()[0])

    def head(self) -> tuple[int, str]:
        """(number of rows, seal of the last row): what anchors outside the database remember."""
        row = self.db.execute("SELECT seq, chain_hash FROM invoices ORDER BY seq DESC LIMIT 1").fetchone()
        return (0, "") if row is None else (self.count(), row[1])

    def seal_at(self, count: int) -> str | None:
        row = self.db.execute("SELECT chain_hash FROM invoices ORDER BY seq LIMIT 1 OFFSET ?", (count - 1,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One writer at a time (BEGIN IMMEDIATE); a failure rolls the numbers back with the rows."""
        with transaction(self.db) as db:
            yield db

    def invoiced_keys(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT line_key FROM invoiced_lines")}

    def numbers(self) -> set[str]:
        """Every invoice and credit-note number the register holds, whatever its status."""
        return {row[0] for row in self.db.execute("SELECT invoice_no FROM invoices")}

    def content_hashes(self) -> dict[str, str]:
        """Invoice number → the digest of its sealed content (printed in summaries beside each document)."""
        return dict(self.db.execute("SELECT invoice_no, content_hash FROM invoices"))

    def issued_invoiced_lines(self) -> list[tuple[str, str]]:
        """(invoice number, order line key) of every line billed by an invoice still issued."""
        return self.db.execute(
            "SELECT l.invoice_no, l.line_key FROM invoiced_lines l JOIN invoices i USING (invoice_no)"
            " WHERE i.status = 'issued'"
        ).fetchall()

    def issue(
        self,
        build: Callable[[str], dict],
        prefix: str,
        digits: int,
        line_keys: list[str],
        links: list[tuple[str, str]] = (),
        releases: str | None = None,
    ) -> dict:
        """Allocate the next number, seal and store the content `build(number)` returns, claim its lines.

        A credit note `releases` the invoice it cancels in the same transaction (status and freed lines),
        so no crash can leave a credit note beside an invoice still marked issued."""
        if self.unsealed():
            raise RegisterProblem(_unsealed_message(self.company_folder))
        if self.secret is None:
            raise RegisterProblem(f"{self.path.parent / 'register.key'}: {_lost_key_message(self.company_folder)}")
        with self.transaction() as db:
            taken = _claimed(db, line_keys)
            if taken:
                raise RegisterProblem(
                    f"{', '.join(taken[:3])}: 別の実行が先に請求しました。もう一度実行してください / "
                    f"already invoiced by a concurrent run: run again"
                )
            seq, previous = db.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1, (SELECT chain_hash FROM invoices ORDER BY seq DESC LIMIT 1) FROM "
                "invoices"
            ).fetchone()
            number = f"{prefix}{seq:0{digits}d}"
            content = build(number)
            digest = content_hash(content)
            db.execute(
                "INSERT INTO invoices (seq, invoice_no, kind, customer_id, issue_date, content, content_hash,"
                " chain_hash, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    seq,
                    number,
                    content["kind"],
                    content["customer"]["customer_id"],
                    content["issue_date"],
                    canonical(content),
                    digest,
                    seal(self.secret, previous or "", digest, list(links)),
                    datetime.now(timezone.utc).isoformat(timespec="seconds"),
                ),
            )
            db.executemany(
                "INSERT INTO invoiced_lines (line_key, invoice_no) VALUES (?, ?)", [(key, number) for key in line_keys]
            )
            for relation, other in links:
                db.execute("INSERT INTO links VALUES (?, ?, ?)", (number, relation, other))
                db.execute("INSERT INTO links VALUES (?, ?, ?)", (other, _inverse(relation), number))
            if releases:
                db.execute("UPDATE invoices SET status = 'corrected' WHERE invoice_no = ?", (releases,))
                db.execute("DELETE FROM invoiced_lines WHERE invoice_no = ?", (releases,))
            return content

    def release(self, invoice_no: str, status: str = "corrected") -> None:
        """Mark an invoice corrected and free its order lines for a replacement invoice."""
        with self.transaction() as db:
            db.execute("UPDATE invoices SET status = ? WHERE invoice_no = ?", (status, invoice_no))
            db.execute("DELETE FROM invoiced_lines WHERE invoice_no = ?", (invoice_no,))

    def get(self, invoice_no: str) -> dict | None:
        row = self.db.execute("SELECT content, status FROM invoices WHERE invoice_no = ?", (invoice_no,)).fetchone()
        if row is None:
            return None
        return {**json.loads(row[0]), "status": row[1], "links": self.links(invoice_no)}

    def links(self, invoice_no: str) -> list[dict]:
        return [
            {"relation": r, "invoice_no": o}
            for r, o in self.db.execute(
                "SELECT relation, other_no FROM links WHERE invoice_no = ? ORDER BY other_no", (invoice_no,)
            )
        ]

    def all(self) -> list[dict]:
        rows = self.db.execute("SELECT invoice_no FROM invoices ORDER BY seq").fetchall()
        return [self.get(row[0]) for row in rows]

    def fields(self, names: tuple[str, ...]) -> list[dict]:
        """Every document in issue order with only the named top-level fields (one absent stays absent),
        picked out by SQLite: a reader that needs a few figures of every invoice (the books) does not
        decode every line of every document. `names` come from code, never from input."""
        picks = ", ".join(f"'{name}', json_extract(content, '$.{name}')" for name in names)
        rows = self.db.execute(f"SELECT json_object({picks}) FROM invoices ORDER BY seq")
        return [{k: v for k, v in json.loads(row[0]).items() if v is not None} for row in rows]

    def verify(self, prefix: str = "") -> list[Finding]:
        """Every row's content against its hash, the keyed chain, the numbering (no gaps, no duplicates),
        and what is derived from sealed content: status, inverse links and the invoiced lines."""
        old = (
            [Finding("", "key_missing" if self.secret is None else "unsealed", _unsealed_message(self.company_folder))]
            if self.unsealed()
            else []
        )
        if self.secret is None:
            return old or [Finding("", "key_missing", _lost_key_message(self.company_folder))]
        # with a key, every row not carrying its keyed seal is named too (a plain chain recomputed over a
        # sealed register is an edit; `--adopt` refuses it when an anchor saw the register sealed)
        keyed = self._rows(lambda previous, digest, links: seal(self.secret, previous, digest, links))
        return old + keyed + self._adoptions()

    def plain_findings(self) -> list[Finding]:
        """The old register checked fully the way it was written: every row's content hash, the plain
        link to the row before, the numbering, and status, links and invoiced lines as derived."""
        return self._rows(lambda previous, digest, links: plain_chain(previous, digest))

    def _rows(self, sealed: Callable[[str, str, list], str]) -> list[Finding]:
        findings, previous, expected = [], "", 1
        numbers, docs = set(), {}
        forward = self._links(FORWARD)
        for seq, number, content, digest, chained in self.db.execute(
            "SELECT seq, invoice_no, content, content_hash, chain_hash FROM invoices ORDER BY seq"
        ):
            if seq != expected:
                findings.append(Finding(number, "gap", f"sequence jumps from {expected - 1} to {seq}"))
            expected = seq + 1
            if number in numbers:
                findings.append(Finding(number, "duplicate", "number used twice"))
            numbers.add(number)
            docs[number] = json.loads(content)
            if content_hash(docs[number]) != digest:
                findings.append(Finding(number, "tampered", "content does not match its hash"))
            if not hmac.compare_digest(sealed(previous, digest, forward.get(number, [])), chained):
                findings.append(Finding(number, "chain_broken", "the seal over the previous row does not match"))
            previous = chained
        return findings + self._derived(docs, forward)

    def _links(self, relations) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = {}
        marks = ",".join("?" * len(relations))
        for number, relation, other in self.db.execute(
            f"SELECT invoice_no, relation, other_no FROM links WHERE relation IN ({marks})", relations
        ):
            out.setdefault(number, []).append((relation, other))
        return out

    def _derived(self, docs: dict[str, dict], forward: dict[str, list[tuple[str, str]]]) -> list[Finding]:
        """status, inverse links and invoiced_lines must be what the sealed rows say they are."""
        findings = []
        corrected = {d["corrects"] for d in docs.values() if d.get("kind") == "credit_note" and d.get("corrects")}
        for number, status in self.db.execute("SELECT invoice_no, status FROM invoices"):
            should = "corrected" if number in corrected else "issued"
            if status != should:
                findings.append(Finding(number, "status_edited", f"status is {status!r}, the register says {should!r}"))
        expected_links = {(n, r, o) for n, pairs in forward.items() for r, o in pairs}
        expected_links |= {(o, _inverse(r), n) for n, r, o in set(expected_links)}
        stored_links = set(self.db.execute("SELECT invoice_no, relation, other_no FROM links"))
        for number, relation, other in sorted(expected_links ^ stored_links):
            what = "missing" if (number, relation, other) in expected_links else "not issued with the invoice"
            findings.append(Finding(number, "links_edited", f"link {relation} {other}: {what}"))
        renamed = self.key_map()
        expected_lines = {
            renamed.get(line["key"], line["key"]): number
            for number, d in docs.items()
            if d.get("kind") == "invoice" and number not in corrected
            for line in d.get("lines", [])
        }
        stored_lines = dict(self.db.execute("SELECT line_key, invoice_no FROM invoiced_lines"))
        for key in sorted(set(expected_lines) | set(stored_lines)):
            if expected_lines.get(key) != stored_lines.get(key):
                number = expected_lines.get(key) or stored_lines.get(key)
                what = "missing" if key not in stored_lines else "not on that invoice"
                findings.append(Finding(number, "lines_edited", f"invoiced line {key}: {what}"))
        return findings

    def invoiced_lines(self) -> dict[str, tuple[str, dict]]:
        """line key → (invoice number, the line as issued), for the lines still invoiced (a key migrated
        at adoption under its new name)."""
        renamed = self.key_map()
        out = {}
        for number, content in self.db.execute(
            "SELECT i.invoice_no, i.content FROM invoices i WHERE i.status = 'issued' AND i.kind = 'invoice'"
        ):
            for line in json.loads(content)["lines"]:
                out[renamed.get(line["key"], line["key"])] = (number, line)
        return out

    # ---- adoption of a register sealed the old way ------------------------------------------------

    def key_map(self) -> dict[str, str]:
        """Old description-based line keys → order number + line, as migrated at adoption."""
        return dict(self.db.execute("SELECT old_key, new_key FROM line_key_map"))

    def issued_line_keys(self) -> dict[str, str]:
        """Every line key written in a (not corrected) invoice's sealed content → its invoice number."""
        out = {}
        for number, content in self.db.execute(
            "SELECT invoice_no, content FROM invoices WHERE kind = 'invoice' AND status = 'issued'"
        ):
            for line in json.loads(content)["lines"]:
                out[line["key"]] = number
        return out

    def adopt(self, secret: bytes, key_map: dict[str, str]) -> dict:
        """Re-seal every row with the company key and move the invoiced lines to their new keys, in one
        transaction; the adoption (when, rows, old and new head, the key map) is kept, sealed, so it
        cannot be edited unnoticed. The caller has verified the plain chain first."""
        if not self.unsealed():
            raise RegisterProblem("台帳は旧方式ではありません / the register is not sealed the old way")
        forward = self._links(FORWARD)
        rows, old_head = self.head()
        with self.transaction() as db:
            db.execute("DROP TRIGGER invoices_immutable")  # the one sanctioned rewrite: the seal column
            previous = ""
            for seq, number, digest in db.execute(
                "SELECT seq, invoice_no, content_hash FROM invoices ORDER BY seq"
            ).fetchall():
                previous = seal(secret, previous, digest, forward.get(number, []))
                db.execute("UPDATE invoices SET chain_hash = ? WHERE seq = ?", (previous, seq))
            for old, new in key_map.items():
                db.execute("UPDATE invoiced_lines SET line_key = ? WHERE line_key = ?", (new, old))
                db.execute("INSERT INTO line_key_map VALUES (?, ?)", (old, new))
            record = {
                "adopted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "rows": rows,
                "old_head": old_head,
                "new_head": previous,
                "key_map": canonical(sorted(key_map.items())),
            }
            db.execute(
                "INSERT INTO adoptions VALUES (?, ?, ?, ?, ?, ?)", (*record.values(), _adoption_mac(secret, record))
            )
            db.execute(IMMUTABLE_TRIGGER)  # back before the commit
        self.secret = secret
        return {k: v for k, v in record.items() if k != "key_map"} | {"lines_migrated": len(key_map)}

    def _adoptions(self) -> list[Finding]:
        """An adoption record must be what was sealed, and the key map what it recorded."""
        found = []
        records = self.db.execute("SELECT adopted_at, rows, old_head, new_head, key_map, mac FROM adoptions").fetchall()
        for adopted_at, rows, old_head, new_head, key_map, mac in records:
            record = {
                "adopted_at": adopted_at,
                "rows": rows,
                "old_head": old_head,
                "new_head": new_head,
                "key_map": key_map,
            }
            if not hmac.compare_digest(_adoption_mac(self.secret, record), mac):
                found.append(Finding("", "adoption_edited", f"adoption of {adopted_at}: its seal does not match"))
            elif self.seal_at(rows) != new_head:
                found.append(
                    Finding("", "adoption_edited", f"adoption of {adopted_at}: row {rows} is not the one re-sealed")
                )
        recorded = {k: v for record in records for k, v in json.loads(record[4])}
        if self.key_map() != recorded:
            found.append(
                Finding(
                    "",
                    "key_map_edited",
                    "移行した明細キーが記録と異なります / the migrated line keys "
                    "differ from what the adoption recorded",
                )
            )
        return found


def _adoption_mac(secret: bytes, record: dict) -> str:
    return hmac.new(secret, canonical(record).encode(), hashlib.sha256).hexdigest()


def _claimed(db: sqlite3.Connection, keys: list[str]) -> list[str]:
    taken = []
    for key in keys:
        if db.execute("SELECT 1 FROM invoiced_lines WHERE line_key = ?", (key,)).fetchone():
            taken.append(key)
    return taken


def _inverse(relation: str) -> str:
    return {"credits": "credited_by", "replaces": "replaced_by"}.get(relation, f"inverse_of_{relation}")
