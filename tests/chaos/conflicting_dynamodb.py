"""A DynamoDB that conflicts as the real one does, in front of the serial moto
(scripts/moto_serial.py): the rules of "Transaction conflict handling" in the DynamoDB
developer guide, which moto, answering one request at a time, never meets.

- A TransactWriteItems holds every item it names (table and key; a Put's key is read from
  its Item with the table's key schema, asked once of the upstream by DescribeTable) for
  `hold_seconds`, its prepare phase, and until the upstream has applied it.
- Another TransactWriteItems naming a held item is cancelled without being applied:
  TransactionCanceledException, one reason per action, TransactionConflict for the held
  items and None for the others.
- A PutItem, UpdateItem or DeleteItem naming a held item is refused:
  TransactionConflictException.
- Reads (GetItem, BatchGetItem, Query, Scan) and everything else pass unblocked.
  TransactGetItems and BatchWriteItem are not modelled (the product sends neither).

It is the fault proxy's `item_holds` (tests/chaos/fault_proxy.py), so faults, kills and
ClientRequestToken idempotency (`honour_client_tokens`, which real DynamoDB has) combine
with it. `start_conflicting_dynamodb` starts one with the tokens honoured and no faults.

Counts per table, for a harness to print transactions per file: transactions forwarded
(each table it names once), transactions cancelled for a conflict (each table of a held
item once) with their actions, plain writes refused.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse
from collections import Counter
from typing import Callable, Optional

from fault_proxy import (FaultPlan, FaultProxy, HttpMessage, RequestInfo, Route,
                         cancellation_answer, dynamodb_error, forward, nothing_held)

PLAIN_WRITES = ("PutItem", "UpdateItem", "DeleteItem")
TRANSACTION_ACTIONS = ("ConditionCheck", "Put", "Delete", "Update")

# (table, key) -> the transaction holding it: identifies an item across requests.
ItemName = tuple[str, str]


class HoldCounts:
    """What the holds did, per table; read from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.transactions_forwarded: Counter[str] = Counter()
        self.transactions_cancelled: Counter[str] = Counter()
        self.cancelled_actions = 0
        self.writes_refused: Counter[str] = Counter()
        # From taking the holds to releasing them: the hold time plus the upstream's answer
        # plus any wait for the proxy's loop. Far above the hold time, the stand-in (or its
        # machine) is saturated and holds rows longer than it was asked to.
        self.held_seconds = 0.0
        self.releases = 0

    def add(self, counter: Counter[str], tables: set[str]) -> None:
        with self._lock:
            counter.update(tables)

    def add_release(self, seconds: float) -> None:
        with self._lock:
            self.held_seconds += seconds
            self.releases += 1

    def add_cancelled(self, tables: set[str], actions: int) -> None:
        with self._lock:
            self.transactions_cancelled.update(tables)
            self.cancelled_actions += actions

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "transactions_forwarded": dict(self.transactions_forwarded),
                "transactions_cancelled": dict(self.transactions_cancelled),
                "cancelled_actions": self.cancelled_actions,
                "writes_refused": dict(self.writes_refused),
                "mean_hold_ms": round(1000 * self.held_seconds / self.releases, 1)
                if self.releases else None,
            }


