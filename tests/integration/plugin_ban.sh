#!/usr/bin/env bash
# The shared exchange back-off: a 418 ban or a 429 Retry-After seen by the
# plugin is stored in P:exchange:ban_until, and nobody's ban there lets the
# plugin call the exchange before it ends. HOLDs stay as they are.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
dg_time_limit 60

BAN=quantum:exchange:ban_until
risk_calls() { grep -c 'path=/fapi/v3/positionRisk' "$DG_TMP/sim.log"; }
now_ms() { date +%s%3N; }
# ban_stored WHAT MAX_MS: after a fault, BAN holds an end at most MAX_MS ahead.
ban_stored() {
  local until_ms now
  wait_until 3 'test "$(rcli EXISTS $BAN)" = 1'
  until_ms=$(rcli GET $BAN)
  now=$(now_ms)
  [ "$until_ms" -gt "$now" ] && [ "$until_ms" -le $((now + $2)) ]
  ok $? "$1 is stored in $BAN ($((until_ms - now)) ms ahead)"
}

plugin_setup
ledger BTCUSDT 0
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
dg_start_collectd a "$(plugin_conf '    Symbol "BTCUSDT"
    ConfirmPolls 1
    Cooldown 3600')"
wait_until 10 'test "$(rcli EXISTS $HOLD)" = 1'
ok $? "drift held"

sim_faults '[{"path":"/fapi/v3/positionRisk","status":418,"ban_ms":3000}]' >/dev/null
ban_stored "a 418's ban end" 3000
ttl=$(rcli PTTL $BAN)
[ "$ttl" -gt 0 ] && [ "$ttl" -le 3000 ]
ok $? "$BAN expires when the ban ends (pttl=$ttl)"
n=$(risk_calls)
sleep 1.5
is "$(risk_calls)" "$n" "no exchange request while banned"
is "$(rcli GET $HOLD)" 1 "HOLD kept while banned"
wait_until 5 'test "$(risk_calls)" -gt "$n"'
ok $? "polling resumes after the ban"

sim_faults '[{"path":"/fapi/v3/positionRisk","status":429,"retry_after":2}]' >/dev/null
ban_stored "a 429's Retry-After" 2000
wait_until 4 'test "$(rcli EXISTS $BAN)" = 0'

# A ban stored by another process (the executor) is honoured too.
rcli SET $BAN $(($(now_ms) + 2500)) PX 2500 >/dev/null
sleep 0.5 # a poll that checked the ban just before the SET may still land
n=$(risk_calls)
sleep 1.5
is "$(risk_calls)" "$n" "a ban stored by another process is honoured"
is "$(rcli GET $HOLD)" 1 "HOLD still kept"
dg_done
