"""SPEC section 10: `missing-files` names the files of a manifest that have no receipt,
through the binary against the local stack (moto: the receipts are written in
transactions, which dynalite lacks); read-only; exit codes 0, 5, 3, 1, 2."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest
import requests

import stack as stack_lib
from e2e_helpers import Run, World, run_binary, world  # noqa: F401  (world is a fixture)

ROOT = Path(__file__).resolve().parents[2]
COLLECTION = "db.mf.a"


def missing_files(w: World, manifest: str, *args: str, env: dict[str, str] | None = None,
                  collection: str = COLLECTION) -> Run:
    return run_binary(
        w.binary,
        ["missing-files", "--correlation-id", w.correlation_id, "--collection-name", collection,
         *args],
        env or w.env(), stdin=manifest)


def counted(w: World, *file_names: str) -> None:
    """The files delivered to the binary, which counts each and writes its receipt."""
    w.put_collection(COLLECTION, "Sent", exported=len(file_names) + 2,
                     sent=len(file_names) + 2)
    w.deliver(*(w.message(COLLECTION, file_name=name) for name in file_names))


def receipts(w: World) -> list[str]:
    items = w.dynamodb.scan(TableName=w.receipts_table, ConsistentRead=True)["Items"]
    return sorted(json.dumps(i, sort_keys=True) for i in items)


class UnprocessedKeysProxy:
    """An HTTP proxy on 127.0.0.1 in front of moto's DynamoDB: it forwards every request and
    hands the answer back, but its first `hold` BatchGetItem answers (every one when hold is
    None) leave every key unprocessed, as DynamoDB does when capacity runs short. moto never
    does, so this is how the command's repeats and its deadline are seen from outside."""

    def __init__(self, upstream: str, hold: int | None):
        self.hold = hold
        self.batch_gets = 0
        self.lock = threading.Lock()
        proxy, session = self, requests.Session()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (the handler's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                answer = session.post(upstream + self.path, data=body, headers=headers,
                                      timeout=60)
                out = answer.content
                if (self.headers.get("X-Amz-Target", "").endswith(".BatchGetItem")
                        and answer.status_code == 200 and proxy.holds()):
                    asked = json.loads(body)["RequestItems"]
                    out = json.dumps({"Responses": {table: [] for table in asked},
                                      "UnprocessedKeys": asked}).encode()
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get(
                    "Content-Type", "application/x-amz-json-1.0"))
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def holds(self) -> bool:
        with self.lock:
            self.batch_gets += 1
            return self.hold is None or self.batch_gets <= self.hold

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy_factory(stack) -> Iterator:
    made: list[UnprocessedKeysProxy] = []

    def make(hold: int | None) -> UnprocessedKeysProxy:
        made.append(UnprocessedKeysProxy(stack.moto_dynamodb_url, hold))
        return made[-1]

    yield make
    for proxy in made:
        proxy.close()


def test_a_seeded_collection_of_thousands_names_exactly_the_files_left_out(stack, ssc_binary):
    # bench/missing_files.py, which the benchmark runs at 100,000 names.
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "missing_files.py"), "--binary", str(ssc_binary),
         "--stack-dir", str(Path(stack.env["SSC_STACK_DIR"])), "--names", "3000",
         "--missing", "11"],
        capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    report = json.loads(done.stdout)
    assert report["exact"] is True and report["exit_code"] == 5
    assert report["requests"] == 30  # 100 keys a request, nothing left unprocessed by moto


def test_files_the_binary_counted_have_their_receipt_and_the_others_are_named(world: World):
    w = world
    counted(w, "a b.json.gz", "c.json.gz")
    manifest = "a b.json.gz\nc.json.gz\nd.json.gz\n\nc.json.gz\ne f.json.gz\n"

    run = missing_files(w, manifest)

    assert run.rc == 5, run.describe()
    lines = run.stdout.splitlines()
    assert lines[0] == f"Collection {COLLECTION} of run {w.correlation_id}: 2 of 4 files " \
                       "have no receipt"
    missing_at = lines.index("Missing (2):")
    assert lines[missing_at + 1:missing_at + 3] == ["  d.json.gz", "  e f.json.gz"]
    assert "FILE_RECEIPTS_EXPIRY_DAYS (30) days" in run.stdout
    assert "no file_name" in run.stdout
    assert "WARNING" not in run.stdout


