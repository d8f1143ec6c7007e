"""A built wheel installed in a fresh venv has its rules, templates, add-in and entry points: it runs
`backoffice demo` and a worksheet function from anywhere but the checkout. One slow test (~30 s)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.packaging
def test_the_wheel_works_installed_in_a_fresh_venv(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    wheel = next(wheels.glob("backoffice_addin-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for part in (
        "addin/rules/payroll.yaml",
        "addin/rules/schemas/staff.yaml",
        "addin/rules/jp/shotokuzei_sokusan.csv",
        "addin/templates/invoice.xlsx",
        "addin/excel/backoffice.xlam",
        "addin/excel/macros.py",
        "addin/excel/addin_src/customUI.xml",
    ):
        assert part in names, part
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "addin").rglob("*.py") if "__pycache__" not in p.parts}
    assert modules - set(names) == set(), (
        "every module of the source tree ships (a folder without __init__.py does not)"
    )
    fresh = tmp_path / "fresh"
    # no pip of its own (ensurepip copies ~1,000 files and takes seconds): this venv's pip installs into it
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    bin_dir = fresh / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # the dependencies come from this venv (no network); `addin` only from the wheel
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [
            python,
            "-c",
            "import addin, addin.resources as r; print(addin.__file__); "
            "print(r.rules_dir()); print(r.addin_file().exists())",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=work,
    ).stdout.split("\n")
    assert where[0].startswith(str(fresh)) and where[1].startswith(str(fresh)) and where[2] == "True"
    demo = subprocess.run([bin_dir / "backoffice", "demo", str(work / "co")], capture_output=True, text=True, cwd=work)
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert (work / "co" / "out" / "invoices" / "summary.json").exists()
    udf = subprocess.run(
        [
            python,
            "-c",
            "from addin.excel import udfs; "
            "print(udfs.BO_WITHHOLDING([[300000.0]], [[2.0]], [['甲']], [['2026-01-23']]))",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=work,
    )
    assert udf.stdout.strip() == "[[4700]]"
