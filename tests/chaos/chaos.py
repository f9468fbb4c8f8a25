#!/usr/bin/env python3
"""Chaos test of snapshot-sender-status-checker: a whole snapshot sender run delivered at
least once, concurrently, through a fault-injecting proxy, with workers killed mid-batch;
then checks that the outcome is the one of every file delivered exactly once, one at a time
(SPEC section 5).

    python3 tests/chaos/chaos.py --collections 30 --max-files 60 --duplicate-rate 0.2 \
        --workers 4 --batch-size 10 --fault-rate 0.05 --kills 4 --seed 1

Needs a running stack (scripts/stack.sh start; STACK_DIR picks which) and the built binary
(BUILD_DIR, default ./build). scripts/chaos.sh does all of that in one command. Prints its
figures, writes <run dir>/report.json, exits 1 on any anomaly. docs/chaos.md explains what
is checked and why.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests" / "integration"))

import seeding  # noqa: E402  (tests/integration/seeding.py)
from seeding import ProductItem, StatusRow  # noqa: E402
import stack as stack_lib  # noqa: E402  (tests/integration/stack.py)
from conflicting_dynamodb import ItemHolds  # noqa: E402
from fault_proxy import FAULT_KINDS, FaultPlan, FaultProxy, Route  # noqa: E402
from generator import (  # noqa: E402
    Delivery, RunPlan, file_deliveries, group_id, plan_run, python_title, status_rows,
    sqs_event, success_deliveries)
from pool import Pool  # noqa: E402

BINARY_NAME = "snapshot-sender-status-checker"
RECEIVED_TEXT = "All collections received by NiFi"
SUCCESSFUL_TEXT = "All collections successful"
METRIC_PREFIX = "snapshot_sender_status_checker_"
TRANSITION_VALUES = {"Received", "Success", "RECEIVED", "COMPLETED"}
OBSERVER_VISIBILITY = 43200  # SQS's longest: hidden for the rest of the run


@dataclass
class Anomaly:
    check: str
    detail: str


@dataclass
class LogFacts:
    """What one invocation's log says. The counts of work done come from the binary's own
    wording ("File counted", ...); they only attribute lost metrics, no check rests on them."""

    retries: int = 0
    transport_retries: int = 0  # retries after no answer at all
    error_lines: int = 0
    push_error: str = ""  # why the metrics push failed, if it did
    files_counted: int = 0
    collections_received: int = 0
    collections_successful: int = 0


@dataclass
class InvocationRecord:
    number: int
    messages: int
    exit_code: Optional[int]
    seconds: float
    failed_items: int
    killed: str = ""  # "", "trap" or "timer"
    log: LogFacts = field(default_factory=LogFacts)
    pid: int = 0


@dataclass
class Live:
    proc: subprocess.Popen
    number: int
    kill_kind: str = ""


class Invocations:
    """The binary's processes that run now, so a trap in the proxy can find and kill one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, Live] = {}

    def add(self, live: Live) -> None:
        with self._lock:
            self._live[live.proc.pid] = live

    def remove(self, pid: int) -> None:
        with self._lock:
            self._live.pop(pid, None)

    def kill(self, pid: int, kind: str) -> bool:
        """SIGKILLs a process still registered (not yet reaped, so its pid is still ours)."""
        with self._lock:
            live = self._live.get(pid)
            if live is None or live.kill_kind or live.proc.poll() is not None:
                return False
            live.kill_kind = kind
            os.kill(pid, signal.SIGKILL)
            return True

    def pids(self) -> list[int]:
        with self._lock:
            return list(self._live)


