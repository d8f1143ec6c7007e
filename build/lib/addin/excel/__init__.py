"""The Excel edge: worksheet functions (udfs) and button implementations (buttons) over xlwings."""