class ItemHolds:
    """The conflict rules, run on the fault proxy's loop (its state is that thread's)."""

    def __init__(self, hold_seconds: float) -> None:
        if hold_seconds < 0:
            raise ValueError(f"hold_seconds must be >= 0, got {hold_seconds}")
        self.hold_seconds = hold_seconds
        self.counts = HoldCounts()
        self._held: dict[ItemName, int] = {}
        self._next_transaction = 0
        self._key_schemas: dict[str, tuple[str, ...]] = {}
        # Set to end the prepare phases under way at once (tests: overlaps on demand).
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._prepare_cut = asyncio.Event()

    def held(self) -> int:
        """How many items are held now."""
        return len(self._held)

    def end_prepare_phases(self) -> None:
        """Ends the prepare phases under way now (from any thread): their transactions go
        upstream at once. Later transactions hold for `hold_seconds` again."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._cut_prepares)

    def _cut_prepares(self) -> None:
        cut, self._prepare_cut = self._prepare_cut, asyncio.Event()
        cut.set()

    async def admit(self, info: RequestInfo, request: HttpMessage,
                    route: Route) -> tuple[Optional[HttpMessage], Callable[[], None]]:
        """The refusal to answer instead of forwarding, or None and the release to call once
        the upstream has applied the request (a transaction has then held its items for its
        prepare phase already)."""
        if info.operation == "TransactWriteItems":
            return await self._admit_transaction(info, request, route)
        if info.operation in PLAIN_WRITES:
            body = info.json_body()
            table = str(body.get("TableName", ""))
            name = await self._item_name(table, body, request, route)
            if name is not None and name in self._held:
                self.counts.add(self.counts.writes_refused, {table})
                return (dynamodb_error("TransactionConflictException",
                                       "Transaction is ongoing for the item"), nothing_held)
        return None, nothing_held

    async def _admit_transaction(self, info: RequestInfo, request: HttpMessage, route: Route):
        actions = info.json_body().get("TransactItems", [])
        names: list[Optional[ItemName]] = []
        for entry in actions if isinstance(actions, list) else []:
            action = next((entry[k] for k in TRANSACTION_ACTIONS
                           if isinstance(entry, dict) and isinstance(entry.get(k), dict)), {})
            table = str(action.get("TableName", ""))
            names.append(await self._item_name(table, action, request, route))
        conflicts = [name is not None and name in self._held for name in names]
        if any(conflicts):
            self.counts.add_cancelled({n[0] for n, c in zip(names, conflicts) if c and n},
                                      len(names))
            return cancellation_answer(conflicts), nothing_held
        self._next_transaction += 1
        mine = self._next_transaction
        held = [n for n in names if n is not None]
        for name in held:
            self._held[name] = mine
        since = time.monotonic()

        def release() -> None:
            for name in held:
                if self._held.get(name) == mine:
                    del self._held[name]
            self.counts.add_release(time.monotonic() - since)

        self._loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(self._prepare_cut.wait(), self.hold_seconds)
        except asyncio.TimeoutError:
            pass  # the prepare phase ran its whole time
        except BaseException:
            release()
            raise
        self.counts.add(self.counts.transactions_forwarded, {n[0] for n in held})
        return None, release

    async def _item_name(self, table: str, action: dict, request: HttpMessage,
                         route: Route) -> Optional[ItemName]:
        """The item an action or plain write names, or None when it names none that can be
        told (an unknown table or a malformed key: the upstream answers those)."""
        source = action.get("Key") if "Key" in action else action.get("Item")
        if not table or not isinstance(source, dict):
            return None
        schema = await self._key_schema(table, request, route)
        if not schema or any(attr not in source for attr in schema):
            return None
        return table, json.dumps({attr: source[attr] for attr in schema}, sort_keys=True)

    async def _key_schema(self, table: str, request: HttpMessage,
                          route: Route) -> tuple[str, ...]:
        if table in self._key_schemas:
            return self._key_schemas[table]
        # The client's own headers: moto reads the region (and account) from its signature.
        body = json.dumps({"TableName": table}).encode()
        describe = HttpMessage(
            request.start_line,
            [(k, v) for k, v in request.without("X-Amz-Target", "Content-Length")]
            + [("X-Amz-Target", "DynamoDB_20120810.DescribeTable"),
               ("Content-Length", str(len(body)))],
            body)
        method = request.start_line.split(" ", 1)[0]
        connection, answer = await forward(route.upstream_host, route.upstream_port, None,
                                           describe, method)
        if connection is not None:
            connection[1].close()
        if not answer.start_line.split(" ")[1].startswith("2"):
            return ()
        schema = json.loads(answer.body).get("Table", {}).get("KeySchema", [])
        # HASH before RANGE, as DynamoDB lists them.
        names = tuple(k["AttributeName"] for k in sorted(schema, key=lambda k: k["KeyType"]))
        self._key_schemas[table] = names
        return names


def start_conflicting_dynamodb(upstream_url: str, hold_seconds: float,
                               **proxy_options) -> FaultProxy:
    """A started proxy for DynamoDB only, in front of `upstream_url` (the serial moto), that
    conflicts as DynamoDB does and honours client tokens; stop it with .stop()."""
    parts = urllib.parse.urlsplit(upstream_url)
    if not parts.hostname or not parts.port:
        raise ValueError(f"upstream must be http://127.0.0.1:PORT, got {upstream_url!r}")
    proxy_options.setdefault("honour_client_tokens", True)
    return FaultProxy([Route("dynamodb", parts.hostname, parts.port)],
                      proxy_options.pop("plan", FaultPlan(rate=0.0)),
                      item_holds=ItemHolds(hold_seconds), **proxy_options).start()
