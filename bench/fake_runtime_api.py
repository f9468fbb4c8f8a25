"""A stand-in for the Lambda Runtime API (127.0.0.1 only) that the benchmark drives the
binary through: it times the binary's first `next` request (the end of its start-up) and
hands out the events the benchmark queues, timing each one until its response comes back.

One binary at a time: `expect_process()` starts a new generation before each spawn, so a
`next` still held open for a process that was killed is never mistaken for the new one's.

    api = FakeRuntimeApi().start()
    api.expect_process()
    spawned_ns = time.perf_counter_ns(); proc = subprocess.Popen(..., env={
        "AWS_LAMBDA_RUNTIME_API": api.address, ...})
    arrived_ns = api.wait_first_next(timeout=10)
    result = api.invoke(event)          # -> Result(body, error, seconds)
"""

from __future__ import annotations

import json
import queue
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

PREFIX = "/2018-06-01/runtime"
DEADLINE_SECONDS = 300  # what Lambda-Runtime-Deadline-Ms grants each invocation


@dataclass
class Result:
    body: Optional[dict]  # the posted response, or None when the invocation failed
    error: Optional[dict]  # the posted error document
    seconds: float  # from handing out the event to its response arriving


@dataclass
class _Pending:
    event: bytes
    done: threading.Event
    handed_out_ns: int = 0
    result: Optional[Result] = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, api: "FakeRuntimeApi") -> None:
        self.api = api
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # A killed binary resets its connection: expected here, not worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def get_request(self) -> tuple[socket.socket, object]:
        # The accept time: a freshly started binary connects only to send its first `next`,
        # so this is when it became ready, without the thread and parsing costs below.
        conn, address = super().get_request()
        self.api._connection_accepted(time.perf_counter_ns())
        # Without it, an answer written in two segments waits for the client's delayed ACK
        # (40 ms on Linux), which would be billed to the binary's invocation time.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, address


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real Runtime API

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        # Head and body in one write: one segment on the wire.
        self._headers_buffer.append(b"\r\n")
        self.wfile.write(b"".join(self._headers_buffer) + body)
        self._headers_buffer = []
        self.wfile.flush()

    def do_GET(self) -> None:  # noqa: N802
        api: FakeRuntimeApi = self.server.api  # type: ignore[attr-defined]
        if self.path != PREFIX + "/invocation/next":
            self._reply(404, b'{"errorMessage":"not found"}')
            return
        generation, events = api._next_arrived(time.perf_counter_ns())
        while True:
            if api._generation != generation or api._stopping:
                self.close_connection = True
                return  # its process is gone: nobody reads the answer
            try:
                request_id, pending = events.get(timeout=0.05)
                break
            except queue.Empty:
                continue
        deadline_ms = int(time.time() * 1000) + DEADLINE_SECONDS * 1000
        pending.handed_out_ns = time.perf_counter_ns()
        self._reply(200, pending.event, {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn":
                "arn:aws:lambda:eu-west-2:123456789012:function:snapshot-sender-status-checker",
            "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
        })

    def do_POST(self) -> None:  # noqa: N802
        api: FakeRuntimeApi = self.server.api  # type: ignore[attr-defined]
        arrived_ns = time.perf_counter_ns()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self._reply(202, b'{"status":"OK"}')
        parts = self.path[len(PREFIX):].strip("/").split("/")
        if parts[:1] == ["init"]:
            api.init_errors.append(body.decode("utf-8", "replace"))
            return
        if len(parts) == 3 and parts[0] == "invocation":
            api._finished(parts[1], parts[2], body, arrived_ns)


class FakeRuntimeApi:
    def __init__(self) -> None:
        self._server = _Server(self)
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self._generation = 0
        self._stopping = False
        self._events: queue.Queue = queue.Queue()
        self._pending: dict[str, _Pending] = {}
        self._first_next = threading.Event()
        self._first_next_ns = 0
        self._first_accept_ns = 0
        self.init_errors: list[str] = []

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> "FakeRuntimeApi":
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(10)

    def __enter__(self) -> "FakeRuntimeApi":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the benchmark's side ---------------------------------------------------------

    def expect_process(self) -> None:
        """Call before spawning a binary: forget the previous one's requests and timings."""
        with self._lock:
            self._generation += 1
            self._events = queue.Queue()
            self._pending.clear()
            self._first_next.clear()
            self._first_next_ns = 0
            self._first_accept_ns = 0

    def wait_first_next(self, timeout: float) -> tuple[int, int]:
        """(accept time, request time) of the new process's first `next`, perf_counter ns."""
        if not self._first_next.wait(timeout):
            raise TimeoutError(f"no `next` request within {timeout}s "
                               f"(init errors: {self.init_errors[-1:]})")
        with self._lock:
            return self._first_accept_ns or self._first_next_ns, self._first_next_ns

    def invoke(self, event: dict, timeout: float = 120.0) -> Result:
        request_id = str(uuid.uuid4())
        pending = _Pending(json.dumps(event).encode(), threading.Event())
        with self._lock:
            self._pending[request_id] = pending
            events = self._events
        events.put((request_id, pending))
        if not pending.done.wait(timeout):
            raise TimeoutError(f"invocation {request_id} got no answer within {timeout}s")
        assert pending.result is not None
        return pending.result

    # -- the server's side ------------------------------------------------------------

    def _connection_accepted(self, now_ns: int) -> None:
        with self._lock:
            if not self._first_accept_ns and not self._first_next.is_set():
                self._first_accept_ns = now_ns

    def _next_arrived(self, now_ns: int) -> tuple[int, queue.Queue]:
        with self._lock:
            if not self._first_next.is_set():
                self._first_next_ns = now_ns
                self._first_next.set()
            return self._generation, self._events

    def _finished(self, request_id: str, kind: str, body: bytes, arrived_ns: int) -> None:
        with self._lock:
            pending = self._pending.pop(request_id, None)
        if pending is None:
            return
        seconds = (arrived_ns - pending.handed_out_ns) / 1e9
        document = json.loads(body) if body else {}
        pending.result = (Result(document, None, seconds) if kind == "response"
                          else Result(None, document, seconds))
        pending.done.set()
