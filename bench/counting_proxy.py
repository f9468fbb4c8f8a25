"""A counting, latency-adding HTTP/1.1 proxy for the benchmark: one port per upstream
(dynamodb, sqs, sns, pushgateway), on 127.0.0.1 only.

Every request is counted by service and operation (the X-Amz-Target or Action for AWS,
push/delete/read for the push gateway) and, when `latency` is set, held that long before
it is forwarded, so that a batch handled one message at a time shows up as the sum of its
round trips. Requests are counted here, at the wire, rather than from the binary's own
logs or counters: what the benchmark checks is what AWS would bill.

The HTTP framing is the chaos proxy's (tests/chaos/fault_proxy.py); only the routing,
counting and delay are this module's.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "chaos"))

from fault_proxy import (  # noqa: E402
    MAX_HEADER_BYTES,
    BackgroundLoopServer,
    HttpMessage,
    ProtocolError,
    classify,
    forward,
    read_request,
    serialize,
)

AWS_SERVICES = ("dynamodb", "sqs", "sns")


@dataclass
class Upstream:
    name: str  # dynamodb, sqs, sns or pushgateway
    host: str
    port: int
    listen_port: int = 0


def operation_of(service: str, request: HttpMessage) -> str:
    if service in AWS_SERVICES:
        return classify(service, request, 0).operation
    method = request.start_line.split(" ", 1)[0]
    path = urllib.parse.urlsplit(request.start_line.split(" ")[1]).path
    if path.startswith("/metrics/job"):  # "/metrics/job/<name>" or "/metrics/job@base64/..."
        return {"POST": "push", "PUT": "push_replace", "DELETE": "delete"}.get(method, method)
    return f"{method} {path}"


class CountingProxy(BackgroundLoopServer):
    """Runs on its own asyncio loop in a background thread; `with` starts and stops it."""

    thread_name = "counting-proxy"

    def __init__(self, upstreams: dict[str, str], latency: float = 0.0) -> None:
        self.upstreams = []
        for name, url in upstreams.items():
            parts = urllib.parse.urlsplit(url)
            if parts.hostname not in ("127.0.0.1", "localhost"):
                raise ValueError(f"{name}: upstreams must be on the loopback interface")
            self.upstreams.append(Upstream(name, parts.hostname, parts.port or 80))
        self.latency = latency
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()
        super().__init__()

    # -- what the benchmark reads ----------------------------------------------------

    def url(self, name: str) -> str:
        for u in self.upstreams:
            if u.name == name:
                return f"http://127.0.0.1:{u.listen_port}"
        raise KeyError(name)

    def port(self, name: str) -> int:
        return next(u.listen_port for u in self.upstreams if u.name == name)

    def counts(self) -> dict[str, int]:
        """{"service.operation": requests} since the last reset."""
        with self._lock:
            return {f"{s}.{o}": n for (s, o), n in sorted(self._counts.items())}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    async def _listen(self) -> None:
        for upstream in self.upstreams:
            server = await asyncio.start_server(
                lambda r, w, u=upstream: self._track(self._serve(u, r, w)),
                host="127.0.0.1", port=0, limit=MAX_HEADER_BYTES)
            upstream.listen_port = server.sockets[0].getsockname()[1]
            self._servers.append(server)

    # -- one client connection, with its own upstream connection ----------------------

    async def _serve(self, upstream: Upstream, reader: asyncio.StreamReader,
                     writer: asyncio.StreamWriter) -> None:
        conn: Optional[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = None
        try:
            while True:
                request = await read_request(reader, writer)
                if request is None:
                    return
                with self._lock:
                    self._counts[(upstream.name, operation_of(upstream.name, request))] += 1
                if self.latency > 0:
                    await asyncio.sleep(self.latency)
                method = request.start_line.split(" ", 1)[0]
                conn, response = await forward(upstream.host, upstream.port, conn, request,
                                               method)
                keep = "close" not in request.header("Connection").lower()
                writer.write(serialize(response, keep_alive=keep))
                await writer.drain()
                if not keep:
                    return
        except (ProtocolError, ConnectionError, asyncio.IncompleteReadError, OSError):
            return
        finally:
            if conn is not None:
                conn[1].close()
            if not writer.is_closing():
                writer.close()
