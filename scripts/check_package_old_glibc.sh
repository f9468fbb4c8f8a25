#!/usr/bin/env bash
# Proof that the Lambda package does not depend on the build machine's C library:
# the zip from scripts/package.sh runs, under AWS's Runtime Interface Emulator, in a
# Debian bullseye root whose glibc (2.31) is older than Lambda's (2.34), and handles
# one SQS event against the local stack (DynamoDB, SQS, SNS, push gateway).
#
#   1. a bullseye root made once with debootstrap, from the Debian mirror apt is
#      configured with, cached in $BULLSEYE_ROOT (default ./.tools/bullseye-root)
#   2. its glibc must be 2.31; the bare binary must fail to load there (so the bundled
#      libraries, not the root's, are what makes it run)
#   3. the zip unpacked into <root>/var/task, as Lambda does
#   4. the emulator, built without cgo so it runs on any glibc, started in the root on
#      127.0.0.1 (a chroot shares the host's network, so the stack is reachable)
#   5. one SQS event posted; the answer, FilesReceived, the status, the export-state
#      message, the notification and the pushed metrics are checked with boto3
#   6. TLS trust as on Lambda: Amazon Linux keeps its CA bundle at
#      /etc/pki/tls/certs/ca-bundle.crt and lacks Debian's CA file, which Debian's
#      OpenSSL looks for. A throwaway CA goes to Amazon's path in the root (which has
#      no Debian CA file either) and the binary must reach an HTTPS stand-in for
#      DynamoDB on 127.0.0.1 with the certificate verified.
#
# Needs root (debootstrap, chroot). Not part of CI: the first run downloads a base
# system. Prints PASS or FAIL last; exits non-zero on FAIL.
#   ZIP            the package to check (default: run scripts/package.sh, which
#                  builds incrementally, and take its zip)
#   BULLSEYE_ROOT  where the bullseye root is cached
#   KEEP_WORK=1    keep the temporary folder with the logs
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NAME=snapshot-sender-status-checker
SUITE=bullseye
EXPECTED_GLIBC="glibc 2.31"
FS=${BULLSEYE_ROOT:-$ROOT/.tools/bullseye-root}
RIE_CACHE=$ROOT/.tools/rie-static
PY=$ROOT/.venv/bin/python

WORK=$(mktemp -d /tmp/ssc-old-glibc.XXXXXX)
STACK_DIR=$WORK/stack
RIE_LOG=$WORK/rie.log
AMAZON_CA=$FS/etc/pki/tls/certs/ca-bundle.crt
rie_pid=
tls_pid=
stack_started=0
result=FAIL
event_result=FAIL
tls_result="FAIL (not run)"

say() { printf 'old-glibc: %s\n' "$*"; }
fail() {
  printf 'old-glibc: FAILED: %s\n' "$*" >&2
  exit 1
}

# Stops a process started with setsid, and everything in its group.
stop_group() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  # The emulator's group holds it and the runtime it started.
  stop_group "$rie_pid"
  stop_group "$tls_pid"
  rm -f "$AMAZON_CA"
  if [ "$stack_started" -eq 1 ]; then
    STACK_DIR=$STACK_DIR bash scripts/stack.sh stop >/dev/null 2>&1 || true
  fi
  if [ "$event_result" != PASS ] && [ -s "$RIE_LOG" ]; then
    echo "--- last lines of the emulator's output ($RIE_LOG) ---" >&2
    tail -n 30 "$RIE_LOG" >&2
  fi
  if [ "${KEEP_WORK:-0}" = 1 ] || [ "$result" != PASS ]; then
    say "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  echo
  echo "SQS event on $EXPECTED_GLIBC ($SUITE) under the Lambda emulator: $event_result"
  echo "TLS with the CA bundle at Amazon Linux's path: $tls_result"
  echo "$result"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap and chroot)"
[ -x "$PY" ] && [ -x .tools/bin/aws-lambda-rie ] && command -v go >/dev/null ||
  fail "run scripts/setup.sh first (it installs the venv, the emulator and Go)"

