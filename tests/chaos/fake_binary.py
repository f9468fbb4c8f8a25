"""A stand-in for snapshot-sender-status-checker, in Python, that does what the original
Lambda did: every delivery counts and every transition is unconditional. The chaos run must
find anomalies in it (tests/integration/test_chaos_small.py): its checks do catch a consumer
without exactly-once protection.

    python3 fake_binary.py invoke --event FILE --timeout-seconds N

Same contract as the binary's `invoke` (stdout: the batch response; stderr: JSON logs; exit
0 or 1), same environment.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from seeding import ProductItem, StatusRow, product_key, status_key  # noqa: E402

# Its own series names: the push gateway refuses a push whose series disagree in type or
# help text with a series of the same name in any group, so sharing the binary's names would
# break the binary's pushes while a group of this stand-in is left on the gateway.
METRIC_PREFIX = "fake_snapshot_sender_status_checker_"
INSTANCE = f"fake-{os.getpid()}-{uuid.uuid4().hex[:6]}"
GROUP = "/metrics/job/snapshot_sender_status_checker/component/snapshot_sender_status_checker"


def log(level: str, message: str, **fields) -> None:
    print(json.dumps({"timestamp": time.time(), "log_level": level, "message": message,
                      **fields}), file=sys.stderr, flush=True)


class Deadline(Exception):
    pass


class Fake:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        left = max(0.2, deadline - time.time())
        cfg = Config(retries={"total_max_attempts": 5, "mode": "standard"},
                     read_timeout=left, connect_timeout=min(2, left))
        session = boto3.session.Session()
        self.ddb, self.sqs, self.sns = (
            session.client(service, endpoint_url=os.environ[f"AWS_ENDPOINT_URL_{service.upper()}"],
                           config=cfg) for service in ("dynamodb", "sqs", "sns"))
        self.table = os.environ["DYNAMO_DB_EXPORT_STATUS_TABLE_NAME"]
        self.product = os.environ["DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME"]
        self.counters: dict[tuple, float] = {}
        self.run_finished: set[str] = set()
        self.runs: set[str] = set()

    def check(self) -> None:
        if time.time() >= self.deadline:
            raise Deadline()

    def count(self, name: str, m: dict, **labels: str) -> None:
        key = (name, tuple(sorted({**run_labels(m), **labels}.items())))
        self.counters[key] = self.counters.get(key, 0) + 1

    # -- workflow ----------------------------------------------------------------------

    def update(self, m: dict, expression: str, values: dict) -> dict:
        return self.ddb.update_item(
            TableName=self.table, Key=status_key(m["correlation_id"], m["collection_name"]),
            UpdateExpression=expression, ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW")["Attributes"]

    def set_status(self, m: dict, status: str) -> None:
        self.update(m, f"SET {StatusRow.COLLECTION_STATUS} = :to", {":to": {"S": status}})

    def statuses(self, cid: str) -> list[str]:
        pages = self.ddb.get_paginator("query").paginate(
            TableName=self.table, ConsistentRead=True,
            KeyConditionExpression=f"{StatusRow.CORRELATION_ID} = :c",
            ExpressionAttributeValues={":c": {"S": cid}})
        return [i.get(StatusRow.COLLECTION_STATUS, {}).get("S", "")
                for page in pages for i in page["Items"]]

    def advance_product(self, m: dict, status: str, text: str, metric: str) -> None:
        self.ddb.update_item(TableName=self.product, Key=product_key(m["correlation_id"]),
                             UpdateExpression="SET #s = :s",
                             ExpressionAttributeNames={"#s": ProductItem.STATUS},
                             ExpressionAttributeValues={":s": {"S": status}})
        title = "".join(ch.lower() if i and m["snapshot_type"][i - 1].isalpha() else ch.upper()
                        for i, ch in enumerate(m["snapshot_type"]))
        self.sns.publish(TopicArn=os.environ["MONITORING_SNS_TOPIC_ARN"], Message=json.dumps({
            "severity": "Critical", "notification_type": "Information",
            "slack_username": "Snapshot Sender", "title_text": f"{title} - {text}",
            "custom_elements": [{"key": "Export date", "value": m["export_date"]},
                                {"key": "Correlation Id", "value": m["correlation_id"]}]}))
        self.count(metric, m)

    def received_effects(self, m: dict) -> None:
        self.sqs.send_message(
            QueueUrl=os.environ["EXPORT_STATE_SQS_QUEUE_URL"],
            MessageBody=json.dumps({"shutdown_flag": m.get("shutdown_flag", "true"),
                                    "correlation_id": m["correlation_id"],
                                    "topic_name": m["collection_name"],
                                    "snapshot_type": m["snapshot_type"],
                                    "reprocess_files": m.get("reprocess_files", "true"),
                                    "export_date": m["export_date"],
                                    "send_success_indicator": "true"}),
            MessageGroupId=m["collection_name"].replace(".", "_"),
            MessageDeduplicationId=hashlib.sha256(
                f"{m['correlation_id']}/{m['collection_name']}".encode()).hexdigest()[:64])
        if all(s in ("Received", "Success") for s in self.statuses(m["correlation_id"])):
            self.advance_product(m, "RECEIVED", "All collections received by NiFi",
                                 "all_collections_received")

    def process(self, m: dict) -> None:
        self.runs.add(m["correlation_id"])
        if str(m.get("is_success_file", "false")).lower() == "true":
            self.set_status(m, "Success")
            self.count("collections_successful", m)
            if all(s == "Success" for s in self.statuses(m["correlation_id"])):
                self.run_finished.add(m["correlation_id"])
                self.advance_product(m, "COMPLETED", "All collections successful",
                                     "all_collections_succesful")
            return
        row = self.update(m, f"ADD {StatusRow.FILES_RECEIVED} :one", {":one": {"N": "1"}})
        self.count("files_received", m, collection_name=m["collection_name"])
        status = row.get(StatusRow.COLLECTION_STATUS, {}).get("S")
        received = int(row.get(StatusRow.FILES_RECEIVED, {}).get("N", "0"))
        if status in ("Exported", "Sent") and received >= int(row[StatusRow.FILES_EXPORTED]["N"]):
            self.set_status(m, "Received")
            self.count("collections_received", m)
            self.received_effects(m)

    # -- metrics -----------------------------------------------------------------------

    def push(self) -> None:
        host = os.environ.get("PUSHGATEWAY_HOSTNAME")
        if not host:
            return
        base = f"http://{host}:{os.environ.get('PUSHGATEWAY_PORT', '9091')}"
        by_run: dict[str, list[str]] = {}
        for (name, labels), value in self.counters.items():
            d = dict(labels)
            text = ",".join(f'{k}="{v}"' for k, v in sorted(d.items()))
            by_run.setdefault(d["correlation_id"], []).append(
                f"{METRIC_PREFIX}{name}_total{{{text}}} {value}")
        for cid in self.runs:
            path = f"{GROUP}/correlation_id/{urllib.parse.quote(cid, safe='')}"
            try:
                requests.post(f"{base}{path}/instance/{INSTANCE}",
                              data="\n".join(by_run.get(cid, [])) + "\n", timeout=5)
            except requests.RequestException as e:
                log("ERROR", "push failed", error=str(e))
        for cid in self.run_finished:
            time.sleep(float(os.environ.get("METRICS_SCRAPE_INTERVAL_SECONDS", "70")))
            groups = requests.get(base + "/api/v1/metrics", timeout=5).json()["data"]
            for g in groups:
                if g["labels"].get("correlation_id") == cid:
                    requests.delete(f"{base}{GROUP}/correlation_id/"
                                    f"{urllib.parse.quote(cid, safe='')}"
                                    f"/instance/{g['labels']['instance']}", timeout=5)


def run_labels(m: dict) -> dict:
    return {"correlation_id": m["correlation_id"], "export_date": m["export_date"],
            "snapshot_type": m["snapshot_type"]}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["invoke"])
    p.add_argument("--event")
    p.add_argument("--timeout-seconds", type=float, default=900)
    a = p.parse_args()
    started = time.time()
    event = json.load(open(a.event)) if a.event else json.load(sys.stdin)
    fake = Fake(started + a.timeout_seconds)
    failures = []
    for record in event["Records"]:
        body = record["body"]
        message = json.loads(body) if isinstance(body, str) else body
        try:
            fake.check()
            fake.process(message)
        except (ClientError, BotoCoreError, Deadline, KeyError) as e:
            log("ERROR", "message failed", error=repr(e)[:300])
            failures.append({"itemIdentifier": record["messageId"]})
    fake.push()
    print(json.dumps({"batchItemFailures": failures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
