#!/usr/bin/env python3
"""The benchmark of issue #5: start time, peak memory, CPU and AWS requests per message,
batch latency and package size of the binary, each against its target, on this machine.

scripts/bench.sh runs it (after set-up, a Release build and a stack of its own); alone:

    .venv/bin/python bench/run_benchmark.py --binary build/bench/snapshot-sender-status-checker \
        --stack-dir .stack/bench [--json-out results.json] [--compare before.json]

Everything runs the binary as Lambda runs it: AWS_LAMBDA_RUNTIME_API points at a local
stand-in of the Runtime API (bench/fake_runtime_api.py) that times the first `next` and
hands out SQS events built against a run seeded in the stack. Requests are counted, and
latency is added, by a proxy between the binary and the services (bench/counting_proxy.py).
Every figure is the median of repeated runs, with its spread. Nothing here fails on time:
the table says what was met and what was missed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests" / "integration"))

import stack as stack_lib  # noqa: E402
from counting_proxy import CountingProxy  # noqa: E402
from fake_runtime_api import FakeRuntimeApi  # noqa: E402

SOURCE_ARN = "arn:aws:sqs:eu-west-2:123456789012:snapshot-sender-status-checker"
EXPORT_DATE = "2026-11-28"
SNAPSHOT_TYPE = "incremental"
# A collection that never completes: every normal file message is counted and nothing else.
NEVER_EXPORTED = 10**9
# What a normal file message costs with the file receipts design (docs/design.md).
COUNT_OPERATIONS = ("dynamodb.TransactWriteItems", "dynamodb.GetItem")
REQUESTS_PER_FILE = 2
LAMBDA_MEMORY_MB = 128
LAMBDA_MEMORY_GB = LAMBDA_MEMORY_MB / 1024
# Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB.
LAMBDA_CPU_SHARE = LAMBDA_MEMORY_MB / 1769
# Issue #12's targets. The CPU one is for the receipts design (a transaction and a read per
# normal file message); on the earlier one-request design it was 100 us.
START_LIMIT_MS = 3.0
PACKAGED_START_LIMIT_MS = 4.0
RSS_LIMIT_MIB = 8.0
CPU_LIMIT_US = 150.0
FIRST_BATCH_CPU_LIMIT_MS = 5.0
BATCH_RATIO_LIMIT = 1.5
ZIP_LIMIT_BYTES = 3_000_000  # "3 MB", read as the stricter 10^6 bytes
NAME = "snapshot-sender-status-checker"


# --- figures ------------------------------------------------------------------------


@dataclass
class Figure:
    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def spread(self) -> tuple[str, float, float]:
        """("p10-p90", low, high) for 10 or more samples, ("min-max", ...) below that."""
        data = sorted(self.values)
        if len(data) >= 10:
            deciles = statistics.quantiles(data, n=10, method="inclusive")
            return "p10-p90", deciles[0], deciles[-1]
        return "min-max", data[0], data[-1]

    def as_json(self) -> dict:
        kind, low, high = self.spread()
        return {"median": self.median, "spread": kind, "low": low, "high": high,
                "n": len(self.values), "values": self.values}


@dataclass
class Row:
    key: str
    title: str
    target: str
    measured: str
    spread: str
    verdict: str  # "met", "MISSED", "n/a"
    detail: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def verdict_upper(measured: float, limit: float, unit: str, fmt: str = "{:.1f}") -> tuple[str, str]:
    """Met when measured <= limit; the detail says by how much, either way."""
    margin = limit - measured
    if margin >= 0:
        return "met", f"{fmt.format(margin)} {unit} ({margin / limit:.0%}) under"
    return "MISSED", f"by {fmt.format(-margin)} {unit} ({-margin / limit:.0%} over)"


def fmt_spread(fig: Figure, scale: float = 1.0, fmt: str = "{:.1f}") -> str:
    kind, low, high = fig.spread()
    return f"{kind} {fmt.format(low * scale)}-{fmt.format(high * scale)}"


def say(text: str) -> None:
    print(f"bench: {text}", flush=True)


# --- the world in the stack -----------------------------------------------------------


class World:
    """Tables, queue and topic of the benchmark, under unique names, and seeded runs."""

    def __init__(self, stack: stack_lib.Stack) -> None:
        self.stack = stack
        # moto, served one request at a time: it has the transactions the count uses.
        self.ddb = stack.moto_dynamodb
        suffix = uuid.uuid4().hex[:8]
        self.export_table = stack_lib.create_export_status_table(self.ddb, f"bench-export-{suffix}")
        self.product_table = stack_lib.create_product_table(self.ddb, f"bench-product-{suffix}")
        self.receipts_table = stack_lib.create_file_receipts_table(
            self.ddb, f"bench-receipts-{suffix}")
        self.queue_url = stack.create_fifo_queue(f"bench-export-state-{suffix}")
        self.topic_arn = stack.create_topic_with_queue(f"bench-monitoring-{suffix}").topic_arn
        self._file = 0

    def seed_run(self, collections: int, counted_files: int = 0) -> tuple[str, list[str]]:
        """A fresh correlation id whose collections are exported but far from received;
        each may already hold `counted_files` counted files (FilesReceived on the row, and
        one receipt each in the receipts table, as counting them would have left)."""
        correlation_id = f"bench-{uuid.uuid4().hex[:12]}"
        names = [f"db.bench.collection{i:03d}" for i in range(collections)]
        items = []
        receipts = []
        for name in names:
            item = {
                "CorrelationId": {"S": correlation_id},
                "CollectionName": {"S": name},
                "CollectionStatus": {"S": "Exported"},
                "FilesExported": {"N": str(NEVER_EXPORTED)},
            }
            if counted_files:
                item["FilesReceived"] = {"N": str(counted_files)}
                # A receipt as the count writes it: a 24-character key, the owner (19
                # characters), the expiry.
                receipts.extend({"PutRequest": {"Item": {
                    "ReceiptKey": {"S": uuid.uuid4().hex[:24]},
                    "CountedBy": {"S": uuid.uuid4().hex[:19]},
                    "ExpiresAt": {"N": str(int(time.time()) + 30 * 86400)}}}}
                    for _ in range(counted_files))
            items.append({"PutRequest": {"Item": item}})
        for table, writes in ((self.export_table, items), (self.receipts_table, receipts)):
            for start in range(0, len(writes), 25):
                self.ddb.batch_write_item(RequestItems={table: writes[start:start + 25]})
        return correlation_id, names

    def files_received(self, correlation_id: str) -> int:
        total, start_key = 0, None
        while True:
            args: dict[str, Any] = dict(
                TableName=self.export_table, KeyConditionExpression="CorrelationId = :c",
                ExpressionAttributeValues={":c": {"S": correlation_id}}, ConsistentRead=True,
                ProjectionExpression="FilesReceived")
            if start_key:
                args["ExclusiveStartKey"] = start_key
            page = self.ddb.query(**args)
            total += sum(int(i.get("FilesReceived", {}).get("N", "0")) for i in page["Items"])
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                return total

    def event(self, correlation_id: str, collections: list[str]) -> dict:
        """One SQS event: one new file for each collection named (names may repeat)."""
        records = []
        for name in collections:
            self._file += 1
            body = {"correlation_id": correlation_id, "collection_name": name,
                    "snapshot_type": SNAPSHOT_TYPE, "export_date": EXPORT_DATE,
                    "file_name": f"{name}/part-{self._file:07d}.json.gz.enc"}
            records.append({"messageId": str(uuid.uuid4()), "receiptHandle": "h",
                            "body": json.dumps(body), "attributes": {}, "messageAttributes": {},
                            "eventSource": "aws:sqs", "eventSourceARN": SOURCE_ARN,
                            "awsRegion": "eu-west-2"})
        return {"Records": records}

    def binary_env(self, endpoints: Optional[dict[str, str]] = None,
                   pushgateway_port: Optional[int] = None) -> dict[str, str]:
        env = self.stack.binary_env(
            "moto",
            MONITORING_SNS_TOPIC_ARN=self.topic_arn,
            EXPORT_STATE_SQS_QUEUE_URL=self.queue_url,
            DYNAMO_DB_EXPORT_STATUS_TABLE_NAME=self.export_table,
            DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME=self.product_table,
            DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME=self.receipts_table,
            ENVIRONMENT="bench", APPLICATION="snapshot-sender-status-checker",
            LOG_LEVEL="INFO")
        for service, url in (endpoints or {}).items():
            env[f"AWS_ENDPOINT_URL_{service.upper()}"] = url
        if pushgateway_port is not None:
            env["PUSHGATEWAY_PORT"] = str(pushgateway_port)
        return env


# --- the binary under the fake Runtime API --------------------------------------------


@dataclass
class ProcessRun:
    start_ns: int  # spawn call to the first `next` connection
    start_request_ns: int  # spawn call to the first `next` request parsed
    spawn_call_ns: int  # how long Popen itself took
    cpu_seconds: float = 0.0  # user + sys, from wait4
    user_seconds: float = 0.0
    sys_seconds: float = 0.0
    # /proc/<pid>/status just before the kill. Not wait4's ru_maxrss: after a vfork and
    # exec, Linux keeps the spawning (Python) process's peak in it.
    vm_hwm_kb: int = 0


def vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc status")


class Binary:
    """Spawns the binary in Lambda mode, one at a time, against the fake Runtime API."""

    def __init__(self, command: list[str], api: FakeRuntimeApi, log_path: Path) -> None:
        self.command, self.api, self.log_path = command, api, log_path
        self.pid: Optional[int] = None

    def run(self, env: dict[str, str], work: Callable[[], None] = lambda: None) -> ProcessRun:
        """Start, wait until ready, do `work` (invocations), then kill it and read its
        resource use. The process is always gone when this returns."""
        self.api.expect_process()
        env = {**env, "AWS_LAMBDA_RUNTIME_API": self.api.address}
        # posix_spawn (vfork and exec), not subprocess: the spawn call then costs well under
        # a millisecond instead of several, and less of it lands in the start figure.
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 1, str(self.log_path),
                    os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644),
                   (os.POSIX_SPAWN_DUP2, 1, 2)]
        before = time.perf_counter_ns()
        self.pid = os.posix_spawn(self.command[0], self.command, env, file_actions=actions,
                                  setsid=True)
        after = time.perf_counter_ns()
        try:
            accepted, requested = self.api.wait_first_next(timeout=30)
            run = ProcessRun(accepted - before, requested - before, after - before)
            work()
            run.vm_hwm_kb = vm_hwm_kb(self.pid)
        except BaseException:
            self.kill()
            raise
        usage = self.kill()
        run.user_seconds, run.sys_seconds = usage.ru_utime, usage.ru_stime
        run.cpu_seconds = usage.ru_utime + usage.ru_stime
        return run

    def kill(self) -> Any:
        pid, self.pid = self.pid, None
        if pid is None:
            return None
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, _, usage = os.wait4(pid, 0)
        return usage


def invoke_ok(api: FakeRuntimeApi, event: dict) -> float:
    result = api.invoke(event)
    if result.body is None:
        raise RuntimeError(f"invocation failed: {result.error}")
    failures = result.body.get("batchItemFailures")
    if failures:
        raise RuntimeError(f"{len(failures)} message(s) failed: {result.body}")
    return result.seconds


# --- the measurements ----------------------------------------------------------------


class Benchmark:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.stack = stack_lib.Stack.from_dir(args.stack_dir)
        if not self.stack.is_up():
            raise SystemExit(f"the stack in {args.stack_dir} does not answer")
        self.world = World(self.stack)
        self.work_dir = Path(args.work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.api = FakeRuntimeApi().start()
        self.binary = Binary([str(args.binary)], self.api, self.work_dir / "binary.log")
        self.baseline = (Binary([str(args.baseline_binary)], self.api,
                                self.work_dir / "baseline.log") if args.baseline_binary else None)
        self.results = Results()
        self.profile_text: dict[str, str] = {}
        self.lat20: dict[str, Figure] = {}
        self.cost_lines: list = []
        self.cpu_share_lines: list = []
        self.cpu_per_message: dict[str, float] = {}

    def close(self) -> None:
        self.binary.kill()
        if self.baseline:
            self.baseline.kill()
        self.api.stop()

    def proxy(self, latency: float = 0.0) -> CountingProxy:
        return CountingProxy({"dynamodb": self.stack.moto_dynamodb_url, "sqs": self.stack.moto_url,
                              "sns": self.stack.moto_url,
                              "pushgateway": self.stack.pushgateway_url}, latency=latency)

    def proxied_env(self, proxy: CountingProxy) -> dict[str, str]:
        return self.world.binary_env(
            {s: proxy.url(s) for s in ("dynamodb", "sqs", "sns")}, proxy.port("pushgateway"))

    # -- start ---------------------------------------------------------------------

    def start_time(self) -> None:
        say(f"start: {self.args.start_repeats} spawns until the first `next`")
        env = self.world.binary_env()
        runs = [self.binary.run(env) for _ in range(self.args.start_repeats)]
        fig = Figure([r.start_ns / 1e6 for r in runs])
        spawn = Figure([r.spawn_call_ns / 1e6 for r in runs])
        request = Figure([r.start_request_ns / 1e6 for r in runs])
        verdict, detail = verdict_upper(fig.median, START_LIMIT_MS, "ms", "{:.2f}")
        self.results.rows.append(Row(
            "start_ms", "start: spawn to first Runtime API `next`", f"<= {START_LIMIT_MS:g} ms",
            f"{fig.median:.2f} ms", fmt_spread(fig, fmt="{:.2f}"), verdict, detail))
        self.results.raw["start_ms"] = fig.as_json()
        self.results.raw["start_spawn_call_ms"] = spawn.as_json()
        self.results.raw["start_to_request_parsed_ms"] = request.as_json()
        self.results.raw["idle_cpu_ms"] = Figure([r.cpu_seconds * 1e3 for r in runs]).as_json()
        self.results.raw["idle_vm_hwm_kb"] = Figure([float(r.vm_hwm_kb) for r in runs]).as_json()
        self.results.notes.append(
            f"start: the spawn call itself takes {spawn.median:.2f} ms (median); the `next` "
            f"request is parsed by the fake API {request.median - fig.median:.2f} ms after its "
            f"connection is accepted. Idle after start: {statistics.median(r.cpu_seconds for r in runs) * 1e3:.1f} ms CPU, "
            f"{statistics.median(r.vm_hwm_kb for r in runs) / 1024:.1f} MiB peak RSS.")

    def packaged_start_time(self, zip_path: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
            with zipfile.ZipFile(zip_path) as archive:
                for info in archive.infolist():
                    archive.extract(info, tmp)
                    mode = (info.external_attr >> 16) & 0o777
                    if mode:
                        os.chmod(Path(tmp) / info.filename, mode)
            binary = Binary([str(Path(tmp) / "bootstrap")], self.api,
                            self.work_dir / "binary.log")
            env = self.world.binary_env()
            runs = [binary.run(env) for _ in range(self.args.start_repeats)]
        fig = Figure([r.start_ns / 1e6 for r in runs])
        rss = Figure([r.vm_hwm_kb / 1024 for r in runs])
        self.results.rows.append(Row(
            "packaged_start_ms", "  (start of dist's bootstrap: bundled loader and libs)",
            f"<= {PACKAGED_START_LIMIT_MS:g} ms", f"{fig.median:.2f} ms", fmt_spread(fig, fmt="{:.2f}"),
            *verdict_upper(fig.median, PACKAGED_START_LIMIT_MS, "ms", "{:.2f}")))
        self.results.raw["packaged_start_ms"] = fig.as_json()
        self.results.raw["packaged_idle_vm_hwm_mib"] = rss.as_json()

    # -- peak RSS and CPU ------------------------------------------------------------

    def memory_and_cpu(self) -> None:
        batches, repeats = self.args.cpu_batches, self.args.cpu_repeats
        messages = batches * 10
        binaries = {"": self.binary}
        if self.baseline:
            binaries["baseline"] = self.baseline
        say(f"memory and CPU: {repeats} x (a process serving nothing, and one serving "
            f"{batches} batches of 10)" + (", alternating with the baseline binary"
                                           if self.baseline else ""))
        idle: dict[str, list[ProcessRun]] = {name: [] for name in binaries}
        loaded: dict[str, list[ProcessRun]] = {name: [] for name in binaries}
        for _ in range(repeats):
            # Interleaved, so that both binaries meet the same load on a shared machine.
            for name, binary in binaries.items():
                idle[name].append(binary.run(self.world.binary_env()))
                correlation_id, names = self.world.seed_run(10)

                def work() -> None:
                    for _ in range(batches):
                        invoke_ok(self.api, self.world.event(correlation_id, names))

                loaded[name].append(binary.run(self.world.binary_env(), work))
                counted = self.world.files_received(correlation_id)
                if counted != messages:
                    raise RuntimeError(
                        f"expected {messages} files counted, the table says {counted}")
        figures = {}
        for name in binaries:
            idle_cpu = statistics.median(r.cpu_seconds for r in idle[name])
            figures[name] = (
                Figure([(r.cpu_seconds - idle_cpu) / messages * 1e6 for r in loaded[name]]),
                Figure([r.vm_hwm_kb / 1024 for r in loaded[name]]))
        per_message, rss = figures[""]
        base_cpu, base_rss = figures.get("baseline", (None, None))
        self.results.rows.append(Row(
            "peak_rss_mib", "peak resident memory, batches of 10", f"<= {RSS_LIMIT_MIB:g} MiB",
            f"{rss.median:.1f} MiB", fmt_spread(rss), *verdict_upper(rss.median, RSS_LIMIT_MIB, "MiB")))
        if base_rss:
            self.results.rows.append(Row(
                "baseline_peak_rss_mib", "  (the baseline binary, runs interleaved)",
                f"<= {RSS_LIMIT_MIB:g} MiB", f"{base_rss.median:.1f} MiB", fmt_spread(base_rss),
                *verdict_upper(base_rss.median, RSS_LIMIT_MIB, "MiB")))
            self.results.raw["baseline_peak_rss_mib"] = base_rss.as_json()
        self.results.rows.append(Row(
            "cpu_us_per_message", "CPU per normal file message (user+sys)",
            f"<= {CPU_LIMIT_US:g} us", f"{per_message.median:.0f} us",
            fmt_spread(per_message, fmt="{:.0f}"),
            *verdict_upper(per_message.median, CPU_LIMIT_US, "us", "{:.0f}")))
        if base_cpu:
            self.results.rows.append(Row(
                "baseline_cpu_us_per_message", "  (the baseline binary, runs interleaved)",
                f"<= {CPU_LIMIT_US:g} us", f"{base_cpu.median:.0f} us",
                fmt_spread(base_cpu, fmt="{:.0f}"),
                *verdict_upper(base_cpu.median, CPU_LIMIT_US, "us", "{:.0f}")))
            self.results.raw["baseline_cpu_us_per_message"] = base_cpu.as_json()
        self.results.raw["peak_rss_mib"] = rss.as_json()
        self.results.raw["cpu_us_per_message"] = per_message.as_json()
        self.cpu_per_message = {name: fig.median for name, (fig, _) in figures.items()}
        self.results.raw["cpu_idle_run_ms"] = Figure(
            [r.cpu_seconds * 1e3 for r in idle[""]]).as_json()
        self.results.raw["cpu_loaded_run_ms"] = Figure(
            [r.cpu_seconds * 1e3 for r in loaded[""]]).as_json()
        user = statistics.median((r.user_seconds - statistics.median(
            i.user_seconds for i in idle[""])) / messages * 1e6 for r in loaded[""])
        self.results.notes.append(
            f"CPU: ({batches} invocations x 10 messages, minus a run that served none) / "
            f"{messages}; of the median {per_message.median:.0f} us, about {user:.0f} us is "
            f"user time. Includes the one metrics push per invocation (1/10 per message).")

    def cpu_on_full_collections(self) -> None:
        """Not a target: the same CPU figure when each collection already holds many files,
        because the count's answer (ALL_NEW) carries the row's whole token set."""
        counted, batches = self.args.full_collection_files, self.args.cpu_batches
        messages = batches * 10
        say(f"CPU with {counted} files already counted per collection")
        idle = [self.binary.run(self.world.binary_env()) for _ in range(3)]
        idle_cpu = statistics.median(r.cpu_seconds for r in idle)
        loaded = []
        for _ in range(3):
            correlation_id, names = self.world.seed_run(10, counted_files=counted)

            def work() -> None:
                for _ in range(batches):
                    invoke_ok(self.api, self.world.event(correlation_id, names))

            loaded.append(self.binary.run(self.world.binary_env(), work))
        fig = Figure([(r.cpu_seconds - idle_cpu) / messages * 1e6 for r in loaded])
        self.results.rows.append(Row(
            "cpu_us_per_message_full", f"  (same, {counted} files already in each collection)",
            f"<= {CPU_LIMIT_US:g} us", f"{fig.median:.0f} us", fmt_spread(fig, fmt="{:.0f}"),
            *verdict_upper(fig.median, CPU_LIMIT_US, "us", "{:.0f}")))
        self.results.raw["cpu_us_per_message_full"] = fig.as_json()

    def first_batch_cpu(self) -> None:
        """All the CPU a new process spends until it has answered its first batch of 10:
        what a cold Lambda sandbox pays before its first answer."""
        binaries = {"": self.binary}
        if self.baseline:
            binaries["baseline"] = self.baseline
        say(f"CPU from start to the answer of a first batch of 10, {self.args.cpu_repeats} runs")
        runs: dict[str, list[float]] = {name: [] for name in binaries}
        for _ in range(self.args.cpu_repeats):
            for name, binary in binaries.items():
                correlation_id, names = self.world.seed_run(10)
                run = binary.run(self.world.binary_env(),
                                 lambda: invoke_ok(self.api, self.world.event(correlation_id, names)))
                runs[name].append(run.cpu_seconds * 1e3)
        for name, values in runs.items():
            fig = Figure(values)
            title = ("CPU from start to the answer of a first batch of 10" if not name
                     else "  (the baseline binary, runs interleaved)")
            self.results.rows.append(Row(
                f"{name + '_' if name else ''}first_batch_cpu_ms", title,
                f"<= {FIRST_BATCH_CPU_LIMIT_MS:g} ms", f"{fig.median:.2f} ms",
                fmt_spread(fig, fmt="{:.2f}"),
                *verdict_upper(fig.median, FIRST_BATCH_CPU_LIMIT_MS, "ms", "{:.2f}")))
            self.results.raw[f"{name + '_' if name else ''}first_batch_cpu_ms"] = fig.as_json()

    # -- requests ---------------------------------------------------------------------

    def requests(self) -> None:
        say("requests: counted at a proxy in front of every service")
        per_invocation: list[dict[str, Any]] = []
        with self.proxy() as proxy:
            one_id, one_names = self.world.seed_run(10)
            ten_id, ten_names = self.world.seed_run(10)
            two_id, two_names = self.world.seed_run(5)
            plan = ([("1 message", lambda: self.world.event(one_id, one_names[:1]), 1, 1)] * 10
                    + [("10 messages, 1 run", lambda: self.world.event(ten_id, ten_names), 10, 1)]
                    * 5
                    + [("10 messages, 2 runs", lambda: _merge(
                        self.world.event(one_id, one_names[:5]),
                        self.world.event(two_id, two_names)), 10, 2)] * 3)

            def work() -> None:
                for label, make, messages, runs in plan:
                    event = make()
                    proxy.reset()
                    invoke_ok(self.api, event)
                    per_invocation.append({"label": label, "messages": messages, "runs": runs,
                                           "counts": proxy.counts()})

            self.binary.run(self.proxied_env(proxy), work)
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
        self.results.rows.append(Row(
            "aws_requests_per_message", "AWS requests per normal file message",
            f"{REQUESTS_PER_FILE} (+1 push per invocation & run)", f"{fig.median:.2f} ({pushes_text})",
            fmt_spread(fig, fmt="{:.2f}"), "met" if met else "MISSED",
            "" if met else f"other requests seen: {sorted(other)}"))
        self.results.raw["aws_requests_per_message"] = fig.as_json()
        self.results.raw["requests_by_invocation_kind"] = by_label
        self.results.notes.append("requests by invocation kind (totals over the runs): " +
                                  json.dumps(by_label, sort_keys=True))

    # -- batch latency ------------------------------------------------------------------

    def latency(self, delay: float, key: str) -> dict[str, Figure]:
        rounds = self.args.latency_rounds
        figures: dict[str, Figure] = {}
        with self.proxy(latency=delay) as proxy:
            correlation_id, names = self.world.seed_run(10)
            one, ten = [], []

            def work() -> None:
                for _ in range(2):  # connections opened, credentials read
                    invoke_ok(self.api, self.world.event(correlation_id, names))
                for i in range(rounds):
                    one.append(invoke_ok(self.api, self.world.event(
                        correlation_id, [names[i % len(names)]])) * 1e3)
                    ten.append(invoke_ok(self.api, self.world.event(correlation_id, names)) * 1e3)

            env = self.proxied_env(proxy) if delay > 0 else self.world.binary_env()
            self.binary.run(env, work)
        figures["one"], figures["ten"] = Figure(one), Figure(ten)
        figures["ratio"] = Figure([t / o for o, t in zip(one, ten)])
        for name, fig in figures.items():
            self.results.raw[f"{key}_{name}"] = fig.as_json()
        return figures

    def batch_latency(self) -> None:
        say(f"latency: 1 vs 10 independent messages, 20 ms added to every request, "
            f"{self.args.latency_rounds} rounds")
        lat = self.latency(0.020, "latency20")
        ratio = lat["ten"].median / lat["one"].median
        limit = BATCH_RATIO_LIMIT
        verdict = "met" if ratio < limit else "MISSED"
        detail = (f"1 message {lat['one'].median:.0f} ms, 10 messages {lat['ten'].median:.0f} ms; "
                  + (f"{limit - ratio:.2f}x under" if ratio < limit else f"by {ratio - limit:.2f}x"))
        self.results.rows.append(Row(
            "batch10_over_one_ratio", "batch of 10 / one message, +20 ms per request",
            f"< {limit:g}x", f"{ratio:.2f}x", fmt_spread(lat["ratio"], fmt="{:.2f}") + "x",
            verdict, detail))
        self.results.raw["batch10_over_one_ratio"] = ratio
        self.lat20 = lat

    def lambda_cost(self) -> None:
        say("wall time per invocation without added latency (for the Lambda cost)")
        direct = self.latency(0.0, "direct")
        lines = []
        for label, figures in (("local stack, no added latency", direct),
                               ("+20 ms per request", self.lat20)):
            for size, key in ((1, "one"), (10, "ten")):
                ms = figures[key].median
                billed_ms = math.ceil(ms)  # Lambda bills each invocation in whole ms
                gbs = billed_ms / 1000 * LAMBDA_MEMORY_GB * 1e6 / size
                lines.append((label, size, ms, gbs))
                self.results.raw[f"gb_seconds_per_million_{key}_{'direct' if figures is direct else 'lat20'}"] = gbs
        self.results.raw["lambda_cost"] = [
            {"scenario": s, "batch": b, "invocation_ms": ms, "gb_s_per_million_messages": g}
            for s, b, ms, g in lines]
        self.cost_lines = lines
        self.cpu_share_cost()

    def cpu_share_cost(self) -> None:
        """GB-s per million messages at 128 MB with Lambda's CPU share applied: an invocation's
        CPU, measured here on a whole core, takes 1769/128 times as long there, while its
        waiting for the services does not stretch. Per binary (the baseline from its own CPU
        figure), with the wait of this run's +20 ms batches of 10, which both designs share
        (the same requests)."""
        cpu = getattr(self, "cpu_per_message", {})
        if not cpu or "ten" not in self.lat20:
            return
        wall_ms = self.lat20["ten"].median
        rows = []
        for name, us in cpu.items():
            cpu_ms = us * 10 / 1000
            wait_ms = max(wall_ms - cpu_ms, 0.0)
            billed_ms = math.ceil(wait_ms + cpu_ms / LAMBDA_CPU_SHARE)
            gbs = billed_ms / 1000 * LAMBDA_MEMORY_GB * 1e6 / 10
            rows.append((name or "this build", cpu_ms, wait_ms, billed_ms, gbs))
            self.results.raw[f"{name + '_' if name else ''}gb_s_per_million_cpu_share"] = gbs
        self.cpu_share_lines = rows

    # -- profile --------------------------------------------------------------------

    def profile(self, messages: int) -> None:
        """callgrind on `invoke` with one event of `messages` normal file messages (the CLI
        takes any batch size), twice: the whole process, and only the messages' processing
        (BatchHandler::process_into, on whichever thread runs it), which is where the
        per-message cost is."""
        say(f"profile: callgrind on `invoke` with a batch of {messages} new files, whole "
            f"process and the messages only")
        reports: dict[str, str] = {}
        totals: dict[str, int] = {}
        for scope, extra in (("process", []),
                             ("messages",
                              ["--toggle-collect=ssc::core::BatchHandler::process_into*"])):
            # A fresh run each time: a file seen before takes the redelivery path.
            correlation_id, names = self.world.seed_run(10)
            event_path = self.work_dir / f"profile-event-{scope}.json"
            event_path.write_text(json.dumps(self.world.event(
                correlation_id, [names[i % len(names)] for i in range(messages)])))
            out = self.work_dir / f"callgrind-{scope}.out"
            command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *extra,
                       str(self.args.binary), "invoke", "--event", str(event_path)]
            with open(self.work_dir / f"profile-{scope}.log", "wb") as log:
                result = subprocess.run(command, env=self.world.binary_env(),
                                        stdout=subprocess.PIPE, stderr=log, timeout=1800,
                                        check=False)
            response = json.loads(result.stdout or b"{}")
            if result.returncode != 0 or response.get("batchItemFailures") != []:
                raise RuntimeError(f"the profiled run failed ({result.returncode}): {response}")
            if self.world.files_received(correlation_id) != messages:
                raise RuntimeError("the profiled run did not count every file")
            for kind, flag in (("self", "--inclusive=no"), ("inclusive", "--inclusive=yes")):
                text = subprocess.run(["callgrind_annotate", flag, "--threshold=100", str(out)],
                                      capture_output=True, text=True, check=True).stdout
                (self.work_dir / f"callgrind-{scope}-{kind}.txt").write_text(text)
                reports[f"{scope}, {kind}"] = text
                for line in text.splitlines():
                    if "PROGRAM TOTALS" in line:
                        totals[scope] = int(line.split()[0].replace(",", ""))
        self.results.raw["profile_instructions"] = totals
        self.results.notes.append(
            f"profile: {totals.get('process', 0):,} instructions for the whole `invoke` of "
            f"{messages} messages, {totals.get('messages', 0):,} of them in processing the "
            f"messages (~{totals.get('messages', 0) // max(messages, 1):,} per message); listings in "
            f"{self.work_dir}/callgrind-*.txt")
        self.profile_text = reports

    # -- package --------------------------------------------------------------------

    def package(self) -> Optional[Path]:
        """The zips' sizes; the x86_64 one is returned, to time its bootstrap here."""
        found = None
        for arch in ("x86_64", "aarch64"):
            path = Path(self.args.dist_dir) / f"{NAME}-{arch}.zip"
            key = "zip_bytes" if arch == "x86_64" else f"zip_bytes_{arch}"
            title = f"deployable zip ({path.name})"
            limit = f"<= {ZIP_LIMIT_BYTES / 1e6:g} MB"
            if not path.is_file():
                self.results.rows.append(Row(key, title, limit, "not built", "", "n/a",
                                             "scripts/package.sh makes it"))
                continue
            size = path.stat().st_size
            verdict, detail = verdict_upper(size / 1e6, ZIP_LIMIT_BYTES / 1e6, "MB", "{:.2f}")
            self.results.rows.append(Row(
                key, title, limit, f"{size / 1e6:.2f} MB ({size / 1048576:.2f} MiB)", "one file",
                verdict, detail))
            self.results.raw[key] = size
            if arch == "x86_64":
                found = path
        return found


