"""The company's invoicing choices (backoffice.toml [invoice] and [company])."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Issuer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = ""
    registration_number: str = ""
    postal_code: str = ""
    address: str = ""
    phone: str = ""


class InvoiceSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prefix: str = "INV-"
    digits: int = 6
    rounding: Literal["floor", "half_up", "ceil"] = "floor"
    price_entry: Literal["exclusive", "inclusive"] = "exclusive"
    due_date_holiday: Literal["previous", "next", "none"] = "previous"
    reduced_mark: str = "※"

    @classmethod
    def from_settings(cls, settings: dict) -> tuple["InvoiceSettings", Issuer]:
        return cls.model_validate(settings.get("invoice", {})), Issuer.model_validate(settings.get("company", {}))
