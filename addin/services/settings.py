"""backoffice.toml as a typed model, checked when a company is loaded: every value a choice from its
list, a number within its range, a day within a month, a file-name part made of safe characters.
A wrong value is named with its section, key and value, in Japanese and English (exit 2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from addin.invoicing.settings import PREFIX_PATTERN, InvoiceSettings, Issuer
from addin.payroll.settings import PayrollSettings

DIGITS = r"^[0-9]{%d}$"
NIGHTLY_TIME = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"


class CompanySection(Issuer):
    name_kana: str = Field("", max_length=100)
    prefecture: str = Field("東京都", max_length=10)
    language: Literal["ja", "en"] = "ja"


class BankSection(BaseModel):
    """The company's own account: the sender of every Zengin transfer file."""

    model_config = ConfigDict(extra="ignore")

    requester_code: str = Field(pattern=DIGITS % 10)
    requester_name_kana: str = Field("", max_length=40)
    bank_code: str = Field(pattern=DIGITS % 4)
    bank_name_kana: str = Field("", max_length=15)
    branch_code: str = Field(pattern=DIGITS % 3)
    branch_name_kana: str = Field("", max_length=15)
    account_type: Literal["ordinary", "current", "savings", "other"] = "ordinary"
    account_number: str = Field(pattern=DIGITS % 7)


class NightlySection(BaseModel):
    model_config = ConfigDict(extra="ignore")

    time: str = Field("02:00", pattern=NIGHTLY_TIME)
    days: Literal["weekdays", "daily"] = "weekdays"


class StockSection(BaseModel):
    model_config = ConfigDict(extra="ignore")

    valuation: Literal["moving_average", "periodic_average"] = "moving_average"
    payment_holiday: Literal["previous", "next", "none"] = "previous"
    transfer_fee_borne_by_vendor: bool = Field(False, strict=True)


class CompanySettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    company: CompanySection = CompanySection()
    payroll: PayrollSettings = PayrollSettings()
    invoice: InvoiceSettings = InvoiceSettings()
    bank: BankSection | None = None
    nightly: NightlySection = NightlySection()
    stock: StockSection = StockSection()


#: pydantic's error kinds in both languages (the rest fall back to pydantic's English text)
MESSAGES = {
    "literal_error": ("次のいずれかにしてください: {expected}", "must be one of: {expected}"),
    "string_pattern_mismatch": ("形式が正しくありません", "has the wrong form"),
    "string_too_long": ("{max_length} 文字以内にしてください", "must be at most {max_length} characters"),
    "string_too_short": ("空にできません", "must not be empty"),
    "string_type": ('文字列（"…"）で指定してください', 'must be text ("…")'),
    "missing": ("必須です", "is required"),
    "greater_than_equal": ("{ge} 以上にしてください", "must be ≥ {ge}"),
    "greater_than": ("{gt} より大きくしてください", "must be > {gt}"),
    "less_than_equal": ("{le} 以下にしてください", "must be ≤ {le}"),
    "int_type": ("整数で指定してください", "must be a whole number"),
    "bool_type": ("true か false で指定してください", "must be true or false"),
    "model_type": ("[セクション] として書いてください", "must be a [section]"),
    "decimal_parsing": ("数値で指定してください", "must be a number"),
    "decimal_type": ("数値で指定してください", "must be a number"),
    "finite_number": ("有限の数値で指定してください", "must be a finite number"),
}


#: what a pattern means, for the person who has to fix the value
HINTS = {
    PREFIX_PATTERN: (
        "英数字・- ・_ のみ、英数字で始めて16文字以内",
        "letters, digits, - and _ only, starting with a letter or digit, at most 16",
    ),
    **{DIGITS % n: (f"{n} 桁の数字", f"{n} digits") for n in (3, 4, 7, 10)},
    NIGHTLY_TIME: ("HH:MM（00:00〜23:59）", "HH:MM (00:00–23:59)"),
}


def problems(error: ValidationError) -> list[str]:
    """One located, bilingual line per wrong value: backoffice.toml [section] key = value: 日本語 / English."""
    lines = []
    for err in error.errors():
        loc = [str(part) for part in err["loc"] if not str(part).startswith(("function-", "int", "literal", "decimal"))]
        section, key = (loc[0], ".".join(loc[1:])) if loc else ("", "")
        where = f"backoffice.toml [{section}]" + (f" {key}" if key else "")
        value = err.get("input")
        shown = "" if isinstance(value, dict) or err["type"] == "missing" else f" = {value!r}"
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        ctx = {
            k: (" / ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
            for k, v in (err.get("ctx") or {}).items()
        }
        if err["type"] == "string_pattern_mismatch" and ctx.get("pattern") in HINTS:
            ja, en = HINTS[ctx["pattern"]]
            lines.append(f"{where}{shown}: {ja} にしてください / must be {en}")
        elif err["type"] in MESSAGES:
            ja, en = (text.format(**ctx) if ctx else text for text in MESSAGES[err["type"]])
            lines.append(f"{where}{shown}: {ja} / {en}")
        else:
            lines.append(f"{where}{shown}: 値が正しくありません / invalid value: {err['msg']}")
    return list(dict.fromkeys(lines))


def check_settings(settings: dict) -> CompanySettings:
    """The typed settings; raises ValueError with every problem, located, when any value is wrong."""
    try:
        return CompanySettings.model_validate(settings)
    except ValidationError as error:
        raise ValueError("\n".join(problems(error))) from None
