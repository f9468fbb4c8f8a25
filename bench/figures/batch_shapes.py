"""Issue #17's figures on the grouped design (issue #16: a batch's normal file messages of
one collection are counted together), by batch shape: files of ONE collection (one group,
the common case) and files of TEN collections (ten groups), batches of 10 and of 100.

For each shape and binary (this build, and a baseline build measured alternately, e.g.
one built with a batch concurrency of 1):

- CPU per normal file message: (a process serving `batches` invocations of the shape,
  minus a process serving none) / messages; and its peak RSS (VmHWM);
- wall time per invocation with 20 ms added to every request (bench/counting_proxy.py),
  and the requests each invocation sent;
- GB-s per million messages at 128 MB and at the Terraform's memory size, with Lambda's
  CPU share applied (the CPU measured here on a whole core takes 1769/MB times as long
  there; the wait for the services does not stretch), against the floor that the batch's
  serial requests set: the requests of one group (groups go at once) and the metrics push
  after them, 20 ms each, with no CPU at all. The wait is the wall time at +20 ms less the
  local services' own time (the wall time without added latency, less the CPU): on AWS
  the 20 ms stands for the whole round trip.

Alone: bench/figures/batch_shapes.py --binary B [--baseline-binary B1] --stack-dir D
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, this directory comes first on the path, and its requests.py would
    # shadow the HTTP library: the bench directory takes its place.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from harness import REPO, Bench, Binary, invoke_ok, say  # noqa: E402
from figures.table import Figure, Results, Row, fmt_spread, print_table, verdict_upper  # noqa: E402

CPU_LIMIT_US = {1: 50.0, 10: 100.0}  # by collections per batch
RSS_LIMIT_MIB = 8.0
FIRST_BATCH_CPU_LIMIT_MS = 7.0
START_LIMIT_MS = 4.0
FLOOR_MARGIN = 0.15
DELAY_S = 0.020
CPU_SHARE_FULL_MB = 1769  # Lambda gives one vCPU at 1,769 MB


@dataclass(frozen=True)
class Shape:
    collections: int
    files: int

    @property
    def name(self) -> str:
        return f"{self.files} files of {self.collections} collection" + (
            "s" if self.collections > 1 else "")

    @property
    def key(self) -> str:
        return f"{self.collections}c{self.files}f"

    def event(self, bench: Bench, correlation_id: str, names: list[str]) -> dict:
        return bench.world.event(correlation_id,
                                 [names[i % self.collections] for i in range(self.files)])


SHAPES = (Shape(1, 10), Shape(10, 10), Shape(1, 100), Shape(10, 100))


def terraform_memory_mb() -> int:
    """The default of the Terraform's memory_size variable (deploy/terraform)."""
    text = (REPO / "deploy" / "terraform" / "variables.tf").read_text()
    found = re.search(r'variable "memory_size"\s*{[^}]*?default\s*=\s*(\d+)', text, re.S)
    if not found:
        raise RuntimeError("no default memory_size in deploy/terraform/variables.tf")
    return int(found.group(1))


def billed_gb_s_per_million(wall_ms: float, cpu_ms: float, memory_mb: int, messages: int) -> float:
    share = min(1.0, memory_mb / CPU_SHARE_FULL_MB)
    billed_ms = math.ceil(max(wall_ms - cpu_ms, 0.0) + cpu_ms / share)
    return billed_ms / 1000 * memory_mb / 1024 * 1e6 / messages


