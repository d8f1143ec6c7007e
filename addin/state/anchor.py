"""Anchors: the register's head and count and the run ledger's last night, written outside state.db
(`.backoffice/anchor.json`, each night's report, each backup) and sealed with the company key.

A database restored from an older copy, a truncated register tail, or a deleted run or snapshot no
longer reaches the head an anchor remembers, so it is named instead of silently accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from addin.outputs.atomic import write_text

ANCHOR_FILE = "anchor.json"


@dataclass(frozen=True)
class AnchorFinding:
    source: str
    code: str
    detail: str


def _mac(secret: bytes, body: dict) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def make_anchor(secret: bytes, register_head: tuple[int, str], ledger_head: dict | None) -> dict:
    body = {"register": {"count": register_head[0], "head": register_head[1]}, "ledger": ledger_head or {}}
    return {**body, "mac": _mac(secret, body)}


def write_anchor(path: Path, anchor: dict) -> Path:
    return write_text(Path(path), json.dumps(anchor, ensure_ascii=False, indent=1))


def read_anchor(path: Path) -> dict | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("anchor", data) if isinstance(data, dict) else None


def genuine(secret: bytes, anchor: dict) -> bool:
    body = {k: v for k, v in anchor.items() if k != "mac"}
    return isinstance(anchor.get("mac"), str) and hmac.compare_digest(_mac(secret, body), anchor["mac"])


def check_register(source: str, anchor: dict, count: int, seal_at) -> list[AnchorFinding]:
    """The register must still hold every row the anchor saw, with the same seal at its head."""
    seen = anchor.get("register", {})
    then, head = int(seen.get("count", 0)), str(seen.get("head", ""))
    if then > count:
        return [
            AnchorFinding(
                source,
                "register_truncated",
                f"台帳は {count} 件ですが {source} は {then} 件を記録しています / "
                f"the register holds {count} invoice(s), {source} recorded {then}",
            )
        ]
    if then and seal_at(then) != head:
        return [
            AnchorFinding(
                source,
                "register_rolled_back",
                f"台帳の {then} 件目が {source} の記録と異なります（古い state.db に戻された可能性） / "
                f"row {then} differs from {source}: the database was replaced or rolled back",
            )
        ]
    return []


def check_ledger(source: str, anchor: dict, ledger) -> list[AnchorFinding]:
    """The run ledger must still hold the last night the anchor saw, with the same snapshots."""
    seen = anchor.get("ledger") or {}
    if not seen:
        return []
    runs, last, digest = int(seen.get("runs", 0)), str(seen.get("last_run", "")), str(seen.get("snapshot", ""))
    found = []
    if ledger.count() < runs:
        found.append(
            AnchorFinding(
                source,
                "ledger_truncated",
                f"実行記録は {ledger.count()} 夜分ですが {source} は {runs} 夜分を記録しています / "
                f"the run ledger holds {ledger.count()} night(s), {source} recorded {runs}",
            )
        )
    if last and not ledger.has_run(last):
        found.append(
            AnchorFinding(source, "ledger_run_missing", f"{last} の実行記録がありません / the run of {last} is gone")
        )
    elif last and ledger.snapshot_digest(last) != digest:
        found.append(
            AnchorFinding(
                source,
                "snapshot_edited",
                f"{last} のスナップショットが変更されています / the snapshots of {last} were changed",
            )
        )
    return found
