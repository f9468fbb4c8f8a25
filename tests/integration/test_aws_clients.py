"""The project's own DynamoDB, SQS and SNS clients against the local stack.

Every operation goes through tests/tools/aws_probe (BeastTransport, SigV4, the default
credentials chain, AwsClient) and its effect is checked with boto3. DynamoDB runs on both
dynalite (faithful validation) and moto (has transactions).
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest

import stack as stack_lib
from probe_client import Probe, key, probe_env



@pytest.fixture(scope="module")
def probe(stack, probe_binary) -> Iterator[Probe]:
    """A probe for SQS and SNS (always moto)."""
    with Probe(probe_binary, probe_env(stack)) as running:
        yield running


@pytest.fixture
def table(backend, unique_name) -> str:
    _, client, _ = backend
    return stack_lib.create_export_status_table(client, unique_name("clients"))


# --- DynamoDB ------------------------------------------------------------------


def test_get_item(backend, table):
    _, client, probe = backend
    item = {**key("c1", "db.a.b"), "CollectionStatus": {"S": "Sent"}, "FilesExported": {"N": "3"}}
    client.put_item(TableName=table, Item=item)

    got = probe.result(
        "dynamodb.GetItem",
        request={"TableName": table, "Key": key("c1", "db.a.b"), "ConsistentRead": True},
    )
    assert got == {"Item": item}
    missing = probe.result("dynamodb.GetItem", request={"TableName": table, "Key": key("c1", "none")})
    assert missing == {}


def test_update_item_with_expressions_names_and_values(backend, table):
    _, client, probe = backend
    client.put_item(TableName=table, Item={**key("c", "n"), "Status": {"S": "Sent"}})
    answer = probe.result(
        "dynamodb.UpdateItem",
        request={
            "TableName": table,
            "Key": key("c", "n"),
            "UpdateExpression": "SET #s = :new, Note = :note ADD FilesSeen :one",
            "ConditionExpression": "#s = :old",
            "ExpressionAttributeNames": {"#s": "Status"},
            "ExpressionAttributeValues": {
                ":new": {"S": "Received"},
                ":old": {"S": "Sent"},
                ":note": {"S": "naïve & \"quoted\" 𝄞"},
                ":one": {"N": "1"},
            },
            "ReturnValues": "ALL_NEW",
        },
    )
    stored = client.get_item(TableName=table, Key=key("c", "n"), ConsistentRead=True)["Item"]
    assert answer["Attributes"] == stored
    assert stored["Status"] == {"S": "Received"}
    assert stored["Note"] == {"S": "naïve & \"quoted\" 𝄞"}
    assert stored["FilesSeen"] == {"N": "1"}


def test_update_item_updated_new_returns_only_what_changed(backend, table):
    _, client, probe = backend
    client.put_item(TableName=table, Item={**key("c", "n"), "a": {"N": "5"}, "b": {"S": "x"}})
    answer = probe.result(
        "dynamodb.UpdateItem",
        request={
            "TableName": table,
            "Key": key("c", "n"),
            "UpdateExpression": "ADD a :two",
            "ExpressionAttributeValues": {":two": {"N": "2"}},
            "ReturnValues": "UPDATED_NEW",
        },
    )
    assert answer["Attributes"] == {"a": {"N": "7"}}


def test_condition_failure_is_an_answer_with_the_old_item(backend, table):
    name, client, probe = backend
    item = {**key("c", "n"), "CollectionStatus": {"S": "Received"}}
    client.put_item(TableName=table, Item=item)
    before = probe.requests()
    answer = probe.result(
        "dynamodb.UpdateItem",
        request={
            "TableName": table,
            "Key": key("c", "n"),
            "UpdateExpression": "SET CollectionStatus = :to",
            "ConditionExpression": "CollectionStatus = :from",
            "ExpressionAttributeValues": {":to": {"S": "Success"}, ":from": {"S": "Sent"}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    )
    # moto sends the old item back; dynalite accepts the parameter but never sends it (the
    # adapters' fallback read covers that case).
    assert answer == {"ConditionalCheckFailed": {"Item": item if name == "moto" else None}}
    assert probe.requests() - before == 1  # an answer: never retried
    assert client.get_item(TableName=table, Key=key("c", "n"))["Item"] == item


def test_condition_failure_on_missing_item_has_no_item(backend, table):
    _, client, probe = backend
    answer = probe.result(
        "dynamodb.UpdateItem",
        request={
            "TableName": table,
            "Key": key("c", "absent"),
            "UpdateExpression": "ADD FilesReceived :one",
            "ConditionExpression": "attribute_exists(CorrelationId)",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    )
    assert answer == {"ConditionalCheckFailed": {"Item": None}}
    assert "Item" not in client.get_item(TableName=table, Key=key("c", "absent"))


def test_query_follows_every_page(backend, table):
    _, client, probe = backend
    for i in range(25):
        client.put_item(TableName=table, Item={**key("run", f"coll-{i:02d}"), "i": {"N": str(i)}})
    client.put_item(TableName=table, Item={**key("other-run", "x"), "i": {"N": "99"}})
    answer = probe.result(
        "dynamodb.Query",
        request={
            "TableName": table,
            "KeyConditionExpression": "CorrelationId = :c",
            "ExpressionAttributeValues": {":c": {"S": "run"}},
            "ConsistentRead": True,
            "Limit": 10,
        },
    )
    assert answer["pages"] == 3
    assert answer["Count"] == 25
    assert [item["i"]["N"] for item in answer["Items"]] == [str(i) for i in range(25)]


def test_query_with_no_match_is_one_empty_page(backend, table):
    _, _, probe = backend
    answer = probe.result(
        "dynamodb.Query",
        request={
            "TableName": table,
            "KeyConditionExpression": "CorrelationId = :c",
            "ExpressionAttributeValues": {":c": {"S": "nobody"}},
        },
    )
    assert answer == {"Items": [], "Count": 0, "pages": 1}


def test_missing_table_is_resource_not_found(backend):
    _, _, probe = backend
    error = probe.error(
        "dynamodb.GetItem", request={"TableName": "no-such-table", "Key": key("c", "n")}
    )
    assert error["code"] == "ResourceNotFoundException"
    assert error["type"] == "AwsError"
    assert error["retryable"] is False
    assert error["http_status"] == 400
    assert error["message"]


def test_invalid_expression_is_validation_error(backend, table):
    _, _, probe = backend
    error = probe.error(
        "dynamodb.UpdateItem",
        request={"TableName": table, "Key": key("c", "n"), "UpdateExpression": "SET = nonsense"},
    )
    assert error["code"] == "ValidationException"
    assert error["retryable"] is False


def test_dynalite_validates_reserved_words(stack, probe_binary, unique_name):
    """dynalite rejects a reserved word used bare, as DynamoDB does: the adapters' #s matters."""
    table = stack_lib.create_product_table(stack.dynalite_dynamodb, unique_name("reserved"))
    with Probe(probe_binary, probe_env(stack, "dynalite")) as probe:
        error = probe.error(
            "dynamodb.UpdateItem",
            request={
                "TableName": table,
                "Key": {"Correlation_Id": {"S": "c"}, "DataProduct": {"S": "SNAPSHOT_SENDER"}},
                "UpdateExpression": "SET Status = :s",
                "ExpressionAttributeValues": {":s": {"S": "RECEIVED"}},
            },
        )
    assert error["code"] == "ValidationException"
    assert "reserved keyword" in error["message"]


