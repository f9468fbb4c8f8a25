"""scripts/lib/suite.sh, which both test commands use for their totals: every failed test
and every failed step is named on a "test: failed:" line (the lines .ci/run repeats at the
end of its log, where CI's tail shows them), and a runner that died without its report
still counts as a failure."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REPORT = """<testsuites><testsuite>
<testcase classname="tests.a" name="passes"/>
<testcase classname="tests.a" name="fails"><failure message="assert 1 == 2
  where 1 = f()">trace</failure></testcase>
<testcase classname="tests.b" name="errs"><error message="fixture broke"/></testcase>
<testcase classname="tests.b" name="skipped"><skipped/></testcase>
</testsuite></testsuites>
"""


def _suite(script: str) -> subprocess.CompletedProcess:
    # stack_started stays 0: the EXIT trap that suite.sh sets stops nothing.
    return subprocess.run(
        ["bash", "-c", f"source scripts/lib/suite.sh\n{script}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )


def test_every_failed_test_is_named_with_its_message(tmp_path: Path):
    report = tmp_path / "pytest.xml"
    report.write_text(REPORT)
    run = _suite(f'count_results "{report}" 1; echo "totals $passed $failed"')
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "test: failed: pytest.xml: tests.a::fails: assert 1 == 2 where 1 = f()" in lines
    assert "test: failed: pytest.xml: tests.b::errs: fixture broke" in lines
    assert "test: 1 skipped in pytest.xml" in lines
    assert lines[-1] == "totals 1 2"
    assert not any("passes" in line or "::skipped" in line for line in lines)


def test_a_runner_without_its_report_is_one_named_failure(tmp_path: Path):
    run = _suite(f'count_results "{tmp_path / "missing.xml"}" 2; echo "totals $passed $failed"')
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "test: failed: missing.xml: the runner exited 2 without its report",
        "totals 0 1",
    ]


def test_a_failed_step_is_named_and_counted():
    run = _suite('fail_step "the build failed"; fail_step "the stack did not start"; finish')
    assert run.returncode != 0
    assert run.stderr.splitlines() == [
        "test: failed: the build failed",
        "test: failed: the stack did not start",
    ]
    assert run.stdout.splitlines()[-1] == "0 passed, 2 failed"
