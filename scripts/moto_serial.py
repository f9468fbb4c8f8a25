"""moto in server mode answering one request at a time.

moto's own server (moto_server) runs each request on a thread of its own, and its DynamoDB
backend does not lock: two conditional writes on one item can then both succeed, which real
DynamoDB never allows. Served one request at a time, every request is atomic and the
history is linearizable, so a concurrency test run against this server can neither hide nor
fake a race of the product's (tests/chaos/emulator_race_check.py shows the difference).

Only DynamoDB is sent here: SQS long polls would hold every other client up.

Usage: python moto_serial.py --host 127.0.0.1 --port PORT
"""

from __future__ import annotations

import argparse
import os

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    run_simple(
        args.host,
        args.port,
        DomainDispatcherApplication(create_backend_app),
        threaded=False,
        processes=1,
        use_reloader=False,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
