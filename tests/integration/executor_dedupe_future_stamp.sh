#!/usr/bin/env bash
# Clock skew between executor hosts: a dedupe record left by another
# consumer whose clock runs an hour ahead is not taken as proof that its
# owner is alive (that kept the plan pending until the record's 24 h TTL).
# A claimed record is taken over at once; a submitted one is resolved by
# asking the exchange, its send time counted as now: one order either way.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 60

ex_setup # ClaimIdle 30
ex_start
ok $? "executor starts"

# future_record PLAN_ID STATE: the record another host would have written.
future_record() {
  local ahead=$(($(date +%s%3N) + 3600000)) sent=0
  [ "$2" = submitted ] && sent=$ahead
  rcli SET "$EX_PREFIX:apply:dedupe:$1" \
    "{\"state\":\"$2\",\"status\":\"\",\"order_id\":0,\"executed_qty\":\"\",\"consumer\":\"exec-far\",\"ts\":$ahead,\"sent_ts\":$sent}" \
    EX 86400 >/dev/null
}

for state in claimed submitted; do
  sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
  ex_hold BTCUSDT
  orders0=$(sim_order_count)
  id="reconclose:BTCUSDT:416d86940859:far$state$RANDOM"
  future_record "$id" "$state"
  ex_publish "$(EX_PLAN_ID=$id ex_plan_json BTCUSDT 0.007)" >/dev/null
  dg_wait_for 20 chaos_has_result "$id"
  ok $? "$state an hour ahead: the plan gets a result well within ClaimIdle"
  is "$(ex_result status "$id")" EXECUTED "$state an hour ahead: EXECUTED"
  is "$(sim_order_count)" $((orders0 + 1)) "$state an hour ahead: one order"
  grep -q "event=dedupe_stamp_future plan_id=$id consumer=exec-far" "$EX_LOG"
  ok $? "$state an hour ahead: the skew is logged"
done
is "$(chaos_pending)" 0 "every entry is ACKed"
dg_done
