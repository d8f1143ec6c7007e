"""The rulebook proper: pure lookups over parameters already loaded from `rules/`.

Shaped after OpenFisca's parameters: each parameter is a list of values, each with the date it
takes effect (and optionally the last day it applies) and the legal or published source it follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class DatedValue:
    effective_from: date
    value: Any
    effective_to: date | None = None  # last day in force, inclusive; None = until the next value
    source: str = ""


@dataclass
class Parameter:
    name: str
    file: str  # the rules file that defines it: where to add a newer value
    description: str = ""
    source: str = ""
    values: list[DatedValue] = field(default_factory=list)

    def value_on(self, on: date) -> DatedValue:
        in_force = [
            v for v in self.values if v.effective_from <= on and (v.effective_to is None or on <= v.effective_to)
        ]
        if not in_force:
            raise RuleNotInForce(self, on)
        return max(in_force, key=lambda v: v.effective_from)


class UnknownRule(KeyError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"no rule named {self.name!r} in rules/"


class RuleNotInForce(LookupError):
    """A date that no value covers: never a silent default."""

    def __init__(self, parameter: Parameter, on: date):
        self.parameter, self.on = parameter, on
        known = ", ".join(f"{v.effective_from}〜{v.effective_to or ''}" for v in parameter.values)
        super().__init__(
            f"{parameter.name}: no value in force on {on.isoformat()} (known: {known or 'none'}); "
            f"add one to {parameter.file}"
        )

    @property
    def message_ja(self) -> str:
        return (
            f"{self.parameter.name}: {self.on.isoformat()} に適用される値がありません。"
            f"{self.parameter.file} に追加してください"
        )

    @property
    def message_en(self) -> str:
        return str(self)


@dataclass
class Rulebook:
    parameters: dict[str, Parameter] = field(default_factory=dict)
    schemas: dict[str, Any] = field(default_factory=dict)  # raw schema documents by book name
    settings: dict[str, Any] = field(default_factory=dict)  # other named sections (checks, messages …)

    def parameter(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise UnknownRule(name) from None

    def value(self, name: str, on: date) -> Any:
        return self.parameter(name).value_on(on).value

    def entry(self, name: str, on: date) -> DatedValue:
        return self.parameter(name).value_on(on)
