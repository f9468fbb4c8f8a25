"""Counting a file (SPEC sections 2 and 5) against moto, served one request at a time: the
receipt and the FilesReceived increment in one TransactWriteItems, checked for their exact
effect on both tables (through boto3). dynalite has no transactions; a file without a name
needs none and is counted on both emulators.
"""

from __future__ import annotations

import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import stack as stack_lib
from probe_client import Probe, key, probe_env

CHAOS_DIR = Path(__file__).resolve().parent.parent / "chaos"
sys.path.insert(0, str(CHAOS_DIR))
import fault_proxy  # noqa: E402  - the chaos tools are not a package

OWNER_A = "AbCdEfGh.1.aaaaaa0"
OWNER_A2 = "AbCdEfGh.2.bbbbbb0"  # a later delivery of the same message
OWNER_B = "ZyXwVuTs.1.cccccc0"  # another message
THIRTY_DAYS = 30 * 86400


@pytest.fixture(scope="module")
def moto(stack, probe_binary) -> Iterator[tuple[Any, Probe]]:
    with Probe(probe_binary, probe_env(stack, "moto")) as probe:
        yield stack.moto_dynamodb, probe


@pytest.fixture
def tables(moto, unique_name) -> dict[str, str]:
    client, _ = moto
    return {
        "table": stack_lib.create_export_status_table(client, unique_name("export-status")),
        "receipts_table": stack_lib.create_file_receipts_table(client, unique_name("receipts")),
    }


def put_row(client, table, **attributes) -> None:
    item = key("corr", "db.a.b")
    for name, value in attributes.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    client.put_item(TableName=table, Item=item)


def row_item(client, table) -> dict | None:
    return client.get_item(TableName=table, Key=key("corr", "db.a.b"), ConsistentRead=True).get(
        "Item"
    )


def receipts(client, table) -> dict[str, dict]:
    return {i["ReceiptKey"]["S"]: i for i in client.scan(TableName=table, ConsistentRead=True)["Items"]}


def count(probe, tables, receipt_key, owner=OWNER_A, collection="db.a.b") -> dict:
    return probe.result("status.count_file", correlation_id="corr", collection_name=collection,
                        receipt_key=receipt_key, owner=owner, **tables)


def test_a_count_writes_the_receipt_and_adds_one_in_two_requests(moto, tables):
    client, probe = moto
    put_row(client, tables["table"], CollectionStatus="Sent", FilesExported=3, FilesSent=3)
    before = probe.requests()
    first = count(probe, tables, "rk-a")
    assert probe.requests() - before == 2  # the transaction and a read of the row
    assert first == {
        "counted": True,
        "row": {"status": "Sent", "files_exported": 3, "files_received": 1, "pending": None},
        "counted_by": "",
    }
    assert count(probe, tables, "rk-b", OWNER_B)["row"]["files_received"] == 2
    row = row_item(client, tables["table"])
    # Nothing per file on the row: the other systems' attributes and FilesReceived.
    assert set(row) == {"CorrelationId", "CollectionName", "CollectionStatus", "FilesExported",
                        "FilesSent", "FilesReceived"}
    assert row["FilesReceived"] == {"N": "2"}
    stored = receipts(client, tables["receipts_table"])
    assert set(stored) == {"rk-a", "rk-b"}
    assert stored["rk-a"]["CountedBy"] == {"S": OWNER_A}
    assert stored["rk-b"]["CountedBy"] == {"S": OWNER_B}
    expires = int(stored["rk-a"]["ExpiresAt"]["N"])
    assert abs(expires - (time.time() + THIRTY_DAYS)) < 120


