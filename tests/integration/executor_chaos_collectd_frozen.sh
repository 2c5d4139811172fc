#!/usr/bin/env bash
# Regression ("chaos: a frozen collectd blocks the
# executor's exit forever"). collectd is frozen (SIGSTOP: its unixsock still
# accepts connections, nothing answers). The executor keeps handling plans,
# notices that collectd does not answer, and SIGTERM still exits 0 promptly.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
dg_time_limit 90

ex_setup "CollectdSocket \"$DG_TMP/cd.sock\""
PLUGIN_KEYFILE=$EX_KEYFILE
PLAN_KEYFILE=$EX_PLAN_KEYFILE
dg_start_collectd cd "$(plugin_conf "KeyPrefix \"cdonly\"
$(symbol_lines ETH)")"
ok $? "collectd starts"
ex_start
ok $? "executor starts"
dg_wait_for 10 grep -q "event=collectd_connected" "$EX_LOG"
ok $? "the executor reaches collectd"

kill -STOP "$COLLECTD_PID"
sim_positions "$BTC" 0.007 >/dev/null
ex_hold "$BTC"
id="reconclose:$BTC:416d86940859:frozen$RANDOM"
ex_publish "$(EX_PLAN_ID=$id ex_plan_json $BTC 0.007)" >/dev/null
dg_wait_for 15 chaos_has_result "$id"
is "$(ex_result status "$id")" EXECUTED "plans are handled while collectd is frozen"
dg_wait_for 15 grep -q "event=collectd_unavailable" "$EX_LOG"
ok $? "the executor notices collectd does not answer"

t0=$(date +%s%N)
kill -TERM "$EX_PID"
exited() { ! kill -0 "$EX_PID" 2>/dev/null; }
dg_wait_for 10 exited
ok $? "SIGTERM while collectd is frozen: the executor exits within 10 s"
took=$((($(date +%s%N) - t0) / 1000000))
diag "exit took $took ms"
if exited; then
  wait "$EX_PID"
  is "$?" 0 "exit status 0"
fi
grep -q "event=metrics_final_flush_skipped" "$EX_LOG"
ok $? "the skipped final flush is logged"
kill -CONT "$COLLECTD_PID"
dg_done