def pid_owning_local_port(port: int, candidates: list[int]) -> Optional[int]:
    """Which of `candidates` owns the TCP socket whose local port is `port` (loopback)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    # A closed socket that used the port before lingers with inode 0.
                    if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[9] != "0":
                        inode = cols[9]
                        break
        except OSError:
            continue
        if inode:
            break
    if not inode:
        return None
    target = f"socket:[{inode}]"
    for pid in candidates:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        return pid
                except OSError:
                    continue
        except OSError:
            continue
    return None


class KillPlan:
    """Spreads --kills over the run: half are trapped (the proxy kills the process right
    after a status transition it asked for was applied, before it hears back: the window
    between a transition and its side effects), half fire on a timer mid-batch."""

    def __init__(self, rng: random.Random, kills: int, collections: int,
                 expected_invocations: int) -> None:
        self._rng = rng
        self._lock = threading.Lock()
        self.trap_left = (kills + 1) // 2
        self.timer_left = kills // 2
        # About 2 transitions per collection plus two run-level ones.
        self._trap_p = min(1.0, 3.0 * self.trap_left / max(1, 2 * collections + 2))
        self._timer_every = max(1, expected_invocations // max(1, self.timer_left + 1))
        self._next_timer = self._timer_every
        self._armed = 0  # timers set on running invocations, not yet fired or missed
        self.trap_done = 0
        self.timer_done = 0

    def want_trap(self) -> bool:
        with self._lock:
            return self.trap_left > 0 and self._rng.random() < self._trap_p

    def trap_fired(self) -> None:
        with self._lock:
            self.trap_left -= 1
            self.trap_done += 1

    def timer_for(self, invocation: int) -> Optional[float]:
        """Seconds after its start to kill this invocation, or None. Report back with
        timer_result()."""
        with self._lock:
            if self.timer_left - self._armed <= 0 or invocation < self._next_timer:
                return None
            self._armed += 1
            self._next_timer = invocation + 1  # try again at once if this one misses
            return self._rng.uniform(0.02, 0.4)

    def timer_result(self, invocation: int, fired: bool) -> None:
        with self._lock:
            self._armed -= 1
            if fired:
                self.timer_left -= 1
                self.timer_done += 1
                self._next_timer = invocation + self._timer_every


def is_transition(info, request_body: dict) -> bool:
    if info.service != "dynamodb" or info.operation != "UpdateItem":
        return False
    expr = request_body.get("UpdateExpression", "")
    if "Status" not in expr and "#s" not in expr:
        return False
    values = request_body.get("ExpressionAttributeValues", {})
    return any(isinstance(v, dict) and v.get("S") in TRANSITION_VALUES for v in values.values())


@dataclass
class Figures:
    messages: int = 0
    duplicates: int = 0
    deliveries: int = 0
    redeliveries: int = 0
    invocations: int = 0
    invocations_failed_whole: int = 0
    item_failures: int = 0
    retries_logged: int = 0
    transport_retries_logged: int = 0
    error_log_lines: int = 0
    pushes_failed: int = 0
    kills_trap: int = 0
    kills_timer: int = 0
    kills_after_answer: int = 0  # timer kills that came after the batch response: not counted


class ChaosRun:
    def __init__(self, args: argparse.Namespace, running: stack_lib.Stack) -> None:
        self.args = args
        self.stack = running
        self.rng = random.Random(args.seed)
        self.anomalies: list[Anomaly] = []
        self.notes: list[str] = []
        self.figures = Figures()
        self.records: list[InvocationRecord] = []
        self.records_lock = threading.Lock()
        self.invocations = Invocations()
        self.counter_lock = threading.Lock()
        self.invocation_counter = 0
        self.stop = threading.Event()
        self.secret = f"chaosSecret{uuid.uuid4().hex}"
        self.run_dir: Path = args.run_dir
        (self.run_dir / "invocations").mkdir(parents=True, exist_ok=True)
        # A fresh correlation id per run, as in production: the stack (and what the push
        # gateway holds) may outlive earlier runs with the same seed.
        self.plan: RunPlan = plan_run(self.rng, args.collections, args.max_files,
                                      f"chaos-s{args.seed}-{uuid.uuid4().hex[:12]}")
        self.observed: dict[str, str] = {}  # collection -> first export-state message id
        self.observed_lock = threading.Lock()
        self.observer_receipts: list[str] = []
        self.final_hold: list[Delivery] = []
        self.final_collection: Optional[str] = None
        self.success_rng = random.Random(args.seed + 1)
        self.metrics_before_final: dict[str, float] = {}
        self.metrics_per_collection: dict[str, float] = {}

    def anomaly(self, check: str, detail: str) -> None:
        self.anomalies.append(Anomaly(check, detail))

    # -- set-up ----------------------------------------------------------------------

    def set_up(self) -> None:
        s = self.stack
        suffix = uuid.uuid4().hex[:8]
        self.status_table = stack_lib.create_export_status_table(
            s.moto_dynamodb, f"chaos-export-status-{suffix}")
        self.product_table = stack_lib.create_product_table(
            s.moto_dynamodb, f"chaos-product-{suffix}")
        self.receipts_table = stack_lib.create_file_receipts_table(
            s.moto_dynamodb, f"chaos-receipts-{suffix}")
        seeding.put_items(s.moto_dynamodb, self.status_table, status_rows(self.plan))
        self.export_queue = s.create_fifo_queue(f"chaos-export-state-{suffix}")
        self.topic = s.create_topic_with_queue(f"chaos-monitoring-{suffix}")
        self.deliveries = file_deliveries(self.plan, self.rng, self.args.duplicate_rate)
        self.figures.messages = len(self.deliveries)
        self.figures.duplicates = sum(d.duplicate for d in self.deliveries)

    def binary_env(self, proxy: FaultProxy) -> dict[str, str]:
        return self.stack.binary_env(
            AWS_ACCESS_KEY_ID="AKIACHAOSTEST",
            AWS_SECRET_ACCESS_KEY=self.secret,
            AWS_ENDPOINT_URL_DYNAMODB=proxy.url("dynamodb"),
            AWS_ENDPOINT_URL_SQS=proxy.url("sqs"),
            AWS_ENDPOINT_URL_SNS=proxy.url("sns"),
            MONITORING_SNS_TOPIC_ARN=self.topic.topic_arn,
            EXPORT_STATE_SQS_QUEUE_URL=self.export_queue,
            DYNAMO_DB_EXPORT_STATUS_TABLE_NAME=self.status_table,
            DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME=self.product_table,
            DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME=self.receipts_table,
            METRICS_SCRAPE_INTERVAL_SECONDS=str(self.args.scrape_interval),
            LOG_LEVEL="DEBUG",
            ENVIRONMENT="chaos",
            APPLICATION="snapshot-sender-status-checker",
        )

    # -- the proxy's kill trap -------------------------------------------------------------

    def proxy_hook(self, info, request, response) -> bool:
        if self.kill_plan.trap_left <= 0 or not response.start_line.split(" ")[1].startswith("2"):
            return False
        if not is_transition(info, info.json_body()) or not self.kill_plan.want_trap():
            return False
        pid = pid_owning_local_port(info.peer_port, self.invocations.pids())
        if pid is None or not self.invocations.kill(pid, "trap"):
            return False
        self.kill_plan.trap_fired()
        return True  # the answer is dropped: the process is gone anyway

    def client_of(self, port: int) -> Optional[str]:
        pid = pid_owning_local_port(port, self.invocations.pids())
        return str(pid) if pid else None

    # -- workers ---------------------------------------------------------------------------

    def next_invocation_number(self) -> int:
        with self.counter_lock:
            self.invocation_counter += 1
            return self.invocation_counter

    def worker(self, env: dict[str, str]) -> None:
        while not self.stop.is_set():
            batch = self.pool.take(self.args.batch_size, wait=0.2)
            if batch:
                self.invoke(batch, env)

    def invoke(self, batch: list[Delivery], env: dict[str, str]) -> None:
        args = self.args
        n = self.next_invocation_number()
        received_at = time.time()
        base = self.run_dir / "invocations" / f"{n:05d}"
        now_ms = int(received_at * 1000)
        event_path = base.with_suffix(".event.json")
        event_path.write_text(json.dumps(sqs_event(batch, now_ms - 1000, now_ms)))
        program = [sys.executable, str(args.binary)] if args.binary.suffix == ".py" else [
            str(args.binary)]
        cmd = [*program, "invoke", "--event", str(event_path),
               "--timeout-seconds", str(args.timeout_seconds)]
        with open(base.with_suffix(".out"), "wb") as out, open(base.with_suffix(".err"), "wb") as err:
            proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            live = Live(proc, n)
            self.invocations.add(live)
            timer = None
            delay = self.kill_plan.timer_for(n)
            if delay is not None:
                timer = threading.Timer(delay, self.invocations.kill, (proc.pid, "timer"))
                timer.start()
            hard_limit = args.timeout_seconds + args.scrape_interval + 30
            try:
                rc = proc.wait(timeout=hard_limit)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
                self.anomaly("invocation deadline",
                             f"invocation {n} still ran {hard_limit}s after it started "
                             f"(--timeout-seconds {args.timeout_seconds}); killed")
            if timer:
                timer.cancel()
                timer.join()
            self.invocations.remove(proc.pid)
        seconds = time.time() - received_at
        killed = live.kill_kind
        stdout = base.with_suffix(".out").read_text(errors="replace")
        if killed and self.answered(stdout):
            # The kill came after the batch response was written: under Lambda that answer
            # was posted and the batch is settled by it. Not a mid-batch kill: another is
            # armed instead.
            with self.records_lock:
                self.figures.kills_after_answer += 1
            killed = ""
            rc = 0
        if timer:
            self.kill_plan.timer_result(n, killed == "timer")
        facts = self.scan_log(base.with_suffix(".err"), n, truncated_ok=bool(killed))

        visible_again = received_at + args.visibility_timeout
        failed_ids: set[str] = set()
        if killed:
            failed = list(batch)
        elif rc == 0:
            failed_ids = self.parse_failures(stdout, batch, n)
            failed = [d for d in batch if d.message_id in failed_ids]
        else:
            failed = list(batch)
            if rc == 1:
                with self.records_lock:
                    self.figures.invocations_failed_whole += 1
            else:
                self.anomaly("binary exit", f"invocation {n} ended with exit code {rc} "
                                            f"(see {base}.err)")
        if rc == 0 and not killed and seconds > args.timeout_seconds + args.scrape_interval + 3:
            self.anomaly("invocation deadline",
                         f"invocation {n} took {seconds:.1f}s with --timeout-seconds "
                         f"{args.timeout_seconds} and a scrape interval of {args.scrape_interval}s")
        failed_set = {d.message_id for d in failed}
        succeeded = [d for d in batch if d.message_id not in failed_set]
        outcome = "killed-" + killed if killed else ("failed" if rc else "ok")
        for d in batch:
            d.history.append(f"inv {n}: {outcome if d.message_id in failed_set else 'ok'}")
        dead = self.pool.settle(succeeded, failed, visible_again)
        for d in dead:
            self.anomaly("dead letter", f"message {d.message_id} ({d.collection} {d.file_name}) "
                                        f"failed {d.receives} receives: {d.history}")
        with self.records_lock:
            self.records.append(InvocationRecord(n, len(batch), rc, seconds, len(failed_ids),
                                                 killed, facts, proc.pid))

    @staticmethod
    def answered(stdout: str) -> bool:
        """Whether stdout ends with a whole batch response (the binary writes it at once)."""
        lines = [line for line in stdout.splitlines() if line.strip()]
        try:
            return lines != [] and "batchItemFailures" in json.loads(lines[-1])
        except (ValueError, TypeError):
            return False

    def parse_failures(self, stdout: str, batch: list[Delivery], n: int) -> set[str]:
        lines = [line for line in stdout.splitlines() if line.strip()]
        try:
            answer = json.loads(lines[-1]) if lines else None
            items = answer["batchItemFailures"]
            ids = {item["itemIdentifier"] for item in items}
        except (ValueError, KeyError, TypeError, IndexError):
            self.anomaly("batch response", f"invocation {n} exited 0 without a batch response: "
                                           f"{stdout[:300]!r}")
            return {d.message_id for d in batch}
        unknown = ids - {d.message_id for d in batch}
        if unknown:
            self.anomaly("batch response", f"invocation {n} reported ids not in its batch: "
                                           f"{sorted(unknown)[:5]}")
        return ids

    def scan_log(self, path: Path, n: int, truncated_ok: bool) -> LogFacts:
        """Reads an invocation's log: every line must be JSON, with no secret in it."""
        facts = LogFacts()
        raw = path.read_bytes()
        if self.secret.encode() in raw:
            self.anomaly("credentials in logs", f"invocation {n}'s log holds the secret key")
        lines = raw.decode("utf-8", "replace").splitlines()
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                if truncated_ok and i == len(lines) - 1:
                    continue
                self.anomaly("log format", f"invocation {n}: not JSON: {line[:200]!r}")
                continue
            message = str(entry.get("message", ""))
            lowered = message.lower()
            level = str(entry.get("log_level", "")).upper()
            if "retrying" in lowered:
                facts.retries += 1
                facts.transport_retries += entry.get("error_code") == "TransportError"
            if level == "ERROR":
                facts.error_lines += 1
            if level in ("WARNING", "ERROR") and "push" in lowered:
                facts.push_error = str(entry.get("error", message))[:200]
            if message == "File counted":
                # One line per group of a batch's files of one collection.
                facts.files_counted += int(entry.get("files_counted", "1"))
            facts.collections_received += lowered.startswith("collection received")
            facts.collections_successful += lowered.startswith("collection successful")
        return facts

    # -- the snapshot sender's side: export-state messages trigger _success files -------

    def observe(self) -> None:
        """Reads the export-state queue without deleting: each message is received once and
        then hidden (a long visibility timeout), so the next poll reaches newer ones; the
        final check makes them visible again and counts them all. Deleting them would let
        moto accept a repeated send that real SQS deduplicates (moto compares a new
        message's deduplication id only with messages still in the queue)."""
        sqs = self.stack.sqs
        while not self.stop.is_set():
            try:
                messages = sqs.receive_message(
                    QueueUrl=self.export_queue, MaxNumberOfMessages=10,
                    VisibilityTimeout=OBSERVER_VISIBILITY, AttributeNames=["All"]
                ).get("Messages", [])
            except Exception as e:  # noqa: BLE001 - a poll that fails is retried
                self.notes.append(f"export-state poll failed once: {e!r}")
                messages = []
            for m in messages:
                self.observer_receipts.append(m["ReceiptHandle"])
                try:
                    name = json.loads(m["Body"]).get("topic_name", "")
                except ValueError:
                    name = ""
                self.on_export_state(name, m["MessageId"])
            time.sleep(0.25)

    def on_export_state(self, name: str, message_id: str) -> None:
        with self.observed_lock:
            if name in self.observed or name not in {c.name for c in self.plan.collections}:
                return
            self.observed[name] = message_id
            c = self.plan.collection(name)
            if len(self.observed) == len(self.plan.collections):
                # The run's last _success file waits until everything else is done, so the
                # push gateway can be read with the run complete but its metrics not yet
                # deleted. It is sent once, so nothing of the run runs after it.
                self.final_collection = name
                self.final_hold = success_deliveries(self.plan, c, self.success_rng, 0.0)
            else:
                extra = success_deliveries(self.plan, c, self.success_rng,
                                           self.args.duplicate_rate)
                self.figures.messages += len(extra)
                self.figures.duplicates += sum(d.duplicate for d in extra)
                self.pool.add(extra)

    # -- control ----------------------------------------------------------------------------

    def wait_quiet(self, until_all_observed: bool, deadline: float) -> bool:
        """Until the pool is idle (and, first, every collection asked for its _success
        file). False when it stalls or the time runs out."""
        last_change, idle_since = (self.pool.changes, len(self.observed)), None
        while time.monotonic() < deadline:
            time.sleep(0.2)
            idle = self.pool.idle()
            if idle and (not until_all_observed or self.final_hold):
                return True
            marker = (self.pool.changes, len(self.observed))
            if marker != last_change or not idle:
                last_change, idle_since = marker, None
                continue
            idle_since = idle_since or time.monotonic()
            # Idle and nothing new: nothing can happen any more but a late export-state
            # message (the observer polls every 0.25 s, a late SQS send lands within the
            # binary's deadline).
            if time.monotonic() - idle_since > self.args.timeout_seconds + 3:
                return False
        return False

    def run(self) -> int:
        args = self.args
        started = time.monotonic()
        self.set_up()
        self.pool = Pool(random.Random(args.seed + 2), args.max_receives)
        expected_invocations = max(1, int(len(self.deliveries) * 1.2 / args.batch_size))
        self.kill_plan = KillPlan(random.Random(args.seed + 3), args.kills,
                                  len(self.plan.collections), expected_invocations)
        routes = [Route("dynamodb", *host_port(self.stack.moto_dynamodb_url)),
                  Route("sqs", *host_port(self.stack.moto_url)),
                  Route("sns", *host_port(self.stack.moto_url))]
        fault_plan = FaultPlan(rate=args.fault_rate, kinds=tuple(args.fault_kinds),
                               delay_seconds=args.delay_seconds, seed=args.seed + 4,
                               service_rates={"sqs": args.messaging_fault_rate,
                                              "sns": args.messaging_fault_rate})
        holds = ItemHolds(args.hold_ms / 1000) if args.conflicting_dynamodb else None
        # Real DynamoDB both conflicts and honours client tokens: the one comes with the other.
        proxy = self.proxy = FaultProxy(routes, fault_plan, hook=self.proxy_hook,
                                        identify=self.client_of,
                                        honour_client_tokens=args.conflicting_dynamodb,
                                        item_holds=holds).start()
        env = self.binary_env(proxy)
        self.pool.add(self.deliveries)
        threads = [threading.Thread(target=self.worker, args=(env,), name=f"worker-{i}",
                                    daemon=True) for i in range(args.workers)]
        threads.append(threading.Thread(target=self.observe, name="observer", daemon=True))
        for t in threads:
            t.start()
        deadline = started + args.max_seconds
        finished = False
        try:
            if self.wait_quiet(True, deadline):
                self.metrics_before_final, self.metrics_per_collection = self.read_metrics()
                self.pool.add(self.final_hold)
                self.figures.messages += len(self.final_hold)
                finished = self.wait_quiet(False, deadline)
            if not finished:
                waiting, in_flight = self.pool.counts()
                self.anomaly("progress", f"the run stopped making progress or ran out of time "
                             f"(--max-seconds {args.max_seconds}): {len(self.observed)} of "
                             f"{len(self.plan.collections)} collections produced an export-state "
                             f"message, {waiting} messages waiting, {in_flight} in flight")
        finally:
            self.stop.set()
            for t in threads:
                t.join(args.timeout_seconds + args.scrape_interval + 40)
            for pid in self.invocations.pids():  # only after an interruption
                self.invocations.kill(pid, "cleanup")
            proxy.stop()
        # The binary deletes the run's metrics after the scrape interval; give it time.
        time.sleep(min(2.0, args.scrape_interval))
        self.check_outcome(finished)
        self.wall_seconds = time.monotonic() - started
        self.collect_figures(proxy)
        self.report(proxy)
        return 1 if self.anomalies else 0

    # -- checks -----------------------------------------------------------------------------

    def read_metrics(self) -> tuple[dict[str, float], dict[str, float]]:
        """Sums of every series of this run over every group the gateway holds. Also keeps
        the sums of each group (by its instance label) in self.metrics_by_instance."""
        totals: Counter[str] = Counter()
        per_collection: Counter[str] = Counter()
        self.metrics_by_instance: dict[str, Counter[str]] = {}
        for group in self.stack.pushgateway_groups():
            labels = group.get("labels", {})
            if labels.get("correlation_id") != self.plan.correlation_id:
                continue
            own = self.metrics_by_instance.setdefault(labels.get("instance", ""), Counter())
            for name, family in group.items():
                if not isinstance(family, dict) or "metrics" not in family:
                    continue
                if not name.startswith(self.args.metric_prefix):
                    continue
                short = name.removeprefix(self.args.metric_prefix).removesuffix("_total")
                for m in family["metrics"]:
                    if m.get("labels", {}).get("correlation_id") != self.plan.correlation_id:
                        continue
                    if "value" in m:
                        totals[short] += float(m["value"])
                        own[short] += float(m["value"])
                        if short == "files_received":
                            collection = m["labels"].get("collection_name", "")
                            per_collection[collection] += float(m["value"])
                            own["files_received:" + collection] += float(m["value"])
                    elif "count" in m:
                        totals[short + "_count"] += float(m["count"])
        return dict(totals), dict(per_collection)

    def pushed_by_killed(self) -> Counter[str]:
        """What processes killed after their push had pushed. Their batch comes back without
        an answer, as under Lambda, and is reported again by its next deliveries: the one
        window left (docs/design.md, "Metrics that add up"). Groups are found by the
        instance label, "<host>-<pid>-<random>"."""
        pids = {r.pid for r in self.records if r.killed and r.pid}
        pushed: Counter[str] = Counter()
        for instance, sums in getattr(self, "metrics_by_instance", {}).items():
            parts = instance.rsplit("-", 2)
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) in pids:
                pushed.update(sums)
        return pushed

    def ambiguous(self, service: str, operation: str, text: str = "") -> int:
        return sum(1 for r in self.proxy_records
                   if r.service == service and r.operation == operation and text in r.summary)

    def check_outcome(self, finished: bool) -> None:
        s, plan = self.stack, self.plan
        kills = self.kill_plan.trap_done + self.kill_plan.timer_done
        self.proxy_records = self.proxy.stats.ambiguous_records()

        # The export status table.
        rows = seeding.run_rows(s.moto_dynamodb, self.status_table, plan.correlation_id)
        if set(rows) != {c.name for c in plan.collections}:
            self.anomaly("export status rows", f"rows {sorted(set(rows) ^ {c.name for c in plan.collections})} "
                                               f"added or missing")
        marked = []
        for c in plan.collections:
            row = rows.get(c.name)
            if row is None:
                continue
            received = seeding.number(row, StatusRow.FILES_RECEIVED)
            status = seeding.text(row, StatusRow.COLLECTION_STATUS)
            if received != c.files:
                self.anomaly("FilesReceived", f"{c.name}: FilesReceived {received}, "
                                              f"distinct files sent {c.files}")
            if status != "Success":
                self.anomaly("collection status", f"{c.name}: CollectionStatus {status!r}, "
                                                  f"expected 'Success'")
            if (seeding.number(row, StatusRow.FILES_EXPORTED) != c.files
                    or seeding.number(row, StatusRow.FILES_SENT) != c.files_sent):
                self.anomaly("export status rows", f"{c.name}: FilesExported/FilesSent changed")
            if StatusRow.PENDING_EFFECTS_UNTIL in row:
                marked.append(c.name)
        if marked:
            self.notes.append(f"{len(marked)} rows still carry PendingEffectsUntil: {marked[:5]}")

        # The product status table.
        product = s.moto_dynamodb.get_item(
            TableName=self.product_table, ConsistentRead=True,
            Key=seeding.product_key(plan.correlation_id)).get("Item")
        product_status = seeding.text(product, ProductItem.STATUS)
        if product_status != "COMPLETED":
            self.anomaly("product status", f"Status {product_status!r}, expected 'COMPLETED'")

        # Export-state messages: exactly one per collection. Nothing was deleted during the
        # run (the observer only peeks), so moto's deduplication, which only compares with
        # messages still in the queue, covered the whole run.
        for receipt in self.observer_receipts:
            s.sqs.change_message_visibility(QueueUrl=self.export_queue, ReceiptHandle=receipt,
                                            VisibilityTimeout=0)
        messages = s.drain_queue(self.export_queue, expect=len(plan.collections), timeout=5)
        per_collection: Counter[str] = Counter()
        for m in messages:
            body = json.loads(m["Body"])
            name = body.get("topic_name", "")
            per_collection[name] += 1
            expected = {"shutdown_flag": plan.shutdown_flag, "correlation_id": plan.correlation_id,
                        "topic_name": name, "snapshot_type": plan.snapshot_type,
                        "reprocess_files": plan.reprocess_files, "export_date": plan.export_date,
                        "send_success_indicator": "true"}
            if body != expected:
                self.anomaly("export-state message", f"body {body} differs from {expected}")
            if m["Attributes"].get("MessageGroupId") != group_id(name):
                self.anomaly("export-state message", f"{name}: MessageGroupId "
                             f"{m['Attributes'].get('MessageGroupId')!r}")
        for c in plan.collections:
            if per_collection[c.name] != 1:
                self.anomaly("export-state messages", f"{c.name}: {per_collection[c.name]} "
                                                      f"messages, expected exactly 1")
        for name in set(per_collection) - {c.name for c in plan.collections}:
            self.anomaly("export-state messages", f"message for unknown collection {name!r}")

        # Monitoring notifications.
        title = python_title(plan.snapshot_type)
        notes = s.drain_queue(self.topic.queue_url, expect=2, timeout=5)
        seen: Counter[str] = Counter()
        for m in notes:
            try:
                body = json.loads(m["Body"])
            except ValueError:
                self.anomaly("notification", f"not JSON: {m['Body'][:200]!r}")
                continue
            text = str(body.get("title_text", ""))
            seen[text] += 1
            expected_elements = [{"key": "Export date", "value": plan.export_date},
                                 {"key": "Correlation Id", "value": plan.correlation_id}]
            if (body.get("severity"), body.get("notification_type"), body.get("slack_username"),
                    body.get("custom_elements")) != ("Critical", "Information", "Snapshot Sender",
                                                     expected_elements):
                self.anomaly("notification", f"unexpected body {body}")
        for text in (RECEIVED_TEXT, SUCCESSFUL_TEXT):
            full = f"{title} - {text}"
            count = seen.pop(full, 0)
            explained = self.ambiguous("sns", "Publish", text)
            allowed = 1 + explained + kills
            if count == 0:
                self.anomaly("notification", f"{full!r} never published")
            elif count > allowed:
                self.anomaly("notification", f"{full!r} published {count} times; at most "
                             f"{allowed} explained ({explained} publishes applied without an "
                             f"answer, {kills} kills)")
            elif count > 1:
                self.notes.append(f"{full!r} published {count} times, explained by {explained} "
                                  f"unanswered publishes and {kills} kills")
        for text, count in seen.items():
            self.anomaly("notification", f"unexpected notification {text!r} x{count}")

        # Metrics, read just before the final _success file.
        self.check_pushes()
        if self.metrics_before_final or finished:
            self.check_metrics(kills)
        groups = [g for g in s.pushgateway_groups()
                  if g.get("labels", {}).get("correlation_id") == plan.correlation_id]
        if finished and groups:
            self.anomaly("metrics deletion", f"{len(groups)} groups of the finished run are still "
                         f"on the push gateway: {[g['labels'] for g in groups][:3]}")

    def check_metrics(self, kills: int) -> None:
        """SPEC 7 and issue 4: the sums over the run's groups are the true totals, kills and
        unanswered writes included. A delivery that dies or fails reports nothing; the next
        delivery of the same message reports what it did (docs/design.md). The one excuse:
        a process killed after its push and before its answer, whose pushed counts are
        reported again by the redelivered batch; they are found by the group and reported."""
        plan, m = self.plan, self.metrics_before_final
        twice = self.pushed_by_killed()
        expected = {
            "files_received": plan.total_files,
            "collections_received": len(plan.collections),
            "collections_successful": len(plan.collections) - 1,
            "all_collections_received": 1,
            "all_collections_succesful": 0,
        }
        self.metric_diffs = {}
        for name, want in expected.items():
            got = m.get(name, 0.0)
            self.metric_diffs[name] = (got, want)
            if got != want + twice[name]:
                self.anomaly("metrics", f"{name} summed to {got:g} over the run's groups, true "
                             f"total {want} ({kills} kills, "
                             f"{self.ambiguous('dynamodb', 'UpdateItem')} unanswered DynamoDB "
                             f"writes)" + self.attribution(name))
            elif twice[name]:
                self.notes.append(f"metric {name}: {got:g} of {want}: {twice[name]:g} pushed by "
                                  f"processes killed after their push, before their answer, "
                                  f"and reported again by their redelivered batch")
        for c in plan.collections:
            got = self.metrics_per_collection.get(c.name, 0.0)
            if got != c.files + twice["files_received:" + c.name]:
                self.anomaly("metrics", f"files_received for {c.name}: {got:g}, true {c.files}")

    def attribution(self, name: str) -> str:
        """Where counts went missing, by the invocations' own logs."""
        field_name = {"files_received": "files_counted",
                      "collections_received": "collections_received",
                      "collections_successful": "collections_successful"}.get(name)
        if not field_name:
            return ""
        killed = sum(getattr(r.log, field_name) for r in self.records if r.killed)
        unpushed = sum(getattr(r.log, field_name) for r in self.records
                       if r.log.push_error and not r.killed)
        return (f"; by the logs, {killed} were counted by killed invocations and {unpushed} by "
                f"invocations whose push failed")

    def check_pushes(self) -> None:
        """SPEC 7: metrics are pushed after processing, whether it succeeded or not."""
        failed = [r for r in self.records if r.log.push_error and not r.killed]
        if failed:
            reasons = Counter(r.log.push_error for r in failed)
            self.anomaly("metrics push", f"{len(failed)} invocations did not push their metrics "
                         f"(e.g. invocation {failed[0].number}): " + "; ".join(
                             f"{n}x {why}" for why, n in reasons.most_common(3)))

    # -- figures ----------------------------------------------------------------------------

    def collect_figures(self, proxy: FaultProxy) -> None:
        f = self.figures
        f.invocations = len(self.records)
        f.deliveries = self.pool.receives
        f.redeliveries = self.pool.receives - f.messages
        f.item_failures = sum(r.failed_items for r in self.records)
        f.retries_logged = sum(r.log.retries for r in self.records)
        f.transport_retries_logged = sum(r.log.transport_retries for r in self.records)
        f.pushes_failed = sum(bool(r.log.push_error) for r in self.records)
        f.error_log_lines = sum(r.log.error_lines for r in self.records)
        f.kills_trap = self.kill_plan.trap_done
        f.kills_timer = self.kill_plan.timer_done

    def report(self, proxy: FaultProxy) -> None:
        f, plan = self.figures, self.plan
        faults = proxy.stats.faults_by_kind()
        stats = proxy.stats.snapshot()
        requests = sum(stats["requests"].values())
        by_service: Counter[str] = Counter()
        for key, n in stats["faults"].items():
            by_service[key.split(".")[0]] += n
        lines = [
            f"chaos run {plan.correlation_id} (seed {self.args.seed}), run dir {self.run_dir}",
            f"  collections {len(plan.collections)}, files {plan.total_files}, "
            f"snapshot type {plan.snapshot_type}",
            f"  messages {f.messages} (duplicates {f.duplicates}), deliveries {f.deliveries} "
            f"(redeliveries {f.redeliveries}), dead letters {len(self.pool.dead_letters)}",
            f"  invocations {f.invocations} ({self.args.workers} workers, batches of "
            f"{self.args.batch_size}), failed as a whole {f.invocations_failed_whole}, "
            f"failed items {f.item_failures}",
            f"  kills {f.kills_trap + f.kills_timer} (after a transition {f.kills_trap}, "
            f"mid-batch timer {f.kills_timer}) of {self.args.kills} asked; "
            f"{f.kills_after_answer} more came after the batch response and were not counted",
            f"  proxy: {requests} requests, faults {sum(faults.values())}: "
            + ", ".join(f"{k} {v}" for k, v in faults.items())
            + f"; by service {dict(by_service)}; unanswered-but-maybe-applied "
            f"{stats['ambiguous']}",
            f"  retries logged by the binary {f.retries_logged} ({f.transport_retries_logged} "
            f"after a transport error); a request came again unchanged after its connection "
            f"was reset {sum(stats['repeats_after_reset'].values())} times "
            f"{stats['repeats_after_reset'] or ''}; ERROR log lines {f.error_log_lines}; "
            f"invocations whose metrics push failed {f.pushes_failed}",
        ]
        holds = proxy.item_holds.counts.snapshot() if proxy.item_holds else None
        if holds:
            lines.append(f"  conflicting DynamoDB (hold {self.args.hold_ms:g} ms): transactions "
                         f"forwarded {holds['transactions_forwarded']}, cancelled for a conflict "
                         f"{holds['transactions_cancelled']}, plain writes refused "
                         f"{holds['writes_refused']}; idempotent replays "
                         f"{stats['idempotent_replays']}")
        if getattr(self, "metric_diffs", None):
            lines.append("  metrics before the final _success file (got/true): " + ", ".join(
                f"{k} {g:g}/{w}" for k, (g, w) in self.metric_diffs.items()))
        if getattr(self, "metric_diffs", None):
            for name, (got, want) in self.metric_diffs.items():
                if got < want:
                    lines.append(f"  lost {name}: {want - got:g}{self.attribution(name)}")
        for note in self.notes:
            lines.append(f"  note: {note}")
        lines.append(f"  anomalies {len(self.anomalies)}")
        for a in self.anomalies:
            lines.append(f"    [{a.check}] {a.detail}")
        lines.append(f"  wall time {self.wall_seconds:.1f}s")
        print("\n".join(lines), flush=True)
        report = {
            "seed": self.args.seed,
            "correlation_id": plan.correlation_id,
            "parameters": {k: (str(v) if isinstance(v, Path) else v)
                           for k, v in vars(self.args).items()},
            "figures": vars(f),
            "faults": faults,
            "proxy": stats,
            "item_holds": holds,
            "metrics_before_final": self.metrics_before_final,
            "notes": self.notes,
            "anomalies": [vars(a) for a in self.anomalies],
            "wall_seconds": self.wall_seconds,
            "invocations": [{**vars(r), "log": vars(r.log)}
                            for r in sorted(self.records, key=lambda r: r.number)],
        }
        (self.run_dir / "report.json").write_text(json.dumps(report, indent=2))


