"""The adapters behind the core's ports (src/adapters) against the local stack.

These are the writes that make the product correct under concurrency and redelivery, so
each is checked for its exact effect on the table (through boto3) on both DynamoDB
emulators. They differ where it matters: dynalite has no transactions, so counting a file
with its receipt lives in test_adapters_counting.py, on moto; both page Query answers at
1 MB of rows read (the projection does not make a page hold more).
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import stack as stack_lib
from probe_client import Probe, key, probe_env

CHAOS_DIR = Path(__file__).resolve().parent.parent / "chaos"
PRODUCT = "SNAPSHOT_SENDER"


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


# --- reading ---------------------------------------------------------------------


def test_read_returns_the_row_and_nothing_for_a_missing_one(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Received", FilesExported=4, FilesReceived=4,
            PendingEffectsUntil=1_700_000_000_123, PendingEffectsOwner="tok.1", FilesSent=4,
            TimeToExist=1_800_000_000)
    assert probe.result("status.read", table=status_table, correlation_id="corr",
                        collection_name="db.a.b") == {
        "row": {"status": "Received", "files_exported": 4, "files_received": 4,
                "pending": {"until_ms": 1_700_000_000_123, "owner": "tok.1"}}
    }
    assert probe.result("status.read", table=status_table, correlation_id="corr",
                        collection_name="nope") == {"row": None}


def test_read_of_a_bare_row_uses_defaults(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table)
    assert probe.result("status.read", table=status_table, correlation_id="corr",
                        collection_name="db.a.b") == {
        "row": {"status": "", "files_exported": None, "files_received": 0, "pending": None}
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


# --- transitions and the pending-effects mark ------------------------------------------


def transition(probe, table, source, to, until, owner="tok.0", collection="db.a.b") -> bool:
    # As the stage table says: the successful stage is not made over the received stage's
    # pending effects.
    not_while_pending_at = "Received" if to == "Success" else ""
    return probe.result("status.transition", table=table, correlation_id="corr",
                        collection_name=collection, to=to, until=until, owner=owner,
                        not_while_pending_at=not_while_pending_at,
                        **{"from": source})["moved"]


def mark_of(item: dict) -> tuple[str | None, str | None]:
    return (item.get("PendingEffectsUntil", {}).get("N"), item.get("PendingEffectsOwner", {}).get("S"))


def test_transition_moves_only_from_allowed_statuses_and_only_once(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Sent", FilesExported=2, FilesReceived=2)
    assert transition(probe, status_table, ["Exported", "Sent"], "Received", 1000, "a.0") is True
    item = stored(client, status_table)
    assert item["CollectionStatus"] == {"S": "Received"}
    assert mark_of(item) == ("1000", "a.0")
    assert item["FilesReceived"] == {"N": "2"}

    # The same move again (a concurrent or redelivered message) is refused.
    assert transition(probe, status_table, ["Exported", "Sent"], "Received", 2000, "b.0") is False
    assert mark_of(stored(client, status_table)) == ("1000", "a.0")
    # A status not in the list is refused.
    assert transition(probe, status_table, ["Exporting"], "Success", 3000, "c.0") is False
    # Received with its effects still pending: not moved on, the mark would be lost.
    assert transition(probe, status_table, ["Received", "Sent"], "Success", 4000, "d.0") is False
    assert mark_of(stored(client, status_table)) == ("1000", "a.0")
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b"}
    assert probe.result("status.remove_mark", owner="a.0", stage="received", **where) == {}
    assert transition(probe, status_table, ["Received", "Sent"], "Success", 4000, "d.0") is True
    item = stored(client, status_table)
    assert item["CollectionStatus"] == {"S": "Success"}
    assert mark_of(item) == ("4000", "d.0")
    assert item["ReceivedEffectsBy"] == {"S": "a.0"}


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
    """Four invocations with the same deadline: the owner says which one won."""
    name, client, _ = backend
    put_row(client, status_table, CollectionStatus="Sent")
    results: dict[str, bool] = {}
    barrier = threading.Barrier(4)

    def race(owner: str) -> None:
        with Probe(probe_binary, probe_env(stack, name)) as own:
            own.result("probe.stats")  # start-up done before the race
            barrier.wait(timeout=30)
            results[owner] = transition(own, status_table, ["Exported", "Sent"], "Received",
                                        1000, owner)

    owners = [f"inv-{i}.0" for i in range(4)]
    threads = [threading.Thread(target=race, args=(owner,)) for owner in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [False, False, False, True]
    winner = next(owner for owner, won in results.items() if won)
    item = stored(client, status_table)
    assert item["CollectionStatus"] == {"S": "Received"}
    assert mark_of(item) == ("1000", winner)


def test_take_over_and_remove_mark_go_by_the_owner(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Sent")
    assert transition(probe, status_table, ["Sent"], "Received", 100, "dead.0") is True
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b"}

    take_over = "status.take_over"
    assert probe.result(take_over, seen_until=100, seen_owner="other.0", until=500, owner="a.0",
                        **where) == {"taken_over": False}
    assert probe.result(take_over, seen_until=100, seen_owner="dead.0", until=200, owner="a.0",
                        **where) == {"taken_over": True}
    # A second call that saw the same expired mark and takes it over too loses.
    assert probe.result(take_over, seen_until=100, seen_owner="dead.0", until=300, owner="b.0",
                        **where) == {"taken_over": False}
    assert mark_of(stored(client, status_table)) == ("200", "a.0")

    # The first owner's removal no longer applies: the mark is the new owner's now, and so is
    # the record of the effects, which the new owner will write.
    remove = "status.remove_mark"
    assert probe.result(remove, owner="dead.0", stage="received", **where) == {}
    item = stored(client, status_table)
    assert mark_of(item) == ("200", "a.0")
    assert "ReceivedEffectsBy" not in item
    assert probe.result(remove, owner="a.0", stage="received", **where) == {}
    item = stored(client, status_table)
    assert mark_of(item) == (None, None)
    assert item["ReceivedEffectsBy"] == {"S": "a.0"}
    assert item["CollectionStatus"] == {"S": "Received"}
    # Removing it again, or taking over a mark that is gone, changes nothing and fails nothing.
    assert probe.result(remove, owner="a.0", stage="received", **where) == {}
    assert probe.result(remove, owner="b.0", stage="received", **where) == {}
    assert probe.result(take_over, seen_until=200, seen_owner="a.0", until=300, owner="b.0",
                        **where) == {"taken_over": False}
    item = stored(client, status_table)
    assert mark_of(item) == (None, None)
    assert item["ReceivedEffectsBy"] == {"S": "a.0"}


def test_a_mark_from_before_owners_is_taken_over_by_its_time(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Received", PendingEffectsUntil=100)
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b"}
    assert probe.result("status.read", **where)["row"]["pending"] == {"until_ms": 100, "owner": ""}
    take_over = "status.take_over"
    assert probe.result(take_over, seen_until=99, until=200, owner="a.0", **where) == {"taken_over": False}
    assert probe.result(take_over, seen_until=100, until=200, owner="a.0", **where) == {"taken_over": True}
    assert mark_of(stored(client, status_table)) == ("200", "a.0")
    # Now it has an owner: a take over by time alone no longer matches.
    assert probe.result(take_over, seen_until=200, until=300, owner="b.0", **where) == {"taken_over": False}


def test_remove_mark_and_take_over_on_a_missing_row_create_nothing(backend, status_table):
    _, client, probe = backend
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b"}
    assert probe.result("status.remove_mark", owner="a.0", stage="received", **where) == {}
    assert probe.result("status.take_over", seen_until=1, seen_owner="x.0", until=2,
                        owner="a.0", **where) == {"taken_over": False}
    assert stored(client, status_table) is None


# remove_mark removes the caller's mark and records the caller as who finished the stage,
# in one write (src/core/ports.hpp): a later delivery reads who did the effects, and whether
# that call also sent the run's notification ("<owner> run"). Each stage has its own
# attribute, so that the Received and the Success stage never overwrite each other.
STATUS_EFFECTS_BY = {"received": "ReceivedEffectsBy", "successful": "SuccessEffectsBy"}


def done_by(received: str = "", successful: str = "", run_notified: tuple[str, ...] = ()) -> dict:
    """effects_done_by as rows give it; an unrecorded stage has an empty owner."""
    owners = {"received": received, "successful": successful}
    return {stage: {"owner": owner, "run_notified": stage in run_notified}
            for stage, owner in owners.items()}


@pytest.mark.parametrize("run_notified", [False, True])
@pytest.mark.parametrize("stage", ["received", "successful"])
def test_remove_mark_records_the_owner_of_the_stage(backend, status_table, stage,
                                                       run_notified):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Received", PendingEffectsUntil=100,
            PendingEffectsOwner="a.0")
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b",
             "stage": stage, "run_notified": run_notified}
    # Another owner's removal leaves the mark, and records nothing.
    assert probe.result("status.remove_mark", owner="b.0", **where) == {}
    item = stored(client, status_table)
    assert mark_of(item) == ("100", "a.0")
    assert not set(STATUS_EFFECTS_BY.values()) & item.keys()

    assert probe.result("status.remove_mark", owner="a.0", **where) == {}
    item = stored(client, status_table)
    assert mark_of(item) == (None, None)
    assert {name: item[name] for name in STATUS_EFFECTS_BY.values() if name in item} == {
        STATUS_EFFECTS_BY[stage]: {"S": "a.0 run" if run_notified else "a.0"}
    }
    # The suffix is the flag, not part of the owner that a later delivery compares.
    row = probe.result("status.read", table=status_table, correlation_id="corr",
                       collection_name="db.a.b")["row"]
    assert row["effects_done_by"] == done_by(
        **{stage: "a.0"}, run_notified=(stage,) if run_notified else ())


def test_both_stages_keep_their_own_record(backend, status_table):
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Sent")
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b"}
    assert transition(probe, status_table, ["Sent"], "Received", 100, "a.0") is True
    assert probe.result("status.remove_mark", owner="a.0", stage="received", **where) == {}
    assert transition(probe, status_table, ["Received"], "Success", 200, "b.0") is True
    assert probe.result("status.remove_mark", owner="b.0", stage="successful", **where) == {}
    item = stored(client, status_table)
    assert item["ReceivedEffectsBy"] == {"S": "a.0"}
    assert item["SuccessEffectsBy"] == {"S": "b.0"}
    assert probe.result("status.read", **where) == {
        "row": {"status": "Success", "files_exported": None, "files_received": 0, "pending": None,
                "effects_done_by": done_by("a.0", "b.0")}
    }


def test_rows_carry_the_effects_record(backend, status_table):
    """read and a count's answer give what the row records (counting with a receipt:
    test_adapters_counting.py)."""
    _, client, probe = backend
    put_row(client, status_table, CollectionStatus="Received", FilesExported=2, FilesReceived=1,
            ReceivedEffectsBy="a.0")
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b"}
    expected = {"status": "Received", "files_exported": 2, "files_received": 2, "pending": None,
                "effects_done_by": done_by(received="a.0")}
    assert probe.result("status.count_file", **where)["row"] == expected
    assert probe.result("status.read", **where) == {"row": expected}


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


def advance(probe, table, status, done, until, owner="tok.0", correlation_id="corr") -> bool:
    return probe.result("product.transition", table=table, correlation_id=correlation_id,
                        status=status, done=done, until=until, owner=owner)["moved"]


def test_advance_creates_the_item(backend, product_table):
    _, client, probe = backend
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 111, "a.3") is True
    assert stored_product(client, product_table) == {
        **product_key("corr"),
        "Status": {"S": "RECEIVED"},
        "PendingEffectsUntil": {"N": "111"},
        "PendingEffectsOwner": {"S": "a.3"},
    }
    assert probe.result("product.read", table=product_table, correlation_id="corr") == {
        "row": {"status": "RECEIVED", "pending": {"until_ms": 111, "owner": "a.3"}}
    }


def test_advance_refuses_a_done_status(backend, product_table):
    _, client, probe = backend
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 1, "a.0") is True
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 2, "b.0") is False
    assert advance(probe, product_table, "COMPLETED", ["COMPLETED"], 3, "c.0") is True
    assert advance(probe, product_table, "COMPLETED", ["COMPLETED"], 4, "d.0") is False
    # RECEIVED arriving late never moves a completed run back.
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 5, "e.0") is False
    item = stored_product(client, product_table)
    assert item["Status"] == {"S": "COMPLETED"}
    assert mark_of(item) == ("3", "c.0")


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


def test_product_take_over_and_remove_mark(backend, product_table):
    _, client, probe = backend
    assert advance(probe, product_table, "COMPLETED", ["COMPLETED"], 10, "dead.0") is True
    where = {"table": product_table, "correlation_id": "corr"}
    take_over = "product.take_over"
    assert probe.result(take_over, seen_until=10, seen_owner="x.0", until=20, owner="a.0",
                        **where) == {"taken_over": False}
    assert probe.result(take_over, seen_until=10, seen_owner="dead.0", until=20, owner="a.0",
                        **where) == {"taken_over": True}
    # The first owner's removal no longer applies: the mark is the new owner's now.
    assert probe.result("product.remove_mark", owner="dead.0", **where) == {}
    assert mark_of(stored_product(client, product_table)) == ("20", "a.0")
    assert probe.result("product.remove_mark", owner="a.0", **where) == {}
    item = stored_product(client, product_table)
    assert mark_of(item) == (None, None)
    assert item["Status"] == {"S": "COMPLETED"}
    assert probe.result("product.read", **where) == {
        "row": {"status": "COMPLETED", "pending": None}
    }


def test_product_item_keeps_only_its_own_attributes(backend, product_table):
    """Other systems read this item: who did the effects is kept on the collection's row."""
    _, client, probe = backend
    where = {"table": product_table, "correlation_id": "corr"}
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 1, "a.0") is True
    assert probe.result("product.remove_mark", owner="a.0", **where) == {}
    assert stored_product(client, product_table) == {**product_key("corr"),
                                                     "Status": {"S": "RECEIVED"}}
    assert advance(probe, product_table, "COMPLETED", ["COMPLETED"], 2, "b.0") is True
    # The successful stage's mark is b.0's: a removal by the received stage's owner is refused.
    assert probe.result("product.remove_mark", owner="a.0", **where) == {}
    assert mark_of(stored_product(client, product_table)) == ("2", "b.0")
    assert probe.result("product.remove_mark", owner="b.0", **where) == {}
    # Nothing beside the key and the status: no ReceivedEffectsBy, CompletedEffectsBy or
    # any other record, and the mark gone with its owner.
    assert stored_product(client, product_table) == {**product_key("corr"),
                                                     "Status": {"S": "COMPLETED"}}


