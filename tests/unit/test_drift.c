/* Unit tests for the drift math of SPEC section 2: a table of named cases,
 * an exhaustive sweep checking the invariants every close must keep, the
 * drift signature against an independently computed SHA-256 vector, and the
 * cooldown bucket. */
#include "../dec_literal.h"
#include "../tap.h"
#include "driftguard/drift.h"

#include <stdlib.h>
#include <string.h>

static const char *kind_name(dg_drift_kind_t k) {
  switch (k) {
  case DG_DRIFT_NONE:
    return "NONE";
  case DG_DRIFT_CLOSE:
    return "CLOSE";
  case DG_DRIFT_UNFIXABLE:
    return "UNFIXABLE";
  }
  return "?";
}

static void is_dec(dg_dec_t got, const char *want, const char *name,
                   const char *what) {
  char buf[DG_DEC_STRLEN];
  dg_dec_format(got, buf, sizeof(buf));
  if (!ok(dg_dec_cmp(got, dec(want)) == 0, "%s: %s %s", name, what, want))
    printf("#   got %s\n", buf);
}

struct drift_case {
  const char *name;
  const char *exchange, *ledger, *step;
  dg_drift_kind_t kind;
  const char *qty, *side, *target, *residual;
};

static const struct drift_case cases[] = {
    {"long drift", "0.5", "0", "0.001", DG_DRIFT_CLOSE, "0.5", "SELL", "0",
     "0"},
    {"short drift", "-0.5", "0", "0.001", DG_DRIFT_CLOSE, "0.5", "BUY", "0",
     "0"},
    {"partial long", "0.5", "0.3", "0.001", DG_DRIFT_CLOSE, "0.2", "SELL",
     "0.3", "0"},
    {"partial short", "-0.5", "-0.3", "0.001", DG_DRIFT_CLOSE, "0.2", "BUY",
     "-0.3", "0"},
    {"full close (SPEC example)", "0.007", "0", "0.001", DG_DRIFT_CLOSE,
     "0.007", "SELL", "0", "0"},
    {"short buy-back", "-0.007", "0", "0.001", DG_DRIFT_CLOSE, "0.007", "BUY",
     "0", "0"},
    {"flip: long exchange, short ledger", "0.5", "-0.3", "0.001",
     DG_DRIFT_CLOSE, "0.5", "SELL", "0", "-0.3"},
    {"flip: short exchange, long ledger", "-0.5", "0.3", "0.001",
     DG_DRIFT_CLOSE, "0.5", "BUY", "0", "0.3"},
    {"ledger larger long", "0.3", "0.5", "0.001", DG_DRIFT_UNFIXABLE, "0", "",
     "0.3", "0.2"},
    {"ledger larger short", "-0.3", "-0.5", "0.001", DG_DRIFT_UNFIXABLE, "0",
     "", "-0.3", "-0.2"},
    {"exchange flat, ledger long", "0", "0.5", "0.001", DG_DRIFT_UNFIXABLE, "0",
     "", "0", "0.5"},
    {"exchange flat, ledger short", "0", "-0.5", "0.001", DG_DRIFT_UNFIXABLE,
     "0", "", "0", "-0.5"},
    {"ledger flat, exchange short", "-0.25", "0", "0.001", DG_DRIFT_CLOSE,
     "0.25", "BUY", "0", "0"},
    {"zero / zero", "0", "0", "0.001", DG_DRIFT_NONE, "0", "", "0", "0"},
    {"equal positions", "0.5", "0.5", "0.001", DG_DRIFT_NONE, "0", "", "0.5",
     "0"},
    {"step rounding", "0.0079", "0", "0.001", DG_DRIFT_CLOSE, "0.007", "SELL",
     "0", "0"},
    {"step rounding, partial short", "-0.5079", "-0.3", "0.001", DG_DRIFT_CLOSE,
     "0.207", "BUY", "-0.3", "0"},
    {"below step: nothing", "0.0009", "0", "0.001", DG_DRIFT_NONE, "0", "",
     "0.0009", "0"},
    {"below step, ledger larger: nothing", "0.3", "0.3009", "0.001",
     DG_DRIFT_NONE, "0", "", "0.3", "0"},
    {"exactly one step is drift", "0.001", "0", "0.001", DG_DRIFT_CLOSE,
     "0.001", "SELL", "0", "0"},
    {"integer step", "3.7", "0", "1", DG_DRIFT_CLOSE, "3", "SELL", "0", "0"},
    {"dust flip: qty rounds to 0", "0.0005", "-0.3", "0.001",
     DG_DRIFT_UNFIXABLE, "0", "", "0.0005", "-0.3005"},
    {"largest representable long", "92233720368.54775807", "0", "0.001",
     DG_DRIFT_CLOSE, "92233720368.547", "SELL", "0", "0"},
};

