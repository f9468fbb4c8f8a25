"""What every benchmark script stands on: a world of its own in the stack (tables, queue,
topic, seeded runs, SQS events), the binary spawned in Lambda mode against the fake Runtime
API (bench/fake_runtime_api.py), and requests counted at bench/counting_proxy.py.

    with Bench(binary, stack_dir, work_dir) as bench:
        correlation_id, names = bench.world.seed_run(10)
        with bench.proxy() as proxy:
            run = bench.binary.run(bench.proxied_env(proxy),
                                   lambda: invoke_ok(bench.api, bench.world.event(correlation_id, names)))
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests" / "integration"))

import seeding  # noqa: E402  (tests/integration/seeding.py)
import stack as stack_lib  # noqa: E402  (tests/integration/stack.py)
from counting_proxy import CountingProxy  # noqa: E402
from fake_runtime_api import FakeRuntimeApi  # noqa: E402

SOURCE_ARN = "arn:aws:sqs:eu-west-2:123456789012:snapshot-sender-status-checker"
EXPORT_DATE = "2026-11-28"
SNAPSHOT_TYPE = "incremental"
# A collection that never completes: every normal file message is counted and nothing else.
NEVER_EXPORTED = 10**9
NAME = "snapshot-sender-status-checker"


def say(text: str) -> None:
    print(f"bench: {text}", flush=True)


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
        rows = [seeding.status_row(correlation_id, name, "Exported", exported=NEVER_EXPORTED,
                                   received=counted_files or None) for name in names]
        # Receipts as the count writes them: a 24-character key, the owner (19 characters).
        receipts = [seeding.receipt(uuid.uuid4().hex[:24], uuid.uuid4().hex[:19])
                    for _ in range(counted_files * len(names))]
        seeding.put_items(self.ddb, self.export_table, rows)
        seeding.put_items(self.ddb, self.receipts_table, receipts)
        return correlation_id, names

    def files_received(self, correlation_id: str) -> int:
        rows = seeding.run_rows(self.ddb, self.export_table, correlation_id).values()
        return sum(seeding.number(row, seeding.StatusRow.FILES_RECEIVED) for row in rows)

    def event(self, correlation_id: str, collections: list[str]) -> dict:
        """One SQS event: one new file for each collection named (names may repeat)."""
        records = []
        for name in collections:
            self._file += 1
            body = {"correlation_id": correlation_id, "collection_name": name,
                    "snapshot_type": SNAPSHOT_TYPE, "export_date": EXPORT_DATE,
                    "file_name": f"{name}/part-{self._file:07d}.json.gz.enc"}
            records.append(sqs_record(body, str(uuid.uuid4())))
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


def sqs_record(body: dict, message_id: str, attributes: Optional[dict] = None) -> dict:
    """One SQS record of a Lambda event, as the event source mapping hands it over."""
    return {"messageId": message_id, "receiptHandle": "h", "body": json.dumps(body),
            "attributes": attributes or {}, "messageAttributes": {}, "eventSource": "aws:sqs",
            "eventSourceARN": SOURCE_ARN, "awsRegion": "eu-west-2"}


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


class Bench:
    """The stack, a world in it, the fake Runtime API and the binary (and, optionally, a
    baseline build measured alternately with it). Closing kills what it started."""

    def __init__(self, binary: Path, stack_dir: Path, work_dir: Path,
                 baseline_binary: Optional[Path] = None) -> None:
        self.stack = stack_lib.Stack.from_dir(stack_dir)
        if not self.stack.is_up():
            raise SystemExit(f"the stack in {stack_dir} does not answer")
        self.world = World(self.stack)
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.binary_path = Path(binary)
        self.api = FakeRuntimeApi().start()
        self.binary = Binary([str(binary)], self.api, self.work_dir / "binary.log")
        self.baseline = (Binary([str(baseline_binary)], self.api, self.work_dir / "baseline.log")
                         if baseline_binary else None)

    def binaries(self) -> dict[str, Binary]:
        """This build under "", and the baseline under "baseline" when there is one."""
        return {"": self.binary, **({"baseline": self.baseline} if self.baseline else {})}

    def close(self) -> None:
        self.binary.kill()
        if self.baseline:
            self.baseline.kill()
        self.api.stop()

    def __enter__(self) -> "Bench":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def proxy(self, latency: float = 0.0) -> CountingProxy:
        return CountingProxy({"dynamodb": self.stack.moto_dynamodb_url, "sqs": self.stack.moto_url,
                              "sns": self.stack.moto_url,
                              "pushgateway": self.stack.pushgateway_url}, latency=latency)

    def proxied_env(self, proxy: CountingProxy) -> dict[str, str]:
        return self.world.binary_env(
            {s: proxy.url(s) for s in ("dynamodb", "sqs", "sns")}, proxy.port("pushgateway"))
