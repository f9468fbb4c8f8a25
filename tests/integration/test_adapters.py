"""The adapters behind the core's ports (src/adapters) against the local stack.

These are the writes that make the product correct under concurrency and redelivery, so
each is checked for its exact effect on the table (through boto3) on both DynamoDB
emulators. They differ where it matters:
  - moto sends the old item back when a condition fails (ReturnValuesOnConditionCheckFailure
    ALL_OLD), so a duplicate file costs one request;
  - dynalite accepts the parameter but sends nothing back, so the adapter reads the row
    (a second, strongly consistent request) to tell a duplicate from a missing row;
  - both evaluate contains() on a string set, and both page Query answers at 1 MB of
    rows read (the projection does not make a page hold more).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import stack as stack_lib
from probe_client import Probe, key, probe_env

BACKENDS = ["dynalite", "moto"]
PRODUCT = "SNAPSHOT_SENDER"


@pytest.fixture(scope="module")
def probe_binary(binary):
    return binary("aws_probe")


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, stack, probe_binary) -> Iterator[tuple[str, Any, Probe]]:
    name = request.param
    with Probe(probe_binary, probe_env(stack, name)) as probe:
        yield name, getattr(stack, f"{name}_dynamodb"), probe


@pytest.fixture
def status_table(backend, unique_name) -> str:
    _, client, _ = backend
    return stack_lib.create_export_status_table(client, unique_name("export-status"))


@pytest.fixture
def product_table(backend, unique_name) -> str:
    _, client, _ = backend
    return stack_lib.create_product_table(client, unique_name("product"))


def put_row(client, table, correlation_id="corr", collection="db.a.b", **attributes) -> None:
    item = key(correlation_id, collection)
    for name, value in attributes.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    client.put_item(TableName=table, Item=item)


def stored(client, table, correlation_id="corr", collection="db.a.b") -> dict | None:
    return client.get_item(
        TableName=table, Key=key(correlation_id, collection), ConsistentRead=True
    ).get("Item")


def product_key(correlation_id: str) -> dict:
    return {"Correlation_Id": {"S": correlation_id}, "DataProduct": {"S": PRODUCT}}


def stored_product(client, table, correlation_id="corr") -> dict | None:
    return client.get_item(TableName=table, Key=product_key(correlation_id), ConsistentRead=True).get(
        "Item"
    )


def count(probe, table, token, correlation_id="corr", collection="db.a.b") -> dict:
    return probe.result(
        "status.count_file",
        table=table,
        correlation_id=correlation_id,
        collection_name=collection,
        file_token=token,
    )


# --- counting files --------------------------------------------------------------


def test_count_file_adds_one_per_new_file(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Sent", FilesExported=3)
    first = count(probe, status_table, "tok-a")
    assert first == {
        "counted": True,
        "row": {"status": "Sent", "files_exported": 3, "files_received": 1,
                "pending_effects_until_ms": None},
    }
    assert count(probe, status_table, "tok-b")["row"]["files_received"] == 2
    item = stored(client, status_table)
    assert item["FilesReceived"] == {"N": "2"}
    assert sorted(item["ReceivedFileTokens"]["SS"]) == ["tok-a", "tok-b"]
    assert item["CollectionStatus"] == {"S": "Sent"}  # nothing else touched


def test_duplicate_token_is_not_counted(backend, status_table):
    name, client, probe = backend
    put_row(client, status_table, CollectionStatus="Exported", FilesExported=5, FilesReceived=2)
    assert count(probe, status_table, "tok")["row"]["files_received"] == 3

    before = probe.requests()
    again = count(probe, status_table, "tok")
    used = probe.requests() - before
    assert again == {
        "counted": False,
        "row": {"status": "Exported", "files_exported": 5, "files_received": 3,
                "pending_effects_until_ms": None},
    }
    assert stored(client, status_table)["FilesReceived"] == {"N": "3"}
    # moto hands back the old item with the refusal; dynalite does not, so the adapter
    # reads the row to learn the refusal was a duplicate.
    assert used == (1 if name == "moto" else 2)


def test_count_without_token_counts_every_delivery(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Sent")
    for expected in (1, 2, 3):
        answer = count(probe, status_table, None)
        assert answer["counted"] is True
        assert answer["row"]["files_received"] == expected
        assert answer["row"]["files_exported"] is None
    assert "ReceivedFileTokens" not in stored(client, status_table)


@pytest.mark.parametrize("token", ["tok", None], ids=["with-token", "without-token"])
def test_missing_row_is_collection_not_found_and_nothing_is_created(backend, status_table, token):
    _, client, probe = backend
    put_row(client, status_table, collection="db.other.one", CollectionStatus="Sent")
    error = probe.error(
        "status.count_file",
        table=status_table,
        correlation_id="corr",
        collection_name="db.a.b",
        file_token=token,
    )
    assert error["code"] == "CollectionNotFound"
    assert "corr" in error["message"] and "db.a.b" in error["message"]
    assert stored(client, status_table) is None
    assert client.scan(TableName=status_table)["Count"] == 1


def test_concurrent_counts_count_each_file_once(backend, status_table, stack, probe_binary):
    """Four processes deliver the same 12 files, each in its own order."""
    name, client, _ = backend
    put_row(client, status_table, CollectionStatus="Sent", FilesExported=12)
    tokens = [f"file-{i:02d}" for i in range(12)]
    counted: list[list[bool]] = []
    errors: list[BaseException] = []

    def deliver(order: list[str]) -> None:
        try:
            with Probe(probe_binary, probe_env(stack, name)) as own:
                counted.append([count(own, status_table, t)["counted"] for t in order])
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    orders = [tokens, tokens[::-1], tokens[6:] + tokens[:6], tokens[::2] + tokens[1::2]]
    threads = [threading.Thread(target=deliver, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sum(sum(1 for c in run if c) for run in counted) == 12
    item = stored(client, status_table)
    assert item["FilesReceived"] == {"N": "12"}
    assert sorted(item["ReceivedFileTokens"]["SS"]) == tokens


# --- reading ---------------------------------------------------------------------


def test_read_returns_the_row_and_nothing_for_a_missing_one(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Received", FilesExported=4, FilesReceived=4,
            PendingEffectsUntil=1_700_000_000_123, FilesSent=4, TimeToExist=1_800_000_000)
    assert probe.result("status.read", table=status_table, correlation_id="corr",
                        collection_name="db.a.b") == {
        "row": {"status": "Received", "files_exported": 4, "files_received": 4,
                "pending_effects_until_ms": 1_700_000_000_123}
    }
    assert probe.result("status.read", table=status_table, correlation_id="corr",
                        collection_name="nope") == {"row": None}


def test_read_of_a_bare_row_uses_defaults(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table)
    assert probe.result("status.read", table=status_table, correlation_id="corr",
                        collection_name="db.a.b") == {
        "row": {"status": "", "files_exported": None, "files_received": 0,
                "pending_effects_until_ms": None}
    }


def test_malformed_number_is_a_clear_error(backend, status_table):
    _, client, probe = backend
    # Another system wrote the count as a string: an integer in it is read, anything else
    # is an error naming the attribute and the value.
    put_row(client, status_table, CollectionStatus="Sent", FilesExported="7")
    row = probe.result("status.read", table=status_table, correlation_id="corr",
                       collection_name="db.a.b")["row"]
    assert row["files_exported"] == 7
    put_row(client, status_table, CollectionStatus="Sent", FilesExported="seven")
    error = probe.error("status.read", table=status_table, correlation_id="corr",
                        collection_name="db.a.b")
    assert error["code"] == "MalformedResponse"
    assert "FilesExported" in error["message"] and "seven" in error["message"]
    assert status_table in error["message"]


# --- transitions and the pending-effects marker -------------------------------------


def transition(probe, table, source, to, until, collection="db.a.b") -> bool:
    return probe.result("status.transition", table=table, correlation_id="corr",
                        collection_name=collection, to=to, until=until, **{"from": source})["moved"]


def test_transition_moves_only_from_allowed_statuses_and_only_once(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Sent", FilesExported=2, FilesReceived=2)
    assert transition(probe, status_table, ["Exported", "Sent"], "Received", 1000) is True
    item = stored(client, status_table)
    assert item["CollectionStatus"] == {"S": "Received"}
    assert item["PendingEffectsUntil"] == {"N": "1000"}
    assert item["FilesReceived"] == {"N": "2"}

    # The same move again (a concurrent or redelivered message) is refused.
    assert transition(probe, status_table, ["Exported", "Sent"], "Received", 2000) is False
    assert stored(client, status_table)["PendingEffectsUntil"] == {"N": "1000"}
    # A status not in the list is refused.
    assert transition(probe, status_table, ["Exporting"], "Success", 3000) is False
    assert transition(probe, status_table, ["Received", "Sent"], "Success", 4000) is True
    assert stored(client, status_table)["CollectionStatus"] == {"S": "Success"}


def test_transition_of_a_missing_row_creates_nothing(backend, status_table):
    _, client, probe = backend
    assert transition(probe, status_table, ["Exported", "Sent"], "Received", 1) is False
    assert stored(client, status_table) is None


def test_transition_of_a_row_without_status_is_refused(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, FilesReceived=1)
    assert transition(probe, status_table, ["Exported", "Sent"], "Received", 1) is False
    assert "CollectionStatus" not in stored(client, status_table)


def test_concurrent_transitions_have_one_winner(backend, status_table, stack, probe_binary):
    name, client, _ = backend
    put_row(client, status_table, CollectionStatus="Sent")
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def race(until: int) -> None:
        with Probe(probe_binary, probe_env(stack, name)) as own:
            own.result("probe.stats")  # start-up done before the race
            barrier.wait(timeout=30)
            results.append(transition(own, status_table, ["Exported", "Sent"], "Received", until))

    threads = [threading.Thread(target=race, args=(1000 + i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    item = stored(client, status_table)
    assert item["CollectionStatus"] == {"S": "Received"}
    assert int(item["PendingEffectsUntil"]["N"]) in range(1000, 1004)


def test_claim_and_clear_pending(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Sent")
    assert transition(probe, status_table, ["Sent"], "Received", 100) is True
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b"}

    assert probe.result("status.claim_pending", seen=99, new=500, **where) == {"claimed": False}
    assert probe.result("status.claim_pending", seen=100, new=200, **where) == {"claimed": True}
    # A second claimant that saw the same expired marker loses.
    assert probe.result("status.claim_pending", seen=100, new=300, **where) == {"claimed": False}
    assert stored(client, status_table)["PendingEffectsUntil"] == {"N": "200"}

    # The first owner's clear no longer applies: the marker is the claimant's now.
    assert probe.result("status.clear_pending", own=100, **where) == {}
    assert stored(client, status_table)["PendingEffectsUntil"] == {"N": "200"}
    assert probe.result("status.clear_pending", own=200, **where) == {}
    item = stored(client, status_table)
    assert "PendingEffectsUntil" not in item
    assert item["CollectionStatus"] == {"S": "Received"}
    # Clearing again, or claiming a marker that is gone, changes nothing and fails nothing.
    assert probe.result("status.clear_pending", own=200, **where) == {}
    assert probe.result("status.claim_pending", seen=200, new=300, **where) == {"claimed": False}
    assert "PendingEffectsUntil" not in stored(client, status_table)


def test_clear_and_claim_on_a_missing_row_create_nothing(backend, status_table):
    _, client, probe = backend
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b"}
    assert probe.result("status.clear_pending", own=1, **where) == {}
    assert probe.result("status.claim_pending", seen=1, new=2, **where) == {"claimed": False}
    assert stored(client, status_table) is None


# --- the run's statuses ----------------------------------------------------------


def test_run_statuses_reads_every_page(backend, status_table):
    """Rows big enough that one Query page (1 MB) cannot hold them all."""
    name, client, probe = backend
    padding = "x" * 120_000
    expected = []
    for i in range(12):
        status = ["Received", "Success", "Sent"][i % 3]
        put_row(client, status_table, collection=f"db.c.{i:02d}", CollectionStatus=status,
                Padding=padding)
        expected.append(status)
    put_row(client, status_table, collection="db.c.99")  # a row without a status
    expected.append("")
    put_row(client, status_table, correlation_id="another-run", collection="db.c.00",
            CollectionStatus="Exporting")

    # The same query the adapter makes stops after the first 1 MB of rows read.
    first_page = client.query(
        TableName=status_table,
        KeyConditionExpression="CorrelationId = :c",
        ExpressionAttributeValues={":c": {"S": "corr"}},
        ConsistentRead=True,
        ProjectionExpression="CollectionStatus",
    )
    assert "LastEvaluatedKey" in first_page, f"{name} should page a 1.4 MB answer"
    assert first_page["Count"] < len(expected)

    before = probe.requests()
    statuses = probe.result("status.run_statuses", table=status_table, correlation_id="corr")
    assert statuses == {"statuses": expected}
    assert probe.requests() - before >= 2


def test_run_statuses_of_an_unknown_run_is_empty(backend, status_table):
    _, _, probe = backend
    assert probe.result("status.run_statuses", table=status_table, correlation_id="none") == {
        "statuses": []
    }


# --- the product status table ----------------------------------------------------


def advance(probe, table, status, done, until, correlation_id="corr") -> bool:
    return probe.result("product.advance", table=table, correlation_id=correlation_id,
                        status=status, done=done, until=until)["advanced"]


def test_advance_creates_the_item(backend, product_table):
    _, client, probe = backend
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 111) is True
    assert stored_product(client, product_table) == {
        **product_key("corr"),
        "Status": {"S": "RECEIVED"},
        "PendingEffectsUntil": {"N": "111"},
    }
    assert probe.result("product.read", table=product_table, correlation_id="corr") == {
        "row": {"status": "RECEIVED", "pending_effects_until_ms": 111}
    }


def test_advance_refuses_a_done_status(backend, product_table):
    _, client, probe = backend
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 1) is True
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 2) is False
    assert advance(probe, product_table, "COMPLETED", ["COMPLETED"], 3) is True
    assert advance(probe, product_table, "COMPLETED", ["COMPLETED"], 4) is False
    # RECEIVED arriving late never moves a completed run back.
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 5) is False
    item = stored_product(client, product_table)
    assert item["Status"] == {"S": "COMPLETED"}
    assert item["PendingEffectsUntil"] == {"N": "3"}


def test_advance_keeps_what_others_wrote(backend, product_table):
    _, client, probe = backend
    client.put_item(TableName=product_table,
                    Item={**product_key("corr"), "Status": {"S": "EXPORTING"},
                          "Run_Id": {"N": "7"}, "Date": {"S": "2020-01-01"}})
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 9) is True
    item = stored_product(client, product_table)
    assert item["Status"] == {"S": "RECEIVED"}
    assert item["Run_Id"] == {"N": "7"}
    assert item["Date"] == {"S": "2020-01-01"}


def test_product_read_of_a_missing_item(backend, product_table):
    _, _, probe = backend
    assert probe.result("product.read", table=product_table, correlation_id="none") == {"row": None}


def test_product_claim_and_clear(backend, product_table):
    _, client, probe = backend
    assert advance(probe, product_table, "COMPLETED", ["COMPLETED"], 10) is True
    where = {"table": product_table, "correlation_id": "corr"}
    assert probe.result("product.claim_pending", seen=9, new=20, **where) == {"claimed": False}
    assert probe.result("product.claim_pending", seen=10, new=20, **where) == {"claimed": True}
    assert probe.result("product.clear_pending", own=10, **where) == {}
    assert stored_product(client, product_table)["PendingEffectsUntil"] == {"N": "20"}
    assert probe.result("product.clear_pending", own=20, **where) == {}
    item = stored_product(client, product_table)
    assert "PendingEffectsUntil" not in item
    assert item["Status"] == {"S": "COMPLETED"}


# --- the export-state queue and monitoring -------------------------------------------


@pytest.fixture(scope="module")
def probe(stack, probe_binary) -> Iterator[Probe]:
    with Probe(probe_binary, probe_env(stack)) as running:
        yield running


def test_export_state_queue_sends_a_fifo_message(stack, probe, unique_name):
    url = stack.create_fifo_queue(unique_name("export-state"))
    body = json.dumps({"shutdown_flag": "true", "correlation_id": "corr", "topic_name": "db.a.b",
                       "snapshot_type": "full", "reprocess_files": "true",
                       "export_date": "2020-01-01", "send_success_indicator": "true"})
    assert probe.result("queue.send", queue_url=url, body=body, group="db_a_b", dedup="corr-db.a.b") == {}
    # A repeat after a crash carries the same deduplication id and is absorbed.
    assert probe.result("queue.send", queue_url=url, body=body, group="db_a_b", dedup="corr-db.a.b") == {}
    messages = stack.drain_queue(url, expect=1)
    assert [m["Body"] for m in messages] == [body]
    assert messages[0]["Attributes"]["MessageGroupId"] == "db_a_b"
    assert messages[0]["Attributes"]["MessageDeduplicationId"] == "corr-db.a.b"


def test_export_state_queue_to_a_missing_queue_fails(stack, probe):
    error = probe.error("queue.send", queue_url=f"{stack.moto_url}/123456789012/missing.fifo",
                        body="x", group="g", dedup="d")
    assert error["type"] == "AwsError"
    assert error["retryable"] is False


def test_monitoring_publishes_to_the_topic(stack, probe, unique_name):
    pair = stack.create_topic_with_queue(unique_name("monitoring"))
    message = json.dumps({
        "severity": "Critical", "notification_type": "Information",
        "slack_username": "Snapshot Sender",
        "title_text": "Incremental - All collections successful",
        "custom_elements": [{"key": "Export date", "value": "2020-01-01"},
                            {"key": "Correlation Id", "value": "corr"}],
    })
    assert probe.result("monitoring.publish", topic_arn=pair.topic_arn, message=message) == {}
    assert [m["Body"] for m in stack.drain_queue(pair.queue_url, expect=1)] == [message]


def test_missing_table_is_a_typed_error_in_every_adapter_call(backend):
    _, _, probe = backend
    where = {"table": "no-such-table", "correlation_id": "corr", "collection_name": "db.a.b"}
    for op, extra in [
        ("status.count_file", {"file_token": "t"}),
        ("status.read", {}),
        ("status.transition", {"from": ["Sent"], "to": "Received", "until": 1}),
        ("status.claim_pending", {"seen": 1, "new": 2}),
        ("status.clear_pending", {"own": 1}),
        ("status.run_statuses", {}),
    ]:
        error = probe.error(op, **where, **extra)
        assert error["code"] == "ResourceNotFoundException", (op, error)
        assert error["retryable"] is False
    error = probe.error("product.advance", table="no-such-table", correlation_id="c",
                        status="RECEIVED", done=["RECEIVED"], until=1)
    assert error["code"] == "ResourceNotFoundException"