static void check_case(const struct drift_case *c) {
  char label[128];
  dg_drift_t d;
  int rc = dg_drift_compute(dec(c->exchange), dec(c->ledger), dec(c->step), &d);
  if (!ok(rc == 0, "%s: computed", c->name))
    return;
  if (!ok(d.kind == c->kind, "%s: kind %s", c->name, kind_name(c->kind)))
    printf("#   got %s\n", kind_name(d.kind));
  is_dec(d.qty, c->qty, c->name, "qty");
  snprintf(label, sizeof(label), "%s: side '%s'", c->name, c->side);
  is_str(d.side, c->side, label);
  is_dec(d.target, c->target, c->name, "target");
  is_dec(d.residual, c->residual, c->name, "residual");
}

static void check_refused(dg_dec_t ex, dg_dec_t led, dg_dec_t step,
                          const char *name) {
  dg_drift_t d = {.kind = DG_DRIFT_CLOSE, .qty = {42}};
  ok(dg_drift_compute(ex, led, step, &d) == -1, "%s: refused", name);
  ok(d.kind == DG_DRIFT_CLOSE && d.qty.units == 42, "%s: out untouched", name);
}

/* Every (exchange, ledger) pair on a grid that is finer than the step and
 * crosses zero: the result must keep SPEC section 2's promises. */
static void sweep_invariants(void) {
  const dg_dec_t step = dec("0.001");
  const int64_t grain = 25000; /* 0.00025 */
  int checked = 0, broken = 0;

  for (int64_t e = -60; e <= 60; e++) {
    for (int64_t l = -60; l <= 60; l++) {
      dg_dec_t ex = {e * grain}, led = {l * grain};
      int64_t diff = led.units - ex.units;
      int64_t abs_diff = diff < 0 ? -diff : diff;
      dg_drift_t d;
      int good = dg_drift_compute(ex, led, step, &d) == 0;
      if (good && abs_diff < step.units)
        good = d.kind == DG_DRIFT_NONE;
      else if (good && d.kind == DG_DRIFT_CLOSE) {
        int64_t signed_qty = ex.units > 0 ? d.qty.units : -d.qty.units;
        int64_t after = ex.units - signed_qty;
        int64_t gap = after - d.target.units;
        good = d.qty.units > 0 && d.qty.units % step.units == 0 &&
               strcmp(d.side, ex.units > 0 ? "SELL" : "BUY") == 0 &&
               /* never opens or flips: stays on the same side or flat */
               (after == 0 || (after > 0) == (ex.units > 0)) &&
               /* toward the ledger, stopping within a step of the target */
               (gap < 0 ? -gap : gap) < step.units &&
               (after > 0 ? after : -after) >=
                   (d.target.units > 0 ? d.target.units : -d.target.units) &&
               d.residual.units == led.units - d.target.units;
      } else if (good && d.kind == DG_DRIFT_UNFIXABLE) {
        /* No reduce-only order of at least one step exists toward the
         * ledger: the exchange is flat, the ledger holds more on the same
         * side, or the position is below one step. */
        int64_t abs_ex = ex.units < 0 ? -ex.units : ex.units;
        int same_side = (ex.units > 0) == (led.units > 0);
        good = d.qty.units == 0 && d.target.units == ex.units &&
               d.residual.units == diff &&
               (ex.units == 0 || abs_ex < step.units ||
                (same_side && led.units != 0 &&
                 (led.units < 0 ? -led.units : led.units) > abs_ex));
      } else {
        good = 0;
      }
      checked++;
      if (!good && broken++ < 5)
        printf("#   broken at exchange %lld ledger %lld units\n",
               (long long)ex.units, (long long)led.units);
    }
  }
  ok(broken == 0, "invariants hold on all %d grid pairs", checked);
}

