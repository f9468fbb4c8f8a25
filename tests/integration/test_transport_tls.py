"""TLS as the transport does it on Lambda: the peer is verified against the CA bundle named by
SSL_CERT_FILE, by chain and by address, and a kept TLS connection carries the next request.

An HTTPS stand-in for DynamoDB on 127.0.0.1 with throwaway certificates (made with the openssl
tool) answers every request with an error that names a marker, so the binary's log shows
whether a request got through. The local stack is not needed.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from e2e_helpers import Run, run_binary

MARKER = "reached-over-verified-tls"
EVENT = json.dumps({"Records": [{
    "messageId": "tls-1", "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:q",
    "body": {"correlation_id": "tls", "collection_name": "db.tls", "snapshot_type": "full",
             "export_date": "2020-01-01", "file_name": "db.tls-000.gz.enc"}}]})


def make_certificate(directory: Path, name: str, subject_alt_name: str) -> tuple[Path, Path]:
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName={subject_alt_name}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    return cert, key


@dataclass
class Counts:
    connections: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class StandIn:
    """HTTPS on 127.0.0.1 with the given certificate; every answer is an error with MARKER."""

    def __init__(self, cert: Path, key: Path, status: int, error_type: str) -> None:
        counts = self.counts = Counts()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps connections alive

            def setup(self) -> None:
                super().setup()
                with counts.lock:
                    counts.connections += 1

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with counts.lock:
                    counts.requests += 1
                body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{error_type}",
                                   "message": MARKER}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    directory = tmp_path_factory.mktemp("tls")
    return {
        "server": make_certificate(directory, "server", "IP:127.0.0.1"),
        "stranger": make_certificate(directory, "stranger", "IP:127.0.0.1"),
        "other-name": make_certificate(directory, "other-name", "DNS:other.invalid"),
    }


@pytest.fixture
def stand_in(request: pytest.FixtureRequest,
             certificates: dict[str, tuple[Path, Path]]) -> Iterator[StandIn]:
    name, status, error_type = getattr(request, "param", ("server", 400,
                                                          "ResourceNotFoundException"))
    server = StandIn(*certificates[name], status, error_type)
    yield server
    server.stop()


def invoke(ssc_binary: Path, port: int, ca_file: Path | str) -> Run:
    env = {
        "PATH": "/usr/bin:/bin", "AWS_REGION": "eu-west-2", "AWS_ACCESS_KEY_ID": "tls",
        "AWS_SECRET_ACCESS_KEY": "tls-secret", "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_DYNAMODB": f"https://127.0.0.1:{port}",
        "MONITORING_SNS_TOPIC_ARN": "arn:aws:sns:eu-west-2:123456789012:tls",
        "EXPORT_STATE_SQS_QUEUE_URL": f"https://127.0.0.1:{port}/123456789012/tls.fifo",
        "SSL_CERT_FILE": str(ca_file),
    }
    return run_binary(ssc_binary, ["invoke", "--timeout-seconds", "20"], env, stdin=EVENT,
                      timeout=60)


def test_a_peer_whose_certificate_the_bundle_trusts_is_reached(
        ssc_binary: Path, stand_in: StandIn, certificates: dict) -> None:
    run = invoke(ssc_binary, stand_in.port, certificates["server"][0])
    assert MARKER in run.stderr, run.describe()
    assert stand_in.counts.requests >= 1


def test_a_peer_the_bundle_does_not_trust_gets_no_request(
        ssc_binary: Path, stand_in: StandIn, certificates: dict) -> None:
    run = invoke(ssc_binary, stand_in.port, certificates["stranger"][0])
    assert MARKER not in run.stderr, run.describe()
    assert run.failures == ["tls-1"], run.describe()
    assert "certificate" in run.stderr, run.describe()
    assert stand_in.counts.requests == 0


@pytest.mark.parametrize("stand_in", [("other-name", 400, "ResourceNotFoundException")],
                         indirect=True)
def test_a_trusted_certificate_for_another_name_gets_no_request(
        ssc_binary: Path, stand_in: StandIn, certificates: dict) -> None:
    run = invoke(ssc_binary, stand_in.port, certificates["other-name"][0])
    assert MARKER not in run.stderr, run.describe()
    assert run.failures == ["tls-1"], run.describe()
    assert stand_in.counts.requests == 0


@pytest.mark.parametrize("stand_in", [("server", 500, "InternalServerError")], indirect=True)
def test_retries_go_over_the_kept_tls_connection(
        ssc_binary: Path, stand_in: StandIn, certificates: dict) -> None:
    run = invoke(ssc_binary, stand_in.port, certificates["server"][0])
    assert MARKER in run.stderr, run.describe()
    assert stand_in.counts.requests >= 2, run.describe()
    assert stand_in.counts.connections == 1, run.describe()


def test_an_unreadable_bundle_is_named(ssc_binary: Path, stand_in: StandIn) -> None:
    run = invoke(ssc_binary, stand_in.port, "/nonexistent/ca-bundle.pem")
    assert "SSL_CERT_FILE" in run.stderr, run.describe()
    assert stand_in.counts.requests == 0
