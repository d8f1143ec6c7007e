"""Dated copies of every master workbook, pruned by a retention rule (e.g. 14 daily, 8 weekly,
12 monthly), restorable by a command.

Backups are append-only: a night's folder is never replaced (a rerun that copied different bytes
writes `YYYY-MM-DD.2` beside it), pruning never removes the backup a report names, and a restore
takes its book names from the backup's own listing only — never a path a person typed.
"""

from __future__ import annotations

import filecmp
import re
import shutil
from datetime import date, datetime
from pathlib import Path

from addin.outputs.atomic import atomic_path, private_folder

BOOK_SUFFIXES = (".xlsx", ".xlsm")
NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.(\d+))?$")
ASIDE = "pre-restore"


class BackupProblem(ValueError):
    """A backup request that cannot be honoured as asked: exit 2 with this message."""


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


def retention(settings: dict) -> tuple[int, int, int]:
    """(daily, weekly, monthly) from rules/reconcile.yaml `backups`, refused unless whole numbers with
    daily ≥ 1 (tonight's backup is always kept) and weekly, monthly ≥ 0."""
    values = []
    for name, default, least in (("daily", 14, 1), ("weekly", 8, 0), ("monthly", 12, 0)):
        value = settings.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= 10_000:
            raise BackupProblem(
                f"reconcile.yaml backups.{name} = {value!r}: {least} 以上の整数で指定してください / "
                f"must be a whole number ≥ {least}"
            )
        values.append(value)
    return values[0], values[1], values[2]


def nights(folder: Path) -> dict[str, tuple[date, int]]:
    """Backup folder name → (night, rerun number) for every backup in `folder`."""
    found = {}
    for child in folder.iterdir() if folder.is_dir() else []:
        match = NAME.match(child.name)
        if match and child.is_dir() and not child.is_symlink():
            try:
                found[child.name] = (date.fromisoformat(match[1]), int(match[2] or 1))
            except ValueError:
                continue
    return found


def _same(copies: dict[str, Path], folder: Path) -> bool:
    listed = {p.name for p in folder.iterdir() if p.suffix in BOOK_SUFFIXES}
    return listed == set(copies) and all(
        filecmp.cmp(path, folder / name, shallow=False) for name, path in copies.items()
    )


def backup(copies: dict[str, Path], folder: Path, day: date) -> Path:
    """Copy tonight's consistent copies into folder/YYYY-MM-DD — or, when that night already has a
    backup with other bytes, beside it (YYYY-MM-DD.2, .3 …). An identical rerun reuses the backup."""
    private_folder(folder)
    found = nights(folder)
    same_night = sorted((n for n, (d, _) in found.items() if d == day), key=lambda n: found[n][1])
    if same_night and _same(copies, folder / same_night[-1]):
        return folder / same_night[-1]
    target = folder / (day.isoformat() if not same_night else f"{day.isoformat()}.{found[same_night[-1]][1] + 1}")
    private_folder(target)
    for name, path in copies.items():
        with atomic_path(target / name) as tmp:
            shutil.copyfile(path, tmp)
    return target


def prune(folder: Path, daily: int, weekly: int, monthly: int, keep_also: Path | None = None) -> list[Path]:
    """Remove the nights outside the retention rule; never `keep_also` (the backup tonight's report names)."""
    found = nights(folder)
    kept = keep([d for d, _ in found.values()], daily, weekly, monthly)
    removed = []
    for name, (day, _) in sorted(found.items()):
        path = folder / name
        if day not in kept and (keep_also is None or path.resolve() != Path(keep_also).resolve()):
            shutil.rmtree(path)
            removed.append(path)
    return removed


def listing(source: Path) -> list[str]:
    """The workbook files a backup holds: the only names a restore accepts."""
    return sorted(p.name for p in source.iterdir() if p.suffix in BOOK_SUFFIXES and p.is_file() and not p.is_symlink())


def restore(folder: Path, night: str, company_root: Path, books: list[str] | None = None) -> list[Path]:
    """Put back workbooks from the backup named `night` (YYYY-MM-DD or YYYY-MM-DD.N). Each current file
    is first set aside in folder/pre-restore/<night>-<timestamp>/ (never overwritten); each restored
    file is written atomically into the company folder, keeping the mode of the file it replaces."""
    found = nights(folder)
    if night not in found:
        raise BackupProblem(
            f"{night}: その日のバックアップはありません / no backup named {night!r} "
            f"(available: {', '.join(sorted(found)[-5:]) or 'none'})"
        )
    source = folder / night
    available = listing(source)
    wanted = available if books is None else list(books)
    strange = [name for name in wanted if name not in available]
    if strange:
        raise BackupProblem(
            f"--book {strange[0]!r}: バックアップ {night} にないブックです / not a workbook in the "
            f"backup of {night} (it holds: {', '.join(available) or 'nothing'})"
        )
    aside = folder / ASIDE / f"{night}-{datetime.now():%Y%m%dT%H%M%S%f}"
    root = Path(company_root).resolve()
    restored = []
    for name in wanted:
        current = root / name
        if current.parent != root:  # names come from the listing; this holds by construction
            raise BackupProblem(f"{name!r}: 会社フォルダの外です / outside the company folder")
        mode = None
        if current.is_file():
            mode = current.stat().st_mode & 0o777
            with atomic_path(private_folder(aside) / name) as tmp:
                shutil.copyfile(current, tmp)
        with atomic_path(current, mode=mode) as tmp:
            shutil.copyfile(source / name, tmp)
        restored.append(current)
    return restored
