#!/usr/bin/env bash
# venue_free_core.sh - the core holds no venue: no exchange error code,
# header name, reply envelope field or endpoint appears in executor/,
# plugins/, ctl/ or lib/ outside the drivers' own files (lib/binance_*,
# lib/bybit_*, lib/okx_*), comments included. A venue difference belongs in
# its driver, which hands the core a typed outcome (exchange.h); adding a
# venue must not mean editing the core. Fails the build (make check).
. "$top_srcdir/tests/harness.sh"
dg_time_limit 30

# name|grep -E pattern|grep flags. Codes: Binance's are negative 4-digit
# numbers; Bybit's and OKX's below are the ones a core would be tempted to
# test (clock skew, rate limit, duplicate id, not found).
patterns=(
  "Binance error codes (-2013, -1021, ...)|(^|[^0-9A-Za-z_.])-[1-9][0-9]{3}([^0-9]|\$)|"
  "Bybit and OKX error codes|(^|[^0-9A-Za-z_.])(10002|10006|110017|110072|110094|50011|50102|51016|51205|51603)([^0-9]|\$)|"
  "venue header names (X-MBX-, X-BAPI-, OK-ACCESS-)|X-MBX-|X-BAPI-|OK-ACCESS-|-i"
  "venue reply envelope fields (retCode, sCode)|(^|[^A-Za-z])(retCode|sCode)([^A-Za-z]|\$)|"
  "venue endpoints (/fapi/, /dapi/, /api/v5/, /v5/)|/(fapi|dapi|api/v5|v5)/|"
)

# The core's source files: everything under the four directories but the
# drivers' files.
core_files() { # core_files ROOT
  (cd "$1" && find executor plugins ctl lib -type f \
    \( -name '*.c' -o -name '*.h' -o -name '*.mk' -o -name '*.am' \) \
    ! -path 'lib/binance_*' ! -path 'lib/bybit_*' ! -path 'lib/okx_*' | sort)
}

# Lines of ROOT's core that match pattern number I, as file:line:text.
scan() { # scan ROOT I
  local spec=${patterns[$2]} re flags
  re=${spec#*|}
  flags=${re##*|}
  re=${re%|*}
  # shellcheck disable=SC2086 # flags is empty or one option
  (cd "$1" && core_files . | xargs -r grep -nE $flags -e "$re" --) || true
}

# The scanner itself: a core with each kind of venue text planted is caught,
# and a driver file with the same text is not.
fake="$DG_TMP/src"
mkdir -p "$fake/executor" "$fake/plugins" "$fake/ctl" "$fake/lib"
printf '%s\n' '/* -2013: no such order */' 'if (code == 110072)' \
  'h = "X-Bapi-Limit-Status";' 'json["sCode"]' 'GET /api/v5/trade/order' \
  >"$fake/executor/planted.c"
cp "$fake/executor/planted.c" "$fake/lib/binance_usdm.c"
cp "$fake/executor/planted.c" "$fake/lib/okx_swap.c"
printf '%s\n' 'ts - 1000ms' 'x = 5000;' 'int dg_ex_reason_t;' >"$fake/ctl/clean.c"
for i in "${!patterns[@]}"; do
  name=${patterns[$i]%%|*}
  hits=$(scan "$fake" "$i")
  is "$(cut -d: -f1 <<<"$hits" | sort -u)" executor/planted.c \
    "the scan finds $name planted in the core, not in a driver or clean code"
done

n=$(core_files "$top_srcdir" | wc -l)
[ "$n" -gt 50 ]
ok $? "the core's source files are found ($n)"
for i in "${!patterns[@]}"; do
  name=${patterns[$i]%%|*}
  hits=$(scan "$top_srcdir" "$i")
  [ -z "$hits" ]
  ok $? "no $name in executor/, plugins/, ctl/ or lib/ outside the drivers" ||
    diag "move these into the driver (lib/<venue>_*) and give the core a typed outcome:
$hits"
done
dg_done
