"""Start time: spawn to the first Runtime API `next`, of the build and of dist's bootstrap."""

from __future__ import annotations

import os
import statistics
import tempfile
import zipfile
from pathlib import Path

from harness import Bench, Binary, say
from figures.table import Figure, Results, Row, fmt_spread, verdict_upper

START_LIMIT_MS = 3.0
PACKAGED_START_LIMIT_MS = 4.0


def measure(bench: Bench, results: Results, repeats: int) -> None:
    say(f"start: {repeats} spawns until the first `next`")
    env = bench.world.binary_env()
    runs = [bench.binary.run(env) for _ in range(repeats)]
    fig = Figure([r.start_ns / 1e6 for r in runs])
    spawn = Figure([r.spawn_call_ns / 1e6 for r in runs])
    request = Figure([r.start_request_ns / 1e6 for r in runs])
    verdict, detail = verdict_upper(fig.median, START_LIMIT_MS, "ms", "{:.2f}")
    results.rows.append(Row(
        "start_ms", "start: spawn to first Runtime API `next`", f"<= {START_LIMIT_MS:g} ms",
        f"{fig.median:.2f} ms", fmt_spread(fig, fmt="{:.2f}"), verdict, detail))
    results.raw["start_ms"] = fig.as_json()
    results.raw["start_spawn_call_ms"] = spawn.as_json()
    results.raw["start_to_request_parsed_ms"] = request.as_json()
    results.raw["idle_cpu_ms"] = Figure([r.cpu_seconds * 1e3 for r in runs]).as_json()
    results.raw["idle_vm_hwm_kb"] = Figure([float(r.vm_hwm_kb) for r in runs]).as_json()
    results.notes.append(
        f"start: the spawn call itself takes {spawn.median:.2f} ms (median); the `next` "
        f"request is parsed by the fake API {request.median - fig.median:.2f} ms after its "
        f"connection is accepted. Idle after start: {statistics.median(r.cpu_seconds for r in runs) * 1e3:.1f} ms CPU, "
        f"{statistics.median(r.vm_hwm_kb for r in runs) / 1024:.1f} MiB peak RSS.")


def measure_packaged(bench: Bench, results: Results, zip_path: Path, repeats: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        with zipfile.ZipFile(zip_path) as archive:
            for info in archive.infolist():
                archive.extract(info, tmp)
                mode = (info.external_attr >> 16) & 0o777
                if mode:
                    os.chmod(Path(tmp) / info.filename, mode)
        binary = Binary([str(Path(tmp) / "bootstrap")], bench.api, bench.work_dir / "binary.log")
        env = bench.world.binary_env()
        runs = [binary.run(env) for _ in range(repeats)]
    fig = Figure([r.start_ns / 1e6 for r in runs])
    rss = Figure([r.vm_hwm_kb / 1024 for r in runs])
    results.rows.append(Row(
        "packaged_start_ms", "  (start of dist's bootstrap: bundled loader and libs)",
        f"<= {PACKAGED_START_LIMIT_MS:g} ms", f"{fig.median:.2f} ms", fmt_spread(fig, fmt="{:.2f}"),
        *verdict_upper(fig.median, PACKAGED_START_LIMIT_MS, "ms", "{:.2f}")))
    results.raw["packaged_start_ms"] = fig.as_json()
    results.raw["packaged_idle_vm_hwm_mib"] = rss.as_json()
