#!/usr/bin/env bash
# exchange_client_bybit.sh - the Bybit v5 linear driver (exchange.h,
# "bybit-linear") against the real simulator as Bybit: positions in one-way
# and hedge mode (a mode per symbol), paging over nextPageCursor, the lot
# rules with maxMktOrderQty, the close's exact body and its cap at the
# market maximum, per-leg hedge closes and a wrong-leg refusal, queries
# (found in realtime, not found in either list), the clock re-sync (10002),
# a duplicate orderLinkId (110072), 429 / 10006 / the 403 IP ban, fates
# unknown, X-Bapi-Limit use, a key with a passphrase refused, and no secret
# ever printed.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
. "$top_srcdir/tests/integration/sim_venue_lib.sh"
dg_time_limit 120

sim_start_venue bybit-linear -s BTCUSDT=0.001:0.001:0.005
PROBE_EXCHANGE=bybit-linear
. "$top_srcdir/tests/integration/exchange_probe_lib.sh"
hedge() { curl -sf -X POST -d "{\"dualSidePosition\":$2,\"symbol\":\"$1\"}" "$SIM_URL/sim/dual" >/dev/null; }
last_params() { sim_orders | jq -c '.[-1].params'; }

# --- reads -------------------------------------------------------------------
line=$(probe time)
is "$(field status "$line")" ok "time: synced from /v5/market/time"
off=$(field offset_ms "$line")
[ "${off#-}" -lt 1000 ]
ok $? "time: offset to the simulator's clock is small ($off ms)"

sim_positions '{"BTCUSDT":"0.012","ETHUSDT":"-1.25","XRPUSDT":"-7"}' >/dev/null
hedge XRPUSDT true
line=$(probe positions)
is "$(field status "$line")/$(field count "$line")" ok/3 "positions: every open position"
is "$(field BTCUSDT "$line")/$(field ETHUSDT "$line")" 0.012/-1.25 \
  "positions: size signed by side (Buy +, Sell -)"
is "$(field XRPUSDT:SHORT "$line")" -7 "positions: a hedge-mode symbol's short leg (positionIdx 2)"
w=$(field weight "$line")
[ "$w" -ge 1 ] && [ "$w" -le 50 ]
ok $? "positions: rate use from X-Bapi-Limit - X-Bapi-Limit-Status ($w of 50)"

line=$(probe positions XRPUSDT -- positions BTCUSDT -- positions SOLUSDT)
l1=$(sed -n 1p <<<"$line")
is "$(field count "$l1"):$(field XRPUSDT:LONG "$l1"):$(field XRPUSDT:SHORT "$l1")" "2:0:-7" \
  "positions of a hedge symbol: LONG then SHORT, the flat leg 0"
is "$(field BTCUSDT "$(sed -n 2p <<<"$line")")" 0.012 "positions of a one-way symbol: one row"
is "$(field SOLUSDT "$(sed -n 3p <<<"$line")")" 0 "positions of a flat symbol: 0"

sim_reset
sim_positions '{"XRPUSDT":"-7"}' >/dev/null
hedge XRPUSDT true
line=$(probe dual XRPUSDT -- dual BTCUSDT -- dual)
is "$(field dual "$(sed -n 1p <<<"$line")")" 1 "dual: a symbol in hedge mode (positionIdx of its rows)"
is "$(field dual "$(sed -n 2p <<<"$line")")" 0 "dual: a symbol in one-way mode"
l3=$(sed -n 3p <<<"$line")
is "$(field status "$l3")" refused "dual without a symbol: refused (Bybit's mode is per symbol)"
grep -q 'per symbol' <<<"$l3"
ok $? "dual without a symbol: the message says why"
is "$(calls /v5/position/list)" 2 "dual: read from the venue on every call, nothing sent without a symbol"

# More than a page: 250 open positions, 200 a page.
sim_reset
sim_positions "$(seq -f 'P%03gUSDT' 1 250 | jq -R . | jq -sc 'map({(.): "1"}) | add')" >/dev/null
line=$(probe positions)
is "$(field status "$line")/$(field count "$line")" ok/250 "paging: 250 positions over two pages"
is "$(field P001USDT "$line")/$(field P250USDT "$line")" 1/1 "paging: the first and the last"
is "$(calls /v5/position/list)" 2 "paging: two requests (limit 200, nextPageCursor)"

# --- rules ---------------------------------------------------------------------
sim_reset
line=$(probe rules BTCUSDT -- rules NOSUCHUSDT -- rules ETHUSDT)
l1=$(sed -n 1p <<<"$line")
is "$(field step "$l1") $(field min_qty "$l1") $(field max_qty "$l1") $(field in_contracts "$l1") $(field contract_value "$l1")" \
  "0.001 0.001 0.005 0 1" "rules: qtyStep, minOrderQty, maxMktOrderQty, base coin"
