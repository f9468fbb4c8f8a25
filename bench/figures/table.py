"""The benchmark's figures as rows against their targets, and the table they print as."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any, Optional

LAMBDA_MEMORY_MB = 128
LAMBDA_MEMORY_GB = LAMBDA_MEMORY_MB / 1024
# Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB.
LAMBDA_CPU_SHARE = LAMBDA_MEMORY_MB / 1769


@dataclass
class Figure:
    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def spread(self) -> tuple[str, float, float]:
        """("p10-p90", low, high) for 10 or more samples, ("min-max", ...) below that."""
        data = sorted(self.values)
        if len(data) >= 10:
            deciles = statistics.quantiles(data, n=10, method="inclusive")
            return "p10-p90", deciles[0], deciles[-1]
        return "min-max", data[0], data[-1]

    def as_json(self) -> dict:
        kind, low, high = self.spread()
        return {"median": self.median, "spread": kind, "low": low, "high": high,
                "n": len(self.values), "values": self.values}


@dataclass
class Row:
    key: str
    title: str
    target: str
    measured: str
    spread: str
    verdict: str  # "met", "MISSED", "n/a"
    detail: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Printed after the table, not rows: (scenario, batch, ms, GB-s) and
    # (binary, CPU ms, wait ms, billed ms, GB-s).
    cost_lines: list[tuple] = field(default_factory=list)
    cpu_share_lines: list[tuple] = field(default_factory=list)
    profile_text: dict[str, str] = field(default_factory=dict)


def verdict_upper(measured: float, limit: float, unit: str, fmt: str = "{:.1f}") -> tuple[str, str]:
    """Met when measured <= limit; the detail says by how much, either way."""
    margin = limit - measured
    if margin >= 0:
        return "met", f"{fmt.format(margin)} {unit} ({margin / limit:.0%}) under"
    return "MISSED", f"by {fmt.format(-margin)} {unit} ({-margin / limit:.0%} over)"


def fmt_spread(fig: Figure, scale: float = 1.0, fmt: str = "{:.1f}") -> str:
    kind, low, high = fig.spread()
    return f"{kind} {fmt.format(low * scale)}-{fmt.format(high * scale)}"


def print_table(results: Results, compare: Optional[dict]) -> None:
    rows = [("measure", "target", "measured (median)", "spread", "result", "margin")]
    rows += [(r.title, r.target, r.measured, r.spread, r.verdict, r.detail) for r in results.rows]
    widths = [max(len(str(row[i])) for row in rows) for i in range(6)]
    print()
    for n, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("Lambda cost implied (128 MB, each invocation billed in whole ms):")
    for label, size, ms, gbs in results.cost_lines:
        print(f"  batch of {size:>2}, {label:<30} {ms:7.1f} ms per invocation -> "
              f"{gbs:9.1f} GB-s per million messages")
    print()
    if results.cpu_share_lines:
        print(f"With Lambda's CPU share at 128 MB ({LAMBDA_CPU_SHARE:.3f} vCPU: CPU time x "
              f"{1 / LAMBDA_CPU_SHARE:.1f}), batches of 10, +20 ms per request:")
        for name, cpu_ms, wait_ms, billed_ms, gbs in results.cpu_share_lines:
            print(f"  {name:<12} CPU {cpu_ms:5.2f} ms + wait {wait_ms:5.1f} ms -> billed "
                  f"{billed_ms:4d} ms -> {gbs:7.1f} GB-s per million messages")
        print()
    for note in results.notes:
        print(f"note: {note}")
    if compare:
        print()
        print(f"before/after (before: {compare.get('label', '?')}, {compare.get('when', '?')}):")
        before = {r["key"]: r for r in compare.get("rows", [])}
        for r in results.rows:
            old = before.get(r.key)
            print(f"  {r.title:<55} {old['measured'] if old else '-':>28}  ->  {r.measured}")


def print_profile(reports: dict[str, str], top: int = 15) -> None:
    """The first `top` functions of each callgrind_annotate listing."""
    for kind, text in reports.items():
        lines = text.splitlines()
        try:
            first = next(i for i, line in enumerate(lines) if "file:function" in line) + 1
        except StopIteration:
            continue
        print()
        print(f"callgrind, top {top} functions by {kind} instructions:")
        shown = 0
        for line in lines[first:]:
            if not line.strip():
                continue
            print("  " + line[:160])
            shown += 1
            if shown >= top:
                break
