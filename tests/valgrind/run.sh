#!/usr/bin/env bash
# run.sh - driftguard's long-running programs under valgrind memcheck: the
# exchange simulator, the executor and the reconcile plugin inside collectd
# each serve a short real workload, get SIGTERM and must exit with no
# memory error and no definite or indirect leak in driftguard's code.
#
# Needs a tree built WITHOUT sanitizers (valgrind and ASan do not mix):
#   /path/to/configure -q CFLAGS='-O1 -g' && make
#   top_srcdir=/path/to/src top_builddir=/path/to/build bash tests/valgrind/run.sh
# Prints TAP, one `ok` per program; valgrind's records of a failed check are
# printed as TAP comments. VG_LOG_DIR=DIR keeps valgrind's logs there.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh" # skips when no collectd
dg_time_limit 230

command -v valgrind >/dev/null || skip_all "valgrind not installed"
for bin in "$DG_SIM" "$DG_EXECUTOR" "$DG_PLUGIN_SO"; do
  [ -e "$bin" ] || bail "not built: $bin"
  if ldd "$bin" 2>/dev/null | grep -q 'lib[at]san\|libubsan'; then
    bail "$bin is built with sanitizers; valgrind needs a plain build (configure without --enable-sanitizers)"
  fi
done

VG_DIR="$top_srcdir/tests/valgrind"
# shellcheck disable=SC2054 # commas inside valgrind options
VG_OPTS=(--leak-check=full --show-leak-kinds=definite,indirect
  --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no
  --num-callers=30 --fullpath-after=)

# vg_wrapper NAME PROGRAM [VALGRIND OPTIONS...]: a script that execs PROGRAM
# (with its arguments) under valgrind, logging to $DG_TMP/NAME.vg. The
# harness starts it in place of the program, so its pid is valgrind's.
vg_wrapper() {
  local name=$1 prog=$2 w="$DG_TMP/vg-$1"
  shift 2
  {
    echo '#!/bin/sh'
    printf 'exec valgrind'
    printf ' %q' "${VG_OPTS[@]}" "$@" "--log-file=$DG_TMP/$name.vg" "$prog"
    echo ' "$@"'
  } >"$w"
  chmod +x "$w"
  echo "$w"
}

# vg_stop PID: SIGTERM, then wait (bounded) for valgrind to finish its leak
# check; sets VG_STATUS to the exit status (KILLED when it had to be killed).
vg_stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    VG_STATUS=KILLED
    return
  fi
  wait "$pid"
  VG_STATUS=$?
}

# vg_ours LOG: valgrind's records (memory errors, definite and indirect
# leaks: the only records it prints with a stack) that have a frame in
# driftguard's sources (lib/, plugins/, executor/, sim/) or in reconcile.so,
# blank-line separated.
vg_ours() {
  sed 's/^==[0-9]*== \{0,1\}//' "$1" | awk -v RS= '
    /[(\/](lib|plugins|executor|sim)\/[A-Za-z0-9_]+\.[ch]:[0-9]+\)/ || /reconcile\.so/ {
      print; print "" }'
}

# vg_check NAME STATUS ALLOWED_STATUSES: one TAP line: valgrind finished
# (ERROR SUMMARY written), the status is allowed, no error record of ours.
vg_check() {
  local name=$1 status=$2 allowed=$3 log="$DG_TMP/$1.vg" ours summary
  ours=$(vg_ours "$log")
  summary=$(grep -h 'ERROR SUMMARY\|definitely lost:\|indirectly lost:' "$log" | sed 's/^==[0-9]*== //' | tr -s ' ' | paste -sd';')
  case " $allowed " in *" $status "*) true ;; *) false ;; esac &&
    grep -q 'ERROR SUMMARY' "$log" && [ -z "$ours" ]
  if ! ok $? "$name under valgrind: exit $status, no memory error or leak in driftguard code"; then
    [ -n "$ours" ] && printf '%s\n' "$ours" | head -n 150 | sed 's/^/#   /'
    [ -z "$ours" ] && tail -n 60 "$log" | sed 's/^/#   /'
  fi
  diag "$name: $summary"
  [ -z "${VG_LOG_DIR:-}" ] || cp "$log" "$VG_LOG_DIR/"
}

