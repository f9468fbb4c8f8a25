"""Hot collections (issue 16) at CI size: 2 collections x 500 files, 2 % sent twice, queued at
once as after a backlog, taken in batches of 10 by 16 concurrent invocations (processes),
on a DynamoDB that conflicts as the real one does (a transaction holds its items 10 ms).
The run must end exact: every file counted once, every collection Success, the product
COMPLETED, one export-state message per collection, nothing dead-lettered, and at most 1 %
of the messages failed once (issue 16's bar: each failure waits out a 720 s visibility
timeout in production). bench/hot_collection.py runs it and prints the figures; nothing
here is timed.

Today's binary gives up a conflicting count after 5 quick attempts: here it gets stuck at
about 160 of 500 files per collection, about 680 messages dead-lettered. (With the push
gateway slowed by thousands of groups, which slows every invocation, it ended exact but
still failed half the messages once: hence the 1 % bar too.)

The invocations get 120 s each, the deployment's timeout: contention may make a count wait,
and only an invocation whose time is spent may fail for it, so a loaded machine only makes
the run slower."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(1800)
def test_a_hot_run_counts_exactly_and_dead_letters_nothing(stack, ssc_binary):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "hot_collection.py"), "--binary", str(ssc_binary),
         "--collections", "2", "--files", "500", "--duplicate-rate", "0.02",
         "--invocations", "16", "--batch-size", "10", "--hold-ms", "10",
         "--timeout-seconds", "120", "--seed", "16", "--max-seconds", "1500", "--json"],
        env={**os.environ, "STACK_DIR": stack.env["SSC_STACK_DIR"]},
        capture_output=True, text=True, timeout=1700, check=False,
    )
    assert done.stdout.strip(), done.stderr[-4000:]
    report = json.loads(done.stdout)
    print(json.dumps(report, indent=2))
    assert report["messages"]["sent_twice"] > 0  # the duplicates this test promises
    assert report["collections"] == {
        name: {"files_received": 500, "status": "Success"} for name in report["collections"]}
    assert len(report["collections"]) == 2
    assert report["product_status"] == "COMPLETED"
    assert report["export_state_messages"] == {name: 1 for name in report["collections"]}
    assert report["dead_lettered"] == 0
    assert report["failed_deliveries"] <= 0.01 * report["messages"]["total"], (
        report["failed_deliveries"], report["invocations"]["top_errors"])
    assert report["outcome"] == "exact", report["checks"]
    assert done.returncode == 0, done.stderr[-4000:]
