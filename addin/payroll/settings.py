"""The company's payroll choices (backoffice.toml [payroll] and [company])."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PayrollSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prefecture: str = "東京都"
    pay_day: int | Literal["end"] = 25
    pay_months_later: int = Field(1, ge=0, le=1)        # 1: 月末締め翌月払い, 0: 当月払い
    pay_day_holiday: Literal["previous", "next"] = "previous"
    premium_collection: Literal["next_month", "same_month"] = "next_month"   # 翌月徴収 / 当月徴収
    employment_insurance_business: Literal["general", "agriculture_forestry_fisheries_sake", "construction"] = "general"
    health_insurance: Literal["kyoukai", "society"] = "kyoukai"
    health_insurance_society_rate: Decimal | None = None       # total rate, e.g. 0.0927
    nursing_insurance_society_rate: Decimal | None = None
    scheduled_hours_per_month: Decimal = Decimal("160")        # 月平均所定労働時間 (労基則19条)
    scheduled_days_per_month: Decimal = Decimal("20")          # for 欠勤控除
    withholding_method: Literal["table", "computer"] = "table"
    director_absence_deduction: bool = False                   # 定期同額給与: directors' pay is not docked by default

    @classmethod
    def from_settings(cls, settings: dict) -> "PayrollSettings":
        merged = {**settings.get("payroll", {})}
        merged.setdefault("prefecture", settings.get("company", {}).get("prefecture", "東京都"))
        return cls.model_validate(merged)
