#!/usr/bin/env bash
# The local service stack the integration tests and the demo talk to:
#   dynalite (DynamoDB), moto in server mode (SQS, SNS, and DynamoDB for tests that need
#   nothing else), moto serving one request at a time (motoddb: DynamoDB with
#   transactions, linearizable: see scripts/moto_serial.py), prometheus-pushgateway.
# Each listens on 127.0.0.1 on a port the OS picks at start, so several stacks
# (STACK_DIR=...) and other developers' servers can run side by side.
#
#   scripts/stack.sh start    start (restart if already running), write $STACK_DIR/env
#   scripts/stack.sh stop     stop everything this stack started; fine to repeat
#   scripts/stack.sh env      print the env file (`eval "$(scripts/stack.sh env)"`)
#   scripts/stack.sh status   say what runs
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK_DIR=${STACK_DIR:-$ROOT/.stack}
LOG_DIR=$STACK_DIR/logs
ENV_FILE=$STACK_DIR/env
START_TIMEOUT=${STACK_START_TIMEOUT:-60} # seconds for all services together
STOP_TIMEOUT=${STACK_STOP_TIMEOUT:-10}   # seconds before SIGKILL
SERVICES=(dynalite moto motoddb pushgateway)

say() { printf 'stack: %s\n' "$*"; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The start time (clock ticks since boot) tells our process apart from an
# unrelated one that reused its PID after a reboot or a crash. Prints nothing
# for a process that is gone or a zombie. Fields are counted after the ")" that
# closes the command name, which may itself hold spaces.
start_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  set -- ${stat##*) }
  [ "$1" = Z ] || echo "${20}"
}

# Sets the array CMD to the command line of service $1 listening on port $2
# (an array, so a checkout path with spaces in it still works).
command_for() {
  local name=$1 port=$2
  case $name in
    dynalite)
      # In memory (no --path); tables become ACTIVE at once so tests need not wait.
      CMD=("$ROOT/node_modules/.bin/dynalite" --host 127.0.0.1 --port "$port"
        --createTableMs 0 --deleteTableMs 0 --updateTableMs 0) ;;
    moto)
      CMD=("$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$port") ;;
    motoddb)
      CMD=("$ROOT/.venv/bin/python" "$ROOT/scripts/moto_serial.py" --host 127.0.0.1 --port "$port") ;;
    pushgateway)
      # An empty persistence file keeps metrics in memory only (Debian's default
      # would write under /var/lib). Pushes stay consistency-checked (the default):
      # the tests' reads (settle_pushgateway in tests/integration/stack.py) rely on a
      # checked push being answered only once applied.
      CMD=(prometheus-pushgateway "--web.listen-address=127.0.0.1:$port"
        --persistence.file= --log.level=warn) ;;
  esac
}

# Any HTTP answer means the server is up; only 000 (no connection) does not.
probe_url() {
  case $1 in
    dynalite) echo "http://127.0.0.1:$2/" ;;
    moto | motoddb) echo "http://127.0.0.1:$2/moto-api/" ;;
    pushgateway) echo "http://127.0.0.1:$2/-/ready" ;;
  esac
}

answers() {
  local code
  code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null) || true
  [ -n "$code" ] && [ "$code" != 000 ]
}

is_alive() {
  local name=$1 pid ticks
  [ -f "$STACK_DIR/$name.pid" ] || return 1
  read -r pid ticks <"$STACK_DIR/$name.pid" || return 1
  [ -n "$pid" ] && [ "$(start_ticks "$pid")" = "$ticks" ]
}

log_tail() {
  printf -- '--- last lines of %s ---\n' "$1" >&2
  tail -n 20 "$1" >&2 2>/dev/null || true
}

launch() {
  local name=$1 port=$2 pid CMD
  command_for "$name" "$port"
  # setsid gives the service its own process group, so stop can kill it and
  # anything it forked in one go.
  setsid "${CMD[@]}" </dev/null >"$LOG_DIR/$name.log" 2>&1 &
  pid=$!
  echo "$pid $(start_ticks "$pid")" >"$STACK_DIR/$name.pid"
  echo "$port" >"$STACK_DIR/$name.port"
}

