"""What a chaos run feeds the binary: the export status rows as the exporter and the snapshot
sender leave them, and the SQS messages NiFi puts on the queue for every file and for each
collection's `_success` file. Pure functions of a seeded random generator (the rows' TimeToExist reads
the clock), no I/O."""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from dataclasses import dataclass, field

import seeding  # tests/integration/seeding.py: every importer has that folder on its path

SNAPSHOT_TYPES = ("full", "incremental")
SOURCE_QUEUE_ARN = "arn:aws:sqs:eu-west-2:000000000000:chaos-nifi-files"


@dataclass(frozen=True)
class Collection:
    name: str  # db.<database>.<collection>, as the snapshot sender names them
    files: int  # FilesExported: every one of them is sent and received exactly once (distinct)
    status: str  # Exported or Sent: where the exporter / sender left the row
    files_sent: int  # may lag behind files when the row is still Exported (SPEC 3.2)


@dataclass(frozen=True)
class RunPlan:
    correlation_id: str
    export_date: str
    snapshot_type: str
    shutdown_flag: str
    reprocess_files: str
    collections: tuple[Collection, ...]

    @property
    def total_files(self) -> int:
        return sum(c.files for c in self.collections)

    def collection(self, name: str) -> Collection:
        for c in self.collections:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass
class Delivery:
    """One SQS message. Redeliveries keep the message id; a duplicate is a second message."""

    message_id: str
    body: dict
    body_as_string: bool  # SQS hands bodies over as strings; the SPEC also accepts objects
    collection: str
    file_name: str
    is_success: bool
    duplicate: bool = False
    receives: int = 0
    visible_at: float = 0.0
    history: list[str] = field(default_factory=list)  # what happened at each receive


def plan_run(rng: random.Random, collections: int, max_files: int,
             correlation_id: str | None = None) -> RunPlan:
    """`collections` collections of 1..max_files files each.

    No collection has 0 files: the exporter marks a collection Exported with the number of
    files it wrote and NiFi then reports each file; with none, no message would ever arrive
    for it, the collection could never be received (SPEC 3.2 needs a message), and the run
    could never finish. The real pipeline does not send such a collection through here.
    """
    if collections < 1 or max_files < 1:
        raise ValueError("need at least one collection of at least one file")
    cid = correlation_id or f"chaos-{uuid.UUID(int=rng.getrandbits(128)).hex[:16]}"
    plan_collections = []
    for i in range(collections):
        files = rng.randint(1, max_files)
        status = rng.choice(("Exported", "Sent"))
        files_sent = files if status == "Sent" else rng.randint(0, files)
        plan_collections.append(Collection(f"db.chaos{i % 7}.coll_{i:03d}", files, status,
                                           files_sent))
    return RunPlan(
        correlation_id=cid,
        export_date=f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        snapshot_type=rng.choice(SNAPSHOT_TYPES),
        shutdown_flag=rng.choice(("true", "false")),
        reprocess_files=rng.choice(("true", "false")),
        collections=tuple(plan_collections),
    )


def status_rows(plan: RunPlan) -> list[dict]:
    """The rows as the exporter and the sender leave them: no FilesReceived yet, a week's
    TimeToExist."""
    ttl = int(time.time()) + 7 * 86400
    return [seeding.status_row(plan.correlation_id, c.name, c.status, exported=c.files,
                               sent=c.files_sent, time_to_exist=ttl) for c in plan.collections]


def file_name(c: Collection, index: int) -> str:
    db, _, coll = c.name.partition(".")[2].partition(".")
    return f"chaos/{db}/{coll}/{c.name}-{index:06d}.json.gz.enc"


def success_file_name(c: Collection) -> str:
    db, _, coll = c.name.partition(".")[2].partition(".")
    return f"chaos/{db}/{coll}/_success.json"


def _body(plan: RunPlan, c: Collection, rng: random.Random, name: str,
          success: bool) -> dict:
    body = {
        "correlation_id": plan.correlation_id,
        "collection_name": c.name,
        "snapshot_type": plan.snapshot_type,
        "export_date": plan.export_date,
        "shutdown_flag": plan.shutdown_flag,
        "reprocess_files": plan.reprocess_files,
    }
    # Both spellings of the file name field, and every accepted form of the flag.
    body["filename" if rng.random() < 0.2 else "file_name"] = name
    if success:
        body["is_success_file"] = rng.choice(("true", "TRUE", "True", True))
    else:
        flag = rng.choice((None, "false", False))
        if flag is not None:
            body["is_success_file"] = flag
    return body


def _delivery(rng: random.Random, body: dict, c: Collection, name: str, success: bool,
              duplicate: bool) -> Delivery:
    return Delivery(
        message_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        body=body,
        body_as_string=rng.random() < 0.85,
        collection=c.name,
        file_name=name,
        is_success=success,
        duplicate=duplicate,
    )


def file_deliveries(plan: RunPlan, rng: random.Random, duplicate_rate: float) -> list[Delivery]:
    """One message per file, about `duplicate_rate` of them sent twice, shuffled."""
    out: list[Delivery] = []
    for c in plan.collections:
        for i in range(c.files):
            name = file_name(c, i)
            body = _body(plan, c, rng, name, success=False)
            out.append(_delivery(rng, body, c, name, False, False))
            if rng.random() < duplicate_rate:
                out.append(_delivery(rng, dict(body), c, name, False, True))
    rng.shuffle(out)
    return out


def success_deliveries(plan: RunPlan, c: Collection, rng: random.Random,
                       duplicate_rate: float) -> list[Delivery]:
    name = success_file_name(c)
    body = _body(plan, c, rng, name, success=True)
    out = [_delivery(rng, body, c, name, True, False)]
    if rng.random() < duplicate_rate:
        out.append(_delivery(rng, dict(body), c, name, True, True))
    return out


def sqs_record(d: Delivery, sent_ms: int, now_ms: int) -> dict:
    body = json.dumps(d.body) if d.body_as_string else d.body
    raw = json.dumps(d.body)
    return {
        "messageId": d.message_id,
        "receiptHandle": f"{d.message_id}-{d.receives}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(max(d.receives, 1)),
            "SentTimestamp": str(sent_ms),
            "SenderId": "AIDACHAOSNIFI",
            "ApproximateFirstReceiveTimestamp": str(now_ms),
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(raw.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": SOURCE_QUEUE_ARN,
        "awsRegion": "eu-west-2",
    }


def sqs_event(batch: list[Delivery], sent_ms: int, now_ms: int) -> dict:
    return {"Records": [sqs_record(d, sent_ms, now_ms) for d in batch]}


def python_title(text: str) -> str:
    """Python's str.title(), as SPEC section 6 describes it."""
    out, prev_letter = [], False
    for ch in text:
        out.append(ch.lower() if prev_letter else ch.upper())
        prev_letter = ch.isalpha()
    return "".join(out)


def group_id(collection_name: str) -> str:
    return collection_name.replace(".", "_")
