"""The one way to reach what ships inside the package: rules, templates, the Excel add-in.

`rules/` and `workbooks/templates/` stay at the top of the repo (people edit them there); setup.py
maps them into the package as `addin.rules` and `addin.templates`, so an installed wheel and an
editable checkout both answer through importlib.resources.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


CHECKOUT = Path(__file__).resolve().parents[1]
MAPPED = {"addin.rules": "rules", "addin.templates": "workbooks/templates"}  # as in setup.py


def _folder(package: str) -> Path:
    """A package's folder on disk (every install of this project is a plain folder, never a zip)."""
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        # an editable install: setuptools' editable finder does not map a data package that lives
        # outside addin/, so read the very folder setup.py maps, in the checkout
        return CHECKOUT / MAPPED[package]
    paths = getattr(root, "_paths", None)  # a namespace package (no __init__.py): MultiplexedPath
    return Path(str(paths[0] if paths else root))


def rules_dir() -> Path:
    return _folder("addin.rules")


def templates_dir() -> Path:
    return _folder("addin.templates")


def addin_file() -> Path:
    return _folder("addin.excel") / "backoffice.xlam"
