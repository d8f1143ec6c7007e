"""入金消込 at volume: 100,000 statement lines against 50,000 open invoices (target: matched ≤ 5 s),
plus reading the same lines from a 全銀 入出金取引明細 file (200-byte records).

    python benchmarks/bench_receivables.py [--lines 100000] [--invoices 50000] [--customers 5000]

The lines are deposits of every kind: exact payments, payments less a transfer fee, two invoices
paid together, part payments, and strangers (unknown payers, amounts that fit nothing).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin.receivables.matching import Deposit, MatchSettings, OpenInvoice, PayerIndex, match_deposits  # noqa: E402
from addin.receivables.statement import DEPOSIT, StatementLine, identify  # noqa: E402
from addin.receivables.zengin import parse_zengin, zengin_statement  # noqa: E402

SYLLABLES = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜ"
FEES = (110, 132, 143, 154, 165, 187, 198, 220, 242, 264, 275, 330, 385, 440, 495, 550, 605, 660, 715, 770, 880)


def company(invoices: int, customers: int, rng: random.Random):
    names = set()
    while len(names) < customers:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(5, 9))))
    people = [{"customer_id": f"C{i:06d}", "name": f"会社{i}", "transfer_names": f"ｶ){name}"}
              for i, name in enumerate(sorted(names))]
    start = date(2025, 4, 30)
    bills = []
    for n in range(invoices):
        customer = people[n % customers]
        issued = start + timedelta(days=30 * (n // customers))
        total = rng.randrange(5_000, 3_000_000)
        bills.append(OpenInvoice(f"INV-{n:07d}", customer["customer_id"], issued, issued + timedelta(days=31), total, total))
    return people, bills


def statement(count: int, people, bills, rng: random.Random) -> list[tuple[date, int, str]]:
    payer_of = {p["customer_id"]: p["transfer_names"] for p in people}
    lines, i = [], 0
    while len(lines) < count and i < len(bills):
        bill, roll = bills[i], rng.random()
        payer = payer_of[bill.customer_id]
        if roll < 0.6:
            lines.append((bill.due_date, bill.total, payer))
        elif roll < 0.75:
            lines.append((bill.due_date, bill.total - rng.choice((440, 660)), payer))
        elif roll < 0.85 and i + len(people) < len(bills):
            later = bills[i + len(people)]                     # the same customer's next invoice, paid together
            lines.append((later.due_date, bill.total + later.total, payer))
        else:
            lines.append((bill.due_date - timedelta(days=3), bill.total // 2, payer))
        i += 1
    while len(lines) < count:                                  # strangers: nobody we know, odd amounts
        lines.append((date(2025, 6, 1) + timedelta(days=rng.randrange(300)), rng.randrange(1, 9_999_999) * 10 + 3,
                      "".join(rng.choice(SYLLABLES) for _ in range(7))))
    rng.shuffle(lines)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--customers", type=int, default=5_000)
    args = parser.parse_args()
    rng = random.Random(16)
    people, bills = company(args.invoices, args.customers, rng)
    raw_lines = statement(args.lines, people, bills, rng)

    t = time.perf_counter()
    lines = [StatementLine("", d, DEPOSIT, amount, payer, reference=str(n)) for n, (d, amount, payer) in enumerate(raw_lines, 1)]
    data = zengin_statement("0009", "001", "1", "1234567", "", sorted(lines, key=lambda l: l.date), date(2026, 4, 1))
    written = time.perf_counter() - t
    t = time.perf_counter()
    parsed = identify(parse_zengin(data, today=date(2026, 4, 1)).lines)
    read = time.perf_counter() - t

    t, cpu = time.perf_counter(), time.process_time()
    index = PayerIndex.build(people)
    deposits = [Deposit(l.line_id, l.date, l.amount, l.payer) for l in parsed]
    matches = match_deposits(deposits, bills, index, MatchSettings(fees=FEES))
    matched, matched_cpu = time.perf_counter() - t, time.process_time() - cpu

    by_status: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    for m in matches:
        by_status[m.status] = by_status.get(m.status, 0) + 1
        by_kind[m.kind] = by_kind.get(m.kind, 0) + 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(deposits):,} statement lines × {len(bills):,} open invoices ({len(people):,} customers)")
    print(f"  全銀 file: {len(data) / 1e6:.1f} MB written in {written:.2f} s, parsed + identified in {read:.2f} s")
    print(f"  matching (payer index + match): {matched:.2f} s wall, {matched_cpu:.2f} s CPU "
          f"(target ≤ 5 s) {'OK' if matched <= 5 else 'SLOW'}")
    print(f"  outcome: {by_status}")
    print(f"  kinds:   {by_kind}")
    print(f"  peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
