#!/usr/bin/env python3
"""What the exactly-once guarantees cost per message (issue #4): the same normal file
messages, once WITH file_name (the file token set on the row, conditional writes, the
owner recorded) and once WITHOUT (every delivery counted, as the old Lambda did), through
the binary in Lambda mode (bench/harness.py, the fake Runtime API), requests counted at
bench/counting_proxy.py. Needs a stack (scripts/stack.sh start) and a built binary:
    .venv/bin/python bench/guarantee_cost.py --binary BUILD/snapshot-sender-status-checker \
        --stack-dir .stack/bench [--batches 30] [--batch-size 10] [--counted 500]
Prints one JSON object with the figures of both modes.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import Bench, invoke_ok  # noqa: E402


def without_file_name(event: dict) -> dict:
    for record in event["Records"]:
        body = json.loads(record["body"])
        body.pop("file_name", None)
        record["body"] = json.dumps(body)
    return event


def measure(bench: Bench, with_name: bool, args: argparse.Namespace) -> dict:
    # Rows that already hold `counted` tokens: the token set's size is what a conditional
    # count has to check and DynamoDB has to rewrite.
    correlation_id, names = bench.world.seed_run(args.batch_size, args.counted)
    seconds: list[float] = []
    totals: dict[str, int] = {}
    with bench.proxy() as proxy:
        def work() -> None:
            for _ in range(args.batches):
                event = bench.world.event(correlation_id, names)
                if not with_name:
                    event = without_file_name(event)
                proxy.reset()
                seconds.append(invoke_ok(bench.api, event))
                for key, n in proxy.counts().items():
                    totals[key] = totals.get(key, 0) + n

        run = bench.binary.run(bench.proxied_env(proxy), work)
    messages = args.batches * args.batch_size
    aws = sum(n for k, n in totals.items() if not k.startswith("pushgateway."))
    counted = bench.world.files_received(correlation_id) - args.counted * len(names)
    return {"messages": messages, "aws_requests": aws,
            "aws_requests_per_message": round(aws / messages, 3),
            "requests_by_operation": totals,
            "files_counted": counted,
            "invocation_ms_median": round(statistics.median(seconds) * 1000, 2),
            "ms_per_message_median": round(statistics.median(seconds) * 1000 / args.batch_size, 3),
            "process_cpu_ms_per_message": round(run.cpu_seconds * 1000 / messages, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, type=Path)
    parser.add_argument("--stack-dir", required=True, type=Path)
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--counted", type=int, default=500,
                        help="file tokens each row already holds")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per mode")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work_dir, \
            Bench(args.binary, args.stack_dir, Path(work_dir)) as bench:
        rounds: dict[str, list[dict]] = {"with_file_name": [], "without_file_name": []}
        for _ in range(args.rounds):
            rounds["with_file_name"].append(measure(bench, True, args))
            rounds["without_file_name"].append(measure(bench, False, args))
    summary = {}
    for mode, runs in rounds.items():
        summary[mode] = {
            "aws_requests_per_message": runs[0]["aws_requests_per_message"],
            "requests_by_operation_first_round": runs[0]["requests_by_operation"],
            "files_counted_per_round": [r["files_counted"] for r in runs],
            "ms_per_message_median_of_rounds": statistics.median(
                r["ms_per_message_median"] for r in runs),
            "process_cpu_ms_per_message_median_of_rounds": statistics.median(
                r["process_cpu_ms_per_message"] for r in runs),
            "rounds": runs}
    print(json.dumps({"parameters": vars(args),
                      "modes": summary}, indent=1, sort_keys=True, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