def test_an_s3_listing_with_a_prefix_gives_the_messages_names(world: World):
    w = world
    counted(w, "exports/db/part 1.gz", "exports/db/part-2.gz")
    listing = ("                           PRE sub/\n"
               "2026-12-01 10:15:03       1234 part 1.gz\n"
               "2026-12-01 10:15:04         99 part-2.gz\n"
               "2026-12-01 10:15:05  123456789 part-3.gz\n")

    run = missing_files(w, listing, "--prefix", "exports/db/", "--output", "json")

    assert run.rc == 5, run.describe()
    answer = run.response
    assert answer["missing"] == ["exports/db/part-3.gz"]
    assert (answer["names"], answer["with_receipt"], answer["skipped_lines"]) == (3, 2, 1)
    assert answer["files_exported"] == 4 and answer["files_received"] == 2
    assert answer["warning"] is None
    assert len(answer["cannot_know"]) == 2


def test_every_file_with_its_receipt_exits_0_from_a_manifest_file(world: World, tmp_path):
    w = world
    counted(w, "x.gz", "y.gz")
    manifest = tmp_path / "manifest.txt"
    manifest.write_text("x.gz\r\ny.gz\r\n")

    run = missing_files(w, "", "--manifest", str(manifest))

    assert run.rc == 0, run.describe()
    assert "every one of the 2 files has its receipt" in run.stdout


def test_names_of_another_form_are_all_missing_and_it_says_the_form_may_differ(world: World):
    w = world
    counted(w, "exports/db/x.gz")

    run = missing_files(w, "x.gz\n")

    assert run.rc == 5, run.describe()
    assert "WARNING: no name has a receipt: the names may not take the form of the messages' " \
           "file_name" in run.stdout


def test_it_needs_neither_the_queue_nor_the_topic_and_writes_nothing(world: World):
    w = world
    counted(w, "x.gz")
    before = (w.all_items(), receipts(w))

    run = missing_files(w, "x.gz\ny.gz\n", env=w.env(MONITORING_SNS_TOPIC_ARN=None,
                                                    EXPORT_STATE_SQS_QUEUE_URL=None))

    assert run.rc == 5, run.describe()
    assert (w.all_items(), receipts(w)) == before


def test_a_collection_without_row_exits_3_before_any_receipt_is_read(world: World):
    w = world
    counted(w, "x.gz")

    run = missing_files(w, "x.gz\n", "--output", "json", collection="db.mf.none")
    assert run.rc == 3, run.describe()
    assert "db.mf.none" in run.response["error"]

    other_run = run_binary(w.binary, ["missing-files", "--correlation-id", "no-such-run",
                                      "--collection-name", COLLECTION], w.env(), stdin="x.gz\n")
    assert other_run.rc == 3, other_run.describe()


def test_a_dynamodb_failure_exits_1(world: World):
    w = world
    counted(w, "x.gz")

    run = missing_files(w, "x.gz\n", env=w.env(
        DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME=stack_lib.unique_name("no-such-table")))

    assert run.rc == 1, run.describe()
    assert run.errors_naming("ResourceNotFoundException")


def test_bad_usage_exits_2(world: World, tmp_path):
    w = world
    counted(w, "x.gz")

    no_file = missing_files(w, "", "--manifest", str(tmp_path / "absent.txt"))
    assert no_file.rc == 2, no_file.describe()
    assert "absent.txt" in no_file.stderr

    only_blanks = missing_files(w, "\n   \n                           PRE a/\n")
    assert only_blanks.rc == 2, only_blanks.describe()
    assert only_blanks.errors_naming("the manifest holds no file name")

    no_collection = run_binary(w.binary, ["missing-files", "--correlation-id", "r"], w.env())
    assert no_collection.rc == 2, no_collection.describe()


def test_keys_left_unprocessed_are_asked_for_again(world: World, proxy_factory):
    w = world
    counted(w, "x.gz", "y.gz")
    proxy = proxy_factory(hold=2)

    run = missing_files(w, "x.gz\ny.gz\nz.gz\n", "--output", "json",
                        env=w.env(AWS_ENDPOINT_URL_DYNAMODB=proxy.url))

    assert run.rc == 5, run.describe()
    assert run.response["missing"] == ["z.gz"]
    assert run.response["requests"] == proxy.batch_gets == 3


def test_keys_still_unprocessed_at_its_deadline_exit_1_without_a_verdict(world: World,
                                                                         proxy_factory):
    w = world
    counted(w, "x.gz")
    proxy = proxy_factory(hold=None)

    run = missing_files(w, "x.gz\ny.gz\n", "--timeout-seconds", "2",
                        env=w.env(AWS_ENDPOINT_URL_DYNAMODB=proxy.url))

    assert run.rc == 1, run.describe()
    assert run.stdout.strip() == ("2 of 2 receipts were still unread (DynamoDB left them "
                                  "unprocessed) when the command's time ran out: no verdict")
    assert proxy.batch_gets > 1  # asked again until the time ran out
    assert run.errors_naming("still unread")
