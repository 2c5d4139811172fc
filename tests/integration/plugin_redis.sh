#!/usr/bin/env bash
# Redis goes away and comes back empty (no persistence): the plugin counts
# poll_errors (redis), logs the outage once and its end once, keeps
# polling, notices that Redis lost its data (run_id), and holds the symbol
# whose ledger vanished without ever publishing a plan for it; once the
# trading system rewrites its ledger the HOLD goes.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
dg_time_limit 60

plugin_setup
avoid_bucket_edge 3600 30
ledger BTCUSDT 0
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
dg_start_collectd a "$(prometheus_conf)
$(plugin_conf '    Symbol "BTCUSDT"
    ConfirmPolls 1
    Cooldown 3600')"
wait_until 10 'test "$(rcli EXISTS $HOLD)" = 1'
ok $? "drift held"

dg_stop_pid "$REDIS_PID"
sleep 3
errors='collectd_reconcile_poll_errors_total{reconcile="main",type="redis",instance="dgtest"}'
n=$(metric "$errors")
[ "${n:-0}" -ge 2 ]
ok $? "poll_errors redis counts the polls without Redis ($n)"
kill -0 "$COLLECTD_PID"
ok $? "collectd keeps running"

dg_restart_redis_empty
wait_until 10 'test "$(rcli EXISTS $HOLD)" = 1'
ok $? "the HOLD is set again once Redis is back"
is "$(rcli GET $HOLD_SIG)" "$(drift_sig BTCUSDT 0.007 missing)" \
  "with the signature of a missing ledger (S|0.007|missing)"
sleep 3
is "$(plan_count)" 0 "the ledger gone with Redis's data: no plan, ever"
is "$(collectd_log a | grep -c 'Redis run_id changed')" 1 "the data loss (run_id) is logged once"
collectd_log a | grep 'severity = WARNING.*plugin_instance = BTCUSDT' | grep -q 'ledger entry is missing'
ok $? "a WARNING notification says the ledger entry is missing"
is "$(collectd_log a | grep -c 'source=redis poll failed')" 1 "the outage is logged once"
is "$(collectd_log a | grep -c 'source=redis recovered')" 1 "its end is logged once"

# The trading system rewrites its ledger (what it really holds): no drift.
ledger BTCUSDT 0.007
wait_until 5 'test "$(rcli EXISTS $HOLD)" = 0'
ok $? "the ledger rewritten: HOLD released"
is "$(plan_count)" 0 "still no plan"
dg_done
