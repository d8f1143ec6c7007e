"""Payroll engines: gross pay, social insurance, withholding, bonuses, grades and the year (pure, no I/O)."""
