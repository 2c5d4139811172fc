#!/usr/bin/env bash
# exchange_client_okx.sh - the okx-swap driver (exchange.h) against the real
# simulator as OKX v5 SWAP: signing accepted, the passphrase required, the
# account check (acctLv 2 or 3 only), positions in contracts (net rows and
# long_short_mode legs), lot rules with ctVal and maxMktSz, the close's exact
# JSON body and its expTime header, query by clOrdId (51603 not found), and
# the outcome of each failure (50102 re-sync, 51016, 50011, 503, 50004, a
# timeout after the order was applied), hedge closes per leg (posSide) and a
# wrong leg refused unsent. Also checks that no secret is ever printed.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
. "$top_srcdir/tests/integration/sim_venue_lib.sh"
dg_time_limit 150

sim_start_venue okx-swap -s XRP-USDT-SWAP=1:1:5:100
# OKX allows 5 account-config reads per 2 s and every handle reads it once:
# probe runs are paced to stay under that.
PROBE_EXCHANGE=okx-swap PROBE_PACE=0.45
. "$top_srcdir/tests/integration/exchange_probe_lib.sh"
line_n() { sed -n "$1p" <<<"$2"; }
account() { curl -sf -X POST -d "$1" "$SIM_URL/sim/account" >/dev/null; }
C1=dgrc00000000000000000000000000c1 C2=dgrc00000000000000000000000000c2

# --- the key file and signing -------------------------------------------------
two="$DG_TMP/two.key"
dg_keyfile "$two" "$DG_API_KEY" "$DG_API_SECRET"
"$PROBE" -x okx-swap -u "$SIM_URL" -k "$two" time >/dev/null 2>"$DG_TMP/err"
is "$?:$(grep -c 'third line' "$DG_TMP/err")" "2:1" \
  "a key file without a passphrase: refused at open, naming the third line"
wrongpass="$DG_TMP/wrongpass.key"
(umask 077 && printf '%s\n%s\n%s\n' "$DG_API_KEY" "$DG_API_SECRET" wrongPassphrase1 >"$wrongpass")
line=$(probe -k "$wrongpass" time)
is "$(field status "$line")/$(field code "$line")" refused/50105 \
  "a wrong passphrase: refused with 50105"
! grep -q wrongPassphrase1 <<<"$line"
ok $? "the passphrase is never echoed"

sim_reset
line=$(probe time)
is "$(field status "$line")" ok "time: synced, signed account read accepted"
off=$(field offset_ms "$line")
[ "${off#-}" -lt 1000 ]
ok $? "time: offset to the simulator's clock is small ($off ms)"
is "$(calls /api/v5/public/time)/$(calls /api/v5/account/config)" 1/1 \
  "time: the clock, then the account configuration (start-up check)"

# --- the account check ----------------------------------------------------------
sim_positions '{"BTC-USDT-SWAP":"2"}' >/dev/null
for lv in 4 1; do
  account "{\"acctLv\":\"$lv\"}"
  sleep 2 # each call re-reads the refused account: 4 of OKX's 5 per 2 s
  line=$(probe time -- positions -- dual -- close BTC-USDT-SWAP SELL 1 "$C1")
  is "$(field status "$(line_n 1 "$line")")" refused "acctLv $lv: refused at start-up"
  grep -q "acctLv=$lv" <<<"$(line_n 1 "$line")"
  ok $? "acctLv $lv: the message names the setting and its value"
  is "$(grep -c 'status=refused' <<<"$line")" 4 \
    "acctLv $lv: positions, dual and the close refused too"
done
is "$(orders_count)" 0 "a refused account: no order sent"
account '{"acctLv":"3"}'
sleep 2
line=$(probe time)
is "$(field status "$line")" ok "acctLv 3 (Multi-currency margin): accepted"
account '{"acctLv":"2"}'

# --- reads ------------------------------------------------------------------------
sim_reset
sim_positions '{"BTC-USDT-SWAP":"2.5","ETH-USDT-SWAP":"-3"}' >/dev/null
line=$(probe positions -- positions XRP-USDT-SWAP -- dual -- dual)
l1=$(line_n 1 "$line")
is "$(field status "$l1")/$(field count "$l1")" ok/2 "positions: both open positions"
is "$(field BTC-USDT-SWAP "$l1")/$(field ETH-USDT-SWAP "$l1")" 2.5/-3 \
  "positions: in contracts, signed (net mode)"
is "$(field weight "$l1")" -1 "positions: OKX reports no rate budget (-1)"
is "$(field XRP-USDT-SWAP "$(line_n 2 "$line")")/$(field count "$(line_n 2 "$line")")" 0/1 \
  "positions: a flat symbol is one BOTH row of 0"
is "$(field dual "$(line_n 4 "$line")")" 0 "dual: net_mode is one-way"
is "$(calls /api/v5/account/config)" 3 \
  "dual: the account configuration read on every call (once more at first use)"

