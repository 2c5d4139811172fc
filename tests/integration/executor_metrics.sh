#!/usr/bin/env bash
# The executor's counters (SPEC section 5) through collectd's unixsock and
# write_prometheus: every counter exists at 0 from start-up under plugin
# instance "all", per-symbol series appear once a symbol is seen, and the
# executor keeps working while collectd is absent or restarted, logging
# each change of state once and reconnecting by itself.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 90

plugin_setup
sim_positions '{}' >/dev/null # flat: the plugin sees no drift
EX_COLLECTD_SOCK="$DG_TMP/m.sock"
ex_setup
ex_hold BTCUSDT
ex_start
ok $? "executor starts without collectd"
dg_wait_for 5 grep -q "event=collectd_unavailable" "$EX_LOG"
ok $? "collectd's absence is logged"
sleep 2.5
is "$(grep -c "event=collectd_unavailable" "$EX_LOG")" 1 "... once, not every interval"

start_collectd() {
  dg_start_collectd m "$(plugin_conf)
$(dg_prometheus_block "$PROM_PORT")"
}
# prom NAME LABEL...: the value of the series NAME{...} with every LABEL.
prom() {
  local name=$1
  shift
  prom_scrape "$PROM_PORT" | grep "^$name{" |
    while IFS= read -r line; do
      for l in "$@"; do [[ "$line" == *"$l"* ]] || continue 2; done
      line=${line#*\} } # "NAME{LABELS} VALUE [TIMESTAMP]"
      echo "${line%% *}"
    done | head -n 1
}

# prom_is WANT NAME LABEL...: for dg_wait_for.
prom_is() {
  local want=$1
  shift
  [ "$(prom "$@")" = "$want" ]
}
# logged_times N EVENT: EVENT is in the executor's log at least N times.
logged_times() { [ "$(grep -c "event=$2" "$EX_LOG")" -ge "$1" ]; }

start_collectd
dg_wait_for 10 grep -q "event=collectd_connected" "$EX_LOG"
ok $? "the executor connects once collectd is there"
dg_wait_for 10 prom_is 0 collectd_reconcile_close_consumed_total 'reconcile="all"'
is "$(prom collectd_reconcile_close_consumed_total 'reconcile="all"' 'instance="dgtest"')" 0 \
  "close_consumed exists at 0 under reconcile=all"
missing=""
for ti in success error rate_limit; do
  [ "$(prom collectd_reconcile_close_executed_total 'reconcile="all"' "type=\"$ti\"")" = 0 ] ||
    missing="$missing executed-$ti"
done
for ti in duplicate guardrails rate_limit exchange; do
  [ "$(prom collectd_reconcile_close_rejected_total 'reconcile="all"' "type=\"$ti\"")" = 0 ] ||
    missing="$missing rejected-$ti"
done
for ti in malformed decision source auth hold_key mode reduce_only type reason qty side stale; do
  [ "$(prom collectd_reconcile_close_guardrail_fail_total 'reconcile="all"' "type=\"$ti\"")" = 0 ] ||
    missing="$missing guardrail_fail-$ti"
done
is "$missing" "" "every counter of SPEC 5 exists at 0 from start-up"

ex_publish "$(ex_plan_json BTCUSDT 0.007 '{"source":"attacker","qty":"100.0"}')" >/dev/null
ex_wait_results 1
dg_wait_for 10 prom_is 1 collectd_reconcile_close_consumed_total 'reconcile="BTCUSDT"'
ok $? "a per-symbol series appears once the symbol is seen"
is "$(prom collectd_reconcile_close_guardrail_fail_total 'reconcile="BTCUSDT"' 'type="source"')" 1 \
  "close_guardrail_fail-source counts the attacker's plan"
is "$(prom collectd_reconcile_close_rejected_total 'reconcile="all"' 'type="guardrails"')" 1 \
  "close_rejected-guardrails in the aggregate"

# collectd goes away: the executor goes on; collectd comes back: counted.
dg_stop_pid "$COLLECTD_PID"
dg_wait_for 5 logged_times 2 collectd_unavailable
ok $? "collectd's departure is logged"
ex_publish "$(ex_plan_json BTCUSDT 0.007 '{"decision":"OPEN"}')" >/dev/null
ex_wait_results 2
is "$(ex_result rule)" decision "plans are handled while collectd is down"
start_collectd
dg_wait_for 10 logged_times 2 collectd_connected
ok $? "the executor reconnects to the restarted collectd"
dg_wait_for 10 prom_is 2 collectd_reconcile_close_consumed_total 'reconcile="all"'
ok $? "no count was lost while collectd was down"
is "$(grep -c "event=collectd_unavailable" "$EX_LOG")" 2 "one log line per change of state"
dg_done
