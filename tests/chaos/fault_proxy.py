"""A fault-injecting HTTP/1.1 proxy for the chaos test: one listening port per upstream
service, on 127.0.0.1 only.

Each request that reaches a port is either forwarded to that port's upstream, or meets one
fault, chosen at random (seeded) with probability `rate`:

- error_500, error_503, throttle: answered by the proxy in the service's own error format
  (DynamoDB and SQS JSON `__type`, SQS/SNS query XML `<ErrorResponse>`), never forwarded;
- reset_before: the connection is reset (RST) before anything is forwarded;
- reset_after: the request is forwarded and applied, then the connection is reset instead
  of answering: the 'applied but not acknowledged' case;
- delay: the request is held `delay_seconds` (longer than the client waits), then forwarded
  (so it may be applied late, after the client gave up and retried) and answered if the
  client is still there;
- conflict (DynamoDB TransactWriteItems only): answered, never forwarded, as DynamoDB answers
  a transaction that met another one on the same item at the same moment:
  TransactionCanceledException with reason TransactionConflict.

With `conflicts_per_transaction` N, the first N sends of each transaction (by its content,
whatever its ClientRequestToken) meet such a conflict: a hot row, deterministically.

With `honour_client_tokens`, the proxy also does what real DynamoDB does and the emulators
do not: a TransactWriteItems whose ClientRequestToken it has seen applied in the last 10
minutes is answered as the first was, without being forwarded (an idempotent retry); sent
with other actions it is refused (IdempotentParameterMismatchException), and while the first
is still on its way, the repeat is refused (TransactionInProgressException).

With `item_holds` (tests/chaos/conflicting_dynamodb.py), DynamoDB requests meet real
DynamoDB's transaction conflicts: a transaction holds the items it names for a while before
it is forwarded, and other writes naming a held item are refused.

Every request and every fault is counted by service, operation and kind; faults that may
have been applied without the client knowing (reset_after, delay) are also recorded one by
one, because they explain tolerated duplicates later.

A hook sees each forwarded request with its upstream answer before the client does; it
may ask the proxy to drop the answer (the chaos runner uses this to SIGKILL the binary
right after a status transition was applied).

Run alone for manual experiments:
  python3 fault_proxy.py --route dynamodb=http://127.0.0.1:8000 --route sqs=http://... \
      --rate 0.1 --seed 1
It prints the proxy URL of each route and, on Ctrl-C, its counts.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import socket
import struct
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    from conflicting_dynamodb import ItemHolds

FAULT_KINDS = ("error_500", "error_503", "throttle", "reset_before", "reset_after", "delay",
               "conflict")
# How long DynamoDB keeps a transaction's ClientRequestToken.
CLIENT_TOKEN_SECONDS = 600
# Faults after which the upstream may hold the request's effect although the client saw none.
AMBIGUOUS_KINDS = ("reset_after", "delay")
SERVICES = ("dynamodb", "sqs", "sns")
MAX_HEADER_BYTES = 64 * 1024


class ProtocolError(Exception):
    """The peer spoke something this small HTTP/1.1 parser does not accept."""


@dataclass
class HttpMessage:
    start_line: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    def header(self, name: str) -> str:
        lname = name.lower()
        for k, v in self.headers:
            if k.lower() == lname:
                return v
        return ""

    def without(self, *names: str) -> list[tuple[str, str]]:
        drop = {n.lower() for n in names}
        return [(k, v) for k, v in self.headers if k.lower() not in drop]


@dataclass
class RequestInfo:
    """What the proxy knows about one request: enough to count it and for hooks to decide."""

    service: str
    operation: str
    protocol: str  # "json" (X-Amz-Target) or "query" (form Action=...)
    body: bytes
    peer_port: int

    def json_body(self) -> dict:
        try:
            value = json.loads(self.body or b"{}")
            return value if isinstance(value, dict) else {}
        except ValueError:
            return {}


@dataclass
class FaultRecord:
    when: float
    service: str
    operation: str
    kind: str
    peer_port: int
    summary: str


@dataclass
class FaultPlan:
    """Which faults to inject and how often. Thread-safe: the runner may change `rate`."""

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    delay_seconds: float = 6.0
    seed: int = 0
    services: tuple[str, ...] = SERVICES
    # Per-service rates that replace `rate`: SQS and SNS see a few requests per collection
    # only, so a run that wants them hit at all gives them a higher rate.
    service_rates: dict[str, float] = field(default_factory=dict)
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _first: dict[str, list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self._rng = random.Random(self.seed)
        # The first faults of each service go through every kind once, in a seeded order,
        # so that even a short run meets each kind; after that, kinds are drawn at random.
        self._first = {}
        for service in SERVICES:
            order = list(self.kinds)
            self._rng.shuffle(order)
            self._first[service] = order

    def choose(self, service: str) -> Optional[str]:
        if not self.kinds or service not in self.services:
            return None
        with self._lock:
            if self._rng.random() >= self.service_rates.get(service, self.rate):
                return None
            if self._first[service]:
                return self._first[service].pop()
            return self._rng.choice(self.kinds)


# Hook: (info, request, response) -> True to drop the answer and reset the connection.
ForwardHook = Callable[[RequestInfo, HttpMessage, HttpMessage], bool]
# Names the client behind a connection from its local port (e.g. its process id), or None.
ClientIdentifier = Callable[[int], Optional[str]]


@dataclass
class Route:
    name: str  # service: dynamodb, sqs or sns
    upstream_host: str
    upstream_port: int
    listen_port: int = 0


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str]] = Counter()  # (service, operation)
        self.faults: Counter[tuple[str, str, str]] = Counter()  # (service, operation, kind)
        self.upstream_errors: Counter[str] = Counter()
        # Transactions answered from an earlier applied one with the same ClientRequestToken.
        self.idempotent_replays = 0
        self.dropped_by_hook: Counter[tuple[str, str]] = Counter()
        self.ambiguous: list[FaultRecord] = []
        # The same request (same client, same signature) arriving again after the proxy
        # reset the connection that carried it. Either the AWS client's retry loop sent it
        # again within the same second (it re-signs, but SigV4 dates have one-second
        # resolution), or libcurl resent it on its own: it does so for a request on a kept
        # connection that died before any answer, below any retry loop or log line.
        self.repeats_after_reset: Counter[tuple[str, str]] = Counter()
        self._reset_keys: dict[str, None] = {}

    def count_request(self, info: RequestInfo, key: str = "") -> None:
        with self._lock:
            self.requests[(info.service, info.operation)] += 1
            if key and key in self._reset_keys:
                self.repeats_after_reset[(info.service, info.operation)] += 1

    def count_reset(self, key: str) -> None:
        if not key:
            return
        with self._lock:
            self._reset_keys[key] = None
            if len(self._reset_keys) > 100_000:
                self._reset_keys.pop(next(iter(self._reset_keys)))

    def count_fault(self, info: RequestInfo, kind: str) -> None:
        with self._lock:
            self.faults[(info.service, info.operation, kind)] += 1
            if kind in AMBIGUOUS_KINDS:
                self.ambiguous.append(
                    FaultRecord(time.time(), info.service, info.operation, kind,
                                info.peer_port, summarize(info))
                )

    def count_upstream_error(self, service: str) -> None:
        with self._lock:
            self.upstream_errors[service] += 1

    def count_dropped(self, info: RequestInfo) -> None:
        with self._lock:
            self.dropped_by_hook[(info.service, info.operation)] += 1

    def faults_by_kind(self) -> dict[str, int]:
        with self._lock:
            out: Counter[str] = Counter()
            for (_, _, kind), n in self.faults.items():
                out[kind] += n
            return {k: out.get(k, 0) for k in FAULT_KINDS}

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "requests": {f"{s}.{o}": n for (s, o), n in sorted(self.requests.items())},
                "faults": {f"{s}.{o}.{k}": n for (s, o, k), n in sorted(self.faults.items())},
                "upstream_errors": dict(self.upstream_errors),
                "dropped_by_hook": {f"{s}.{o}": n for (s, o), n in self.dropped_by_hook.items()},
                "ambiguous": len(self.ambiguous),
                "idempotent_replays": self.idempotent_replays,
                "repeats_after_reset": {f"{s}.{o}": n
                                        for (s, o), n in sorted(self.repeats_after_reset.items())},
            }

    def ambiguous_records(self) -> list[FaultRecord]:
        with self._lock:
            return list(self.ambiguous)


def summarize(info: RequestInfo) -> str:
    """A short, greppable description of what a request would have done."""
    if info.protocol == "json":
        body = info.json_body()
        parts = [str(body.get(k)) for k in ("TableName", "QueueUrl") if k in body]
        if "MessageBody" in body:
            parts.append(str(body["MessageBody"])[:300])
        if "ExpressionAttributeValues" in body:
            parts.append(json.dumps(body["ExpressionAttributeValues"], sort_keys=True)[:300])
        return " ".join(parts)
    form = urllib.parse.parse_qs(info.body.decode("utf-8", "replace"))
    return " ".join(form.get("Message", []))[:400]


# ---------------------------------------------------------------------------------------
# Error answers in each service's own format.


def _json_error(status: int, type_: str, message: str, query_error: str = "") -> HttpMessage:
    body = json.dumps({"__type": type_, "message": message}).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.0"),
        ("x-amzn-RequestId", str(uuid.uuid4())),
    ]
    if query_error:
        headers.append(("x-amzn-query-error", query_error))
    return HttpMessage(f"HTTP/1.1 {status} {REASONS[status]}", headers, body)


def conflict_answer(request_body: bytes) -> HttpMessage:
    """TransactionCanceledException, one reason per action: the last one (the shared row, in
    the product's count) met another transaction."""
    try:
        actions = len(json.loads(request_body or b"{}").get("TransactItems", [])) or 1
    except ValueError:
        actions = 1
    return cancellation_answer([False] * (actions - 1) + [True])


def cancellation_answer(conflicts: list[bool]) -> HttpMessage:
    """TransactionCanceledException as DynamoDB sends it, one reason per action in order:
    TransactionConflict where the action's item met another transaction, None elsewhere."""
    reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
               if conflict else {"Code": "None"} for conflict in conflicts]
    body = json.dumps({
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
                   f"[{', '.join(r['Code'] for r in reasons)}]",
        "CancellationReasons": reasons,
    }).encode()
    return HttpMessage("HTTP/1.1 400 Bad Request",
                       [("Content-Type", "application/x-amz-json-1.0"),
                        ("x-amzn-RequestId", str(uuid.uuid4()))], body)


