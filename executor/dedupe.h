/* dedupe.h - the exactly-once record of a plan, P:apply:dedupe:PLAN_ID:
 *
 *   {"state":"claimed|submitted|final","status":"EXECUTED","order_id":"123",
 *    "executed_qty":"0.007","consumer":"host","ts":ms,"sent_ts":ms}
 *
 * claimed: a consumer owns the plan and has NOT sent an order; submitted:
 * it is about to send / has sent (written BEFORE the request, sent_ts = the
 * request's time); final: the outcome is known (status, order_id). Every
 * change is a compare-and-set against the exact stored text, so two
 * consumers can never both own a plan. TTL 86400 s. A record written
 * before order ids were text ("order_id":123, 0 for none) reads the same. */
#ifndef DG_EXECUTOR_DEDUPE_H
#define DG_EXECUTOR_DEDUPE_H

#include "driftguard/decimal.h"
#include "driftguard/exchange.h"
#include "executor/executor.h"

#include <stdint.h>

#define EX_DEDUPE_TTL_S 86400
#define EX_DEDUPE_JSON_MAX 512
/* How far ahead of this host's clock a record's stamp is still believed
 * (clock skew between executor hosts). */
#define EX_DEDUPE_MAX_FUTURE_MS 60000

typedef enum {
  EX_DD_NONE = 0, /* no record */
  EX_DD_CLAIMED,
  EX_DD_SUBMITTED,
  EX_DD_FINAL,
} ex_dd_state_t;

typedef struct {
  ex_dd_state_t state;
  char status[32];                /* final: the plan's outcome */
  char order_id[DG_ORDER_ID_MAX]; /* "" when none */
  char executed_qty[DG_DEC_STRLEN];
  char consumer[64];
  int64_t ts;      /* last change, ms epoch */
  int64_t sent_ts; /* last order request, ms epoch; 0 = never sent */
  char json[EX_DEDUPE_JSON_MAX]; /* the stored text (set by encode/decode) */
} ex_dedupe_t;

const char *ex_dedupe_state_name(ex_dd_state_t s);
/* Fill d->json from the fields. Returns 0, -1 if it does not fit. */
int ex_dedupe_encode(ex_dedupe_t *d);
/* Parse a stored record. A record that cannot be read is returned as final
 * with status "UNREADABLE": an unknown record never allows an order. */
void ex_dedupe_decode(const char *s, size_t len, ex_dedupe_t *d);

/* 1 when the record's stamps (ts, sent_ts) cannot be believed: one lies
 * more than EX_DEDUPE_MAX_FUTURE_MS ahead of now_ms (another host's clock,
 * or ours stepped back). Such a record says nothing about its owner being
 * alive (it may be taken over, every change being a compare-and-set), and
 * its send time counts as now_ms (the longest wait before "not found" is
 * believed). Without the bound it kept its plan pending until its TTL. */
int ex_dedupe_stamp_unbelievable(const ex_dedupe_t *d, int64_t now_ms);

/* Read the record (state EX_DD_NONE when absent). 0, -1 when stopping. */
int ex_dedupe_read(ex_ctx_t *ctx, const char *key, ex_dedupe_t *out);
/* Store next (encoded here) if the record still is expect (state NONE:
 * absent). Returns 1 when stored, 0 when the record changed meanwhile
 * (*now then holds it), -1 when stopping. */
int ex_dedupe_swap(ex_ctx_t *ctx, const char *key, const ex_dedupe_t *expect,
                   ex_dedupe_t *next, ex_dedupe_t *now);

#endif