# --- writes applied but not answered ------------------------------------------------------
# The fault proxy of the chaos test stands between the probe and the emulator and resets
# the connection instead of passing on the answer to the first matching request, after the
# emulator applied it. The request is sent again (by libcurl, or by the client's retry) and
# its repeat is refused: the adapter answers "refused". The row then carries the caller's
# own owner (in the mark, the token set or the effects record): what the workflow reads to
# know the write was its own.


@pytest.fixture
def lossy_probe(backend, stack, probe_binary):
    """A probe whose first answer to a request that `drop` picks is lost."""
    sys.path.insert(0, str(CHAOS_DIR))
    import fault_proxy  # noqa: PLC0415 - the chaos tools are not a package

    name, client, _ = backend
    upstream = urllib.parse.urlparse(
        stack.dynalite_url if name == "dynalite" else stack.moto_dynamodb_url
    )
    dropped: list[str] = []
    picks: list[Callable[[dict], bool]] = []

    def hook(info, request, response) -> bool:
        if dropped or not picks or not response.start_line.split(" ")[1].startswith("2"):
            return False
        body = json.loads(request.body or b"{}")
        if picks[0](body):
            dropped.append(body.get("UpdateExpression", ""))
            return True
        return False

    route = fault_proxy.Route("dynamodb", upstream.hostname, upstream.port)
    with fault_proxy.FaultProxy([route], fault_proxy.FaultPlan(rate=0.0), hook=hook) as proxy:
        env = probe_env(stack, name, AWS_ENDPOINT_URL_DYNAMODB=proxy.url("dynamodb"))
        with Probe(probe_binary, env) as probe:
            def arm(pick: Callable[[dict], bool]) -> list[str]:
                picks.append(pick)
                return dropped
            yield client, probe, arm


