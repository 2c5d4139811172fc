# executor_chaos_lib.sh - helpers for the executor's chaos tests (crashes,
# ambiguous exchange replies, Redis and collectd outages, signals).
# Source after tests/harness.sh and tests/integration/executor_lib.sh, whose
# setup (ex_setup, ex_start, ex_publish, ...) these build on.

# chaos_kill9: SIGKILL the executor (EX_PID) and reap it.
chaos_kill9() {
  kill -KILL "$EX_PID" 2>/dev/null
  wait "$EX_PID" 2>/dev/null
  return 0
}

# chaos_restart [ARGS...]: start the executor again (config EX_CONF) and
# wait until this run logs event=started: by then it has re-handled its own
# pending entries.
chaos_restart() {
  local before
  before=$(ex_started_count 2>/dev/null)
  ex_start "$@" || return 1
  dg_wait_for 30 chaos_started_more "$before" || {
    diag "executor did not start again"
    return 1
  }
}
chaos_started_more() { [ "$(ex_started_count)" -gt "${1:-0}" ]; }

# chaos_conf_for CONSUMER CLAIM_IDLE: a copy of EX_CONF for another consumer
# of the same group; prints its path.
chaos_conf_for() {
  local conf="$DG_TMP/executor-$1.conf"
  { cat "$EX_CONF" && printf 'Consumer "%s"\nClaimIdle %s\n' "$1" "$2"; } >"$conf"
  echo "$conf"
}

# chaos_state PLAN_ID: the dedupe record's state ("" when there is none).
chaos_state() {
  local rec
  rec=$(rcli GET "$EX_PREFIX:apply:dedupe:$1")
  [ -n "$rec" ] && jq -r '.state // ""' <<<"$rec"
}
chaos_state_is() { [ "$(chaos_state "$1")" = "$2" ]; }

# chaos_plan_results PLAN_ID: how many result entries name PLAN_ID.
chaos_plan_results() {
  ex_results_json | jq --arg id "$1" 'map(select(.plan_id == $id)) | length'
}
chaos_has_result() { [ "$(chaos_plan_results "$1")" -ge 1 ]; }

# chaos_pending: entries delivered to the group and not ACKed.
chaos_pending() { rcli XPENDING "$EX_PLAN_STREAM" executor | head -1; }

# chaos_orders_for SYMBOL: how many orders the exchange accepted for SYMBOL.
chaos_orders_for() { sim_orders | jq --arg s "$1" 'map(select(.symbol == $s)) | length'; }
chaos_order_count_is() { [ "$(sim_order_count)" = "$1" ]; }
# chaos_faults_left: injected faults not yet taken by a request (a fault
# is taken when its request arrives, before any delay).
chaos_faults_left() { curl -sf "$SIM_URL/sim/faults" | jq length; }
chaos_faults_taken() { [ "$(chaos_faults_left)" = 0 ]; }
# chaos_log_count PATTERN: lines of the executor log matching PATTERN.
chaos_log_count() { grep -c -- "$1" "$EX_LOG"; }

# chaos_hold_result PLAN_ID PLAN_JSON: publish the plan; the exchange
# applies its order at once and answers 2.5 s later. Redis writes are paused
# (CLIENT PAUSE WRITE, 20 s) as soon as the order exists, so when this
# returns 0 the executor has the fill (audit line) and its result + record
# + ACK script is held.
chaos_hold_result() {
  local orders0
  orders0=$(sim_order_count)
  sim_faults "[$(fault_at order '{"delay_ms":2500,"apply":true}')]" >/dev/null
  ex_publish "$2" >/dev/null
  dg_wait_for 15 chaos_order_count_is $((orders0 + 1)) || return 1
  rcli CLIENT PAUSE 20000 WRITE >/dev/null
  dg_wait_for 10 grep -q "\[RECONCILE_CLOSE_AUDIT\] .* plan_id=$1 " "$EX_LOG"
}

# chaos_publish_step TAG: publish a plan selling 0.001 of $BTC's live
# position (ledger = position - 0.001), its HOLD set; sets id.
chaos_publish_step() {
  local amt ledger
  amt=$(sim_position "$BTC")
  ledger=$(awk -v a="$amt" 'BEGIN { printf "%.3f", a - 0.001 }')
  ex_hold "$BTC"
  id="reconclose:$BTC:416d86940859:$1$RANDOM"
  ex_publish "$(EX_PLAN_ID=$id ex_plan_json $BTC "$amt" "{\"qty\":\"0.001\",\"ledger_amt\":\"$ledger\"}")" >/dev/null
}
# chaos_plan_ok PLAN_ID: exactly one result, and one order with the plan's
# client order id when it is EXECUTED, none otherwise; says what is wrong.
chaos_plan_ok() {
  local coid status orders results want=0
  coid=$(ex_result client_order_id "$1")
  status=$(ex_result status "$1")
  orders=$(sim_orders | jq --arg c "$coid" 'map(select(.clientOrderId == $c)) | length')
  results=$(chaos_plan_results "$1")
  [ "$status" = EXECUTED ] && want=1
  [ "$orders" = "$want" ] && [ "$results" = 1 ] && return 0
  diag "$1: status $status, $orders order(s), $results result(s)"
  return 1
}
# chaos_closed_by N: $BTC started at 1 and N closes of 0.001 happened.
chaos_closed_by() {
  [ "$(sim_position $BTC)" = "$(awk -v n="$1" 'BEGIN { printf "%.3f", 1 - n * 0.001 }' | sed 's/0*$//; s/\.$//')" ]
}

# run_case NAME POSITION FAULTS [PLAN OVERRIDES]: $BTC at POSITION, the
# HOLD set, FAULTS injected, one plan closing it published; waits for its
# result. Sets id and orders0 (orders before); n counts the cases.
run_case() {
  local name=$1 pos=$2 faults=$3 over=${4:-'{}'}
  n=$((${n:-0} + 1))
  sim_positions "{\"$BTC\":\"$pos\"}" >/dev/null
  ex_hold "$BTC"
  orders0=$(sim_order_count)
  sim_faults "$faults" >/dev/null || diag "$name: faults refused"
  id="reconclose:$BTC:416d86940859:$n$RANDOM"
  ex_publish "$(EX_PLAN_ID=$id ex_plan_json $BTC "$pos" "$over")" >/dev/null
  # 60 s: a plan whose fate stays unknown past the executor's waits is left
  # pending and recovered once its entry has been idle for ClaimIdle (30 s).
  dg_wait_for 60 chaos_has_result "$id"
  ok $? "$name: the plan gets a result"
}
# one_order NAME QTY: exactly one order of QTY for the plan's client id.
one_order() {
  local coid
  coid=$(ex_result client_order_id "$id")
  is "$(sim_order_count)" $((orders0 + 1)) "$1: exactly one order reached the exchange"
  is "$(sim_orders | jq -r --arg c "$coid" '[.[] | select(.clientOrderId == $c) | .quantity] | join(",")')" \
    "$2" "$1: the order has the plan's client order id and quantity $2"
}
# executed NAME QTY: the plan's result is EXECUTED, names the order, QTY.
executed() {
  is "$(ex_result status "$id")" EXECUTED "$1: EXECUTED"
  is "$(ex_result order_id "$id")" "$(sim_last_order_id)" "$1: the result names the order"
  is "$(ex_result executed_qty "$id")" "$2" "$1: executed_qty $2"
}
