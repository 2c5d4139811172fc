#!/usr/bin/env bash
# e2e_failover.sh - the whole loop on a replicated Redis under Sentinel
# (master, one replica, three sentinels; plugin, executor and the checks all
# use the redis-sentinel:// URL): drifts heal continuously while the master
# is killed with kill -9 (and later started again, empty), then while
# SENTINEL FAILOVER moves the master back. After each: every drift healed
# by exactly one order, no order refused, no HOLD left, every plan has a
# result and nothing is pending.
#
# The SENTINEL FAILOVER runs with min-replicas-to-write 1 on the nodes (as
# doc/runbook.md recommends): a deposed master then refuses writes the
# moment the promoted replica leaves it, so every order's EXECUTED result
# is on the surviving master (a record or result written to a deposed
# master would be missing there). Without it (the kill -9 round) a record
# written in the last milliseconds may be forgotten; the fresh position
# read (rule stale) still stops a second order.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sentinel_lib.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 115

SYMBOLS="$BTC $ETH $SOL $XRP"
sl_start
e2e_setup "ClaimIdle 2"
e2e_restart_sim $(sim_listed $SYMBOLS)
for s in $SYMBOLS; do ledger "$s" 0; done
rcli WAIT 1 2000 >/dev/null
ex_start
ok $? "executor starts with RedisURL $REDIS_URL"
# Cooldown 3: a plan lost with a failover is published again 3 s later.
e2e_start_collectd a "$(for s in $SYMBOLS; do echo "    Symbol \"$s\""; done)
    Cooldown 3"

declare -A DRIFTS
ROUND=0
# rcli on the master the sentinels name now (nothing while there is none).
mcli() { redis-cli -p "$(sl_master_port)" "$@" 2>/dev/null; }
# quiet SYMBOL: flat on the exchange and no HOLD on the master.
quiet() {
  [ "$(sim_position "$1")" = 0 ] &&
    [ "$(mcli EXISTS "quantum:reconcile:hold:$1")" = 0 ]
}
# drift_for SECONDS: for that long, give every quiet symbol a new drift (a
# position the ledger, 0, does not have; a new amount every round).
drift_for() {
  local end=$((SECONDS + $1)) s
  while [ "$SECONDS" -lt "$end" ]; do
    ROUND=$((ROUND + 1))
    for s in $SYMBOLS; do
      quiet "$s" || continue
      sim_positions "{\"$s\":\"$(printf '0.%03d' $((ROUND % 900 + 1)))\"}" >/dev/null &&
        DRIFTS[$s]=$((${DRIFTS[$s]:-0} + 1))
    done
    sleep 0.3
  done
}
all_quiet() {
  local s
  for s in $SYMBOLS; do quiet "$s" || return 1; done
}
pending() { mcli XPENDING "$EX_PLAN_STREAM" executor | head -n 1; }
# results_on_master: the result stream of the master now, as JSON objects.
results_on_master() {
  mcli -2 --json XRANGE "$EX_RESULT_STREAM" - + |
    jq -c '[.[] | .[1] | [range(0; length; 2) as $i | {key: .[$i], value: .[$i + 1]}] | from_entries]'
}