def sets(what: str) -> Callable[[dict], bool]:
    return lambda body: body.get("UpdateExpression", "").startswith("SET " + what)


def updates(attribute: str) -> Callable[[dict], bool]:
    """Any write whose update expression names `attribute` (the count is an ADD)."""
    return lambda body: attribute in body.get("UpdateExpression", "")


def test_transition_applied_but_not_answered(lossy_probe, status_table):
    client, probe, arm = lossy_probe
    put_row(client, status_table, CollectionStatus="Sent", FilesExported=1, FilesReceived=1)
    dropped = arm(sets("CollectionStatus"))
    assert transition(probe, status_table, ["Exported", "Sent"], "Received", 1000, "mine.0") is False
    assert len(dropped) == 1
    row = probe.result("status.read", table=status_table, correlation_id="corr",
                       collection_name="db.a.b")["row"]
    assert row["status"] == "Received"
    assert row["pending"] == {"until_ms": 1000, "owner": "mine.0"}


def test_take_over_applied_but_not_answered(lossy_probe, status_table):
    client, probe, arm = lossy_probe
    put_row(client, status_table, CollectionStatus="Received", PendingEffectsUntil=5,
            PendingEffectsOwner="dead.0")
    dropped = arm(sets("PendingEffectsUntil"))
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b"}
    assert probe.result("status.take_over", seen_until=5, seen_owner="dead.0", until=900,
                        owner="mine.0", **where) == {"taken_over": False}
    assert len(dropped) == 1
    assert probe.result("status.read", **where)["row"]["pending"] == {"until_ms": 900,
                                                                       "owner": "mine.0"}


