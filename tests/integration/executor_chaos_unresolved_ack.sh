#!/usr/bin/env bash
# Regression ("chaos: an order of unknown fate is
# ACKed and never resolved"). exec-1 is killed while its order request
# hangs (the exchange applied it). On restart the recovery query fails
# once (503): the executor cannot tell the order's fate. It must not close
# the books on the plan: the fill must eventually be resolved through the
# exchange (EXECUTED with the order id and the audit line), as apply.c
# promises ("the next handling of the plan resolves it").
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 90

ex_setup "Timeout 10
ClaimIdle 2"
ex_start
ok $? "executor starts"
sim_positions "$BTC" 0.007 >/dev/null
ex_hold "$BTC"
sim_faults "[$(fault_at order '{"delay_ms":8000,"apply":true}')]" >/dev/null
id="reconclose:$BTC:416d86940859:unres$RANDOM"
ex_publish "$(EX_PLAN_ID=$id ex_plan_json $BTC 0.007)" >/dev/null
dg_wait_for 15 chaos_order_count_is 1 && dg_wait_for 5 chaos_state_is "$id" submitted
ok $? "order applied, reply hanging"
chaos_kill9
sim_faults "[$(fault_at query '{"status":503}')]" >/dev/null
chaos_restart
ok $? "executor restarts"
dg_wait_for 10 chaos_has_result "$id"
diag "first result: $(ex_result status "$id") \"$(ex_result error "$id")\" pending=$(chaos_pending) record=$(chaos_state "$id")"
executed() { [ "$(ex_result status "$id")" = EXECUTED ]; }
dg_wait_for 30 executed
ok $? "the filled order is eventually resolved: EXECUTED (got $(ex_result status "$id"))"
grep -q "\[RECONCILE_CLOSE_AUDIT\] .* plan_id=$id " "$EX_LOG"
ok $? "the filled order has its audit line"
is "$(chaos_state "$id")" final "the record is final"
is "$(sim_order_count)" 1 "exactly one order"
is "$(chaos_plan_results "$id")" 1 "exactly one result for the plan"
grep -q "event=plan_left_pending .*plan_id=$id " "$EX_LOG"
ok $? "the unknown fate was logged and the entry left pending"
dg_done
