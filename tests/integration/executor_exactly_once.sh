#!/usr/bin/env bash
# Exactly once (SPEC section 4): an ambiguous send (timeout after the
# exchange applied the order, or a 503 -1007 after it did not) is resolved
# through the client order id without a second fill; 1,000 replays of one
# plan read by two consumers at once give one order; SIGTERM finishes the
# plan in hand and exits 0.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 150

ex_setup
sim_positions "$BTC" 0.007 >/dev/null
ex_hold "$BTC"
ex_start
ok $? "executor starts"

# 1. The exchange applies the order but the reply never comes in time
# (Timeout 2 s, delay 4 s): the fate is unknown, the query finds it.
sim_faults "[$(fault_at order '{"delay_ms":4000,"apply":true}')]" >/dev/null
ex_publish "$(ex_plan_json $BTC 0.007)" >/dev/null
ex_wait_results 1 20
is "$(ex_result status)" EXECUTED "timeout after apply -> EXECUTED (found by client order id)"
is "$(sim_order_count)" 1 "timeout after apply: exactly one order"
grep -q "event=order_fate_unknown" "$EX_LOG"
ok $? "the unknown fate is logged"
[ -n "$(ex_result order_id)" ]
ok $? "the recovered result has the order id"

# 2. The exchange does not apply it and answers 503 -1007 late: after the
# recvWindow has passed and the position is unmoved, one resend.
sim_positions "$BTC" 0.007 >/dev/null
sim_faults "[$(fault_at order '{"delay_ms":500,"apply":false}')]" >/dev/null
ex_publish "$(ex_plan_json $BTC 0.007)" >/dev/null
ex_wait_results 2 20
is "$(ex_result status)" EXECUTED "503 -1007 without apply -> resent once, EXECUTED"
is "$(sim_order_count)" 2 "one order for this plan (two in all)"
grep -q "event=resolve_wait" "$EX_LOG"
ok $? "the resend waited for the recvWindow to pass"
is "$(sim_position $BTC)" 0 "position closed exactly once"

# 3. 1,000 replays of one plan, read by two consumers of the group.
sim_positions "$BTC" 0.007 >/dev/null
sed 's/^Consumer "exec-1"/Consumer "exec-2"/' "$EX_CONF" >"$DG_TMP/executor2.conf"
"$DG_EXECUTOR" -C "$DG_TMP/executor2.conf" >>"$DG_TMP/executor2.log" 2>&1 &
EX2_PID=$!
dg_track "$EX2_PID"
dg_wait_for 10 grep -q "event=started" "$DG_TMP/executor2.log"
ok $? "a second consumer starts"
id="reconclose:$BTC:416d86940859:99990001"
plan=$(EX_PLAN_ID=$id ex_plan_json "$BTC" 0.007)
mac=$(ex_mac "$plan")
for i in $(seq 1000); do
  printf "XADD %s * plan '%s' mac %s\n" "$EX_PLAN_STREAM" "$plan" "$mac"
done | rcli >/dev/null
ex_wait_results 1002 90
ok $? "1,000 results for 1,000 replays"
results=$(ex_results_json)
is "$(jq --arg id "$id" '[.[] | select(.plan_id == $id and .status == "EXECUTED")] | length' <<<"$results")" 1 \
  "exactly one replay EXECUTED"
is "$(jq --arg id "$id" '[.[] | select(.plan_id == $id and .status == "DROPPED_DUPLICATE" and .dedupe_hit == "true")] | length' <<<"$results")" 999 \
  "999 replays DROPPED_DUPLICATE with dedupe_hit=true"
is "$(jq --arg id "$id" '[.[] | select(.plan_id == $id) | .consumer] | unique | length' <<<"$results")" 2 \
  "both consumers handled replays"
is "$(sim_order_count)" 3 "one order for 1,000 replays (three in all)"
is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -1)" 0 "every replay is ACKed"
dg_stop_pid "$EX2_PID"

# 4. SIGTERM while an order is in flight: the plan is finished, exit 0.
sim_positions "$BTC" 0.007 >/dev/null
sim_faults "[$(fault_at order '{"delay_ms":1000,"apply":true}')]" >/dev/null
n=$(ex_results_count)
ex_publish "$(ex_plan_json $BTC 0.007)" >/dev/null
dg_wait_for 10 bash -c "grep -q 'path=$DG_PATH_POSITIONS' '$DG_TMP/sim.log' && [ \$(curl -sf $SIM_URL/sim/orders | jq length) -ge 4 ]"
kill -TERM "$EX_PID"
wait "$EX_PID"
is "$?" 0 "SIGTERM during an order: exit 0"
is "$(ex_results_count)" $((n + 1)) "the plan in hand got its result"
is "$(ex_result status)" EXECUTED "the plan in hand was finished (EXECUTED)"
dg_done
