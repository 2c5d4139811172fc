#!/usr/bin/env bash
# RedisMinReplicas: the "submitted" exactly-once record must reach that
# many replicas (WAIT) before the order goes out. With the only replica
# stopped no order is sent, the plan waits (pending, record back to
# claimed, logged once, counted in driftguard-ctl status), and it is
# executed, once, when the replica is back. With RedisMinReplicas 0 (the
# default) a failover in the wrong millisecond may forget the record: the
# fresh position read (rule stale) still stops a second order.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 90

CTL="$top_builddir/ctl/driftguard-ctl"
dg_start_redis
REPLICA_PORT=$(dg_free_port)
# replica_start: a replica of the test's Redis on REPLICA_PORT, in sync.
replica_start() {
  redis-server --port "$REPLICA_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$DG_TMP" --logfile "$DG_TMP/replica.log" --replicaof 127.0.0.1 "$REDIS_PORT" \
    </dev/null >/dev/null 2>&1 &
  REPLICA_PID=$!
  dg_track "$REPLICA_PID"
  dg_wait_for 10 in_sync
}
in_sync() { rcli INFO replication | grep -q '^slave0:.*state=online'; }
yields_connected() { [ "$(rcli INFO replication | sed -n 's/^connected_slaves:\([0-9]*\).*/\1/p')" = "$1" ]; }
replica_start
ok $? "a replica is in sync"

ex_setup "RedisMinReplicas 1
RedisReplicaTimeout 1000
ClaimIdle 2"
sim_positions '{"BTCUSDT":"0.007","ETHUSDT":"0.5"}' >/dev/null
ex_hold BTCUSDT
ex_hold ETHUSDT
ex_start
ok $? "executor starts with RedisMinReplicas 1"

A="reconclose:BTCUSDT:416d86940859:1"
ex_publish "$(EX_PLAN_ID=$A ex_plan_json BTCUSDT 0.007)" >/dev/null
ex_wait_results 1
is "$(ex_result status "$A")" EXECUTED "replica up: the plan is EXECUTED"

# --- the replica stops ------------------------------------------------------------
dg_stop_pid "$REPLICA_PID"
dg_wait_for 10 yields_connected 0
LOG_BEFORE=$(wc -l <"$EX_LOG")
B="reconclose:ETHUSDT:416d86940859:2"
ex_publish "$(EX_PLAN_ID=$B ex_plan_json ETHUSDT 0.5)" >/dev/null
# Long enough for several attempts (ClaimIdle 2 s).
sleep 6
is "$(sim_order_count)" 1 "replica stopped: no order is sent"
is "$(ex_results_count)" 1 "no result: the plan is not finished"
is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -n 1)" 1 "the plan stays pending"
since_stop() { tail -n +$((LOG_BEFORE + 1)) "$EX_LOG"; }
left=$(since_stop | grep "event=plan_left_pending .*plan_id=$B ")
[ "$(grep -c . <<<"$left")" -ge 2 ]
ok $? "the plan was tried again after ClaimIdle, and waited again"
is "$(grep -vc 'record=claimed' <<<"$left")" 0 \
  "each time its record went back to claimed: no order can have gone out"
is "$(since_stop | grep -c 'event=replicas_short')" 1 "the shortage is logged once"
since_stop | grep 'event=replicas_short' | grep -q "wanted=1 acked=0 timeout_ms=1000 plan_id=$B"
ok $? "the log line names the plan, 1 replica wanted, 0 acknowledged"

"$CTL" -C "$EX_CONF" status >"$DG_TMP/status.out" 2>&1
grep -q '^orders held: fewer than RedisMinReplicas replicas acknowledge .*"wanted":1,"acked":0' "$DG_TMP/status.out"
ok $? "driftguard-ctl status shows the orders held"
"$CTL" -C "$EX_CONF" status --json 2>/dev/null >"$DG_TMP/status.json"
[ "$(jq '.replicas_short.plans_held' "$DG_TMP/status.json")" -ge 2 ]
ok $? "and counts the attempts held back ($(jq -c .replicas_short "$DG_TMP/status.json"))"

# --- the replica is back -----------------------------------------------------------
replica_start
ok $? "the replica is back in sync"
ex_wait_results 2 20
is "$(ex_result status "$B")" EXECUTED "the waiting plan is EXECUTED"
is "$(sim_order_count)" 2 "with exactly one order"
grep -q 'event=replicas_back' "$EX_LOG"
ok $? "the end of the shortage is logged"
is "$(rcli EXISTS "$EX_PREFIX:executor:replicas_short")" 0 "and driftguard-ctl status no longer shows it"
is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -n 1)" 0 "nothing pending"

# --- RedisMinReplicas 0: a forgotten record --------------------------------------------
# A failover that loses the last writes looks, to the executor, like a plan
# whose exactly-once record is gone. Its position already moved: stale.
dg_stop_pid "$EX_PID"
sed -i 's/^RedisMinReplicas 1$/RedisMinReplicas 0/' "$EX_CONF"
ex_start
rcli DEL "$EX_PREFIX:apply:dedupe:$B" >/dev/null
ex_hold ETHUSDT
ex_publish "$(EX_PLAN_ID=$B ex_plan_json ETHUSDT 0.5)" >/dev/null
ex_wait_results 3
is "$(ex_result status "$B")" REJECTED_GUARDRAIL "record forgotten: the plan is refused"
is "$(ex_result rule "$B")" stale "by the fresh position read (stale)"
is "$(sim_order_count)" 2 "no second order"

dg_done
