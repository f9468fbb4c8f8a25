"""moto in server mode answering one request at a time.

moto's own server (moto_server) runs each request on a thread of its own, and its DynamoDB
backend does not lock: two conditional writes on one item can then both succeed, which real
DynamoDB never allows. Served one request at a time, every request is atomic and the
history is linearizable, so a concurrency test run against this server can neither hide nor
fake a race of the product's (tests/chaos/emulator_race_check.py shows the difference).

Connections are still taken on threads of their own and only the requests go one at a time
(one lock around moto): a single-threaded server would take one connection at a time, and
under load its listen queue overflowed into connect timeouts. The server is waitress, not
moto's own (werkzeug's development server), because werkzeug closes the connection after
every answer: real DynamoDB keeps connections alive, and so must the stand-in that the
concurrency tests and the benchmark run on, or every request pays a TCP connection of its
own and the client's connection reuse is never exercised.

Only DynamoDB is sent here: SQS long polls would hold every other client up.

One change to moto's behaviour, of cost only: moto backs up every table a transaction
touches with a deep copy, so that it can roll back, and a count's transaction touches the
file receipts table, which grows by one item per file: counting a collection of n files
would cost n^2. Here a transaction backs up only the items it names (one before-image per
action) and puts those back when it is cancelled; the outcome of every transaction is the
same as moto's own (tests/integration/test_adapters_counting.py checks both rollbacks).

Usage: python moto_serial.py --host 127.0.0.1 --port PORT
"""

from __future__ import annotations

import argparse
import copy
import os
import threading
import types
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from waitress import serve


def _backup_is_the_table(value: Any, memo: Any = None) -> Any:
    """copy.deepcopy for moto's DynamoDB backend: a Table is not copied (its items are
    backed up one by one, below); anything else is, as before."""
    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _item_key(table: Table, action: dict) -> dict | None:
    if "Key" in action:
        return action["Key"]
    item = action.get("Item")
    if not item or table.hash_key_attr not in item:
        return None
    key = {table.hash_key_attr: item[table.hash_key_attr]}
    if table.range_key_attr is not None and table.range_key_attr in item:
        key[table.range_key_attr] = item[table.range_key_attr]
    return key


def _install_item_backups() -> None:
    moto_transaction = dynamodb_models.DynamoDBBackend.transact_write_items
    dynamodb_models.copy = types.SimpleNamespace(deepcopy=_backup_is_the_table, copy=copy.copy)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        before: list[tuple[str, dict, dict | None]] = []
        for entry in transact_items:
            for action in entry.values():
                table = self.tables.get(action.get("TableName", ""))
                key = _item_key(table, action) if table is not None else None
                if key is None:
                    continue
                try:
                    current = self.get_item(table.name, key)
                except Exception:  # a malformed key: moto's own call reports it
                    continue
                before.append((table.name, key,
                               current.to_json()["Attributes"] if current else None))
        try:
            moto_transaction(self, transact_items)
        except Exception:
            for table_name, key, image in reversed(before):
                if image is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, image)
            raise

    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items


def one_request_at_a_time(app: Any) -> Any:
    """The WSGI app, each request handled whole (its answer's body included) under one lock."""
    lock = threading.Lock()

    def serial(environ: dict, start_response: Any) -> list[bytes]:
        with lock:
            answer = app(environ, start_response)
            try:
                return list(answer)
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()

    return serial


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    _install_item_backups()
    # Threads for connections waiting on the lock (a chaos run has up to 4 invokers x 10
    # workers open at once); the backlog and connection limit stay above what a test opens.
    serve(
        one_request_at_a_time(DomainDispatcherApplication(create_backend_app)),
        host=args.host,
        port=args.port,
        threads=16,
        backlog=1024,
        connection_limit=1000,
        ident="moto-serial",
        _quiet=True,
    )


if __name__ == "__main__":
    main()
