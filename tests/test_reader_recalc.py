"""`--recalculate`: the plumbing around LibreOffice, with a stand-in `soffice` on PATH that does what
soffice --convert-to does for arithmetic formulas (calculate them, save an .xlsx in --outdir). The real
LibreOffice is exercised in tests/test_real_workbooks.py where it is installed."""

from __future__ import annotations

import os
import stat
import sys
import textwrap

import openpyxl

from addin.cli import main
from tests.reader_corpus import ATTENDANCE, edit

FAKE_SOFFICE = textwrap.dedent("""\
    #!{python}
    import re, sys, pathlib, openpyxl
    args = sys.argv[1:]
    assert "--headless" in args and args[args.index("--convert-to") + 1] == "xlsx"
    assert any(a.startswith("-env:UserInstallation=file://") for a in args)
    out, source = pathlib.Path(args[args.index("--outdir") + 1]), pathlib.Path(args[-1])
    pathlib.Path({log!r}).write_text(str(source))
    wb = openpyxl.load_workbook(source)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and re.fullmatch(r"=[0-9+*. -]+", cell.value):
                    cell.value = eval(cell.value[1:])
    out.mkdir(parents=True, exist_ok=True)
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
    converted = log.read_text()
    assert converted.startswith(str(demo_copy / ".backoffice" / "tmp")) and converted != str(staff)
    assert staff.read_bytes() == before  # the master is only read
    assert list((demo_copy / ".backoffice" / "tmp").iterdir()) == []  # the copies are gone
    assert main(["payroll", str(demo_copy), "--month", "2026-03", "--recalculate"]) == 0


def test_recalculate_without_libreoffice_says_so(demo_copy, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["validate", str(demo_copy), "--recalculate", "--lang", "en"]) == 2
    out = capsys.readouterr().out
    assert "recalculate_failed" in out and "LibreOffice" in out
