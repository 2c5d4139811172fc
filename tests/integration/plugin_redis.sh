#!/usr/bin/env bash
# Redis goes away and comes back: the plugin counts poll_errors (redis),
# logs the outage once and its end once, keeps polling, and re-asserts the
# HOLD (and, the cooldown being gone with the data, a new plan) afterwards.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
dg_time_limit 60

plugin_setup
avoid_bucket_edge 3600 30
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

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize no --dir "$DG_TMP" --logfile "$DG_TMP/redis-again.log" &
dg_track $!
wait_until 10 'test "$(rcli EXISTS $HOLD)" = 1'
ok $? "the HOLD is set again once Redis is back"
is "$(rcli GET $HOLD_SIG)" "$(drift_sig BTCUSDT 0.007 0)" "with the drift's signature"
wait_until 5 'test "$(plan_count)" = 1'
ok $? "the drift, still there, gets a plan in the new Redis"
is "$(collectd_log a | grep -c 'source=redis poll failed')" 1 "the outage is logged once"
is "$(collectd_log a | grep -c 'source=redis recovered')" 1 "its end is logged once"
dg_done