# --- (1) the exchange simulator ----------------------------------------------
. "$top_srcdir/tests/integration/sim_lib.sh"
REAL_SIM=$DG_SIM
DG_SIM=$(vg_wrapper sim "$REAL_SIM")
dg_start_sim
VG_SIM_PID=$SIM_PID
sim_workload() {
  local i pids=""
  sim_positions '{"BTCUSDT":"0.050","ETHUSDT":"-1.5"}' >/dev/null
  curl -sf -X POST -d '{"BTCUSDT":"100"}' "$SIM_URL/sim/mark" >/dev/null
  for i in $(seq 26); do
    curl -s -o /dev/null "$SIM_URL/fapi/v1/time"
    signed_call GET /fapi/v3/positionRisk ""
    signed_call GET /fapi/v2/positionRisk "symbol=BTCUSDT"
    order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true&newClientOrderId=vg-$i"
    signed_call GET /fapi/v1/order "symbol=BTCUSDT&origClientOrderId=vg-$i"
    signed_body_call POST /fapi/v1/order "" "symbol=ETHUSDT&side=BUY&type=MARKET&quantity=0.01&reduceOnly=true"
  done
  # Concurrent clients (the simulator serves each connection on a thread).
  for i in $(seq 12); do
    curl -s -o /dev/null "$SIM_URL/fapi/v1/exchangeInfo" &
    pids="$pids $!"
  done
  # shellcheck disable=SC2086 # a list of pids
  wait $pids
  signed_call GET /fapi/v1/exchangeInfo ""
  signed_call GET /fapi/v1/positionSide/dual ""
  curl -sf -X POST -d '{"dualSidePosition":true}' "$SIM_URL/sim/dual" >/dev/null
  curl -sf "$SIM_URL/sim/dual" >/dev/null
  curl -sf -X POST -d '{"dualSidePosition":false}' "$SIM_URL/sim/dual" >/dev/null
  # Refusals: bad signature, unknown key, stale timestamp, unknown order,
  # bad parameters, unknown paths and methods, malformed control bodies.
  SIM_CLIENT_SECRET=wrong signed_call GET /fapi/v3/positionRisk ""
  SIM_CLIENT_KEY=nobody signed_call GET /fapi/v3/positionRisk ""
  raw_call GET /fapi/v3/positionRisk "timestamp=1000&signature=00" ""
  raw_call GET /fapi/v3/positionRisk "" ""
  signed_call GET /fapi/v1/order "symbol=BTCUSDT&origClientOrderId=none"
  order "symbol=BTCUSDT&side=SIDEWAYS&quantity=abc"
  order "symbol=NOPE&side=SELL&quantity=0.001"
  order "symbol=BTCUSDT&side=SELL&quantity=0.001&quantity=0.002&reduceOnly=maybe"
  raw_call DELETE /fapi/v1/order "" ""
  raw_call GET /nothing/here "" ""
  raw_call POST /fapi/v1/order "" "$(head -c 6000 /dev/zero | tr '\0' a)"
  curl -s -o /dev/null -X POST -d '{not json' "$SIM_URL/sim/positions"
  curl -s -o /dev/null -X POST -d '[1,2' "$SIM_URL/sim/faults"
  curl -s -o /dev/null -X POST -d '{"path":7}' "$SIM_URL/sim/faults"
  curl -s -o /dev/null -X POST -d '{"BTCUSDT":"x.y"}' "$SIM_URL/sim/positions"
  curl -s -o /dev/null "$SIM_URL/sim/unknown"
  # Faults: 429, 418 ban, 5xx with and without the order applied, error
  # codes, a delay the client gives up on.
  sim_positions '{"BTCUSDT":"0.050"}' >/dev/null
  sim_faults '[{"path":"/fapi/v1/order","status":429,"retry_after":1,"count":2},
    {"path":"/fapi/v1/order","status":503,"count":1},
    {"path":"/fapi/v1/order","status":503,"apply":true,"count":1},
    {"path":"/fapi/v1/order","status":400,"code":-2022,"msg":"ReduceOnly Order is rejected.","count":1},
    {"path":"/fapi/v1/order","delay_ms":1500,"apply":true,"count":1}]' >/dev/null
  curl -sf "$SIM_URL/sim/faults" >/dev/null
  for i in $(seq 6); do
    SIM_CLIENT_TIMEOUT=1 order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true&newClientOrderId=f-$i"
  done
  sim_faults '[{"path":"/fapi/v3/positionRisk","status":418,"ban_ms":800}]' >/dev/null
  for i in $(seq 3); do signed_call GET /fapi/v3/positionRisk ""; done
  sleep 1
  signed_call GET /fapi/v3/positionRisk ""
  curl -sf "$SIM_URL/sim/orders" >/dev/null
  curl -sf "$SIM_URL/sim/stats" >/dev/null
  curl -sf -X POST "$SIM_URL/sim/reset" >/dev/null
  sim_positions '{"BTCUSDT":"0.002"}' >/dev/null
  order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true"
}
sim_workload
total=$(grep -c " path=" "$DG_TMP/sim.log")
diag "the simulator served $total requests"
vg_stop "$VG_SIM_PID"
vg_check sim "$VG_STATUS" 0

