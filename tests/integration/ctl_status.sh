#!/usr/bin/env bash
# driftguard-ctl status, holds and results against a real Redis (with KEYS
# disabled: the tool must SCAN) and the exchange simulator: which symbols
# are listed, exact decimal drift, HOLD TTLs, the last plan and result per
# symbol, and what happens when Redis or the exchange is unavailable.
. "$top_srcdir/tests/integration/ctl_lib.sh"
dg_time_limit 90
ctl_setup --rename-command KEYS ""

plan() { # plan SYMBOL SIG QTY EXCHANGE_AMT: a plan entry as the plugin writes it
  rcli xadd quantum:stream:reconcile.close '*' plan \
    "{\"plan_id\":\"reconclose:$1:$2:14744826\",\"decision\":\"RECONCILE_CLOSE\",\"source\":\"p3.4\",\"reason\":\"reconcile_drift\",\"symbol\":\"$1\",\"side\":\"SELL\",\"type\":\"MARKET\",\"reduceOnly\":true,\"qty\":\"$3\",\"exchange_amt\":\"$4\",\"ledger_amt\":\"0\",\"signature\":\"$2\",\"hold_key\":\"quantum:reconcile:hold:$1\",\"ts\":1769379791123}" >/dev/null
}
result() { # result SYMBOL SIG STATUS RULE: the executor's result of plan()'s plan
  rcli xadd quantum:stream:reconcile.close.result '*' plan_id "reconclose:$1:$2:14744826" \
    symbol "$1" status "$3" rule "$4" >/dev/null
}
row() { echo "$OUT" | jq -r --arg s "$1" ".symbols[] | select(.symbol == \$s) | $2"; }

ctl holds
is "$RC" 0 "holds: exit 0 with no HOLD"
is "$OUT" "no active HOLD" "holds: says there is none"
ctl status --json
is "$RC" 0 "status: exit 0 with nothing to show"
is "$(echo "$OUT" | jq '.symbols | length')" 0 "status: no symbols on an empty account"

# BTCUSDT: drift and HOLD; ETHUSDT: position = ledger; XRPUSDT: ledger only;
# SOLUSDT: HOLD only; DOGEUSDT: exact-decimal drift below the step.
set_positions '{"BTCUSDT":"0.007","ETHUSDT":"-0.5","DOGEUSDT":"0.1"}'
ledger BTCUSDT 0
ledger ETHUSDT -0.50
ledger XRPUSDT 3
ledger DOGEUSDT 0.09999999
set_hold BTCUSDT 416d86940859
set_hold SOLUSDT aaaaaaaaaaaa
rcli pexpire quantum:reconcile:hold:SOLUSDT 5000 >/dev/null
plan BTCUSDT 0123456789ab 0.005 0.005
plan ETHUSDT 111111111111 0.1 0.1
plan BTCUSDT 416d86940859 0.007 0.007
result BTCUSDT 0123456789ab EXECUTED ""
result ETHUSDT 111111111111 REJECTED_GUARDRAIL stale
result BTCUSDT 416d86940859 REJECTED_GUARDRAIL stale

ctl status --json
is "$RC" 0 "status: exit 0"
is "$(echo "$OUT" | jq -r '[.symbols[].symbol] | join(",")')" \
  "BTCUSDT,DOGEUSDT,ETHUSDT,SOLUSDT,XRPUSDT" \
  "status: every symbol with a HOLD, a position or a ledger entry, sorted"
is "$(row BTCUSDT .exchange_amt)/$(row BTCUSDT .ledger_amt)/$(row BTCUSDT .drift)" \
  "0.007/0/0.007" "status: BTCUSDT amounts and drift"
is "$(row BTCUSDT .drift_state)" close "status: BTCUSDT drift closable"
is "$(row BTCUSDT .ledger_present)" true "status: BTCUSDT's ledger entry is read"
is "$(row BTCUSDT .hold.sig)/$(row BTCUSDT .hold.reason)" \
  "416d86940859/reconcile_drift" "status: BTCUSDT HOLD sig and reason"
