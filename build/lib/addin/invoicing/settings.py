"""The company's invoicing choices (backoffice.toml [invoice] and [company]), checked at load."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: the invoice number prefix becomes part of file names: letters, digits, "-" and "_" only, short
PREFIX_PATTERN = r"^(?:[A-Za-z0-9][A-Za-z0-9_-]{0,15})?$"


class Issuer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field("", max_length=200)
    registration_number: str = Field("", max_length=14)
    postal_code: str = Field("", max_length=10)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=30)


class InvoiceSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prefix: str = Field("INV-", pattern=PREFIX_PATTERN)
    digits: int = Field(6, ge=1, le=12, strict=True)
    rounding: Literal["floor", "half_up", "ceil"] = "floor"
    price_entry: Literal["exclusive", "inclusive"] = "exclusive"
    due_date_holiday: Literal["previous", "next", "none"] = "previous"
    reduced_mark: str = Field("※", max_length=4)

    @classmethod
    def from_settings(cls, settings: dict) -> tuple["InvoiceSettings", Issuer]:
        return cls.model_validate(settings.get("invoice", {})), Issuer.model_validate(settings.get("company", {}))
