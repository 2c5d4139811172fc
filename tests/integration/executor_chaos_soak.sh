#!/usr/bin/env bash
# kill -9 at random moments, again and again: the exchange answers every
# position read and every order slowly (200 ms, 400 ms, the order applied
# at once), so the kills land before the claim, during the position read,
# with the order applied and its reply pending, or while the result is
# written. After each restart the plan has exactly one result, at most one
# order with its client order id, one exactly when EXECUTED, and the
# exchange position agrees with what the results say.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 240

ROUNDS=${CHAOS_SOAK_ROUNDS:-15}
# ClaimIdle 4: a restart under the same name waits 2 s for the lease.
ex_setup "Timeout 10
ClaimIdle 4"
sim_positions "$BTC" 1 >/dev/null
sim_faults "[$(fault_at positions '{"delay_ms":200,"apply":true,"count":-1}'),
  $(fault_at order '{"delay_ms":400,"apply":true,"count":-1}')]" >/dev/null
ex_start
ok $? "executor starts"

bad=0 executed=0
no_pending() { [ "$(chaos_pending)" = 0 ]; }
for round in $(seq "$ROUNDS"); do
  chaos_publish_step "soak$round"
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", (r % 120) / 100 }')"
  chaos_kill9
  chaos_restart || { bad=$((bad + 1)) && diag "round $round: no restart" && continue; }
  dg_wait_for 30 chaos_has_result "$id" && dg_wait_for 10 no_pending ||
    { bad=$((bad + 1)) && diag "round $round: no result or not ACKed" && continue; }
  chaos_plan_ok "$id" || bad=$((bad + 1))
  [ "$(ex_result status "$id")" = EXECUTED ] && executed=$((executed + 1))
done
diag "recoveries: $(chaos_log_count 'event=recovering .* state=claimed') claimed, $(chaos_log_count 'event=recovering .* state=submitted') submitted"
is "$bad" 0 "$ROUNDS rounds of kill -9: one result each, one order exactly when EXECUTED"
[ "$executed" -ge $((ROUNDS / 2)) ]
ok $? "most rounds executed ($executed of $ROUNDS)"
is "$(sim_order_count)" "$executed" "no order beyond the executed plans"
chaos_closed_by "$executed"
ok $? "the position moved by exactly the executed closes ($(sim_position $BTC))"
dg_done
