/* drift.c - drift math of SPEC section 2: whether the exchange and the
 * ledger disagree, and the one reduce-only close that moves the exchange
 * toward the ledger without ever opening or flipping a position.
 *
 * Pure and exact: dg_dec_t arithmetic only, every overflow refused. */
#include "driftguard/drift.h"

#include "driftguard/sign.h"

#include <stdio.h>
#include <string.h>

/* A drift that no reduce-only close can fix: nothing moves, all of it stays. */
static void set_unfixable(dg_drift_t *d, dg_dec_t exchange_amt,
                          dg_dec_t ledger_minus_exchange) {
  d->kind = DG_DRIFT_UNFIXABLE;
  d->target = exchange_amt;
  d->qty = DG_DEC_ZERO;
  d->side = "";
  d->residual = ledger_minus_exchange;
}

/*
 * Outcomes (target, residual as in drift.h):
 *   |exchange - ledger| < step            NONE: target = exchange, residual 0
 *   same sign, |ledger| <= |exchange|     CLOSE toward ledger, residual 0
 *   opposite signs (both non-zero)        CLOSE to 0, residual = ledger
 *   same sign, |ledger| > |exchange|,
 *   or exchange flat                      UNFIXABLE: target = exchange,
 *                                         residual = ledger - exchange
 * target is the ideal end point (ledger or 0); the order's qty is rounded
 * down to the step, so the exchange really ends within one step of it, a
 * remainder that is below the step and therefore not drift by definition.
 *
 * When qty rounds down to 0 (opposite signs and an exchange position
 * smaller than one step) no order can move the exchange, while the drift is
 * at least one step (we checked that first): it is reported UNFIXABLE, never
 * NONE, so the HOLD stays and an operator is told.
 */
int dg_drift_compute(dg_dec_t exchange_amt, dg_dec_t ledger_amt, dg_dec_t step,
                     dg_drift_t *out) {
  dg_drift_t d;
  dg_dec_t diff, abs_diff, abs_exchange, abs_ledger, target, raw_qty, qty;
  int ex_sign = dg_dec_sign(exchange_amt), led_sign = dg_dec_sign(ledger_amt);

  if (out == NULL || dg_dec_sign(step) <= 0)
    return -1;
  if (dg_dec_sub(ledger_amt, exchange_amt, &diff) != 0 ||
      dg_dec_abs(diff, &abs_diff) != 0 ||
      dg_dec_abs(exchange_amt, &abs_exchange) != 0 ||
      dg_dec_abs(ledger_amt, &abs_ledger) != 0)
    return -1;

  if (dg_dec_cmp(abs_diff, step) < 0) {
    d.kind = DG_DRIFT_NONE;
    d.target = exchange_amt;
    d.qty = DG_DEC_ZERO;
    d.side = "";
    d.residual = DG_DEC_ZERO;
    *out = d;
    return 0;
  }

  if (ex_sign == 0 ||
      (ex_sign == led_sign && dg_dec_cmp(abs_ledger, abs_exchange) > 0)) {
    set_unfixable(&d, exchange_amt, diff);
    *out = d;
    return 0;
  }

  /* Same sign and no larger: close down to the ledger. Otherwise the signs
   * are opposite (or the ledger is flat): close to 0, the ledger's side
   * stays as residual. */
  int same_sign = ex_sign == led_sign;
  target = same_sign ? ledger_amt : DG_DEC_ZERO;
  if (dg_dec_sub(abs_exchange, same_sign ? abs_ledger : DG_DEC_ZERO,
                 &raw_qty) != 0 ||
      dg_dec_round_down(raw_qty, step, &qty) != 0)
    return -1;
  if (dg_dec_is_zero(qty)) {
    set_unfixable(&d, exchange_amt, diff);
    *out = d;
    return 0;
  }
  d.kind = DG_DRIFT_CLOSE;
  d.target = target;
  d.qty = qty;
  d.side = ex_sign > 0 ? "SELL" : "BUY";
  if (dg_dec_sub(ledger_amt, target, &d.residual) != 0)
    return -1;
  *out = d;
  return 0;
}

int dg_drift_signature(const char *symbol, dg_dec_t exchange_amt,
                       dg_dec_t ledger_amt, char out[DG_SIGNATURE_LEN + 1]) {
  char led[DG_DEC_STRLEN];
  dg_dec_format(ledger_amt, led, sizeof(led));
  return dg_drift_signature_text(symbol, exchange_amt, led, out);
}

/* The first DG_SIGNATURE_LEN hex digits of SHA-256(text). */
static int signature_of(const char *text, int n,
                        char out[DG_SIGNATURE_LEN + 1]) {
  char digest[DG_SHA256_HEXLEN + 1];
  if (n < 0 || dg_sha256_hex(text, (size_t)n, digest) != 0)
    return -1;
  memcpy(out, digest, DG_SIGNATURE_LEN);
  out[DG_SIGNATURE_LEN] = '\0';
  return 0;
}

int dg_drift_signature_text(const char *symbol, dg_dec_t exchange_amt,
                            const char *ledger_text,
                            char out[DG_SIGNATURE_LEN + 1]) {
  char ex[DG_DEC_STRLEN];
  char text[256];
  int n;

  if (symbol == NULL || ledger_text == NULL || out == NULL)
    return -1;
  dg_dec_format(exchange_amt, ex, sizeof(ex));
  n = snprintf(text, sizeof(text), "%s|%s|%s", symbol, ex, ledger_text);
  return n >= 0 && (size_t)n < sizeof(text) ? signature_of(text, n, out) : -1;
}

int dg_drift_signature_legs(const char *symbol, dg_dec_t exchange_long,
                            const char *ledger_long, dg_dec_t exchange_short,
                            const char *ledger_short,
                            char out[DG_SIGNATURE_LEN + 1]) {
  char ex_long[DG_DEC_STRLEN], ex_short[DG_DEC_STRLEN];
  char text[256];
  int n;

  if (symbol == NULL || ledger_long == NULL || ledger_short == NULL ||
      out == NULL)
    return -1;
  dg_dec_format(exchange_long, ex_long, sizeof(ex_long));
  dg_dec_format(exchange_short, ex_short, sizeof(ex_short));
  n = snprintf(text, sizeof(text), "%s|LONG:%s:%s|SHORT:%s:%s", symbol, ex_long,
               ledger_long, ex_short, ledger_short);
  return n >= 0 && (size_t)n < sizeof(text) ? signature_of(text, n, out) : -1;
}

/* Floor division (C's '/' truncates toward zero): negative times, which are
 * not expected, still land in the bucket that contains them. Returns -1 when
 * cooldown_s <= 0, which callers must refuse at configuration time. */
int64_t dg_drift_bucket(int64_t now_s, int64_t cooldown_s) {
  int64_t q;
  if (cooldown_s <= 0)
    return -1;
  q = now_s / cooldown_s;
  if (now_s % cooldown_s < 0)
    q--;
  return q;
}
