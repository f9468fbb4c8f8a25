"""The Lambda cost implied: GB-s per million messages at 128 MB, from the invocations' wall
time (with and without added latency) and, with Lambda's CPU share, from the CPU figure."""

from __future__ import annotations

import math

from harness import Bench, say
from figures.latency import invocation_times
from figures.table import LAMBDA_CPU_SHARE, LAMBDA_MEMORY_GB, Figure, Results


def measure(bench: Bench, results: Results, rounds: int, lat20: dict[str, Figure],
            cpu_per_message: dict[str, float]) -> None:
    say("wall time per invocation without added latency (for the Lambda cost)")
    direct = invocation_times(bench, results, 0.0, "direct", rounds)
    lines = []
    for label, figures in (("local stack, no added latency", direct),
                           ("+20 ms per request", lat20)):
        for size, key in ((1, "one"), (10, "ten")):
            ms = figures[key].median
            billed_ms = math.ceil(ms)  # Lambda bills each invocation in whole ms
            gbs = billed_ms / 1000 * LAMBDA_MEMORY_GB * 1e6 / size
            lines.append((label, size, ms, gbs))
            scenario = "direct" if figures is direct else "lat20"
            results.raw[f"gb_seconds_per_million_{key}_{scenario}"] = gbs
    results.raw["lambda_cost"] = [
        {"scenario": s, "batch": b, "invocation_ms": ms, "gb_s_per_million_messages": g}
        for s, b, ms, g in lines]
    results.cost_lines = lines
    cpu_share_cost(results, lat20, cpu_per_message)


def cpu_share_cost(results: Results, lat20: dict[str, Figure],
                   cpu_per_message: dict[str, float]) -> None:
    """GB-s per million messages at 128 MB with Lambda's CPU share applied: an invocation's
    CPU, measured here on a whole core, takes 1769/128 times as long there, while its
    waiting for the services does not stretch. Per binary (the baseline from its own CPU
    figure), with the wait of this run's +20 ms batches of 10, which both designs share
    (the same requests)."""
    if not cpu_per_message or "ten" not in lat20:
        return
    wall_ms = lat20["ten"].median
    rows = []
    for name, us in cpu_per_message.items():
        cpu_ms = us * 10 / 1000
        wait_ms = max(wall_ms - cpu_ms, 0.0)
        billed_ms = math.ceil(wait_ms + cpu_ms / LAMBDA_CPU_SHARE)
        gbs = billed_ms / 1000 * LAMBDA_MEMORY_GB * 1e6 / 10
        rows.append((name or "this build", cpu_ms, wait_ms, billed_ms, gbs))
        results.raw[f"{name + '_' if name else ''}gb_s_per_million_cpu_share"] = gbs
    results.cpu_share_lines = rows
