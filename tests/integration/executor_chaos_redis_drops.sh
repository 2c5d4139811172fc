#!/usr/bin/env bash
# Redis connections cut at random moments (CLIENT KILL of the executor's
# connections every 0-0.4 s) while plans flow and the exchange answers
# slowly: the executor reconnects every time and never exits; every plan
# ends with exactly one result, ACKed, and one order exactly when EXECUTED
# (a command whose reply was lost is never applied twice).
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 180

ROUNDS=${CHAOS_DROP_ROUNDS:-25}
ex_setup "Timeout 10
ClaimIdle 4"
sim_positions "$BTC" 1 >/dev/null
sim_faults "[$(fault_at positions '{"delay_ms":200,"apply":true,"count":-1}'),
  $(fault_at order '{"delay_ms":300,"apply":true,"count":-1}')]" >/dev/null
ex_start
ok $? "executor starts"

# The executor's connections are the ones older than a second (the test's
# own redis-cli calls live for milliseconds).
(while :; do
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", (r % 40) / 100 }')"
  for cid in $(redis-cli -p "$REDIS_PORT" CLIENT LIST |
    awk '{ split($1, id, "="); for (i = 2; i <= NF; i++) if ($i ~ /^age=/ && substr($i, 5) + 0 >= 1) print id[2] }'); do
    redis-cli -p "$REDIS_PORT" CLIENT KILL ID "$cid" >/dev/null
  done
done) &
dg_track $!

bad=0 executed=0
for round in $(seq "$ROUNDS"); do
  chaos_publish_step "drop$round"
  dg_wait_for 30 chaos_has_result "$id" || { bad=$((bad + 1)) && diag "round $round: no result" && continue; }
  chaos_plan_ok "$id" || bad=$((bad + 1))
  [ "$(ex_result status "$id")" = EXECUTED ] && executed=$((executed + 1))
done
drops=$(chaos_log_count 'event=redis_down')
[ "$drops" -ge 3 ]
ok $? "the executor's connections were cut ($drops times)"
is "$bad" 0 "$ROUNDS plans: one result each, one order exactly when EXECUTED"
[ "$executed" -ge $((ROUNDS / 2)) ]
ok $? "most plans executed ($executed of $ROUNDS)"
is "$(sim_order_count)" "$executed" "no order beyond the executed plans"
chaos_closed_by "$executed"
ok $? "the position moved by exactly the executed closes ($(sim_position $BTC))"
no_pending() { [ "$(chaos_pending)" = 0 ]; }
dg_wait_for 15 no_pending
ok $? "every entry is ACKed"
is "$(ex_started_count)" 1 "the executor never restarted"
kill -0 "$EX_PID"
ok $? "the executor is still running"
dg_done
