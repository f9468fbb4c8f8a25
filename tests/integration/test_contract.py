"""The table ports' contract (tests/contract/table_contract_test.cpp) on the DynamoDB
adapters against moto, served one request at a time: the very cases CTest runs on the
in-memory fakes, so that the fakes and the adapters cannot drift apart."""

from __future__ import annotations

import json
import subprocess

from probe_client import probe_env


def test_the_adapters_keep_the_contract_the_fakes_keep(stack, binary, tmp_path):
    report = tmp_path / "contract.json"
    env = probe_env(stack, "moto", SSC_CONTRACT_DYNAMODB="1")
    done = subprocess.run(
        [str(binary("contract_tests")), "--gtest_filter=*/dynamodb",
         f"--gtest_output=json:{report}"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(report.read_text())
    cases = [case for suite in results["testsuites"] for case in suite["testsuite"]]
    fakes_cases = subprocess.run(
        [str(binary("contract_tests")), "--gtest_list_tests", "--gtest_filter=*/fake"],
        capture_output=True, text=True, check=True,
    ).stdout.count("/fake")
    # Every case of the fakes ran on the adapters too, and passed.
    assert len(cases) == fakes_cases > 0
    assert all(not case.get("failures") for case in cases), cases