def test_a_counted_file_is_not_counted_again_and_names_who_counted_it(moto, tables):
    client, probe = moto
    put_row(client, tables["table"], CollectionStatus="Exported", FilesExported=5, FilesReceived=2)
    assert count(probe, tables, "rk")["counted"] is True
    before = probe.requests()
    for owner in (OWNER_A2, OWNER_B, OWNER_A):
        again = count(probe, tables, "rk", owner)
        assert again == {
            "counted": False,
            "row": {"status": "Exported", "files_exported": 5, "files_received": 3,
                    "pending": None},
            "counted_by": OWNER_A,
        }
    # moto hands the old receipt back with the refusal: the transaction and the row's read.
    assert probe.requests() - before == 6
    assert row_item(client, tables["table"])["FilesReceived"] == {"N": "3"}
    assert receipts(client, tables["receipts_table"])["rk"]["CountedBy"] == {"S": OWNER_A}


def test_the_same_file_name_in_another_collection_has_its_own_receipt(moto, tables):
    client, probe = moto
    put_row(client, tables["table"], CollectionStatus="Sent")
    client.put_item(TableName=tables["table"],
                    Item={**key("corr", "db.other"), "CollectionStatus": {"S": "Sent"}})
    # The core keys receipts by run, collection and file (core::file_receipt_key); two
    # keys are two files, whichever row they count on.
    assert count(probe, tables, "rk-1")["counted"] is True
    assert count(probe, tables, "rk-2", collection="db.other")["counted"] is True


@pytest.mark.parametrize("receipt_key", ["rk", None], ids=["with-receipt", "without-receipt"])
def test_a_missing_row_is_collection_not_found_and_nothing_is_written(moto, tables, receipt_key):
    client, probe = moto
    client.put_item(TableName=tables["table"],
                    Item={**key("corr", "db.other.one"), "CollectionStatus": {"S": "Sent"}})
    error = probe.error("status.count_file", correlation_id="corr", collection_name="db.a.b",
                        receipt_key=receipt_key, owner=OWNER_A, **tables)
    assert error["code"] == "CollectionNotFound"
    assert "corr" in error["message"] and "db.a.b" in error["message"]
    assert row_item(client, tables["table"]) is None
    assert client.scan(TableName=tables["table"])["Count"] == 1
    assert receipts(client, tables["receipts_table"]) == {}  # no receipt without its count


@pytest.mark.parametrize("emulator", ["moto", "dynalite"])
def test_a_file_without_name_is_counted_every_time_without_a_receipt(stack, probe_binary,
                                                                     unique_name, emulator):
    client = getattr(stack, f"{emulator}_dynamodb")
    table = stack_lib.create_export_status_table(client, unique_name("export-status"))
    put_row(client, table, CollectionStatus="Sent")
    with Probe(probe_binary, probe_env(stack, emulator)) as probe:
        for expected in (1, 2, 3):
            before = probe.requests()
            answer = probe.result("status.count_file", table=table, correlation_id="corr",
                                  collection_name="db.a.b")
            assert probe.requests() - before == 1  # one UpdateItem, the row in its answer
            assert answer["counted"] is True
            assert answer["row"]["files_received"] == expected