# --- (2) the executor, with a real Redis, the simulator and collectd ---------
DG_SIM=$REAL_SIM
. "$top_srcdir/tests/integration/executor_lib.sh"
plugin_setup # Redis and a simulator outside valgrind
# A plain collectd receives the executor's PUTVALs; reconcile.so defines
# their types (its own polls use another KeyPrefix, so publish no plan here).
dg_start_collectd exec "$(plugin_conf '    KeyPrefix "vgidle"')"
EX_COLLECTD_SOCK=$COLLECTD_SOCK
ex_setup
DG_EXECUTOR=$(vg_wrapper executor "$DG_EXECUTOR")
sim_positions '{"BTCUSDT":"0.007","ETHUSDT":"-0.5"}' >/dev/null
ex_hold BTCUSDT
ex_hold ETHUSDT
ex_start || bail "executor did not start under valgrind"
VG_EX_PID=$EX_PID
executor_workload() {
  local n=0 plan
  # publish PLAN [MAC]: one plan, then wait for its result.
  publish() {
    n=$((n + 1))
    ex_publish "$@" >/dev/null
    ex_wait_results "$n" 15 || diag "executor: no result for plan $n"
  }
  # xadd FIELDS...: a raw (malformed) entry, then wait for its result.
  xadd() {
    n=$((n + 1))
    rcli XADD "$EX_PLAN_STREAM" '*' "$@" >/dev/null
    ex_wait_results "$n" 15 || diag "executor: no result for entry $n"
  }
  plan=$(EX_PLAN_ID=reconclose:BTCUSDT:416d86940859:1 ex_plan_json BTCUSDT 0.007)
  publish "$plan"                   # EXECUTED
  publish "$plan"                   # DROPPED_DUPLICATE
  publish "$(ex_plan_json BTCUSDT 0.007 '{"decision":"OPEN"}')"
  publish "$(ex_plan_json BTCUSDT 0.007)" "$(ex_mac other)"
  publish "$(ex_plan_json BTCUSDT 0.007 '{"reduceOnly":"false"}')"
  publish "$(ex_plan_json ETHUSDT -0.5 '{"qty":"0.6"}')"
  publish "$(ex_plan_json ETHUSDT -0.5 '{"side":"SELL"}')"
  publish "$(ex_plan_json ETHUSDT -0.4)" # stale
  publish "$(ex_plan_json BTCUSDT 0.007)" # stale: the first plan closed it
  rcli DEL "$EX_PREFIX:reconcile:hold:ETHUSDT" >/dev/null
  publish "$(ex_plan_json ETHUSDT -0.5)" # hold_key
  ex_hold ETHUSDT
  xadd plan 'not json at all'
  xadd something else
  xadd plan "$(ex_plan_json ETHUSDT -0.5 | jq -c 'del(.qty)')"
  xadd plan "$(ex_plan_json ETHUSDT -0.5 '{"qty":{"a":1}}')"
  xadd plan "$(ex_plan_json ETHUSDT -0.5 "{\"pad\":\"$(head -c 6000 /dev/zero | tr '\0' A)\"}")"
  # Exchange outcomes: 429 (then the shared back-off), -2022, an ambiguous
  # 503 and a timeout, each resolved by the client order id, then a plan
  # that executes.
  sim_faults '[{"path":"/fapi/v1/order","status":429,"retry_after":1,"count":1}]' >/dev/null
  publish "$(ex_plan_json ETHUSDT -0.5)"
  publish "$(ex_plan_json ETHUSDT -0.5)"
  sleep 1.5
  sim_faults '[{"path":"/fapi/v1/order","status":400,"code":-2022,"msg":"ReduceOnly Order is rejected.","count":1}]' >/dev/null
  publish "$(ex_plan_json ETHUSDT -0.5)"
  sim_faults '[{"path":"/fapi/v1/order","status":503,"apply":true,"count":1}]' >/dev/null
  publish "$(ex_plan_json ETHUSDT -0.5)"
  sim_positions '{"ETHUSDT":"-0.5"}' >/dev/null
  # A reply slower than the executor's Timeout (the order is applied).
  sim_faults '[{"path":"/fapi/v1/order","delay_ms":2500,"apply":true,"count":1}]' >/dev/null
  publish "$(ex_plan_json ETHUSDT -0.5)"
  sim_positions '{"ETHUSDT":"-0.5"}' >/dev/null
  publish "$(ex_plan_json ETHUSDT -0.5)"
  sleep 1.5 # a metrics round to collectd
  diag "executor results: $(ex_results_json | jq -r 'map(.status + "/" + (.rule // "")) | join(" ")')"
  grep -q event=collectd_unavailable "$EX_LOG" && diag "executor: collectd did not take its metrics"
}
executor_workload
vg_stop "$VG_EX_PID"
vg_check executor "$VG_STATUS" 0

