#!/usr/bin/env bash
# The hardened suite (docs/testing.md), on a fresh machine too:
#   setup -> ASan+UBSan+LSan build: unit tests, local stack, the whole integration suite
#         -> TSan build: unit tests, the integration tests that run batches concurrently
#         -> a short libFuzzer pass of every target in fuzz/ on its committed corpus
# Every sanitizer report is written to a file under $REPORTS and fails its test (and its
# phase), so that none can pass unseen. Ends with the line "N passed, N failed"; exits
# non-zero when anything failed. CI runs it after scripts/test.sh (.ci/run).
#   ASAN_BUILD_DIR  ASan+UBSan (+ fuzz targets) build (default ./build-asan)
#   TSAN_BUILD_DIR  TSan build (default ./build-tsan)
#   PHASES          which phases, in order (default "asan tsan fuzz")
#   FUZZ_SECONDS    seconds per fuzz target (default 30)
#   STACK_DIR       this run's stack state (default ./.stack/hardened-run)
#   JOBS            parallel build and ctest jobs (default 2)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-$ROOT/build-asan}
TSAN_BUILD_DIR=${TSAN_BUILD_DIR:-$ROOT/build-tsan}
PHASES=${PHASES:-asan tsan fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
export STACK_DIR=${STACK_DIR:-$ROOT/.stack/hardened-run}
export JOBS=${JOBS:-2}
REPORTS=$ROOT/.stack/hardened-reports
CLANG=${CLANG:-clang++-14}

# The integration tests that run batches on several threads at once, for TSan: the
# handler's workers share the transport, the credentials and signing-key caches, the
# metrics registries and the log writer; missing-files looks receipts up on 8 threads.
TSAN_INTEGRATION_TESTS=(
  tests/integration/test_chaos_small.py
  tests/integration/test_e2e_redelivery.py
  tests/integration/test_e2e_event_shapes.py
  tests/integration/test_e2e_metrics.py
  tests/integration/test_e2e_success_file.py
  tests/integration/test_e2e_paging.py
  tests/integration/test_lambda_runtime.py
  tests/integration/test_operator_missing_files.py
)

say() { printf '\n=== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

# passed / failed, stop_stack, count_results REPORT RC, finish.
source scripts/lib/suite.sh

# The options every sanitized process of a phase runs with: reports go to files in
# $REPORTS/<phase> (never mixed into the JSON log lines on stderr), stop the process at
# the first one, and end it with a code no test expects. symbolize names the lines.
sanitizer_env() {
  local phase=$1 dir=$REPORTS/$1
  mkdir -p "$dir"
  export SSC_SANITIZER_REPORTS=$dir
  export ASAN_OPTIONS="log_path=$dir/asan:halt_on_error=1:exitcode=86:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:symbolize=1"
  export UBSAN_OPTIONS="log_path=$dir/ubsan:halt_on_error=1:exitcode=87:print_stacktrace=1:symbolize=1"
  export LSAN_OPTIONS="exitcode=86"
  export TSAN_OPTIONS="log_path=$dir/tsan:halt_on_error=1:exitcode=88:second_deadlock_stack=1:symbolize=1"
  export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14
  export TSAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14
  [ "$phase" = fuzz ] || return 0
  # libFuzzer prints its findings itself and writes the input beside them.
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:symbolize=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:symbolize=1"
}

# Every report file of a phase is printed and counted as one failure: also a report
# from a process that no test attributed (a fixture's, a tool's).
check_reports() {
  local phase=$1 report
  for report in "$REPORTS/$phase"/*; do
    [ -f "$report" ] || continue
    echo "--- sanitizer report $report" >&2
    tail -c 8000 "$report" >&2
    fail_step "sanitizer report $(basename "$report") in the $phase phase"
  done
}

# -O1 and line tables only: what the sanitizers' reports need (file:line in every frame)
# at about half the compile time of -O2 -g, which matters on a 2-core CI machine.
build() {
  local dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    CXX=$CLANG cmake -S "$ROOT" -B "$dir" -G Ninja -DSSC_BUILD_BENCH=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" "$@" || return 1
  fi
  cmake --build "$dir" -j "$JOBS"
}

unit_tests() {
  local phase=$1 dir=$2
  say "$phase: unit tests (ctest)"
  ctest --test-dir "$dir" --output-on-failure -j "$JOBS" --timeout 600 \
    --output-junit "$RESULTS/$phase-ctest.xml"
  count_results "$RESULTS/$phase-ctest.xml" $?
}

start_stack() {
  [ "$stack_started" -eq 1 ] && return 0
  say "local stack"
  if bash scripts/stack.sh start; then
    stack_started=1
  else
    fail_step "the local stack did not start; integration tests not run"
    return 1
  fi
}

integration_tests() {
  local phase=$1 dir=$2 rc
  shift 2
  start_stack || return 0
  say "$phase: integration tests (pytest) on $dir"
  BUILD_DIR=$dir .venv/bin/python -m pytest -p sanitizer_reports \
    --junitxml="$RESULTS/$phase-pytest.xml" "$@"
  rc=$?
  [ "$rc" -ne 5 ] || echo "test: pytest collected no tests" >&2
  count_results "$RESULTS/$phase-pytest.xml" "$rc"
}

phase_asan() {
  sanitizer_env asan
  say "asan: build ($ASAN_BUILD_DIR, clang, ASan+UBSan, fuzz targets)"
  if ! build "$ASAN_BUILD_DIR" -DSSC_SANITIZE=address,undefined -DSSC_FUZZ=ON; then
    fail_step "the ASan build failed; its tests were not run"
    return
  fi
  unit_tests asan "$ASAN_BUILD_DIR"
  integration_tests asan "$ASAN_BUILD_DIR" tests/integration
  check_reports asan
}

phase_tsan() {
  sanitizer_env tsan
  say "tsan: build ($TSAN_BUILD_DIR, clang, TSan)"
  if ! build "$TSAN_BUILD_DIR" -DSSC_SANITIZE=thread; then
    fail_step "the TSan build failed; its tests were not run"
    return
  fi
  unit_tests tsan "$TSAN_BUILD_DIR"
  integration_tests tsan "$TSAN_BUILD_DIR" "${TSAN_INTEGRATION_TESTS[@]}"
  check_reports tsan
}

# Each target runs FUZZ_SECONDS on a scratch copy of its corpus (what it finds stays out
# of the repo) with its dictionary; a crash, leak, timeout or out-of-memory fails it,
# and the input is kept in $REPORTS/fuzz for `<target> <input>` to replay.
phase_fuzz() {
  sanitizer_env fuzz
  local src target corpus dict work rc
  if [ ! -d "$ASAN_BUILD_DIR" ] || ! cmake --build "$ASAN_BUILD_DIR" -j "$JOBS" >/dev/null; then
    fail_step "no fuzz targets built (the asan phase builds them)"
    return
  fi
  for src in fuzz/*_fuzz.cpp; do
    target=$(basename "$src" .cpp)
    corpus=fuzz/corpus/$target
    dict=$(sed -n 's|^// dictionary: ||p' "$src")
    work=$(mktemp -d)
    say "fuzz: $target, ${FUZZ_SECONDS}s"
    nice "$ASAN_BUILD_DIR/$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$REPORTS/fuzz/$target-" \
      ${dict:+-dict="fuzz/$dict"} "$work" "$corpus" 2>"$REPORTS/fuzz/$target.log"
    rc=$?
    grep -E '^(#[0-9]+.*DONE|Done|stat::number_of_executed_units|stat::peak_rss_mb)' \
      "$REPORTS/fuzz/$target.log"
    if [ "$rc" -eq 0 ]; then
      passed=$((passed + 1))
      rm -f "$REPORTS/fuzz/$target.log"
    else
      tail -n 60 "$REPORTS/fuzz/$target.log" >&2
      fail_step "fuzz target $target failed (exit $rc)"
    fi
    rm -rf "$work"
  done
}

rm -rf "$REPORTS"
mkdir -p "$REPORTS"

say "setup"
if ! bash scripts/setup.sh; then
  fail_step "scripts/setup.sh failed"
  finish
fi

for phase in $PHASES; do
  case $phase in
    asan) RESULTS=$ASAN_BUILD_DIR/test-results ;;
    tsan) RESULTS=$TSAN_BUILD_DIR/test-results ;;
    fuzz) RESULTS=$REPORTS/fuzz ;;
    *)
      fail_step "unknown phase $phase (asan, tsan, fuzz)"
      continue
      ;;
  esac
  rm -rf "$RESULTS"
  mkdir -p "$RESULTS"
  start=$SECONDS
  "phase_$phase"
  echo "test: the $phase phase took $((SECONDS - start)) s"
done

finish
