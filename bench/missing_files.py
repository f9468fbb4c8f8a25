#!/usr/bin/env python3
"""`missing-files` at size (issue #19): a collection of N exported files whose receipts are
all in the receipts table but K, asked about with the manifest an operator would hand it
(`aws s3 ls` of the export prefix, with a PRE line, a blank line and a repeated line), and
--prefix giving the names the form of the messages' file_name. Some names hold spaces.

The binary must name exactly the K files left out (exit 5; exit 0 when K is 0). Prints the
seeding time, the command's wall time and its BatchGetItem requests, as one JSON object.
Exit 1 when the answer is not exact; figures are never judged.

Needs a stack (scripts/stack.sh start) and a built binary:
    .venv/bin/python bench/missing_files.py --binary BUILD/snapshot-sender-status-checker \\
        --stack-dir .stack/bench --names 100000 --missing 7
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import seeding  # noqa: E402  (tests/integration/seeding.py)
import stack as stack_lib  # noqa: E402

COLLECTION = "db.bench.missing_files"
PREFIX = "exports/db.bench/"


def file_name(index: int) -> str:
    # One name in a thousand holds spaces: `aws s3 ls` puts them in the name column as is.
    return f"part {index:06d} copy.json.gz" if index % 1000 == 7 else f"part-{index:06d}.json.gz"


def listing(names: list[str]) -> str:
    lines = ["                           PRE older/", ""]
    lines += [f"2026-12-01 10:15:03 {1000 + i:>10} {name}" for i, name in enumerate(names)]
    lines.append(lines[-1])  # a repeated line counts once
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--stack-dir", type=Path, default=None)
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--missing", type=int, default=7)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    if not 0 <= args.missing <= args.names:
        parser.error("--missing must be between 0 and --names")

    stack = stack_lib.Stack.from_dir(args.stack_dir)
    dynamodb = stack.moto_dynamodb
    name = stack_lib.unique_name
    export_table = stack_lib.create_export_status_table(dynamodb, name("bench-export"))
    product_table = stack_lib.create_product_table(dynamodb, name("bench-product"))
    receipts_table = stack_lib.create_file_receipts_table(dynamodb, name("bench-receipts"))
    correlation_id = name("bench-run")

    names = [file_name(i) for i in range(args.names)]
    left_out = set(random.Random(args.seed).sample(range(args.names), args.missing))
    dynamodb.put_item(TableName=export_table, Item=seeding.status_row(
        correlation_id, COLLECTION, "Sent", exported=args.names, sent=args.names,
        received=args.names - args.missing))
    started = time.monotonic()
    seeding.put_receipts(dynamodb, receipts_table, [
        seeding.receipt_key(correlation_id, COLLECTION, PREFIX + n)
        for i, n in enumerate(names) if i not in left_out])
    seed_seconds = time.monotonic() - started

    env = stack.binary_env(dynamodb="moto", DYNAMO_DB_EXPORT_STATUS_TABLE_NAME=export_table,
                           DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME=product_table,
                           DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME=receipts_table)
    started = time.monotonic()
    run = subprocess.run(
        [str(args.binary), "missing-files", "--correlation-id", correlation_id,
         "--collection-name", COLLECTION, "--prefix", PREFIX, "--output", "json"],
        input=listing(names), env=env, capture_output=True, text=True, timeout=900)
    seconds = time.monotonic() - started

    expected_rc = 5 if left_out else 0
    try:
        answer = json.loads(run.stdout)
    except json.JSONDecodeError:
        answer = {}
    expected = sorted(PREFIX + names[i] for i in left_out)
    exact = (run.returncode == expected_rc and sorted(answer.get("missing", [])) == expected
             and answer.get("names") == args.names)
    print(json.dumps({
        "names": args.names, "receipts": args.names - args.missing, "missing": args.missing,
        "seed_seconds": round(seed_seconds, 1), "seconds": round(seconds, 2),
        "requests": answer.get("requests"), "exit_code": run.returncode, "exact": exact}))
    if not exact:
        print(f"expected exit {expected_rc} and {expected}\nstdout: {run.stdout[:2000]}\n"
              f"stderr: {run.stderr[-2000:]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
