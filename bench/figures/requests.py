"""AWS requests per normal file message, counted at a proxy in front of every service."""

from __future__ import annotations

import json
from typing import Any

from harness import Bench, invoke_ok, say
from figures.table import Figure, Results, Row, fmt_spread

# What a normal file message costs with the file receipts design (docs/design.md).
COUNT_OPERATIONS = ("dynamodb.TransactWriteItems", "dynamodb.GetItem")
REQUESTS_PER_FILE = 2


def _merge(a: dict, b: dict) -> dict:
    return {"Records": a["Records"] + b["Records"]}


def measure(bench: Bench, results: Results) -> None:
    say("requests: counted at a proxy in front of every service")
    world = bench.world
    per_invocation: list[dict[str, Any]] = []
    with bench.proxy() as proxy:
        one_id, one_names = world.seed_run(10)
        ten_id, ten_names = world.seed_run(10)
        two_id, two_names = world.seed_run(5)
        plan = ([("1 message", lambda: world.event(one_id, one_names[:1]), 1, 1)] * 10
                + [("10 messages, 1 run", lambda: world.event(ten_id, ten_names), 10, 1)] * 5
                + [("10 messages, 2 runs", lambda: _merge(
                    world.event(one_id, one_names[:5]), world.event(two_id, two_names)), 10, 2)]
                * 3)

        def work() -> None:
            for label, make, messages, runs in plan:
                event = make()
                proxy.reset()
                invoke_ok(bench.api, event)
                per_invocation.append({"label": label, "messages": messages, "runs": runs,
                                       "counts": proxy.counts()})

        bench.binary.run(bench.proxied_env(proxy), work)
    aws_per_message, extra_pushes, other = [], 0, set()
    for entry in per_invocation:
        counts = entry["counts"]
        aws = sum(n for k, n in counts.items() if not k.startswith("pushgateway."))
        pushes = counts.get("pushgateway.push", 0)
        aws_per_message.append(aws / entry["messages"])
        extra_pushes += pushes - entry["runs"]
        other |= {k for k in counts if k not in COUNT_OPERATIONS + ("pushgateway.push",)}
    fig = Figure(aws_per_message)
    pushes_ok = extra_pushes == 0
    # Issue 9: a normal file message costs the count's transaction and the row's read.
    met = (fig.median <= REQUESTS_PER_FILE and max(aws_per_message) <= REQUESTS_PER_FILE
           and pushes_ok and not other)
    by_label: dict[str, dict[str, int]] = {}
    for entry in per_invocation:
        totals = by_label.setdefault(entry["label"], {})
        for k, n in entry["counts"].items():
            totals[k] = totals.get(k, 0) + n
    pushes_text = "pushes: 1 per invocation and run" if pushes_ok else \
        f"pushes: {extra_pushes:+d} against 1 per invocation and run"
    results.rows.append(Row(
        "aws_requests_per_message", "AWS requests per normal file message",
        f"{REQUESTS_PER_FILE} (+1 push per invocation & run)", f"{fig.median:.2f} ({pushes_text})",
        fmt_spread(fig, fmt="{:.2f}"), "met" if met else "MISSED",
        "" if met else f"other requests seen: {sorted(other)}"))
    results.raw["aws_requests_per_message"] = fig.as_json()
    results.raw["requests_by_invocation_kind"] = by_label
    results.notes.append("requests by invocation kind (totals over the runs): " +
                         json.dumps(by_label, sort_keys=True))
