"""Build the `backoffice` Excel add-in (backoffice.xlam) from text kept in the repo.

    python -m addin.excel.build_addin [OUT.xlam]      (needs the `addin-build` extra: ms-ovba)

Route (why): the ribbon needs one VBA callback per button, and VBA lives in a binary
`xl/vbaProject.bin`. Rather than commit a hand-edited binary, the project is *generated*:
- the workbook shell (styles, theme, the hidden config sheet) is the `quickstart_addin_ribbon.xlam`
  shipped inside the pinned xlwings package, so it always matches that xlwings version;
- `customUI/customUI.xml` is `addin_src/customUI.xml` (the バックオフィス tab);
- `xl/vbaProject.bin` is compiled by ms-ovba from source: xlwings' own `xlwings_custom_addin.bas`
  (RunPython, ImportPythonUDFsToAddin, the config reader) with PROJECT_NAME = "backoffice", its
  `Dictionary.cls` (Mac), our `addin_src/BackofficeRibbon.bas` (one Sub per button) and the
  `xlwings_udfs` module that xlwings' own `generate_vba_wrapper` writes for addin.excel.udfs, so the
  BO_ functions work in any book as soon as the add-in is loaded (Windows).
The project carries source only (no compiled p-code): Excel compiles it on first load. Zip entries
get a fixed time so the same sources give the same bytes; a test rebuilds and compares.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import random
import re
import sys
import tempfile
import types
import uuid
import zipfile
from importlib import resources
from pathlib import Path

from addin.excel import ovba_compression

PROJECT_NAME = "backoffice"
XLWINGS_VERSION = "0.37.8"  # the exact pin in pyproject.toml; the add-in's VBA matches it
SOURCES = Path(__file__).resolve().parent / "addin_src"
ADDIN = Path(__file__).resolve().parent / "backoffice.xlam"
UDF_MODULE = "addin.excel.udfs"
RIBBON_MODULE = "BackofficeRibbon"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
WORKBOOK_GUID = uuid.UUID("00020819-0000-0000-C000-000000000046")
SHEET_GUID = uuid.UUID("00020820-0000-0000-C000-000000000046")
PROJECT_ID = "{6B0C2A51-3F1E-4C1B-9B61-0BACC0FF1CE0}"


def _xlwings_file(name: str) -> bytes:
    import xlwings

    if xlwings.__version__ != XLWINGS_VERSION:
        raise SystemExit(f"xlwings {xlwings.__version__} is installed; the add-in is built for {XLWINGS_VERSION}")
    return resources.files("xlwings").joinpath(name).read_bytes()


def xlwings_module() -> str:
    """xlwings' custom add-in module, renamed to this project (config file ~/.backoffice/backoffice.conf)."""
    text = _xlwings_file("xlwings_custom_addin.bas").decode("utf-8")
    text, count = re.subn(r'(Public Const PROJECT_NAME As String = )"[^"]*"', rf'\1"{PROJECT_NAME}"', text)
    if count != 1:
        raise SystemExit("xlwings_custom_addin.bas: PROJECT_NAME not found once")
    return text


@contextlib.contextmanager
def windows_udf_machinery():
    """xlwings.udfs imports pywin32 at the top; these stand-ins let its *own* decorators and VBA writer
    run off Windows. Nothing here talks to Excel."""
    saved = {name: sys.modules.get(name) for name in ("pythoncom", "pywintypes", "win32com", "win32com.client")}
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    win32com, client = types.ModuleType("win32com"), types.ModuleType("win32com.client")
    client.Dispatch = lambda *a, **k: None
    win32com.client = client
    sys.modules.update(pythoncom=pythoncom, pywintypes=types.ModuleType("pywintypes"), win32com=win32com)
    sys.modules["win32com.client"] = client
    import xlwings

    xl_udfs = importlib.import_module("xlwings.udfs")
    before = {name: getattr(xlwings, name, None) for name in ("func", "arg", "ret")}
    xlwings.func, xlwings.arg, xlwings.ret = xl_udfs.xlfunc, xl_udfs.xlarg, xl_udfs.xlret
    try:
        module = importlib.reload(importlib.import_module(UDF_MODULE))
        yield xl_udfs, module
    finally:
        for name, value in before.items():
            setattr(xlwings, name, value)
        sys.modules.pop("xlwings.udfs", None)
        for name, value in saved.items():
            if value is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value
        importlib.reload(importlib.import_module(UDF_MODULE))


def udf_module() -> str:
    """The `xlwings_udfs` VBA module exactly as xlwings' ImportPythonUDFsToAddin writes it into an add-in."""
    with windows_udf_machinery() as (xl_udfs, module):
        out = io.StringIO()
        xl_udfs.generate_vba_wrapper(UDF_MODULE, module, out, types.SimpleNamespace(Name=f"{PROJECT_NAME}.xlam"))
    return 'Attribute VB_Name = "xlwings_udfs"\n' + out.getvalue()


