"""Peak resident memory and CPU per normal file message, batches of 10 (and the baseline
build's, runs interleaved)."""

from __future__ import annotations

import statistics

from harness import Bench, ProcessRun, invoke_ok, say
from figures.table import Figure, Results, Row, fmt_spread, verdict_upper

RSS_LIMIT_MIB = 8.0
# Issue #12's target for the receipts design (a transaction and a read per normal file
# message); on the earlier one-request design it was 100 us.
CPU_LIMIT_US = 150.0


def cpu_row(key: str, title: str, fig: Figure) -> Row:
    return Row(key, title, f"<= {CPU_LIMIT_US:g} us", f"{fig.median:.0f} us",
               fmt_spread(fig, fmt="{:.0f}"),
               *verdict_upper(fig.median, CPU_LIMIT_US, "us", "{:.0f}"))


def measure(bench: Bench, results: Results, repeats: int, batches: int) -> dict[str, float]:
    """Returns the median CPU per message (us) by binary ("" this build, "baseline")."""
    messages = batches * 10
    binaries = bench.binaries()
    say(f"memory and CPU: {repeats} x (a process serving nothing, and one serving "
        f"{batches} batches of 10)" + (", alternating with the baseline binary"
                                       if bench.baseline else ""))
    idle: dict[str, list[ProcessRun]] = {name: [] for name in binaries}
    loaded: dict[str, list[ProcessRun]] = {name: [] for name in binaries}
    for _ in range(repeats):
        # Interleaved, so that both binaries meet the same load on a shared machine.
        for name, binary in binaries.items():
            idle[name].append(binary.run(bench.world.binary_env()))
            correlation_id, names = bench.world.seed_run(10)

            def work() -> None:
                for _ in range(batches):
                    invoke_ok(bench.api, bench.world.event(correlation_id, names))

            loaded[name].append(binary.run(bench.world.binary_env(), work))
            counted = bench.world.files_received(correlation_id)
            if counted != messages:
                raise RuntimeError(f"expected {messages} files counted, the table says {counted}")
    figures = {}
    for name in binaries:
        idle_cpu = statistics.median(r.cpu_seconds for r in idle[name])
        figures[name] = (
            Figure([(r.cpu_seconds - idle_cpu) / messages * 1e6 for r in loaded[name]]),
            Figure([r.vm_hwm_kb / 1024 for r in loaded[name]]))
    per_message, rss = figures[""]
    base_cpu, base_rss = figures.get("baseline", (None, None))
    results.rows.append(Row(
        "peak_rss_mib", "peak resident memory, batches of 10", f"<= {RSS_LIMIT_MIB:g} MiB",
        f"{rss.median:.1f} MiB", fmt_spread(rss), *verdict_upper(rss.median, RSS_LIMIT_MIB, "MiB")))
    if base_rss:
        results.rows.append(Row(
            "baseline_peak_rss_mib", "  (the baseline binary, runs interleaved)",
            f"<= {RSS_LIMIT_MIB:g} MiB", f"{base_rss.median:.1f} MiB", fmt_spread(base_rss),
            *verdict_upper(base_rss.median, RSS_LIMIT_MIB, "MiB")))
        results.raw["baseline_peak_rss_mib"] = base_rss.as_json()
    results.rows.append(cpu_row("cpu_us_per_message", "CPU per normal file message (user+sys)",
                                per_message))
    if base_cpu:
        results.rows.append(cpu_row("baseline_cpu_us_per_message",
                                    "  (the baseline binary, runs interleaved)", base_cpu))
        results.raw["baseline_cpu_us_per_message"] = base_cpu.as_json()
    results.raw["peak_rss_mib"] = rss.as_json()
    results.raw["cpu_us_per_message"] = per_message.as_json()
    results.raw["cpu_idle_run_ms"] = Figure([r.cpu_seconds * 1e3 for r in idle[""]]).as_json()
    results.raw["cpu_loaded_run_ms"] = Figure([r.cpu_seconds * 1e3 for r in loaded[""]]).as_json()
    user = statistics.median((r.user_seconds - statistics.median(
        i.user_seconds for i in idle[""])) / messages * 1e6 for r in loaded[""])
    results.notes.append(
        f"CPU: ({batches} invocations x 10 messages, minus a run that served none) / "
        f"{messages}; of the median {per_message.median:.0f} us, about {user:.0f} us is "
        f"user time. Includes the one metrics push per invocation (1/10 per message).")
    return {name: fig.median for name, (fig, _) in figures.items()}