ttl=$(row BTCUSDT .hold.ttl_ms)
[ "$ttl" -gt 890000 ] && [ "$ttl" -le 900000 ]
ok $? "status: BTCUSDT HOLD TTL in ms ($ttl)"
is "$(row BTCUSDT .last_plan.plan_id)" "reconclose:BTCUSDT:416d86940859:14744826" \
  "status: the newest plan of BTCUSDT"
is "$(row BTCUSDT .last_plan.qty)" 0.007 "status: last plan qty as exact text"
is "$(row BTCUSDT .last_result.status)" REJECTED_GUARDRAIL \
  "status: the newest result of BTCUSDT"
is "$(row ETHUSDT .drift)/$(row ETHUSDT .drift_state)" "0/none" \
  "status: ETHUSDT (-0.5 vs -0.50) has no drift"
is "$(row ETHUSDT .hold.active)" false "status: ETHUSDT has no HOLD"
is "$(row ETHUSDT .last_result.rule)" stale "status: ETHUSDT's own result"
is "$(row DOGEUSDT .drift)/$(row DOGEUSDT .drift_state)" "0.00000001/none" \
  "status: drift is exact (0.1 - 0.09999999), below the step is no drift"
is "$(row XRPUSDT .exchange_amt)/$(row XRPUSDT .ledger_amt)/$(row XRPUSDT .drift)" \
  "0/3/-3" "status: a ledger-only symbol is listed with a flat exchange"
is "$(row SOLUSDT .hold.active)/$(row SOLUSDT .last_plan)" "true/null" \
  "status: a HOLD-only symbol is listed, no plan"

is "$(echo "$OUT" | jq -r '[.consumer_group, .plans_pending, .plans_undelivered, .exchange_ban_until_ms] | join(",")')" \
  "driftguard-executor,,," "status: no consumer group yet, no back-off"
ctl status
echo "$OUT" | grep -qx 'plans waiting: unknown (no consumer group driftguard-executor: the executor has never started)'
ok $? "status table: no consumer group, in words"
rcli xgroup create quantum:stream:reconcile.close driftguard-executor 0 >/dev/null
rcli xreadgroup group driftguard-executor c1 count 2 streams quantum:stream:reconcile.close '>' >/dev/null
ctl status --json
is "$(echo "$OUT" | jq -r .plans_pending)" 2 "status: plans delivered and not ACKed"
is "$(echo "$OUT" | jq -r .plans_undelivered)" 1 "status: the group's lag, plans no executor received"
ctl status
echo "$OUT" | grep -qx 'plans not yet delivered to an executor (lag): 1' &&
  echo "$OUT" | grep -qx 'plans delivered, not acknowledged (pending): 2' &&
  echo "$OUT" | grep -q '^plans are waiting: is driftguard-executor running?'
ok $? "status table: lag and pending, and what to look at" || diag "$OUT"

echo "$OUT" | grep -qx 'exchange back-off: none'
ok $? "status table: back-off line"

# The executor down: a new plan, no result for it. Its result is not the
# previous plan's, and the lag says why.
plan BTCUSDT 999999999999 0.007 0.007
ctl status --json BTCUSDT
is "$(row BTCUSDT .last_plan.plan_id)/$(row BTCUSDT .last_result)" \
  "reconclose:BTCUSDT:999999999999:14744826/null" \
  "status: a plan without a result shows none, not the previous plan's"
is "$(echo "$OUT" | jq -r .plans_undelivered)" 2 "status: and the lag counts it"
row BTCUSDT .note | grep -q 'no result yet for the last plan: plans wait for an executor'
ok $? "status: the note says the plan waits for an executor"
rcli xdel quantum:stream:reconcile.close "$(rcli xrevrange quantum:stream:reconcile.close + - count 1 | head -1)" >/dev/null

ctl status ETHUSDT BTCUSDT --json
is "$(echo "$OUT" | jq -r '[.symbols[].symbol] | join(",")')" "BTCUSDT,ETHUSDT" \
  "status SYMBOL...: only the symbols asked for"
ctl status btcusdt
is "$RC" 2 "status: an invalid symbol is a usage error"

