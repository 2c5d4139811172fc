#!/usr/bin/env bash
# The loop under an exchange rate limit: the order is refused (Binance:
# HTTP 429 with Retry-After). The plan is RETRYABLE_RATE_LIMIT, the HOLD stays, the
# back-off is shared through Redis (nobody calls the exchange before it),
# and the next cooldown bucket's plan closes the drift with one order.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 90

e2e_start_rate_limited
ledger "$BTC" 0
sim_positions "$BTC" 0.007 >/dev/null

ex_wait_results 1 15
ok $? "the first plan gets a result"
first=$(ex_result plan_id)
is "$(ex_result status)" RETRYABLE_RATE_LIMIT "the rate limit makes it RETRYABLE_RATE_LIMIT"
is "$(hold_keys $BTC)" 3 "the HOLD stays"
ban=$(rcli GET quantum:exchange:ban_until)
[ -n "$ban" ] && [ "$ban" -gt "$(date +%s%3N)" ]
ok $? "the back-off is shared through Redis (ban_until=$ban)"

dg_wait_for 20 settled "$BTC" 0
ok $? "a later plan closes the drift and the HOLD is released"
is "$(sim_order_count)" 1 "exactly one order reached the book"
executed=$(ex_results_json | jq -r 'map(select(.status == "EXECUTED")) | map(.plan_id) | join(" ")')
[ -n "$executed" ] && [ "$executed" != "$first" ] && [ "$(wc -w <<<"$executed")" = 1 ]
ok $? "the close came from the next bucket's plan ($executed)"
# No exchange call from anyone while the back-off was in force.
awk -v from="$(($(jq -r 'map(select(.status == "RETRYABLE_RATE_LIMIT")) | .[0].ts' <<<"$(ex_results_json)")))" \
  -v until="$ban" -v venue="path=$DG_PATH_PREFIX" 'index($0, venue) { sub("ts=", "", $1); if ($1 > from && $1 < until) bad++ }
  END { exit bad > 0 }' "$DG_TMP/sim.log"
ok $? "no exchange request between the rate limit and the end of the back-off"
dg_wait_for 5 yields 1 counter "$BTC" close_executed success
is "$(counter $BTC close_executed success)" 1 "prometheus: one close executed"
is "$(counter $BTC close_executed rate_limit)" 1 "prometheus: one close hit the rate limit"
dg_done
