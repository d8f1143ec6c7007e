"""Consumption tax: per-rate tax on a sum with the invoice rounding, input-tax credit, fee withholding."""

from addin.tax.consumption import (
    RateTotals,
    fee_withholding,
    input_tax_credit,
    tax_on_exclusive,
    tax_on_inclusive,
    tax_rates,
)

__all__ = ["RateTotals", "fee_withholding", "input_tax_credit", "tax_on_exclusive", "tax_on_inclusive", "tax_rates"]
