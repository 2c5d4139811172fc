#!/usr/bin/env bash
# exchange_client.sh - the Binance USD-M driver (exchange.h) against the real
# simulator: signing, positions, symbol rules, hedge mode, the close order's
# exact parameters, order queries, and the outcome of every failure the
# executor must tell apart (429, 418, 503 "Unknown error", -1007, timeouts
# before and after the order was applied, refused connections, -1021
# re-sync, v3 -> v2 fallback). Also checks that no secret is ever printed.
. "$top_srcdir/tests/harness.sh"
dg_time_limit 120

dg_start_sim
. "$top_srcdir/tests/integration/exchange_probe_lib.sh"

# --- reads -------------------------------------------------------------------
line=$(probe time)
is "$(field status "$line")" ok "time: synced"
off=$(field offset_ms "$line")
[ "${off#-}" -lt 1000 ]
ok $? "time: offset to the simulator's clock is small ($off ms)"

sim_positions '{"BTCUSDT":"0.007","ETHUSDT":"-1.5"}' >/dev/null
line=$(probe positions)
is "$(field status "$line")" ok "positions: ok"
is "$(field count "$line")" 2 "positions: both open positions listed"
is "$(field BTCUSDT "$line")" 0.007 "positions: long amount exact"
is "$(field ETHUSDT "$line")" -1.5 "positions: short amount signed"
w=$(field weight "$line")
[ "$w" -gt 0 ]
ok $? "positions: X-MBX-USED-WEIGHT-1M reported ($w)"
line=$(probe positions SOLUSDT)
is "$(field SOLUSDT "$line")" 0 "positions: a symbol the exchange omits is flat"

line=$(probe rules BTCUSDT -- rules NOSUCH)
is "$(field step "$(sed -n 1p <<<"$line")")" 0.001 "rules: MARKET_LOT_SIZE step"
l2=$(sed -n 2p <<<"$line")
is "$(field status "$l2")/$(field code "$l2")/$(field reason "$l2")" \
  refused/-1121/unknown_symbol "rules: unlisted symbol refused with -1121"

is "$(calls /fapi/v1/exchangeInfo)" 1 \
  "rules: exchangeInfo cached (an unknown symbol refetches at most once a minute)"

line=$(probe dual -- dual)
is "$(field dual "$(sed -n 2p <<<"$line")")" 0 "dual: one-way mode"
is "$(calls /fapi/v1/positionSide/dual)" 2 \
  "dual: read on every call (the mode can be switched while driftguard runs)"

# --- the close order -----------------------------------------------------------
line=$(probe close BTCUSDT SELL 0.007 dgrc-it-1)
is "$(field status "$line")" ok "close: executed"
is "$(field order_status "$line")" FILLED "close: RESULT reply gives FILLED"
is "$(field executed_qty "$line")" 0.007 "close: executed quantity"
params=$(sim_orders | jq -c '.[0].params')
is "$(jq -r '[.symbol,.side,.type,.quantity,.reduceOnly,.newClientOrderId,.newOrderRespType,.recvWindow]|join(",")' <<<"$params")" \
  "BTCUSDT,SELL,MARKET,0.007,true,dgrc-it-1,RESULT,5000" \
  "close: exact order parameters"
is "$(jq -r 'has("positionSide")' <<<"$params")" false \
  "close: positionSide not sent in one-way mode"
is "$(field BTCUSDT "$(probe positions BTCUSDT)")" 0 "close: position now flat"

line=$(probe query BTCUSDT dgrc-it-1 -- query BTCUSDT dgrc-it-none)
is "$(field order_id "$(sed -n 1p <<<"$line")")" \
  "$(sim_orders | jq -r '.[0].orderId')" "query: finds the order by client id"
l2=$(sed -n 2p <<<"$line")
is "$(field status "$l2")/$(field code "$l2")/$(field reason "$l2")" \
  refused/-2013/order_not_found "query: unknown client id refused with -2013"

# --- failures of an order -------------------------------------------------------
sim_positions '{"BTCUSDT":"0.010"}' >/dev/null
n0=$(orders_count)

sim_faults '[{"path":"/fapi/v1/order","status":429,"count":1}]' >/dev/null
t0=$(now_ms)
line=$(probe close BTCUSDT SELL 0.01 dgrc-it-2)
is "$(field status "$line")" rate_limit "429: rate_limit"
ra=$(field retry_after_ms "$line")
[ "$ra" -ge $((t0 + 1000)) ] && [ "$ra" -le $((t0 + 61000 + 5000)) ]
ok $? "429: retry_after_ms is in the future ($((ra - t0)) ms)"

sim_faults '[{"path":"/fapi/v1/order","status":429,"retry_after":7}]' >/dev/null
t0=$(now_ms)
line=$(probe close BTCUSDT SELL 0.01 dgrc-it-2)
ra=$(field retry_after_ms "$line")
[ "$ra" -ge $((t0 + 7000)) ] && [ "$ra" -le $((t0 + 7000 + 5000)) ]
ok $? "429: Retry-After honoured ($((ra - t0)) ms)"

sim_faults '[{"path":"/fapi/v1/order","status":503}]' >/dev/null
line=$(probe close BTCUSDT SELL 0.01 dgrc-it-2)
is "$(field status "$line")" unknown "503 Unknown error: unknown"
sim_faults '[{"path":"/fapi/v1/order","status":503,"code":-1001,"msg":"Service Unavailable."}]' >/dev/null
line=$(probe close BTCUSDT SELL 0.01 dgrc-it-2)
is "$(field status "$line")" server "503 Service Unavailable: server"
for st in 500 502 504; do
  sim_faults "[{\"path\":\"/fapi/v1/order\",\"status\":$st}]" >/dev/null
  line=$(probe close BTCUSDT SELL 0.01 dgrc-it-2)
  is "$(field status "$line")" unknown "HTTP $st on an order: unknown (Binance: 5xx fate unknown)"
