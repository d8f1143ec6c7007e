"""Consumption tax: the rates as records, per-rate tax on a sum with the invoice rounding, input-tax
credit, fee withholding."""

from addin.tax.consumption import (
    RateTotals,
    fee_withholding,
    input_tax_credit,
    tax_on_exclusive,
    tax_on_inclusive,
)
from addin.tax.rates import TaxRate, check_rate_choices, every_tax_rate, standard_rate, tax_rates

__all__ = [
    "RateTotals",
    "TaxRate",
    "check_rate_choices",
    "every_tax_rate",
    "fee_withholding",
    "input_tax_credit",
    "standard_rate",
    "tax_on_exclusive",
    "tax_on_inclusive",
    "tax_rates",
]