def dynamodb_error(type_: str, message: str) -> HttpMessage:
    """An HTTP 400 client error in DynamoDB's JSON format, `type_` without its namespace."""
    return _json_error(400, f"com.amazonaws.dynamodb.v20120810#{type_}", message)


def idempotent_mismatch_answer() -> HttpMessage:
    return dynamodb_error("IdempotentParameterMismatchException",
                          "The request uses the same client token as a previous, but "
                          "non-identical request.")


def nothing_held() -> None:
    """The release of a request that holds nothing."""
    pass


def client_token(info: RequestInfo) -> str:
    """A TransactWriteItems' ClientRequestToken, or ''."""
    if info.service != "dynamodb" or info.operation != "TransactWriteItems":
        return ""
    try:
        return str(json.loads(info.body or b"{}").get("ClientRequestToken", ""))
    except ValueError:
        return ""


def transaction_content(info: RequestInfo) -> str:
    """A transaction's actions, without its ClientRequestToken: the same transaction sent
    again under another token reads the same."""
    body = info.json_body()
    body.pop("ClientRequestToken", None)
    return json.dumps(body, sort_keys=True)


def _xml_error(status: int, service: str, type_: str, code: str, message: str) -> HttpMessage:
    ns = {
        "sns": "http://sns.amazonaws.com/doc/2010-03-31/",
        "sqs": "http://queue.amazonaws.com/doc/2012-11-05/",
    }.get(service, "")
    rid = str(uuid.uuid4())
    body = (
        f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{ns}"><Error><Type>{type_}</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{rid}</RequestId></ErrorResponse>"
    ).encode()
    return HttpMessage(
        f"HTTP/1.1 {status} {REASONS[status]}",
        [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)],
        body,
    )