done
sim_faults '[{"path":"/fapi/v1/order","status":408,"code":-1007}]' >/dev/null
line=$(probe close BTCUSDT SELL 0.01 dgrc-it-2)
is "$(field status "$line")/$(field code "$line")" unknown/-1007 "-1007: unknown"
sim_faults '[{"path":"/fapi/v1/order","status":400,"code":-1021}]' >/dev/null
line=$(probe close BTCUSDT SELL 0.01 dgrc-it-2)
is "$(field status "$line")/$(field code "$line")/$(field reason "$line")" \
  refused/-1021/clock_skew "-1021 on an order: refused, not retried"
is "$(orders_count)" "$n0" "no order was placed by any of the failures above"

# A reply that never comes after the exchange applied the order.
sim_faults '[{"path":"/fapi/v1/order","delay_ms":1500,"apply":true}]' >/dev/null
line=$(probe -t 500 close BTCUSDT SELL 0.01 dgrc-it-3)
is "$(field status "$line")" unknown "timeout after sending an order: unknown"
is "$(orders_count)" "$((n0 + 1))" "timeout: the exchange did apply it (sent once)"
line=$(probe query BTCUSDT dgrc-it-3)
is "$(field order_status "$line")" FILLED "timeout: the order is resolved by query"

# Nobody listening: certainly not sent (the handle's first step, the clock
# sync, already fails, and the order is never attempted).
dead="http://127.0.0.1:$(dg_free_port)"
line=$(probe -u "$dead" close BTCUSDT SELL 0.01 dgrc-it-4)
is "$(field status "$line")" transport "refused connection: transport, order not sent"

# https to a plain-http port: the TLS handshake fails before any request.
line=$(probe -u "https://127.0.0.1:$SIM_PORT" close BTCUSDT SELL 0.01 dgrc-it-4)
is "$(field status "$line")" transport "TLS handshake failure: transport, order not sent"
is "$(orders_count)" "$((n0 + 1))" "no order sent by the failed connections"

# --- failures of reads -----------------------------------------------------------
sim_faults '[{"path":"/fapi/v3/positionRisk","delay_ms":1500}]' >/dev/null
line=$(probe -t 500 positions)
is "$(field status "$line")" transport "timeout of a read: transport"
sim_faults '[{"path":"/fapi/v3/positionRisk","status":503}]' >/dev/null
line=$(probe positions)
is "$(field status "$line")" server "503 Unknown error on a read: server"
sim_faults '[{"path":"/fapi/v3/positionRisk","status":502}]' >/dev/null
line=$(probe positions)
is "$(field status "$line")" server "502 on a read: server"


sim_reset
sim_faults '[{"path":"/fapi/v3/positionRisk","status":400,"code":-1021}]' >/dev/null
line=$(probe positions)
is "$(field status "$line")" ok "-1021 on a read: ok after a retry"
is "$(calls /fapi/v1/time)/$(calls /fapi/v3/positionRisk)" 2/2 \
  "-1021 on a read: clock re-synced, read retried once"
sim_faults '[{"path":"/fapi/v3/positionRisk","status":400,"code":-1021,"count":2}]' >/dev/null
line=$(probe positions)
is "$(field status "$line")/$(field code "$line")" refused/-1021 \
  "-1021 twice: refused after one retry"

sim_reset
sim_faults '[{"path":"/fapi/v3/positionRisk","status":404,"count":-1}]' >/dev/null
line=$(probe positions -- positions)
is "$(grep -c 'status=ok' <<<"$line")" 2 "v3 404: falls back to v2"
is "$(calls /fapi/v3/positionRisk)/$(calls /fapi/v2/positionRisk)" 1/2 \
  "v3 404: the handle stays on v2"
sim_reset

# --- hedge mode, bad credentials, ban ---------------------------------------------
curl -sf -X POST -d '{"dualSidePosition":true}' "$SIM_URL/sim/dual" >/dev/null
sim_positions '{"BTCUSDT":"0.010"}' >/dev/null
line=$(probe dual -- close BTCUSDT SELL 0.01 dgrc-it-5)
is "$(field dual "$(sed -n 1p <<<"$line")")" 1 "dual: hedge mode detected"
is "$(field status "$(sed -n 2p <<<"$line")")" refused "hedge mode: close refused"
is "$(orders_count)" 0 "hedge mode: nothing sent"
curl -sf -X POST -d '{"dualSidePosition":false}' "$SIM_URL/sim/dual" >/dev/null

badkey="$DG_TMP/bad.key"
dg_keyfile "$badkey" "$DG_API_KEY" "wrong$DG_API_SECRET"
line=$(probe -k "$badkey" positions)
is "$(field status "$line")/$(field code "$line")" refused/-1022 \
  "wrong secret: refused with -1022"

sim_faults '[{"path":"/fapi/v3/positionRisk","status":418,"ban_ms":600000}]' >/dev/null
t0=$(now_ms)
line=$(probe positions)
is "$(field status "$line")" banned "418: banned"
bu=$(field ban_until_ms "$line")
[ "$bu" -ge $((t0 + 590000)) ] && [ "$bu" -le $((t0 + 610000)) ]
ok $? "418: ban_until_ms from \"banned until <ms>\" ($((bu - t0)) ms)"
is "$(field retry_after_ms "$line")" "$bu" "418: retry_after_ms = ban_until_ms"

! grep -q -e "$DG_API_SECRET" -e "$DG_API_KEY" "$OUT"
ok $? "no API key or secret in any result"

dg_done
