#!/usr/bin/env python3
"""The demo's moving parts (scripts/demo.sh runs this against a running stack).

Sets up what the status checker works against -- the two tables, the FIFO
export-state queue, the monitoring topic with a queue subscribed -- seeds one
snapshot run as the exporter and the snapshot sender leave it, then plays NiFi
and the sender: delivers the run's file messages in SQS batches to the binary
running under AWS's Runtime Interface Emulator, answers every export-state
message with that collection's _success file, and prints what happened at each
step: statuses and counts, the product status, the messages sent, the
notifications and the metrics the push gateway held before the run's end
deleted them.

    .venv/bin/python scripts/seed_run.py --stack-env .stack/demo/env \
        --binary build/snapshot-sender-status-checker --rie .tools/bin/aws-lambda-rie
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import requests

# The integration tests' stack helpers: reading the stack's env file, boto3 clients
# on it, creating the tables, queue and topic, draining queues, reading the gateway.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
import stack as stack_lib  # noqa: E402
from seeding import ProductItem, Receipt, StatusRow, product_key, status_row  # noqa: E402

EXPORT_TABLE = "UCExportToCrownStatus"
PRODUCT_TABLE = "data_pipeline_metadata"
RECEIPTS_TABLE = "snapshot_sender_status_checker_file_receipts"
EXPORT_STATE_QUEUE = "snapshot-sender-export-state.fifo"
MONITORING_TOPIC = "monitoring"
SOURCE_ARN = "arn:aws:sqs:eu-west-2:123456789012:snapshot-sender-status-checker"
SCRAPE_INTERVAL = 4  # seconds the binary waits before deleting a finished run's metrics
BATCH_SIZE = 4

# The run: collection -> (status the exporter/sender left, FilesExported, FilesSent).
# The ledger's FilesSent lags behind, as it does in the real pipeline.
RUN = {
    "db.core.statement": ("Exported", 3, 0),
    "db.core.contract": ("Sent", 2, 2),
    "db.accounting.ledger": ("Sent", 4, 3),
}


def heading(text: str) -> None:
    print(f"\n=== {text}", flush=True)


class Demo:
    def __init__(self, stack: stack_lib.Stack, binary: Path, rie: Path, log_dir: Path):
        self.stack, self.binary, self.rie_path, self.log_dir = stack, binary, rie, log_dir
        self.dynamodb, self.sqs = stack.moto_dynamodb, stack.sqs
        self.correlation_id = f"demo-{uuid.uuid4().hex[:8]}"
        self.export_date = date.today().isoformat()
        self.snapshot_type = "incremental"
        self.rie_process: subprocess.Popen | None = None
        self.delivered: set[str] = set()

    # --- set-up -------------------------------------------------------------

    def create_resources(self) -> None:
        heading("Creating the tables, the export-state queue and the monitoring topic")
        stack_lib.create_export_status_table(self.dynamodb, EXPORT_TABLE)
        stack_lib.create_product_table(self.dynamodb, PRODUCT_TABLE)
        stack_lib.create_file_receipts_table(self.dynamodb, RECEIPTS_TABLE)
        print(f"tables {EXPORT_TABLE} ({StatusRow.CORRELATION_ID}, {StatusRow.COLLECTION_NAME}), "
              f"{PRODUCT_TABLE} ({ProductItem.CORRELATION_ID}, {ProductItem.DATA_PRODUCT}) and "
              f"{RECEIPTS_TABLE} ({Receipt.RECEIPT_KEY}, TTL on {Receipt.EXPIRES_AT})")
        # Content-based deduplication, as the export-state queue has in production.
        self.queue_url = self.stack.create_fifo_queue(
            EXPORT_STATE_QUEUE, ContentBasedDeduplication="true"
        )
        print(f"FIFO queue {self.queue_url}")
        self.topic = self.stack.create_topic_with_queue(MONITORING_TOPIC)
        print(f"topic {self.topic.topic_arn}, read through queue {self.topic.queue_url}")

    def seed(self) -> None:
        heading(f"Seeding run {self.correlation_id} as the exporter and the sender left it")
        for name, (status, exported, sent) in RUN.items():
            item = status_row(self.correlation_id, name, status, exported=exported,
                              sent=sent if status == "Sent" else None,
                              time_to_exist=int(time.time()) + 7 * 86400)
            self.dynamodb.put_item(TableName=EXPORT_TABLE, Item=item)
        self.print_collections()

    # --- the binary under the emulator ---------------------------------------

    def binary_env(self) -> dict[str, str]:
        return self.stack.binary_env(
            dynamodb="moto",
            AWS_LAMBDA_FUNCTION_TIMEOUT="60",
            MONITORING_SNS_TOPIC_ARN=self.topic.topic_arn,
            EXPORT_STATE_SQS_QUEUE_URL=self.queue_url,
            DYNAMO_DB_EXPORT_STATUS_TABLE_NAME=EXPORT_TABLE,
            DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME=PRODUCT_TABLE,
            DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME=RECEIPTS_TABLE,
            METRICS_SCRAPE_INTERVAL_SECONDS=str(SCRAPE_INTERVAL),
            ENVIRONMENT="demo",
            APPLICATION="snapshot-sender-status-checker",
            LOG_LEVEL="INFO",
        )

    def start_rie(self) -> None:
        heading("Starting the binary under the Lambda Runtime Interface Emulator")
        port, api_port = stack_lib.free_port(), stack_lib.free_port()
        self.rie_log = self.log_dir / "rie.log"
        self.rie_url = f"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations"
        with open(self.rie_log, "wb") as log:
            self.rie_process = subprocess.Popen(
                [
                    str(self.rie_path),
                    "--runtime-interface-emulator-address", f"127.0.0.1:{port}",
                    "--runtime-api-address", f"127.0.0.1:{api_port}",
                    str(self.binary),
                ],
                env=self.binary_env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if self.rie_process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the emulator did not start; see {self.rie_log}")
            time.sleep(0.05)
        print(f"{self.rie_url}  (the runtime's log lines: {self.rie_log})")

    def stop_rie(self) -> None:
        if self.rie_process and self.rie_process.poll() is None:
            os.killpg(self.rie_process.pid, 15)
            try:
                self.rie_process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.rie_process.pid, 9)
                self.rie_process.wait()

    def invoke(self, bodies: list[dict]) -> dict:
        records = [
            {
                "messageId": str(uuid.uuid4()),
                "body": json.dumps(body),
                "eventSource": "aws:sqs",
                "eventSourceARN": SOURCE_ARN,
            }
            for body in bodies
        ]
        response = requests.post(self.rie_url, json={"Records": records}, timeout=120)
        if response.status_code != 200:
            raise SystemExit(
                f"invocation failed: HTTP {response.status_code} {response.text}\n"
                f"see {self.rie_log}"
            )
        result = response.json()
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        for rec, body in zip(records, bodies):
            name = body.get("file_name", "")
            mark = "FAILED" if rec["messageId"] in failed else "ok"
            if name in self.delivered and not body.get("is_success_file"):
                mark += " (redelivered: not counted again)"
            self.delivered.add(name)
            print(f"  {body['collection_name']:<24} {name:<36} {mark}")
        return result

    # --- the run ------------------------------------------------------------

    def message(self, collection: str, **fields: str) -> dict:
        return {
            "correlation_id": self.correlation_id,
            "collection_name": collection,
            "snapshot_type": self.snapshot_type,
            "export_date": self.export_date,
            **fields,
        }

    def deliver_files(self) -> None:
        files = [
            self.message(name, file_name=f"{name}-{i:04d}.txt.gz.enc")
            for name, (_, exported, _) in RUN.items()
            for i in range(1, exported + 1)
        ]
        random.Random(7).shuffle(files)
        # SQS delivers at least once: one file comes a second time, in a later batch.
        files.insert(len(files) - 1, dict(files[0]))
        heading(f"NiFi receives {len(files)} file messages ({len(files) - 1} files, one "
                f"redelivered), delivered in SQS batches of up to {BATCH_SIZE}")
        for start in range(0, len(files), BATCH_SIZE):
            batch = files[start:start + BATCH_SIZE]
            print(f"batch {start // BATCH_SIZE + 1}:")
            self.invoke(batch)
        self.print_collections()
        self.print_product()
        self.print_metrics("metrics on the push gateway after the files")

    def deliver_success_files(self) -> None:
        requests_for_success = self.stack.drain_queue(self.queue_url)
        heading(f"Export-state messages on the FIFO queue ({len(requests_for_success)}): "
                f"the sender is asked for each collection's _success file")
        for m in requests_for_success:
            print(f"  group {m['Attributes']['MessageGroupId']:<24} {m['Body']}")
        collections = [json.loads(m["Body"])["topic_name"] for m in requests_for_success]
        first, last = collections[:-1], collections[-1:]
        heading("The sender's _success files arrive")
        if first:
            self.invoke([self.message(c, is_success_file="true", file_name="_success")
                         for c in first])
            self.print_metrics("metrics on the push gateway before the last _success file")
        # The last one ends the run: the binary waits the scrape interval, then deletes
        # the run's metrics. Read the gateway while it waits.
        held: list[dict] = []
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                groups = self.groups()
                if any("snapshot_sender_status_checker_all_collections_succesful_total" in g
                       for g in groups):
                    held[:] = groups
                done.wait(0.2)

        watcher = threading.Thread(target=watch)
        watcher.start()
        started = time.monotonic()
        try:
            self.invoke([self.message(c, is_success_file="true", file_name="_success")
                         for c in last])
        finally:
            done.set()
            watcher.join()
        print(f"  (the invocation took {time.monotonic() - started:.1f}s: it waited "
              f"METRICS_SCRAPE_INTERVAL_SECONDS={SCRAPE_INTERVAL} before deleting the metrics)")
        self.print_collections()
        self.print_product()
        self.print_metrics("metrics the push gateway held at the end of the run, before "
                           "their deletion", held)
        left = self.groups()
        print(f"\nafter the run: the push gateway holds {len(left)} group(s) for "
              f"{self.correlation_id}" + (" -- deleted as the run finished" if not left else ""))
        self.print_notifications()

    # --- reading back -------------------------------------------------------

    def print_collections(self) -> None:
        items = self.dynamodb.query(
            TableName=EXPORT_TABLE,
            KeyConditionExpression=f"{StatusRow.CORRELATION_ID} = :c",
            ExpressionAttributeValues={":c": {"S": self.correlation_id}},
            ConsistentRead=True,
        )["Items"]
        print(f"\n  {'collection':<24} {'status':<10} exported  sent  received")
        for item in items:
            get = lambda k: item.get(k, {}).get("N", item.get(k, {}).get("S", "-"))  # noqa: E731
            print(f"  {get(StatusRow.COLLECTION_NAME):<24} {get(StatusRow.COLLECTION_STATUS):<10} "
                  f"{get(StatusRow.FILES_EXPORTED):>8}  {get(StatusRow.FILES_SENT):>4}  "
                  f"{get(StatusRow.FILES_RECEIVED):>8}")

    def print_product(self) -> None:
        item = self.dynamodb.get_item(
            TableName=PRODUCT_TABLE,
            Key=product_key(self.correlation_id),
            ConsistentRead=True,
        ).get("Item")
        status = item[ProductItem.STATUS]["S"] if item and ProductItem.STATUS in item \
            else "(no row yet)"
        print(f"  product status ({PRODUCT_TABLE}, {ProductItem.DATA_PRODUCT_VALUE}): {status}")

    def print_notifications(self) -> None:
        notes = self.stack.drain_queue(self.topic.queue_url)
        heading(f"Notifications published to the monitoring topic ({len(notes)})")
        for n in notes:
            print(f"  {n['Body']}")

    def groups(self) -> list[dict]:
        return [
            g
            for g in self.stack.pushgateway_groups()
            if g["labels"].get("correlation_id") == self.correlation_id
        ]

    def print_metrics(self, title: str, groups: list[dict] | None = None) -> None:
        groups = self.groups() if groups is None else groups
        heading(f"{title} ({len(groups)} group(s), one per process that pushed)")
        totals: dict[tuple[str, str], float] = {}
        for group in groups:
            for name, family in group.items():
                if not name.startswith("snapshot_sender_status_checker_"):
                    continue
                for entry in family["metrics"]:
                    extra = entry["labels"].get("collection_name", "")
                    value = float(entry.get("value", entry.get("count", 0)))
                    totals[(name, extra)] = totals.get((name, extra), 0) + value
        if groups:
            labels = groups[0]["labels"]
            print("  grouping: " + ", ".join(f"{k}={v}" for k, v in sorted(labels.items())
                                             if k != "instance") + ", instance=<per process>")
        for (name, collection), value in sorted(totals.items()):
            suffix = f"{{collection_name={collection}}}" if collection else ""
            unit = " observations" if name.endswith("processing_time") else ""
            print(f"  {name}{suffix} = {value:g}{unit}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack-env", type=Path, required=True)
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--rie", type=Path, required=True)
    args = parser.parse_args()
    for path in (args.binary, args.rie):
        if not os.access(path, os.X_OK):
            print(f"seed_run: {path} is missing or not executable", file=sys.stderr)
            return 2
    # A TERM ends the demo like Ctrl-C does: through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stack = stack_lib.Stack(stack_lib.read_env_file(args.stack_env))
    demo = Demo(stack, args.binary, args.rie, args.stack_env.parent)
    demo.create_resources()
    demo.seed()
    demo.start_rie()
    try:
        demo.deliver_files()
        demo.deliver_success_files()
    finally:
        demo.stop_rie()
    return 0


if __name__ == "__main__":
    sys.exit(main())
