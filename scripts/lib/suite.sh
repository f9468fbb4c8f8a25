# What scripts/test.sh and scripts/test_hardened.sh share (sourced from the repo root):
# the totals, the stack a run started (stopped on any exit), counting what the test
# runners report, and the final line "N passed, N failed".

passed=0
failed=0
stack_started=0

stop_stack() {
  if [ "$stack_started" -eq 1 ]; then
    bash scripts/stack.sh stop || true
    stack_started=0
  fi
}
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Counts a step that failed outside any test runner, named on a "test: failed:" line.
fail_step() {
  echo "test: failed: $*" >&2
  failed=$((failed + 1))
}

# Ends the run: the stack stopped, the totals printed, non-zero when anything failed.
finish() {
  stop_stack
  echo
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

# Adds a runner's JUnit counts to the totals and names each failed test on a line
# "test: failed: NAME" (which .ci/run repeats at its end, where CI's tail shows it). A
# runner that failed without writing its report counts as one failure, so a crash can
# never read as a pass.
count_results() {
  local report=$1 rc=$2 counts
  if [ -f "$report" ] && counts=$(.venv/bin/python - "$report" <<'PYEOF'
import sys
import xml.etree.ElementTree as ET

ok = bad = skipped = 0
failures = []
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    tags = {child.tag for child in case}
    status = case.get("status", "")
    if tags & {"failure", "error"} or status == "fail":
        bad += 1
        why = next((c.get("message") or "" for c in case if c.tag in ("failure", "error")), "")
        why = " ".join(why.split())[:300]
        failures.append(f"{case.get('classname', '')}::{case.get('name', '')}: {why}")
    elif "skipped" in tags or status in ("notrun", "disabled"):
        skipped += 1
    else:
        ok += 1
print(ok, bad, skipped)
for name in failures:
    print(name)
PYEOF
  ); then
    read -r ok bad skipped <<<"$(head -n 1 <<<"$counts")"
    tail -n +2 <<<"$counts" | sed "s|^|test: failed: $(basename "$report"): |"
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    [ "$skipped" -eq 0 ] || echo "test: $skipped skipped in $(basename "$report")"
  elif [ "$rc" -ne 0 ]; then
    echo "test: failed: $(basename "$report"): the runner exited $rc without its report"
    failed=$((failed + 1))
  fi
}
