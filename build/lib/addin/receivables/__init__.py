"""Money in: bank statement lines, payer names, matching receipts to open invoices (入金消込), aging.

Pure engine: no file, database or workbook I/O. Parsers take bytes and return lines or raise a
located StatementError; the matcher takes plain data and returns matches with reasons.
"""
