"""Not a target: the CPU per message when each collection already holds many files,
because the count's answer (ALL_NEW) carries the row's whole token set."""

from __future__ import annotations

import statistics

from harness import Bench, invoke_ok, say
from figures.memory_cpu import cpu_row
from figures.table import Figure, Results


def measure(bench: Bench, results: Results, counted: int, batches: int) -> None:
    messages = batches * 10
    say(f"CPU with {counted} files already counted per collection")
    idle = [bench.binary.run(bench.world.binary_env()) for _ in range(3)]
    idle_cpu = statistics.median(r.cpu_seconds for r in idle)
    loaded = []
    for _ in range(3):
        correlation_id, names = bench.world.seed_run(10, counted_files=counted)

        def work() -> None:
            for _ in range(batches):
                invoke_ok(bench.api, bench.world.event(correlation_id, names))

        loaded.append(bench.binary.run(bench.world.binary_env(), work))
    fig = Figure([(r.cpu_seconds - idle_cpu) / messages * 1e6 for r in loaded])
    results.rows.append(cpu_row("cpu_us_per_message_full",
                                f"  (same, {counted} files already in each collection)", fig))
    results.raw["cpu_us_per_message_full"] = fig.as_json()
