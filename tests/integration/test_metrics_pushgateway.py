"""The metrics publisher against the real Prometheus push gateway (SPEC section 7).

Each `metrics_probe` process is one pushing instance, as a Lambda container is: it
records series through RunMetrics and pushes / deletes them through
PushGatewayPublisher, commands and answers as JSON lines.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import stack as stack_lib

JOB = "snapshot_sender_status_checker"
FILES = "snapshot_sender_status_checker_files_received_total"
SERIES_TYPES = {
    "snapshot_sender_status_checker_message_processing_time": "SUMMARY",
    "snapshot_sender_status_checker_collections_received_total": "COUNTER",
    "snapshot_sender_status_checker_collections_successful_total": "COUNTER",
    "snapshot_sender_status_checker_all_collections_received_total": "COUNTER",
    "snapshot_sender_status_checker_all_collections_succesful_total": "COUNTER",
    FILES: "COUNTER",
}


class Probe:
    """One metrics_probe process: one pushing instance."""

    def __init__(self, path: Path, env: dict[str, str]):
        self.process = subprocess.Popen(
            [str(path)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.instance = self.call(op="instance")

    def send(self, **command: Any) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"metrics_probe ended: {self.process.stderr.read() if self.process.stderr else ''}"
        return json.loads(line)

    def call(self, **command: Any) -> Any:
        answer = self.send(**command)
        assert "error" not in answer, answer
        return answer["result"]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_labels(correlation_id: str) -> dict[str, str]:
    return {"correlation_id": correlation_id, "export_date": "2026-11-28", "snapshot_type": "full"}


@pytest.fixture
def probes(stack, binary) -> Iterator[Any]:
    path = binary("metrics_probe")
    started: list[Probe] = []

    def start(**env_overrides: str) -> Probe:
        env = {
            **os.environ,
            "PUSHGATEWAY_HOSTNAME": stack.env["PUSHGATEWAY_HOSTNAME"],
            "PUSHGATEWAY_PORT": stack.env["PUSHGATEWAY_PORT"],
            **env_overrides,
        }
        probe = Probe(path, env)
        started.append(probe)
        return probe

    yield start
    for probe in started:
        probe.close()


def groups_of(stack, correlation_id: str) -> list[dict]:
    return [
        g
        for g in stack.pushgateway_groups()
        if g["labels"].get("job") == JOB and g["labels"].get("correlation_id") == correlation_id
    ]


def total(groups: list[dict], name: str) -> float:
    return sum(
        float(metric["value"])
        for group in groups
        for metric in group.get(name, {}).get("metrics", [])
    )


def record_files(probe: Probe, correlation_id: str, count: int, collection: str = "db.a.b") -> None:
    for _ in range(count):
        probe.call(op="file_received", run=run_labels(correlation_id), collection_name=collection)


def test_two_processes_pushing_for_one_run_add_up(stack, probes, unique_name):
    run = unique_name("run")
    first, second = probes(), probes()
    assert first.instance != second.instance

    record_files(first, run, 3)
    first.call(op="push", correlation_id=run)
    record_files(second, run, 2)
    second.call(op="push", correlation_id=run)

    groups = groups_of(stack, run)
    assert sorted(g["labels"]["instance"] for g in groups) == sorted(
        [first.instance, second.instance]
    )
    for group in groups:
        assert group["labels"]["component"] == "snapshot_sender_status_checker"
    assert total(groups, FILES) == 5

    # Each process pushes its cumulative count into its own group: a second push replaces
    # that process's earlier value and leaves the other's alone.
    record_files(first, run, 1)
    first.call(op="push", correlation_id=run)
    assert total(groups_of(stack, run), FILES) == 6

    second.call(op="delete_run", correlation_id=run)


def test_series_have_the_dashboards_names_types_and_labels(stack, probes, unique_name):
    run = unique_name("run")
    probe = probes()
    labels = run_labels(run)
    probe.call(op="processing_time", run=labels, seconds=0.25)
    probe.call(op="processing_time", run=labels, seconds=0.5)
    record_files(probe, run, 1, collection="db.x.y")
    for op in (
        "collection_received",
        "collection_successful",
        "all_collections_received",
        "all_collections_successful",
    ):
        probe.call(op=op, run=labels)
    probe.call(op="push", correlation_id=run)

    [group] = groups_of(stack, run)
    for name, kind in SERIES_TYPES.items():
        assert group[name]["type"] == kind, name
        for metric in group[name]["metrics"]:
            for key, value in labels.items():
                assert metric["labels"][key] == value
    assert group[FILES]["metrics"][0]["labels"]["collection_name"] == "db.x.y"

    text = stack.pushgateway_metrics_text()
    summary = "snapshot_sender_status_checker_message_processing_time"
    [count] = stack_lib.find_samples(text, f"{summary}_count", correlation_id=run)
    [seconds] = stack_lib.find_samples(text, f"{summary}_sum", correlation_id=run)
    assert (count.value, seconds.value) == (2, 0.75)
    assert not stack_lib.find_samples(text, summary, correlation_id=run)  # no quantiles
    for name in SERIES_TYPES:
        if name.endswith("_total"):
            [sample] = stack_lib.find_samples(text, name, correlation_id=run)
            assert sample.value == 1

    probe.call(op="delete_run", correlation_id=run)


@pytest.mark.parametrize(
    "correlation_id",
    ["run/with/slashes", "run with spaces & percent %2F", "run=?#@base64", "ünïcödé-run"],
)
def test_grouping_values_survive_any_characters(stack, probes, unique_name, correlation_id):
    run = f"{correlation_id}-{unique_name('r')}"
    probe = probes()
    record_files(probe, run, 1)
    probe.call(op="push", correlation_id=run)

    [group] = groups_of(stack, run)
    assert group["labels"]["correlation_id"] == run
    assert group[FILES]["metrics"][0]["labels"]["correlation_id"] == run

    probe.call(op="delete_run", correlation_id=run)
    assert groups_of(stack, run) == []


def test_delete_removes_every_instance_of_the_run_and_nothing_else(stack, probes, unique_name):
    run, other_run = unique_name("run"), unique_name("other")
    first, second = probes(), probes()
    record_files(first, run, 2)
    first.call(op="push", correlation_id=run)
    record_files(second, run, 1)
    second.call(op="push", correlation_id=run)
    record_files(first, other_run, 4)
    first.call(op="push", correlation_id=other_run)
    assert len(groups_of(stack, run)) == 2

    # A process that never pushed this run deletes it: all instances go.
    finisher = probes()
    finisher.call(op="delete_run", correlation_id=run)

    assert groups_of(stack, run) == []
    assert total(groups_of(stack, other_run), FILES) == 4

    first.call(op="delete_run", correlation_id=other_run)
    assert groups_of(stack, other_run) == []


def test_deleting_drops_the_processes_own_series(stack, probes, unique_name):
    run = unique_name("run")
    probe = probes()
    record_files(probe, run, 3)
    probe.call(op="push", correlation_id=run)
    probe.call(op="delete_run", correlation_id=run)

    # Counting starts again from zero, not from the deleted run's totals.
    record_files(probe, run, 1)
    probe.call(op="push", correlation_id=run)
    assert total(groups_of(stack, run), FILES) == 1
    probe.call(op="delete_run", correlation_id=run)


def test_an_unreachable_gateway_is_an_error(probes, unique_name):
    run = unique_name("run")
    probe = probes(PUSHGATEWAY_HOSTNAME="127.0.0.1", PUSHGATEWAY_PORT=str(stack_lib.free_port()))
    record_files(probe, run, 1)
    for op in ("push", "delete_run"):
        answer = probe.send(op=op, correlation_id=run)
        assert answer["error"]["type"] == "PushGatewayError", answer


def test_without_a_gateway_nothing_is_pushed(stack, probes, unique_name):
    run = unique_name("run")
    probe = probes(PUSHGATEWAY_HOSTNAME="")
    record_files(probe, run, 1)
    assert probe.call(op="push", correlation_id=run) is None
    assert groups_of(stack, run) == []
    assert probe.call(op="delete_run", correlation_id=run) is None
