#!/usr/bin/env bash
# Losing the ledger never closes a position. The whole loop (plugin in a
# real collectd, executor, simulator, Redis) with correct positions open:
# a FLUSHDB, then a Redis restarted without persistence, each lose the
# ledger; every open symbol is held and notified, no plan and no order
# follow, and the HOLDs go once the trading system rewrites its ledger.
# Then LedgerGuardKey: absent, the account publishes nothing; present,
# healing goes on; and MissingLedger "flat" with the guard heals a
# never-booked position, while without a guard it starts with a warning.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 150

e2e_setup
e2e_restart_sim $(sim_listed "$BTC" "$ETH" "$SOL")
ex_start
ok $? "executor starts"

book_all() {
  ledger "$BTC" 0.003
  ledger "$ETH" -0.5
  ledger "$SOL" 0
}
book_all
sim_positions "$BTC" 0.003 "$ETH" -0.5 >/dev/null
e2e_start_collectd a "$(symbol_lines BTC ETH SOL)
    ConfirmPolls 2"
dg_wait_for 10 yields 0.000000e+00 getval reconcile-$BTC/hold_active
ok $? "ledger and exchange agree: nothing held"

# held_missing SYMBOL EXCHANGE: the symbol is held for a missing ledger.
held_missing() {
  [ "$(rcli GET "quantum:reconcile:hold:$1")" = 1 ] &&
    [ "$(rcli GET "quantum:reconcile:hold_sig:$1")" = "$(drift_sig "$1" "$2" missing)" ]
}
# missing_notices SYMBOL: WARNING notifications saying its ledger is missing.
missing_notices() {
  grep 'severity = WARNING' "$DG_TMP/a-collectd.log" | grep "plugin_instance = $1" |
    grep -c 'ledger entry is missing'
}
no_holds() { [ -z "$(rcli --scan --pattern 'quantum:reconcile:hold:*')" ]; }

# 1. FLUSHDB with positions open.
rcli FLUSHDB >/dev/null
dg_wait_for 10 held_missing "$BTC" 0.003 && held_missing "$ETH" -0.5
ok $? "FLUSHDB: both open symbols held, signed S|amt|missing"
sleep 3
is "$(sim_order_count)" 0 "FLUSHDB: 0 orders"
is "$(plan_count)" 0 "FLUSHDB: 0 plans"
is "$(rcli EXISTS quantum:reconcile:hold:$SOL)" 0 "a flat symbol with no ledger entry is not held"
is "$(missing_notices $BTC)/$(missing_notices $ETH)" 1/1 \
  "one WARNING notification per symbol saying the ledger entry is missing"
grep -q "ledger_key=quantum:ledger:$BTC ledger_field=position_amt" "$DG_TMP/a-collectd.log"
ok $? "the log names the ledger key and field"

book_all
dg_wait_for 10 no_holds
ok $? "ledger rewritten: the trading HOLDs are released"
is "$(sim_order_count)" 0 "still 0 orders"

# 1b. The plan stream's consumer group vanishes (the executor, which would
# make it again at once, is away): noticed and logged once.
dg_stop_pid "$EX_PID"
rcli XGROUP CREATE quantum:stream:reconcile.close executor '$' MKSTREAM >/dev/null 2>&1
sleep 1.5 # the plugin sees the group
rcli DEL quantum:stream:reconcile.close >/dev/null
dg_wait_for 5 grep -q "the plan stream's consumer group vanished" "$DG_TMP/a-collectd.log"
is "$(grep -c "the plan stream's consumer group vanished" "$DG_TMP/a-collectd.log")" 1 \
  "the consumer group vanishing is noticed and logged once"
ex_start
ok $? "the executor comes back"

# 2. Redis restarted without persistence mid-run.
dg_restart_redis_empty
dg_wait_for 10 held_missing "$BTC" 0.003 && held_missing "$ETH" -0.5
ok $? "Redis restarted empty: both open symbols held"
sleep 3
is "$(sim_order_count)" 0 "Redis restarted empty: 0 orders"
is "$(grep -c 'Redis run_id changed' "$DG_TMP/a-collectd.log")" 1 \
  "the data loss is noticed (run_id) and logged once"
book_all
dg_wait_for 10 no_holds
ok $? "ledger rewritten: released again"
is "$(sim_order_count)" 0 "still 0 orders"

# 3. LedgerGuardKey: absent, nothing is published; present, healing.
dg_stop_pid "$COLLECTD_PID"
e2e_start_collectd a "$(symbol_lines BTC ETH)
    ConfirmPolls 1
    LedgerGuardKey \"quantum:ledger:alive\""
ledger "$BTC" 0 # a lost fill: the ledger says flat, the exchange 0.003
dg_wait_for 10 yields 1 rcli GET "quantum:reconcile:hold:$BTC"
ok $? "guard key absent: the drifting symbol is held"
sleep 3
is "$(sim_order_count)" 0 "guard key absent: 0 orders"
is "$(plan_count)" 0 "guard key absent: 0 plans"
is "$(rcli EXISTS "quantum:reconcile:hold:$ETH")" 0 "a symbol without drift is not held"
n=$(metric 'collectd_reconcile_poll_errors_total{reconcile="main",type="ledger",instance="dgtest"}')
[ "${n:-0}" -ge 2 ]
ok $? "poll_errors{type=\"ledger\"} counts the polls ($n)"
grep -q 'LedgerGuardKey quantum:ledger:alive is absent' "$DG_TMP/a-collectd.log"
ok $? "the log names the absent guard key"
rcli SET quantum:ledger:alive 1 >/dev/null
dg_wait_for 15 settled "$BTC" 0
ok $? "guard key present: the drift is healed and released"
is "$(orders_for "$BTC" | jq -r 'map(.side + " " + .quantity) | join(",")')" "SELL 0.003" \
  "exactly one order, SELL 0.003"

# 4. MissingLedger "flat" with the guard: a never-booked position heals.
dg_stop_pid "$COLLECTD_PID"
rcli DEL "quantum:ledger:$ETH" >/dev/null
e2e_start_collectd a "$(symbol_lines ETH)
    ConfirmPolls 1
    MissingLedger \"flat\"
    LedgerGuardKey \"quantum:ledger:alive\""
dg_wait_for 15 settled "$ETH" 0
ok $? "MissingLedger flat + guard: the never-booked $ETH -0.5 is closed"
is "$(orders_for "$ETH" | jq -r 'map(.side + " " + .quantity) | join(",")')" "BUY 0.5" \
  "exactly one order, BUY 0.5"
grep -q 'MissingLedger "flat" without LedgerGuardKey' "$DG_TMP/a-collectd.log"
is $? 1 "with a guard key, no warning about the risk"

# ... and without a guard it starts with a warning naming the risk.
dg_stop_pid "$COLLECTD_PID"
e2e_start_collectd a "$(symbol_lines ETH)
    MissingLedger \"flat\""
dg_wait_for 5 grep -q 'MissingLedger "flat" without LedgerGuardKey.*every open position of the account is closed' \
  "$DG_TMP/a-collectd.log"
ok $? "MissingLedger flat without a guard: a start-up warning names the risk"
dg_done
