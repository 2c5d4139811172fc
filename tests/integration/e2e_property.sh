#!/usr/bin/env bash
# Property test: never more than the drift, whatever the inputs. The real
# plugin (in collectd), executor and simulator run over rounds of random
# cases, one per symbol per round: a random step and minQty per symbol, a
# random exchange position, and a random ledger value (missing, malformed,
# a key of the wrong type, zero, equal, smaller, larger, opposite, tiny,
# huge, finer than the step), plus forged and replayed plans pushed into
# the stream. After each round, for every order: the ledger was there and
# readable, the order closes (never opens, flips or enlarges) the
# position, is at most the drift the plugin saw (rounded down to the step)
# and at least minQty, and at most one order per case.
#
# DG_PROPERTY_MODE=hedge runs the same on a hedge-mode account
# (e2e_property_hedge.sh): every symbol has a LONG and a SHORT leg, each
# drawn like a one-way case (the ledger's long_amt and short_amt likewise,
# a wrong-signed ledger leg being unreadable), and every order must close
# its own leg (SELL LONG, BUY SHORT, positionSide, no reduceOnly), no more
# than that leg's drift: no leg ever opened, enlarged, or crossed into the
# other.
#
# Reproduce a run with its printed seed:
#   DG_PROPERTY_SEED=N make check TESTS=tests/integration/e2e_property.sh
# DG_PROPERTY_SYMBOLS (default 100) x DG_PROPERTY_ROUNDS (default 10) cases.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"

SEED=${DG_PROPERTY_SEED:-$(((RANDOM << 15 | RANDOM) % 1000000))}
MODE=${DG_PROPERTY_MODE:-one-way}
# Hedge mode: two legs, two cases per symbol.
LEGS=1
[ "$MODE" = hedge ] && LEGS=2
NSYM=${DG_PROPERTY_SYMBOLS:-$((100 / LEGS))}
ROUNDS=${DG_PROPERTY_ROUNDS:-10}
dg_time_limit $((60 + ROUNDS * 15))
diag "seed=$SEED mode=$MODE symbols=$NSYM rounds=$ROUNDS; reproduce: DG_PROPERTY_SEED=$SEED DG_PROPERTY_MODE=$MODE make check TESTS=tests/integration/e2e_property.sh"
RANDOM=$SEED

