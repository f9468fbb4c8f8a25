"""The Lambda package (scripts/package.sh), made from the test build's binary: the zip's
layout, and that its bootstrap starts the binary on the bundled C library (what this
leaves unchecked: docs/deployment.md, "The old-glibc proof (retired)").
"""

from __future__ import annotations

import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

import stack as stack_lib

NAME = stack_lib.MAIN_BINARY
LOADER = "ld-linux-x86-64.so.2"
# Lambda's own limits for a zip uploaded directly, and for the unpacked function.
ZIP_LIMIT = 50 * 1024 * 1024
UNPACKED_LIMIT = 250 * 1024 * 1024
# The loader, glibc (libc, libm), libstdc++ and libgcc_s, prometheus-cpp's core, pugixml,
# simdjson.
MAX_LIBRARIES = 8


@pytest.fixture(scope="module")
def package(ssc_binary: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(zip path, package.sh's output)."""
    if os.uname().machine != "x86_64":
        pytest.skip("the package is made for x86_64 only")
    dist = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        ["bash", str(stack_lib.REPO_ROOT / "scripts" / "package.sh")],
        env={**os.environ, "BINARY": str(ssc_binary), "DIST_DIR": str(dist)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"package.sh failed\n{result.stdout}\n{result.stderr}"
    zip_path = dist / f"{NAME}-x86_64.zip"
    assert zip_path.is_file(), result.stdout
    assert (dist / f"{NAME}-x86_64.debug").is_file(), "the debug file was not written"
    return zip_path, result.stdout


@pytest.fixture(scope="module")
def unpacked(package: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zip unpacked as Lambda does it, keeping the files' Unix modes (which
    ZipFile.extractall would drop)."""
    task_root = tmp_path_factory.mktemp("task")
    with zipfile.ZipFile(package[0]) as archive:
        for info in archive.infolist():
            target = Path(archive.extract(info, task_root))
            mode = info.external_attr >> 16
            if mode:
                target.chmod(stat.S_IMODE(mode))
    return task_root


def test_zip_layout(package: tuple[Path, str]):
    zip_path, output = package
    with zipfile.ZipFile(zip_path) as archive:
        entries = {info.filename: info for info in archive.infolist()}
    assert "bootstrap" in entries, sorted(entries)
    mode = entries["bootstrap"].external_attr >> 16
    assert mode & stat.S_IXUSR, f"bootstrap is not executable in the zip ({oct(mode)})"
    for required in (f"bin/{NAME}", f"lib/{LOADER}", "lib/libc.so.6", "lib/libsimdjson.so.14"):
        assert required in entries, f"{required} missing from the zip"
    # The transport is Beast with OpenSSL linked in: libcurl and what it drags in stay out.
    libraries = sorted(name for name in entries if name.startswith("lib/"))
    assert "lib/libcurl.so.4" not in entries, libraries
    assert len(libraries) <= MAX_LIBRARIES, libraries
    assert not any(name.endswith(".debug") for name in entries), "debug symbols belong outside"
    assert zip_path.stat().st_size < ZIP_LIMIT
    assert sum(info.file_size for info in entries.values()) < UNPACKED_LIMIT
    assert "zip" in output and "bytes" in output, "package.sh should print the zip's size"


def test_binary_is_stripped(unpacked: Path):
    sections = subprocess.run(
        ["readelf", "-S", "-W", str(unpacked / "bin" / NAME)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ".symtab" not in sections
    assert ".debug_info" not in sections
    assert ".gnu_debuglink" in sections


def test_bootstrap_runs_version_with_an_empty_environment(unpacked: Path):
    # Started through a relative path from another directory, with nothing in the
    # environment: the script finds its libraries from its own location.
    result = subprocess.run(
        ["env", "-i", f"./{unpacked.name}/bootstrap", "--version"],
        cwd=unpacked.parent,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(NAME), result.stdout


def test_every_library_comes_from_the_package(unpacked: Path):
    lib = unpacked / "lib"
    listing = subprocess.run(
        [str(lib / LOADER), "--inhibit-cache", "--library-path", str(lib), "--list",
         str(unpacked / "bin" / NAME)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    resolved = [line.split()[2] for line in listing.splitlines() if " => " in line]
    assert resolved, listing
    outside = [path for path in resolved if not path.startswith(f"{lib}/")]
    assert outside == [], listing
