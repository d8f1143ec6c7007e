"""Workbook adapters behind one small protocol: calamine/openpyxl for files, xlwings for live Excel."""

from addin.workbook.protocol import Book, BookUnreadable
from addin.workbook.files import CalamineBook, OpenpyxlBook, open_book

__all__ = ["Book", "BookUnreadable", "CalamineBook", "OpenpyxlBook", "open_book"]