def test_remove_mark_applied_but_not_answered(lossy_probe, status_table):
    client, probe, arm = lossy_probe
    put_row(client, status_table, CollectionStatus="Received", PendingEffectsUntil=5,
            PendingEffectsOwner="mine.0")
    dropped = arm(updates("ReceivedEffectsBy"))
    where = {"table": status_table, "correlation_id": "corr", "collection_name": "db.a.b"}
    # The repeat finds the mark gone and is refused; that is no failure, and the record
    # names us.
    assert probe.result("status.remove_mark", owner="mine.0", stage="received",
                        **where) == {}
    assert len(dropped) == 1
    row = probe.result("status.read", **where)["row"]
    assert row["pending"] is None
    assert row["effects_done_by"] == done_by(received="mine.0")


def test_advance_applied_but_not_answered(lossy_probe, product_table):
    client, probe, arm = lossy_probe
    dropped = arm(sets("#s"))
    assert advance(probe, product_table, "RECEIVED", ["RECEIVED", "COMPLETED"], 700, "mine.0") is False
    assert len(dropped) == 1
    assert probe.result("product.read", table=product_table, correlation_id="corr") == {
        "row": {"status": "RECEIVED", "pending": {"until_ms": 700, "owner": "mine.0"}}
    }


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
        ("status.count_file", {}),
        ("status.read", {}),
        ("status.transition", {"from": ["Sent"], "to": "Received", "until": 1, "owner": "a.0"}),
        ("status.take_over", {"seen_until": 1, "seen_owner": "x.0", "until": 2, "owner": "a.0"}),
        ("status.remove_mark", {"owner": "a.0", "stage": "received"}),
        ("status.run_statuses", {}),
    ]:
        error = probe.error(op, **where, **extra)
        assert error["code"] == "ResourceNotFoundException", (op, error)
        assert error["retryable"] is False
    error = probe.error("product.transition", table="no-such-table", correlation_id="c",
                        status="RECEIVED", done=["RECEIVED"], until=1, owner="a.0")
    assert error["code"] == "ResourceNotFoundException"
    error = probe.error("product.remove_mark", table="no-such-table", correlation_id="c",
                        owner="a.0")
    assert error["code"] == "ResourceNotFoundException"