def test_concurrent_counts_count_each_file_once(moto, tables, stack, probe_binary):
    """Four processes deliver the same 12 files, each in its own order, under their own
    owners: a hot row, every count on it at once."""
    client, _ = moto
    put_row(client, tables["table"], CollectionStatus="Sent", FilesExported=12)
    files = [f"file-{i:02d}" for i in range(12)]
    counted: list[int] = []
    errors: list[BaseException] = []

    def deliver(order: list[str], owner: str) -> None:
        try:
            with Probe(probe_binary, probe_env(stack, "moto")) as own:
                counted.append(sum(count(own, tables, f, owner)["counted"] for f in order))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    orders = [files, files[::-1], files[6:] + files[:6], files[::2] + files[1::2]]
    threads = [threading.Thread(target=deliver, args=(order, f"Owner{i:03d}.1.x0"))
               for i, order in enumerate(orders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sum(counted) == 12
    assert row_item(client, tables["table"])["FilesReceived"] == {"N": "12"}
    assert set(receipts(client, tables["receipts_table"])) == set(files)


def test_the_row_does_not_grow_with_the_collection(moto, tables):
    client, probe = moto
    put_row(client, tables["table"], CollectionStatus="Sent", FilesExported=500)
    count(probe, tables, "f-0")
    first = row_item(client, tables["table"])
    for i in range(1, 300):
        count(probe, tables, f"f-{i}", f"Owner{i:03d}.1.x0")
    last = row_item(client, tables["table"])
    assert last.pop("FilesReceived") == {"N": "300"}
    assert first.pop("FilesReceived") == {"N": "1"}
    assert last == first  # the same attributes, the same values: nothing per file
    assert len(receipts(client, tables["receipts_table"])) == 300


# --- faults between the adapter and DynamoDB (tests/chaos/fault_proxy.py) --------------


def proxied(stack, **options) -> fault_proxy.FaultProxy:
    upstream = urllib.parse.urlparse(stack.moto_dynamodb_url)
    route = fault_proxy.Route("dynamodb", upstream.hostname, upstream.port)
    return fault_proxy.FaultProxy([route], fault_proxy.FaultPlan(rate=0.0), **options)


def lose_first_transaction_answer():
    lost: list[str] = []

    def hook(info, request, response) -> bool:
        if lost or info.operation != "TransactWriteItems":
            return False
        lost.append(response.start_line)
        return True

    return hook, lost


@pytest.mark.parametrize("honour", [False, True], ids=["emulator-refuses-repeat",
                                                        "dynamodb-idempotent-token"])
def test_a_transaction_applied_but_not_answered(moto, tables, stack, probe_binary, honour):
    """The count is applied and its answer lost; the request is sent again. moto refuses the
    repeat (the receipt exists) and the receipt names this very owner; real DynamoDB, which
    the proxy stands in for with honour_client_tokens, accepts the repeat of the same
    ClientRequestToken as the first. Either way: counted once, and reported as counted."""
    client, _ = moto
    put_row(client, tables["table"], CollectionStatus="Exported", FilesExported=3)
    hook, lost = lose_first_transaction_answer()
    with proxied(stack, hook=hook, honour_client_tokens=honour) as proxy:
        env = probe_env(stack, "moto", AWS_ENDPOINT_URL_DYNAMODB=proxy.url("dynamodb"))
        with Probe(probe_binary, env) as probe:
            result = count(probe, tables, "rk", OWNER_A)
        replays = proxy.stats.idempotent_replays
    assert len(lost) == 1 and lost[0].split(" ")[1] == "200"
    if honour:
        assert replays == 1
        assert result["counted"] is True
    else:
        assert replays == 0
        assert result["counted"] is False and result["counted_by"] == OWNER_A
    assert result["row"]["files_received"] == 1
    assert row_item(client, tables["table"])["FilesReceived"] == {"N": "1"}
    assert receipts(client, tables["receipts_table"])["rk"]["CountedBy"] == {"S": OWNER_A}


def test_transaction_conflicts_are_retried_and_count_once(moto, tables, stack, probe_binary):
    """Every transaction meets two conflicts first (the proxy answers TransactionConflict,
    as DynamoDB does when another transaction holds the row): retried with backoff, each
    file counted once."""
    client, _ = moto
    put_row(client, tables["table"], CollectionStatus="Sent", FilesExported=20)
    with proxied(stack, conflicts_per_transaction=2) as proxy:
        env = probe_env(stack, "moto", AWS_ENDPOINT_URL_DYNAMODB=proxy.url("dynamodb"))
        with Probe(probe_binary, env) as probe:
            results = [count(probe, tables, f"f-{i}", f"Owner{i:03d}.1.x0") for i in range(20)]
            stats = probe.result("probe.stats")
        conflicts = proxy.stats.faults_by_kind()["conflict"]
    print(f"conflicts answered: {conflicts}, the probe's client: {stats}")
    assert conflicts == 40
    # Each file: its transaction, sent again after each of its two conflicts, and a read.
    assert stats["dynamodb"]["requests"] == 20 * (1 + 2 + 1)
    assert all(r["counted"] for r in results)
    assert row_item(client, tables["table"])["FilesReceived"] == {"N": "20"}
    assert len(receipts(client, tables["receipts_table"])) == 20
