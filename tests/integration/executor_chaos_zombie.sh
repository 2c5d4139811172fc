#!/usr/bin/env bash
# Two LIVE consumers on one plan: exec-1 hangs in its order request (a
# stalled exchange, not a crash) long enough for exec-2 (ClaimIdle 1) to
# take the entry and the dedupe record over. Whatever both then do, the
# exchange gets exactly one order: when exec-1's request was applied,
# exec-2 finds it by client order id; when it was not, exec-2 waits out the
# recvWindow and sends it once, and exec-1 later finds that order instead
# of sending its own. Every result names that one order.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 120

# ClaimIdle 4 for exec-1: its restart waits less for its previous
# process's consumer lease.
ex_setup "Timeout 10
ClaimIdle 4"
EX1_CONF=$EX_CONF
EX2_CONF=$(chaos_conf_for exec-2 1)

two_results() { [ "$(chaos_plan_results "$1")" -ge 2 ]; }
n=0
# race NAME APPLY: exec-1 takes a plan and hangs 6 s placing its order
# (applied by the exchange at once when APPLY is true); exec-2 starts once
# exec-1's record is 1.5 s old. Then both finish.
race() {
  local name=$1 apply=$2 exec1 exec2
  n=$((n + 1))
  sim_positions "$BTC" 0.007 >/dev/null
  ex_hold "$BTC"
  orders0=$(sim_order_count)
  EX_CONF=$EX1_CONF chaos_restart
  exec1=$EX_PID
  sim_faults "[$(fault_at order "{\"delay_ms\":6000,\"apply\":$apply}")]" >/dev/null
  id="reconclose:$BTC:416d86940859:$n$RANDOM"
  ex_publish "$(EX_PLAN_ID=$id ex_plan_json $BTC 0.007)" >/dev/null
  dg_wait_for 10 chaos_state_is "$id" submitted && dg_wait_for 5 chaos_faults_taken
  ok $? "$name: exec-1 hangs in its order request"
  sleep 1.5
  EX_CONF=$EX2_CONF chaos_restart
  ok $? "$name: exec-2 starts while exec-1 still hangs"
  exec2=$EX_PID
  dg_wait_for 20 chaos_has_result "$id"
  ok $? "$name: the plan gets a result"
  # exec-1's request returns after 6 s: wait until it has finished too.
  dg_wait_for 20 two_results "$id"
  kill -0 "$exec1" && kill -0 "$exec2"
  ok $? "$name: both consumers are still running"
  kill -TERM "$exec1" "$exec2"
  wait "$exec1" "$exec2"
  is "$(sim_order_count)" $((orders0 + 1)) "$name: exactly one order reached the exchange"
  is "$(sim_position $BTC)" 0 "$name: the position is closed, once"
  local oid
  oid=$(sim_last_order_id)
  is "$(ex_results_json | jq -r --arg id "$id" --arg o "$oid" \
    'map(select(.plan_id == $id)) | map(select(.status != "DROPPED_DUPLICATE" and (.status != "EXECUTED" or .order_id != $o))) | length')" \
    0 "$name: every result is EXECUTED with that order or a duplicate"
  is "$(ex_results_json | jq -r --arg id "$id" 'map(select(.plan_id == $id and .status == "EXECUTED")) | length > 0')" \
    true "$name: the plan is EXECUTED"
  is "$(rcli GET "$EX_PREFIX:apply:dedupe:$id" | jq -r '.state + " " + .status + " " + (.order_id | tostring)')" \
    "final EXECUTED $oid" "$name: the record is final with that order"
  is "$(chaos_pending)" 0 "$name: the entry is ACKed"
  diag "$name: results: $(ex_results_json | jq -c --arg id "$id" 'map(select(.plan_id == $id) | [.consumer, .status, .original_status, .order_id])')"
}

race "applied" true
race "not applied" false
dg_done
