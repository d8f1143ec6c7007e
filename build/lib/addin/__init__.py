"""Back-office automation for Japanese companies that keep their master data in Excel.

Rooms (see ../shared/DESIGN.md): the engines (model, rulebook, normalize, validate, payroll, tax,
invoicing, stock) are pure; workbook, outputs, state, services, excel and cli are the edges.
"""

__version__ = "0.1.0"
