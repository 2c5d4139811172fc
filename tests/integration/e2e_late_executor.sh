#!/usr/bin/env bash
# The executor is installed after the plugin (or its consumer group is
# lost): a plan published before the group existed must still be closed,
# not left waiting, with the symbol on HOLD, for the next cooldown bucket.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 60

avoid_bucket_edge 120 40
e2e_setup
e2e_restart_sim $(sim_listed "$BTC")
ledger "$BTC" 0
sim_positions "$BTC" 0.007 >/dev/null
e2e_start_collectd a "$(symbol_lines BTC)
    ConfirmPolls 1"
dg_wait_for 10 yields 1 plan_count
ok $? "the plugin publishes its plan before any executor runs"
ex_start
ok $? "the executor starts afterwards"
dg_wait_for 20 settled "$BTC" 0
ok $? "the drift is closed and the HOLD released within 20 s (cooldown 120 s)"
is "$(sim_order_count)" 1 "exactly one order"
is "$(plan_count)" 1 "from the first plan"
dg_done
