"""Dated copies of every master workbook, pruned by a retention rule (e.g. 14 daily, 8 weekly,
12 monthly), restorable by a command."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from addin.outputs.atomic import atomic_path


def keep(dates: list[date], daily: int, weekly: int, monthly: int) -> set[date]:
    """The newest `daily` days, the newest day of each of the last `weekly` ISO weeks, and of each of
    the last `monthly` months."""
    newest = sorted(set(dates), reverse=True)
    kept = set(newest[:daily])
    weeks: dict = {}
    months: dict = {}
    for day in newest:
        weeks.setdefault(day.isocalendar()[:2], day)
        months.setdefault((day.year, day.month), day)
    kept |= set(list(weeks.values())[:weekly])
    kept |= set(list(months.values())[:monthly])
    return kept


def backup(copies: dict[str, Path], folder: Path, day: date) -> Path:
    """Copy tonight's consistent copies into folder/YYYY-MM-DD (replacing the same night's)."""
    target = folder / day.isoformat()
    target.mkdir(parents=True, exist_ok=True)
    for name, path in copies.items():
        with atomic_path(target / name, private=True) as tmp:
            shutil.copyfile(path, tmp)
    return target


def prune(folder: Path, daily: int, weekly: int, monthly: int) -> list[Path]:
    days = {}
    for child in folder.iterdir() if folder.exists() else []:
        try:
            days[date.fromisoformat(child.name)] = child
        except ValueError:
            continue
    kept = keep(list(days), daily, weekly, monthly)
    removed = []
    for day, path in days.items():
        if day not in kept:
            shutil.rmtree(path)
            removed.append(path)
    return removed


def restore(folder: Path, day: date, company_root: Path, books: list[str]) -> list[Path]:
    """Put back the named workbooks from the night `day`; the current files are kept beside the
    backups first (folder/pre-restore-YYYY-MM-DD)."""
    source = folder / day.isoformat()
    if not source.is_dir():
        raise FileNotFoundError(f"no backup of {day.isoformat()} in {folder}")
    aside = folder / f"pre-restore-{day.isoformat()}"
    aside.mkdir(parents=True, exist_ok=True)
    restored = []
    for name in books:
        if not (source / name).exists():
            raise FileNotFoundError(f"{name} is not in the backup of {day.isoformat()}")
        current = company_root / name
        if current.exists():
            shutil.copyfile(current, aside / name)
        with atomic_path(current) as tmp:
            shutil.copyfile(source / name, tmp)
        restored.append(current)
    return restored
