#!/usr/bin/env bash
# collectd goes away under a running driftguard-executor and comes back:
# the executor never blocks on it and keeps handling plans, logs the loss
# once (not once per MetricsInterval), and its counters, including the
# plans handled while collectd was down, reach the new collectd. collectd
# runs the real reconcile plugin (which registers the executor's types)
# on a flat symbol and its own key prefix, so it publishes no plans here.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
[ -f /usr/lib/collectd/write_prometheus.so ] || skip_all "write_prometheus.so not installed"
dg_time_limit 120

ex_setup "CollectdSocket \"$DG_TMP/cd.sock\""
PLUGIN_KEYFILE=$EX_KEYFILE
PLAN_KEYFILE=$EX_PLAN_KEYFILE

# start_collectd: collectd "cd"; another free port when a parallel test
# took write_prometheus's port first.
start_collectd() {
  local try
  for try in 1 2 3; do
    PROM_PORT=$(dg_free_port)
    dg_start_collectd cd "$(plugin_conf "KeyPrefix \"cdonly\"
$(symbol_lines ETH)")
$(dg_prometheus_block "$PROM_PORT")"
    dg_wait_for 10 prom_scrape "$PROM_PORT" && return 0
    dg_stop_pid "$COLLECTD_PID"
    rm -f "$COLLECTD_SOCK"
  done
  return 1
}
# counter TYPE [TYPE_INSTANCE]: the executor's "all" series in collectd.
counter() {
  local labels='reconcile="all"'
  [ -n "${2:-}" ] && labels="$labels,type=\"$2\""
  prom_scrape "$PROM_PORT" | awk -v m="collectd_reconcile_$1_total" -v l="$labels" '
    index($0, m "{") == 1 { s = $1; sub(/^[^{]*\{/, "", s); sub(/\}$/, "", s)
      n = split(s, have, ","); k = split(l, want, ","); hit = 0
      for (i = 1; i <= k; i++) for (j = 1; j <= n; j++) if (have[j] == want[i]) hit++
      if (hit == k && (k == 2 || s !~ /type=/)) { print $2; exit } }'
}
counter_is() { [ "$(counter "$1" "${3:-}")" = "$2" ]; }
has_value() { cd_getval "$COLLECTD_SOCK" "dgtest/reconcile-all/close_consumed" | grep -q '^1 Value found'; }
# close_one NAME: a plan closing $BTC 0.007, EXECUTED.
close_one() {
  local id="reconclose:$BTC:416d86940859:$RANDOM$RANDOM"
  sim_positions "$BTC" 0.007 >/dev/null
  ex_hold "$BTC"
  ex_publish "$(EX_PLAN_ID=$id ex_plan_json $BTC 0.007)" >/dev/null
  dg_wait_for 15 chaos_has_result "$id"
  is "$(ex_result status "$id")" EXECUTED "$1: the plan is EXECUTED"
}

start_collectd
ok $? "collectd with unixsock and write_prometheus starts"
ex_start
ok $? "executor starts"
close_one "collectd up"
dg_wait_for 10 counter_is close_consumed 1
ok $? "close_consumed reaches collectd (1)"
dg_wait_for 5 has_value
ok $? "GETVAL dgtest/reconcile-all/close_consumed finds it over unixsock"
is "$(chaos_log_count 'event=collectd_connected')" 1 "the connection is logged once"

dg_stop_pid "$COLLECTD_PID"
rm -f "$COLLECTD_SOCK"
dg_wait_for 10 grep -q "event=collectd_unavailable" "$EX_LOG"
ok $? "the executor notices collectd is gone"
close_one "collectd down (1)"
close_one "collectd down (2)"
sleep 4 # four more MetricsIntervals without collectd
kill -0 "$EX_PID"
ok $? "the executor keeps running without collectd"
is "$(chaos_log_count 'event=collectd_unavailable')" 1 "the loss is logged once, not per interval"

start_collectd
ok $? "collectd starts again"
dg_wait_for 10 counter_is close_consumed 3
ok $? "close_consumed reaches collectd again, with the plans handled while it was down (3)"
dg_wait_for 5 counter_is close_executed 3 success
ok $? "close_executed success is 3"
dg_wait_for 5 has_value
ok $? "GETVAL finds the executor's values on the new collectd"
is "$(chaos_log_count 'event=collectd_connected')" 2 "the reconnection is logged once"
is "$(chaos_log_count 'event=collectd_unavailable')" 1 "still one loss logged"
is "$(sim_order_count)" 3 "three plans, three orders"

kill -TERM "$EX_PID"
wait "$EX_PID"
is "$?" 0 "SIGTERM: exit status 0"
dg_done
