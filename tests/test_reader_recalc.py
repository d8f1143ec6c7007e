"""`--recalculate`: the plumbing around LibreOffice, with a stand-in `soffice` on PATH that does what
soffice --convert-to does for arithmetic formulas (calculate them, save an .xlsx in --outdir). The real
LibreOffice is exercised in tests/test_real_workbooks.py where it is installed."""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap

import openpyxl

from addin.cli import main
from tests.reader_corpus import ATTENDANCE, edit

FAKE_SOFFICE = textwrap.dedent("""\
    #!{python}
    import re, shutil, sys, pathlib, zipfile, openpyxl
    args = sys.argv[1:]
    assert "--headless" in args and args[args.index("--convert-to") + 1] == "xlsx"
    assert any(a.startswith("-env:UserInstallation=file://") for a in args)
    out = pathlib.Path(args[args.index("--outdir") + 1])
    sources = [pathlib.Path(a) for a in args[args.index("--outdir") + 2:]]
    with open({log!r}, "a") as log:
        log.write(" ".join(map(str, sources)) + "\\n")
    out.mkdir(parents=True, exist_ok=True)
    for source in sources:
        with zipfile.ZipFile(source) as zf:  # a book without formulas converts to what it was
            formulas = any(b"<f>" in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
        if not formulas:
            shutil.copyfile(source, out / (source.stem + ".xlsx"))
            continue
        wb = openpyxl.load_workbook(source)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and re.fullmatch(r"=[0-9+*. -]+", cell.value):
                        cell.value = eval(cell.value[1:])
        wb.save(out / (source.stem + ".xlsx"))
""")


def test_recalculate_reads_a_private_recalculated_copy(demo_copy, tmp_path, monkeypatch, capsys):
    staff = demo_copy / "staff.xlsx"
    hours = openpyxl.load_workbook(staff)[ATTENDANCE]["E2"].value
    edit(staff, lambda wb: wb[ATTENDANCE].__setitem__("E2", f"={hours}+0"))
    before = staff.read_bytes()
    assert main(["validate", str(demo_copy)]) == 2
    assert "--recalculate" in capsys.readouterr().out

    bin_dir, log = tmp_path / "bin", tmp_path / "converted.txt"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text(FAKE_SOFFICE.format(python=sys.executable, log=str(log)), encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assert main(["validate", str(demo_copy), "--recalculate"]) == 0
    starts = log.read_text().splitlines()
    assert len(starts) == 1, "one LibreOffice start recalculates every book"
    converted = starts[0].split()
    assert sorted(p.rsplit("/", 1)[1] for p in converted) == ["sales.xlsx", "staff.xlsx", "stock.xlsx", "vendors.xlsx"]
    assert all(p.startswith(str(demo_copy / ".backoffice" / "tmp")) for p in converted)
    assert staff.read_bytes() == before  # the master is only read
    assert list((demo_copy / ".backoffice" / "tmp").iterdir()) == []  # the copies are gone
    assert main(["payroll", str(demo_copy), "--month", "2026-03", "--recalculate"]) == 0
    assert log.read_text().splitlines()[1].split()[0].endswith("/staff.xlsx"), "payroll recalculates its book only"


def test_recalculate_without_libreoffice_says_so(demo_copy, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["validate", str(demo_copy), "--recalculate", "--lang", "en"]) == 2
    out = capsys.readouterr().out
    assert "recalculate_failed" in out and "LibreOffice" in out


def test_a_book_libreoffice_cannot_convert_is_refused_alone(demo_copy, tmp_path, monkeypatch, capsys):
    """One start converts every book; a book it leaves unconverted is refused by name, the others are read."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    script = FAKE_SOFFICE.format(python=sys.executable, log=str(tmp_path / "log.txt"))
    fake.write_text(
        script.replace("for source in sources:", "for source in [s for s in sources if s.stem != 'stock']:")
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assert main(["validate", str(demo_copy), "--recalculate", "--format", "json"]) == 2
    issues = json.loads(capsys.readouterr().out)["issues"]
    assert {(i["book"], i["code"]) for i in issues} == {("stock.xlsx", "recalculate_failed")}


def _fake_on_path(tmp_path, monkeypatch, script: str):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text(script)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_a_start_that_fails_is_tried_again_book_by_book(demo_copy, tmp_path, monkeypatch, capsys):
    """LibreOffice dies on one book: the start converting them all fails, each book is tried alone, and only
    that book is refused."""
    log = tmp_path / "log.txt"
    script = FAKE_SOFFICE.format(python=sys.executable, log=str(log)).replace(
        "out.mkdir(parents=True, exist_ok=True)\n",
        "if any(s.stem == 'stock' for s in sources):\n    sys.exit(1)\nout.mkdir(parents=True, exist_ok=True)\n",
    )
    _fake_on_path(tmp_path, monkeypatch, script)
    assert main(["validate", str(demo_copy), "--recalculate", "--format", "json"]) == 2
    issues = json.loads(capsys.readouterr().out)["issues"]
    assert {(i["book"], i["code"]) for i in issues} == {("stock.xlsx", "recalculate_failed")}
    starts = [line.split() for line in log.read_text().splitlines()]
    assert [len(s) for s in starts] == [4, 1, 1, 1, 1]


def test_a_book_that_cannot_be_copied_is_refused_alone(demo_copy, tmp_path, monkeypatch, capsys):
    from addin.workbook import recalc

    _fake_on_path(tmp_path, monkeypatch, FAKE_SOFFICE.format(python=sys.executable, log=str(tmp_path / "log.txt")))
    copy = recalc.shutil.copyfile

    def locked(source, target):
        if os.path.basename(source) == "staff.xlsx":
            raise PermissionError(13, "Permission denied", str(source))
        return copy(source, target)

    monkeypatch.setattr(recalc.shutil, "copyfile", locked)
    assert main(["validate", str(demo_copy), "--recalculate", "--format", "json"]) == 2
    issues = json.loads(capsys.readouterr().out)["issues"]
    assert {(i["book"], i["code"]) for i in issues} == {("staff.xlsx", "book_unreadable")}
