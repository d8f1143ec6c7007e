"""The built backoffice.xlam, opened the way Excel would: zip parts, customUI ribbon XML, and the VBA
project's source extracted with oletools' olevba (an independent reader of MS-OVBA)."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from addin import resources
from addin.excel import build_addin, ovba_compression

olevba = pytest.importorskip("oletools.olevba")
CUSTOM_UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
BUTTONS = {
    "検証": "validate_book",
    "給与計算": "run_payroll",
    "請求書発行": "issue_invoices",
    "在庫・発注": "show_stock",
    "今すぐ照合": "reconcile_now",
    "ハイライト解除": "clear_highlights",
    "設定の確認": "check_settings",
    "年末調整": "run_nencho",
    "仕訳出力": "run_books",
    "入金消込": "match_receipts",
}


@pytest.fixture(scope="module")
def addin() -> Path:
    return resources.addin_file()


@pytest.fixture(scope="module")
def modules(addin) -> dict[str, str]:
    """VBA module name → source, as olevba reads the add-in's vbaProject.bin."""
    parser = olevba.VBA_Parser(str(addin))
    try:
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _procedures(code: str) -> dict[str, str]:
    """Sub/Function name → its whole text."""
    return {
        m[1]: m[0]
        for m in re.finditer(
            r"^(?:Public |Private )?(?:Sub|Function) (\w+)\(.*?^End (?:Sub|Function)", code, flags=re.S | re.M
        )
    }


def test_the_committed_addin_is_what_the_sources_build(tmp_path):
    """Reproducible: the build command, run in its own process, gives the committed bytes."""
    pytest.importorskip("ms_ovba")
    out = tmp_path / "backoffice.xlam"
    subprocess.run([sys.executable, "-m", "addin.excel.build_addin", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == resources.addin_file().read_bytes(), (
        "addin_src changed: run `python -m addin.excel.build_addin` and commit backoffice.xlam"
    )


def test_the_package_is_an_addin_with_a_ribbon_and_a_vba_project(addin):
    with zipfile.ZipFile(addin) as package:
        types = package.read("[Content_Types].xml").decode()
        rels = package.read("_rels/.rels").decode()
        workbook = package.read("xl/workbook.xml").decode()
        assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
        assert 'PartName="/xl/vbaProject.bin"' in types
        assert 'relationships/ui/extensibility" Target="customUI/customUI.xml"' in rels
        assert 'name="_backoffice.conf"' in workbook and "felix" not in workbook  # no builder's path inside
        assert package.read("customUI/customUI.xml") == (build_addin.SOURCES / "customUI.xml").read_bytes()


def test_every_ribbon_button_has_its_own_callback_calling_an_existing_function(addin, modules):
    with zipfile.ZipFile(addin) as package:
        ui = ElementTree.fromstring(package.read("customUI/customUI.xml"))
    tab = ui.find(f".//{CUSTOM_UI}tab")
    assert tab.get("label") == "バックオフィス"
    buttons = {b.get("label"): b.get("onAction") for b in ui.iter(f"{CUSTOM_UI}button")}
    assert set(BUTTONS) <= set(buttons)
    assert len(set(buttons.values())) == len(buttons)  # one callback each
    macros = importlib.import_module("addin.excel.macros")
    for label, action in buttons.items():
        module, procedure = action.split(".")
        code = modules[module]
        body = _procedures(code)[procedure]
        assert re.search(rf"^Sub {procedure}\(control As IRibbonControl\)", code, flags=re.M), action
        if label in BUTTONS:
            prefix = re.search(r'Private Const MACROS As String = "([^"]*)"', code)[1]
            called = re.search(r'RunPython MACROS & "(\w+)\(', body)[1]
            assert called == BUTTONS[label], (label, called)
            statement = prefix + called + "()"
            imported = re.match(r"import ([\w.]+) as (\w+); \2\.$", prefix)
            assert imported and importlib.import_module(imported[1]) is macros, statement
            assert callable(getattr(macros, called)), statement
            # the arguments the callback passes (what the user typed at its prompts) fit the function
            passed = re.search(r'RunPython MACROS & "\w+\((.*)\)"\s*$', body, flags=re.M)[1]
            typed = re.findall(r"Py(?:Text|Word)\(\w+\)", passed)
            inspect.signature(getattr(macros, called)).bind(*["x"] * len(typed))
        else:
            assert "ImportPythonUDFsToAddin" in body  # 関数の登録: xlwings' own route


def test_the_vba_project_carries_xlwings_runpython_for_this_project_and_every_udf(modules):
    xlwings_module = modules["xlwings"]
    assert 'Public Const PROJECT_NAME As String = "backoffice"' in xlwings_module
    assert "Public Function RunPython(" in xlwings_module and "Sub ImportPythonUDFsToAddin()" in xlwings_module
    assert "Attribute VB_Name" not in modules["BackofficeRibbon"].split("\n", 1)[1]
    from addin.excel import udfs

    wrappers = modules["xlwings_udfs"]
    for fn in udfs.UDFS:
        assert re.search(rf"^Function {fn.__name__}\(", wrappers, flags=re.M), fn.__name__
        assert f'XLPy.CallUDF("addin.excel.udfs", "{fn.__name__}"' in wrappers
        assert "ActiveWorkbook, Application.Caller" in wrappers  # add-in UDFs serve any book
    assert "Dictionary" in modules  # Mac's Scripting.Dictionary


def test_vba_is_ascii_so_any_code_page_reads_it():
    for path in build_addin.SOURCES.glob("*.bas"):
        path.read_text(encoding="ascii")


@pytest.mark.parametrize("data", [b"", b"x", b"Sub A()\r\nEnd Sub\r\n" * 900, bytes(range(256)) * 40, b"ab" * 5000])
def test_the_compressor_round_trips_through_oletools(data):
    back = olevba.decompress_stream(bytearray(ovba_compression.compress(data)))
    assert back[: len(data)] == data and not back[len(data) :].strip(b"\x00")
