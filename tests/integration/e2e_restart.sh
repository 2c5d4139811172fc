#!/usr/bin/env bash
# Restarts in the middle of the loop. collectd is stopped while it holds an
# unfixable drift and the drift goes away meanwhile (both sides flat): its
# successor, which finds symbols itself, still sees the HOLD and releases
# it. The executor is stopped while a plan is published: once back, it
# executes the plan that waited for it in its group, exactly once.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 90

avoid_bucket_edge 120 40
e2e_setup
e2e_restart_sim $(sim_listed "$BTC" "$ETH")
ex_start
ok $? "executor starts"
e2e_start_collectd a '    ConfirmPolls 1'

ledger "$BTC" 0.5
sim_positions "$BTC" 0.2 >/dev/null
dg_wait_for 10 yields 3 hold_keys "$BTC"
ok $? "an unfixable drift is held"
dg_stop_pid "$COLLECTD_PID"
rcli HDEL quantum:ledger:$BTC position_amt >/dev/null
sim_positions "$BTC" 0 >/dev/null
sleep 1.5
is "$(hold_keys $BTC)" 3 "with collectd down the HOLD stays (nobody else releases it)"
e2e_start_collectd a '    ConfirmPolls 1'
dg_wait_for 10 yields 0 hold_keys "$BTC"
ok $? "the restarted plugin finds the HOLD (both sides flat) and releases it"
is "$(sim_order_count)" 0 "no order for the unfixable drift"

# The executor goes away; a fixable drift comes and is held meanwhile.
dg_stop_pid "$EX_PID"
ledger "$ETH" 0
sim_positions "$ETH" 0.4 >/dev/null
dg_wait_for 10 yields 1 plan_count
ok $? "the plugin publishes the plan while the executor is down"
sleep 1
is "$(hold_keys $ETH)" 3 "the drift stays held"
is "$(sim_order_count)" 0 "nothing executes it meanwhile"
ex_start
dg_wait_for 10 yields 2 ex_started_count
ok $? "the executor comes back"
dg_wait_for 10 settled "$ETH" 0
ok $? "the waiting plan is executed and the HOLD released"
is "$(orders_for $ETH | jq -r 'map(.side + " " + .quantity) | join(",")')" "SELL 0.4" \
  "exactly one order"
is "$(plan_count)" 1 "from the plan published while it was down"
dg_done
