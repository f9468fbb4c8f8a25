"""The three DynamoDB items' formats, for everything that seeds or reads them outside the
binary: the integration tests, the benchmark, the demo and the chaos test. The attribute
names are the binary's own (src/adapters/detail/table_format.hpp, SPEC section 2), each written
once here; test_seeding_formats.py checks that they still equal the header's.

    item = seeding.status_row(correlation_id, "db.a.b", "Exported", exported=3)
    client.put_item(TableName=table, Item=item)
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import time
from typing import Any

RECEIPT_LIFETIME_SECONDS = 30 * 86400  # what the binary gives a receipt (ExpiresAt)


class StatusRow:
    """A row of the export status table (table_format::status_row)."""

    CORRELATION_ID = "CorrelationId"
    COLLECTION_NAME = "CollectionName"
    COLLECTION_STATUS = "CollectionStatus"
    FILES_EXPORTED = "FilesExported"
    FILES_SENT = "FilesSent"
    FILES_RECEIVED = "FilesReceived"
    PENDING_EFFECTS_UNTIL = "PendingEffectsUntil"
    PENDING_EFFECTS_OWNER = "PendingEffectsOwner"
    RECEIVED_EFFECTS_BY = "ReceivedEffectsBy"
    SUCCESS_EFFECTS_BY = "SuccessEffectsBy"
    RUN_NOTIFIED_SUFFIX = " run"
    # The exporter's TTL (SPEC 2): the binary never reads it, the seeders write it as the
    # exporter does.
    TIME_TO_EXIST = "TimeToExist"


class Receipt:
    """An item of the file receipts table (table_format::receipt)."""

    RECEIPT_KEY = "ReceiptKey"
    OWNER = "CountedBy"
    EXPIRES_AT = "ExpiresAt"


class ProductItem:
    """This system's item of the product status table (table_format::product_item)."""

    CORRELATION_ID = "Correlation_Id"
    DATA_PRODUCT = "DataProduct"
    DATA_PRODUCT_VALUE = "SNAPSHOT_SENDER"
    STATUS = "Status"


# --- values --------------------------------------------------------------------------


def to_attr(value: Any) -> dict:
    """A plain Python value as a DynamoDB attribute value."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (set, frozenset)):
        return {"SS": sorted(value)}
    raise TypeError(f"no DynamoDB type for {value!r}")


def from_item(item: dict) -> dict:
    """A DynamoDB item as plain Python values (numbers as int where they are whole)."""
    plain: dict[str, Any] = {}
    for name, attr in item.items():
        (kind, value), = attr.items()
        if kind == "N":
            plain[name] = int(value) if value.lstrip("-").isdigit() else float(value)
        elif kind == "SS":
            plain[name] = set(value)
        else:
            plain[name] = value
    return plain


# --- items ---------------------------------------------------------------------------


def status_key(correlation_id: str, collection: str) -> dict:
    return {StatusRow.CORRELATION_ID: {"S": correlation_id},
            StatusRow.COLLECTION_NAME: {"S": collection}}


def status_row(correlation_id: str, collection: str, status: str, *,
               exported: int | None = None, sent: int | None = None,
               received: int | None = None, time_to_exist: int | None = None,
               **extra: Any) -> dict:
    """A row as the exporter and the sender leave it (and, with `received`, as counting
    left it). Attributes given None are left out; `extra` are plain values by name."""
    item = {**status_key(correlation_id, collection),
            StatusRow.COLLECTION_STATUS: {"S": status}}
    for name, value in ((StatusRow.FILES_EXPORTED, exported), (StatusRow.FILES_SENT, sent),
                        (StatusRow.FILES_RECEIVED, received),
                        (StatusRow.TIME_TO_EXIST, time_to_exist)):
        if value is not None:
            item[name] = to_attr(value)
    item.update({name: to_attr(value) for name, value in extra.items()})
    return item


def product_key(correlation_id: str) -> dict:
    return {ProductItem.CORRELATION_ID: {"S": correlation_id},
            ProductItem.DATA_PRODUCT: {"S": ProductItem.DATA_PRODUCT_VALUE}}


def receipt_key(correlation_id: str, collection_name: str, file_name: str) -> str:
    """The binary's receipt key (core::file_receipt_key): the first 144 bits of SHA-256
    of the run and the collection (each after its length in bytes and a colon) and the
    file name, base64url."""
    identity = b"".join(
        f"{len(part.encode())}:".encode() + part.encode()
        for part in (correlation_id, collection_name)
    ) + file_name.encode()
    return base64.urlsafe_b64encode(hashlib.sha256(identity).digest()[:18]).decode()


def receipt(key: str, owner: str = "seed", expires_at: int | None = None) -> dict:
    """A receipt as the count writes it (ExpiresAt defaults to the binary's lifetime)."""
    expires = expires_at if expires_at is not None else int(time.time()) + RECEIPT_LIFETIME_SECONDS
    return {Receipt.RECEIPT_KEY: {"S": key}, Receipt.OWNER: {"S": owner},
            Receipt.EXPIRES_AT: {"N": str(expires)}}


# --- writing -------------------------------------------------------------------------


def put_items(client: Any, table: str, items: list[dict], workers: int = 1) -> None:
    """`items` in BatchWriteItem requests of 25 (unprocessed ones sent again), from
    `workers` threads at once."""

    def write(batch: list[dict]) -> None:
        left = {table: [{"PutRequest": {"Item": item}} for item in batch]}
        while left:
            left = client.batch_write_item(RequestItems=left).get("UnprocessedItems") or {}

    batches = [items[i:i + 25] for i in range(0, len(items), 25)]
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(write, batches))


def put_receipts(client: Any, table: str, keys: list[str], workers: int = 4) -> None:
    """Receipts with `keys`, as the binary writes them."""
    expires = int(time.time()) + RECEIPT_LIFETIME_SECONDS
    put_items(client, table, [receipt(key, expires_at=expires) for key in keys], workers)


# --- reading -------------------------------------------------------------------------


def run_rows(client: Any, table: str, correlation_id: str) -> dict[str, dict]:
    """Every status row of a run, by collection name (consistent reads, all pages)."""
    rows: dict[str, dict] = {}
    pages = client.get_paginator("query").paginate(
        TableName=table, ConsistentRead=True,
        KeyConditionExpression=f"{StatusRow.CORRELATION_ID} = :c",
        ExpressionAttributeValues={":c": {"S": correlation_id}})
    for page in pages:
        rows.update({item[StatusRow.COLLECTION_NAME]["S"]: item for item in page["Items"]})
    return rows


def number(item: dict | None, name: str, default: int = 0) -> int:
    """A number attribute of a raw item, `default` when the item or attribute is absent."""
    return int((item or {}).get(name, {}).get("N", default))


def text(item: dict | None, name: str) -> str | None:
    """A string attribute of a raw item, None when the item or attribute is absent."""
    return (item or {}).get(name, {}).get("S")
