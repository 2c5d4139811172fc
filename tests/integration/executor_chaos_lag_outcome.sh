#!/usr/bin/env bash
# Regression ("chaos: -2013 lag reported as a
# guardrail"). An order applied by the exchange whose reply is lost and
# whose query answers -2013 longer than the executor's resolve wait must
# not be reported as REJECTED_GUARDRAIL (SPEC 4: a guardrail failure means
# "no order"); the record must not be closed as if nothing was sent.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 60

ex_setup "ClaimIdle 5"
ex_start
ok $? "executor starts"
sim_positions "$BTC" 0.007 >/dev/null
ex_hold "$BTC"
sim_faults "[$(fault_at order '{"status":503,"apply":true}'),
  $(fault_not_found 2)]" >/dev/null
id="reconclose:$BTC:416d86940859:lag$RANDOM"
ex_publish "$(EX_PLAN_ID=$id ex_plan_json $BTC 0.007)" >/dev/null
dg_wait_for 30 chaos_has_result "$id"
ok $? "the plan gets a result"
is "$(sim_order_count)" 1 "one order"
status=$(ex_result status "$id")
[ "$status" != REJECTED_GUARDRAIL ]
ok $? "an order of unknown fate is not reported as a guardrail rejection (got $status/$(ex_result rule "$id"))"
[ "$(chaos_state "$id")" != final ] || [ "$(rcli GET "$EX_PREFIX:apply:dedupe:$id" | jq -r .status)" != REJECTED_GUARDRAIL ]
ok $? "the dedupe record does not close the plan as 'nothing sent'"
is "$status/$(ex_result order_id "$id")" "EXECUTED/$(sim_last_order_id)" \
  "handled again later, the order is found: EXECUTED with its id"
grep -q "event=plan_left_pending .*plan_id=$id " "$EX_LOG"
ok $? "the unknown fate was logged and the entry left pending"
is "$(chaos_plan_results "$id")" 1 "exactly one result for the plan"
dg_done