line=$(probe rules BTC-USDT-SWAP -- rules XRP-USDT-SWAP -- rules NOSUCH-USDT-SWAP)
l1=$(line_n 1 "$line")
is "$(field step "$l1") $(field min_qty "$l1") $(field max_qty "$l1") $(field in_contracts "$l1") $(field contract_value "$l1")" \
  "0.01 0.01 1000 1 0.01" "rules: lotSz, minSz, maxMktSz in contracts; ctVal x ctMult"
l2=$(line_n 2 "$line")
is "$(field max_qty "$l2")/$(field contract_value "$l2")" 5/100 \
  "rules: another instrument's maxMktSz and contract value"
l3=$(line_n 3 "$line")
is "$(field status "$l3")/$(field code "$l3")/$(field reason "$l3")" \
  refused/51001/unknown_symbol "rules: an unlisted instId refused"
is "$(calls /api/v5/public/instruments)" 1 \
  "rules: instruments cached (an unknown symbol refetches at most once a minute)"

# --- the close ----------------------------------------------------------------------
t0=$(now_ms)
line=$(probe -w 3000 close BTC-USDT-SWAP SELL 2.5 "$C1")
t1=$(now_ms)
is "$(field status "$line")/$(field order_status "$line")/$(field executed_qty "$line")" \
  ok/FILLED/2.5 "close: placed, then its fill read back (accFillSz)"
params=$(sim_orders | jq -c '.[0].params')
is "$(jq -c 'del(.expTime)' <<<"$params")" \
  "{\"instId\":\"BTC-USDT-SWAP\",\"tdMode\":\"cross\",\"side\":\"sell\",\"ordType\":\"market\",\"sz\":\"2.5\",\"reduceOnly\":true,\"clOrdId\":\"$C1\"}" \
  "close: the exact JSON body (tdMode from the position's mgnMode)"
exp=$(jq -r '.expTime' <<<"$params")
[ "$exp" -ge $((t0 + 3000 - 1000)) ] && [ "$exp" -le $((t1 + 3000 + 1000)) ]
ok $? "close: expTime header = server time + RecvWindow ($((exp - t0)) ms after the start)"
is "$(field order_id "$line")" "$(sim_orders | jq -r '.[0].orderId')" "close: OKX's ordId"
line=$(probe positions -- positions BTC-USDT-SWAP)
is "$(field count "$(line_n 1 "$line")")/$(field BTC-USDT-SWAP "$(line_n 2 "$line")")" 1/0 \
  "close: BTC flat (its pos \"0\" row dropped)"

line=$(probe query BTC-USDT-SWAP "$C1" -- query BTC-USDT-SWAP "$C2")
l1=$(line_n 1 "$line")
is "$(field order_status "$l1")/$(field executed_qty "$l1")/$(field side "$l1")" \
  FILLED/2.5/SELL "query: found by clOrdId"
l2=$(line_n 2 "$line")
is "$(field status "$l2")/$(field code "$l2")/$(field reason "$l2")" \
  refused/51603/order_not_found "query: an unknown clOrdId is 51603, not found"

n0=$(orders_count)
line=$(probe close BTC-USDT-SWAP SELL 1 "$C2" -- close ETH-USDT-SWAP BUY 1 dgrc-bad -- close ETH-USDT-SWAP BUY 1 "$C2" LONG)
is "$(grep -c 'status=refused' <<<"$line")" 3 \
  "refused unsent: nothing open on the leg, a bad clOrdId, a leg of net mode"
grep -q 'no open position' <<<"$(line_n 1 "$line")"
ok $? "nothing to close: said so"
is "$(orders_count)" "$n0" "refusals before sending: no order"

# --- failures of an order ---------------------------------------------------------------
sim_faults '[{"path":"/api/v5/trade/order","method":"POST","status":429}]' >/dev/null
t0=$(now_ms)
line=$(probe close ETH-USDT-SWAP BUY 1 "$C2")
ra=$(field retry_after_ms "$line")
is "$(field status "$line")/$(field code "$line")" rate_limit/50011 "50011: rate limited"
[ "$ra" -ge $((t0 + 1500)) ] && [ "$ra" -le $((t0 + 2000 + 3000)) ]
ok $? "50011: retry after one 2 s window ($((ra - t0)) ms)"

sim_faults '[{"path":"/api/v5/trade/order","method":"POST","code":51016}]' >/dev/null
line=$(probe close ETH-USDT-SWAP BUY 1 "$C2")
is "$(field status "$line")/$(field code "$line")/$(field reason "$line")" \
  refused/51016/duplicate_client_id "51016 (sCode in an HTTP 200): duplicate client id"

sim_faults '[{"path":"/api/v5/trade/order","method":"POST","status":503}]' >/dev/null
line=$(probe close ETH-USDT-SWAP BUY 1 "$C2")
is "$(field status "$line")/$(field code "$line")" unknown/50001 "503 50001 on an order: fate unknown"
sim_faults '[{"path":"/api/v5/trade/order","method":"POST","delay_ms":200}]' >/dev/null
line=$(probe close ETH-USDT-SWAP BUY 1 "$C2")
is "$(field status "$line")/$(field code "$line")" unknown/50004 "50004: fate unknown (documented)"

