# executor_lib.sh - helpers for the driftguard-executor integration tests.
# Source after tests/harness.sh. Starts a real redis-server and the exchange
# simulator, writes an executor config, publishes plans as the plugin would
# (SPEC section 3, with the mac of the exact plan bytes) and reads results.

EX_PREFIX=quantum
EX_PLAN_KEY_TEXT="test-plan-key-0123456789"
EX_PLAN_STREAM="$EX_PREFIX:stream:reconcile.close"
EX_RESULT_STREAM="$EX_PREFIX:stream:reconcile.close.result"
EX_LOG="$DG_TMP/executor.log"
EX_CONF="$DG_TMP/executor.conf"

# ex_setup [EXTRA CONFIG LINES]: redis and simulator (unless started
# already), key files, config.
ex_setup() {
  command -v jq >/dev/null || bail "jq not installed"
  [ -n "${REDIS_PORT:-}" ] || dg_start_redis
  [ -n "${SIM_PORT:-}" ] || dg_start_sim
  EX_KEYFILE="$DG_TMP/trade.key"
  dg_venue_keyfile "$EX_KEYFILE"
  EX_PLAN_KEYFILE="$DG_TMP/plan.key"
  (umask 077 && printf '%s\n' "$EX_PLAN_KEY_TEXT" >"$EX_PLAN_KEYFILE")
  cat >"$EX_CONF" <<CONF
# driftguard-executor test configuration
Exchange "$DG_VENUE"
URL "$SIM_URL"
KeyFile "$EX_KEYFILE"
RedisURL "$REDIS_URL"
KeyPrefix "$EX_PREFIX"
Source "p3.4"
PlanKeyFile "$EX_PLAN_KEYFILE"
Group "executor"
Consumer "exec-1"
CollectdSocket "${EX_COLLECTD_SOCK:-}"
Hostname "dgtest"
MetricsInterval 1
HoldLease 900
Timeout 2
RecvWindow 1000
ClaimIdle 30
BatchSize 8
${1:-}
CONF
}

# ex_start [ARGS...]: start the executor; sets EX_PID. Waits until it reads.
ex_start() {
  "$DG_EXECUTOR" -C "$EX_CONF" --log-level debug "$@" >>"$EX_LOG" 2>&1 &
  EX_PID=$!
  dg_track "$EX_PID"
  dg_wait_for 10 grep -q "event=started" "$EX_LOG" || {
    diag "executor did not start"
    return 1
  }
}
ex_started_count() { grep -c "event=started" "$EX_LOG"; }

# ex_plan_json SYMBOL AMT [JQ OVERRIDES]: a plan closing AMT on SYMBOL
# (ledger 0), with fields replaced by the jq object OVERRIDES.
ex_plan_json() {
  local symbol=$1 amt=$2 over=${3:-'{}'} side=SELL qty=${2#-}
  case "$amt" in -*) side=BUY ;; esac
  jq -cn --arg s "$symbol" --arg amt "$amt" --arg qty "$qty" --arg side "$side" \
    --arg p "$EX_PREFIX" --arg id "${EX_PLAN_ID:-reconclose:$symbol:416d86940859:$RANDOM$RANDOM}" \
    --argjson over "$over" \
    '{plan_id:$id, decision:"RECONCILE_CLOSE", source:"p3.4",
      reason:"reconcile_drift", symbol:$s, side:$side, type:"MARKET",
      reduceOnly:true, qty:$qty, exchange_amt:$amt, ledger_amt:"0",
      signature:"416d86940859", hold_key:($p + ":reconcile:hold:" + $s),
      ts:1769379791123} + $over'
}

ex_mac() { printf '%s' "$1" | openssl dgst -sha256 -hmac "$EX_PLAN_KEY_TEXT" | sed 's/^.*= //'; }

# ex_publish PLAN_JSON [MAC]: XADD like the plugin; prints the entry id.
ex_publish() {
  local mac=${2-$(ex_mac "$1")}
  if [ -n "$mac" ]; then
    rcli XADD "$EX_PLAN_STREAM" '*' plan "$1" mac "$mac"
  else
    rcli XADD "$EX_PLAN_STREAM" '*' plan "$1"
  fi
}

# ex_hold SYMBOL: the plugin's HOLD (three keys, short lease to see renewal).
ex_hold() {
  rcli SET "$EX_PREFIX:reconcile:hold:$1" 1 EX 60 >/dev/null
  rcli SET "$EX_PREFIX:reconcile:hold_reason:$1" reconcile_drift EX 60 >/dev/null
  rcli SET "$EX_PREFIX:reconcile:hold_sig:$1" 416d86940859 EX 60 >/dev/null
}

ex_results_count() { rcli XLEN "$EX_RESULT_STREAM"; }
# ex_wait_results N [SECONDS]: until N result entries exist.
ex_wait_results() {
  local n=$1 limit=${2:-15} i
  for i in $(seq $((limit * 10))); do
    [ "$(ex_results_count)" -ge "$n" ] && return 0
    sleep 0.1
  done
  return 1
}

# ex_results_json: every result entry as a JSON list of objects.
ex_results_json() {
  rcli -2 --json XRANGE "$EX_RESULT_STREAM" - + |
    jq -c '[.[] | .[1] | [range(0; length; 2) as $i | {key: .[$i], value: .[$i + 1]}] | from_entries]'
}
# ex_result FIELD [PLAN_ID]: FIELD of the newest result (for PLAN_ID).
ex_result() {
  ex_results_json | jq -r --arg f "$1" --arg id "${2:-}" \
    'map(select($id == "" or .plan_id == $id)) | last | .[$f] // ""'
}

sim_order_count() { sim_orders | jq 'length'; }
sim_position() { curl -sf "$SIM_URL/sim/positions" | jq -r --arg s "$1" '.[$s] // "0"'; }
