"""Where a warm Lambda process spends its instructions, by batch shape (issue #17).

callgrind on the binary in Lambda mode against the fake Runtime API: 3 batches of warm-up,
then the counters are zeroed, `--batches` batches of 10 normal file messages (of one
collection, then of ten) are served, and the counters dumped. Prints instructions per
message (they do not depend on the machine's load, unlike CPU time) and writes
callgrind_annotate's inclusive listing of each shape to the output directory.

  .venv/bin/python bench/steady_profile.py --binary build/bench/snapshot-sender-status-checker \
      --stack-dir .stack/bench --out /tmp/steady-profile

Needs a started stack (scripts/stack.sh start) and valgrind (scripts/bench.sh installs it).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path

from harness import Bench, Binary, invoke_ok, say

WARM_UP_BATCHES = 3


def profile_shape(bench: Bench, out: Path, collections: int, batches: int) -> int:
    """Instructions per message over `batches` warm batches of 10 files of `collections`."""
    callgrind_out = out / f"callgrind-{collections}c.out"
    for old in out.glob(f"{callgrind_out.name}*"):
        old.unlink()
    binary = Binary([shutil.which("valgrind") or "valgrind", "--tool=callgrind",
                     f"--callgrind-out-file={callgrind_out}", str(bench.binary_path)],
                    bench.api, out / "binary.log")

    def work() -> None:
        correlation_id, names = bench.world.seed_run(collections)

        def batch() -> None:
            invoke_ok(bench.api, bench.world.event(
                correlation_id, [names[i % collections] for i in range(10)]))

        for _ in range(WARM_UP_BATCHES):
            batch()
        subprocess.run(["callgrind_control", "--zero", str(binary.pid)], check=True,
                       capture_output=True)
        for _ in range(batches):
            batch()
        subprocess.run(["callgrind_control", "--dump", str(binary.pid)], check=True,
                       capture_output=True)
        time.sleep(1)  # the dump is written by the profiled process

    binary.run(bench.world.binary_env(), work)
    dump = sorted(p for p in out.glob(f"{callgrind_out.name}.*"))[-1]
    listing = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=99", str(dump)],
                             capture_output=True, text=True, check=True).stdout
    (out / f"{collections}c-inclusive.txt").write_text(listing)
    total = next(line for line in listing.splitlines() if "PROGRAM TOTALS" in line)
    return int(total.split()[0].replace(",", "")) // (batches * 10)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", type=Path, required=True)
    p.add_argument("--stack-dir", type=Path, required=True)
    p.add_argument("--out", type=Path, default=Path("/tmp/steady-profile"))
    p.add_argument("--batches", type=int, default=20)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with Bench(args.binary, args.stack_dir, args.out) as bench:
        for collections in (1, 10):
            per_message = profile_shape(bench, args.out, collections, args.batches)
            say(f"10 files of {collections} collection{'s' if collections > 1 else ''}: "
                f"{per_message:,} instructions per message ({args.batches} warm batches); "
                f"listing in {args.out}/{collections}c-inclusive.txt")


if __name__ == "__main__":
    main()
