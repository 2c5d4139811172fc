#!/usr/bin/env bash
# SIGHUP never stops driftguard-executor (its default action would, with
# exit status 129 and no orderly finish). It checks the configuration on
# disk as -t would and logs the verdict; nothing is reloaded: plans are
# still handled as started, and SIGTERM still ends it with status 0.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 60

ex_setup
ex_start
ok $? "executor starts"

sighup_lines() { grep -c "event=sighup" "$EX_LOG"; }
kill -HUP "$EX_PID"
dg_wait_for 10 grep -q "event=sighup config=ok" "$EX_LOG"
ok $? "SIGHUP: the configuration on disk is checked and found OK"
kill -0 "$EX_PID"
ok $? "SIGHUP: still running"

# A config broken on disk (a NUL byte): said so, and the executor runs on.
cp "$EX_CONF" "$DG_TMP/executor.conf.good"
printf 'Timeout 2 # \0\n' >>"$EX_CONF"
kill -HUP "$EX_PID"
dg_wait_for 10 grep -q "event=sighup config=invalid .*control byte 0x00" "$EX_LOG"
ok $? "SIGHUP: a broken file on disk is reported with its line"
cp "$DG_TMP/executor.conf.good" "$EX_CONF"

# Signals in a burst, while a plan is handled: it is executed once.
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
ex_hold BTCUSDT
sim_faults '[{"path":"/fapi/v1/order","method":"POST","delay_ms":1500,"apply":true}]' >/dev/null
ex_publish "$(ex_plan_json BTCUSDT 0.007)" >/dev/null
dg_wait_for 10 grep -q "event=hold_lease_renewed" "$EX_LOG"
for i in 1 2 3 4 5; do kill -HUP "$EX_PID"; sleep 0.1; done
ex_wait_results 1
is "$(ex_result status)" EXECUTED "a plan in hand during SIGHUPs is EXECUTED"
is "$(sim_order_count)" 1 "with one order"
kill -0 "$EX_PID"
ok $? "still running after a burst of SIGHUPs"

kill -TERM "$EX_PID"
wait "$EX_PID"
is "$?" 0 "SIGTERM after SIGHUPs: exit status 0"
grep -q "event=stopping" "$EX_LOG"
ok $? "an orderly stop is logged"
dg_done
