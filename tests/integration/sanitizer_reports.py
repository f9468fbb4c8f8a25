"""A pytest plugin for the sanitizer runs (scripts/test_hardened.sh loads it with
`-p sanitizer_reports`): the binaries under test write each sanitizer report to a file
in $SSC_SANITIZER_REPORTS (ASAN_OPTIONS / UBSAN_OPTIONS / TSAN_OPTIONS log_path), so
that a report can neither break a test's reading of stderr nor go unnoticed. A test
during which a report appeared fails with the report as its reason, whatever its own
asserts said; reports left by a fixture's process land on the test whose teardown
ended it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_seen: set[Path] = set()


def _reports_dir() -> Path | None:
    value = os.environ.get("SSC_SANITIZER_REPORTS")
    return Path(value) if value else None


def _new_reports() -> list[Path]:
    directory = _reports_dir()
    if directory is None or not directory.is_dir():
        return []
    found = sorted(p for p in directory.iterdir() if p.is_file() and p not in _seen)
    _seen.update(found)
    return found


def pytest_configure(config: pytest.Config) -> None:
    if _reports_dir() is None:
        raise pytest.UsageError("sanitizer_reports needs SSC_SANITIZER_REPORTS (a directory)")
    _new_reports()  # reports from before this session are not this session's


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when != "teardown":
        return
    reports = _new_reports()
    if not reports:
        return
    text = "\n".join(f"--- {p.name} ---\n{p.read_text(errors='replace')[-6000:]}" for p in reports)
    report.outcome = "failed"
    report.longrepr = f"sanitizer report(s) during {item.nodeid}:\n{text}"