_THROTTLE_TURN = itertools.count()
REASONS = {400: "Bad Request", 500: "Internal Server Error", 503: "Service Unavailable",
           502: "Bad Gateway"}


def error_answer(info: RequestInfo, kind: str) -> HttpMessage:
    """The answer the real service gives for this fault kind, in its protocol."""
    if info.service == "dynamodb":
        if kind == "throttle":
            # Both throttling codes DynamoDB uses; alternate so clients must know both.
            if next(_THROTTLE_TURN) % 2:
                return _json_error(
                    400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    "The level of configured provisioned throughput for the table was exceeded.")
            return _json_error(400, "com.amazon.coral.availability#ThrottlingException",
                               "Rate of requests exceeds the allowed throughput.")
        if kind == "error_503":
            return _json_error(503, "com.amazon.coral.availability#ServiceUnavailableException",
                               "Service unavailable")
        return _json_error(500, "com.amazonaws.dynamodb.v20120810#InternalServerError",
                           "Internal server error")
    if info.protocol == "json":  # SQS JSON protocol
        if kind == "throttle":
            return _json_error(400, "com.amazonaws.sqs#ThrottlingException", "Rate exceeded",
                               "ThrottlingException;Sender")
        if kind == "error_503":
            return _json_error(503, "com.amazonaws.sqs#ServiceUnavailable",
                               "Service unavailable", "ServiceUnavailable;Receiver")
        return _json_error(500, "com.amazonaws.sqs#InternalError", "Internal error",
                           "InternalError;Receiver")
    # Query protocol (SNS, or SQS spoken as query): XML ErrorResponse.
    if kind == "throttle":
        code = "Throttling" if info.service == "sns" else "RequestThrottled"
        return _xml_error(400, info.service, "Sender", code, "Rate exceeded")
    if kind == "error_503":
        return _xml_error(503, info.service, "Receiver", "ServiceUnavailable",
                          "Service unavailable")
    return _xml_error(500, info.service, "Receiver", "InternalError", "Internal error")


