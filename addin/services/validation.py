"""Validate a company: every workbook, every rule, in one pass."""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from addin import collector
from addin.validate import Reporter, Validation, check_across, check_sheet, finish
from addin.validate.headers import alias_map, find_sources, header_score
from addin.validate.schema import BookSpec, SheetSpec
from addin.workbook import Book, BookUnreadable, open_book
from addin.workbook.files import check_regular_file, passes_through
from addin.workbook.recalc import recalculated_copies
from addin.services.company import Company

BookOpener = Callable[[str, Company], Book]
#: how many workbooks are read at once from files (python-calamine releases the GIL while it parses)
FILE_READERS = min(4, os.cpu_count() or 1)


def open_company_book(book: str, company: Company) -> Book:
    path = company.book_path(book)
    return open_book(path, path.name)


class RecalculatedCopies:
    """An opener reading each book through a copy LibreOffice recalculated (`--recalculate`), made in `folder`.
    The books a validation asks for are recalculated together, by one LibreOffice start (`prepare`)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._copies: dict[Path, Path | BookUnreadable] = {}

    def prepare(self, books: list[str], company: Company) -> None:
        wanted = []
        for book in books:
            try:
                path = company.book_path(book)
                check_regular_file(path, path.name)
            except (BookUnreadable, OSError):
                continue  # reported when the book itself is opened
            if path not in self._copies:
                wanted.append((path, path.name))
        self._copies.update(recalculated_copies(wanted, self.folder))

    def __call__(self, book: str, company: Company) -> Book:
        path = company.book_path(book)
        check_regular_file(path, path.name)
        if path not in self._copies:
            self.prepare([book], company)
        copy = self._copies[path]
        if isinstance(copy, BookUnreadable):
            raise copy
        return open_book(copy, path.name, recalculated=True)


@contextmanager
def recalculating_opener(company: Company) -> Iterator[BookOpener]:
    """A `RecalculatedCopies` opener; the copies live in the company's private scratch folder and are gone
    when the block ends."""
    scratch = company.paths.tmp
    scratch.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix="recalc-", dir=scratch) as folder:
        yield RecalculatedCopies(Path(folder))


@dataclass
class _CheckedBook:
    spec: BookSpec  # the schema it was checked against (held, so its identity stays meaningful)
    reporter: Reporter  # what the book's own pass found
    tables: dict[tuple[str, str], tuple]  # (book, sheet) → (typed, raw)


class CheckedOnce:
    """An opener over books that do not change while it is in use (the night's private copies): each book is
    read and checked once, and a later validation asking for it against the same schema gets that book's
    tables (fresh frames: a service may add columns to its own) and issues without reading it again.

    Cross-book rules still run on every validation: they depend on which books were asked for."""

    def __init__(self, opener: BookOpener):
        self.opener = opener
        self._books: dict[str, _CheckedBook] = {}

    def __call__(self, book: str, company: Company) -> Book:
        return self.opener(book, company)

    def checked(self, book: str, spec: BookSpec) -> _CheckedBook | None:
        done = self._books.get(book)
        return done if done is not None and done.spec is spec else None

    def keep(self, book: str, done: _CheckedBook) -> None:
        self._books[book] = done


def _fresh(pair: tuple) -> tuple:
    return tuple(t.with_frame(t.frame.copy()) for t in pair)


def _choose_source(book: Book, sheet: SheetSpec, sheet_names: list[str], table_names: list[str]):
    """("table"|"sheet", name), None when nothing fits, or ("ambiguous", "a, b")."""
    found = find_sources(sheet, sheet_names, table_names)
    tables = [s for s in found if s[0] == "table"]
    sheets = [s for s in found if s[0] == "sheet"]
    for candidates in (tables, sheets):
        if len(candidates) > 1:
            return "ambiguous", ", ".join(name for _, name in candidates)
    if tables:
        return tables[0]
    aliases = alias_map(sheet)
    required = sum(1 for c in sheet.columns.values() if c.required)
    fitting = []  # Tables of any name (Table1, テーブル1) whose header names the sheet's columns
    for name in table_names:
        grid = book.read_table(name)
        if sheets and grid.sheet != sheets[0][1]:
            continue
        score = header_score(grid.rows[0], aliases) if grid.rows else 0
        if score >= max(required, 1):
            fitting.append((score, name))
    if len(fitting) > 1 and not sheets:
        return "ambiguous", ", ".join(name for _, name in fitting)
    if fitting:
        return "table", max(fitting)[1]
    return sheets[0] if sheets else None


def _read_book(book_name: str, spec: BookSpec, company: Company, opener: BookOpener) -> list[tuple]:
    """Everything the validation needs from one workbook: ("grid", sheet, grid) or ("issue", kwargs)."""
    try:
        book = opener(book_name, company)
        sheet_names, table_names = book.sheet_names(), book.table_names()
    except BookUnreadable as problem:
        return [("issue", dict(book=problem.book, sheet="", code=problem.code, detail=problem.detail))]
    except BaseException as exc:  # noqa: BLE001
        if passes_through(exc):
            raise
        return [
            ("issue", dict(book=spec.file, sheet="", code="book_unreadable", detail=f"{type(exc).__name__}: {exc}"))
        ]
    out = []
    for sheet_name, sheet in spec.sheets.items():
        name = sheet.display_name
        try:
            source = _choose_source(book, sheet, sheet_names, table_names)
            if source is None:
                if not sheet.optional:
                    out.append(("issue", dict(book=book.name, sheet="", code="sheet_missing", other=name)))
                continue
            kind, name = source
            if kind == "ambiguous":
                out.append(
                    (
                        "issue",
                        dict(book=book.name, sheet="", code="sheet_ambiguous", other=sheet.display_name, detail=name),
                    )
                )
                continue
            out.append(("grid", sheet_name, book.read_table(name) if kind == "table" else book.read_sheet(name)))
        except BookUnreadable as problem:
            out.append(("issue", dict(book=problem.book, sheet=name, code=problem.code, detail=problem.detail)))
        except BaseException as exc:  # noqa: BLE001
            if passes_through(exc):
                raise
            out.append(
                (
                    "issue",
                    dict(book=book.name, sheet=name, code="book_unreadable", detail=f"{type(exc).__name__}: {exc}"),
                )
            )
    return out


def validate_company(
    company: Company,
    opener: BookOpener = open_company_book,
    progress: Callable[[str], None] = lambda _: None,
    only: set[str] | None = None,
    readers: int | None = None,
) -> Validation:
    """Validate every workbook of the company (or `only` those named, e.g. {"staff"} for payroll).

    Files are read by several threads while the main thread validates what has arrived; a live
    Excel book (another opener) is read by the calling thread alone.
    """
    memo = opener if isinstance(opener, CheckedOnce) else None
    reader = memo.opener if memo is not None else opener  # what opens the books, under the memo
    readers = readers or (FILE_READERS if reader is open_company_book else 1)
    wanted = [(name, spec) for name, spec in company.books.items() if only is None or name in only]
    unread = [(name, spec) for name, spec in wanted if memo is None or memo.checked(name, spec) is None]
    reporter = Reporter()
    tables: dict[tuple[str, str], tuple] = {}
    if isinstance(reader, RecalculatedCopies):
        reader.prepare([name for name, _ in unread], company)

    def read(item):
        return _read_book(item[0], item[1], company, opener)

    checked = {name: memo.checked(name, spec) for name, spec in wanted if memo is not None}
    # the sheets' rows, their columns and their checks make ~10⁶ objects and no cycles (addin/collector.py)
    with collector.paused(), ThreadPoolExecutor(max_workers=readers) as pool:
        for book_name, spec, events in _arrivals(pool, unread, read, readers, company):
            progress(spec.file)
            done = checked[book_name] = _check_book(book_name, spec, events)
            if memo is not None and not _unread(events):
                memo.keep(book_name, done)
            del events  # the cells as read (a list per row): let go once checked, not walked when the collector resumes
    for book_name, _ in wanted:  # taken in book order, whichever was read first: the same result every time
        done = checked[book_name]
        reporter.absorb(done.reporter)
        tables.update(done.tables if memo is None else {k: _fresh(pair) for k, pair in done.tables.items()})
    check_across(tables, company.books, reporter)
    return finish(tables, reporter)


def _arrivals(pool, unread, read, readers: int, company: Company) -> Iterator[tuple[str, BookSpec, list[tuple]]]:
    """(book, spec, what was read) as each book's read ends: the largest file is read first, so the long
    read starts at once, and the others are checked while it lasts. One reader: in book order."""
    if readers == 1:
        for name, spec in unread:
            yield name, spec, read((name, spec))
        return
    pending = {pool.submit(read, item): item for item in sorted(unread, key=_file_size(company), reverse=True)}
    for future in as_completed(list(pending)):
        name, spec = pending.pop(future)
        events = future.result()
        del future  # its result is the book's cells: held by the checks alone
        yield name, spec, events
        del events  # checked: let the cells go before waiting for the next book


def _unread(events: list[tuple]) -> bool:
    """The book or one of its sheets could not be read: a later validation tries again (a live book's
    hiccup, a passing lack of memory) rather than inherit the failure."""
    return any(event[0] == "issue" and event[1].get("code") == "book_unreadable" for event in events)


def _check_book(book_name: str, spec: BookSpec, events: list[tuple]) -> _CheckedBook:
    """One book's own pass: its sheets located, normalised and checked row by row."""
    reporter = Reporter()
    tables = {}
    for event in events:
        if event[0] == "issue":
            reporter.sheet_issue(**event[1])
            continue
        _, sheet_name, grid = event
        checked = check_sheet(grid, spec.sheets[sheet_name], reporter)
        if checked is not None:
            tables[(book_name, sheet_name)] = checked
    return _CheckedBook(spec, reporter, tables)


def _file_size(company: Company) -> Callable[[tuple[str, BookSpec]], int]:
    """A book's size on disk, to order the reads (0 when it cannot be found: the reader reports that)."""

    def size(item: tuple[str, BookSpec]) -> int:
        try:
            return company.book_path(item[0]).stat().st_size
        except (OSError, BookUnreadable):
            return 0

    return size


__all__ = [
    "BookOpener",
    "CheckedOnce",
    "FILE_READERS",
    "open_company_book",
    "RecalculatedCopies",
    "recalculating_opener",
    "validate_company",
]
