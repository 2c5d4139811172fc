# exchange_probe_lib.sh - drive tests/unit/exchange_probe (one exchange.h
# call per command) against the simulator. Source after tests/harness.sh
# and once the simulator runs (SIM_URL, SIM_KEYFILE); PROBE_EXCHANGE names
# the driver (default binance-usdm); PROBE_PACE, when set, is the seconds
# to wait before each run (a venue whose handles each make a rate-limited
# read at start, as OKX's account configuration).

PROBE="$top_builddir/tests/unit/exchange_probe"
[ -x "$PROBE" ] || bail "exchange_probe not built"
OUT="$DG_TMP/probe.out"
: >"$OUT"

# probe [-t MS] [-w MS] [-k KEYFILE] [-u URL] COMMAND...: one exchange_probe
# run (timeout, recv window); prints its output (one line per command) and
# keeps a copy in $OUT.
probe() {
  local url=$SIM_URL key=$SIM_KEYFILE args=()
  while [ $# -gt 0 ]; do
    case $1 in
    -t | -w) args+=("$1" "$2"); shift 2 ;;
    -k) key=$2; shift 2 ;;
    -u) url=$2; shift 2 ;;
    *) break ;;
    esac
  done
  [ -n "${PROBE_PACE:-}" ] && sleep "$PROBE_PACE"
  "$PROBE" -x "${PROBE_EXCHANGE:-binance-usdm}" -u "$url" -k "$key" \
    "${args[@]}" "$@" | tee -a "$OUT"
}
# field NAME LINE: the value of NAME=value in LINE.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" <<<"$2" | head -n1; }
orders_count() { sim_orders | jq length; }
now_ms() { date +%s%3N; }
sim_reset() { curl -sf -X POST "$SIM_URL/sim/reset" >/dev/null; }
# calls PATH: how many requests the simulator served on PATH since reset.
calls() { curl -sf "$SIM_URL/sim/stats" | jq -r --arg p "$1" '.paths[$p] // 0'; }
