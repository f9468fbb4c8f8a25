#!/usr/bin/env bash
# The chaos test in one command: set-up, build, a local stack of its own (stopped again on
# any exit), then tests/chaos/chaos.py with the arguments given here, e.g.
#
#   bash scripts/chaos.sh --collections 30 --max-files 60 --duplicate-rate 0.2 \
#       --workers 4 --batch-size 10 --fault-rate 0.05 --kills 4 --seed 1
#
# Add --conflicting-dynamodb --hold-ms 10 to run it on a DynamoDB that conflicts as the real
# one does (tests/chaos/conflicting_dynamodb.py).
#
# Exits with the runner's status: 0 when no anomaly was found. docs/chaos.md says what it
# does and what the figures mean.
#   BUILD_DIR   build directory (default ./build); runs land in $BUILD_DIR/chaos/
#   STACK_DIR   this run's stack state (default ./.stack/chaos)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export BUILD_DIR=${BUILD_DIR:-$ROOT/build}
export STACK_DIR=${STACK_DIR:-$ROOT/.stack/chaos}

bash scripts/setup.sh
bash scripts/build.sh --target snapshot-sender-status-checker

stop_stack() { bash scripts/stack.sh stop || true; }
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
bash scripts/stack.sh start

.venv/bin/python tests/chaos/chaos.py "$@"
