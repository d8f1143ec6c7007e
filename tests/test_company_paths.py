"""Company.paths: one object names every path of a company folder, and the code that writes there agrees."""

from __future__ import annotations

import datetime as dt

from addin.services.company import load_company
from addin.services.setup import init_company
from addin.state.payroll_history import history_path


def test_every_path_lies_in_the_company_folder_and_state_is_private(tmp_path):
    paths = load_company(tmp_path).paths
    private = [paths.db, paths.key, paths.anchor, paths.tmp, paths.logs, paths.backups, paths.pre_init_backup("x")]
    assert all(p.is_relative_to(paths.state) for p in private) and paths.state.name == ".backoffice"
    runs = [paths.payroll(dt.date(2026, 3, 1)), paths.stock(dt.date(2026, 3, 31)), paths.invoices,
            paths.reconcile(dt.date(2026, 4, 1)), paths.books(dt.date(2026, 4, 1), dt.date(2026, 4, 30))]
    assert [p.relative_to(tmp_path).as_posix() for p in runs] == [
        "out/payroll/2026-03", "out/stock/2026-03-31", "out/invoices", "out/reconcile/2026-04-01",
        "out/books/2026-04-01_2026-04-30"]
    assert history_path(tmp_path) == paths.db          # the payroll history shares the one database


def test_init_writes_where_paths_says(tmp_path):
    init_company(tmp_path)
    paths = load_company(tmp_path).paths
    assert paths.settings.is_file()
    init_company(tmp_path, force=True)                  # the replaced books are set aside first
    aside = list((paths.backups / "pre-init").iterdir())
    assert len(aside) == 1 and (aside[0] / "staff.xlsx").is_file()