def _merge(a: dict, b: dict) -> dict:
    return {"Records": a["Records"] + b["Records"]}


# --- output --------------------------------------------------------------------------


def print_table(results: Results, cost_lines: list, compare: Optional[dict],
                cpu_share_lines: list) -> None:
    rows = [("measure", "target", "measured (median)", "spread", "result", "margin")]
    rows += [(r.title, r.target, r.measured, r.spread, r.verdict, r.detail) for r in results.rows]
    widths = [max(len(str(row[i])) for row in rows) for i in range(6)]
    print()
    for n, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("Lambda cost implied (128 MB, each invocation billed in whole ms):")
    for label, size, ms, gbs in cost_lines:
        print(f"  batch of {size:>2}, {label:<30} {ms:7.1f} ms per invocation -> "
              f"{gbs:9.1f} GB-s per million messages")
    print()
    if cpu_share_lines:
        print(f"With Lambda's CPU share at 128 MB ({LAMBDA_CPU_SHARE:.3f} vCPU: CPU time x "
              f"{1 / LAMBDA_CPU_SHARE:.1f}), batches of 10, +20 ms per request:")
        for name, cpu_ms, wait_ms, billed_ms, gbs in cpu_share_lines:
            print(f"  {name:<12} CPU {cpu_ms:5.2f} ms + wait {wait_ms:5.1f} ms -> billed "
                  f"{billed_ms:4d} ms -> {gbs:7.1f} GB-s per million messages")
        print()
    for note in results.notes:
        print(f"note: {note}")
    if compare:
        print()
        print(f"before/after (before: {compare.get('label', '?')}, {compare.get('when', '?')}):")
        before = {r["key"]: r for r in compare.get("rows", [])}
        for r in results.rows:
            old = before.get(r.key)
            print(f"  {r.title:<55} {old['measured'] if old else '-':>28}  ->  {r.measured}")


