#!/usr/bin/env bash
# A flood of junk on the plan stream does not flood the log: 1500 junk
# entries, each rejected (rule malformed) with a result entry, write at
# most DG_LOG_BURST (20) lines of each kind per minute, and the count of
# the others in one event=log_suppressed line (here at the stop). A real
# plan in the middle of the flood still has its audit line and result.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 90

ex_setup "BatchSize 128"
ex_start
ok $? "executor starts"
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
ex_hold BTCUSDT

junk() { for i in $(seq "$1"); do echo "XADD $EX_PLAN_STREAM * plan junk$i"; done | rcli >/dev/null; }
junk 750
ex_publish "$(ex_plan_json BTCUSDT 0.007)" >/dev/null
junk 750
ex_wait_results 1501 60
ok $? "every entry gets its result"
is "$(ex_results_json | jq '[.[] | select(.rule == "malformed")] | length')" 1500 \
  "1500 junk entries: 1500 malformed results on the stream"
is "$(ex_result status "$(ex_results_json | jq -r '[.[] | select(.status == "EXECUTED")][0].plan_id')")" \
  EXECUTED "the real plan amid the flood is EXECUTED"
grep -q "\[RECONCILE_CLOSE_AUDIT\] .* symbol=BTCUSDT" "$EX_LOG"
ok $? "its audit line is written"
grep -q "event=result .* status=EXECUTED" "$EX_LOG"
ok $? "its result line is written"
violations=$(grep -c "event=invariant_violation rule=malformed" "$EX_LOG")
results=$(grep -c "event=result .*rule=malformed" "$EX_LOG")
[ "$violations" -le 20 ] && [ "$results" -le 20 ]
ok $? "at most 20 lines of each kind ($violations violations, $results results)"

kill -TERM "$EX_PID"
wait "$EX_PID"
is "$?" 0 "SIGTERM: exit status 0"
grep -q "event=log_suppressed kind=invariant_violation:malformed suppressed=$((1500 - violations)) " "$EX_LOG"
ok $? "the suppressed violations are counted in one line"
grep -q "event=log_suppressed kind=result:REJECTED_GUARDRAIL:malformed suppressed=$((1500 - results)) " "$EX_LOG"
ok $? "the suppressed result lines are counted in one line"
bytes=$(wc -c <"$EX_LOG")
[ "$bytes" -lt 60000 ]
ok $? "the whole log stays small ($bytes bytes)"
dg_done
