#!/usr/bin/env bash
# The benchmark of issue #5 in one command: set-up, a Release build, a stack of its own
# (stopped again, also on failure), then bench/run_benchmark.py, which prints every
# figure against its target (docs/performance.md says what each one measures and how),
# issue #17's by batch shape among them (bench/figures/batch_shapes.py).
# Nothing fails on time: the exit code says only whether the benchmark could run.
#
#   BUILD_DIR   Release build directory (default ./build/bench)
#   STACK_DIR   the benchmark's stack (default ./.stack/bench)
#   JOBS        parallel build jobs (default 2)
#   BENCH_PACKAGE=0   do not make dist/*.zip when it is missing (default: make it with
#                     scripts/package.sh, from the same build, when that script exists)
#   extra arguments go to bench/run_benchmark.py (e.g. --quick, --profile-messages 0,
#   --compare old.json, --json-out new.json)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export BUILD_DIR=${BUILD_DIR:-$ROOT/build/bench}
export STACK_DIR=${STACK_DIR:-$ROOT/.stack/bench}
export JOBS=${JOBS:-2}
BENCH_PACKAGE=${BENCH_PACKAGE:-1}
NAME=snapshot-sender-status-checker

say() { printf '\n=== %s\n' "$*"; }

# stop_stack: the stack this run started is stopped on any exit (shared with the test suites).
source scripts/lib/suite.sh

say "setup"
bash scripts/setup.sh
# The profile step's tool (setup.sh installs what the build and tests need, not this).
if ! command -v valgrind >/dev/null; then
  echo "bench: installing valgrind for the profile step"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    valgrind >/dev/null
fi

say "Release build in $BUILD_DIR"
# The flags scripts/package.sh ships with (-O2, see there why not -O3), and -g so that the
# profile names functions; tests and benchmarks programs are not needed here. The same
# configuration lets package.sh reuse this build instead of making its own.
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -g -DNDEBUG" \
  -DSSC_BUILD_TESTS=OFF -DSSC_BUILD_BENCH=OFF >/dev/null
bash scripts/build.sh --target "$NAME"

# The x86_64 zip is the one measured (this machine runs it); it is made again when it is
# older than this build's binary, so that its figures are this binary's.
ZIP_X86=$ROOT/dist/$NAME-x86_64.zip
if [ "$BENCH_PACKAGE" = 1 ] && [ -f scripts/package.sh ] &&
  { [ ! -f "$ZIP_X86" ] || [ "$BUILD_DIR/$NAME" -nt "$ZIP_X86" ]; }; then
  say "dist/$(basename "$ZIP_X86") is missing or older than the build: making it with scripts/package.sh"
  ARCHES=x86_64 BUILD_DIR=$BUILD_DIR bash scripts/package.sh ||
    echo "bench: scripts/package.sh failed; the zip row will say 'not built'" >&2
fi

say "local stack in $STACK_DIR"
bash scripts/stack.sh start
stack_started=1

say "benchmark"
.venv/bin/python bench/run_benchmark.py --binary "$BUILD_DIR/$NAME" --stack-dir "$STACK_DIR" \
  --work-dir "$BUILD_DIR/bench-work" --json-out "$BUILD_DIR/bench-results/latest.json" "$@"
