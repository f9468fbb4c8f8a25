#!/usr/bin/env python3
"""One collection of many files, counted through the binary (issue #9): time, AWS requests
and write units per 1,000 files as the collection grows, and the exact outcome at the end.

The binary runs in Lambda mode (bench/harness.py, the fake Runtime API) against moto
served one request at a time, requests counted at bench/counting_proxy.py. Files come in
batches (10 by default: the handler counts them at once, all on the same row, a hot row),
a share of them delivered twice (a redelivery, later, under the same messageId with a
higher ApproximateReceiveCount), and a failed message comes back in a later batch as SQS
would bring it back. At the end the collection must be Received with FilesReceived equal to
the number of distinct files, and exactly one export-state message sent.

Needs a stack (scripts/stack.sh start) and a built binary:
    .venv/bin/python bench/collection_size.py --binary BUILD/snapshot-sender-status-checker \
        --stack-dir .stack/bench --files 100000 [--report-every 10000]
Prints one line per report step and one JSON object at the end. Exit 1 when the outcome is
not exact; figures are never judged.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from dynamodb_units import item_bytes, units  # noqa: E402
from harness import EXPORT_DATE, SNAPSHOT_TYPE, Bench, sqs_record  # noqa: E402
from seeding import StatusRow, status_key, status_row  # noqa: E402  (harness's path)

COLLECTION = "db.bench.big_collection"


def record(body: dict, message_id: str, receive_count: int) -> dict:
    return sqs_record(body, message_id, {"ApproximateReceiveCount": str(receive_count)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, type=Path)
    parser.add_argument("--stack-dir", required=True, type=Path)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--duplicate-rate", type=float, default=0.02)
    parser.add_argument("--report-every", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as work_dir:
        bench = Bench(args.binary, args.stack_dir, Path(work_dir))
        world = bench.world
        correlation_id = f"bench-big-{uuid.uuid4().hex[:12]}"
        world.ddb.put_item(TableName=world.export_table, Item=status_row(
            correlation_id, COLLECTION, "Sent", exported=args.files, sent=args.files))

        def body(index: int) -> dict:
            return {"correlation_id": correlation_id, "collection_name": COLLECTION,
                    "snapshot_type": SNAPSHOT_TYPE, "export_date": EXPORT_DATE,
                    "file_name": f"{COLLECTION}/part-{index:07d}.json.gz.enc"}

        # Deliveries in order: every file once, and a few again some batches later.
        pending: list[tuple[int, str, int]] = []  # (file, messageId, receive count)
        later: list[tuple[int, tuple[int, str, int]]] = []  # (due at file, delivery)
        steps: list[dict] = []
        totals = {"deliveries": 0, "redelivered_after_failure": 0, "duplicates": 0,
                  "failed_items": 0}
        step_start = time.perf_counter()
        step_requests: dict[str, int] = {}
        next_file = 0

        def work() -> None:
            nonlocal next_file, step_start, step_requests
            while next_file < args.files or pending or later:
                while len(pending) < args.batch_size and next_file < args.files:
                    message_id = str(uuid.uuid4())
                    pending.append((next_file, message_id, 1))
                    if rng.random() < args.duplicate_rate:
                        due = next_file + rng.randint(args.batch_size, 50 * args.batch_size)
                        later.append((due, (next_file, message_id, 2)))
                        totals["duplicates"] += 1
                    next_file += 1
                due_now = [d for due, d in later if due <= next_file or next_file >= args.files]
                later[:] = [(due, d) for due, d in later if d not in due_now]
                pending.extend(due_now)
                batch, pending[:] = pending[:args.batch_size], pending[args.batch_size:]
                if not batch:
                    continue
                by_id = {m: (f, m, c) for f, m, c in batch}
                result = bench.api.invoke(
                    {"Records": [record(body(f), m, c) for f, m, c in batch]})
                totals["deliveries"] += len(batch)
                if result.body is None:
                    raise RuntimeError(f"invocation failed: {result.error}")
                for failure in result.body.get("batchItemFailures", []):
                    f, m, c = by_id[failure["itemIdentifier"]]
                    pending.append((f, m, c + 1))  # SQS brings it back, counted once more
                    totals["failed_items"] += 1
                    totals["redelivered_after_failure"] += 1
                for key, n in proxy.counts().items():
                    step_requests[key] = step_requests.get(key, 0) + n
                proxy.reset()
                counted = next_file - len(pending)
                if counted >= (len(steps) + 1) * args.report_every or (
                        next_file >= args.files and not pending and not later
                        and counted > len(steps) * args.report_every):
                    seconds = time.perf_counter() - step_start
                    files = counted - len(steps) * args.report_every
                    aws = sum(n for k, n in step_requests.items()
                              if not k.startswith("pushgateway."))
                    step = {"files_counted": counted,
                            "seconds_per_1000_files": round(seconds * 1000 / files, 3),
                            "aws_requests_per_1000_files": round(aws * 1000 / files, 1),
                            "by_operation_per_1000_files": {
                                k: round(n * 1000 / files, 1) for k, n in
                                sorted(step_requests.items()) if not k.startswith("push")}}
                    steps.append(step)
                    print(f"collection_size: {json.dumps(step)}", flush=True)
                    step_start, step_requests = time.perf_counter(), {}

        with bench.proxy() as proxy:
            run = bench.binary.run(bench.proxied_env(proxy), work)
        try:
            row = world.ddb.get_item(TableName=world.export_table, ConsistentRead=True,
                                     Key=status_key(correlation_id, COLLECTION))["Item"]
            sample = world.ddb.scan(TableName=world.receipts_table, Limit=1)["Items"][0]
            sent = world.stack.drain_queue(world.queue_url, expect=1, timeout=5)
        finally:
            bench.close()

    theirs = (StatusRow.CORRELATION_ID, StatusRow.COLLECTION_NAME, StatusRow.COLLECTION_STATUS,
              StatusRow.FILES_EXPORTED, StatusRow.FILES_SENT)
    ours = {k: v for k, v in row.items() if k not in theirs}
    row_size, receipt_size = item_bytes(row), item_bytes(sample)
    outcome = {
        "collection_status": row[StatusRow.COLLECTION_STATUS]["S"],
        "files_received": int(row[StatusRow.FILES_RECEIVED]["N"]),
        "files": args.files,
        "export_state_messages": len(sent),
        "row_bytes": row_size,
        "row_bytes_of_ours": item_bytes(ours),
        "receipt_bytes": receipt_size,
        # Per counted file: the receipt's Put and the row's Update, both transactional.
        "write_units_per_file": units(receipt_size, True) + units(row_size, True),
        "process_cpu_ms_per_delivery": round(run.cpu_seconds * 1000 / totals["deliveries"], 3),
    }
    exact = (outcome["collection_status"] == "Received"
             and outcome["files_received"] == args.files and len(sent) == 1)
    print(json.dumps({"parameters": {k: str(v) for k, v in vars(args).items()},
                      "deliveries": totals, "steps": steps, "outcome": outcome,
                      "exact": exact}, indent=1, sort_keys=True))
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
