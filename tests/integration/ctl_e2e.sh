#!/usr/bin/env bash
# driftguard-ctl against the real loop: the reconcile plugin in collectd,
# the executor and the simulator, with ctl reading the executor's own
# config file. What ctl shows must be what the plugin and the executor
# wrote: a healed drift's plan and EXECUTED result, an unfixable drift's
# HOLD that release refuses, and a forced release the plugin undoes while
# the drift is real.
. "$top_srcdir/tests/integration/ctl_lib.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 100

e2e_setup
ex_start || bail "executor did not start"
CONF=$EX_CONF
e2e_start_collectd a '    Symbol "BTCUSDT"
    Symbol "ETHUSDT"
    ConfirmPolls 2'

rcli CONFIG SET appendonly yes >/dev/null # the ledger's Redis persists
ctl check --json
is "$RC" 0 "check with the executor's own config: exit 0"
is "$(echo "$OUT" | jq -r '[.checks[] | select(.result != "OK") | .result + " " + .check] | join(",")')" \
  "WARN redis_replicas" \
  "check: every line OK (plan key file included) but the test Redis's own WARN (no replica)"
is "$(echo "$OUT" | jq -r '[.checks[].check] | index("plan_key_file") != null')" true \
  "check: the plan key file is checked"

# A drift the executor closes: BTCUSDT 0.007 on the exchange, flat ledger.
ledger BTCUSDT 0
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
dg_wait_for 20 settled BTCUSDT 0
ok $? "the loop heals BTCUSDT"
ctl results --json
is "$RC" 0 "results: exit 0"
is "$(echo "$OUT" | jq -r '.results[0] | [.symbol, .status, .executed_qty] | join(" ")')" \
  "BTCUSDT EXECUTED 0.007" "results: the executor's EXECUTED entry, exact qty"
[ -n "$(echo "$OUT" | jq -r '.results[0].order_id')" ]
ok $? "results: the order id"
ctl status BTCUSDT --json
is "$(row() { echo "$OUT" | jq -r ".symbols[0] | $1"; }; row '[.exchange_amt, .ledger_amt, .drift, .drift_state, .hold.active] | join(",")')" \
  "0,0,0,none,false" "status: healed, no HOLD"
is "$(echo "$OUT" | jq -r '.symbols[0] | [.last_plan.qty, .last_plan.side, .last_result.status] | join(",")')" \
  "0.007,SELL,EXECUTED" "status: the plugin's plan and the executor's result"
is "$(echo "$OUT" | jq -r '[.consumer_group, .plans_pending] | join(",")')" "executor,0" \
  "status: the executor's consumer group has nothing pending"

# A drift no reduce-only close can fix: the ledger holds more.
ledger ETHUSDT 0.5
sim_positions '{"ETHUSDT":"0.1"}' >/dev/null
dg_wait_for 10 yields 3 hold_keys ETHUSDT
ok $? "an unfixable drift is held"
sig=$(rcli GET quantum:reconcile:hold_sig:ETHUSDT)
ctl status ETHUSDT --json
is "$(echo "$OUT" | jq -r '.symbols[0] | [.drift, .drift_state, .hold.sig] | join(",")')" \
  "-0.4,unfixable,$sig" "status: unfixable drift -0.4 under the plugin's HOLD"
ctl holds --json
is "$(echo "$OUT" | jq -r '[.holds[] | .symbol + ":" + .reason] | join(",")')" \
  "ETHUSDT:reconcile_drift" "holds: the plugin's HOLD"
ctl release ETHUSDT
is "$RC" 3 "release refused while the drift persists"
is "$(hold_keys ETHUSDT)" 3 "the HOLD stays"

# --force releases; the plugin holds the symbol again while the drift lasts.
ctl release ETHUSDT --force
is "$RC" 0 "release --force: exit 0"
echo "$ERR" | grep -q "^\[RECONCILE_HOLD_RELEASE_AUDIT\] symbol=ETHUSDT forced=true .* drift=-0.4 "
ok $? "release --force: audit line"
dg_wait_for 10 yields 3 hold_keys ETHUSDT
ok $? "the plugin sets the HOLD again: the drift is real"

# The trading system books the difference: the plugin releases by itself.
ledger ETHUSDT 0.1
dg_wait_for 10 yields 0 hold_keys ETHUSDT
ok $? "ledger fixed: the plugin releases the HOLD"
ctl holds
is "$OUT" "no active HOLD" "holds: none left"
is "$(sim_orders | jq 'map(select(.symbol == "ETHUSDT")) | length')" 0 \
  "no order was ever sent for the unfixable drift"

dg_done