stop_one() {
  local name=$1 pidfile=$STACK_DIR/$1.pid pid ticks waited=0
  [ -f "$pidfile" ] || return 0
  read -r pid ticks <"$pidfile" || true
  if [ -n "${pid:-}" ] && [ "$(start_ticks "$pid")" = "$ticks" ]; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    while [ -n "$(start_ticks "$pid")" ] && [ "$waited" -lt $((STOP_TIMEOUT * 10)) ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    # Our own child: reap it so it does not linger as a zombie while we run.
    wait "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile" "$STACK_DIR/$name.port"
}

cmd_stop() {
  local name
  for name in "${SERVICES[@]}"; do stop_one "$name"; done
  rm -f "$ENV_FILE"
}

write_env() {
  local dyn moto motoddb pgw tmp=$ENV_FILE.tmp
  dyn=$(cat "$STACK_DIR/dynalite.port")
  moto=$(cat "$STACK_DIR/moto.port")
  motoddb=$(cat "$STACK_DIR/motoddb.port")
  pgw=$(cat "$STACK_DIR/pushgateway.port")
  # Plain `export NAME=value` lines, no quoting needed: bash sources them and
  # tests/integration/stack.py reads them with a split on the first '='.
  cat >"$tmp" <<EOF
export SSC_STACK_DIR=$STACK_DIR
export SSC_DYNALITE_URL=http://127.0.0.1:$dyn
export SSC_MOTO_URL=http://127.0.0.1:$moto
export SSC_MOTO_DYNAMODB_URL=http://127.0.0.1:$motoddb
export SSC_PUSHGATEWAY_URL=http://127.0.0.1:$pgw
export PUSHGATEWAY_HOSTNAME=127.0.0.1
export PUSHGATEWAY_PORT=$pgw
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=eu-west-2
export AWS_DEFAULT_REGION=eu-west-2
export AWS_EC2_METADATA_DISABLED=true
export NO_PROXY=127.0.0.1,localhost
EOF
  mv "$tmp" "$ENV_FILE"
}

check_installed() {
  [ -x "$ROOT/node_modules/.bin/dynalite" ] || die "dynalite not installed: run scripts/setup.sh"
  [ -x "$ROOT/.venv/bin/moto_server" ] || die "moto_server not installed: run scripts/setup.sh"
  command -v prometheus-pushgateway >/dev/null || die "prometheus-pushgateway not installed: run scripts/setup.sh"
  command -v curl >/dev/null || die "curl not installed: run scripts/setup.sh"
}

cmd_start() {
  check_installed
  cmd_stop
  mkdir -p "$LOG_DIR"
  local name pending=() still deadline retries=0
  for name in "${SERVICES[@]}"; do
    launch "$name" "$(free_port)"
    pending+=("$name")
  done
  deadline=$((SECONDS + START_TIMEOUT))
  while [ ${#pending[@]} -gt 0 ]; do
    still=()
    for name in "${pending[@]}"; do
      if answers "$(probe_url "$name" "$(cat "$STACK_DIR/$name.port")")"; then
        continue
      fi
      if ! is_alive "$name"; then
        # The port was free when asked for but another process may have taken it
        # before the service bound it; a fresh port fixes that, anything else won't.
        if grep -q -i -E 'address already in use|EADDRINUSE' "$LOG_DIR/$name.log" && [ $retries -lt 3 ]; then
          retries=$((retries + 1))
          say "$name lost its port to another process; retrying on a new one"
          launch "$name" "$(free_port)"
          still+=("$name")
          continue
        fi
        log_tail "$LOG_DIR/$name.log"
        cmd_stop
        die "$name exited before answering (log: $LOG_DIR/$name.log)"
      fi
      still+=("$name")
    done
    pending=("${still[@]+"${still[@]}"}")
    [ ${#pending[@]} -eq 0 ] && break
    if [ $SECONDS -ge "$deadline" ]; then
      for name in "${pending[@]}"; do log_tail "$LOG_DIR/$name.log"; done
      cmd_stop
      die "no answer within ${START_TIMEOUT}s from: ${pending[*]} (logs in $LOG_DIR)"
    fi
    sleep 0.1
  done
  write_env
  say "started dynalite :$(cat "$STACK_DIR/dynalite.port"), moto :$(cat "$STACK_DIR/moto.port")," \
    "moto one request at a time :$(cat "$STACK_DIR/motoddb.port")," \
    "pushgateway :$(cat "$STACK_DIR/pushgateway.port") (env: $ENV_FILE)"
}

cmd_env() {
  [ -f "$ENV_FILE" ] || die "not running (no $ENV_FILE): run scripts/stack.sh start"
  local name
  for name in "${SERVICES[@]}"; do is_alive "$name" || die "$name is not running: run scripts/stack.sh start"; done
  cat "$ENV_FILE"
}

cmd_status() {
  local name rc=0
  for name in "${SERVICES[@]}"; do
    if is_alive "$name"; then
      say "$name running on 127.0.0.1:$(cat "$STACK_DIR/$name.port")"
    else
      say "$name not running"
      rc=1
    fi
  done
  return $rc
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|env|status   (STACK_DIR overrides $ROOT/.stack)" >&2; exit 2 ;;
esac
