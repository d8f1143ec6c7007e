"""The nightly run's settings (`reconcile:` in rules/reconcile.yaml and a company's DIR/rules/*.yaml), typed.

Every file's section is checked on its own before the merge, so a misspelt check or option
(`closed_period:`, `enabled: yes please`) stops the night at load naming the file, the line and the key,
instead of loading and silently never running.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from addin.rulebook import RULES_DIR, RulesFileError, load_yaml_documents

SECTION = "reconcile"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckSwitch(_Strict):
    enabled: StrictBool = True


class StaleItemsCheck(CheckSwitch):
    days: StrictInt = Field(180, ge=1, le=36_500)


class Checks(_Strict):
    """One field per nightly check (addin/reconcile/checks.py CHECKS), in the order they run."""

    validation: CheckSwitch = CheckSwitch()
    stock_vs_counts: CheckSwitch = CheckSwitch()
    stock_vs_on_hand_column: CheckSwitch = CheckSwitch()
    negative_stock: CheckSwitch = CheckSwitch()
    shipped_not_invoiced: CheckSwitch = CheckSwitch()
    invoices_without_order: CheckSwitch = CheckSwitch()
    invoice_register: CheckSwitch = CheckSwitch()
    state_integrity: CheckSwitch = CheckSwitch()
    payroll_last_month: CheckSwitch = CheckSwitch()
    three_way_match: CheckSwitch = CheckSwitch()
    duplicate_bank_accounts: CheckSwitch = CheckSwitch()
    registration_numbers: CheckSwitch = CheckSwitch()
    stale_items: StaleItemsCheck = StaleItemsCheck()
    closed_periods: CheckSwitch = CheckSwitch()
    grades: CheckSwitch = CheckSwitch()
    receivables: CheckSwitch = CheckSwitch()
    books_unposted: CheckSwitch = CheckSwitch()


class CopyPolicy(_Strict):
    attempts: StrictInt = Field(4, ge=1, le=100)
    backoff_seconds: list[float] = Field(default_factory=lambda: [2, 5, 15, 30])


class Retention(_Strict):
    """Validated again, with its own message, by backups.retention (daily ≥ 1 keeps tonight's backup)."""

    daily: Any = 14
    weekly: Any = 8
    monthly: Any = 12


class ReconcileSettings(_Strict):
    checks: Checks = Checks()
    copy_policy: CopyPolicy = Field(CopyPolicy(), alias="copy")
    backups: Retention = Retention()
    audit_priority: list[str] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def as_dict(self) -> dict:
        return self.model_dump(by_alias=True)


def check_names() -> list[str]:
    return list(Checks.model_fields)


def load_settings(company_root: Path | None, rules_dir: Path = RULES_DIR) -> ReconcileSettings:
    """The product's section, then each company file's over it: each file validated alone (so the
    error names that file), the merged result validated again."""
    from addin.rulebook.loader import merge

    folders = [rules_dir] + ([Path(company_root) / "rules"] if company_root else [])
    merged: dict = {}
    for path, data in load_yaml_documents(folders):
        if SECTION not in data:
            continue
        section = data[SECTION]
        if not isinstance(section, dict):
            raise RulesFileError(path, f"{SECTION}: 設定の表（mapping）が必要です / must be a mapping")
        _validated(path, section)
        merged = merge(merged, section)
    return _validated(Path(rules_dir) / "reconcile.yaml", merged)


def _validated(path: Path, section: dict) -> ReconcileSettings:
    try:
        return ReconcileSettings.model_validate(section)
    except ValidationError as bad:
        error = bad.errors()[0]
        keys = [SECTION, *(str(k) for k in error["loc"])]
        where = ".".join(keys)
        line = _line_of(path, keys)
        at = f"line {line}: " if line else ""
        if error["type"] == "extra_forbidden":
            known = check_names() if keys[1:2] == ["checks"] and len(keys) == 3 else None
            hint = f" (known: {', '.join(known)})" if known else ""
            raise RulesFileError(path, f"{at}{where}: 知らない名前です（綴りを確認） / unknown name{hint}") from None
        raise RulesFileError(path, f"{at}{where}: {error['msg']} ({error.get('input')!r})") from None


def _line_of(path: Path, keys: list[str]) -> int | None:
    """The 1-based line of a nested key in a YAML file, when it is written there."""
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            break
        found = next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), None)
        if found is None:
            break
        line, node = found[0].start_mark.line + 1, found[1]
    return line
