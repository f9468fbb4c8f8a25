"""The conflicting DynamoDB (tests/chaos/conflicting_dynamodb.py) on its own, in front of the
serial moto, driven by boto3 (an independent client, no retries): each rule of "Transaction
conflict handling" as DynamoDB applies it. Overlaps are made on demand, not by timing: a
transaction holds its items for a long prepare phase, which the test ends when it has seen
what the others get meanwhile."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import stack as stack_lib

LONG_HOLD = 120.0  # never runs out: the test ends each prepare phase itself


@pytest.fixture
def tables(moto_dynamodb, unique_name) -> dict[str, str]:
    status = stack_lib.create_export_status_table(moto_dynamodb, unique_name("held-status"))
    receipts = stack_lib.create_file_receipts_table(moto_dynamodb, unique_name("held-receipts"))
    moto_dynamodb.put_item(TableName=status, Item={**row_key(), "FilesReceived": {"N": "0"}})
    return {"status": status, "receipts": receipts}


def client(stack: stack_lib.Stack, url: str) -> Any:
    return boto3.client(
        "dynamodb", endpoint_url=url, region_name=stack.region,
        aws_access_key_id=stack.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=stack.env["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"total_max_attempts": 1}, read_timeout=LONG_HOLD + 30))


def row_key() -> dict:
    return {"CorrelationId": {"S": "corr"}, "CollectionName": {"S": "db.a.b"}}


def count(tables: dict[str, str], receipt: str) -> list[dict]:
    """A file's count as the product writes it: its receipt and one ADD on the row."""
    return [
        {"Put": {"TableName": tables["receipts"], "Item": {"ReceiptKey": {"S": receipt}},
                 "ConditionExpression": "attribute_not_exists(ReceiptKey)"}},
        {"Update": {"TableName": tables["status"], "Key": row_key(),
                    "UpdateExpression": "ADD FilesReceived :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
    ]


def files_received(moto_dynamodb, tables) -> int:
    item = moto_dynamodb.get_item(TableName=tables["status"], Key=row_key(),
                                  ConsistentRead=True)["Item"]
    return int(item["FilesReceived"]["N"])


class Held:
    """A transaction sent on a thread of its own, held by the proxy until `.finish()`."""

    def __init__(self, proxy, ddb, actions: list[dict], **options: Any) -> None:
        self.proxy = proxy
        self.answer: dict | Exception | None = None
        before = proxy.item_holds.held()
        self.thread = threading.Thread(target=self._send, args=(ddb, actions, options))
        self.thread.start()
        wait_until(lambda: proxy.item_holds.held() >= before + len(actions))

    def _send(self, ddb, actions, options) -> None:
        try:
            self.answer = ddb.transact_write_items(TransactItems=actions, **options)
        except Exception as e:  # noqa: BLE001 - handed to the test
            self.answer = e

    def finish(self) -> dict:
        self.proxy.item_holds.end_prepare_phases()
        self.thread.join()
        assert isinstance(self.answer, dict), self.answer
        return self.answer


def wait_until(condition: Callable[[], bool]) -> None:
    """Waits for what the proxy's loop does on its own; bounded only so a broken proxy
    fails the test instead of hanging it."""
    end = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < end, "the proxy never got there"
        time.sleep(0.01)


def error_of(call: Callable[[], Any]) -> ClientError:
    with pytest.raises(ClientError) as info:
        call()
    return info.value


def test_a_transaction_on_a_held_item_is_cancelled_with_a_reason_per_action(
        stack, conflicting_dynamodb, moto_dynamodb, tables):
    proxy = conflicting_dynamodb(LONG_HOLD)
    ddb = client(stack, proxy.url("dynamodb"))
    first = Held(proxy, ddb, count(tables, "file-1"))
    error = error_of(lambda: ddb.transact_write_items(TransactItems=count(tables, "file-2")))
    first.finish()
    # The wire shape, as DynamoDB sends it: the receipt did not conflict, the row did.
    assert error.response["Error"]["Code"] == "TransactionCanceledException"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, TransactionConflict]")
    assert error.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
    # The cancelled one was never applied; the first was, once.
    assert files_received(moto_dynamodb, tables) == 1
    assert "Item" not in moto_dynamodb.get_item(TableName=tables["receipts"],
                                                Key={"ReceiptKey": {"S": "file-2"}})
    counts = proxy.item_holds.counts.snapshot()
    assert counts["transactions_forwarded"] == {tables["status"]: 1, tables["receipts"]: 1}
    assert counts["transactions_cancelled"] == {tables["status"]: 1}
    assert counts["cancelled_actions"] == 2


def test_plain_writes_to_a_held_item_are_refused_others_and_reads_pass(
        stack, conflicting_dynamodb, moto_dynamodb, tables):
    proxy = conflicting_dynamodb(LONG_HOLD)
    ddb = client(stack, proxy.url("dynamodb"))
    first = Held(proxy, ddb, count(tables, "file-1"))
    refused = [
        error_of(lambda: ddb.update_item(
            TableName=tables["status"], Key=row_key(), UpdateExpression="SET CollectionStatus = :s",
            ExpressionAttributeValues={":s": {"S": "Received"}})),
        error_of(lambda: ddb.put_item(TableName=tables["receipts"],
                                      Item={"ReceiptKey": {"S": "file-1"}})),
        error_of(lambda: ddb.delete_item(TableName=tables["status"], Key=row_key())),
    ]
    # A write to an item nobody holds, and reads of the held ones, are not blocked.
    ddb.put_item(TableName=tables["receipts"], Item={"ReceiptKey": {"S": "other"}})
    row = ddb.get_item(TableName=tables["status"], Key=row_key(), ConsistentRead=True)["Item"]
    queried = ddb.query(TableName=tables["status"], KeyConditionExpression="CorrelationId = :c",
                        ExpressionAttributeValues={":c": {"S": "corr"}})["Items"]
    first.finish()
    for error in refused:
        assert error.response["Error"]["Code"] == "TransactionConflictException"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert "Transaction is ongoing for the item" in error.response["Error"]["Message"]
    assert row["FilesReceived"] == {"N": "0"}  # read before the transaction was applied
    assert [i["FilesReceived"] for i in queried] == [{"N": "0"}]
    assert files_received(moto_dynamodb, tables) == 1  # nothing refused was applied
    counts = proxy.item_holds.counts.snapshot()
    assert counts["writes_refused"] == {tables["status"]: 2, tables["receipts"]: 1}


def test_once_the_hold_ends_the_next_transaction_goes_through(
        stack, conflicting_dynamodb, moto_dynamodb, tables):
    proxy = conflicting_dynamodb(LONG_HOLD)
    ddb = client(stack, proxy.url("dynamodb"))
    Held(proxy, ddb, count(tables, "file-1")).finish()
    Held(proxy, ddb, count(tables, "file-2")).finish()
    assert files_received(moto_dynamodb, tables) == 2
    assert proxy.item_holds.held() == 0
    counts = proxy.item_holds.counts.snapshot()
    assert counts["transactions_forwarded"] == {tables["status"]: 2, tables["receipts"]: 2}
    assert counts["transactions_cancelled"] == {}
    assert counts["mean_hold_ms"] > 0


def test_client_tokens_are_idempotent_as_on_dynamodb(
        stack, conflicting_dynamodb, moto_dynamodb, tables):
    proxy = conflicting_dynamodb(LONG_HOLD)
    ddb = client(stack, proxy.url("dynamodb"))
    first = Held(proxy, ddb, count(tables, "file-1"), ClientRequestToken="token-1")
    # While the first is under way, its token is in progress, whatever the actions.
    in_progress = error_of(lambda: ddb.transact_write_items(
        TransactItems=count(tables, "file-1"), ClientRequestToken="token-1"))
    mismatch_early = error_of(lambda: ddb.transact_write_items(
        TransactItems=count(tables, "file-9"), ClientRequestToken="token-1"))
    first.finish()
    # Once applied: the same token and actions are answered as the first, not applied again
    # (moto alone would refuse it: the receipt exists); other actions under it are refused.
    ddb.transact_write_items(TransactItems=count(tables, "file-1"), ClientRequestToken="token-1")
    mismatch = error_of(lambda: ddb.transact_write_items(
        TransactItems=count(tables, "file-2"), ClientRequestToken="token-1"))
    assert in_progress.response["Error"]["Code"] == "TransactionInProgressException"
    assert mismatch_early.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert mismatch.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert files_received(moto_dynamodb, tables) == 1
    assert proxy.stats.idempotent_replays == 1
    assert json.loads(json.dumps(proxy.item_holds.counts.snapshot()))[
        "transactions_forwarded"] == {tables["status"]: 1, tables["receipts"]: 1}