# Debian packages this check uses beyond what scripts/setup.sh installs (each package
# is named like its command).
missing=()
for tool in debootstrap unzip openssl; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- the package ------------------------------------------------------------

if [ -z "${ZIP:-}" ]; then
  ARCHES=x86_64 bash scripts/package.sh
  ZIP=$ROOT/dist/$NAME-x86_64.zip
fi
[ -f "$ZIP" ] || fail "no package at $ZIP"

# --- the bullseye root --------------------------------------------------------

# The Debian archive apt on this machine already uses (whatever mirror or proxy its
# sources name), so debootstrap reaches what apt reaches.
debian_mirror() {
  apt-get indextargets --format '$(REPO_URI) $(LABEL)' 2>/dev/null |
    awk '$2 == "Debian" { print $1; exit }'
}

make_root() {
  local mirror
  mirror=$(debian_mirror)
  if [ -z "$mirror" ]; then
    apt-get update -qq
    mirror=$(debian_mirror)
  fi
  [ -n "$mirror" ] || fail "no Debian archive found in apt's sources"
  say "creating a $SUITE root in $FS (once; takes a minute or two)"
  rm -rf "$FS.partial"
  debootstrap --variant=minbase "$SUITE" "$FS.partial" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed (log: $WORK/debootstrap.log)"; }
  touch "$FS.partial/.ssc-complete"
  rm -rf "$FS"
  mv "$FS.partial" "$FS"
}

[ -f "$FS/.ssc-complete" ] || make_root
glibc=$(chroot "$FS" getconf GNU_LIBC_VERSION)
say "root $FS has $glibc; this machine has $(getconf GNU_LIBC_VERSION)"
[ "$glibc" = "$EXPECTED_GLIBC" ] || fail "expected $EXPECTED_GLIBC in the $SUITE root, found $glibc"

# --- the package, unpacked where Lambda puts it ----------------------------------

rm -rf "$FS/var/task"
mkdir -p "$FS/var/task"
unzip -q "$ZIP" -d "$FS/var/task"
[ -x "$FS/var/task/bootstrap" ] || fail "the zip has no executable bootstrap at its root"

# Without the bundled loader the binary cannot even start here: it was built on a
# newer system. This is what makes the check below meaningful.
if chroot "$FS" "/var/task/bin/$NAME" --version >"$WORK/bare.log" 2>&1; then
  fail "the bare binary started on $glibc: the check would not prove anything"
fi
say "bare binary in the root (expected to fail): $(head -n 1 "$WORK/bare.log")"

# Every library the bundled loader resolves must come from the package.
outside=$(chroot "$FS" /var/task/lib/ld-linux-x86-64.so.2 --inhibit-cache \
  --library-path /var/task/lib --list "/var/task/bin/$NAME" |
  awk '$2 == "=>" && index($3, "/var/task/lib/") != 1 { print }')
[ -z "$outside" ] || fail "libraries resolved outside /var/task/lib:"$'\n'"$outside"
version=$(chroot "$FS" env -i /var/task/bootstrap --version) || fail "bootstrap --version failed in the root"
say "bootstrap --version in the root: $version"

# --- the emulator -------------------------------------------------------------------

# The emulator setup.sh installs is linked against this machine's glibc (cgo) and
# would not start on 2.31; the same module and version built without cgo is static.
rie_module=$(go version -m .tools/bin/aws-lambda-rie | awk '$1 == "path" { print $2 }')
rie_version=$(go version -m .tools/bin/aws-lambda-rie | awk '$1 == "mod" { print $3 }')
[ -n "$rie_module" ] && [ -n "$rie_version" ] || fail "cannot read the emulator's module and version"
if [ "$(cat "$RIE_CACHE/version" 2>/dev/null)" != "$rie_module@$rie_version" ]; then
  say "building a static aws-lambda-rie $rie_version"
  mkdir -p "$RIE_CACHE"
  CGO_ENABLED=0 GOBIN=$RIE_CACHE go install "$rie_module@$rie_version"
  echo "$rie_module@$rie_version" >"$RIE_CACHE/version"