# --- (3) the reconcile plugin inside collectd ---------------------------------
# Only records with a frame of driftguard's count: collectd may leak on its
# own at exit (exit status 99 then); tests/valgrind/collectd.supp hides what
# is known of that.
dg_stop_pid "$COLLECTD_PID"
# shellcheck disable=SC2016,SC2034 # DG_COLLECTD expands in the eval'd function
DG_COLLECTD=$(vg_wrapper collectd /usr/sbin/collectd "--suppressions=$VG_DIR/collectd.supp")
eval "$(declare -f dg_start_collectd | sed 's|/usr/sbin/collectd -f|"$DG_COLLECTD" -f|')"
plugin_setup # a fresh Redis and simulator
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
dg_start_collectd vg "$(plugin_conf '    Symbol "BTCUSDT"
    Symbol "ETHUSDT"
    ConfirmPolls 2')"
VG_CD_PID=$COLLECTD_PID
plugin_workload() {
  # A fixable drift: HOLD and a signed plan.
  wait_until 30 'test "$(plan_count)" -ge 1' || diag "collectd: no plan published"
  # Exchange faults: 500s and a reply slower than the plugin's Timeout.
  sim_faults '[{"path":"/fapi/v3/positionRisk","status":500,"count":2},
               {"path":"/fapi/v3/positionRisk","delay_ms":1500,"count":1}]' >/dev/null
  sleep 4
  # A drift no reduce-only close can fix (the ledger holds more).
  rcli HSET quantum:ledger:ETHUSDT position_amt 0.2 >/dev/null
  sleep 3
  # Both drifts are gone: the HOLDs are released.
  rcli HSET quantum:ledger:ETHUSDT position_amt 0 >/dev/null
  sim_positions '{"BTCUSDT":"0"}' >/dev/null
  wait_until 30 'test "$(rcli EXISTS $HOLD)" = 0' || diag "collectd: HOLD not released"
  diag "collectd: $(plan_count) plan(s), $(collectd_log vg | grep -c 'drift gone, HOLD released') HOLD(s) released"
}
plugin_workload
vg_stop "$VG_CD_PID"
vg_check collectd "$VG_STATUS" "0 99"
dg_done
