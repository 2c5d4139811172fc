#!/usr/bin/env bash
# One scenario, the venue a parameter: the simulator as Binance USD-M, Bybit
# v5 linear and OKX v5 SWAP, each probed by a client written from that
# venue's docs: positions, a reduce-only close and its query by client id,
# an unknown client id, the reduce-only and market-maximum refusals, bad
# signature and stale timestamp, and the shared control API. The venues'
# own traps are in sim_bybit.sh and sim_okx.sh.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
. "$top_srcdir/tests/integration/sim_venue_lib.sh"
dg_time_limit 60

# ---- the three clients behind one interface --------------------------------
# v_positions: "SYMBOL=signed amount" of every open position, sorted.
# v_order SYMBOL SIDE(buy|sell) QTY REDUCE(true|false) CLIENT_ID: a market
#   order; V_CODE gets the venue's code ("0" when accepted).
# v_query SYMBOL CLIENT_ID: "filled:EXECUTED_QTY" or "not found".
# v_positions_with SECRET TS_OFFSET_MS: V_CODE of a positions read signed
#   with SECRET and a timestamp TS_OFFSET_MS away from now.
binance_positions() {
  signed_call GET /fapi/v3/positionRisk ""
  jbody '[.[] | "\(.symbol)=\(.positionAmt)"] | sort | join(",")'
}
binance_order() {
  order "symbol=$1&side=${2^^}&quantity=$3&reduceOnly=$4&newClientOrderId=$5"
  V_CODE=$(jbody '.code // 0')
}
binance_query() {
  signed_call GET /fapi/v1/order "symbol=$1&origClientOrderId=$2"
  if [ "$(jbody '.code // 0')" = -2013 ]; then echo "not found"; else
    echo "$(jbody '.status | ascii_downcase'):$(jbody .executedQty)"; fi
}
binance_positions_with() {
  local q="timestamp=$(($(now_ms) + $2))"
  raw_call GET /fapi/v3/positionRisk "$q&signature=$(hmac_hex "$1" "$q")" ""
  V_CODE=$(jbody .code)
}

bybit_positions() {
  bybit GET /v5/position/list "category=linear&settleCoin=USDT&limit=200"
  jbody '[.result.list[] | select(.side != "") |
    "\(.symbol)=\(if .side == "Sell" then "-" else "" end)\(.size)"] | sort | join(",")'
}
bybit_order() {
  local side=${2^}
  bybit POST /v5/order/create "{\"category\":\"linear\",\"symbol\":\"$1\",\"side\":\"$side\",\"orderType\":\"Market\",\"qty\":\"$3\",\"reduceOnly\":$4,\"positionIdx\":0,\"orderLinkId\":\"$5\"}"
  V_CODE=$(jbody .retCode)
}
bybit_query() {
  bybit GET /v5/order/realtime "category=linear&symbol=$1&orderLinkId=$2"
  if [ "$(jbody '.result.list | length')" = 0 ]; then echo "not found"; else
    echo "$(jbody '.result.list[0].orderStatus | ascii_downcase'):$(jbody '.result.list[0].cumExecQty')"; fi
}
bybit_positions_with() {
  BYBIT_SECRET=$1 BYBIT_TS=$(($(now_ms) + $2)) bybit GET /v5/position/list "category=linear&settleCoin=USDT"
  V_CODE=$(jbody .retCode)
}

okx_positions() {
  okx GET "/api/v5/account/positions?instType=SWAP"
  jbody '[.data[] | select(.pos != "0") | "\(.instId)=\(.pos)"] | sort | join(",")'
}
okx_order() {
  okx POST /api/v5/trade/order "{\"instId\":\"$1\",\"tdMode\":\"cross\",\"side\":\"$2\",\"ordType\":\"market\",\"sz\":\"$3\",\"reduceOnly\":$4,\"clOrdId\":\"$5\"}"
  V_CODE=$(jbody '.data[0].sCode // .code')
}
okx_query() {
  okx GET "/api/v5/trade/order?instId=$1&clOrdId=$2"
  if [ "$(jbody .code)" = 51603 ]; then echo "not found"; else
    echo "$(jbody '.data[0].state'):$(jbody '.data[0].accFillSz')"; fi
}
okx_positions_with() {
  OKX_SECRET=$1 OKX_TS=$(date -u -d "@$((($(now_ms) + $2) / 1000))" +%Y-%m-%dT%H:%M:%S.000Z) \
    okx GET "/api/v5/account/positions?instType=SWAP"
  V_CODE=$(jbody .code)
}

# venue VENUE TAIL ORDER_PATH CODES...: the scenario on one venue; CODES are
# the venue's for: reduce-only larger than the position, reduce-only in the
# position's direction, above the market maximum, bad signature, stale
# timestamp.
venue() {
  local v=$1 tail=$2 path=$3 c_size=$4 c_side=$5 c_max=$6 c_sign=$7 c_time=$8
  local p=${v%%-*} btc="BTC$tail" eth="ETH$tail"
  diag "---- $v"
  sim_start_venue "$v" -s "$btc=0.001:0.001:0.005"
  sim_positions "{\"$btc\":\"0.007\",\"$eth\":\"-1.25\"}" >/dev/null
  is "$("${p}"_positions)" "$btc=0.007,$eth=-1.25" "$v: positions signed, exact, in the venue's symbols"

  "${p}"_order "$btc" sell 0.003 true dgrc0close1
  is "$HTTP_STATUS:$V_CODE:$("${p}"_positions)" "200:0:$btc=0.004,$eth=-1.25" "$v: a reduce-only close fills"
  is "$("${p}"_query "$btc" dgrc0close1)" "filled:0.003" "$v: queried by client id"
  is "$("${p}"_query "$btc" dgrc0never)" "not found" "$v: an unknown client id is not found"

  "${p}"_order "$btc" sell 0.005 true dgrc0close2
  is "$V_CODE" "$c_size" "$v: reduce-only larger than the position refused"
  "${p}"_order "$btc" buy 0.001 true dgrc0close3
  is "$V_CODE" "$c_side" "$v: reduce-only in the position's direction refused"
  "${p}"_order "$btc" buy 0.006 false dgrc0open1
  is "$V_CODE:$("${p}"_positions)" "$c_max:$btc=0.004,$eth=-1.25" "$v: above the market maximum refused, nothing moved"

  "${p}"_positions_with wrongsecret 0
  is "$V_CODE" "$c_sign" "$v: a bad signature refused"
  "${p}"_positions_with "$DG_API_SECRET" -60000
  is "$V_CODE" "$c_time" "$v: a timestamp 60 s old refused"

  is "$(sim_orders | jq -r 'map("\(.symbol) \(.clientOrderId) \(.quantity) \(.reduceOnly)") | join(",")')" \
    "$btc dgrc0close1 0.003 true" "$v: /sim/orders lists the one accepted order"
  [ "$(sim_stat ".calls[\"POST $path\"]")" -eq 4 ]
  ok $? "$v: /sim/stats counts the order calls"
  curl -sf -X POST "$SIM_URL/sim/reset" >/dev/null
  is "$(sim_orders):$(curl -sf "$SIM_URL/sim/positions"):$("${p}"_positions)" "[]:{}:" "$v: /sim/reset clears the account"
  dg_stop_pid "$SIM_PID"
}

venue binance-usdm USDT /fapi/v1/order -2022 -2022 -4005 -1022 -1021
venue bybit-linear USDT /v5/order/create 110017 110017 10001 10004 10002
venue okx-swap -USDT-SWAP /api/v5/trade/order 51169 51170 51202 50113 50102
sim_stop_clean
dg_done
