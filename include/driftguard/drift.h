/* drift.h - drift math of SPEC section 2: pure, exact, no I/O.
 *
 * Given the exchange's and the ledger's signed amounts and the symbol's step,
 * decide whether there is drift, and what reduce-only close (if any) moves
 * the exchange toward the ledger without ever opening or flipping. */
#ifndef DRIFTGUARD_DRIFT_H
#define DRIFTGUARD_DRIFT_H

#include "driftguard/decimal.h"

#include <stdint.h>

typedef enum {
  DG_DRIFT_NONE = 0,  /* |exchange - ledger| < step: nothing to do */
  DG_DRIFT_CLOSE,     /* a reduce-only close of qty fixes (some of) it */
  DG_DRIFT_UNFIXABLE, /* ledger holds more than the exchange: HOLD + notify */
} dg_drift_kind_t;

typedef struct {
  dg_drift_kind_t kind;
  dg_dec_t target;   /* where the close leaves the exchange */
  dg_dec_t qty;      /* > 0 for DG_DRIFT_CLOSE, a multiple of step */
  const char *side;  /* "SELL" (close a long) or "BUY" (close a short) */
  dg_dec_t residual; /* ledger - target: drift no close can fix (0 if none) */
} dg_drift_t;

/* Returns 0, or -1 when step <= 0 or arithmetic overflows (out untouched). */
int dg_drift_compute(dg_dec_t exchange_amt, dg_dec_t ledger_amt, dg_dec_t step,
                     dg_drift_t *out);

#define DG_SIGNATURE_LEN 12
/* First 12 hex digits of SHA-256("SYMBOL|exchange|ledger"), canonical text.
 * Returns 0, -1 on failure. */
int dg_drift_signature(const char *symbol, dg_dec_t exchange_amt,
                       dg_dec_t ledger_amt, char out[DG_SIGNATURE_LEN + 1]);
/* The same with the ledger side as text: a held symbol whose ledger is
 * unknown is signed "SYMBOL|exchange|missing" (or "|unreadable"), so that
 * the ledger coming back with any amount is a new drift to confirm. */
int dg_drift_signature_text(const char *symbol, dg_dec_t exchange_amt,
                            const char *ledger_text,
                            char out[DG_SIGNATURE_LEN + 1]);

/* A hedge-mode symbol's signature covers both legs, so that a plan made
 * for an older state of either leg is refused: the first 12 hex digits of
 * SHA-256("SYMBOL|LONG:exchange:ledger|SHORT:exchange:ledger"), each
 * ledger as canonical decimal text or "missing"/"unreadable". */
int dg_drift_signature_legs(const char *symbol, dg_dec_t exchange_long,
                            const char *ledger_long, dg_dec_t exchange_short,
                            const char *ledger_short,
                            char out[DG_SIGNATURE_LEN + 1]);

/* floor(now_s / cooldown_s); cooldown_s must be > 0. */
int64_t dg_drift_bucket(int64_t now_s, int64_t cooldown_s);

#endif
