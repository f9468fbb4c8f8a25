"""The arm64 Lambda package (dist/snapshot-sender-status-checker-aarch64.zip, made by
scripts/package.sh), run under qemu-user on this x86_64 machine against the local stack:
its layout, that every library comes from the zip, the happy path end to end and the
bad-input cases.

The zip is not made here: a cross build takes minutes. `SSC_TEST_ARM64=1 bash scripts/test.sh`
makes it before the tests (or `ARCHES=aarch64 bash scripts/package.sh`); without it these
tests are skipped, saying so. The machine has no binfmt_misc, so the bootstrap is told to
run its bundled loader through qemu-aarch64 (SSC_LOADER_RUNNER, empty on Lambda).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

import stack as stack_lib
from e2e_helpers import RECEIVED_TEXT, World, make_world, record, sqs_event

NAME = stack_lib.MAIN_BINARY
ZIP = stack_lib.REPO_ROOT / "dist" / f"{NAME}-aarch64.zip"
LOADER = "ld-linux-aarch64.so.1"

pytestmark = [
    pytest.mark.skipif(not ZIP.is_file(), reason=f"{ZIP.name} not built (SSC_TEST_ARM64=1)"),
    pytest.mark.skipif(shutil.which("qemu-aarch64") is None, reason="qemu-user not installed"),
]


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zip unpacked as Lambda does it, keeping the files' Unix modes."""
    root = tmp_path_factory.mktemp("arm64-package") / "task"
    with zipfile.ZipFile(ZIP) as archive:
        for info in archive.infolist():
            archive.extract(info, root)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(root / info.filename, mode)
    return root


@pytest.fixture(scope="module")
def arm64_binary(unpacked: Path) -> Path:
    """What the tests run as "the binary": the package's own bootstrap, under qemu."""
    wrapper = unpacked.parent / "bootstrap-under-qemu"
    wrapper.write_text(
        f'#!/bin/sh\nSSC_LOADER_RUNNER=qemu-aarch64 exec "{unpacked}/bootstrap" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper


@pytest.fixture
def arm64_world(stack: stack_lib.Stack, arm64_binary: Path) -> World:
    return make_world(stack, arm64_binary, "moto")


def test_the_package_is_arm64_with_its_own_loader(unpacked: Path):
    header = subprocess.run(["readelf", "-h", str(unpacked / "bin" / NAME)],
                            capture_output=True, text=True, check=True).stdout
    assert "AArch64" in header, header
    assert (unpacked / "lib" / LOADER).is_file()
    assert (unpacked / "lib" / "libc.so.6").is_file()
    assert not (unpacked / "lib" / "libcurl.so.4").exists()


def test_every_library_comes_from_the_package(unpacked: Path):
    lib = unpacked / "lib"
    listing = subprocess.run(
        ["qemu-aarch64", str(lib / LOADER), "--inhibit-cache", "--library-path", str(lib),
         "--list", str(unpacked / "bin" / NAME)],
        capture_output=True, text=True, timeout=60, check=True).stdout
    resolved = [line.split()[2] for line in listing.splitlines() if " => " in line]
    assert resolved, listing
    assert [path for path in resolved if not path.startswith(f"{lib}/")] == [], listing


def test_bootstrap_runs_version_with_an_empty_environment(unpacked: Path):
    result = subprocess.run(
        ["env", "-i", "SSC_LOADER_RUNNER=qemu-aarch64", f"{unpacked}/bootstrap", "--version"],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(NAME), result.stdout


def test_happy_path_completes_a_run(arm64_world: World):
    w = arm64_world
    w.put_collection("db.arm.only", "Exported", exported=1)

    run = w.deliver(w.message("db.arm.only", file_name="only.gz.enc"))

    assert run.failures == [], run.describe()
    row = w.collection("db.arm.only")
    assert row["FilesReceived"] == 1
    assert row["CollectionStatus"] == "Received"
    assert len(w.export_state_messages(expect=1)) == 1
    notifications = w.notifications(expect=1)
    assert len(notifications) == 1 and RECEIVED_TEXT in str(notifications[0]), notifications
    assert w.product() is not None and w.product()["Status"] == "RECEIVED"


def test_a_bad_message_is_rejected_and_the_good_one_counted(arm64_world: World):
    w = arm64_world
    w.put_collection("db.arm.good", "Exported", exported=5)
    bad = record(w.message("db.arm.good", file_name="bad", correlation_id=""))
    good = record(w.message("db.arm.good", file_name="g1"))

    run = w.invoke(sqs_event(bad, good))

    run.assert_ok()
    assert run.failures == [bad["messageId"]], run.describe()
    assert [e for e in run.at_level("ERROR") if "correlation_id" in str(e)], run.describe()
    assert w.received("db.arm.good") == 1


@pytest.mark.parametrize("body", ["{not json", "[1, 2"], ids=["broken", "truncated-array"])
def test_a_body_that_is_not_json_is_rejected(arm64_world: World, body: str):
    w = arm64_world
    bad = {"messageId": "arm-bad", "body": body,
           "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:q"}

    run = w.invoke({"Records": [bad]})

    run.assert_ok()
    assert run.failures == ["arm-bad"], run.describe()


def test_a_collection_row_that_does_not_exist_fails_the_message(arm64_world: World):
    w = arm64_world
    missing = record(w.message("db.arm.missing", file_name="f"))

    run = w.invoke(sqs_event(missing))

    run.assert_ok()
    assert run.failures == [missing["messageId"]], run.describe()
    assert w.raw_collection("db.arm.missing") is None