def classify(service: str, request: HttpMessage, peer_port: int) -> RequestInfo:
    target = request.header("X-Amz-Target")
    if target:
        return RequestInfo(service, target.rsplit(".", 1)[-1], "json", request.body, peer_port)
    target_url = request.start_line.split(" ")[1] if " " in request.start_line else ""
    query = urllib.parse.urlsplit(target_url).query
    form = urllib.parse.parse_qs(query)
    if "application/x-www-form-urlencoded" in request.header("Content-Type"):
        form.update(urllib.parse.parse_qs(request.body.decode("utf-8", "replace")))
    action = (form.get("Action") or ["unknown"])[0]
    return RequestInfo(service, action, "query", request.body, peer_port)


# ---------------------------------------------------------------------------------------
# HTTP/1.1 framing.


async def _read_head(reader: asyncio.StreamReader) -> Optional[tuple[str, list[tuple[str, str]]]]:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if not e.partial.strip():
            return None  # clean end of a keep-alive connection
        raise ProtocolError("connection closed inside a header") from e
    except asyncio.LimitOverrunError as e:
        raise ProtocolError("header too large") from e
    lines = raw.decode("iso-8859-1").split("\r\n")
    start = lines[0]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        if ":" not in line:
            raise ProtocolError(f"bad header line {line!r}")
        k, v = line.split(":", 1)
        headers.append((k.strip(), v.strip()))
    return start, headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    out = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers
            return bytes(out)
        out += await reader.readexactly(size)
        await reader.readexactly(2)


