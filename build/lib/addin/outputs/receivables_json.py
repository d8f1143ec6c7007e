"""receivables.json: the run for machines (field names documented in README; money in integer yen)."""

from __future__ import annotations

import json
from pathlib import Path

from addin.outputs.staging import write_private


def write_receivables_json(path: Path, report: dict) -> Path:
    return write_private(path, json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"))
