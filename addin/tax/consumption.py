"""Consumption tax arithmetic. The tax of a qualified invoice is rounded once per rate per invoice
(消費税法施行令70条の10, 基通1-8-15, インボイスQ&A 問57; FACTS.md §5), never per line; the
direction (切捨て / 四捨五入 / 切上げ) is the issuer's choice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from addin.money import ROUNDINGS, floor_yen, rate
from addin.rulebook import Rulebook


def tax_on_exclusive(amount: int, tax_rate: Fraction, rounding: str = "floor") -> int:
    """Tax on a tax-excluded sum: amount × rate, rounded by the named rule."""
    return int(ROUNDINGS[rounding](amount * tax_rate.numerator, tax_rate.denominator))


def tax_on_inclusive(amount: int, tax_rate: Fraction, rounding: str = "floor") -> int:
    """Tax inside a tax-included sum: amount × rate ÷ (1 + rate) (e.g. 60,000 × 10/110 = 5,454)."""
    share = tax_rate / (1 + tax_rate)
    return int(ROUNDINGS[rounding](amount * share.numerator, share.denominator))


@dataclass(frozen=True)
class RateTotals:
    """One invoice's figures for one tax rate."""

    rate_key: str  # a TaxRate key (addin/tax/rates.py): "10", "8"
    subtotal: int  # excluding tax
    tax: int
    entered: int  # the sum as entered (excluding or including tax, per the price entry)

    @property
    def total(self) -> int:
        return self.subtotal + self.tax


def input_tax_credit(tax: int, registered: bool, rules: Rulebook, on: date) -> int:
    """Creditable input tax: all of it from a registered issuer; from others the transitional share
    (80 % to 2026-09-30, 50 % after), 1円未満切捨て."""
    if registered:
        return tax
    ratio = rate(rules.value("consumption_tax.unregistered_credit_ratio", on))
    return int(floor_yen(tax * ratio.numerator, ratio.denominator))


def fee_withholding(amount: int, rules: Rulebook, on: date) -> int:
    """源泉徴収 on a fee paid to an individual (所得税法204条): 10.21 % up to 1,000,000 yen,
    20.42 % on the excess, 1円未満切捨て (e.g. 1,200,000 → 142,940)."""
    spec = rules.value("withholding.fees_to_individuals", on)
    threshold, low, high = int(spec["threshold"]), rate(spec["rate"]), rate(spec["excess_rate"])
    if amount <= 0:
        return 0
    if amount <= threshold:
        return int(floor_yen(amount * low.numerator, low.denominator))
    return int(floor_yen(threshold * low.numerator, low.denominator)) + int(
        floor_yen((amount - threshold) * high.numerator, high.denominator)
    )
