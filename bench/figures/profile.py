"""callgrind on `invoke` with one event of many normal file messages."""

from __future__ import annotations

import json
import subprocess

from harness import Bench, say
from figures.table import Results

# Where the messages' processing starts, on whichever thread runs it: a unit of work is the
# messages of one collection (src/core/handler.cpp).
MESSAGES_FUNCTION = "ssc::core::BatchHandler::process_unit"


def measure(bench: Bench, results: Results, messages: int) -> None:
    """callgrind on `invoke` with one event of `messages` normal file messages (the CLI
    takes any batch size), twice: the whole process, and only the messages' processing
    (MESSAGES_FUNCTION), which is where the per-message cost is."""
    say(f"profile: callgrind on `invoke` with a batch of {messages} new files, whole "
        f"process and the messages only")
    world, work_dir = bench.world, bench.work_dir
    reports: dict[str, str] = {}
    totals: dict[str, int] = {}
    for scope, extra in (("process", []),
                         ("messages",
                          [f"--toggle-collect={MESSAGES_FUNCTION}*"])):
        # A fresh run each time: a file seen before takes the redelivery path.
        correlation_id, names = world.seed_run(10)
        event_path = work_dir / f"profile-event-{scope}.json"
        event_path.write_text(json.dumps(world.event(
            correlation_id, [names[i % len(names)] for i in range(messages)])))
        out = work_dir / f"callgrind-{scope}.out"
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *extra,
                   str(bench.binary_path), "invoke", "--event", str(event_path)]
        with open(work_dir / f"profile-{scope}.log", "wb") as log:
            result = subprocess.run(command, env=world.binary_env(), stdout=subprocess.PIPE,
                                    stderr=log, timeout=1800, check=False)
        response = json.loads(result.stdout or b"{}")
        if result.returncode != 0 or response.get("batchItemFailures") != []:
            raise RuntimeError(f"the profiled run failed ({result.returncode}): {response}")
        if world.files_received(correlation_id) != messages:
            raise RuntimeError("the profiled run did not count every file")
        for kind, flag in (("self", "--inclusive=no"), ("inclusive", "--inclusive=yes")):
            text = subprocess.run(["callgrind_annotate", flag, "--threshold=100", str(out)],
                                  capture_output=True, text=True, check=True).stdout
            (work_dir / f"callgrind-{scope}-{kind}.txt").write_text(text)
            reports[f"{scope}, {kind}"] = text
            for line in text.splitlines():
                if "PROGRAM TOTALS" in line:
                    # "." instead of a count when nothing was collected
                    count = line.split()[0].replace(",", "")
                    if count.isdigit():
                        totals[scope] = int(count)
    if not totals.get("messages"):
        raise RuntimeError(f"callgrind counted nothing inside {MESSAGES_FUNCTION}: was it "
                           f"renamed? bench/figures/profile.py names it")
    results.raw["profile_instructions"] = totals
    results.notes.append(
        f"profile: {totals.get('process', 0):,} instructions for the whole `invoke` of "
        f"{messages} messages, {totals.get('messages', 0):,} of them in processing the "
        f"messages (~{totals.get('messages', 0) // max(messages, 1):,} per message); listings in "
        f"{work_dir}/callgrind-*.txt")
    results.profile_text = reports