# check NAME [STRICT]: the invariants after a failover; STRICT: no record
# or result was lost either.
check() {
  local name=$1 strict=${2:-} s orders results made=0 plan_ids missing executed
  dg_wait_for 40 all_quiet
  ok $? "$name: every drift healed after the promotion, no HOLD left"
  for s in $SYMBOLS; do made=$((made + ${DRIFTS[$s]:-0})); done
  orders=$(sim_orders)
  for s in $SYMBOLS; do
    is "$(jq --arg s "$s" 'map(select(.symbol == $s)) | length' <<<"$orders")" "${DRIFTS[$s]:-0}" \
      "$name: $s: one order per drift (${DRIFTS[$s]:-0} drifts), no duplicate"
  done
  is "$(jq '[.[].clientOrderId] | unique | length' <<<"$orders")" "$made" \
    "$name: every order has its own client order id"
  dg_wait_for 10 yields 0 pending
  is "$(pending)" 0 "$name: no plan pending"
  results=$(results_on_master)
  plan_ids=$(mcli --raw XRANGE "$EX_PLAN_STREAM" - + | awk 'prev == "plan" { print } { prev = $0 }' |
    jq -r .plan_id | sort -u)
  missing=$(comm -23 <(echo "$plan_ids") <(jq -r '.[].plan_id' <<<"$results" | sort -u))
  is "$missing" "" "$name: every plan on the master has a result"
  is "$(jq '[.[] | select(.status == "REJECTED_EXCHANGE" or .status == "ERROR")] | length' <<<"$results")" 0 \
    "$name: no order refused by the exchange, no ERROR"
  executed=$(jq '[.[] | select(.status == "EXECUTED")] | length' <<<"$results")
  if [ -n "$strict" ]; then
    is "$executed" "$made" "$name: every order's EXECUTED result is on the surviving master"
  else
    [ "$executed" -le "$made" ]
    ok $? "$name: $executed of $made orders' EXECUTED results on the surviving master"
  fi
  diag "$name: $made drifts, $(jq length <<<"$results") results: $(jq -c 'group_by(.status) | map({(.[0].status): length}) | add' <<<"$results")"
}

# --- kill -9 ------------------------------------------------------------------
drift_for 4
OLD=$MASTER_PORT
T0=$SECONDS
kill -KILL "$MASTER_PID"
until sl_promoted "$OLD" || [ $((SECONDS - T0)) -gt 30 ]; do drift_for 1; done
sl_promoted "$OLD"
ok $? "kill -9: the sentinels promoted the replica in $((SECONDS - T0)) s"
# The old master comes back empty: the sentinels make it a replica; no
# component may take it for the master meanwhile.
sl_node "$OLD"
drift_for 6
check "kill -9"
grep -h "event=redis_master" "$DG_TMP/a-collectd.out" "$EX_LOG" | grep -v "addr=127.0.0.1:$OLD previous=none" |
  grep -q "addr=127.0.0.1:$OLD "
ok $((!$?)) "kill -9: neither plugin nor executor went back to the old master"

# --- SENTINEL FAILOVER ----------------------------------------------------------
dg_wait_for 30 sl_ready
ok $? "the old master is back as an in-sync replica"
OLD2=$(sl_master_port)
for p in "$OLD" "$REPLICA_PORT"; do
  redis-cli -p "$p" CONFIG SET min-replicas-to-write 1 >/dev/null
done
drift_for 3
T0=$SECONDS
redis-cli -p "${SENTINEL_PORTS%% *}" SENTINEL FAILOVER "$SL_NAME" >/dev/null
until sl_promoted "$OLD2" || [ $((SECONDS - T0)) -gt 30 ]; do drift_for 1; done
sl_promoted "$OLD2"
ok $? "SENTINEL FAILOVER: the master moved back to $(sl_master_port) in $((SECONDS - T0)) s"
drift_for 5
check "SENTINEL FAILOVER" strict
"$top_builddir/ctl/driftguard-ctl" -C "$EX_CONF" check --json >"$DG_TMP/check.json" 2>/dev/null
check_row() { jq -r --arg c "$1" '.checks[] | select(.check == $c) | .result + " " + .detail' "$DG_TMP/check.json"; }
check_row redis_master | grep -q "^OK redis master 'dgmaster' at 127.0.0.1:$(sl_master_port): role master (found through the sentinels"
ok $? "driftguard-ctl check reports the master it found: $(check_row redis_master)"
check_row redis_replicas | grep -q "^OK 1 replica, 1 online: ip=127.0.0.1,port=$OLD2,state=online"
ok $? "and the demoted master as its replica: $(check_row redis_replicas)"

# On the sentinels' announcement or on the deposed master's NOREPLICAS,
# whichever came first.
LEFT='event=redis_(failover_announced|role_changed)'
grep -Eq "$LEFT" "$EX_LOG" && grep -Eq "$LEFT" "$DG_TMP/a-collectd.out"
ok $? "plugin and executor left the deposed master"

dg_done
