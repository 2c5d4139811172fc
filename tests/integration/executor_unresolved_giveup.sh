#!/usr/bin/env bash
# An order whose fate the exchange cannot tell stays pending and is asked
# about again; after the dedupe record's lifetime (24 h since the send) it
# becomes a human's problem: one final ERROR result naming the client order
# id, an err log line, the record final, the entry ACKed, nothing sent.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 60

ex_setup "ClaimIdle 2"
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
ex_hold BTCUSDT
ex_start
ok $? "executor starts"

# Fresh: the query fails, the entry is left pending and asked again until
# the exchange answers.
id1="reconclose:BTCUSDT:416d86940859:fresh$RANDOM"
now=$(date +%s%3N)
rcli SET "$EX_PREFIX:apply:dedupe:$id1" \
  "{\"state\":\"submitted\",\"status\":\"\",\"order_id\":0,\"executed_qty\":\"\",\"consumer\":\"exec-1\",\"ts\":$now,\"sent_ts\":$now}" \
  EX 86400 >/dev/null
sim_faults '[{"path":"/fapi/v1/order","method":"GET","status":503,"count":2}]' >/dev/null
ex_publish "$(EX_PLAN_ID=$id1 ex_plan_json BTCUSDT 0.007)" >/dev/null
asked() { [ "$(grep -c "event=plan_left_pending .*plan_id=$id1 " "$EX_LOG")" -ge "$1" ]; }
dg_wait_for 15 asked 2
ok $? "a fresh unknown fate is left pending and asked about again"
is "$(chaos_plan_results "$id1")" 0 "no result while the fate is unknown"
is "$(chaos_state "$id1")" submitted "the record stays submitted"
executed() { [ "$(ex_result status "$id1")" = EXECUTED ]; }
dg_wait_for 15 executed
ok $? "once the exchange answers (order unknown, position unmoved): sent once, EXECUTED"
is "$(sim_order_count)" 1 "one order for it"
ex_hold BTCUSDT
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null

# 24 h after the send: given up, once.
id2="reconclose:BTCUSDT:416d86940859:old$RANDOM"
old=$(($(date +%s%3N) - 86401000))
rcli SET "$EX_PREFIX:apply:dedupe:$id2" \
  "{\"state\":\"submitted\",\"status\":\"\",\"order_id\":0,\"executed_qty\":\"\",\"consumer\":\"exec-1\",\"ts\":$old,\"sent_ts\":$old}" \
  EX 86400 >/dev/null
sim_faults '[{"path":"/fapi/v1/order","method":"GET","status":503,"count":1}]' >/dev/null
ex_publish "$(EX_PLAN_ID=$id2 ex_plan_json BTCUSDT 0.007)" >/dev/null
dg_wait_for 15 chaos_has_result "$id2"
is "$(ex_result status "$id2")" ERROR "24 h of unknown fate: ERROR"
case "$(ex_result error "$id2")" in
*"check client order id $(ex_result client_order_id "$id2") on the exchange by hand"*) ok 0 "the result names the client order id" ;;
*) ok 1 "the result names the client order id (got: $(ex_result error "$id2"))" ;;
esac
grep -q "level=err event=order_fate_unresolved plan_id=$id2 " "$EX_LOG"
ok $? "an err line says so"
is "$(chaos_state "$id2")" final "the record is final"
sleep 3
is "$(chaos_plan_results "$id2")" 1 "exactly one result"
coid=$(ex_result client_order_id "$id2")
is "$(sim_orders | jq --arg c "$coid" 'map(select(.clientOrderId == $c)) | length')" 0 \
  "nothing sent for the given-up plan"
dg_done