UNIT=100000000 # amounts are whole units of 1e-8 here: exact integer math
rnd() { echo $(((RANDOM << 15 | RANDOM) % $1)); }
abs() { echo $(($1 < 0 ? -$1 : $1)); }
sign() { echo $(($1 > 0 ? 1 : ($1 < 0 ? -1 : 0))); }
# fmt UNITS: canonical decimal text.
fmt() {
  local u=$1 s="" f
  [ "$u" -lt 0 ] && s="-" && u=$((-u))
  f=$(printf '%08d' $((u % UNIT)) | sed 's/0*$//')
  echo "$s$((u / UNIT))${f:+.$f}"
}
# units TEXT: the exact amount of a decimal the exchange printed.
units() {
  local t=$1 s=1 i f
  case "$t" in -*) s=-1 t=${t#-} ;; esac
  i=${t%%.*}
  f=""
  [ "$i" != "$t" ] && f=${t#*.}
  f=$(printf '%-8s' "$f" | tr ' ' 0)
  echo $((s * (10#$i * UNIT + 10#${f:0:8})))
}

STEPS=(100000000 10000000 1000000 100000 10000 1000 1)
declare -a SYM STEP MINQ
sim_args=""
tail=$(sym "") # the venue's symbol after the coin: USDT, -USDT-SWAP
for i in $(seq 0 $((NSYM - 1))); do
  SYM[$i]=$(printf 'P%03d%s' "$i" "$tail")
  STEP[$i]=${STEPS[$(rnd ${#STEPS[@]})]}
  MINQ[$i]=$((STEP[i] * (1 + $(rnd 3) * 2))) # 1, 3 or 5 steps
  sim_args="$sim_args -s ${SYM[$i]}=$(fmt "${STEP[$i]}"):$(fmt "${MINQ[$i]}"):100000000"
done

e2e_setup
# The request weight limit is raised out of reach: bans are e2e_rate_limit's
# business, and here one (the executor reads the position mode, weight 30,
# before every order) would only hold a round's plans back until after the
# round was checked, where they would be taken for the next round's.
# shellcheck disable=SC2086
e2e_restart_sim $sim_args -w 1000000
if [ "$MODE" = hedge ]; then
  sim_set_hedge on "${SYM[@]}"
  ok $? "the account is in hedge mode"
fi
ex_start
ok $? "executor starts"
e2e_start_collectd a "$(printf '    Symbol "%s"\n' "${SYM[@]}")
    Interval 0.5
    ConfirmPolls 2
    Cooldown 600"

MALFORMED=('abc' 'NaN' '1e400' '1e3' '0.123456789' '' '--1' 'inf' '0x10' '1,5' '99999999999999999999')
declare -a EX LED_STATE LED
# new_case I: draw symbol I's exchange position and ledger for this round.
new_case() {
  local i=$1 st=${STEP[$1]} k kind
  k=$(($(rnd 81) - 40))
  [ "$(rnd 5)" -eq 0 ] && k=0
  EX[$i]=$((k * st))
  LED_STATE[$i]=ok LED[$i]=""
  kind=$(rnd 11)
  case $kind in
  0) LED_STATE[$i]=missing ;;
  1) LED_STATE[$i]=malformed LED[$i]=${MALFORMED[$(rnd ${#MALFORMED[@]})]} ;;
  2) LED_STATE[$i]=wrongtype ;;
  3) LED[$i]=0 ;;
  4) LED[$i]=${EX[$i]} ;;
  5) LED[$i]=$(($(sign "${EX[$i]}") * $(rnd $(($(abs "${EX[$i]}") + 1))))) ;; # smaller, any precision
  6) LED[$i]=$((EX[i] + $(sign "${EX[$i]}") * (1 + $(rnd $((st * 10)))))) ;;  # larger
  7) LED[$i]=$((-EX[i] + ($(rnd 2) * 2 - 1) * $(rnd st))) ;;                   # opposite
  8) LED[$i]=$(($(rnd 2) * 2 - 1)) ;;                                          # tiny: 1e-8
  9) LED[$i]=$((($(rnd 2) * 2 - 1) * 9000000000000000000)) ;;                  # huge
  10) LED[$i]=$(($(rnd 2000000000) - 1000000000)) ;;
  esac
}

# Hedge mode: symbol I's legs, each a one-way case turned to its side (the
# case's ledger turned with it: an opposite ledger becomes a ledger leg of
# the wrong sign). A key of the wrong type holds no leg at all.
declare -a EXL EXS LSTATE_L LSTATE_S LEDL LEDS
new_legs() {
  local i=$1 f
  new_case "$i"
  f=$(($(sign "${EX[$i]}") < 0 ? -1 : 1))
  EXL[$i]=$((f * EX[i])) LSTATE_L[$i]=${LED_STATE[$i]} LEDL[$i]=${LED[$i]}
  [ "${LED_STATE[$i]}" = ok ] && LEDL[$i]=$((f * LED[i]))
  new_case "$i"
  f=$(($(sign "${EX[$i]}") > 0 ? -1 : 1))
  EXS[$i]=$((f * EX[i])) LSTATE_S[$i]=${LED_STATE[$i]} LEDS[$i]=${LED[$i]}
  [ "${LED_STATE[$i]}" = ok ] && LEDS[$i]=$((f * LED[i]))
  if [ "${LSTATE_L[$i]}" = wrongtype ] || [ "${LSTATE_S[$i]}" = wrongtype ]; then
    LSTATE_L[$i]=wrongtype LSTATE_S[$i]=wrongtype
  fi
}

# The oracle: the largest close this case allows (0: no order at all).
max_close() {
  local i=$1
  max_close_of "${EX[$i]}" "${LED[$i]:-0}" "${LED_STATE[$i]}" "${STEP[$i]}" "${MINQ[$i]}"
}
# max_close_leg I LONG|SHORT: the same for a leg; a ledger leg of the
# wrong sign is unreadable.
max_close_leg() {
  local i=$1 ex led state want
  if [ "$2" = LONG ]; then
    ex=${EXL[$i]} led=${LEDL[$i]:-0} state=${LSTATE_L[$i]} want=1
  else
    ex=${EXS[$i]} led=${LEDS[$i]:-0} state=${LSTATE_S[$i]} want=-1
  fi
  [ "$state" = ok ] && [ "$(sign "$led")" -eq $((-want)) ] && state=unreadable
  max_close_of "$ex" "$led" "$state" "${STEP[$i]}" "${MINQ[$i]}"
}
# max_close_of EX LEDGER STATE STEP MINQ
max_close_of() {
  local ex=$1 led=$2 st=$4 diff target q
  [ "$3" = ok ] || { echo 0; return; }
  [ "$ex" -eq 0 ] && { echo 0; return; }
  diff=$(abs $((ex - led)))
  [ "$diff" -lt "$st" ] && { echo 0; return; }
  target=0
  if [ "$(sign "$led")" -eq "$(sign "$ex")" ]; then
    [ "$(abs "$led")" -gt "$(abs "$ex")" ] && { echo 0; return; }
    target=$led
  fi
  q=$(($(abs "$ex") - $(abs "$target")))
  q=$((q / st * st))
  [ "$q" -lt "$5" ] && q=0
  echo "$q"
}

# group_idle: every plan in the stream delivered and acknowledged.
group_idle() {
  [ "$(rcli XLEN "$EX_PLAN_STREAM")" = 0 ] && return 0
  rcli -2 --json XINFO GROUPS "$EX_PLAN_STREAM" |
    jq -e '.[0] | [range(0; length; 2) as $i | {key: .[$i], value: .[$i + 1]}] |
      from_entries | (.pending == 0) and (.lag == 0)' >/dev/null 2>&1
}

failed_cases=0 orders_checked=0 no_order_cases=0 replays=0 forgeries=0
check_round() {
  local r=$1 before=$2 line sym side qty ro type i q maxq pos p
  local -A seen=()
  while IFS=' ' read -r sym side qty ro type; do
    [ -n "$sym" ] || continue
    i=$((10#${sym:1:3}))
    q=$(units "$qty")
    maxq=$(max_close "$i")
    orders_checked=$((orders_checked + 1))
    local why=""
    [ "${LED_STATE[$i]}" = ok ] || why="an order although the ledger is ${LED_STATE[$i]}"
    [ -z "$why" ] && [ "$maxq" -eq 0 ] && why="an order where no close is allowed"
    [ -z "$why" ] && [ "$q" -gt "$maxq" ] && why="qty $qty exceeds the drift's close $(fmt "$maxq")"
    [ -z "$why" ] && [ "$q" -le 0 ] && why="qty $qty not positive"
    [ -z "$why" ] && [ $((q % STEP[i])) -ne 0 ] && why="qty $qty not a multiple of the step"
    local closes=BUY
    [ "${EX[$i]}" -gt 0 ] && closes=SELL
    [ -z "$why" ] && [ "$side" != "$closes" ] && why="side $side does not close $(fmt "${EX[$i]}")"
    [ -z "$why" ] && [ "$ro$type" != "trueMARKET" ] && why="not a reduce-only MARKET order"
    [ -z "$why" ] && [ -n "${seen[$i]:-}" ] && why="a second order for one case"
    seen[$i]=1
    if [ -n "$why" ]; then
      failed_cases=$((failed_cases + 1))
      diag "round $r $sym: $why (exchange $(fmt "${EX[$i]}") ledger ${LED_STATE[$i]} ${LED[$i]:-} step $(fmt "${STEP[$i]}") minQty $(fmt "${MINQ[$i]}"))"
    fi
  done < <(sim_orders | jq -r --argjson n "$before" '.[$n:][] | [.symbol, .side, .quantity, (.reduceOnly | tostring), .type] | join(" ")')
  # Every position still on its side and no larger; untouched without an order.
  pos=$(curl -sf "$SIM_URL/sim/positions")
  for i in "${!SYM[@]}"; do
    p=$(units "$(jq -r --arg s "${SYM[$i]}" '.[$s] // "0"' <<<"$pos")")
    if [ -z "${seen[$i]:-}" ]; then
      no_order_cases=$((no_order_cases + 1))
      [ "$p" -eq "${EX[$i]}" ] && continue
    elif [ "$(sign "$p")" -ne "$(sign "${EX[$i]}")" ] && [ "$p" -ne 0 ] ||
      [ "$(abs "$p")" -gt "$(abs "${EX[$i]}")" ]; then
      :
    else
      continue
    fi
    failed_cases=$((failed_cases + 1))
    diag "round $r ${SYM[$i]}: position went from $(fmt "${EX[$i]}") to $(fmt "$p")"
  done
}

# led_text STATE VALUE: a ledger leg for a message.
led_text() { if [ "$1" = ok ]; then fmt "$2"; else echo "$1 $2"; fi; }

# check_round_legs ROUND ORDERS_BEFORE: check_round for hedge mode, per leg.
check_round_legs() {
  local r=$1 before=$2 sym side qty ro type ps i q maxq legs p leg ex why
  local -A seen=()
  while IFS=' ' read -r sym side qty ro type ps; do
    [ -n "$sym" ] || continue
    i=$((10#${sym:1:3}))
    q=$(units "$qty")
    orders_checked=$((orders_checked + 1))
    why=""
    case $ps in
    LONG) [ "$side" = SELL ] || why="side $side does not close the LONG leg" ;;
    SHORT) [ "$side" = BUY ] || why="side $side does not close the SHORT leg" ;;
    *) why="positionSide $ps is not a leg" ;;
    esac
    [ -z "$why" ] && maxq=$(max_close_leg "$i" "$ps") &&
      [ "$maxq" -eq 0 ] && why="an order where no close of the $ps leg is allowed"
    [ -z "$why" ] && [ "$q" -gt "$maxq" ] && why="qty $qty exceeds the $ps leg's close $(fmt "$maxq")"
    [ -z "$why" ] && [ $((q % STEP[i])) -ne 0 ] && why="qty $qty not a multiple of the step"
    [ -z "$why" ] && [ "$ro$type" != "noneMARKET" ] && why="not a MARKET order without reduceOnly"
    [ -z "$why" ] && [ -n "${seen[$i$ps]:-}" ] && why="a second order for one leg"
    seen[$i$ps]=1
    if [ -n "$why" ]; then
      failed_cases=$((failed_cases + 1))
      diag "round $r $sym: $why (LONG $(fmt "${EXL[$i]}") ledger $(led_text "${LSTATE_L[$i]}" "${LEDL[$i]}"), SHORT $(fmt "${EXS[$i]}") ledger $(led_text "${LSTATE_S[$i]}" "${LEDS[$i]}"), step $(fmt "${STEP[$i]}") minQty $(fmt "${MINQ[$i]}"))"
    fi
  done < <(sim_orders | jq -r --argjson n "$before" '.[$n:][] | [.symbol, .side, .quantity, (.params.reduceOnly // "none"), .type, (.params.positionSide // "none")] | join(" ")')
  # Every leg still on its side and no larger; untouched without an order.
  legs=$(curl -sf "$SIM_URL/sim/legs")
  for i in "${!SYM[@]}"; do
    for leg in LONG SHORT; do
      p=$(units "$(jq -r --arg s "${SYM[$i]}" --arg l "$leg" '.[$s][$l] // "0"' <<<"$legs")")
      ex=${EXL[$i]}
      [ "$leg" = SHORT ] && ex=${EXS[$i]}
      if [ -z "${seen[$i$leg]:-}" ]; then
        no_order_cases=$((no_order_cases + 1))
        [ "$p" -eq "$ex" ] && continue
      elif [ "$(sign "$p")" -ne "$(sign "$ex")" ] && [ "$p" -ne 0 ] ||
        [ "$(abs "$p")" -gt "$(abs "$ex")" ]; then
        :
      else
        continue
      fi
      failed_cases=$((failed_cases + 1))
      diag "round $r ${SYM[$i]}: the $leg leg went from $(fmt "$ex") to $(fmt "$p")"
    done
  done
}

# ledger_cmds I: the Redis commands writing symbol I's ledger for this
# round (one-way: position_amt; hedge: long_amt and short_amt).
ledger_cmds() {
  local i=$1 key="quantum:ledger:${SYM[$1]}" field state value
  printf 'DEL %s\n' "$key"
  if [ "$MODE" != hedge ]; then
    set -- position_amt "${LED_STATE[$i]}" "${LED[$i]}"
  else
    set -- long_amt "${LSTATE_L[$i]}" "${LEDL[$i]}" short_amt "${LSTATE_S[$i]}" "${LEDS[$i]}"
  fi
  while [ $# -gt 0 ]; do
    field=$1 state=$2 value=$3
    shift 3
    case $state in
    wrongtype) printf 'RPUSH %s 1\n' "$key" && return ;;
    malformed) printf 'HSET %s %s "%s"\n' "$key" "$field" "$value" ;;
    ok) printf 'HSET %s %s %s\n' "$key" "$field" "$(fmt "$value")" ;;
    esac
  done
}

