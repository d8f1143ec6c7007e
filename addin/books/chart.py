"""The chart of accounts and the consumption-tax categories, read from the rulebook's `books` section
(rules/accounts.yaml, extended by the company's DIR/rules/*.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from addin.money import rate

NORMAL_SIDES = ("debit", "credit")
# the order of the trial balance (貸借対照表科目, then 損益計算書科目)
KINDS = ("asset", "liability", "equity", "revenue", "cost_of_sales", "expense")


class BooksConfigError(ValueError):
    """The chart or a tax category is missing or malformed: names the key and where to fix it."""

    def __init__(self, message_ja: str, message_en: str):
        super().__init__(message_en)
        self.message_ja, self.message_en = message_ja, message_en


@dataclass(frozen=True)
class Account:
    key: str
    name: str
    code: str
    normal: str  # the side that increases it: debit (資産・費用) or credit
    kind: str
    sub_accounts: dict[str, str] = field(default_factory=dict)

    def sub_name(self, sub: str) -> str:
        return self.sub_accounts.get(sub, sub)


@dataclass(frozen=True)
class TaxCategory:
    key: str
    name: str
    rate: str = ""  # "10" / "8"; "" when no consumption tax applies
    credit: Fraction = Fraction(1)  # creditable share of input tax (経過措置)
    names: dict[str, str] = field(default_factory=dict)  # per software: yayoi / mf / freee
    invoice: str = ""  # MF インボイス column (適格 / 80%控除 …)

    def label(self, software: str) -> str:
        return self.names.get(software) or self.name


@dataclass(frozen=True)
class Chart:
    accounts: dict[str, Account]
    tax_categories: dict[str, TaxCategory]

    def account(self, key: str) -> Account:
        try:
            return self.accounts[key]
        except KeyError:
            raise BooksConfigError(
                f"勘定科目「{key}」が rules/accounts.yaml にありません",
                f"account {key!r} is not in rules/accounts.yaml (books.accounts)",
            ) from None

    def tax(self, key: str) -> TaxCategory:
        try:
            return self.tax_categories[key]
        except KeyError:
            raise BooksConfigError(
                f"税区分「{key}」が rules/accounts.yaml にありません",
                f"tax category {key!r} is not in rules/accounts.yaml (books.tax_categories)",
            ) from None

    def ordered(self) -> list[Account]:
        return sorted(self.accounts.values(), key=lambda a: (KINDS.index(a.kind), a.code, a.key))

    def purchase_category(self, rate_key: str, credit: Fraction) -> TaxCategory:
        """The 課対仕入 category of a rate and creditable share (1 for a registered issuer)."""
        for category in self.tax_categories.values():
            if category.key.startswith("purchase_") and category.rate == rate_key and category.credit == credit:
                return category
        raise BooksConfigError(
            f"税率{rate_key}%・控除割合{credit}の仕入税区分が rules/accounts.yaml にありません",
            f"no purchase tax category for rate {rate_key}% with credit {credit} in rules/accounts.yaml",
        )


def chart_of(section: dict | None) -> Chart:
    """The `books` section of the rulebook's settings as a Chart; a malformed entry is refused by key."""
    section = section or {}
    accounts = {}
    for key, spec in (section.get("accounts") or {}).items():
        if (
            not isinstance(spec, dict)
            or not spec.get("name")
            or spec.get("normal") not in NORMAL_SIDES
            or spec.get("kind") not in KINDS
        ):
            raise BooksConfigError(
                f"rules の books.accounts.{key} には name、normal（debit/credit）、kind が必要です",
                f"books.accounts.{key} needs name, normal (debit/credit) and kind {KINDS}",
            )
        accounts[key] = Account(
            key,
            str(spec["name"]),
            str(spec.get("code", "")),
            spec["normal"],
            spec["kind"],
            {str(k): str(v) for k, v in (spec.get("sub_accounts") or {}).items()},
        )
    categories = {}
    for key, spec in (section.get("tax_categories") or {}).items():
        if not isinstance(spec, dict) or not spec.get("name"):
            raise BooksConfigError(
                f"rules の books.tax_categories.{key} には name が必要です", f"books.tax_categories.{key} needs a name"
            )
        categories[key] = TaxCategory(
            key,
            str(spec["name"]),
            str(spec.get("rate", "")),
            rate(spec.get("credit", 1)),
            {s: str(spec[s]) for s in ("yayoi", "mf", "freee") if spec.get(s)},
            str(spec.get("invoice", "")),
        )
    if not accounts:
        raise BooksConfigError(
            "rules/accounts.yaml に勘定科目 (books.accounts) がありません",
            "rules/accounts.yaml defines no accounts (books.accounts)",
        )
    return Chart(accounts, categories)