l2=$(sed -n 2p <<<"$line")
is "$(field status "$l2")/$(field reason "$l2")" refused/unknown_symbol "rules: an unlisted symbol"
is "$(calls /v5/market/instruments-info)" 1 \
  "rules: instruments cached (an unknown symbol refetches at most once a minute)"

# --- the close -------------------------------------------------------------------
sim_positions '{"BTCUSDT":"0.004","ETHUSDT":"-2"}' >/dev/null
line=$(probe close BTCUSDT SELL 0.004 dgrc-by-1)
is "$(field status "$line")/$(field order_status "$line")/$(field executed_qty "$line")" ok/FILLED/0.004 \
  "close: accepted, read back FILLED with its fill"
[[ $(field order_id "$line") =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]
ok $? "close: the order id is Bybit's UUID"
is "$(last_params)" \
  '{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"0.004","reduceOnly":true,"positionIdx":0,"orderLinkId":"dgrc-by-1"}' \
  "close: the exact body (signed as sent: the simulator checked X-BAPI-SIGN)"
is "$(field BTCUSDT "$(probe positions BTCUSDT)")" 0 "close: position now flat"

line=$(probe query BTCUSDT dgrc-by-1 -- query BTCUSDT dgrc-by-none)
is "$(field order_status "$(sed -n 1p <<<"$line")")/$(field client_order_id "$(sed -n 1p <<<"$line")")" \
  FILLED/dgrc-by-1 "query: found by orderLinkId"
l2=$(sed -n 2p <<<"$line")
is "$(field status "$l2")/$(field reason "$l2")" refused/order_not_found \
  "query: an unknown orderLinkId (empty lists) is order not found"
r0=$(calls /v5/order/realtime) h0=$(calls /v5/order/history)
probe query BTCUSDT dgrc-by-none2 >/dev/null
is "$(($(calls /v5/order/realtime) - r0))/$(($(calls /v5/order/history) - h0))" 1/1 \
  "query: not found only after realtime and history"

n0=$(orders_count)
line=$(probe close ETHUSDT BUY 0.5 dgrc-by-1)
is "$(field status "$line")/$(field reason "$line")/$(field code "$line")" refused/duplicate_client_id/110072 \
  "close with a used orderLinkId: duplicate client id"
is "$(orders_count)" "$n0" "duplicate: nothing executed"

# Above maxMktOrderQty: one order at the maximum, not Bybit's split.
sim_positions '{"BTCUSDT":"0.012"}' >/dev/null
line=$(probe close BTCUSDT SELL 0.012 dgrc-by-cap)
is "$(field status "$line")/$(field orig_qty "$line")/$(field executed_qty "$line")" ok/0.005/0.005 \
  "close above maxMktOrderQty 0.005: capped at it"
is "$(($(orders_count) - n0))/$(sim_orders | jq -r '.[-1].params.qty')" 1/0.005 "capped close: one order"
is "$(curl -sf "$SIM_URL/sim/positions" | jq -r .BTCUSDT)" 0.007 "capped close: the rest is left for the next plan"

# --- hedge legs --------------------------------------------------------------------
hedge ETHUSDT true
sim_positions '{"ETHUSDT":"-2"}' >/dev/null
n0=$(orders_count)
line=$(probe close ETHUSDT SELL 1 dgrc-by-wrong SHORT)
is "$(field status "$line")" refused "hedge: SELL on the SHORT leg (would open) refused"
is "$(orders_count)" "$n0" "hedge: the wrong-leg close was not sent"
line=$(probe close ETHUSDT BUY 1 dgrc-by-both)
is "$(field status "$line")/$(field code "$line")" refused/10001 \
  "hedge: a one-way close (positionIdx 0) on a hedge symbol is Bybit's 10001"
line=$(probe close ETHUSDT BUY 2 dgrc-by-short SHORT)
is "$(field status "$line")/$(field order_status "$line")" ok/FILLED "hedge: BUY closes the SHORT leg"
is "$(sim_orders | jq -r '.[-1].params | "\(.side) \(.positionIdx) \(.reduceOnly)"')" "Buy 2 true" \
  "hedge: sent on positionIdx 2, reduce-only"
sim_positions '{"ETHUSDT":"3"}' >/dev/null
line=$(probe close ETHUSDT SELL 3 dgrc-by-long LONG)
is "$(field status "$line")/$(sim_orders | jq -r '.[-1].params.positionIdx')" ok/1 "hedge: SELL closes the LONG leg on positionIdx 1"
hedge ETHUSDT false

# --- failures ------------------------------------------------------------------------
sim_reset
sim_positions '{"ETHUSDT":"5"}' >/dev/null
sim_faults '[{"path":"/v5/position/list","code":10002}]' >/dev/null
line=$(probe positions)
is "$(field status "$line")" ok "10002 on a read: ok after a re-sync"
is "$(calls /v5/market/time)/$(calls /v5/position/list)" 2/2 "10002 on a read: clock re-synced, read retried once"
sim_faults '[{"path":"/v5/position/list","code":10002,"count":2}]' >/dev/null
line=$(probe positions)
is "$(field status "$line")/$(field reason "$line")" refused/clock_skew "10002 twice: refused after one retry"

n0=$(orders_count)
c0=$(calls /v5/order/create)
sim_faults '[{"path":"/v5/order/create","code":10002}]' >/dev/null
line=$(probe close ETHUSDT SELL 1 dgrc-by-skew)
is "$(field status "$line")/$(field reason "$line")/$(($(calls /v5/order/create) - c0))" refused/clock_skew/1 \
  "10002 on an order: refused, never resent"

sim_faults '[{"path":"/v5/order/create","status":429}]' >/dev/null
t0=$(now_ms)
line=$(probe close ETHUSDT SELL 1 dgrc-by-429)
ra=$(field retry_after_ms "$line")
is "$(field status "$line")" rate_limit "HTTP 429: rate limited"
[ "$ra" -gt "$t0" ] && [ "$ra" -le $((t0 + 10000)) ]
ok $? "HTTP 429: retry_after_ms in the next seconds ($((ra - t0)) ms)"
sim_faults '[{"path":"/v5/order/create","code":10006}]' >/dev/null
t0=$(now_ms)
line=$(probe close ETHUSDT SELL 1 dgrc-by-10006)
ra=$(field retry_after_ms "$line")
is "$(field status "$line")/$(field code "$line")" rate_limit/10006 "10006: rate limited"
[ "$ra" -gt "$t0" ] && [ "$ra" -le $((t0 + 1500)) ]
ok $? "10006: retry_after_ms from X-Bapi-Limit-Reset-Timestamp ($((ra - t0)) ms)"

sim_faults '[{"path":"/v5/order/create","code":10016}]' >/dev/null
line=$(probe close ETHUSDT SELL 1 dgrc-by-10016)
is "$(field status "$line")" unknown "10016 on an order: fate unknown"
sim_faults '[{"path":"/v5/order/create","status":503}]' >/dev/null
line=$(probe close ETHUSDT SELL 1 dgrc-by-503)
is "$(field status "$line")" unknown "503 on an order: fate unknown"
sim_faults '[{"path":"/v5/position/list","status":503}]' >/dev/null
line=$(probe positions)
is "$(field status "$line")" server "503 on a read: server"
is "$(orders_count)" "$n0" "no order was placed by any of the failures above"

sim_faults '[{"path":"/v5/order/create","delay_ms":1500,"apply":true}]' >/dev/null
line=$(probe -t 500 close ETHUSDT SELL 1 dgrc-by-late)
is "$(field status "$line")" unknown "timeout after sending an order: unknown"
is "$(orders_count)" "$((n0 + 1))" "timeout: the exchange did apply it (sent once)"
line=$(probe query ETHUSDT dgrc-by-late)
is "$(field order_status "$line")" FILLED "timeout: the order is resolved by query"

sim_faults '[{"path":"/v5/position/list","status":418,"ban_ms":600000}]' >/dev/null
t0=$(now_ms)
line=$(probe positions)
bu=$(field ban_until_ms "$line")
is "$(field status "$line")/$(field http "$line")" banned/403 "403 access too frequent: banned"
[ "$bu" -ge $((t0 + 590000)) ] && [ "$bu" -le $((t0 + 610000)) ]
ok $? "403: banned for Bybit's 10 minutes ($((bu - t0)) ms)"
sim_reset

# --- credentials ---------------------------------------------------------------------
badkey="$DG_TMP/bad.key"
dg_keyfile "$badkey" "$DG_API_KEY" "wrong$DG_API_SECRET"
line=$(probe -k "$badkey" positions)
is "$(field status "$line")/$(field code "$line")" refused/10004 "wrong secret: refused with 10004"
passkey="$DG_TMP/pass.key"
(umask 077 && printf '%s\n%s\nsomepassphrase\n' "$DG_API_KEY" "$DG_API_SECRET" >"$passkey")
err=$("$PROBE" -x bybit-linear -u "$SIM_URL" -k "$passkey" time 2>&1)
is "$?" 2 "a key file with a passphrase: refused at open"
grep -q 'Bybit keys have none' <<<"$err" && ! grep -q somepassphrase <<<"$err"
ok $? "the passphrase refusal says why, without echoing it"

! grep -q -e "$DG_API_SECRET" -e "$DG_API_KEY" "$OUT"
ok $? "no API key or secret in any result"
sim_stop_clean
dg_done
