#!/usr/bin/env bash
# The consumer group is created HoldLease back (first start, or the group
# lost with a Redis restart): a plan published shortly before is executed
# at once; an older one (its HOLD long renewed by newer plans) is not
# replayed.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 60

ex_setup "HoldLease 10"
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
ex_hold BTCUSDT
now=$(date +%s%3N)
old="reconclose:BTCUSDT:416d86940859:old$RANDOM"
recent="reconclose:BTCUSDT:416d86940859:recent$RANDOM"
plan=$(EX_PLAN_ID=$old ex_plan_json BTCUSDT 0.007)
rcli XADD "$EX_PLAN_STREAM" "$((now - 20000))-0" plan "$plan" mac "$(ex_mac "$plan")" >/dev/null
plan=$(EX_PLAN_ID=$recent ex_plan_json BTCUSDT 0.007)
rcli XADD "$EX_PLAN_STREAM" "$((now - 5000))-0" plan "$plan" mac "$(ex_mac "$plan")" >/dev/null
ex_start
ok $? "executor starts after both plans were published"
dg_wait_for 15 chaos_has_result "$recent"
is "$(ex_result status "$recent")" EXECUTED "a plan published 5 s before the group (HoldLease 10) is executed"
grep -q "event=group_created stream=$EX_PLAN_STREAM group=executor start=" "$EX_LOG"
ok $? "the group's start is logged"
sleep 2
is "$(chaos_plan_results "$old")" 0 "a plan older than HoldLease is not replayed"
is "$(sim_order_count)" 1 "one order"
dg_done