fi
install -m 0755 "$RIE_CACHE/aws-lambda-rie" "$FS/usr/local/bin/aws-lambda-rie"

# --- the local stack and the resources of one run ------------------------------------

STACK_DIR=$STACK_DIR bash scripts/stack.sh start
stack_started=1
# shellcheck disable=SC1091
source "$STACK_DIR/env"

cat >"$WORK/proof.py" <<'EOF'
"""setup: tables, queues, topic and one collection row, written as shell exports;
check: post one SQS event to the emulator and check what the binary did;
tls-server: an HTTPS stand-in for DynamoDB that answers every request with an error
naming TLS_MARKER, so the binary's log shows its request got through verified TLS."""
import http.server
import json
import os
import ssl
import sys
import time
import uuid
import urllib.request

TLS_MARKER = "reached-over-verified-tls"

if sys.argv[1] == "tls-server":
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#"
                               "ResourceNotFoundException", "message": TLS_MARKER}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    cert, key, port = sys.argv[2], sys.argv[3], int(sys.argv[4])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Answer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()

import boto3  # noqa: E402  (the TLS server above runs without it)

env = os.environ
RUN = "old-glibc-" + uuid.uuid4().hex[:8]


def client(service, url):
    return boto3.client(service, endpoint_url=url, region_name=env["AWS_REGION"],
                        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])


dynamodb = client("dynamodb", env["SSC_DYNALITE_URL"])
sqs = client("sqs", env["SSC_MOTO_URL"])
sns = client("sns", env["SSC_MOTO_URL"])


def table(name, hash_key, range_key):
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": hash_key, "KeyType": "HASH"},
                   {"AttributeName": range_key, "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": hash_key, "AttributeType": "S"},
                              {"AttributeName": range_key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    dynamodb.get_waiter("table_exists").wait(TableName=name)


def setup():
    export_table, product_table = f"{RUN}-export-status", f"{RUN}-product"
    table(export_table, "CorrelationId", "CollectionName")
    table(product_table, "Correlation_Id", "DataProduct")
    state_url = sqs.create_queue(QueueName=f"{RUN}-export-state.fifo",
                                 Attributes={"FifoQueue": "true"})["QueueUrl"]
    topic = sns.create_topic(Name=f"{RUN}-monitoring")["TopicArn"]
    notes_url = sqs.create_queue(QueueName=f"{RUN}-notes")["QueueUrl"]
    notes_arn = sqs.get_queue_attributes(QueueUrl=notes_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=notes_arn,
                  Attributes={"RawMessageDelivery": "true"})
    # One collection of one file: the event below completes it and with it the run's
    # received stage, so every service and the push gateway are used.
    dynamodb.put_item(TableName=export_table, Item={
        "CorrelationId": {"S": RUN}, "CollectionName": {"S": "db.old.glibc"},
        "CollectionStatus": {"S": "Exported"}, "FilesExported": {"N": "1"},
        "FilesSent": {"N": "1"}})
    for name, value in [("SSC_RUN", RUN), ("SSC_EXPORT_TABLE", export_table),
                        ("SSC_PRODUCT_TABLE", product_table), ("SSC_STATE_URL", state_url),
                        ("SSC_TOPIC_ARN", topic), ("SSC_NOTES_URL", notes_url)]:
        print(f"export {name}={value}")


def receive_all(url, expect):
    messages, deadline = [], time.monotonic() + 10
    while len(messages) < expect and time.monotonic() < deadline:
        messages += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                        WaitTimeSeconds=1).get("Messages", [])
    return messages


