"""The deployable zips' sizes (scripts/package.sh makes them)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from harness import NAME
from figures.table import Results, Row, verdict_upper

ZIP_LIMIT_BYTES = 3_000_000  # "3 MB", read as the stricter 10^6 bytes


def measure(results: Results, dist_dir: Path) -> Optional[Path]:
    """The zips' sizes; the x86_64 one is returned, to time its bootstrap here."""
    found = None
    for arch in ("x86_64", "aarch64"):
        path = Path(dist_dir) / f"{NAME}-{arch}.zip"
        key = "zip_bytes" if arch == "x86_64" else f"zip_bytes_{arch}"
        title = f"deployable zip ({path.name})"
        limit = f"<= {ZIP_LIMIT_BYTES / 1e6:g} MB"
        if not path.is_file():
            results.rows.append(Row(key, title, limit, "not built", "", "n/a",
                                    "scripts/package.sh makes it"))
            continue
        size = path.stat().st_size
        verdict, detail = verdict_upper(size / 1e6, ZIP_LIMIT_BYTES / 1e6, "MB", "{:.2f}")
        results.rows.append(Row(
            key, title, limit, f"{size / 1e6:.2f} MB ({size / 1048576:.2f} MiB)", "one file",
            verdict, detail))
        results.raw[key] = size
        if arch == "x86_64":
            found = path
    return found
