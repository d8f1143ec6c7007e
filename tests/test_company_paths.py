"""Company.paths: one object names every path of a company folder, and the code that writes there agrees."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from addin.cli.commands import UsageProblem, _day, _month
from addin.services.company import load_company
from addin.services.payroll_close import open_history
from addin.services.setup import init_company


def test_every_path_lies_in_the_company_folder_and_state_is_private(tmp_path):
    paths = load_company(tmp_path).paths
    private = [paths.db, paths.key, paths.anchor, paths.tmp, paths.logs, paths.backups, paths.pre_init_backup("x")]
    assert all(p.is_relative_to(paths.state) for p in private) and paths.state.name == ".backoffice"
    runs = [
        paths.payroll(dt.date(2026, 3, 1)),
        paths.stock(dt.date(2026, 3, 31)),
        paths.invoices,
        paths.reconcile(dt.date(2026, 4, 1)),
        paths.books(dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
    ]
    assert [p.relative_to(tmp_path).as_posix() for p in runs] == [
        "out/payroll/2026-03",
        "out/stock/2026-03-31",
        "out/invoices",
        "out/reconcile/2026-04-01",
        "out/books/2026-04-01_2026-04-30",
    ]
    with open_history(tmp_path) as history:  # the payroll history shares the one database
        assert Path(history.path) == paths.db


def test_init_writes_where_paths_says(tmp_path):
    init_company(tmp_path)
    paths = load_company(tmp_path).paths
    assert paths.settings.is_file()
    init_company(tmp_path, force=True)  # the replaced books are set aside first
    aside = list((paths.backups / "pre-init").iterdir())
    assert len(aside) == 1 and (aside[0] / "staff.xlsx").is_file()


ADDIN = Path(__file__).resolve().parents[1] / "addin"
#: the two places allowed to spell the state folder and the database: where they are declared
DECLARED = {ADDIN / "services" / "company.py", ADDIN / "state" / "files.py"}
#: a path segment written out by hand ("state.db", '.backoffice'), not a message naming the file
HAND_JOINED = re.compile(r"""(["'])(?:\.backoffice|state\.db)\1""")


def test_no_state_path_is_joined_by_hand_outside_its_declaration():
    left = [
        f"{path.relative_to(ADDIN.parent)}:{n}: {line.strip()}"
        for path in sorted(ADDIN.rglob("*.py"))
        if path not in DECLARED
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HAND_JOINED.search(line)
    ]
    assert left == [], "use company.paths instead:\n" + "\n".join(left)


def test_the_pattern_catches_what_it_is_meant_to():
    assert HAND_JOINED.search('db = root / ".backoffice" / "state.db"')
    assert HAND_JOINED.search("f\"{root / '.backoffice'}\"")
    assert not HAND_JOINED.search('fatal(".backoffice/state.db", "register_busy")')


@pytest.mark.parametrize(
    "parse, text, option",
    [
        (lambda t: _day(t, "--date"), "2025-04-41", "--date"),
        (lambda t: _day(t, "--date"), "1800-01-01", "--date"),
        (_month, "2025-13", "--month"),
    ],
)
def test_a_bad_date_names_its_option_once(parse, text, option):
    with pytest.raises(UsageProblem) as bad:
        parse(text)
    message = str(bad.value)
    assert message.startswith(f"{option} {text!r}: ") and message.count(option) == 1
