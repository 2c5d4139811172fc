#!/usr/bin/env bash
# The recvWindow of an order of unknown fate counts from the moment the
# request went out, not from the "submitted" stamp written before it:
# here Redis will not answer the ban check for 3 s between the stamp and
# the send (the key is unreadable for a while), the order's reply is lost
# (503, not applied), and the executor must still wait out recvWindow +
# margin from the send itself before it believes "no such order" and
# resends with the same client order id.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 60

ex_setup # Timeout 2, RecvWindow 1000
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
ex_hold BTCUSDT
ex_start
ok $? "executor starts"

# The position read answers 1.5 s late: time to make the ban key unreadable
# after its check for that read, so the next check (right before the
# order, after the stamp) waits.
sim_faults '[{"path":"/fapi/v3/positionRisk","method":"GET","delay_ms":1500,"apply":true},
             {"path":"/fapi/v1/order","method":"POST","status":503}]' >/dev/null
id="reconclose:BTCUSDT:416d86940859:sent$RANDOM"
ex_publish "$(EX_PLAN_ID=$id ex_plan_json BTCUSDT 0.007)" >/dev/null
dg_wait_for 10 chaos_state_is "$id" claimed
ok $? "the plan is claimed"
sleep 0.3 # the position read is under way
p=$EX_PREFIX
rcli ACL SETUSER default resetkeys "~$p:apply:*" "~$p:reconcile:*" \
  "~$p:stream:*" "~$p:executor:*" "%W~*" >/dev/null # not the ban key
dg_wait_for 10 chaos_state_is "$id" submitted
ok $? "the record says submitted; the ban check waits"
sleep 3
rcli ACL SETUSER default allkeys >/dev/null
executed() { [ "$(ex_result status "$id")" = EXECUTED ]; }
dg_wait_for 20 executed
ok $? "the plan is EXECUTED"
is "$(sim_order_count)" 1 "exactly one order (the resend)"
wait_ms=$(grep -o "event=resolve_wait plan_id=$id wait_ms=[0-9]*" "$EX_LOG" |
  head -1 | sed 's/.*wait_ms=//')
[ -n "$wait_ms" ] && [ "$wait_ms" -ge 2000 ]
ok $? "it waited out recvWindow + margin from the send itself (wait_ms=${wait_ms:-none}, >= 2000)"
kill -TERM "$EX_PID"
wait "$EX_PID"
is "$?" 0 "SIGTERM: exit status 0"
dg_done