async def read_request(reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter) -> Optional[HttpMessage]:
    head = await _read_head(reader)
    if head is None:
        return None
    start, headers = head
    msg = HttpMessage(start, headers)
    if msg.header("Expect").lower() == "100-continue":
        # Answer it ourselves; the upstream then gets the request without the Expect.
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
    if "chunked" in msg.header("Transfer-Encoding").lower():
        msg.body = await _read_chunked(reader)
    else:
        length = int(msg.header("Content-Length") or 0)
        msg.body = await reader.readexactly(length) if length else b""
    msg.headers = msg.without("Expect", "Transfer-Encoding", "Content-Length")
    msg.headers.append(("Content-Length", str(len(msg.body))))
    return msg


async def read_response(reader: asyncio.StreamReader, method: str) -> tuple[HttpMessage, bool]:
    """Returns the response and whether the upstream connection can be reused."""
    head = await _read_head(reader)
    if head is None:
        raise ProtocolError("upstream closed without answering")
    start, headers = head
    msg = HttpMessage(start, headers)
    status = int(start.split(" ")[1])
    reusable = "close" not in msg.header("Connection").lower()
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        msg.body = b""
    elif "chunked" in msg.header("Transfer-Encoding").lower():
        msg.body = await _read_chunked(reader)
    elif msg.header("Content-Length"):
        msg.body = await reader.readexactly(int(msg.header("Content-Length")))
    else:
        msg.body = await reader.read()
        reusable = False
    return msg, reusable


def serialize(msg: HttpMessage, keep_alive: bool) -> bytes:
    headers = msg.without("Transfer-Encoding", "Content-Length", "Connection", "Keep-Alive")
    headers.append(("Content-Length", str(len(msg.body))))
    headers.append(("Connection", "keep-alive" if keep_alive else "close"))
    head = msg.start_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("iso-8859-1") + msg.body


