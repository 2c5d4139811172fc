#!/usr/bin/env bash
# A 429 arrives while Redis answers PING but refuses writes (maxmemory,
# noeviction): the shared back-off cannot be stored yet. The executor
# waits for Redis with its one back-off loop: no CPU burned, one log line
# for the outage (not one per try); once Redis accepts writes the back-off
# is stored and the plan ends RETRYABLE_RATE_LIMIT, with no order.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 60

ex_setup
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
ex_hold BTCUSDT
ex_start
ok $? "executor starts"
ban_key="$EX_PREFIX:exchange:ban_until"

# The order's 429 comes 1.5 s late: time to make Redis refuse writes once
# the record says "submitted".
sim_faults '[{"path":"/fapi/v1/order","method":"POST","status":429,"retry_after":30,"delay_ms":1500}]' >/dev/null
id="reconclose:BTCUSDT:416d86940859:banoom$RANDOM"
ex_publish "$(EX_PLAN_ID=$id ex_plan_json BTCUSDT 0.007)" >/dev/null
dg_wait_for 10 chaos_state_is "$id" submitted
ok $? "the order is on its way"
rcli CONFIG SET maxmemory 1 >/dev/null
lines_before=$(wc -l <"$EX_LOG")
# CPU time of the executor (user + system, clock ticks) over 3 s of refusals.
cpu() { awk '{print $14 + $15}' "/proc/$EX_PID/stat"; }
sleep 1 # the 429 has come back: the executor is storing the back-off
cpu_before=$(cpu)
sleep 3
cpu_used=$(($(cpu) - cpu_before))
ticks=$(getconf CLK_TCK)
[ "$cpu_used" -lt $((ticks / 2)) ]
ok $? "no busy loop while Redis refuses the back-off ($cpu_used ticks of $((3 * ticks)) in 3 s)"
log_lines=$(($(wc -l <"$EX_LOG") - lines_before))
[ "$log_lines" -le 3 ]
ok $? "the refusals are logged once, not once per try ($log_lines lines)"
grep -q "event=redis_down.*OOM" "$EX_LOG"
ok $? "the outage is logged with Redis's reason"
is "$(ex_results_count)" 0 "no result while the back-off cannot be stored"

rcli CONFIG SET maxmemory 0 >/dev/null
result() { [ "$(chaos_plan_results "$id")" = 1 ]; }
dg_wait_for 15 result
ok $? "once Redis accepts writes the plan ends"
is "$(ex_result status "$id")" RETRYABLE_RATE_LIMIT "the plan is RETRYABLE_RATE_LIMIT"
until_ms=$(rcli GET "$ban_key")
[ -n "$until_ms" ] && [ "$until_ms" -gt "$(date +%s%3N)" ]
ok $? "the shared back-off is stored ($ban_key=$until_ms)"
is "$(sim_order_count)" 0 "no order"
grep -q "event=redis_up" "$EX_LOG"
ok $? "the outage's end is logged"
kill -TERM "$EX_PID"
wait "$EX_PID"
is "$?" 0 "SIGTERM: exit status 0"
dg_done
