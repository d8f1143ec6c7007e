"""Stock: ledger, valuation, counts, reorder, three-way match and vendor payments."""