def print_profile(reports: dict[str, str], top: int = 15) -> None:
    """The first `top` functions of each callgrind_annotate listing."""
    for kind, text in reports.items():
        lines = text.splitlines()
        try:
            first = next(i for i, line in enumerate(lines) if "file:function" in line) + 1
        except StopIteration:
            continue
        print()
        print(f"callgrind, top {top} functions by {kind} instructions:")
        shown = 0
        for line in lines[first:]:
            if not line.strip():
                continue
            print("  " + line[:160])
            shown += 1
            if shown >= top:
                break


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", type=Path, required=True)
    p.add_argument("--stack-dir", type=Path, required=True)
    p.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "ssc-bench")
    p.add_argument("--dist-dir", type=Path, default=REPO / "dist")
    p.add_argument("--json-out", type=Path)
    p.add_argument("--compare", type=Path, help="an earlier --json-out to show before/after")
    p.add_argument("--label", default="")
    p.add_argument("--baseline-binary", type=Path,
                   help="another build whose memory and CPU runs alternate with this one's")
    p.add_argument("--start-repeats", type=int, default=30)
    p.add_argument("--cpu-repeats", type=int, default=7)
    p.add_argument("--cpu-batches", type=int, default=30, help="invocations of 10 per CPU run")
    p.add_argument("--full-collection-files", type=int, default=1000)
    p.add_argument("--latency-rounds", type=int, default=15)
    p.add_argument("--profile-messages", type=int, default=200,
                   help="messages in the callgrind run; 0 skips the profile")
    p.add_argument("--quick", action="store_true", help="few repeats: a smoke test")
    args = p.parse_args()
    if args.quick:
        args.start_repeats, args.cpu_repeats, args.cpu_batches, args.latency_rounds = 5, 2, 5, 3
        args.full_collection_files = 100
    if not os.access(args.binary, os.X_OK):
        print(f"bench: {args.binary} is missing or not executable", file=sys.stderr)
        return 2

    bench = Benchmark(args)
    load_before = os.getloadavg()
    say(f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} (1 min): other work on this "
        f"machine shows up in the wall-time figures and their spread")
    try:
        zip_path = bench.package()
        bench.start_time()
        if zip_path:
            bench.packaged_start_time(zip_path)
        bench.memory_and_cpu()
        bench.first_batch_cpu()
        bench.cpu_on_full_collections()
        bench.requests()
        bench.batch_latency()
        bench.lambda_cost()
        if args.profile_messages > 0:
            bench.profile(args.profile_messages)
    finally:
        bench.close()
    results = bench.results
    compare = json.loads(args.compare.read_text()) if args.compare else None
    results.notes.append(f"load average (1 min) {load_before[0]:.2f} at the start, "
                         f"{os.getloadavg()[0]:.2f} at the end, on {os.cpu_count()} CPUs")
    print_table(results, bench.cost_lines, compare, bench.cpu_share_lines)
    if args.profile_messages > 0:
        print_profile(bench.profile_text)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps({
            "label": args.label, "when": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "load_average_start": load_before, "load_average_end": os.getloadavg()},
            "binary": str(args.binary),
            "rows": [r.__dict__ for r in results.rows],
            "raw": results.raw, "notes": results.notes,
        }, indent=2))
        say(f"figures written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
