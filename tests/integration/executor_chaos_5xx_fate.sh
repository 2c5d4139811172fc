#!/usr/bin/env bash
# The exchange applies the order but answers 500, 502 or 504: the order's
# fate is unknown (Binance: 5XX are its own internal errors, "do NOT treat
# this as a failure operation"), so the executor must ask for the client
# order id and record the fill, not close the plan as ERROR with no order.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 90

ex_setup
ex_start
ok $? "executor starts"
n=0
for st in 500 502 504; do
  n=$((n + 1))
  sim_positions "$BTC" 0.007 >/dev/null
  ex_hold "$BTC"
  sim_faults "[$(fault_at order "{\"status\":$st,\"apply\":true}")]" >/dev/null
  id="reconclose:$BTC:416d86940859:s$st$RANDOM"
  ex_publish "$(EX_PLAN_ID=$id ex_plan_json $BTC 0.007)" >/dev/null
  dg_wait_for 20 chaos_has_result "$id"
  is "$(sim_order_count)" "$n" "HTTP $st, applied: one order"
  is "$(ex_result status "$id")/$(ex_result order_id "$id")" "EXECUTED/$(sim_last_order_id)" \
    "HTTP $st, applied: EXECUTED with the order id (error: $(ex_result error "$id"))"
  grep -q "\[RECONCILE_CLOSE_AUDIT\] .* plan_id=$id " "$EX_LOG"
  ok $? "HTTP $st, applied: the order has its audit line"
done
dg_done
