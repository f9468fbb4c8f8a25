#!/usr/bin/env python3
"""Hot collections (issue 16): a run of C collections x F files met as the pipeline meets it
after a backlog, on a DynamoDB that conflicts as the real one does.

- The export status rows are seeded as the exporter leaves them (Exported, FilesExported F)
  and the product, receipts and export-state tables and queue are made; D % of the files
  are sent twice (tests/chaos/generator.py makes messages and bodies).
- SQS: every file message is queued at once, in the sender's order (collection by
  collection, a duplicate right after its first). N invocations run at once; each is a
  process, `snapshot-sender-status-checker invoke --event FILE --timeout-seconds T`, that
  takes the next B messages. Its failed items (batchItemFailures), or its whole batch when
  it fails, go to the back of the queue with ApproximateReceiveCount one higher (no
  visibility timeout is waited out); a message failed at its 5th receive is dead-lettered
  (maxReceiveCount 5, as deploy/terraform sets the queue).
- Then one `_success` message per collection that reached Received, processed the same way.
- DynamoDB is tests/chaos/conflicting_dynamodb.py, started here on 127.0.0.1 in front of
  the stack's serial moto: a transaction holds its items --hold-ms before it is applied.

Checked: FilesReceived exact per collection, every collection Success, the product
COMPLETED, one export-state message per collection (read from the FIFO queue in moto SQS),
nothing dead-lettered. Printed: failed deliveries, transactions per file (every
TransactWriteItems sent, cancelled and repeated ones included), DynamoDB requests and
capacity units per file, files per second, wall time.

Capacity units (bench/dynamodb_units.py) are computed from the requests the stand-in
forwarded, as DynamoDB bills them: a transaction 2 write units per action per KB, a plain
write 1 per KB, a GetItem 1 read unit per 4 KB when consistent (0.5 when not), a Query page
by the size of the items it returned. Writes are billed at the size of the item they send
(a Put) or 1 KB (an Update, Delete or ConditionCheck, whose item the request does not
carry): the largest item the run left is printed, and every unit count assumes it is under
1 KB. Transactions cancelled for a conflict and plain writes refused are not forwarded; what
they would cost if billed as applied is printed beside.

Needs a running stack (STACK_DIR, scripts/stack.sh start) and the built binary:
    .venv/bin/python bench/hot_collection.py --collections 2 --files 2000 \
        --duplicate-rate 0.02 --invocations 50 --batch-size 10 --hold-ms 10 [--json]
Bounded: it stops after --max-seconds (reported as timed out, with its counts) and leaves no
process, temporary directory or push gateway group of its run behind. Exit 0 when every check holds, 1 when one fails.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests" / "chaos"))
sys.path.insert(0, str(REPO / "tests" / "integration"))

import seeding  # noqa: E402  (tests/integration/seeding.py)
from seeding import ProductItem, StatusRow  # noqa: E402
import stack as stack_lib  # noqa: E402  (tests/integration/stack.py)
from conflicting_dynamodb import start_conflicting_dynamodb  # noqa: E402
from dynamodb_units import item_bytes, read_units, units  # noqa: E402
from generator import (  # noqa: E402
    Collection, Delivery, RunPlan, file_deliveries, file_name, plan_run, status_rows,
    sqs_event, success_deliveries)

BINARY_NAME = "snapshot-sender-status-checker"
# deploy/terraform/variables.tf: max_receive_count.
MAX_RECEIVE_COUNT = 5
KILLED = -9


# ---------------------------------------------------------------------------------------
# The source queue after a backlog.


class BacklogQueue:
    """Messages in the order they were sent; a failed one goes to the back with one more
    receive, or to the dead-letter list at its last."""

    def __init__(self, max_receives: int) -> None:
        self._cond = threading.Condition()
        self._waiting: collections.deque[Delivery] = collections.deque()
        self._in_flight = 0
        self._max_receives = max_receives
        self.dead_letters: list[Delivery] = []
        self.receives = 0

    def add(self, deliveries: list[Delivery]) -> None:
        with self._cond:
            self._waiting.extend(deliveries)
            self._cond.notify_all()

    def take(self, count: int, wait: float) -> list[Delivery]:
        """The next `count` messages, or [] when none came within `wait` seconds."""
        with self._cond:
            if not self._waiting:
                self._cond.wait(wait)
            batch = [self._waiting.popleft() for _ in range(min(count, len(self._waiting)))]
            for d in batch:
                d.receives += 1
            self.receives += len(batch)
            self._in_flight += len(batch)
            return batch

    def settle(self, succeeded: list[Delivery], failed: list[Delivery]) -> None:
        with self._cond:
            self._in_flight -= len(succeeded) + len(failed)
            for d in failed:
                (self.dead_letters if d.receives >= self._max_receives
                 else self._waiting).append(d)
            self._cond.notify_all()

    def drained(self) -> bool:
        with self._cond:
            return not self._waiting and self._in_flight == 0

    def counts(self) -> tuple[int, int]:
        with self._cond:
            return len(self._waiting), self._in_flight


# ---------------------------------------------------------------------------------------
# What DynamoDB bills, from the requests the stand-in forwarded.


class Billing:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.write_units = 0.0
        self.read_units = 0.0

    def hook(self, info, request, response) -> bool:
        """The fault proxy's forward hook: adds up one forwarded request; never drops it."""
        body = info.json_body()
        write = read = 0.0
        if info.operation == "TransactWriteItems":
            for entry in body.get("TransactItems", []):
                put = entry.get("Put", {}) if isinstance(entry, dict) else {}
                write += units(item_bytes(put.get("Item", {})), transactional=True)
        elif info.operation == "PutItem":
            write = units(item_bytes(body.get("Item", {})), transactional=False)
        elif info.operation in ("UpdateItem", "DeleteItem"):
            write = units(0, transactional=False)
        elif info.operation in ("GetItem", "Query"):
            try:
                answer = json.loads(response.body or b"{}")
            except ValueError:
                answer = {}
            found = [answer["Item"]] if "Item" in answer else answer.get("Items", [])
            read = read_units(sum(item_bytes(i) for i in found),
                              consistent=bool(body.get("ConsistentRead")))
        with self._lock:
            self.write_units += write
            self.read_units += read
        return False


