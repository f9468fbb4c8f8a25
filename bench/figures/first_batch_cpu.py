"""All the CPU a new process spends until it has answered its first batch of 10: what a
cold Lambda sandbox pays before its first answer."""

from __future__ import annotations

from harness import Bench, invoke_ok, say
from figures.table import Figure, Results, Row, fmt_spread, verdict_upper

FIRST_BATCH_CPU_LIMIT_MS = 5.0


def measure(bench: Bench, results: Results, repeats: int) -> None:
    binaries = bench.binaries()
    say(f"CPU from start to the answer of a first batch of 10, {repeats} runs")
    runs: dict[str, list[float]] = {name: [] for name in binaries}
    for _ in range(repeats):
        for name, binary in binaries.items():
            correlation_id, names = bench.world.seed_run(10)
            run = binary.run(bench.world.binary_env(),
                             lambda: invoke_ok(bench.api, bench.world.event(correlation_id, names)))
            runs[name].append(run.cpu_seconds * 1e3)
    for name, values in runs.items():
        fig = Figure(values)
        title = ("CPU from start to the answer of a first batch of 10" if not name
                 else "  (the baseline binary, runs interleaved)")
        key = f"{name + '_' if name else ''}first_batch_cpu_ms"
        results.rows.append(Row(
            key, title, f"<= {FIRST_BATCH_CPU_LIMIT_MS:g} ms", f"{fig.median:.2f} ms",
            fmt_spread(fig, fmt="{:.2f}"),
            *verdict_upper(fig.median, FIRST_BATCH_CPU_LIMIT_MS, "ms", "{:.2f}")))
        results.raw[key] = fig.as_json()