def test_transact_write_items_on_moto(stack, probe_binary, unique_name):
    client = stack.moto_dynamodb
    table = stack_lib.create_export_status_table(client, unique_name("tx"))
    with Probe(probe_binary, probe_env(stack, "moto")) as probe:
        assert (
            probe.result(
                "dynamodb.TransactWriteItems",
                request={
                    "TransactItems": [
                        {"Put": {"TableName": table, "Item": {**key("c", "a"), "v": {"N": "1"}}}},
                        {
                            "Update": {
                                "TableName": table,
                                "Key": key("c", "b"),
                                "UpdateExpression": "SET v = :v",
                                "ExpressionAttributeValues": {":v": {"N": "2"}},
                            }
                        },
                    ]
                },
            )
            == {}
        )
        assert client.get_item(TableName=table, Key=key("c", "a"))["Item"]["v"] == {"N": "1"}
        assert client.get_item(TableName=table, Key=key("c", "b"))["Item"]["v"] == {"N": "2"}

        # A failed condition is an answer, with a reason per action, not an error.
        refused = probe.result(
            "dynamodb.TransactWriteItems",
            request={
                "TransactItems": [
                    {"Put": {"TableName": table, "Item": {**key("c", "new"), "v": {"N": "3"}}}},
                    {
                        "ConditionCheck": {
                            "TableName": table,
                            "Key": key("c", "a"),
                            "ConditionExpression": "attribute_not_exists(CorrelationId)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                ]
            },
        )
    codes = [reason["Code"] for reason in refused["CancellationReasons"]]
    assert codes == ["None", "ConditionalCheckFailed"]
    assert "Item" not in client.get_item(TableName=table, Key=key("c", "new"))


def test_transact_write_items_on_dynalite_is_an_error_not_a_crash(stack, probe_binary, unique_name):
    """dynalite has no transactions: the answer must still be a typed error."""
    table = stack_lib.create_export_status_table(stack.dynalite_dynamodb, unique_name("tx"))
    with Probe(probe_binary, probe_env(stack, "dynalite")) as probe:
        error = probe.error(
            "dynamodb.TransactWriteItems",
            request={"TransactItems": [{"Put": {"TableName": table, "Item": key("c", "a")}}]},
        )
        assert error["type"] == "AwsError"
        assert error["code"] == "UnknownOperationException"
        # The probe is still alive and well.
        assert probe.result("dynamodb.GetItem", request={"TableName": table, "Key": key("c", "a")}) == {}


# --- SQS -----------------------------------------------------------------------


def test_send_message_fifo_group_and_deduplication(stack, probe, unique_name):
    url = stack.create_fifo_queue(unique_name("export-state"))
    body = json.dumps({"correlation_id": "c", "topic_name": "db.a.b", "note": "ünïcode & more"})
    sent = probe.result(
        "sqs.SendMessage",
        request={
            "QueueUrl": url,
            "MessageBody": body,
            "MessageGroupId": "db_a_b",
            "MessageDeduplicationId": "dedup-1",
        },
    )
    assert sent["MessageId"]
    assert sent["SequenceNumber"]
    # The same deduplication id within five minutes is accepted but not delivered again.
    probe.result(
        "sqs.SendMessage",
        request={"QueueUrl": url, "MessageBody": body, "MessageGroupId": "db_a_b",
                 "MessageDeduplicationId": "dedup-1"},
    )
    messages = stack.drain_queue(url, expect=1)
    assert [m["Body"] for m in messages] == [body]
    assert messages[0]["MessageId"] == sent["MessageId"]
    assert messages[0]["Attributes"]["MessageGroupId"] == "db_a_b"
    assert messages[0]["Attributes"]["MessageDeduplicationId"] == "dedup-1"


def test_send_message_standard_queue(stack, probe, unique_name):
    url = stack.sqs.create_queue(QueueName=unique_name("plain"))["QueueUrl"]
    probe.result("sqs.SendMessage", request={"QueueUrl": url, "MessageBody": "hello"})
    assert [m["Body"] for m in stack.drain_queue(url, expect=1)] == ["hello"]


def test_send_to_missing_queue_is_a_typed_error(stack, probe):
    missing = f"{stack.moto_url}/123456789012/no-such-queue"
    error = probe.error("sqs.SendMessage", request={"QueueUrl": missing, "MessageBody": "x"})
    assert error["type"] == "AwsError"
    # The x-amzn-query-error header's code, as the SDKs report it (the JSON body says
    # QueueDoesNotExist).
    assert error["code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["retryable"] is False
    assert error["http_status"] == 400


# --- SNS -----------------------------------------------------------------------


def test_publish_reaches_the_subscribed_queue(stack, probe, unique_name):
    pair = stack.create_topic_with_queue(unique_name("monitoring"))
    # Characters the form encoding must carry intact.
    message = json.dumps(
        {"title_text": "Full_Snapshot - All collections received by NiFi",
         "odd": "a+b=c&d %20 ~ / é 𝄞 \n newline"}
    )
    published = probe.result("sns.Publish", request={"TopicArn": pair.topic_arn, "Message": message})
    assert published["MessageId"]
    received = stack.drain_queue(pair.queue_url, expect=1)
    assert [m["Body"] for m in received] == [message]


def test_publish_with_subject(stack, probe, unique_name):
    topic = stack.sns.create_topic(Name=unique_name("subject"))["TopicArn"]
    queue_url = stack.sqs.create_queue(QueueName=unique_name("subject-sub"))["QueueUrl"]
    queue_arn = stack.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    stack.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)  # enveloped delivery
    probe.result("sns.Publish", request={"TopicArn": topic, "Message": "body", "Subject": "A subject"})
    envelope = json.loads(stack.drain_queue(queue_url, expect=1)[0]["Body"])
    assert envelope["Message"] == "body"
    assert envelope["Subject"] == "A subject"


def test_publish_to_missing_topic_is_a_typed_error(probe):
    error = probe.error(
        "sns.Publish",
        request={"TopicArn": "arn:aws:sns:eu-west-2:123456789012:no-such-topic", "Message": "x"},
    )
    assert error["type"] == "AwsError"
    assert error["code"] == "NotFound"
    assert error["retryable"] is False
    assert error["request_id"]


# --- answers that are not what the protocol promises --------------------------


class _JunkServer:
    """A loopback HTTP server answering every POST with a fixed status and body."""

    def __init__(self, status: int, body: bytes, content_type: str = "text/html"):
        answer = (status, body, content_type)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server API)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(answer[0])
                self.send_header("Content-Type", answer[2])
                self.send_header("Content-Length", str(len(answer[1])))
                self.end_headers()
                self.wfile.write(answer[1])

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.mark.parametrize(
    "status,body",
    [(200, b"<html><body>captive portal</body></html>"), (502, b"<html>Bad Gateway</html>"),
     (200, b"")],
    ids=["html-200", "html-502", "empty-200"],
)
@pytest.mark.parametrize(
    "op,request_body,service",
    [
        ("dynamodb.GetItem", {"TableName": "t", "Key": {"k": {"S": "v"}}}, "dynamodb"),
        ("sqs.SendMessage", {"QueueUrl": "http://127.0.0.1:1/1/q", "MessageBody": "x"}, "sqs"),
        ("sns.Publish", {"TopicArn": "arn:aws:sns:eu-west-2:1:t", "Message": "x"}, "sns"),
    ],
    ids=["dynamodb", "sqs", "sns"],
)
def test_unreadable_answer_is_malformed_response(stack, probe_binary, status, body, op, request_body, service):
    junk = _JunkServer(status, body)
    try:
        env = probe_env(stack, "dynalite", **{f"AWS_ENDPOINT_URL_{service.upper()}": junk.url})
        with Probe(probe_binary, env) as probe:
            answer = probe.call(op, request=request_body)
    finally:
        junk.close()
    if status == 200 and not body and service != "sns":
        # An empty 200 is a valid (empty) JSON 1.0 answer; SNS must always send XML.
        assert "result" in answer, answer
        return
    error = answer["error"]
    assert error["code"] == "MalformedResponse", error
    assert service in error["message"]
    assert str(status) in error["message"]
    assert error["retryable"] is (status >= 500)


def test_nobody_listening_is_a_retryable_transport_error(stack, probe_binary):
    port = stack_lib.free_port()
    env = probe_env(stack, "dynalite", AWS_ENDPOINT_URL_DYNAMODB=f"http://127.0.0.1:{port}")
    with Probe(probe_binary, env) as probe:
        error = probe.error("dynamodb.GetItem", request={"TableName": "t", "Key": key("c", "n")})
        assert error["type"] == "TransportError"
        assert error["retryable"] is True
        stats = probe.result("probe.stats")["dynamodb"]
    assert stats["requests"] == 5  # the default policy's attempts, then the error
    assert stats["retries"] == 4