# ---------------------------------------------------------------------------------------


@dataclass
class Invocations:
    started: int = 0
    failed_whole: int = 0  # exit code not 0, or no batch response
    killed: int = 0  # still running past the harness's hard limit
    failed_items: int = 0  # batchItemFailures
    failed_deliveries: int = 0  # messages that came back, whole batches included
    error_lines: collections.Counter = field(default_factory=collections.Counter)


class HotRun:
    def __init__(self, args: argparse.Namespace, running: stack_lib.Stack, work: Path) -> None:
        self.args = args
        self.stack = running
        self.work = work
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.inv = Invocations()
        self.live: dict[int, subprocess.Popen] = {}
        self.stop = threading.Event()
        self.queue = BacklogQueue(MAX_RECEIVE_COUNT)
        self.billing = Billing()
        template = plan_run(self.rng, args.collections, 1,
                            f"hot-s{args.seed}-{uuid.uuid4().hex[:12]}")
        # As the exporter leaves them after a backlog: every file written and sent.
        self.plan: RunPlan = replace(template, collections=tuple(
            Collection(c.name, args.files, "Exported", args.files)
            for c in template.collections))

    # -- set-up -------------------------------------------------------------------------

    def set_up(self) -> None:
        s, suffix = self.stack, uuid.uuid4().hex[:8]
        self.status_table = stack_lib.create_export_status_table(
            s.moto_dynamodb, f"hot-export-status-{suffix}")
        self.product_table = stack_lib.create_product_table(s.moto_dynamodb,
                                                            f"hot-product-{suffix}")
        self.receipts_table = stack_lib.create_file_receipts_table(
            s.moto_dynamodb, f"hot-receipts-{suffix}")
        seeding.put_items(s.moto_dynamodb, self.status_table, status_rows(self.plan))
        self.export_queue = s.create_fifo_queue(f"hot-export-state-{suffix}")
        self.topic = s.create_topic_with_queue(f"hot-monitoring-{suffix}")
        self.deliveries = sender_order(self.plan, file_deliveries(
            self.plan, self.rng, self.args.duplicate_rate))

    def binary_env(self, dynamodb_url: str) -> dict[str, str]:
        return self.stack.binary_env(
            "moto",
            AWS_ENDPOINT_URL_DYNAMODB=dynamodb_url,
            MONITORING_SNS_TOPIC_ARN=self.topic.topic_arn,
            EXPORT_STATE_SQS_QUEUE_URL=self.export_queue,
            DYNAMO_DB_EXPORT_STATUS_TABLE_NAME=self.status_table,
            DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME=self.product_table,
            DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME=self.receipts_table,
            METRICS_SCRAPE_INTERVAL_SECONDS=str(self.args.scrape_interval),
            LOG_LEVEL="INFO",
            ENVIRONMENT="hot-collection",
            APPLICATION=BINARY_NAME,
        )

    # -- invocations --------------------------------------------------------------------

    def worker(self, env: dict[str, str]) -> None:
        while not self.stop.is_set():
            batch = self.queue.take(self.args.batch_size, wait=0.2)
            if batch:
                self.invoke(batch, env)
            elif self.queue.drained():
                return

    def invoke(self, batch: list[Delivery], env: dict[str, str]) -> None:
        args = self.args
        with self.lock:
            self.inv.started += 1
            n = self.inv.started
        event = self.work / f"{n:06d}.event.json"
        now_ms = int(time.time() * 1000)
        event.write_text(json.dumps(sqs_event(batch, now_ms - 1000, now_ms)))
        err_path = self.work / f"{n:06d}.err"
        with open(err_path, "wb") as err:
            proc = subprocess.Popen(
                [str(args.binary), "invoke", "--event", str(event),
                 "--timeout-seconds", str(args.timeout_seconds)],
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
            with self.lock:
                self.live[proc.pid] = proc
            try:
                stdout, _ = proc.communicate(
                    timeout=args.timeout_seconds + args.scrape_interval + 30)
                rc = proc.returncode
            except subprocess.TimeoutExpired:
                proc.kill()
                stdout, _ = proc.communicate()
                rc = KILLED
            with self.lock:
                self.live.pop(proc.pid, None)
        failed_ids = failures(stdout.decode("utf-8", "replace"), batch) if rc == 0 else None
        failed = [d for d in batch if failed_ids is None or d.message_id in failed_ids]
        errors = error_messages(err_path)
        event.unlink()
        err_path.unlink()
        with self.lock:
            self.inv.failed_whole += failed_ids is None
            self.inv.killed += rc == KILLED
            self.inv.failed_items += len(failed) if failed_ids is not None else 0
            self.inv.failed_deliveries += len(failed)
            self.inv.error_lines.update(errors)
        failed_set = {d.message_id for d in failed}
        self.queue.settle([d for d in batch if d.message_id not in failed_set], failed)

    def run_phase(self, deliveries: list[Delivery], env: dict[str, str], deadline: float) -> bool:
        """Queues the messages and lets the invocations take them until the queue is drained.
        False when the deadline came first (the invocations under way are killed)."""
        self.queue.add(deliveries)
        threads = [threading.Thread(target=self.worker, args=(env,), daemon=True)
                   for _ in range(self.args.invocations)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            if time.monotonic() > deadline:
                self.stop.set()
                self.kill_live()
                break
            time.sleep(0.2)
        for t in threads:
            t.join()
        return not self.stop.is_set()

    def kill_live(self) -> None:
        with self.lock:
            procs = list(self.live.values())
        for proc in procs:
            if proc.poll() is None:
                proc.kill()

    # -- the run ------------------------------------------------------------------------

    def run(self) -> dict:
        args = self.args
        load_before = os.getloadavg()
        cpu_before = self.cpu_seconds()
        started = time.monotonic()
        deadline = started + args.max_seconds
        self.set_up()
        proxy = start_conflicting_dynamodb(self.stack.moto_dynamodb_url, args.hold_ms / 1000,
                                           hook=self.billing.hook)
        try:
            env = self.binary_env(proxy.url("dynamodb"))
            files_started = time.monotonic()
            finished = self.run_phase(self.deliveries, env, deadline)
            file_seconds = time.monotonic() - files_started
            received = [c for c in self.plan.collections
                        if seeding.text(self.rows().get(c.name), StatusRow.COLLECTION_STATUS)
                        in ("Received", "Success")]
            success = [d for c in received
                       for d in success_deliveries(self.plan, c, self.rng, 0.0)]
            if finished:
                finished = self.run_phase(success, env, deadline)
        finally:
            self.stop.set()
            self.kill_live()
            proxy.stop()
        wall = time.monotonic() - started
        # A run that never finished leaves a metrics group per invocation on the gateway,
        # which slows every later push (the next run's invocations too).
        self.groups_deleted = stack_lib.delete_pushgateway_groups(
            self.stack.pushgateway_url, correlation_id=self.plan.correlation_id)
        cpu = {k: round(v - cpu_before[k], 1) for k, v in self.cpu_seconds().items()}
        return self.figures(proxy, finished, file_seconds, wall, len(success), load_before, cpu)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU used so far by this process (the harness and the stand-in's loop), by the
        invocations it ran, and by the serial moto behind the stand-in: where the cores went."""
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {"harness_and_stand_in": own.ru_utime + own.ru_stime,
                "invocations": children.ru_utime + children.ru_stime,
                "serial_moto": group_cpu_seconds(
                    Path(self.stack.env.get("SSC_STACK_DIR", "")) / "motoddb.pid")}

    def rows(self) -> dict[str, dict]:
        return seeding.run_rows(self.stack.moto_dynamodb, self.status_table,
                                self.plan.correlation_id)

    def largest_item(self) -> int:
        s, largest = self.stack.moto_dynamodb, 0
        for table in (self.status_table, self.receipts_table, self.product_table):
            for page in s.get_paginator("scan").paginate(TableName=table):
                largest = max([largest] + [item_bytes(i) for i in page["Items"]])
        return largest

    # -- figures ------------------------------------------------------------------------

    def figures(self, proxy, finished: bool, file_seconds: float, wall: float,
                success_messages: int, load_before: tuple[float, ...],
                cpu: dict[str, float]) -> dict:
        args, plan, s = self.args, self.plan, self.stack
        rows = self.rows()
        collections_out = {
            c.name: {"files_received": seeding.number(rows.get(c.name), StatusRow.FILES_RECEIVED),
                     "status": seeding.text(rows.get(c.name), StatusRow.COLLECTION_STATUS)}
            for c in plan.collections}
        product = s.moto_dynamodb.get_item(
            TableName=self.product_table, ConsistentRead=True,
            Key=seeding.product_key(plan.correlation_id)).get("Item", {})
        export_state = collections.Counter(
            json.loads(m["Body"]).get("topic_name", "")
            for m in s.drain_queue(self.export_queue, expect=len(plan.collections), timeout=5))
        files = args.collections * args.files
        counted = sum(v["files_received"] for v in collections_out.values())
        messages = len(self.deliveries) + success_messages
        requests = {key.split(".", 1)[1]: n
                    for key, n in proxy.stats.snapshot()["requests"].items()
                    if key.startswith("dynamodb.")}
        holds = proxy.item_holds.counts.snapshot()
        refused_units = 2 * holds["cancelled_actions"] + sum(holds["writes_refused"].values())
        transactions = requests.get("TransactWriteItems", 0)
        checks = {
            "files_received_exact": all(v["files_received"] == args.files
                                        for v in collections_out.values()),
            "every_collection_success": all(v["status"] == "Success"
                                            for v in collections_out.values()),
            "product_completed": seeding.text(product, ProductItem.STATUS) == "COMPLETED",
            "one_export_state_message_each": all(export_state[c.name] == 1
                                                 for c in plan.collections)
            and sum(export_state.values()) == len(plan.collections),
            "nothing_dead_lettered": not self.queue.dead_letters,
        }
        waiting, in_flight = self.queue.counts()
        if not finished:
            outcome = "timed out"
        elif all(checks.values()):
            outcome = "exact"
        elif any(v["status"] not in ("Received", "Success") for v in collections_out.values()):
            outcome = "stuck"
        else:
            outcome = "inexact"
        return {
            "parameters": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "correlation_id": plan.correlation_id,
            "outcome": outcome,
            "checks": checks,
            "collections": collections_out,
            "product_status": seeding.text(product, ProductItem.STATUS),
            "export_state_messages": dict(export_state),
            "messages": {"files": files, "file_messages": len(self.deliveries),
                         "sent_twice": sum(d.duplicate for d in self.deliveries),
                         "success_messages": success_messages, "total": messages,
                         "deliveries": self.queue.receives, "left_waiting": waiting,
                         "left_in_flight": in_flight},
            "invocations": {"started": self.inv.started, "failed_whole": self.inv.failed_whole,
                            "killed_past_limit": self.inv.killed,
                            "failed_items": self.inv.failed_items,
                            "top_errors": self.inv.error_lines.most_common(3)},
            "failed_deliveries": self.inv.failed_deliveries,
            "failed_deliveries_percent": round(100 * self.inv.failed_deliveries / messages, 2),
            "dead_lettered": len(self.queue.dead_letters),
            "metric_groups_left_and_deleted": self.groups_deleted,
            "dynamodb": {
                "requests": requests,
                "requests_per_file": round(sum(requests.values()) / files, 3),
                "transactions": transactions,
                "transactions_per_file": round(transactions / files, 3),
                "transactions_forwarded": holds["transactions_forwarded"].get(
                    self.status_table, 0),
                "transactions_cancelled": holds["transactions_cancelled"],
                "writes_refused": holds["writes_refused"],
                "idempotent_replays": proxy.stats.idempotent_replays,
                "mean_hold_ms": holds["mean_hold_ms"],
                "write_units_per_file": round(self.billing.write_units / files, 3),
                "write_units_per_file_if_refusals_billed": round(
                    (self.billing.write_units + refused_units) / files, 3),
                "read_units_per_file": round(self.billing.read_units / files, 3),
                "largest_item_bytes": self.largest_item(),
            },
            # A run that is not exact settles messages without counting them (dead letters):
            # its cost and speed are per file counted too.
            "files_counted": counted,
            "write_units_per_counted_file": round(self.billing.write_units / counted, 3)
            if counted else None,
            "files_per_second": round(files / file_seconds, 1) if file_seconds else None,
            "files_counted_per_second": round(counted / file_seconds, 1) if file_seconds else None,
            "file_phase_seconds": round(file_seconds, 1),
            "wall_seconds": round(wall, 1),
            "machine": {"cores": os.cpu_count(), "load_before": [round(x, 2) for x in load_before],
                        "load_after": [round(x, 2) for x in os.getloadavg()],
                        "cpu_seconds": cpu,
                        "cores_busy": round(sum(cpu.values()) / wall, 2) if wall else None},
        }


def group_cpu_seconds(pid_file: Path) -> float:
    """CPU seconds of the process group a stack pid file names (scripts/stack.sh starts
    each service as a group leader); 0 when it cannot be read."""
    try:
        leader = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == leader:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def sender_order(plan: RunPlan, deliveries: list[Delivery]) -> list[Delivery]:
    """The sender's order: collection by collection, file by file, a second sending right
    after the first."""
    position = {file_name(c, i): (ci, i) for ci, c in enumerate(plan.collections)
                for i in range(c.files)}
    return sorted(deliveries, key=lambda d: (position[d.file_name], d.duplicate))


def failures(stdout: str, batch: list[Delivery]) -> Optional[set[str]]:
    """The ids of the batch response's failed items; None when there is no batch response
    (the whole batch then failed)."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    try:
        ids = {item["itemIdentifier"] for item in json.loads(lines[-1])["batchItemFailures"]}
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return ids & {d.message_id for d in batch}


def error_messages(path: Path) -> list[str]:
    """An invocation's ERROR lines, message and error, without what differs between
    requests (request ids, table names), so that the same failure reads the same."""
    out = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and str(entry.get("log_level", "")).upper() == "ERROR":
            error = re.sub(r"request id [\w-]+", "request id ...", str(entry.get("error", "")))
            error = re.sub(r"hot-[a-z-]+-[0-9a-f]{8}", "<table>", error)
            out.append(f"{entry.get('message', '')}: {error}"[:240])
    return out


def summary(r: dict) -> str:
    p, d = r["parameters"], r["dynamodb"]
    lines = [
        f"hot collection run {r['correlation_id']}: {p['collections']} x {p['files']} files, "
        f"{p['duplicate_rate'] * 100:g} % twice, {p['invocations']} invocations, batches of "
        f"{p['batch_size']}, hold {p['hold_ms']:g} ms, timeout {p['timeout_seconds']} s",
        f"  outcome {r['outcome']}: " + ", ".join(f"{k} {v}" for k, v in r["checks"].items()),
        "  collections: " + ", ".join(f"{n} {v['files_received']} {v['status']}"
                                      for n, v in r["collections"].items())
        + f"; product {r['product_status']}; export-state messages {r['export_state_messages']}",
        f"  messages {r['messages']['total']} ({r['messages']['sent_twice']} sent twice, "
        f"{r['messages']['success_messages']} _success), deliveries "
        f"{r['messages']['deliveries']}, failed deliveries {r['failed_deliveries']} "
        f"({r['failed_deliveries_percent']} % of messages), dead-lettered {r['dead_lettered']}",
        f"  invocations {r['invocations']['started']} (failed whole "
        f"{r['invocations']['failed_whole']}, killed past the limit "
        f"{r['invocations']['killed_past_limit']}), top errors {r['invocations']['top_errors']}",
        f"  DynamoDB: transactions per file {d['transactions_per_file']} ({d['transactions']}; "
        f"cancelled for a conflict {d['transactions_cancelled']}, replayed "
        f"{d['idempotent_replays']}), plain writes refused {d['writes_refused']}; items held "
        f"{d['mean_hold_ms']} ms on average (asked: {p['hold_ms']:g} ms)",
        f"  per file: requests {d['requests_per_file']}, write units "
        f"{d['write_units_per_file']} ({d['write_units_per_file_if_refusals_billed']} if "
        f"refusals are billed), read units {d['read_units_per_file']}; largest item "
        f"{d['largest_item_bytes']} bytes; requests {d['requests']}",
        f"  files counted {r['files_counted']}, write units per counted file "
        f"{r['write_units_per_counted_file']}, files counted per second "
        f"{r['files_counted_per_second']}",
        f"  files per second {r['files_per_second']} (file phase {r['file_phase_seconds']} s), "
        f"wall time {r['wall_seconds']} s; {r['machine']['cores']} cores, load "
        f"{r['machine']['load_before']} before, {r['machine']['load_after']} after; CPU "
        f"seconds {r['machine']['cpu_seconds']} ({r['machine']['cores_busy']} cores busy)",
    ]
    return "\n".join(lines)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--collections", type=int, default=2)
    p.add_argument("--files", type=int, default=2000, help="files per collection")
    p.add_argument("--duplicate-rate", type=float, default=0.02,
                   help="share of files sent twice (two SQS messages)")
    p.add_argument("--invocations", type=int, default=50, help="concurrent invocations")
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--hold-ms", type=float, default=10.0,
                   help="how long a transaction holds its items before it is applied")
    p.add_argument("--timeout-seconds", type=int, default=120,
                   help="invoke --timeout-seconds (deploy/terraform's timeout is 120)")
    p.add_argument("--scrape-interval", type=int, default=1,
                   help="METRICS_SCRAPE_INTERVAL_SECONDS given to the binary")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-seconds", type=float, default=1800,
                   help="stop the run (outcome 'timed out') after this long")
    p.add_argument("--binary", type=Path, default=None,
                   help=f"default $BUILD_DIR/{BINARY_NAME}")
    p.add_argument("--json", action="store_true", help="print one JSON object, nothing else")
    a = p.parse_args(argv)
    if min(a.collections, a.files, a.invocations, a.batch_size, a.timeout_seconds) < 1:
        p.error("collections, files, invocations, batch size and timeout must be >= 1")
    if not 0 <= a.duplicate_rate <= 1 or a.hold_ms < 0 or a.max_seconds <= 0:
        p.error("duplicate rate must be in [0, 1], hold and max seconds >= 0")
    if a.binary is None:
        a.binary = Path(os.environ.get("BUILD_DIR") or REPO / "build") / BINARY_NAME
    return a


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    if not os.access(args.binary, os.X_OK):
        print(f"hot_collection: no binary at {args.binary} (scripts/build.sh)", file=sys.stderr)
        return 2
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    running = stack_lib.Stack.from_dir()
    if not running.is_up():
        print("hot_collection: the stack does not answer (scripts/stack.sh start)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="hot-collection-") as work:
        result = HotRun(args, running, Path(work)).run()
    print(json.dumps(result, indent=2) if args.json else summary(result), flush=True)
    return 0 if result["outcome"] == "exact" else 1


if __name__ == "__main__":
    sys.exit(main())
