# sim_venue_lib.sh - REST clients for the simulator's Bybit v5 and OKX v5
# venues, written from the venues' public docs only (bash, curl, openssl),
# and sim_start_venue to run the simulator as one of them. Source after
# tests/harness.sh and tests/integration/sim_lib.sh (its raw Binance client,
# reply_header, jbody, now_ms).
#
# Every call sets HTTP_STATUS and HTTP_BODY and keeps the reply headers.

OKX_PASSPHRASE=$DG_API_PASSPHRASE

# sim_start_venue VENUE [ARGS...]: the simulator as VENUE (binance-usdm,
# bybit-linear, okx-swap) with its own defaults (harness.sh's dg_use_venue
# and dg_run_sim); sets SIM_PORT, SIM_PID, SIM_URL, SIM_KEYFILE.
sim_start_venue() {
  dg_use_venue "$1"
  shift
  dg_run_sim "$@"
}

# http METHOD URL_PATH BODY HEADER...: one request; the reply in
# HTTP_STATUS, HTTP_BODY and $SIM_HEADERS.
http() {
  local method=$1 path=$2 body=$3 args
  shift 3
  args=(-s -o "$DG_TMP/reply.body" -D "$SIM_HEADERS" -w '%{http_code}' -X "$method")
  for h in "$@"; do args+=(-H "$h"); done
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-raw "$body")
  HTTP_STATUS=$(curl "${args[@]}" "$SIM_URL$path")
  HTTP_BODY=$(cat "$DG_TMP/reply.body")
}

# ---- Bybit v5 ---------------------------------------------------------------
# bybit_sign SECRET TS KEY RECV_WINDOW PAYLOAD: lower-case hex HMAC-SHA256 of
# timestamp + api key + recv_window + (query string | JSON body).
bybit_sign() { printf '%s' "$2$3$4$5" | openssl dgst -sha256 -hmac "$1" | sed 's/^.*= //'; }

# bybit GET|POST PATH QUERY_OR_BODY: a signed call (BYBIT_TS, BYBIT_RW and
# BYBIT_SECRET override the timestamp, recv window and secret).
bybit() {
  local method=$1 path=$2 payload=$3 ts=${BYBIT_TS:-$(now_ms)} rw=${BYBIT_RW:-5000}
  local sign
  sign=$(bybit_sign "${BYBIT_SECRET:-$DG_API_SECRET}" "$ts" "$SIM_CLIENT_KEY" "$rw" "$payload")
  local hdr=("X-BAPI-API-KEY: $SIM_CLIENT_KEY" "X-BAPI-TIMESTAMP: $ts"
    "X-BAPI-RECV-WINDOW: $rw" "X-BAPI-SIGN: $sign")
  if [ "$method" = GET ]; then
    http GET "$path${payload:+?$payload}" "" "${hdr[@]}"
  else
    http POST "$path" "$payload" "${hdr[@]}"
  fi
}

# ---- OKX v5 -----------------------------------------------------------------
okx_now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
# okx_sign SECRET TS METHOD REQUEST_PATH BODY: base64 HMAC-SHA256.
okx_sign() { printf '%s' "$2$3$4$5" | openssl dgst -sha256 -hmac "$1" -binary | base64; }

# okx GET|POST REQUEST_PATH [BODY] [EXTRA_HEADER...]: a signed call
# (OKX_TS, OKX_SECRET, OKX_PASS override the timestamp, secret, passphrase).
okx() {
  local method=$1 path=$2 body=${3:-} ts=${OKX_TS:-$(okx_now)}
  shift 2
  [ $# -gt 0 ] && shift
  http "$method" "$path" "$body" "OK-ACCESS-KEY: $SIM_CLIENT_KEY" \
    "OK-ACCESS-SIGN: $(okx_sign "${OKX_SECRET:-$DG_API_SECRET}" "$ts" "$method" "$path" "$body")" \
    "OK-ACCESS-TIMESTAMP: $ts" "OK-ACCESS-PASSPHRASE: ${OKX_PASS-$OKX_PASSPHRASE}" "$@"
}

# sim_stop_clean: stop the simulator; ok when every simulator this test ran
# logged no sanitizer error or leak (a build with --enable-sanitizers).
sim_stop_clean() {
  dg_stop_pid "$SIM_PID"
  ! grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$DG_TMP/sim.log"
  ok $? "no sanitizer error or leak report from the simulators"
}
