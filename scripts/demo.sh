#!/usr/bin/env bash
# The status checker doing its main job, on a fresh machine, in one command:
#   setup -> build -> local stack -> one snapshot run delivered through the binary
#   running as a Lambda function under AWS's Runtime Interface Emulator.
# It prints each step: the collections' statuses and counts, the product status,
# the export-state messages, the notifications and the push gateway's metrics.
# The stack it starts is its own (STACK_DIR, default ./.stack/demo) and is
# stopped when the demo ends, whether it succeeded or not.
#   BUILD_DIR   build directory (default ./build)
#   STACK_DIR   where the demo's stack keeps its state (default ./.stack/demo)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export BUILD_DIR=${BUILD_DIR:-$ROOT/build}
export STACK_DIR=${STACK_DIR:-$ROOT/.stack/demo}

say() { printf '\n### %s\n' "$*"; }

say "setup (scripts/setup.sh)"
bash scripts/setup.sh

say "build (scripts/build.sh, $BUILD_DIR)"
bash scripts/build.sh --target snapshot-sender-status-checker

stop_stack() { bash scripts/stack.sh stop || true; }
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "local stack (dynalite, moto, moto serving DynamoDB one request at a time, push gateway on 127.0.0.1)"
bash scripts/stack.sh start

# In the background and waited for, so that a signal to this script reaches the
# traps at once and is passed on as TERM (a background job ignores INT; seed_run.py
# then stops the emulator it started).
.venv/bin/python scripts/seed_run.py \
  --stack-env "$STACK_DIR/env" \
  --binary "$BUILD_DIR/snapshot-sender-status-checker" \
  --rie .tools/bin/aws-lambda-rie &
seeder=$!
trap 'kill -TERM "$seeder" 2>/dev/null; wait "$seeder" || true; exit 130' INT
trap 'kill -TERM "$seeder" 2>/dev/null; wait "$seeder" || true; exit 143' TERM
wait "$seeder"
