#!/usr/bin/env bash
# Crash recovery (SPEC section 4): the executor killed with SIGKILL between
# marking a plan submitted and hearing the exchange, restarted, re-handles
# its own pending entry FIRST through the client order id: an applied order
# is recorded without a resend; an order that never arrived is sent once,
# after the recvWindow. An entry of a dead consumer is claimed (XAUTOCLAIM)
# and executed; a plan in the hands of a live consumer is not touched; a
# submitted plan whose position moved (the exchange not yet showing the
# order) stays pending, nothing sent. Two executors never share a name.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 120

ex_setup "ClaimIdle 1"
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
ex_hold BTCUSDT
dedupe() { rcli GET "$EX_PREFIX:apply:dedupe:$1"; }
state_is() { [ "$(dedupe "$1" | jq -r .state 2>/dev/null)" = "$2" ]; }

# kill_mid_send ID APPLY: publish plan ID with the order delayed 8 s, kill
# -9 the executor once the record says submitted, restart it.
kill_mid_send() {
  sim_faults "[{\"path\":\"/fapi/v1/order\",\"method\":\"POST\",\"delay_ms\":8000,\"apply\":$2}]" >/dev/null
  ex_start || return 1
  EX_PLAN_ID=$1 ex_publish "$(EX_PLAN_ID=$1 ex_plan_json BTCUSDT 0.007)" >/dev/null
  dg_wait_for 10 state_is "$1" submitted || return 1
  sleep 0.3 # the request is on its way
  kill -KILL "$EX_PID"
  wait "$EX_PID" 2>/dev/null
  return 0
}

# 1. Killed after the exchange applied the order.
id1="reconclose:BTCUSDT:416d86940859:1"
kill_mid_send "$id1" true
ok $? "executor killed with the plan submitted"
is "$(ex_results_count)" 0 "no result yet"
is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -1)" 1 "the entry is still pending"
ex_start
ex_wait_results 1 20
is "$(ex_result status "$id1")" EXECUTED "after restart: EXECUTED (found by client order id)"
is "$(sim_order_count)" 1 "no second order"
grep -q "event=recovering plan_id=$id1 state=submitted" "$EX_LOG"
ok $? "recovery logged"
is "$(dedupe "$id1" | jq -r .state)" final "record final"
dg_stop_pid "$EX_PID"

# 2. Killed before the order reached the matching engine (never applied).
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
id2="reconclose:BTCUSDT:416d86940859:2"
kill_mid_send "$id2" false
ok $? "executor killed with the second plan submitted"
ex_start
ex_wait_results 2 30
is "$(ex_result status "$id2")" EXECUTED "after restart: resent once, EXECUTED"
is "$(sim_order_count)" 2 "one order for this plan"
is "$(sim_position BTCUSDT)" 0 "position closed once"
is "$(ex_results_count)" 2 "one result per entry"
dg_stop_pid "$EX_PID"

# 3. An entry left pending by a dead consumer, its record claimed long ago.
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
id3="reconclose:BTCUSDT:416d86940859:3"
ex_publish "$(EX_PLAN_ID=$id3 ex_plan_json BTCUSDT 0.007)" >/dev/null
rcli XREADGROUP GROUP executor ghost COUNT 1 STREAMS "$EX_PLAN_STREAM" '>' >/dev/null
old=$(($(date +%s%3N) - 60000))
rcli SET "$EX_PREFIX:apply:dedupe:$id3" \
  "{\"state\":\"claimed\",\"status\":\"\",\"order_id\":0,\"executed_qty\":\"\",\"consumer\":\"ghost\",\"ts\":$old,\"sent_ts\":0}" \
  EX 86400 >/dev/null
sleep 1.2
ex_start
ex_wait_results 3 20
is "$(ex_result status "$id3")" EXECUTED "a dead consumer's entry is claimed and executed"
is "$(ex_result consumer "$id3")" exec-1 "handled by the live consumer"
is "$(sim_order_count)" 3 "one order for it"

# 4. A plan a live consumer is handling right now (its record keeps being
# refreshed): not touched, no result, the entry stays pending; once that
# consumer has finished, the entry ends as a duplicate of its outcome.
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
id4="reconclose:BTCUSDT:416d86940859:4"
busy_record() {
  rcli SET "$EX_PREFIX:apply:dedupe:$id4" \
    "{\"state\":\"$1\",\"status\":\"$2\",\"order_id\":$3,\"executed_qty\":\"\",\"consumer\":\"busy\",\"ts\":$(date +%s%3N),\"sent_ts\":0}" \
    EX 86400 >/dev/null
}
busy_record claimed "" 0
ex_publish "$(EX_PLAN_ID=$id4 ex_plan_json BTCUSDT 0.007)" >/dev/null
for i in $(seq 12); do busy_record claimed "" 0; sleep 0.25; done
is "$(ex_results_count)" 3 "a plan held by a live consumer: no result"
is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -1)" 1 "... its entry stays pending"
grep -q "event=plan_left_pending .*plan_id=$id4 " "$EX_LOG"
ok $? "... logged"
busy_record final EXECUTED 4242
ex_wait_results 4 10
is "$(ex_result status "$id4")/$(ex_result original_status "$id4")/$(ex_result order_id "$id4")" \
  DROPPED_DUPLICATE/EXECUTED/4242 "once that consumer is done: DROPPED_DUPLICATE of its outcome"
is "$(sim_order_count)" 3 "no order for it"

# 5. Submitted, the exchange does not (yet) show the order, but the
# position moved: the order may have filled (Binance shows new orders
# late), so this is no guardrail rejection: nothing is sent, the record
# stays submitted and the entry pending, asked about again later.
id5="reconclose:BTCUSDT:416d86940859:5"
sim_positions '{"BTCUSDT":"0"}' >/dev/null
rcli SET "$EX_PREFIX:apply:dedupe:$id5" \
  "{\"state\":\"submitted\",\"status\":\"\",\"order_id\":0,\"executed_qty\":\"\",\"consumer\":\"exec-1\",\"ts\":$(date +%s%3N),\"sent_ts\":$(date +%s%3N)}" \
  EX 86400 >/dev/null
ex_publish "$(EX_PLAN_ID=$id5 ex_plan_json BTCUSDT 0.007)" >/dev/null
left_pending() { [ "$(grep -c "event=plan_left_pending .*plan_id=$id5 .*order fate unknown" "$EX_LOG")" -ge "$1" ]; }
dg_wait_for 15 left_pending 2
ok $? "submitted, order not visible, position moved: left pending, asked again"
is "$(ex_results_count)" 4 "no result for it"
is "$(sim_order_count)" 3 "nothing sent"
is "$(dedupe "$id5" | jq -r .state)" submitted "its record stays submitted"

# A second executor with the same Consumer name would share the pending
# entries and the records' ownership: it refuses to start.
timeout 30 "$DG_EXECUTOR" -C "$EX_CONF" >"$DG_TMP/twin.log" 2>&1
is "$?" 1 "a second executor with the same Consumer exits 1"
grep -q "consumer name exec-1 of group executor is in use by another live executor" "$DG_TMP/twin.log"
ok $? "... saying why"
kill -0 "$EX_PID"
ok $? "the first executor runs on"
dg_done