def check(url):
    run = env["SSC_RUN"]
    row_key = {"CorrelationId": {"S": run}, "CollectionName": {"S": "db.old.glibc"}}

    def row():
        return dynamodb.get_item(TableName=env["SSC_EXPORT_TABLE"], Key=row_key,
                                 ConsistentRead=True)["Item"]

    before = int(row().get("FilesReceived", {"N": "0"})["N"])
    message_id = str(uuid.uuid4())
    body = {"correlation_id": run, "collection_name": "db.old.glibc",
            "snapshot_type": "incremental", "export_date": "2026-11-28",
            "file_name": "db.old.glibc-001.json.gz"}
    event = {"Records": [{
        "messageId": message_id, "receiptHandle": "handle", "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
        "md5OfBody": "", "eventSource": "aws:sqs", "awsRegion": env["AWS_REGION"],
        "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:snapshot-sender-status-checker"}]}
    request = urllib.request.Request(url, data=json.dumps(event).encode(), method="POST")
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=120) as response:
        status, answer = response.status, json.loads(response.read())
    print(f"invocation: HTTP {status} in {time.monotonic() - started:.2f} s: {json.dumps(answer)}")

    after = row()
    received = int(after.get("FilesReceived", {"N": "0"})["N"])
    states = [json.loads(m["Body"]) for m in receive_all(env["SSC_STATE_URL"], 1)]
    notes = [json.loads(m["Body"]) for m in receive_all(env["SSC_NOTES_URL"], 1)]
    product = dynamodb.get_item(TableName=env["SSC_PRODUCT_TABLE"], ConsistentRead=True, Key={
        "Correlation_Id": {"S": run}, "DataProduct": {"S": "SNAPSHOT_SENDER"}}).get("Item", {})
    with urllib.request.urlopen(env["SSC_PUSHGATEWAY_URL"] + "/api/v1/metrics", timeout=10) as r:
        groups = [g for g in json.loads(r.read())["data"]
                  if g["labels"].get("correlation_id") == run]
    print(f"FilesReceived {before} -> {received}; CollectionStatus "
          f"{after['CollectionStatus']['S']}; product status "
          f"{product.get('Status', {}).get('S')}; export-state messages {len(states)}; "
          f"notifications {len(notes)}; push gateway groups {len(groups)}")

    checks = {
        "HTTP 200": status == 200,
        "no failed items": answer == {"batchItemFailures": []},
        "FilesReceived went up by one": received == before + 1,
        "collection Received": after["CollectionStatus"]["S"] == "Received",
        "one export-state message for the collection":
            [s.get("topic_name") for s in states] == ["db.old.glibc"],
        "one 'All collections received' notification":
            len(notes) == 1 and notes[0]["title_text"].endswith("All collections received by NiFi"),
        "product status RECEIVED": product.get("Status", {}).get("S") == "RECEIVED",
        "metrics pushed": any("snapshot_sender_status_checker_files_received_total" in g
                              for g in groups),
    }
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    return all(checks.values())


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup()
    else:
        sys.exit(0 if check(sys.argv[2]) else 1)
EOF

"$PY" "$WORK/proof.py" setup >"$WORK/world.env" || fail "could not create the resources on the stack"
# shellcheck disable=SC1091
source "$WORK/world.env"

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
api_port=$(free_port)