static void check_signature(void) {
  char sig[DG_SIGNATURE_LEN + 1], again[DG_SIGNATURE_LEN + 1];
  char long_symbol[300];

  /* printf 'BTCUSDT|0.007|0' | sha256sum */
  ok(dg_drift_signature("BTCUSDT", dec("0.007"), dec("0"), sig) == 0,
     "signature computed");
  is_str(sig, "05aef2c8e386", "signature = sha256('BTCUSDT|0.007|0')[:12]");
  ok(dg_drift_signature("BTCUSDT", dec("0.00700"), dec("-0.000"), again) == 0 &&
         strcmp(sig, again) == 0,
     "signature uses canonical decimal text");
  /* printf 'ETHUSDT|-1.5|0.25' | sha256sum */
  ok(dg_drift_signature("ETHUSDT", dec("-1.5"), dec("0.25"), sig) == 0,
     "signature of a short computed");
  is_str(sig, "000d493d1c5b", "signature = sha256('ETHUSDT|-1.5|0.25')[:12]");
  ok(dg_drift_signature("BTCUSDT", dec("0.008"), dec("0"), again) == 0 &&
         strcmp(again, "05aef2c8e386") != 0,
     "another drift has another signature");
  ok(dg_drift_signature(NULL, dec("1"), dec("0"), sig) == -1,
     "signature refuses a NULL symbol");
  memset(long_symbol, 'A', sizeof(long_symbol) - 1);
  long_symbol[sizeof(long_symbol) - 1] = '\0';
  ok(dg_drift_signature(long_symbol, dec("1"), dec("0"), sig) == -1,
     "signature refuses an absurdly long symbol");
}

static void check_bucket(void) {
  ok(dg_drift_bucket(1769379791, 120) == 14744831, "bucket of SPEC's ts");
  ok(dg_drift_bucket(0, 120) == 0, "bucket of 0");
  ok(dg_drift_bucket(119, 120) == 0, "last second of bucket 0");
  ok(dg_drift_bucket(120, 120) == 1, "first second of bucket 1");
  ok(dg_drift_bucket(-1, 120) == -1, "negative time floors to bucket -1");
  ok(dg_drift_bucket(-120, 120) == -1, "-120 is in bucket -1");
  ok(dg_drift_bucket(-121, 120) == -2, "-121 floors to bucket -2");
  ok(dg_drift_bucket(INT64_MIN, 1) == INT64_MIN, "INT64_MIN stays defined");
  ok(dg_drift_bucket(INT64_MAX, 120) == INT64_MAX / 120, "INT64_MAX bucket");
  ok(dg_drift_bucket(100, 0) == -1, "cooldown 0 refused");
  ok(dg_drift_bucket(100, -5) == -1, "negative cooldown refused");
}

int main(void) {
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    check_case(&cases[i]);

  check_refused(dec("1"), dec("0"), dec("0"), "step 0");
  check_refused(dec("1"), dec("0"), dec("-0.001"), "negative step");
  check_refused(dec("92233720368"), dec("-92233720368"), dec("0.001"),
                "exchange - ledger overflows");
  check_refused(dec("-92233720368"), dec("92233720368"), dec("0.001"),
                "ledger - exchange overflows");
  check_refused((dg_dec_t){INT64_MIN}, dec("0"), dec("0.001"),
                "INT64_MIN exchange");
  check_refused(dec("0"), (dg_dec_t){INT64_MIN}, dec("0.001"),
                "INT64_MIN ledger");
  ok(dg_drift_compute(dec("1"), dec("0"), dec("0.001"), NULL) == -1,
     "NULL out refused");

  sweep_invariants();
  check_signature();
  check_bucket();
  return tap_done();
}
