#!/usr/bin/env bash
# Without Symbol options the plugin watches every symbol open on either
# side: exchange positions plus ledger keys found with SCAN. A drift no
# reduce-only close can fix (the ledger holds more) is put on HOLD with a
# WARNING notification, once, and never gets a plan; so is a position the
# ledger has no entry for (ledger unknown, never flat).
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
dg_time_limit 60

plugin_setup
# BTCUSDT: the ledger says flat (fixable); ETHUSDT: ledger only (unfixable,
# found by SCAN); SOLUSDT: both sides agree; XRPUSDT: no ledger entry.
sim_positions '{"BTCUSDT":"0.007","SOLUSDT":"3","XRPUSDT":"-20"}' >/dev/null
ledger BTCUSDT 0
rcli HSET quantum:ledger:ETHUSDT position_amt 0.5 >/dev/null
rcli HSET quantum:ledger:SOLUSDT position_amt 3 >/dev/null
avoid_bucket_edge 3600 30
dg_start_collectd a "$(plugin_conf '    ConfirmPolls 1
    Cooldown 3600')"

wait_until 10 'test "$(rcli EXISTS quantum:reconcile:hold:ETHUSDT)" = 1'
is "$(rcli GET quantum:reconcile:hold:ETHUSDT)" 1 "ledger-only ETHUSDT found by SCAN and put on HOLD"
is "$(rcli GET quantum:reconcile:hold_sig:ETHUSDT)" "$(drift_sig ETHUSDT 0 0.5)" "its hold_sig is the drift signature"
ttl=$(rcli TTL quantum:reconcile:hold_reason:ETHUSDT)
[ "$ttl" -gt 880 ] && [ "$ttl" -le 900 ]
ok $? "the unfixable HOLD carries the same lease (ttl=$ttl)"
wait_until 10 'test "$(plan_count)" -ge 1'
sleep 3
is "$(plans | jq -r .symbol | sort | tr '\n' ' ')" "BTCUSDT " "one plan, for BTCUSDT only: unfixable drift and a missing ledger get none"
is "$(rcli GET quantum:reconcile:hold_sig:XRPUSDT)" "$(drift_sig XRPUSDT -20 missing)" \
  "XRPUSDT, open with no ledger entry, is held (signature over S|-20|missing)"
collectd_log a | grep 'severity = WARNING.*plugin_instance = XRPUSDT' | grep -q 'ledger entry is missing'
ok $? "a WARNING notification says its ledger entry is missing"
is "$(rcli EXISTS quantum:reconcile:hold:SOLUSDT)" 0 "SOLUSDT (both sides agree) is not held"
is "$(getval reconcile-SOLUSDT/position-ledger)" 3.000000e+00 "SOLUSDT is watched (position-ledger 3)"
is "$(getval reconcile-ETHUSDT/hold_active)" 1.000000e+00 "ETHUSDT hold_active is 1"
warn=$(collectd_log a | grep -c 'severity = WARNING.*plugin_instance = ETHUSDT')
is "$warn" 1 "one WARNING notification for the unfixable drift, not one per poll"
collectd_log a | grep 'severity = WARNING.*plugin_instance = ETHUSDT' | grep -q 'exchange_amt=0 ledger_amt=0.5'
ok $? "the notification names both amounts"

# The ledger books the missing close: drift gone, HOLD released.
rcli HSET quantum:ledger:ETHUSDT position_amt 0 >/dev/null
wait_until 5 'test "$(rcli EXISTS quantum:reconcile:hold:ETHUSDT)" = 0'
is "$(rcli EXISTS quantum:reconcile:hold:ETHUSDT quantum:reconcile:hold_reason:ETHUSDT quantum:reconcile:hold_sig:ETHUSDT)" 0 \
  "ETHUSDT released once the ledger agrees"
dg_wait_for 3 grep -q 'severity = OKAY.*plugin_instance = ETHUSDT' "$DG_TMP/a-collectd.log"
ok $? "an OKAY notification reports it"

# A HOLD set by someone else's drift is not ours to release.
rcli SET quantum:reconcile:hold:SOLUSDT 1 EX 900 >/dev/null
rcli SET quantum:reconcile:hold_reason:SOLUSDT manual EX 900 >/dev/null
rcli SET quantum:reconcile:hold_sig:SOLUSDT 0123456789ab EX 900 >/dev/null
sleep 2.5
is "$(rcli GET quantum:reconcile:hold_reason:SOLUSDT)" manual "a HOLD this instance did not set (reason manual) is left alone"

# An unreadable ledger value is a ledger error, not "flat": HOLD, no plan.
rcli DEL quantum:reconcile:hold:SOLUSDT quantum:reconcile:hold_reason:SOLUSDT \
  quantum:reconcile:hold_sig:SOLUSDT >/dev/null
rcli HSET quantum:ledger:SOLUSDT position_amt 1e3 >/dev/null
plans_before=$(plan_count)
wait_until 3 'collectd_log a | grep -q "source=ledger poll failed: symbol=SOLUSDT key=quantum:ledger:SOLUSDT field=position_amt"'
ok $? "a ledger value that is not a decimal is a logged ledger error naming key and field"
wait_until 3 'test "$(rcli GET quantum:reconcile:hold_sig:SOLUSDT)" = "$(drift_sig SOLUSDT 3 unreadable)"'
ok $? "and puts the symbol on HOLD (ledger unknown)"
is "$(plan_count)" "$plans_before" "with no plan"
rcli HSET quantum:ledger:SOLUSDT position_amt 3 >/dev/null
wait_until 3 'collectd_log a | grep -q "source=ledger recovered"'
ok $? "its recovery is logged"
wait_until 3 'test "$(rcli EXISTS quantum:reconcile:hold:SOLUSDT)" = 0'
ok $? "the ledger readable again and agreeing: HOLD released"
dg_done