# inject_hostile: forged plans (a wrong mac, no mac, a plan for more than
# the drift) and replays of earlier plans, verbatim.
inject_hostile() {
  local n i plan amt over
  for n in $(seq 5); do
    i=$(rnd "$NSYM")
    amt=${EX[$i]} over='{}'
    [ "$MODE" = hedge ] && amt=${EXL[$i]} over='{"position_side":"LONG"}'
    [ "$amt" -eq 0 ] && continue
    plan=$(EX_PLAN_ID="reconclose:${SYM[$i]}:forged$n:$RANDOM" ex_plan_json "${SYM[$i]}" "$(fmt "$amt")" "$over")
    case $(rnd 2) in
    0) ex_publish "$plan" "$(printf '%s' "$plan" | openssl dgst -sha256 -hmac wrong-key | sed 's/^.*= //')" >/dev/null ;;
    1) ex_publish "$plan" "" >/dev/null ;;
    esac
    forgeries=$((forgeries + 1))
  done
  # Replays: earlier entries of the stream, plan and mac as they were.
  while IFS=$'\t' read -r plan mac; do
    [ -n "$plan" ] || continue
    ex_publish "$plan" "$mac" >/dev/null
    replays=$((replays + 1))
  done < <(rcli -2 --json XRANGE "$EX_PLAN_STREAM" - + COUNT 200 |
    jq -r '[.[] | .[1] | [range(0; length; 2) as $i | {key: .[$i], value: .[$i + 1]}] | from_entries |
      select(.mac != null and (.plan | fromjson | .plan_id | startswith("reconclose:P")) and (.plan | contains("forged") | not))] |
      .[0:3][] | [.plan, .mac] | @tsv')
}

