"""The Prometheus alerting rules in deploy/prometheus pass promtool's checks and their unit
tests (series shaped as the binary pushes them), and those tests catch a broken rule."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

RULES_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
RULES = "snapshot_sender_status_checker.rules.yml"
RULE_TESTS = "snapshot_sender_status_checker.rules_test.yml"


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # Installed by scripts/setup.sh (Debian's prometheus package): never skipped.
    tool = shutil.which("promtool")
    assert tool, "promtool is not installed: run scripts/setup.sh"
    return subprocess.run([tool, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)


def test_the_rules_are_valid_and_pass_their_tests():
    checked = promtool("check", "rules", RULES, cwd=RULES_DIR)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool("test", "rules", RULE_TESTS, cwd=RULES_DIR)
    assert tested.returncode == 0, tested.stdout + tested.stderr


# Each a plausible mistake, and the test it must fail.
BROKEN_RULES = {
    "files summed per process, not per run": (
        "sum by (correlation_id) (snapshot_sender_status_checker_files_received_total)",
        "sum by (correlation_id, instance) (snapshot_sender_status_checker_files_received_total)",
    ),
    "stalled although every collection is received": (
        "== 0\n          unless on (correlation_id)\n"
        "            correlation_id:snapshot_sender_status_checker_all_collections_received:sum > 0",
        "== 0",
    ),
    "not successful after one hour, not two": ("for: 2h", "for: 1h"),
    "a first failure not seen": (
        "\n               or correlation_id:snapshot_sender_status_checker_messages_failed:sum * 0",
        "",
    ),
}


@pytest.mark.parametrize("mistake", BROKEN_RULES)
def test_a_broken_rule_fails_the_tests(mistake: str, tmp_path: Path):
    good, bad = BROKEN_RULES[mistake]
    text = (RULES_DIR / RULES).read_text()
    assert text.count(good) == 1, f"the rule to break is not in {RULES}: {good!r}"
    (tmp_path / RULES).write_text(text.replace(good, bad))
    shutil.copy(RULES_DIR / RULE_TESTS, tmp_path / RULE_TESTS)

    assert promtool("check", "rules", RULES, cwd=tmp_path).returncode == 0
    tested = promtool("test", "rules", RULE_TESTS, cwd=tmp_path)
    assert tested.returncode != 0, f"the tests passed with the rule broken: {mistake}"