def cpu_and_rss(bench: Bench, binaries: dict[str, Binary], shape: Shape, repeats: int,
                messages: int) -> dict[str, tuple[Figure, Figure]]:
    invocations = max(1, messages // shape.files)
    counted = invocations * shape.files
    idle: dict[str, list[float]] = {name: [] for name in binaries}
    loaded: dict[str, list[tuple[float, float]]] = {name: [] for name in binaries}
    for _ in range(repeats):
        for name, binary in binaries.items():  # interleaved: the same machine load for both
            idle[name].append(binary.run(bench.world.binary_env()).cpu_seconds)
            correlation_id, names = bench.world.seed_run(shape.collections)

            def work() -> None:
                for _ in range(invocations):
                    invoke_ok(bench.api, shape.event(bench, correlation_id, names))

            run = binary.run(bench.world.binary_env(), work)
            loaded[name].append((run.cpu_seconds, run.vm_hwm_kb / 1024))
            if bench.world.files_received(correlation_id) != counted:
                raise RuntimeError(f"{shape.name}: not every file was counted")
    figures = {}
    for name in binaries:
        idle_cpu = statistics.median(idle[name])
        figures[name] = (Figure([(cpu - idle_cpu) / counted * 1e6 for cpu, _ in loaded[name]]),
                         Figure([rss for _, rss in loaded[name]]))
    return figures


def wall_time(bench: Bench, binary: Binary, shape: Shape, rounds: int,
              delay: float) -> tuple[Figure, dict[str, float]]:
    """Wall time per invocation (ms) with `delay` added to each request, and the requests
    of an invocation by operation (median over the rounds)."""
    walls: list[float] = []
    counts: list[dict[str, int]] = []
    with bench.proxy(latency=delay) as proxy:
        correlation_id, names = bench.world.seed_run(shape.collections)

        def work() -> None:
            for _ in range(2):  # connections opened, credentials read
                invoke_ok(bench.api, shape.event(bench, correlation_id, names))
            for _ in range(rounds):
                event = shape.event(bench, correlation_id, names)
                proxy.reset()
                walls.append(invoke_ok(bench.api, event) * 1e3)
                counts.append(proxy.counts())

        binary.run(bench.proxied_env(proxy), work)
    operations = {k for c in counts for k in c}
    return Figure(walls), {k: statistics.median(c.get(k, 0) for c in counts) for k in operations}


def serial_requests(shape: Shape, requests: dict[str, float]) -> float:
    """The requests no concurrency can overlap: one group's share of the AWS requests, and
    the metrics pushes and deletions after every group."""
    aws = sum(n for k, n in requests.items() if not k.startswith("pushgateway."))
    return aws / shape.collections + sum(n for k, n in requests.items()
                                         if k.startswith("pushgateway."))


def measure(bench: Bench, results: Results, repeats: int, messages: int, rounds: int) -> None:
    binaries = bench.binaries()
    memories = sorted({128, terraform_memory_mb()})
    label = {"": "this build", "baseline": "baseline"}
    say(f"batch shapes: CPU and peak RSS ({repeats} x {messages} messages), then wall time "
        f"with +{DELAY_S * 1e3:.0f} ms per request ({rounds} rounds), for "
        + ", ".join(s.name for s in SHAPES) + (", alternating with the baseline binary"
                                                if bench.baseline else ""))
    cost_lines = []
    for shape in SHAPES:
        figures = cpu_and_rss(bench, binaries, shape, repeats, messages)
        for name, binary in binaries.items():
            cpu, rss = figures[name]
            wall, requests = wall_time(bench, binary, shape, rounds, DELAY_S)
            # The local services' own time (moto serves one request at a time) is in both;
            # on AWS the added 20 ms stands for the whole round trip, so it is taken out.
            direct, _ = wall_time(bench, binary, shape, rounds, 0.0)
            prefix = f"{name}_" if name else ""
            results.raw[f"{prefix}cpu_us_per_message_{shape.key}"] = cpu.as_json()
            results.raw[f"{prefix}peak_rss_mib_{shape.key}"] = rss.as_json()
            results.raw[f"{prefix}wall_ms_lat20_{shape.key}"] = wall.as_json()
            results.raw[f"{prefix}wall_ms_direct_{shape.key}"] = direct.as_json()
            results.raw[f"{prefix}requests_{shape.key}"] = requests
            suffix = "" if not name else f" ({label[name]})"
            if shape.files == 10:
                limit = CPU_LIMIT_US[shape.collections]
                results.rows.append(Row(
                    f"{prefix}cpu_us_per_message_{shape.key}",
                    f"CPU per normal file message, {shape.name}{suffix}", f"<= {limit:g} us",
                    f"{cpu.median:.0f} us", fmt_spread(cpu, fmt="{:.0f}"),
                    *verdict_upper(cpu.median, limit, "us", "{:.0f}")))
            results.rows.append(Row(
                f"{prefix}peak_rss_mib_{shape.key}", f"peak RSS, batches of {shape.name}{suffix}",
                f"<= {RSS_LIMIT_MIB:g} MiB", f"{rss.median:.1f} MiB", fmt_spread(rss),
                *verdict_upper(rss.median, RSS_LIMIT_MIB, "MiB")))
            cpu_ms = cpu.median * shape.files / 1000
            floor_ms = serial_requests(shape, requests) * DELAY_S * 1e3
            services_ms = max(direct.median - cpu_ms, 0.0)
            for memory in memories:
                gbs = billed_gb_s_per_million(wall.median - services_ms, cpu_ms, memory,
                                              shape.files)
                floor = billed_gb_s_per_million(floor_ms, 0.0, memory, shape.files)
                limit = floor * (1 + FLOOR_MARGIN)
                results.rows.append(Row(
                    f"{prefix}gb_s_per_million_{shape.key}_{memory}mb",
                    f"GB-s/M msgs, +20 ms/request, {shape.name}, {memory} MB{suffix}",
                    f"<= {limit:.0f} (floor {floor:.0f} +15%)", f"{gbs:.0f}",
                    f"wall {wall.median:.0f}-{services_ms:.0f} ms, CPU {cpu_ms:.2f} ms",
                    *verdict_upper(gbs, limit, "GB-s", "{:.0f}")))
                results.raw[f"{prefix}gb_s_per_million_{shape.key}_{memory}mb"] = {
                    "gb_s": gbs, "floor": floor, "floor_ms": floor_ms}
            cost_lines.append((label[name], shape.name, cpu.median, wall.median, direct.median,
                               requests, floor_ms))
    for name, shape_name, cpu_us, wall_ms, direct_ms, requests, floor_ms in cost_lines:
        results.notes.append(
            f"{name}, {shape_name}: {cpu_us:.0f} us CPU/message; {wall_ms:.1f} ms per "
            f"invocation at +20 ms/request, {direct_ms:.1f} ms without; requests "
            f"{dict(sorted(requests.items()))}; floor {floor_ms:.0f} ms of serial requests")


def first_batch_and_start_rows(results: Results) -> None:
    """Issue #17's targets for two figures that figures/first_batch_cpu.py and
    figures/start.py measure (their own rows keep issue #12's targets)."""
    for key, title, limit in (
            ("first_batch_cpu_ms", "CPU from start to the answer of a first batch of 10",
             FIRST_BATCH_CPU_LIMIT_MS),
            ("start_ms", "start: spawn to first `next`", START_LIMIT_MS)):
        if key not in results.raw:
            continue
        fig = Figure(results.raw[key]["values"])
        results.rows.append(Row(f"issue17_{key}", title, f"<= {limit:g} ms",
                                f"{fig.median:.2f} ms", fmt_spread(fig, fmt="{:.2f}"),
                                *verdict_upper(fig.median, limit, "ms", "{:.2f}")))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", type=Path, required=True)
    p.add_argument("--baseline-binary", type=Path)
    p.add_argument("--stack-dir", type=Path, required=True)
    p.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "ssc-bench")
    p.add_argument("--repeats", type=int, default=5, help="CPU runs per shape and binary")
    p.add_argument("--messages", type=int, default=300, help="messages per CPU run")
    p.add_argument("--rounds", type=int, default=15, help="invocations timed per shape")
    p.add_argument("--start-repeats", type=int, default=0,
                   help="also measure start and first-batch CPU (0: do not)")
    args = p.parse_args()
    from figures import first_batch_cpu, start  # the harness's own figures

    results = Results()
    with Bench(args.binary, args.stack_dir, args.work_dir, args.baseline_binary) as bench:
        if args.start_repeats:
            start.measure(bench, results, args.start_repeats)
            first_batch_cpu.measure(bench, results, args.start_repeats)
            first_batch_and_start_rows(results)
        measure(bench, results, args.repeats, args.messages, args.rounds)
    print_table(results, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
