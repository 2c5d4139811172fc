#!/usr/bin/env bash
# Redis refuses writes (maxmemory reached, noeviction) while a plan is
# delivered: the executor cannot record its claim, so it sends NO order,
# does not ACK the entry and never exits; once Redis accepts writes again
# the plan is executed exactly once.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 90

ex_setup "ClaimIdle 2"
sim_positions "$BTC" 0.007 >/dev/null
ex_hold "$BTC"
ex_start
ok $? "executor starts"

# Deliver the plan, then make Redis refuse writes before the executor acts.
id="reconclose:$BTC:416d86940859:oom$RANDOM"
kill -STOP "$EX_PID"
ex_publish "$(EX_PLAN_ID=$id ex_plan_json $BTC 0.007)" >/dev/null
rcli CONFIG SET maxmemory 1 >/dev/null
kill -CONT "$EX_PID"
oom_seen() { grep -q "OOM" "$EX_LOG"; }
dg_wait_for 15 oom_seen
ok $? "the executor meets Redis's OOM refusals"
sleep 5 # several handling attempts (ClaimIdle 2)
is "$(sim_order_count)" 0 "no order while the claim cannot be recorded"
is "$(rcli GET "$EX_PREFIX:apply:dedupe:$id")" "" "no dedupe record"
is "$(chaos_pending)" 1 "the entry is not ACKed"
kill -0 "$EX_PID"
ok $? "the executor keeps running"

rcli CONFIG SET maxmemory 0 >/dev/null
executed() { [ "$(ex_result status "$id")" = EXECUTED ]; }
dg_wait_for 20 executed
ok $? "once Redis accepts writes the plan is EXECUTED"
is "$(sim_order_count)" 1 "exactly one order"
is "$(chaos_plan_results "$id")" 1 "exactly one result entry"
is "$(chaos_state "$id")" final "the record is final"
no_pending() { [ "$(chaos_pending)" = 0 ]; }
dg_wait_for 5 no_pending
ok $? "the entry is ACKed"
is "$(sim_position $BTC)" 0 "the position is closed"
kill -TERM "$EX_PID"
wait "$EX_PID"
is "$?" 0 "SIGTERM: exit status 0"
dg_done
