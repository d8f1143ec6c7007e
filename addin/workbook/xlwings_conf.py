"""Workbooks hold no machine settings. Older books made by `backoffice init`/`demo` carried an
`xlwings.conf` sheet (this PC's interpreter and PYTHONPATH, or empty values); a sheet wins over every
other xlwings config, so on another PC it breaks Excel. `remove_conf_sheets` takes those sheets out.

It edits the package as text, not through a spreadsheet library (which would drop what it does not
understand: charts, pivot caches, extensions, the VBA of an .xlsm): the sheet's entry, part,
relationship and content type go, sheet-scoped names are renumbered, the calculation chain is dropped
(Excel rebuilds it). The result is written beside the book, checked (every other sheet reads back
with the same values), and only then renamed over the book.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path

import python_calamine as calamine

from addin.outputs.atomic import atomic_path

UDF_MODULE = "addin.excel.udfs"
SHEET = "xlwings.conf"
CONF_SHEETS = {"xlwings.conf", "backoffice.conf"}  # what the xlwings add-in / the backoffice add-in read


class ConfSheetError(ValueError):
    pass


def conf_sheets(path: Path) -> list[str]:
    return [n for n in calamine.CalamineWorkbook.from_path(str(path)).sheet_names if n.lower() in CONF_SHEETS]


def remove_conf_sheets(path: Path) -> list[str]:
    """Remove the config sheets from a book in place (atomically, after a check); the names removed."""
    path = Path(path)
    if path.with_name("~$" + path.name).exists():
        raise ConfSheetError(
            f"{path.name} は Excel で開かれています。閉じてから実行してください / close it in Excel first"
        )
    removed = conf_sheets(path)
    if not removed:
        return []
    data = _without_sheets(path.read_bytes(), set(removed))
    private = (path.stat().st_mode & 0o077) == 0
    with atomic_path(path, private=private) as tmp:
        tmp.write_bytes(data)
        _check_same(path, tmp, removed)
    return removed


def _without_sheets(package: bytes, names: set[str]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    workbook = source.read("xl/workbook.xml").decode("utf-8")
    rels = source.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    types = source.read("[Content_Types].xml").decode("utf-8")
    sheets = re.findall(r"<sheet\b[^>]*/>", workbook)
    drop_parts: set[str] = set()
    gone_indexes = []
    for index, element in enumerate(sheets):
        name = _unescape(re.search(r'\bname="([^"]*)"', element)[1])
        if name not in names:
            continue
        gone_indexes.append(index)
        rid = re.search(r'\br:id="([^"]*)"', element)[1]
        rel = re.search(rf'<Relationship\b[^>]*\bId="{re.escape(rid)}"[^>]*/>', rels)[0]
        target = re.search(r'\bTarget="([^"]*)"', rel)[1]
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        drop_parts |= {part, posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")}
        workbook = workbook.replace(element, "", 1)
        rels = rels.replace(rel, "", 1)
    workbook = _renumber_names(workbook, gone_indexes, names)
    workbook = re.sub(r'\b(activeTab|firstSheet)="\d+"', r'\1="0"', workbook)
    calc = re.search(r"<Relationship\b[^>]*calcChain[^>]*/>", rels)
    if calc:
        rels = rels.replace(calc[0], "")
        drop_parts.add("xl/calcChain.xml")
    for part in drop_parts:
        types = re.sub(rf'<Override\b[^>]*PartName="/{re.escape(part)}"[^>]*/>', "", types)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop_parts:
                continue
            data = {
                "xl/workbook.xml": workbook.encode("utf-8"),
                "xl/_rels/workbook.xml.rels": rels.encode("utf-8"),
                "[Content_Types].xml": types.encode("utf-8"),
            }.get(info.filename) or source.read(info.filename)
            target.writestr(info, data)
    return out.getvalue()


def _renumber_names(workbook: str, gone: list[int], names: set[str]) -> str:
    """Sheet-scoped defined names follow their sheet's position; names on a removed sheet go with it."""

    def fix(match: re.Match) -> str:
        attrs, body = match[1], match[2]
        scope = re.search(r'\blocalSheetId="(\d+)"', attrs)
        if scope and int(scope[1]) in gone:
            return ""
        if any(f"'{n}'!" in _unescape(body) or f"{n}!" in _unescape(body) for n in names):
            return ""
        if scope:
            shifted = int(scope[1]) - sum(1 for g in gone if g < int(scope[1]))
            attrs = attrs.replace(scope[0], f'localSheetId="{shifted}"')
        return f"<definedName{attrs}>{body}</definedName>"

    workbook = re.sub(r"<definedName\b([^>]*)>(.*?)</definedName>", fix, workbook, flags=re.S)
    return re.sub(r"<definedNames>\s*</definedNames>", "", workbook)


def _unescape(text: str) -> str:
    return (
        text.replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


def _check_same(original: Path, new: Path, removed: list[str]) -> None:
    """The new book opens, has every other sheet in the same order, with the same values."""
    try:
        before = calamine.CalamineWorkbook.from_path(str(original))
        after = calamine.CalamineWorkbook.from_path(str(new))
        kept = [n for n in before.sheet_names if n not in removed]
        if list(after.sheet_names) != kept:
            raise ConfSheetError(f"sheets differ: {after.sheet_names} != {kept}")
        for name in kept:
            if before.get_sheet_by_name(name).to_python() != after.get_sheet_by_name(name).to_python():
                raise ConfSheetError(f"{name}: values differ after removing {removed}")
        import openpyxl

        openpyxl.load_workbook(io.BytesIO(new.read_bytes()), keep_vba=str(original).lower().endswith(".xlsm")).close()
    except ConfSheetError:
        raise
    except Exception as problem:  # either reader refusing the copy, whatever it raises
        raise ConfSheetError(f"the cleaned copy does not read back: {problem}") from None
