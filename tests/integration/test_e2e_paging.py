"""SPEC 3.4 / 4.3: "every row of the correlation id" means every page of the query.

DynamoDB (and both stand-ins) stop a Query page at 1 MB. Rows here carry a
large attribute of another system's (as a wide row would), so a run of a few
collections already spans several pages. The one row that keeps the run from
being complete sorts last, on the last page.
"""

from __future__ import annotations

import json

from e2e_helpers import (
    RECEIVED_TEXT,
    SUCCESSFUL_TEXT,
    World,
    monitoring_body,
    world,  # noqa: F401  (fixture)
)

PADDING = "p" * 300_000  # 5 rows of this are more than one 1 MB page
NAMES = [f"db.page.c{i:02d}" for i in range(6)]


def _pages(w: World) -> int:
    pages, start = 0, None
    while True:
        page = w.dynamodb.query(
            TableName=w.export_table,
            KeyConditionExpression="CorrelationId = :c",
            ExpressionAttributeValues={":c": {"S": w.correlation_id}},
            ConsistentRead=True,
            **({"ExclusiveStartKey": start} if start else {}),
        )
        pages += 1
        start = page.get("LastEvaluatedKey")
        if not start:
            return pages


def test_unfinished_row_on_a_later_page_keeps_run_incomplete(world: World):
    w = world
    *received, last = NAMES
    for name in received[1:]:
        w.put_collection(name, "Received", exported=1, sent=1, received=1, Padding=PADDING)
    w.put_collection(received[0], "Sent", exported=1, sent=1, Padding=PADDING)
    w.put_collection(last, "Sent", exported=2, sent=2, received=0, Padding=PADDING)
    assert _pages(w) > 1, "the rows fit one page: the test would prove nothing"

    run = w.deliver(w.message(received[0], file_name="f"))

    assert run.failures == [], run.describe()
    assert w.status(received[0]) == "Received"
    assert len(w.export_state_messages(expect=1)) == 1
    assert w.notifications() == [], "notified while a row on the last page is still Sent"
    assert w.product() is None


def test_run_spanning_pages_completes_when_every_page_is_done(world: World):
    w = world
    *others, last = NAMES
    for name in others:
        w.put_collection(name, "Received", exported=1, sent=1, received=1, Padding=PADDING)
    w.put_collection(last, "Sent", exported=1, sent=1, Padding=PADDING)
    assert _pages(w) > 1

    w.deliver(w.message(last, file_name="f"))

    notes = w.notifications(expect=1)
    assert [json.loads(n) for n in notes] == [monitoring_body(w, RECEIVED_TEXT)]
    assert w.product()["Status"] == "RECEIVED"

    # Success: the first row (page 1) is the one still Received at the end.
    for name in NAMES[1:]:
        w.deliver(w.success_message(name))
    assert w.notifications() == [], "successful before the row on page 1 was"
    w.deliver(w.success_message(NAMES[0]))
    notes = w.notifications(expect=1)
    assert [json.loads(n) for n in notes] == [monitoring_body(w, SUCCESSFUL_TEXT)]
    assert w.product()["Status"] == "COMPLETED"


def test_many_small_rows(world: World):
    """A run of many collections, no padding: every row is read, whatever the page size."""
    w = world
    names = [f"db.many.c{i:03d}" for i in range(120)]
    for name in names[:-1]:
        w.put_collection(name, "Received", exported=1, sent=1, received=1)
    w.put_collection(names[-1], "Exported", exported=1, sent=1)

    w.deliver(w.message(names[-1], file_name="f"))

    assert [json.loads(n) for n in w.notifications(expect=1)] == [
        monitoring_body(w, RECEIVED_TEXT)
    ]
