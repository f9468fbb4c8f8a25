"""deploy/terraform: formatted, valid against the AWS provider, and its own logic (the
zip each architecture takes, the alarm thresholds, the checks of its variables), checked
with `terraform console`, which evaluates without an AWS account. The provider comes from
the machine's mirror; without terraform or the mirror these tests are skipped."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

MODULE = Path(__file__).resolve().parents[2] / "deploy" / "terraform"
MIRROR = Path("/opt/tf-plugins")
TERRAFORM = shutil.which("terraform")

pytestmark = pytest.mark.skipif(
    TERRAFORM is None or not MIRROR.is_dir(),
    reason="terraform or its provider mirror (/opt/tf-plugins) is not on this machine",
)

REQUIRED = {
    "alarm_topic_arn": "arn:aws:sns:eu-west-2:123456789012:on-call",
    "export_state_queue_name": "export-state.fifo",
    "monitoring_topic_name": "monitoring",
}


def _terraform(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [TERRAFORM, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"},
    )


@pytest.fixture(scope="module")
def module_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module, initialised in a copy: no .terraform or lock file lands in the repo."""
    copy = tmp_path_factory.mktemp("terraform") / "terraform"
    shutil.copytree(MODULE, copy, ignore=shutil.ignore_patterns(".terraform*"))
    init = _terraform(copy, "init", "-backend=false", "-input=false", "-no-color",
                      f"-plugin-dir={MIRROR}")
    assert init.returncode == 0, init.stdout + init.stderr
    return copy


def _console(module: Path, expression: str, **variables: str) -> subprocess.CompletedProcess:
    settings = {**REQUIRED, **variables}
    args = [arg for name, value in settings.items() for arg in ("-var", f"{name}={value}")]
    return _terraform(module, "console", "-no-color", *args, stdin=expression + "\n")


def test_formatted():
    run = _terraform(MODULE, "fmt", "-check", "-recursive", "-no-color")
    assert run.returncode == 0, f"terraform fmt would change: {run.stdout}{run.stderr}"


def test_valid(module_copy: Path):
    run = _terraform(module_copy, "validate", "-no-color")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "The configuration is valid" in run.stdout


@pytest.mark.parametrize(
    "architecture, zip_name",
    [
        ("x86_64", "snapshot-sender-status-checker-x86_64.zip"),
        ("arm64", "snapshot-sender-status-checker-aarch64.zip"),
    ],
)
def test_the_architecture_picks_the_zip(module_copy: Path, architecture: str, zip_name: str):
    run = _console(module_copy, "local.package_path", architecture=architecture)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().strip('"').endswith("/dist/" + zip_name), run.stdout


def test_a_package_path_given_wins(module_copy: Path):
    run = _console(module_copy, "local.package_path", package_path="/tmp/other.zip")
    assert run.stdout.strip() == '"/tmp/other.zip"', run.stdout + run.stderr


def test_bad_variables_are_refused(module_copy: Path):
    bad = {
        "architecture": "sparc",
        "alarm_topic_arn": "ARN",
        "file_receipts_table_name": "no spaces",
        "duration_alarm_share": "1.5",
        "file_receipts_expiry_days": "0",
    }
    run = _console(module_copy, "var.architecture", **bad)
    # console reports the refusals on stderr (and still exits 0).
    assert run.stderr.count("Invalid value for variable") == len(bad), run.stderr
    for name in bad:
        assert f'variable "{name}"' in run.stderr, (name, run.stderr)


def test_duration_alarm_threshold_is_the_share_of_the_timeout_in_ms(module_copy: Path):
    run = _console(module_copy, 'local.alarms["duration-near-timeout"].threshold', timeout="120")
    assert run.stdout.strip() == "96000", run.stdout + run.stderr


def test_every_alarm_notifies_the_alarm_topic(module_copy: Path):
    run = _console(module_copy, "sort(keys(local.alarms))")
    assert run.returncode == 0, run.stderr
    for name in ("dlq-not-empty", "oldest-message-age", "errors", "throttles",
                 "transaction-conflicts", "duration-near-timeout"):
        assert f'"{name}"' in run.stdout, run.stdout
    alarms = (MODULE / "alarms.tf").read_text()
    assert "alarm_actions = [var.alarm_topic_arn]" in alarms
    assert "ok_actions    = [var.alarm_topic_arn]" in alarms
