"""Batch latency: a batch of 10 independent messages against one message, with 20 ms added
to every request (a proxy in front of the services)."""

from __future__ import annotations

from harness import Bench, invoke_ok, say
from figures.table import Figure, Results, Row, fmt_spread

BATCH_RATIO_LIMIT = 1.5


def invocation_times(bench: Bench, results: Results, delay: float, key: str,
                     rounds: int) -> dict[str, Figure]:
    """Wall ms of invocations of 1 and of 10 messages, `delay` s added to every request
    (none: no proxy), under "one", "ten" and their "ratio"; raw figures as `key`_*."""
    world = bench.world
    with bench.proxy(latency=delay) as proxy:
        correlation_id, names = world.seed_run(10)
        one, ten = [], []

        def work() -> None:
            for _ in range(2):  # connections opened, credentials read
                invoke_ok(bench.api, world.event(correlation_id, names))
            for i in range(rounds):
                one.append(invoke_ok(bench.api, world.event(
                    correlation_id, [names[i % len(names)]])) * 1e3)
                ten.append(invoke_ok(bench.api, world.event(correlation_id, names)) * 1e3)

        env = bench.proxied_env(proxy) if delay > 0 else world.binary_env()
        bench.binary.run(env, work)
    figures = {"one": Figure(one), "ten": Figure(ten),
               "ratio": Figure([t / o for o, t in zip(one, ten)])}
    for name, fig in figures.items():
        results.raw[f"{key}_{name}"] = fig.as_json()
    return figures


def measure(bench: Bench, results: Results, rounds: int) -> dict[str, Figure]:
    """Returns the +20 ms figures (the Lambda cost reads them)."""
    say(f"latency: 1 vs 10 independent messages, 20 ms added to every request, "
        f"{rounds} rounds")
    lat = invocation_times(bench, results, 0.020, "latency20", rounds)
    ratio = lat["ten"].median / lat["one"].median
    limit = BATCH_RATIO_LIMIT
    verdict = "met" if ratio < limit else "MISSED"
    detail = (f"1 message {lat['one'].median:.0f} ms, 10 messages {lat['ten'].median:.0f} ms; "
              + (f"{limit - ratio:.2f}x under" if ratio < limit else f"by {ratio - limit:.2f}x"))
    results.rows.append(Row(
        "batch10_over_one_ratio", "batch of 10 / one message, +20 ms per request",
        f"< {limit:g}x", f"{ratio:.2f}x", fmt_spread(lat["ratio"], fmt="{:.2f}") + "x",
        verdict, detail))
    results.raw["batch10_over_one_ratio"] = ratio
    return lat