def host_port(url: str) -> tuple[str, int]:
    rest = url.split("://", 1)[1].rstrip("/")
    host, _, port = rest.rpartition(":")
    return host, int(port)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--collections", type=int, default=30)
    p.add_argument("--max-files", type=int, default=60, help="files per collection: 1..this")
    p.add_argument("--duplicate-rate", type=float, default=0.2,
                   help="share of messages sent twice (as two SQS messages)")
    p.add_argument("--workers", type=int, default=4, help="concurrent invocations")
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--fault-rate", type=float, default=0.05,
                   help="probability that a request through the proxy meets a fault")
    p.add_argument("--messaging-fault-rate", type=float, default=None,
                   help="the same for SQS and SNS requests, which are few (default: "
                        "min(1, 4 x fault rate))")
    p.add_argument("--fault-kinds", default=",".join(FAULT_KINDS),
                   type=lambda s: [k for k in s.split(",") if k],
                   help=f"comma-separated subset of {','.join(FAULT_KINDS)}")
    p.add_argument("--conflicting-dynamodb", action="store_true",
                   help="DynamoDB conflicts as the real one does (tests/chaos/"
                        "conflicting_dynamodb.py): transactions hold their items --hold-ms, "
                        "and client tokens are honoured")
    p.add_argument("--hold-ms", type=float, default=10.0,
                   help="with --conflicting-dynamodb: each transaction's prepare phase")
    p.add_argument("--kills", type=int, default=0, help="invocations to SIGKILL mid-batch")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--timeout-seconds", type=int, default=5,
                   help="invoke --timeout-seconds: the invocation deadline (and the mark's time)")
    p.add_argument("--visibility-timeout", type=float, default=None,
                   help="seconds after a receive before an unsettled message is visible again "
                        "(default: timeout + 1, as AWS requires >= the function timeout)")
    p.add_argument("--delay-seconds", type=float, default=None,
                   help="how long a 'delay' fault holds a request (default: timeout + 1, "
                        "past any client timeout)")
    p.add_argument("--scrape-interval", type=int, default=1,
                   help="METRICS_SCRAPE_INTERVAL_SECONDS given to the binary")
    p.add_argument("--max-receives", type=int, default=25,
                   help="receives before a message goes to the dead-letter list")
    p.add_argument("--max-seconds", type=float, default=1200, help="give up after this long")
    p.add_argument("--binary", type=Path, default=None,
                   help="the program to run (default $BUILD_DIR/%s); a .py file runs with "
                        "this Python" % BINARY_NAME)
    p.add_argument("--metric-prefix", default=METRIC_PREFIX,
                   help="prefix of the series names read from the push gateway")
    p.add_argument("--run-dir", type=Path, default=None,
                   help="where events, outputs, logs and report.json go")
    a = p.parse_args(argv)
    unknown = set(a.fault_kinds) - set(FAULT_KINDS)
    if unknown:
        p.error(f"unknown fault kinds {sorted(unknown)}")
    if a.workers < 1 or a.batch_size < 1 or not 0 <= a.fault_rate <= 1:
        p.error("workers and batch size must be >= 1, fault rate in [0, 1]")
    if a.messaging_fault_rate is None:
        a.messaging_fault_rate = min(1.0, 4 * a.fault_rate)
    if a.visibility_timeout is None:
        a.visibility_timeout = a.timeout_seconds + 1.0
    if a.delay_seconds is None:
        a.delay_seconds = a.timeout_seconds + 1.0
    if a.binary is None:
        a.binary = Path(os.environ.get("BUILD_DIR") or REPO / "build") / BINARY_NAME
    if a.run_dir is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        a.run_dir = Path(os.environ.get("BUILD_DIR") or REPO / "build") / "chaos" / \
            f"{stamp}-seed{a.seed}"
    return a


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    if not (args.binary.is_file()
            and (args.binary.suffix == ".py" or os.access(args.binary, os.X_OK))):
        print(f"chaos: binary not found at {args.binary} (build it: scripts/build.sh)",
              file=sys.stderr)
        return 2
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    running = stack_lib.Stack.from_dir()
    if not running.is_up():
        print("chaos: the stack does not answer (scripts/stack.sh start)", file=sys.stderr)
        return 2
    run = ChaosRun(args, running)
    return run.run()


if __name__ == "__main__":
    sys.exit(main())
