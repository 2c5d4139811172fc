#!/usr/bin/env bash
# Regression ("chaos: XAUTOCLAIM takeover drops a
# dead consumer's plan"). exec-1 is killed while its order request hangs
# (the exchange applied it); its dedupe record is younger than ClaimIdle
# although the stream entry is older (the record is touched at "submitted",
# after a slow position read). exec-2 takes the entry over with XAUTOCLAIM:
# the plan must end resolved (EXECUTED with the order id, audit line), not
# ACKed as DROPPED_DUPLICATE/IN_PROGRESS with nobody left to finish it.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 60

ex_setup "Timeout 10"
ex_start
ok $? "exec-1 starts"
sim_positions "$BTC" 0.007 >/dev/null
ex_hold "$BTC"
sim_faults "[$(fault_at positions '{"delay_ms":2500,"apply":true}'),
  $(fault_at order '{"delay_ms":8000,"apply":true}')]" >/dev/null
id="reconclose:$BTC:416d86940859:young$RANDOM"
ex_publish "$(EX_PLAN_ID=$id ex_plan_json $BTC 0.007)" >/dev/null
dg_wait_for 15 chaos_order_count_is 1 && dg_wait_for 5 chaos_state_is "$id" submitted
ok $? "exec-1: order applied, reply hanging, record submitted"
chaos_kill9
EX_CONF=$(chaos_conf_for exec-2 2)
chaos_restart
ok $? "exec-2 starts with ClaimIdle 2"
executed() { [ "$(ex_result status "$id")" = EXECUTED ]; }
dg_wait_for 15 executed
ok $? "the plan ends EXECUTED (got: $(ex_result status "$id") $(ex_result original_status "$id") \"$(ex_result error "$id")\")"
grep -q "\[RECONCILE_CLOSE_AUDIT\] .* plan_id=$id " "$EX_LOG"
ok $? "the order has its audit line"
is "$(chaos_state "$id")" final "the dedupe record is final"
is "$(sim_order_count)" 1 "exactly one order"
is "$(chaos_plan_results "$id")" 1 "exactly one result for the plan"
dg_done
