"""The local stack does what the other integration tests rely on without seeing it: the
emulators' transactions and FIFO deduplication as AWS has them, the helpers' push gateway
reads and deletes, the env file, and stacks side by side. (A service that does not answer
at all fails every e2e test; that needs no test of its own.)
"""

from __future__ import annotations

import base64
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError

import stack as stack_lib


def test_moto_transact_write_items_is_all_or_nothing(moto_dynamodb, unique_name):
    table = stack_lib.create_export_status_table(moto_dynamodb, unique_name("tx"))

    def key(collection):
        return {"CorrelationId": {"S": "c"}, "CollectionName": {"S": collection}}

    moto_dynamodb.put_item(TableName=table, Item=key("a"))
    with pytest.raises(ClientError) as failure:
        moto_dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": key("b")}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": key("a"),
                        "ConditionExpression": "attribute_not_exists(CorrelationId)",
                    }
                },
            ]
        )
    assert failure.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert "Item" not in moto_dynamodb.get_item(TableName=table, Key=key("b"))

    moto_dynamodb.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": key("b")}}]
    )
    assert "Item" in moto_dynamodb.get_item(TableName=table, Key=key("b"))


def test_fifo_queue_keeps_group_and_drops_duplicates(stack, unique_name):
    url = stack.create_fifo_queue(unique_name("export-state"))
    for body in ("first", "first", "second"):
        stack.sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageGroupId="db_a_b",
            MessageDeduplicationId=f"dedup-{body}",
        )
    messages = stack.drain_queue(url, expect=2)
    assert [m["Body"] for m in messages] == ["first", "second"]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"db_a_b"}


def test_a_runs_groups_are_deleted_whatever_their_other_labels(stack, unique_name):
    """What a harness deletes after a run that never finished: every group of its
    correlation id (one per invocation, each its own instance, some label values needing
    the gateway's base64 form), and no other group."""
    base = stack.pushgateway_url
    ours, other = unique_name("corr"), unique_name("corr")
    paths = [f"/metrics/job/stack_check/correlation_id/{ours}/instance/vm-1-a",
             f"/metrics/job/stack_check/correlation_id/{ours}/instance@base64/"
             + base64.urlsafe_b64encode(b"vm/2 b").decode(),
             f"/metrics/job/stack_check/correlation_id/{other}/instance/vm-3-c"]
    for path in paths:
        requests.put(base + path, data="stack_check_total 1\n", timeout=10).raise_for_status()

    assert stack_lib.delete_pushgateway_groups(base, correlation_id=ours) == 2

    left = {g["labels"].get("correlation_id") for g in stack.pushgateway_groups()}
    assert ours not in left and other in left
    assert stack_lib.delete_pushgateway_groups(base, correlation_id=other) == 1


def test_a_read_after_a_delete_sees_the_delete_applied(stack, unique_name):
    """The gateway answers a DELETE (202) before applying it: with another client keeping
    its write queue busy, a plain read straight after the answer lists the deleted group
    about one time in four. The helpers' reads (stack_lib.settle_pushgateway) never do."""
    base = stack.pushgateway_url
    busy_group = f"{base}/metrics/job/{unique_name('stack_check_busy')}"
    busy_body = "".join(f'stack_check_busy_total{{i="{i}"}} 1\n' for i in range(1000))
    stop = threading.Event()

    def keep_the_queue_busy() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                session.put(busy_group, data=busy_body, timeout=10).raise_for_status()

    writer = threading.Thread(target=keep_the_queue_busy, daemon=True)
    writer.start()
    still_listed = []
    try:
        with requests.Session() as session:
            for _ in range(30):
                correlation_id = unique_name("corr")
                group = f"{base}/metrics/job/stack_check/correlation_id/{correlation_id}"
                session.put(group, data="stack_check_total 1\n", timeout=10).raise_for_status()
                assert session.delete(group, timeout=10).status_code == 202
                if any(g["labels"].get("correlation_id") == correlation_id
                       for g in stack.pushgateway_groups()):
                    still_listed.append(correlation_id)
    finally:
        stop.set()
        writer.join(timeout=30)
        requests.delete(busy_group, timeout=10)
    assert still_listed == [], f"{len(still_listed)} of 30 deleted groups were still listed"


def test_env_file_reads_the_same_in_bash_and_python(stack):
    env_file = stack_lib.stack_dir() / "env"
    python_view = stack_lib.read_env_file(env_file)
    names = sorted(python_view)
    script = f'source "{env_file}" && for n in {" ".join(names)}; do printf "%s=%s\\n" "$n" "${{!n}}"; done'
    shell = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=True, env={}
    ).stdout
    assert dict(line.split("=", 1) for line in shell.splitlines()) == python_view
    for name in (
        "SSC_DYNALITE_URL",
        "SSC_MOTO_URL",
        "SSC_PUSHGATEWAY_URL",
        "PUSHGATEWAY_HOSTNAME",
        "PUSHGATEWAY_PORT",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
    ):
        assert python_view[name], name
    assert python_view["SSC_PUSHGATEWAY_URL"].endswith(":" + python_view["PUSHGATEWAY_PORT"])


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _pids(directory: Path) -> list[int]:
    return [int(p.read_text().split()[0]) for p in sorted(directory.glob("*.pid"))]


def test_second_stack_coexists_restarts_and_stops_clean(stack, tmp_path):
    other_dir = tmp_path / "stack"
    try:
        stack_lib.run_stack_script("start", other_dir)
        other = stack_lib.Stack.from_dir(other_dir)
        assert other.is_up()
        ours = {stack.dynalite_url, stack.moto_url, stack.moto_dynamodb_url, stack.pushgateway_url}
        assert not ours & {
            other.dynalite_url, other.moto_url, other.moto_dynamodb_url, other.pushgateway_url
        }
        first_pids = _pids(other_dir)
        assert len(first_pids) == 4

        stack_lib.run_stack_script("start", other_dir)  # a restart
        second_pids = _pids(other_dir)
        assert len(second_pids) == 4 and not set(first_pids) & set(second_pids)
        assert not any(_alive(p) for p in first_pids)
        assert stack_lib.Stack.from_dir(other_dir).is_up()
    finally:
        stack_lib.run_stack_script("stop", other_dir)
    stack_lib.run_stack_script("stop", other_dir)  # stopping twice is fine
    assert not any(_alive(p) for p in second_pids)
    assert not (other_dir / "env").exists()
    assert stack.is_up(), "stopping another stack must leave this one running"


def test_missing_binary_fails_with_a_clear_message(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="not found at .*scripts/build.sh"):
        stack_lib.find_binary("no-such-program", tmp_path)
