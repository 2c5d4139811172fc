/* plan.h - the RECONCILE_CLOSE plan of SPEC section 3: build, encode to
 * JSON, decode (strictly, from untrusted stream entries), MAC, and the
 * deterministic client order id. Pure: no I/O. */
#ifndef DRIFTGUARD_PLAN_H
#define DRIFTGUARD_PLAN_H

#include "driftguard/decimal.h"
#include "driftguard/drift.h"
#include "driftguard/sign.h"

#include <stddef.h>
#include <stdint.h>

/* A plan's JSON is refused beyond this size (hostile input). */
#define DG_PLAN_MAX_BYTES 4096
#define DG_SYMBOL_MAX 32
/* Longest client order id of any venue's driver (Binance, Bybit: 36). */
#define DG_CLIENT_ORDER_ID_MAX 36

/* Which leg of a symbol a position, plan or close is about: BOTH in
 * one-way mode, LONG or SHORT in hedge mode (SPEC: position_side). */
typedef enum { DG_LEG_BOTH = 0, DG_LEG_LONG, DG_LEG_SHORT } dg_leg_t;

/* "BOTH", "LONG" or "SHORT". */
const char *dg_leg_name(dg_leg_t leg);
/* Parse one of those names; returns 0, -1 for anything else. */
int dg_leg_parse(const char *s, dg_leg_t *leg);

typedef struct {
  char plan_id[128];
  char decision[32];
  char source[64];
  char reason[64];
  char symbol[DG_SYMBOL_MAX];
  char side[8];
  /* The leg the close acts on: BOTH in one-way mode, LONG or SHORT in
   * hedge mode. A plan without the field (made before hedge mode was
   * supported) decodes as BOTH: the one-way reading, which rule mode
   * refuses on a hedge account. */
  dg_leg_t position_side;
  char type[16];
  int reduce_only; /* 1 true, 0 false */
  dg_dec_t qty;
  dg_dec_t exchange_amt;
  dg_dec_t ledger_amt;
  char signature[DG_SIGNATURE_LEN + 1];
  char hold_key[192];
  int64_t ts; /* ms epoch */
} dg_plan_t;

/* Fill a plan for a DG_DRIFT_CLOSE drift: plan_id reconclose:S:SIG:BUCKET,
 * decision RECONCILE_CLOSE, reason reconcile_drift, type MARKET, reduceOnly.
 * Returns 0, -1 if the drift is not a close or a field does not fit. */
int dg_plan_build(dg_plan_t *p, const char *key_prefix, const char *source,
                  const char *symbol, const dg_drift_t *drift,
                  dg_dec_t exchange_amt, dg_dec_t ledger_amt, int64_t now_ms,
                  int64_t cooldown_s);

/* The same for one leg of a hedge-mode account (leg LONG or SHORT; BOTH
 * is dg_plan_build): signature is the drift signature of both legs
 * (dg_drift_signature_legs), exchange_amt and ledger_amt the leg's, and
 * plan_id reconclose:S:SIG:BUCKET:LEG, so that the two legs' plans of one
 * drift are two plans. */
int dg_plan_build_leg(dg_plan_t *p, const char *key_prefix, const char *source,
                      const char *symbol, dg_leg_t leg, const char *signature,
                      const dg_drift_t *drift, dg_dec_t exchange_amt,
                      dg_dec_t ledger_amt, int64_t now_ms, int64_t cooldown_s);

/* JSON text in SPEC section 3's field order, decimals as strings.
 * Returns the length (excluding NUL), or -1 if it does not fit. */
int dg_plan_encode(const dg_plan_t *p, char *buf, size_t size);

/* Strict decode of untrusted JSON: every field present with the right type
 * (position_side may be absent: BOTH)
 * (decimals as strings or numbers, reduceOnly as true/"true"/false/"false"),
 * no oversized input or fields, symbol as dg_symbol_valid. Returns 0, or -1
 * with a one-line reason in err. Never crashes on any input. */
int dg_plan_decode(const char *json, size_t len, dg_plan_t *p, char *err,
                   size_t errlen);

/* hex HMAC-SHA256(plan key, plan bytes). Returns 0, -1 on failure. */
int dg_plan_mac(const dg_hmac_key_t *key, const char *plan_json, size_t len,
                char out[65]);

/* 1 when s[0..len) is a symbol driftguard accepts: [A-Z0-9][A-Z0-9_-]{0,30},
 * the venues' own spellings (BTCUSDT, BTC-USDT-SWAP, BTCUSD_PERP). Every
 * symbol that reaches a Redis key, a metric instance, a file name, a plan
 * or a request passes this. */
int dg_symbol_valid(const char *s, size_t len);

#endif
