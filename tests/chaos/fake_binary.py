"""A stand-in for snapshot-sender-status-checker, in Python, to check the chaos runner
itself: that it drives a consumer the way the binary is driven, and that its checks catch
what they must.

    python3 fake_binary.py invoke --event FILE --timeout-seconds N

Same contract as the binary's `invoke` (stdout: the batch response; stderr: JSON logs; exit
0 or 1), same environment. FAKE_MODE picks the behaviour:
- "correct": the exactly-once protocol of docs/design.md (file tokens on the row,
  conditional transitions that set a mark (PendingEffectsUntil), taken over once past its time);
- "naive": what the original Lambda did: every delivery counts, the transitions are
  unconditional. The chaos run must find anomalies in it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
import time
import urllib.parse
import uuid

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

MODE = os.environ.get("FAKE_MODE", "correct")
# Its own series names: the push gateway refuses a push whose series disagree in type or
# help text with a series of the same name in any group, so sharing the binary's names would
# break the binary's pushes while a group of this stand-in is left on the gateway.
METRIC_PREFIX = "fake_snapshot_sender_status_checker_"
INSTANCE = f"fake-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def log(level: str, message: str, **fields) -> None:
    if level == "DEBUG" and os.environ.get("LOG_LEVEL", "INFO") != "DEBUG":
        return
    print(json.dumps({"timestamp": time.time(), "log_level": level, "message": message,
                      **fields}), file=sys.stderr, flush=True)


class Deadline(Exception):
    pass


class Fake:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.deadline_ms = int(deadline * 1000)
        left = max(0.2, deadline - time.time())
        cfg = Config(retries={"total_max_attempts": 5, "mode": "standard"},
                     read_timeout=left, connect_timeout=min(2, left))
        session = boto3.session.Session()
        self.ddb = session.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"],
                                  config=cfg)
        self.sqs = session.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL_SQS"], config=cfg)
        self.sns = session.client("sns", endpoint_url=os.environ["AWS_ENDPOINT_URL_SNS"], config=cfg)
        self.table = os.environ["DYNAMO_DB_EXPORT_STATUS_TABLE_NAME"]
        self.product = os.environ["DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME"]
        self.counters: dict[tuple, float] = {}
        self.run_finished: set[str] = set()
        self.labels: dict[str, dict] = {}

    def check(self) -> None:
        if time.time() >= self.deadline:
            raise Deadline()

    def count(self, name: str, labels: dict) -> None:
        key = (name, tuple(sorted(labels.items())))
        self.counters[key] = self.counters.get(key, 0) + 1

    # -- workflow ----------------------------------------------------------------------

    def key(self, m: dict) -> dict:
        return {"CorrelationId": {"S": m["correlation_id"]},
                "CollectionName": {"S": m["collection_name"]}}

    def read(self, m: dict) -> dict:
        item = self.ddb.get_item(TableName=self.table, Key=self.key(m), ConsistentRead=True)
        return item.get("Item") or {}

    def update_if(self, **request) -> bool:
        try:
            self.ddb.update_item(**request)
            return True
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def transition(self, m: dict, frm: list[str], to: str) -> bool:
        values = {f":f{i}": {"S": s} for i, s in enumerate(frm)}
        values.update({":to": {"S": to}, ":until": {"N": str(self.deadline_ms)}})
        if MODE == "naive":
            self.ddb.update_item(TableName=self.table, Key=self.key(m),
                                 UpdateExpression="SET CollectionStatus = :to",
                                 ExpressionAttributeValues={":to": {"S": to}})
            return True
        return self.update_if(
            TableName=self.table, Key=self.key(m),
            UpdateExpression="SET CollectionStatus = :to, PendingEffectsUntil = :until",
            ConditionExpression=f"CollectionStatus IN ({', '.join(k for k in values if k.startswith(':f'))})",
            ExpressionAttributeValues=values)

    def take_over(self, m: dict, row: dict, status: str) -> bool:
        if MODE == "naive" or row.get("CollectionStatus", {}).get("S") != status:
            return False
        mark = row.get("PendingEffectsUntil", {}).get("N")
        if mark is None or int(mark) > int(time.time() * 1000):
            return False
        return self.update_if(
            TableName=self.table, Key=self.key(m),
            UpdateExpression="SET PendingEffectsUntil = :new",
            ConditionExpression="PendingEffectsUntil = :seen",
            ExpressionAttributeValues={":new": {"N": str(self.deadline_ms)}, ":seen": {"N": mark}})

    def clear(self, m: dict) -> None:
        if MODE != "naive":
            self.update_if(TableName=self.table, Key=self.key(m),
                           UpdateExpression="REMOVE PendingEffectsUntil",
                           ConditionExpression="PendingEffectsUntil = :own",
                           ExpressionAttributeValues={":own": {"N": str(self.deadline_ms)}})

    def statuses(self, cid: str) -> list[str]:
        out, start = [], None
        while True:
            kw = {"ExclusiveStartKey": start} if start else {}
            page = self.ddb.query(TableName=self.table, ConsistentRead=True,
                                  KeyConditionExpression="CorrelationId = :c",
                                  ExpressionAttributeValues={":c": {"S": cid}}, **kw)
            out += [i.get("CollectionStatus", {}).get("S", "") for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                return out

    def advance_product(self, m: dict, status: str, done: list[str], text: str,
                        metric: str) -> None:
        key = {"Correlation_Id": {"S": m["correlation_id"]}, "DataProduct": {"S": "SNAPSHOT_SENDER"}}
        values = {":s": {"S": status}, ":u": {"N": str(self.deadline_ms)}}
        values.update({f":d{i}": {"S": d} for i, d in enumerate(done)})
        cond = f"attribute_not_exists(#s) OR NOT (#s IN ({', '.join(f':d{i}' for i in range(len(done)))}))"
        if MODE == "naive":
            won = True
            self.ddb.update_item(TableName=self.product, Key=key, UpdateExpression="SET #s = :s",
                                 ExpressionAttributeNames={"#s": "Status"},
                                 ExpressionAttributeValues={":s": {"S": status}})
        else:
            won = self.update_if(TableName=self.product, Key=key,
                                 UpdateExpression="SET #s = :s, PendingEffectsUntil = :u",
                                 ConditionExpression=cond, ExpressionAttributeNames={"#s": "Status"},
                                 ExpressionAttributeValues=values)
        if not won:
            row = self.ddb.get_item(TableName=self.product, Key=key, ConsistentRead=True).get("Item", {})
            mark = row.get("PendingEffectsUntil", {}).get("N")
            if (row.get("Status", {}).get("S") != status or mark is None
                    or int(mark) > int(time.time() * 1000)):
                return
            if not self.update_if(TableName=self.product, Key=key,
                                  UpdateExpression="SET PendingEffectsUntil = :u",
                                  ConditionExpression="PendingEffectsUntil = :seen",
                                  ExpressionAttributeValues={":u": values[":u"], ":seen": {"N": mark}}):
                return
        title = "".join(ch.lower() if i and m["snapshot_type"][i - 1].isalpha() else ch.upper()
                        for i, ch in enumerate(m["snapshot_type"]))
        self.sns.publish(TopicArn=os.environ["MONITORING_SNS_TOPIC_ARN"], Message=json.dumps({
            "severity": "Critical", "notification_type": "Information",
            "slack_username": "Snapshot Sender", "title_text": f"{title} - {text}",
            "custom_elements": [{"key": "Export date", "value": m["export_date"]},
                                {"key": "Correlation Id", "value": m["correlation_id"]}]}))
        if won:
            self.count(metric, self.run_labels(m))
        if MODE != "naive":
            self.update_if(TableName=self.product, Key=key, UpdateExpression="REMOVE PendingEffectsUntil",
                           ConditionExpression="PendingEffectsUntil = :u",
                           ExpressionAttributeValues={":u": values[":u"]})

    def run_labels(self, m: dict) -> dict:
        return {"correlation_id": m["correlation_id"], "export_date": m["export_date"],
                "snapshot_type": m["snapshot_type"]}

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
            self.advance_product(m, "RECEIVED", ["RECEIVED", "COMPLETED"],
                                 "All collections received by NiFi", "all_collections_received")
        self.clear(m)

    def success_effects(self, m: dict) -> None:
        if all(s == "Success" for s in self.statuses(m["correlation_id"])):
            self.run_finished.add(m["correlation_id"])
            self.advance_product(m, "COMPLETED", ["COMPLETED"], "All collections successful",
                                 "all_collections_succesful")
        self.clear(m)

    def process(self, m: dict) -> None:
        self.labels[m["correlation_id"]] = self.run_labels(m)
        if str(m.get("is_success_file", "false")).lower() == "true":
            if self.transition(m, ["Received", "Sent"], "Success"):
                self.count("collections_successful", self.run_labels(m))
                self.success_effects(m)
            elif self.take_over(m, self.read(m), "Success"):
                self.success_effects(m)
            return
        name = m.get("file_name") or m.get("filename") or "NOT_SET"
        token = base64.urlsafe_b64encode(hashlib.sha256(name.encode()).digest()[:9]).decode()
        try:
            if MODE == "naive":
                raise ClientError({"Error": {"Code": "skip"}}, "UpdateItem")
            row = self.ddb.update_item(
                TableName=self.table, Key=self.key(m), ReturnValues="ALL_NEW",
                UpdateExpression="ADD FilesReceived :one, ReceivedFileTokens :t",
                ConditionExpression="attribute_exists(CorrelationId) AND NOT contains(ReceivedFileTokens, :tok)",
                ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"SS": [token]},
                                           ":tok": {"S": token}})["Attributes"]
            counted = True
        except ClientError as e:
            if MODE == "naive":
                row = self.ddb.update_item(
                    TableName=self.table, Key=self.key(m), ReturnValues="ALL_NEW",
                    UpdateExpression="ADD FilesReceived :one",
                    ExpressionAttributeValues={":one": {"N": "1"}})["Attributes"]
                counted = True
            elif e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                row, counted = self.read(m), False
                if not row:
                    raise
            else:
                raise
        if counted:
            self.count("files_received", {**self.run_labels(m), "collection_name": m["collection_name"]})
        status = row.get("CollectionStatus", {}).get("S")
        received = int(row.get("FilesReceived", {}).get("N", "0"))
        if status in ("Exported", "Sent") and received >= int(row["FilesExported"]["N"]):
            if self.transition(m, ["Exported", "Sent"], "Received"):
                self.count("collections_received", self.run_labels(m))
                self.received_effects(m)
            elif self.take_over(m, self.read(m), "Received"):
                self.received_effects(m)
        elif self.take_over(m, row, "Received"):
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
        for cid in set(by_run) | set(self.labels):
            lines = by_run.get(cid, [])
            path = (f"/metrics/job/snapshot_sender_status_checker/component/snapshot_sender_status_checker"
                    f"/correlation_id/{urllib.parse.quote(cid, safe='')}/instance/{INSTANCE}")
            try:
                requests.post(base + path, data="\n".join(lines) + "\n", timeout=5)
            except requests.RequestException as e:
                log("ERROR", "push failed", error=str(e))
        for cid in self.run_finished:
            time.sleep(float(os.environ.get("METRICS_SCRAPE_INTERVAL_SECONDS", "70")))
            groups = requests.get(base + "/api/v1/metrics", timeout=5).json()["data"]
            for g in groups:
                labels = g["labels"]
                if labels.get("correlation_id") == cid:
                    requests.delete(base + "/metrics/job/snapshot_sender_status_checker/component/"
                                    "snapshot_sender_status_checker/correlation_id/"
                                    f"{urllib.parse.quote(cid, safe='')}/instance/{labels['instance']}",
                                    timeout=5)


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
