"""The GitHub Actions workflows (.github/workflows) pass actionlint, which scripts/setup.sh
installs pinned into .tools/bin; CI runs the README's test command; a release publishes
both zips with their sums."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / ".tools" / "bin" / "actionlint"


def actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    assert ACTIONLINT.exists(), f"{ACTIONLINT} is missing: run scripts/setup.sh"
    return subprocess.run([str(ACTIONLINT), "-no-color", *map(str, files)], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_workflows_pass_actionlint():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "release.yml"]
    linted = actionlint(*files)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_a_broken_workflow_fails_actionlint(tmp_path: Path):
    broken = tmp_path / ".github" / "workflows"
    broken.mkdir(parents=True)
    text = (WORKFLOWS / "ci.yml").read_text()
    assert "runs-on: ubuntu-latest" in text
    (broken / "ci.yml").write_text(text.replace("runs-on: ubuntu-latest",
                                                "runs_on: ubuntu-latest"))
    linted = actionlint(broken / "ci.yml", cwd=tmp_path)
    assert linted.returncode != 0 and "runs-on" in linted.stdout, linted.stdout


def test_ci_runs_the_readmes_test_command_on_debian_12():
    ci = yaml.safe_load((WORKFLOWS / "ci.yml").read_text())
    assert "bash scripts/test.sh" in (ROOT / "README.md").read_text()
    job, = ci["jobs"].values()
    assert job["container"] == "debian:12"
    assert "bash scripts/test.sh" in [step.get("run") for step in job["steps"]]
    triggers = ci[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"]["branches"] == ["main"]


def test_a_release_publishes_both_zips_with_their_sums():
    release = (WORKFLOWS / "release.yml").read_text()
    for part in ("bash scripts/package.sh", "sha256sum", "gh release create",
                 "snapshot-sender-status-checker-x86_64.zip",
                 "snapshot-sender-status-checker-aarch64.zip", "SHA256SUMS"):
        assert part in release, part
