"""`backoffice excel remove-conf-sheets DIR`: take the old xlwings.conf sheets out of a company's books."""

from __future__ import annotations

from pathlib import Path

from addin.services.company import load_company
from addin.workbook.xlwings_conf import ConfSheetError, remove_conf_sheets as remove


def remove_conf_sheets(folder: Path) -> int:
    if not folder.is_dir():
        print(f"{folder}: フォルダがありません / no such folder")
        return 2
    company = load_company(folder)
    code = 0
    for book in company.books:
        path = company.book_path(book)
        if not path.exists():
            continue
        try:
            removed = remove(path)
        except ConfSheetError as problem:
            print(f"{path.name}: 変更しませんでした / left as it was: {problem}")
            code = 2
            continue
        print(
            f"{path.name}: "
            + (f"{', '.join(removed)} を削除しました / removed" if removed else "設定シートはありません / none")
        )
    return code
