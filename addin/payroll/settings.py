"""The company's payroll choices (backoffice.toml [payroll] and [company]), checked at load: choice
words from their list, days within a month, society rates within the bounds the law allows."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError


def day_of_month(value):
    """1–31 or "end" (a number written as text is read as that number); never a bool or other words."""
    if value == "end":
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        raise PydanticCustomError(
            "day_of_month", '1〜31 の日、または "end"（月末）にしてください / must be a day 1–31 or "end" (month end)'
        )
    return value


def rate_between(low: str, high: str, why_ja: str, why_en: str):
    """A rate given as a number or text ("0.0927"), exact (Decimal), within [low, high]."""

    def check(value):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise PydanticCustomError("rate", "率は数値で指定してください / a rate must be a number")
        try:
            rate = Decimal(str(value).strip())
        except InvalidOperation:
            raise PydanticCustomError(
                "rate", "率は数値で指定してください（例 0.0927） / a rate must be a number (e.g. 0.0927)"
            ) from None
        if not rate.is_finite() or not Decimal(low) <= rate <= Decimal(high):
            raise PydanticCustomError(
                "rate", f"{low}〜{high} の範囲にしてください（{why_ja}） / must be within {low}–{high} ({why_en})"
            )
        return rate

    return BeforeValidator(check)


DayOfMonth = Annotated[int | Literal["end"], BeforeValidator(day_of_month)]
#: 健康保険法160条13項: a 健康保険組合 sets its rate between 30/1000 and 130/1000
HealthRate = Annotated[Decimal | None, rate_between("0.03", "0.13", "健康保険法160条", "Health Insurance Act art. 160")]
#: 介護保険料率 of a society: no statutory band; anything above 5 % is a typing error in practice
NursingRate = Annotated[Decimal | None, rate_between("0", "0.05", "介護保険料率", "long-term care rate")]


class PayrollSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prefecture: str = Field("東京都", max_length=10)
    closing_day: DayOfMonth = "end"
    pay_day: DayOfMonth = 25
    pay_months_later: int = Field(1, ge=0, le=1, strict=True)  # 1: 月末締め翌月払い, 0: 当月払い
    pay_day_holiday: Literal["previous", "next"] = "previous"
    premium_collection: Literal["next_month", "same_month"] = "next_month"  # 翌月徴収 / 当月徴収
    employment_insurance_business: Literal["general", "agriculture_forestry_fisheries_sake", "construction"] = "general"
    health_insurance: Literal["kyoukai", "society"] = "kyoukai"
    health_insurance_society_rate: HealthRate = None  # total rate, e.g. 0.0927
    nursing_insurance_society_rate: NursingRate = None
    scheduled_hours_per_month: Decimal = Field(Decimal("160"), gt=0, le=744)  # 月平均所定労働時間 (労基則19条)
    scheduled_days_per_month: Decimal = Field(Decimal("20"), gt=0, le=31)  # for 欠勤控除
    withholding_method: Literal["table", "computer"] = "table"
    director_absence_deduction: bool = False  # 定期同額給与: directors' pay is not docked by default
    # 年末調整の過不足: settled in the year's last pay unless a work month (1–12) is named (12: the January pay)
    year_end_settlement_month: int | None = Field(None, ge=1, le=12, strict=True)
    # 不足額徴収繰延承認 (所得税法192条2項): deferrable shortfalls collected in halves in January and February
    year_end_deferral: bool = False

    @model_validator(mode="after")
    def _society_needs_its_rate(self):
        if self.health_insurance == "society" and self.health_insurance_society_rate is None:
            raise PydanticCustomError(
                "society_rate",
                'health_insurance = "society" には health_insurance_society_rate '
                "が必要です / needs health_insurance_society_rate",
            )
        return self

    @classmethod
    def from_settings(cls, settings: dict) -> "PayrollSettings":
        merged = {**settings.get("payroll", {})}
        merged.setdefault("prefecture", settings.get("company", {}).get("prefecture", "東京都"))
        return cls.model_validate(merged)
