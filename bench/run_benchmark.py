#!/usr/bin/env python3
"""The benchmark of issue #5: start time, peak memory, CPU and AWS requests per message,
batch latency and package size of the binary, each against its target, on this machine.

scripts/bench.sh runs it (after set-up, a Release build and a stack of its own); alone:

    .venv/bin/python bench/run_benchmark.py --binary build/bench/snapshot-sender-status-checker \
        --stack-dir .stack/bench [--json-out results.json] [--compare before.json]

Everything runs the binary as Lambda runs it (bench/harness.py): AWS_LAMBDA_RUNTIME_API
points at a local stand-in of the Runtime API (bench/fake_runtime_api.py) that times the
first `next` and hands out SQS events built against a run seeded in the stack. Requests are
counted, and latency is added, by a proxy between the binary and the services
(bench/counting_proxy.py). Each figure is a module of bench/figures/; every one is the
median of repeated runs, with its spread. Nothing here fails on time: the table says what
was met and what was missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from harness import REPO, Bench, say
from figures import (batch_shapes, cost, first_batch_cpu, full_collections, latency,
                     memory_cpu, package, profile, requests, start)
from figures.table import Results, print_profile, print_table


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", type=Path, required=True)
    p.add_argument("--stack-dir", type=Path, required=True)
    p.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "ssc-bench")
    p.add_argument("--dist-dir", type=Path, default=REPO / "dist")
    p.add_argument("--json-out", type=Path)
    p.add_argument("--compare", type=Path, help="an earlier --json-out to show before/after")
    p.add_argument("--label", default="")
    p.add_argument("--baseline-binary", type=Path,
                   help="another build whose memory and CPU runs alternate with this one's")
    p.add_argument("--start-repeats", type=int, default=30)
    p.add_argument("--cpu-repeats", type=int, default=7)
    p.add_argument("--cpu-batches", type=int, default=30, help="invocations of 10 per CPU run")
    p.add_argument("--full-collection-files", type=int, default=1000)
    p.add_argument("--latency-rounds", type=int, default=15)
    p.add_argument("--profile-messages", type=int, default=200,
                   help="messages in the callgrind run; 0 skips the profile")
    p.add_argument("--quick", action="store_true", help="few repeats: a smoke test")
    args = p.parse_args()
    if args.quick:
        args.start_repeats, args.cpu_repeats, args.cpu_batches, args.latency_rounds = 5, 2, 5, 3
        args.full_collection_files = 100
    return args


def measure_all(bench: Bench, args: argparse.Namespace, results: Results) -> None:
    """Every figure, in the table's order."""
    zip_path = package.measure(results, args.dist_dir)
    start.measure(bench, results, args.start_repeats)
    if zip_path:
        start.measure_packaged(bench, results, zip_path, args.start_repeats)
    cpu_per_message = memory_cpu.measure(bench, results, args.cpu_repeats, args.cpu_batches)
    first_batch_cpu.measure(bench, results, args.cpu_repeats)
    full_collections.measure(bench, results, args.full_collection_files, args.cpu_batches)
    requests.measure(bench, results)
    lat20 = latency.measure(bench, results, args.latency_rounds)
    cost.measure(bench, results, args.latency_rounds, lat20, cpu_per_message)
    # Issue #17's table: by batch shape on the grouped design, with its own targets.
    batch_shapes.first_batch_and_start_rows(results)
    batch_shapes.measure(bench, results, args.cpu_repeats, args.cpu_batches * 10,
                         args.latency_rounds)
    if args.profile_messages > 0:
        profile.measure(bench, results, args.profile_messages)


def main() -> int:
    args = parse_args()
    if not os.access(args.binary, os.X_OK):
        print(f"bench: {args.binary} is missing or not executable", file=sys.stderr)
        return 2
    results = Results()
    with Bench(args.binary, args.stack_dir, args.work_dir, args.baseline_binary) as bench:
        load_before = os.getloadavg()
        say(f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} (1 min): other work on "
            f"this machine shows up in the wall-time figures and their spread")
        measure_all(bench, args, results)
    compare = json.loads(args.compare.read_text()) if args.compare else None
    results.notes.append(f"load average (1 min) {load_before[0]:.2f} at the start, "
                         f"{os.getloadavg()[0]:.2f} at the end, on {os.cpu_count()} CPUs")
    print_table(results, compare)
    if args.profile_messages > 0:
        print_profile(results.profile_text)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps({
            "label": args.label, "when": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "load_average_start": load_before, "load_average_end": os.getloadavg()},
            "binary": str(args.binary),
            "rows": [r.__dict__ for r in results.rows],
            "raw": results.raw, "notes": results.notes,
        }, indent=2))
        say(f"figures written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