ctl status
echo "$OUT" | grep -Eq '^BTCUSDT +0\.007 +0 +0\.007 +close +14m5[0-9]s +416d86940859 '
ok $? "status table: BTCUSDT row"
echo "$OUT" | head -1 | grep -q '^SYMBOL  *EXCHANGE  *LEDGER  *DRIFT'
ok $? "status table: header"

ctl holds --json
is "$RC" 0 "holds --json: exit 0"
is "$(echo "$OUT" | jq -r '[.holds[].symbol] | join(",")')" "BTCUSDT,SOLUSDT" \
  "holds: every active HOLD"
is "$(echo "$OUT" | jq -r '.holds[0].sig')/$(echo "$OUT" | jq -r '.holds[0].reason')" \
  "416d86940859/reconcile_drift" "holds: sig and reason"
[ "$(echo "$OUT" | jq -r '.holds[1].ttl_ms')" -le 5000 ]
ok $? "holds: TTL of each HOLD"
ctl holds
echo "$OUT" | grep -Eq '^BTCUSDT +14m5[0-9]s +reconcile_drift +416d86940859$'
ok $? "holds table: BTCUSDT line"
dg_wait_for 10 sh -c "[ \$(redis-cli -p $REDIS_PORT exists quantum:reconcile:hold:SOLUSDT) = 0 ]"
ctl holds --json
is "$(echo "$OUT" | jq -r '[.holds[].symbol] | join(",")')" BTCUSDT \
  "holds: an expired HOLD is gone"

ctl results --json
is "$(echo "$OUT" | jq '.results | length')" 3 "results: all entries (fewer than 20)"
ctl results -n 2 --json
is "$(echo "$OUT" | jq -r '[.results[].status] | join(",")')" \
  "REJECTED_GUARDRAIL,REJECTED_GUARDRAIL" "results -n 2: the two newest, newest first"
is "$(echo "$OUT" | jq -r '.results[1].symbol')" ETHUSDT "results: entry fields"
ctl results -n 1
echo "$OUT" | grep -Eq '^20[0-9-]+T[0-9:.]+Z +BTCUSDT +REJECTED_GUARDRAIL +stale '
ok $? "results table: time, symbol, status, rule"

# Another ledger layout: --ledger-key and --ledger-field.
rcli hset 'book:{ADAUSDT}:pos' amt 12.5 >/dev/null
ctl status --json --ledger-key 'book:{{symbol}}:pos' --ledger-field amt
is "$(echo "$OUT" | jq -r '[.symbols[] | select(.ledger_present) | .symbol + "=" + .ledger_amt] | join(",")')" \
  "ADAUSDT=12.5" "status --ledger-key/--ledger-field: that ledger, found by SCAN"
ctl status --ledger-key 'book:pos'
is "$RC" 2 "--ledger-key without {symbol}: usage error"

# A ledger the tool cannot use is that symbol's note, not a failure.
rcli set quantum:ledger:LTCUSDT 5 >/dev/null
ledger BNBUSDT 1e-3
ctl status --json LTCUSDT BNBUSDT ETHUSDT
is "$RC" 0 "status with unusable ledgers: exit 0"
row BNBUSDT .note | grep -q 'not an exact decimal): "1e-3"'
ok $? "status: a ledger in exponent form is not read as a number"
row LTCUSDT .note | grep -q 'WRONGTYPE'
ok $? "status: a ledger key that is not a hash is reported"
is "$(row LTCUSDT .ledger_amt)/$(row LTCUSDT .drift)/$(row ETHUSDT .drift)" "null/null/0" \
  "status: no drift from an unusable ledger; other symbols unaffected"

# Glob characters in KeyPrefix are literal: another prefix's HOLD is not ours.
ctl_conf "$CONF" 'KeyPrefix "acct*"'
set_hold ETHUSDT bbbbbbbbbbbb 'acct*'
set_hold ADAUSDT cccccccccccc acctX
ctl holds --json
is "$(echo "$OUT" | jq -r '[.holds[].symbol] | join(",")')" ETHUSDT \
  "holds: KeyPrefix with a glob character matches only itself"
ctl_conf "$CONF"

