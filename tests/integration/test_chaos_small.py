"""The chaos test (tests/chaos/chaos.py, docs/chaos.md) at a small size inside the suite:
~300 messages over 6 collections, a fifth of them twice, through 4 concurrent workers
running the binary, every fault kind injected between the binary and the services, and two
invocations killed mid-batch. The run must end with no anomaly: the outcome of every file
delivered exactly once.

Also here: the chaos tools' own checks, which need no stack (proxy, generator, queue model),
and a check that the chaos checks do catch a consumer without exactly-once protection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import stack as stack_lib

CHAOS_DIR = stack_lib.REPO_ROOT / "tests" / "chaos"
sys.path.insert(0, str(CHAOS_DIR))

# The tools' checks run with the suite's one command (pytest only collects this folder).
from test_chaos_tools import *  # noqa: E402,F401,F403
from test_fault_proxy import *  # noqa: E402,F401,F403


def run_chaos(stack: stack_lib.Stack, run_dir: Path, binary: Path, *args: str,
              env: dict[str, str] | None = None, timeout: float = 900) -> tuple[int, dict, str]:
    result = subprocess.run(
        [sys.executable, str(CHAOS_DIR / "chaos.py"), "--binary", str(binary),
         "--run-dir", str(run_dir), *args],
        env={**os.environ, "STACK_DIR": stack.env["SSC_STACK_DIR"], **(env or {})},
        capture_output=True, text=True, timeout=timeout, check=False)
    report_path = run_dir / "report.json"
    report = json.loads(report_path.read_text()) if report_path.is_file() else {}
    return result.returncode, report, result.stdout + result.stderr


@pytest.mark.timeout(900)
def test_small_chaos_run_has_no_anomaly(stack, ssc_binary, tmp_path):
    rc, report, output = run_chaos(
        stack, tmp_path / "run", ssc_binary,
        "--collections", "6", "--max-files", "60", "--duplicate-rate", "0.2",
        # 10 % faults: with a batch's files counted together the run makes some 470
        # requests, and each of the six kinds that any request can meet comes some 8 times.
        "--workers", "4", "--batch-size", "10", "--fault-rate", "0.1", "--kills", "2",
        "--seed", "9", "--timeout-seconds", "5", "--max-seconds", "800",
        "--conflicting-dynamodb", "--hold-ms", "10")
    print(output)
    assert report, f"no report written:\n{output}"
    figures = report["figures"]
    assert figures["messages"] >= 250  # the size this test promises
    # Every kind of fault was tried at least once, and kills happened. A batch's files of
    # one collection are one transaction, so few requests are transactions, and the
    # injected `conflict` kind (a transaction's only) may miss them all: conflicts are met
    # all the same, as DynamoDB makes them, where concurrent invocations' transactions meet.
    holds = report["item_holds"]
    conflicts = report["faults"]["conflict"] + sum(holds["transactions_cancelled"].values())
    assert conflicts > 0, (report["faults"], holds)
    assert all(n > 0 for kind, n in report["faults"].items() if kind != "conflict"), \
        report["faults"]
    assert figures["kills_trap"] + figures["kills_timer"] >= 1
    assert report["anomalies"] == [], "\n".join(
        f"[{a['check']}] {a['detail']}" for a in report["anomalies"])
    assert rc == 0, output


@pytest.mark.timeout(300)
def test_chaos_checks_catch_a_consumer_without_exactly_once(stack, tmp_path):
    """The stand-in binary counts every delivery: the run must say so."""
    rc, report, output = run_chaos(
        stack, tmp_path / "run", CHAOS_DIR / "fake_binary.py",
        "--collections", "3", "--max-files", "12", "--duplicate-rate", "0.5",
        "--fault-rate", "0", "--seed", "5", "--max-seconds", "240",
        "--metric-prefix", "fake_snapshot_sender_status_checker_", timeout=280)
    assert rc == 1, output
    checks = {a["check"] for a in report["anomalies"]}
    assert "FilesReceived" in checks, output
    assert "metrics" in checks, output
