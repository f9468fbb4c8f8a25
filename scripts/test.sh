#!/usr/bin/env bash
# The one command that runs the whole test suite, on a fresh machine too:
#   setup -> build -> unit tests (ctest) -> local stack -> integration tests (pytest)
# and ends with the line "N passed, N failed" counting both runners' results.
# Exits non-zero when anything failed. Extra arguments go to pytest.
#   BUILD_DIR   build directory (default ./build)
#   STACK_DIR   where this run's stack keeps its state (default ./.stack/test-run,
#               apart from a stack you started yourself in ./.stack)
#   JOBS        parallel build and ctest jobs (default 2)
#   SSC_TEST_ARM64=1  also cross-build the arm64 package (scripts/package.sh, installing
#               the cross toolchain and qemu-user when missing) so that
#               tests/integration/test_package_arm64.py runs it under qemu; without it
#               those tests are skipped unless dist/ already holds the arm64 zip
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export BUILD_DIR=${BUILD_DIR:-$ROOT/build}
export STACK_DIR=${STACK_DIR:-$ROOT/.stack/test-run}
export JOBS=${JOBS:-2}
RESULTS=$BUILD_DIR/test-results

say() { printf '\n=== %s\n' "$*"; }

# passed / failed, stop_stack, count_results REPORT RC, finish.
source scripts/lib/suite.sh

say "setup"
if ! bash scripts/setup.sh; then
  fail_step "scripts/setup.sh failed"
  finish
fi

say "build ($BUILD_DIR)"
if ! bash scripts/build.sh; then
  fail_step "the build failed; no tests were run"
  finish
fi

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

if [ "${SSC_TEST_ARM64:-0}" = 1 ]; then
  say "arm64 package (scripts/package.sh)"
  if ! ARCHES=aarch64 bash scripts/package.sh; then
    fail_step "the arm64 package could not be built"
  fi
fi

say "unit tests (ctest)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" --timeout 300 \
  --output-junit "$RESULTS/ctest.xml"
count_results "$RESULTS/ctest.xml" $?

say "local stack"
if bash scripts/stack.sh start; then
  stack_started=1
  say "integration tests (pytest)"
  .venv/bin/python -m pytest tests/integration --junitxml="$RESULTS/pytest.xml" "$@"
  rc=$?
  # Exit 5 means pytest collected nothing: the integration suite is missing.
  [ "$rc" -ne 5 ] || echo "test: pytest collected no tests" >&2
  count_results "$RESULTS/pytest.xml" "$rc"
else
  fail_step "the local stack did not start; integration tests not run"
fi

finish
