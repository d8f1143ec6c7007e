"""`init_company` once per test process, copied for each test that starts from an empty company.

Initialising writes backoffice.toml and four formatted workbooks (~0.5 s); the files do not depend on
where the company lives, so a copy is the same company. The setup itself is tested where it is the
subject (tests/test_demo_end_to_end.py, tests/test_company_paths.py, tests/test_safety.py).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from addin.outputs.atomic import private_folder
from addin.services.setup import init_company


@cache
def _initialised() -> Path:
    """A company initialised in this process's own scratch folder (each xdist worker has its own)."""
    scratch = Path(tempfile.mkdtemp(prefix="backoffice-tests-blank-"))
    atexit.register(shutil.rmtree, scratch, True)
    init_company(scratch / "co")
    return scratch / "co"


def init_copy(root: Path) -> Path:
    """What `init_company(root)` leaves for a new or empty folder, copied; anything else goes to
    `init_company` itself (which refuses to replace books)."""
    root = Path(root)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        init_company(root)
        return root
    private_folder(root)  # as init does: a new folder is owner-only, an existing one keeps its mode
    for item in _initialised().iterdir():
        shutil.copy2(item, root / item.name) if item.is_file() else shutil.copytree(item, root / item.name)
    return root
