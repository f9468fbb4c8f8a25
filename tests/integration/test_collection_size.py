"""A collection of a few thousand files through the binary, batches of 10 counted at once
on one row, 2% of the files delivered twice (bench/collection_size.py, which the benchmark
runs at 100,000 files): it ends Received with FilesReceived exact and one export-state
message, and every 500 files cost the same number of requests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_big_collection_counts_exactly_at_a_flat_cost(stack, ssc_binary):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "collection_size.py"), "--binary", str(ssc_binary),
         "--stack-dir", str(Path(stack.env["SSC_STACK_DIR"])), "--files", "2000",
         "--report-every", "500", "--seed", "7"],
        capture_output=True, text=True, timeout=1200, check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    report = json.loads(done.stdout[done.stdout.index("\n{") + 1:])
    assert report["exact"] is True
    outcome = report["outcome"]
    assert outcome["files_received"] == 2000 and outcome["export_state_messages"] == 1
    assert outcome["row_bytes_of_ours"] < 1024
    assert report["deliveries"]["duplicates"] > 0
    # Requests per 1,000 files: a batch's files are counted together, one transaction and
    # one read of the row per batch of 10, and one more transaction for a batch in which a
    # file was counted before (its receipt refused, the rest counted without it); whatever
    # the collection holds already (the last step also carries the received stage's
    # effects).
    per_step = [step["by_operation_per_1000_files"] for step in report["steps"]]
    assert len(per_step) == 4
    first = per_step[0]["dynamodb.TransactWriteItems"]
    assert 100 <= first <= 200  # every batch once, refused duplicates on top
    for step in per_step[:-1]:
        assert set(step) == {"dynamodb.TransactWriteItems", "dynamodb.GetItem"}
        # Flat: the 500th file costs what the 1st did (within the duplicates' variation: a
        # step of 500 files has some 10 batches with a duplicate, each one transaction more).
        assert abs(step["dynamodb.TransactWriteItems"] - first) <= 0.25 * first
        # One read of the row per batch: 1,000 files and their 2 % duplicates in batches of 10.
        assert 100 <= step["dynamodb.GetItem"] <= 110
