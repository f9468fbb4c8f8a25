"""Checks of the fault proxy on its own: a small local upstream stands in for the services,
and boto3 (an independent AWS client) must read each injected error as the intended service
error code."""

from __future__ import annotations

import http.client
import http.server
import json
import socket
import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from fault_proxy import FAULT_KINDS, FaultPlan, FaultProxy, Route


class Upstream(http.server.ThreadingHTTPServer):
    """Answers every POST with a canned success in the asking protocol; records bodies."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[bytes] = []
        self.chunked = False
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else every answer waits for a delayed ACK

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen.append(body)
        target = self.headers.get("X-Amz-Target", "")
        if target.startswith("DynamoDB"):
            payload, ctype = b'{"Item": {"K": {"S": "v"}}}', "application/x-amz-json-1.0"
        elif target.startswith("AmazonSQS"):
            payload = b'{"MessageId": "m-1", "MD5OfMessageBody": "x"}'
            ctype = "application/x-amz-json-1.0"
        else:
            payload = (b'<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
                       b"<PublishResult><MessageId>m-1</MessageId></PublishResult>"
                       b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
                       b"</PublishResponse>")
            ctype = "text/xml"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if self.server.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = len(payload) // 2
            for part in (payload[:half], payload[half:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)


@pytest.fixture
def upstream():
    server = Upstream()
    yield server
    server.shutdown()


def make_proxy(upstream: Upstream, kinds: tuple[str, ...], rate: float, delay: float = 1.0,
               hook=None) -> FaultProxy:
    routes = [Route(name, "127.0.0.1", upstream.port) for name in ("dynamodb", "sqs", "sns")]
    return FaultProxy(routes, FaultPlan(rate=rate, kinds=kinds, delay_seconds=delay, seed=7),
                      hook=hook)


def client(service: str, url: str, read_timeout: float = 5.0):
    return boto3.client(
        service, endpoint_url=url, region_name="eu-west-2", aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=read_timeout,
                      connect_timeout=2),
    )


def error_code(call) -> str:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"]


def ddb_get(c):
    return c.get_item(TableName="t", Key={"K": {"S": "v"}})


def sqs_send(c):
    return c.send_message(QueueUrl="http://127.0.0.1/123/q", MessageBody="hello")


def sns_publish(c):
    return c.publish(TopicArn="arn:aws:sns:eu-west-2:123456789012:t", Message="hello")


def test_forwards_without_faults_and_keeps_connections(upstream):
    upstream.chunked = True  # the proxy re-frames a chunked answer
    with make_proxy(upstream, FAULT_KINDS, rate=0.0) as proxy:
        ddb = client("dynamodb", proxy.url("dynamodb"))
        for _ in range(5):
            assert ddb_get(ddb)["Item"]["K"]["S"] == "v"
        assert sqs_send(client("sqs", proxy.url("sqs")))["MessageId"] == "m-1"
        assert sns_publish(client("sns", proxy.url("sns")))["MessageId"] == "m-1"
        snap = proxy.stats.snapshot()
    assert snap["requests"]["dynamodb.GetItem"] == 5
    assert snap["requests"]["sqs.SendMessage"] == 1
    assert snap["requests"]["sns.Publish"] == 1
    assert snap["faults"] == {}
    assert len(upstream.seen) == 7


def test_throttle_in_each_services_format(upstream):
    with make_proxy(upstream, ("throttle",), rate=1.0) as proxy:
        ddb = client("dynamodb", proxy.url("dynamodb"))
        codes = {error_code(lambda: ddb_get(ddb)) for _ in range(2)}
        assert codes == {"ProvisionedThroughputExceededException", "ThrottlingException"}
        assert error_code(lambda: sqs_send(client("sqs", proxy.url("sqs")))) in (
            "ThrottlingException", "RequestThrottled")
        assert error_code(lambda: sns_publish(client("sns", proxy.url("sns")))) == "Throttling"
        assert proxy.stats.faults_by_kind()["throttle"] == 4
    assert upstream.seen == []  # answered by the proxy, never forwarded


@pytest.mark.parametrize("kind,status", [("error_500", 500), ("error_503", 503)])
def test_server_errors_carry_status(upstream, kind, status):
    with make_proxy(upstream, (kind,), rate=1.0) as proxy:
        for service, call in (("dynamodb", ddb_get), ("sqs", sqs_send), ("sns", sns_publish)):
            c = client(service, proxy.url(service))
            with pytest.raises(ClientError) as info:
                call(c)
            assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
            assert info.value.response["Error"]["Code"] in (
                "InternalServerError", "InternalError", "ServiceUnavailableException",
                "ServiceUnavailable")
    assert upstream.seen == []


def test_reset_before_forwards_nothing(upstream):
    with make_proxy(upstream, ("reset_before",), rate=1.0) as proxy:
        with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
            ddb_get(client("dynamodb", proxy.url("dynamodb")))
        assert proxy.stats.faults_by_kind()["reset_before"] == 1
    assert upstream.seen == []


def test_reset_after_applies_but_does_not_answer(upstream):
    with make_proxy(upstream, ("reset_after",), rate=1.0) as proxy:
        with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
            sqs_send(client("sqs", proxy.url("sqs")))
        records = proxy.stats.ambiguous_records()
    assert len(upstream.seen) == 1  # applied upstream
    assert [(r.service, r.operation, r.kind) for r in records] == [
        ("sqs", "SendMessage", "reset_after")]
    assert "hello" in records[0].summary


def test_delay_outlasts_the_client_then_applies_late(upstream):
    with make_proxy(upstream, ("delay",), rate=1.0, delay=1.5) as proxy:
        with pytest.raises(ReadTimeoutError):
            sns_publish(client("sns", proxy.url("sns"), read_timeout=0.5))
        assert upstream.seen == []
        time.sleep(1.5)
        assert len(upstream.seen) == 1  # applied after the client gave up
        assert proxy.stats.faults_by_kind()["delay"] == 1


def test_expect_continue_and_hook_drop(upstream):
    dropped = []

    def hook(info, request, response):
        dropped.append(info.operation)
        return info.operation == "UpdateItem"

    with make_proxy(upstream, FAULT_KINDS, rate=0.0, hook=hook) as proxy:
        port = int(proxy.url("dynamodb").rsplit(":", 1)[1])
        body = json.dumps({"TableName": "t", "pad": "x" * 2000}).encode()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.putrequest("POST", "/")
        conn.putheader("X-Amz-Target", "DynamoDB_20120810.GetItem")
        conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Expect", "100-continue")
        conn.endheaders()
        # A client that waits for 100 Continue before sending the body.
        sock = conn.sock
        interim = sock.recv(64)
        assert interim.startswith(b"HTTP/1.1 100")
        sock.sendall(body)
        resp = conn.getresponse()
        assert resp.status == 200 and b"Item" in resp.read()
        conn.close()
        with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
            client("dynamodb", proxy.url("dynamodb")).update_item(
                TableName="t", Key={"K": {"S": "v"}}, UpdateExpression="SET A = :a",
                ExpressionAttributeValues={":a": {"S": "Received"}})
        assert proxy.stats.snapshot()["dropped_by_hook"] == {"dynamodb.UpdateItem": 1}
    assert dropped == ["GetItem", "UpdateItem"]
    assert len(upstream.seen) == 2


def test_rate_is_roughly_honoured_and_seeded(upstream):
    counts = []
    for _ in range(2):
        with make_proxy(upstream, ("error_500", "throttle"), rate=0.3) as proxy:
            ddb = client("dynamodb", proxy.url("dynamodb"))
            for _ in range(200):
                try:
                    ddb_get(ddb)
                except ClientError:
                    pass
            counts.append(proxy.stats.faults_by_kind())
    assert counts[0] == counts[1]  # same seed, same sequential requests: same faults
    total = counts[0]["error_500"] + counts[0]["throttle"]
    assert 35 <= total <= 85, counts


def test_only_loopback_upstreams():
    with pytest.raises(ValueError):
        FaultProxy([Route("sqs", "10.0.0.1", 80)], FaultPlan())
    with socket.socket() as s:  # and it listens on 127.0.0.1 only
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proxy = FaultProxy([Route("sqs", "127.0.0.1", port)], FaultPlan()).start()
    try:
        assert proxy.url("sqs").startswith("http://127.0.0.1:")
        assert proxy._servers[0].sockets[0].getsockname()[0] == "127.0.0.1"
    finally:
        proxy.stop()


def test_first_faults_meet_every_kind_and_service_rates_apply():
    plan = FaultPlan(rate=1.0, seed=3)
    for service in ("dynamodb", "sns"):
        got = [plan.choose(service) for _ in range(len(FAULT_KINDS))]
        assert sorted(got) == sorted(FAULT_KINDS)
    only_sns = FaultPlan(rate=0.0, service_rates={"sns": 1.0})
    assert only_sns.choose("dynamodb") is None
    assert only_sns.choose("sns") in FAULT_KINDS


def test_a_request_that_comes_again_after_a_reset_is_counted(upstream):
    class Scripted(FaultPlan):
        def choose(self, service):
            return "reset_after" if self.script.pop(0) else None

    plan = Scripted()
    plan.script = [False, True, False, False]
    routes = [Route("sqs", "127.0.0.1", upstream.port)]
    with FaultProxy(routes, plan, identify=lambda port: "one-client") as proxy:
        port = int(proxy.url("sqs").rsplit(":", 1)[1])
        for signature in ("AWS4 sig=a", "AWS4 sig=b", "AWS4 sig=b", "AWS4 sig=a"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("POST", "/", body=b"{}", headers={
                    "X-Amz-Target": "AmazonSQS.SendMessage", "Authorization": signature})
                conn.getresponse().read()
            except (ConnectionError, http.client.HTTPException):
                pass  # the scripted reset
            conn.close()
        # Only b was reset, so only its second sending counts; a's repeat does not.
        assert proxy.stats.snapshot()["repeats_after_reset"] == {"sqs.SendMessage": 1}