# The exchange unavailable (shared ban): Redis data still shown, exit 1.
rcli set quantum:exchange:ban_until $(($(date +%s%3N) + 60000)) PX 60000 >/dev/null
ctl status --json BTCUSDT
is "$RC" 1 "status with the exchange unavailable: exit 1"
is "$(row BTCUSDT .exchange_amt)/$(row BTCUSDT .hold.sig)" "null/416d86940859" \
  "status with the exchange unavailable: Redis data still shown"
echo "$OUT" | jq -r .exchange_error | grep -q 'ban active'
ok $? "status with the exchange unavailable: says why"
[ "$(echo "$OUT" | jq -r .exchange_ban_until_ms)" -gt "$(date +%s%3N)" ]
ok $? "status: the back-off's end"
rcli del quantum:exchange:ban_until >/dev/null

# A 429 from the exchange is shared with the plugin and the executor.
sim_faults '[{"path":"/fapi/v3/positionRisk","status":429,"count":1}]' >/dev/null
ctl status --json BTCUSDT
is "$RC" 1 "status after a 429: exit 1"
echo "$OUT" | jq -r .exchange_error | grep -q 'rate_limit HTTP 429'
ok $? "status after a 429: says so"
until_ms=$(rcli get quantum:exchange:ban_until)
[ -n "$until_ms" ] && [ "$until_ms" -gt "$(date +%s%3N)" ]
ok $? "a 429 stores the shared back-off (ban_until $until_ms)"
ctl status --json BTCUSDT
echo "$OUT" | jq -r .exchange_error | grep -q 'ban active'
ok $? "the next status does not call the exchange during the back-off"
rcli del quantum:exchange:ban_until >/dev/null

# The exchange unreachable: the message names the one request that failed
# (the clock sync that comes first), not the positionRisk it was a step of.
ctl_conf "$CONF" "URL \"http://127.0.0.1:$(dg_free_port)\""
ctl status --json BTCUSDT
err=$(echo "$OUT" | jq -r .exchange_error)
echo "$err" | grep -q '^GET /fapi/v1/time not sent: .* (transport)$' && ! echo "$err" | grep -q positionRisk
ok $? "exchange unreachable: the error names GET /fapi/v1/time only" || diag "$err"
ctl check
echo "$OUT" | grep -E '^FAIL +exchange ' | grep -q -v 'time: transport: GET'
ok $? "check: the failed request is named once" || diag "$OUT"
ctl_conf "$CONF"

# An open position with no ledger entry: ledger unknown, never flat.
set_positions '{"ADAUSDT":"5"}'
ctl status --json ADAUSDT
is "$(row ADAUSDT .drift_state)/$(row ADAUSDT .ledger_present)" ledger_missing/false \
  "status: an open position without a ledger entry is ledger_missing"
row ADAUSDT .note | grep -q 'will not close it'
ok $? "status: its note says driftguard will not close it"

# Hedge mode: a symbol's legs.
curl -sf -X POST -d '{"dualSidePosition":true}' "$SIM_URL/sim/dual" >/dev/null
set_positions '{"ADAUSDT":{"LONG":"0.5","SHORT":"-0.3"}}'
ctl status --json
is "$(row ADAUSDT '[.exchange_long, .exchange_short, .drift_state] | join(",")')" \
  "0.5,-0.3,hedge" "status: a hedge-mode symbol shows its legs"
row ADAUSDT .note | grep -q 'hedge mode: LONG 0.5, SHORT -0.3'
ok $? "status: its note names the legs"
curl -sf -X POST -d '{"dualSidePosition":false}' "$SIM_URL/sim/dual" >/dev/null

# Redis down.
dg_stop_pid "$REDIS_PID"
for cmd in holds results status; do
  ctl $cmd --json
  is "$RC/$(echo "$OUT" | jq -r '.error | test("127.0.0.1")')" 1/true \
    "$cmd with Redis down: exit 1, --json gives the error as the document"
done
echo "$ERR" | grep -q "redis 127.0.0.1:$REDIS_PORT"
ok $? "Redis down: the message names the server"

dg_done