def vba_project(folder: Path) -> bytes:
    """vbaProject.bin compiled by ms-ovba from the module sources (written under `folder`)."""
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.Views.project_ole_file import ProjectOleFile
    from ms_ovba.vbaProject import VbaProject

    project = VbaProject()
    project.project_id = PROJECT_ID
    for name, guid in (("ThisWorkbook", WORKBOOK_GUID), ("Sheet2", SHEET_GUID)):
        module = DocModule(name)
        module.add_file(str(_copy(folder, f"{name}.cls", (SOURCES / f"{name}.cls").read_text(encoding="ascii"))))
        module.add_guid(guid)
        module.normalize_file()
        project.add_module(module)
    dictionary = _ClassModule("Dictionary")
    dictionary.add_file(str(_copy(folder, "Dictionary.cls", _xlwings_file("addin/Dictionary.cls").decode("utf-8"))))
    dictionary.normalize_file()
    project.add_module(dictionary)
    for name, text in (
        ("xlwings", xlwings_module()),
        (RIBBON_MODULE, (SOURCES / f"{RIBBON_MODULE}.bas").read_text(encoding="ascii")),
        ("xlwings_udfs", udf_module()),
    ):
        module = StdModule(name)
        module.add_file(str(_copy(folder, f"{name}.bas", text)))
        module.normalize_file()
        project.add_module(module)
    for guid, path, title, name in (
        ("00020430-0000-0000-C000-000000000046", r"C:\Windows\System32\stdole2.tlb", "OLE Automation", "stdole"),
        (
            "2DF8D04C-5BFA-101B-BDE5-00AA0044DE52",
            r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
            "Microsoft Office 16.0 Object Library",
            "Office",
        ),
    ):
        project.add_reference(
            Reference(ReferenceRegistered(LibidReference(uuid.UUID(guid), "2.0", "0", path, title)), name)
        )
    from ms_ovba_compression.ms_ovba import MsOvba
    from ms_ovba_crypto import ms_ovba_crypto

    original = MsOvba.compress, ms_ovba_crypto.random
    MsOvba.compress = lambda self, data: ovba_compression.compress(data)  # see ovba_compression.py
    ms_ovba_crypto.random = random.Random(PROJECT_ID)  # the PROJECT stream's obfuscation seeds: fixed
    try:
        with contextlib.chdir(folder):  # ms-ovba writes its streams into the current folder
            ProjectOleFile.write_file(project)
    finally:
        MsOvba.compress, ms_ovba_crypto.random = original
    return (folder / "vbaProject.bin").read_bytes()


def _copy(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text.replace("\r\n", "\n"), encoding="ascii", newline="\n")
    return path


class _ClassModule:
    """A VBA class module for ms-ovba (it only ships standard and document modules): the exported
    file's VERSION/BEGIN/END header dropped, listed as `Class=` in the PROJECT stream."""

    def __new__(cls, name: str):
        from ms_ovba.Models.Entities.module_base import ModuleBase

        class ClassModule(ModuleBase):
            def __init__(self, name):
                super().__init__(name)
                self.type = "Document"  # MODULETYPE 0x0022: document *or class* module

            def to_project_module_string(self):
                return "Class=" + self.modName.value

            def normalize_file(self):
                lines = Path(self._file_path).read_text(encoding="ascii").splitlines()
                start = next(i for i, line in enumerate(lines) if line.startswith("Attribute VB_Name"))
                Path(self._file_path + ".new").write_bytes(("\r\n".join(lines[start:]) + "\r\n").encode("ascii"))

        return ClassModule(name)


def build(out: Path = ADDIN) -> Path:
    shell = zipfile.ZipFile(io.BytesIO(_xlwings_file("quickstart_addin_ribbon.xlam")))
    with tempfile.TemporaryDirectory() as tmp:
        vba = vba_project(Path(tmp))
    replaced = {
        "customUI/customUI.xml": (SOURCES / "customUI.xml").read_bytes(),
        "xl/vbaProject.bin": vba,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(shell.namelist()):
            data = replaced.get(name, shell.read(name))
            if name == "xl/workbook.xml":  # the add-in's own (disabled) config sheet, renamed
                data = data.replace(b'name="_myaddin.conf"', f'name="_{PROJECT_NAME}.conf"'.encode())
                data = re.sub(rb"<mc:AlternateContent.*?</mc:AlternateContent>", b"", data)  # xlwings' build path
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    out = Path(out)
    out.write_bytes(buffer.getvalue())
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else ADDIN))