for r in $(seq 1 "$ROUNDS"); do
  dg_wait_for 20 group_idle || diag "round $r: the executor was not idle"
  before=$(sim_order_count)
  pos_json="" cmds=""
  for i in "${!SYM[@]}"; do
    if [ "$MODE" = hedge ]; then
      new_legs "$i"
      pos_json="$pos_json${pos_json:+,}\"${SYM[$i]}\":{\"LONG\":\"$(fmt "${EXL[$i]}")\",\"SHORT\":\"$(fmt "${EXS[$i]}")\"}"
    else
      new_case "$i"
      pos_json="$pos_json${pos_json:+,}\"${SYM[$i]}\":\"$(fmt "${EX[$i]}")\""
    fi
    cmds="$cmds$(ledger_cmds "$i")"$'\n'
  done
  printf '%s' "$cmds" | rcli >/dev/null
  sim_positions "{$pos_json}" >/dev/null
  [ "$r" -gt 1 ] && inject_hostile
  sleep 2.5
  dg_wait_for 20 group_idle || diag "round $r: the executor did not finish"
  sleep 1.5
  dg_wait_for 20 group_idle
  if [ "$MODE" = hedge ]; then
    check_round_legs "$r" "$before"
  else
    check_round "$r" "$before"
  fi
done

cases=$((NSYM * ROUNDS * LEGS))
diag "cases=$cases orders=$orders_checked cases_without_order=$no_order_cases forged=$forgeries replayed=$replays"
[ "$cases" -ge 1000 ] || [ -n "${DG_PROPERTY_ROUNDS:-}${DG_PROPERTY_SYMBOLS:-}" ]
ok $? "at least 1,000 cases ($cases)"
is "$failed_cases" 0 "no order opened, flipped or enlarged a position (hedge: a leg, or crossed into the other), exceeded the drift, or came from an unknown ledger"
[ "$orders_checked" -gt 0 ]
ok $? "the loop did heal: $orders_checked orders checked"
grep -q 'REJECTED_GUARDRAIL' <<<"$(ex_results_json | jq -r '.[].status')" &&
  grep -q 'DROPPED_DUPLICATE' <<<"$(ex_results_json | jq -r '.[].status')"
ok $? "forged plans were rejected and replays dropped as duplicates"
dg_done