def reset(writer: asyncio.StreamWriter) -> None:
    """Closes with RST: the client sees 'connection reset', not a clean end."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


# ---------------------------------------------------------------------------------------


async def forward(host: str, port: int, upstream, request: HttpMessage, method: str):
    """Sends `request` on the kept upstream connection (None: open one), and one fresh
    connection if that one was stale. Returns the connection to keep (None once it is not
    reusable) and the response."""
    for attempt in (1, 2):
        fresh = upstream is None
        if fresh:
            upstream = await asyncio.open_connection(host, port, limit=MAX_HEADER_BYTES)
        ureader, uwriter = upstream
        try:
            uwriter.write(serialize(request, keep_alive=True))
            await uwriter.drain()
            response, reusable = await read_response(ureader, method)
        except (OSError, ProtocolError, asyncio.IncompleteReadError):
            uwriter.close()
            upstream = None
            if fresh or attempt == 2:
                raise
            continue  # a kept connection the upstream had closed: retry once, fresh
        if not reusable:
            uwriter.close()
            upstream = None
        return upstream, response
    raise ProtocolError("unreachable")


class BackgroundLoopServer:
    """Listening servers on an asyncio loop of their own, in a background thread; `with`
    starts and stops them. Subclasses open their servers in `_listen` (with `_track` for
    each connection's task, so that stopping cancels them)."""

    thread_name = "background-loop"

    def __init__(self) -> None:
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._servers: list[asyncio.base_events.Server] = []
        self._tasks: set[asyncio.Task] = set()
        self._ready = threading.Event()
        self._start_error: Optional[BaseException] = None

    async def _listen(self) -> None:
        raise NotImplementedError

    def start(self):
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._start_error:
            raise self._start_error
        if not self._ready.is_set():
            raise RuntimeError(f"{self.thread_name} did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        try:
            fut.result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread:
                self._thread.join(10)
            self._loop = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._listen())
        except BaseException as e:  # noqa: BLE001 - handed to start()
            self._start_error = e
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        loop.close()

    def _track(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _shutdown(self) -> None:
        for s in self._servers:
            s.close()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class FaultProxy(BackgroundLoopServer):
    """Runs the proxy on its own asyncio loop in a background thread."""

    thread_name = "fault-proxy"

    def __init__(self, routes: list[Route], plan: FaultPlan,
                 hook: Optional[ForwardHook] = None,
                 identify: Optional[ClientIdentifier] = None,
                 honour_client_tokens: bool = False,
                 conflicts_per_transaction: int = 0,
                 item_holds: Optional["ItemHolds"] = None) -> None:
        for r in routes:
            if r.name not in SERVICES:
                raise ValueError(f"unknown service {r.name!r}")
            if not r.upstream_host.startswith("127.") and r.upstream_host != "localhost":
                raise ValueError("upstreams must be on the loopback interface")
        self.routes = routes
        self.plan = plan
        self.hook = hook
        self.identify = identify
        self.honour_client_tokens = honour_client_tokens
        self.conflicts_per_transaction = conflicts_per_transaction
        self._conflicts_met: Counter[str] = Counter()  # per transaction content, loop thread
        # ClientRequestToken -> (when applied, transaction content, the answer), and the
        # tokens of transactions on their way upstream -> their content; loop thread only.
        self._applied_tokens: dict[str, tuple[float, str, HttpMessage]] = {}
        self._tokens_in_flight: dict[str, str] = {}
        self.item_holds = item_holds
        self.stats = Stats()
        super().__init__()

    def _token_answer(self, token: str, content: str) -> Optional[HttpMessage]:
        """What DynamoDB answers, without applying anything, to a transaction whose
        ClientRequestToken it already knows; None when the token is new."""
        if not (self.honour_client_tokens and token):
            return None
        now = time.monotonic()
        for old in [t for t, (when, _, _) in self._applied_tokens.items()
                    if now - when > CLIENT_TOKEN_SECONDS]:
            del self._applied_tokens[old]
        if token in self._tokens_in_flight:
            if self._tokens_in_flight[token] != content:
                return idempotent_mismatch_answer()
            return dynamodb_error("TransactionInProgressException",
                                  "The transaction with the given request token is already in "
                                  "progress.")
        applied = self._applied_tokens.get(token)
        if applied is None:
            return None
        if applied[1] != content:
            return idempotent_mismatch_answer()
        self.stats.idempotent_replays += 1
        return applied[2]

    async def _admit(self, route: Route, info: RequestInfo, request: HttpMessage, token: str,
                     content: str) -> tuple[Optional[HttpMessage], Callable[[], None]]:
        """The answer DynamoDB gives instead of applying the request, or None and what to call
        once the upstream has applied it: from then on its token is no longer in progress and
        its items no longer held."""
        answer = self._token_answer(token, content)
        if answer is not None:
            return answer, nothing_held
        tracked = bool(token and self.honour_client_tokens)
        if tracked:
            self._tokens_in_flight[token] = content

        def done() -> None:
            if tracked:
                self._tokens_in_flight.pop(token, None)

        if self.item_holds is None or route.name != "dynamodb":
            return None, done
        try:
            answer, release = await self.item_holds.admit(info, request, route)
        except BaseException:
            done()
            raise
        if answer is not None:
            done()
            return answer, nothing_held

        def release_all() -> None:
            release()
            done()

        return None, release_all

    def url(self, name: str) -> str:
        for r in self.routes:
            if r.name == name:
                return f"http://127.0.0.1:{r.listen_port}"
        raise KeyError(name)

    async def _listen(self) -> None:
        for route in self.routes:
            server = await asyncio.start_server(
                lambda r, w, route=route: self._track(self._serve(route, r, w)),
                host="127.0.0.1", port=route.listen_port, limit=MAX_HEADER_BYTES,
                reuse_address=True,
            )
            route.listen_port = server.sockets[0].getsockname()[1]
            self._servers.append(server)

    # -- one client connection ---------------------------------------------------------

    async def _serve(self, route: Route, reader: asyncio.StreamReader,
                     writer: asyncio.StreamWriter) -> None:
        peer_port = writer.get_extra_info("peername")[1]
        client = self.identify(peer_port) if self.identify else None
        upstream: Optional[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = None
        try:
            while True:
                request = await read_request(reader, writer)
                if request is None:
                    return
                info = classify(route.name, request, peer_port)
                signature = request.header("Authorization")
                key = f"{client} {signature}" if client and signature else ""
                self.stats.count_request(info, key)
                kind = self.plan.choose(route.name)
                if kind == "conflict" and info.operation != "TransactWriteItems":
                    kind = None  # only a transaction can meet another one
                token = client_token(info)
                content = transaction_content(info) if token else ""
                if (not kind and content
                        and self._conflicts_met[content] < self.conflicts_per_transaction):
                    self._conflicts_met[content] += 1
                    kind = "conflict"
                if kind:
                    self.stats.count_fault(info, kind)
                if kind == "reset_before":
                    self.stats.count_reset(key)
                    reset(writer)
                    return
                if kind in ("error_500", "error_503", "throttle", "conflict"):
                    answer = (conflict_answer(request.body) if kind == "conflict"
                              else error_answer(info, kind))
                    writer.write(serialize(answer, keep_alive=True))
                    await writer.drain()
                    continue
                if kind == "delay":
                    # Late on its way there: it meets the tokens and holds of its arrival.
                    await asyncio.sleep(self.plan.delay_seconds)
                answer, release = await self._admit(route, info, request, token, content)
                if answer is not None:
                    writer.write(serialize(answer, keep_alive=True))
                    await writer.drain()
                    continue
                method = request.start_line.split(" ", 1)[0]
                try:
                    upstream, response = await forward(route.upstream_host, route.upstream_port,
                                                       upstream, request, method)
                except (OSError, ProtocolError, asyncio.IncompleteReadError):
                    self.stats.count_upstream_error(route.name)
                    upstream = None
                    body = b"upstream unavailable"
                    writer.write(serialize(HttpMessage("HTTP/1.1 502 Bad Gateway",
                                                       [("Content-Type", "text/plain")], body),
                                           keep_alive=False))
                    await writer.drain()
                    return
                finally:
                    release()
                if token and self.honour_client_tokens and response.start_line.split(" ")[1].startswith("2"):
                    self._applied_tokens[token] = (time.monotonic(), content, response)
                if self.hook is not None and self.hook(info, request, response):
                    self.stats.count_dropped(info)
                    self.stats.count_reset(key)
                    reset(writer)
                    return
                if kind == "reset_after":
                    self.stats.count_reset(key)
                    reset(writer)
                    return
                keep = "close" not in request.header("Connection").lower()
                writer.write(serialize(response, keep_alive=keep))
                await writer.drain()
                if not keep:
                    return
        except (ProtocolError, ConnectionError, asyncio.IncompleteReadError, OSError):
            return  # the client went away (e.g. timed out during a delay, or was killed)
        finally:
            if upstream is not None:
                upstream[1].close()
            if not writer.is_closing():
                writer.close()


def parse_route(text: str) -> Route:
    name, _, url = text.partition("=")
    parts = urllib.parse.urlsplit(url)
    if not name or not parts.hostname or not parts.port:
        raise argparse.ArgumentTypeError(f"route must be NAME=http://127.0.0.1:PORT, got {text!r}")
    return Route(name, parts.hostname, parts.port)


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--route", type=parse_route, action="append", required=True,
                   help="SERVICE=UPSTREAM_URL, SERVICE one of dynamodb, sqs, sns")
    p.add_argument("--rate", type=float, default=0.1)
    p.add_argument("--kinds", default=",".join(FAULT_KINDS))
    p.add_argument("--delay-seconds", type=float, default=6.0)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    plan = FaultPlan(rate=a.rate, kinds=tuple(k for k in a.kinds.split(",") if k),
                     delay_seconds=a.delay_seconds, seed=a.seed)
    proxy = FaultProxy(a.route, plan).start()
    for r in proxy.routes:
        print(f"{r.name}: {proxy.url(r.name)} -> {r.upstream_host}:{r.upstream_port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
        print(json.dumps(proxy.stats.snapshot(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