sim_reset
sim_positions '{"ETH-USDT-SWAP":"-3"}' >/dev/null
sim_faults '[{"path":"/api/v5/trade/order","method":"POST","status":401,"code":50102}]' >/dev/null
line=$(probe close ETH-USDT-SWAP BUY 1 "$C2" -- positions)
l1=$(line_n 1 "$line")
is "$(field status "$l1")/$(field code "$l1")/$(field reason "$l1")" \
  refused/50102/clock_skew "50102 on an order: clock skew, not retried"
is "$(field status "$(line_n 2 "$line")")/$(calls /api/v5/public/time)/$(calls /api/v5/trade/order)" \
  ok/2/1 "50102: the next call re-synced the clock first; the order was sent once"
is "$(orders_count)" 0 "no order was placed by any of the failures above"

sim_faults '[{"path":"/api/v5/account/positions","method":"GET","status":401,"code":50102}]' >/dev/null
line=$(probe positions)
is "$(field status "$line")/$(calls /api/v5/public/time)/$(calls /api/v5/account/positions)" \
  ok/4/4 "50102 on a read: clock re-synced, read retried once"
sim_faults '[{"path":"/api/v5/account/positions","method":"GET","status":503}]' >/dev/null
line=$(probe positions)
is "$(field status "$line")" server "503 on a read: server (a read has no fate)"

sim_faults '[{"path":"/api/v5/trade/order","method":"POST","delay_ms":1500,"apply":true}]' >/dev/null
line=$(probe -t 500 close ETH-USDT-SWAP BUY 1 "$C2")
is "$(field status "$line")" unknown "timeout after sending an order: unknown"
is "$(orders_count)" 1 "timeout: the exchange did apply it (sent once)"
line=$(probe query ETH-USDT-SWAP "$C2")
is "$(field order_status "$line")/$(field executed_qty "$line")" FILLED/1 \
  "timeout: the order is resolved by query"

# --- long_short_mode: a close per leg ------------------------------------------------------
sim_reset
account '{"posMode":"long_short_mode"}'
sim_positions '{"BTC-USDT-SWAP":"1.5","ETH-USDT-SWAP":"-2"}' >/dev/null
line=$(probe dual -- positions -- positions BTC-USDT-SWAP)
is "$(field dual "$(line_n 1 "$line")")" 1 "dual: long_short_mode is hedge"
l2=$(line_n 2 "$line")
is "$(field BTC-USDT-SWAP:LONG "$l2")/$(field ETH-USDT-SWAP:SHORT "$l2")" 1.5/-2 \
  "positions: posSide rows as LONG (>= 0) and SHORT (<= 0) legs, in contracts"
l3=$(line_n 3 "$line")
is "$(field count "$l3")/$(field BTC-USDT-SWAP:LONG "$l3")/$(field BTC-USDT-SWAP:SHORT "$l3")" \
  2/1.5/0 "positions of a symbol: both legs, the flat one 0"

line=$(probe close BTC-USDT-SWAP BUY 1 "$C1" LONG -- close BTC-USDT-SWAP SELL 1 "$C1" -- close ETH-USDT-SWAP SELL 1 "$C1" SHORT)
is "$(grep -c 'status=refused' <<<"$line")/$(orders_count)" 3/0 \
  "hedge: a LONG leg closed by BUY, a close without a leg, a SHORT leg closed by SELL: refused unsent"
line=$(probe close BTC-USDT-SWAP SELL 1.5 "$C1" LONG -- close ETH-USDT-SWAP BUY 2 "$C2" SHORT)
is "$(grep -c 'status=ok' <<<"$line")" 2 "hedge: LONG closed by SELL, SHORT by BUY"
is "$(sim_orders | jq -c '[.[].params | del(.expTime)]')" \
  "[{\"instId\":\"BTC-USDT-SWAP\",\"tdMode\":\"cross\",\"side\":\"sell\",\"posSide\":\"long\",\"ordType\":\"market\",\"sz\":\"1.5\",\"clOrdId\":\"$C1\"},{\"instId\":\"ETH-USDT-SWAP\",\"tdMode\":\"cross\",\"side\":\"buy\",\"posSide\":\"short\",\"ordType\":\"market\",\"sz\":\"2\",\"clOrdId\":\"$C2\"}]" \
  "hedge: posSide per leg, no reduceOnly (implied by posSide)"
is "$(curl -sf "$SIM_URL/sim/positions" | jq -c .)" "{}" "hedge: both legs closed"
account '{"posMode":"net_mode"}'

! grep -q -e "$DG_API_SECRET" -e "$DG_API_KEY" -e "$OKX_PASSPHRASE" "$OUT"
ok $? "no API key, secret or passphrase in any result"

sim_stop_clean
dg_done