# Only what the function would get in Lambda (section 8 settings, endpoints of the
# local stack, dummy credentials); nothing of this machine's environment.
setsid chroot "$FS" /usr/bin/env -i \
  PATH=/usr/local/bin:/usr/bin:/bin \
  LAMBDA_TASK_ROOT=/var/task \
  AWS_LAMBDA_FUNCTION_TIMEOUT=120 \
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256 \
  AWS_REGION="$AWS_REGION" AWS_DEFAULT_REGION="$AWS_REGION" \
  AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
  AWS_EC2_METADATA_DISABLED=true \
  AWS_ENDPOINT_URL_DYNAMODB="$SSC_DYNALITE_URL" \
  AWS_ENDPOINT_URL_SQS="$SSC_MOTO_URL" \
  AWS_ENDPOINT_URL_SNS="$SSC_MOTO_URL" \
  MONITORING_SNS_TOPIC_ARN="$SSC_TOPIC_ARN" \
  EXPORT_STATE_SQS_QUEUE_URL="$SSC_STATE_URL" \
  DYNAMO_DB_EXPORT_STATUS_TABLE_NAME="$SSC_EXPORT_TABLE" \
  DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME="$SSC_PRODUCT_TABLE" \
  PUSHGATEWAY_HOSTNAME=127.0.0.1 PUSHGATEWAY_PORT="$PUSHGATEWAY_PORT" \
  METRICS_SCRAPE_INTERVAL_SECONDS=0 \
  ENVIRONMENT=old-glibc APPLICATION=snapshot-sender-status-checker LOG_LEVEL=INFO \
  /usr/local/bin/aws-lambda-rie \
  --runtime-interface-emulator-address "127.0.0.1:$port" \
  --runtime-api-address "127.0.0.1:$api_port" \
  /var/task/bootstrap </dev/null >"$RIE_LOG" 2>&1 &
rie_pid=$!

for _ in $(seq 200); do
  if "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
    break
  fi
  kill -0 "$rie_pid" 2>/dev/null || fail "the emulator exited at start"
  sleep 0.1
done
say "emulator in the root on 127.0.0.1:$port (runtime API 127.0.0.1:$api_port)"

if "$PY" "$WORK/proof.py" check "http://127.0.0.1:$port/2015-03-31/functions/function/invocations"; then
  event_result=PASS
fi
# The runtime's own log lines, as Lambda would put them in CloudWatch.
say "runtime log lines: $(grep -c '^{' "$RIE_LOG" || true)"
stop_group "$rie_pid"
rie_pid=

# --- TLS trust, as on Lambda ------------------------------------------------------

# A throwaway self-signed certificate for 127.0.0.1, trusted only through the bundle
# at Amazon Linux's path inside the root.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
mkdir -p "$(dirname "$AMAZON_CA")"
cp "$WORK/tls.crt" "$AMAZON_CA"
[ ! -e "$FS/etc/ssl/certs/ca-certificates.crt" ] || fail "the root has Debian's CA file: the TLS check would not prove anything"
tls_port=$(free_port)
setsid "$PY" "$WORK/proof.py" tls-server "$WORK/tls.crt" "$WORK/tls.key" "$tls_port" \
  >"$WORK/tls-server.log" 2>&1 </dev/null &
tls_pid=$!
for _ in $(seq 100); do
  "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $tls_port), 0.2)" 2>/dev/null && break
  sleep 0.1
done

tls_event='{"Records": [{"messageId": "tls-1", "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:q",
  "body": {"correlation_id": "tls", "collection_name": "db.tls", "snapshot_type": "full",
  "export_date": "2026-11-28", "file_name": "f"}}]}'
# The same bootstrap as in Lambda, with nothing set but what Lambda would set.
chroot "$FS" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin LAMBDA_TASK_ROOT=/var/task \
  AWS_REGION=eu-west-2 AWS_ACCESS_KEY_ID=tls AWS_SECRET_ACCESS_KEY=tls-secret \
  AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_DYNAMODB="https://127.0.0.1:$tls_port" \
  MONITORING_SNS_TOPIC_ARN=arn:aws:sns:eu-west-2:123456789012:tls \
  EXPORT_STATE_SQS_QUEUE_URL="https://127.0.0.1:$tls_port/123456789012/tls.fifo" \
  /var/task/bootstrap invoke <<<"$tls_event" >"$WORK/tls.out" 2>"$WORK/tls.err" || true
if grep -q reached-over-verified-tls "$WORK/tls.err"; then
  tls_result=PASS
else
  tls_result="FAIL ($(grep -o '"error":"[^"]*' "$WORK/tls.err" | head -n 1 | cut -c10-))"
fi
say "TLS check: $tls_result"

[ "$event_result" = PASS ] && [ "$tls_result" = PASS ] && result=PASS
[ "$result" = PASS ] || exit 1
