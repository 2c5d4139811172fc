#!/usr/bin/env bash
# An operator tries driftguard in dry run first (driftguard-executor -n):
# plans are checked and reported DRY_RUN, no order is sent, the symbol
# stays on HOLD. Then the executor goes live and the next cooldown
# bucket's plan closes the drift with one order.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 60

e2e_setup
e2e_restart_sim $(sim_listed "$BTC")
ex_start -n
ok $? "executor starts in dry run"
e2e_start_collectd a "$(symbol_lines BTC)
    ConfirmPolls 1
    Cooldown 3"
ledger "$BTC" 0
sim_positions "$BTC" -0.05 >/dev/null
ex_wait_results 2 15
ok $? "plans of two cooldown buckets are handled"
is "$(ex_results_json | jq -r 'map(.status) | unique | join(",")')" DRY_RUN "every result is DRY_RUN"
is "$(sim_order_count)" 0 "no order in dry run"
is "$(sim_position $BTC)" -0.05 "the drift stays"
is "$(hold_keys $BTC)" 3 "the symbol stays on HOLD"

dg_stop_pid "$EX_PID"
ex_start
dg_wait_for 10 yields 2 ex_started_count
ok $? "the executor goes live"
dg_wait_for 15 settled "$BTC" 0
ok $? "the next plan closes the drift and the HOLD is released"
is "$(sim_orders | jq -r 'map(.side + " " + .quantity) | join(",")')" "BUY 0.05" "exactly one order"
is "$(ex_results_json | jq '[.[] | select(.status == "EXECUTED")] | length')" 1 "one EXECUTED result"
dg_done
