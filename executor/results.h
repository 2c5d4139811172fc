/* results.h - how a plan ends: one outcome, written as one result entry on
 * P:stream:reconcile.close.result, the dedupe record's final state and the
 * entry's ACK, all in one atomic script; then the counters and a log line.
 *
 * Result entry fields: plan_id, symbol, status, rule, dedupe_hit,
 * original_status, order_id, client_order_id, executed_qty, error,
 * entry_id, consumer, ts. */
#ifndef DG_EXECUTOR_RESULTS_H
#define DG_EXECUTOR_RESULTS_H

#include "executor/dedupe.h"
#include "executor/executor.h"
#include "executor/invariants.h"

typedef enum {
  EX_ST_EXECUTED,
  EX_ST_DROPPED_DUPLICATE,
  EX_ST_REJECTED_GUARDRAIL,
  EX_ST_RETRYABLE_RATE_LIMIT,
  EX_ST_REJECTED_EXCHANGE,
  EX_ST_ERROR,
  EX_ST_DRY_RUN,
} ex_status_t;

const char *ex_status_name(ex_status_t s);

typedef struct {
  ex_status_t status;
  ex_rule_t rule;           /* REJECTED_GUARDRAIL: the rule that failed */
  int dedupe_hit;           /* DROPPED_DUPLICATE */
  int no_request;           /* RETRYABLE_RATE_LIMIT: a ban stopped us before any
                               request (counted as rejected, not executed) */
  char original_status[32]; /* DROPPED_DUPLICATE: the first outcome */
  char order_id[DG_ORDER_ID_MAX]; /* "" when none */
  char executed_qty[DG_DEC_STRLEN];
  char error[320];
} ex_outcome_t;

/* Set the outcome's status and its error text (printf-like). */
__attribute__((format(printf, 3, 4))) void
ex_outcome_set(ex_outcome_t *o, ex_status_t status, const char *fmt, ...);

/* What the result names; empty strings when the entry was not a plan. */
typedef struct {
  const char *entry_id;
  const char *plan_id;
  const char *symbol;
  const char *client_order_id;
  const char *dedupe_key;       /* NULL: no record to write */
  const ex_dedupe_t *held;      /* the record as we hold it (final written
                                   only if it is still this) */
  const ex_dedupe_t *final_rec; /* NULL: leave the record as it is */
} ex_finish_t;

/* Returns 0 once done, -1 when a stop came first (entry stays pending). */
int ex_finish(ex_ctx_t *ctx, const ex_finish_t *f, const ex_outcome_t *o);
/* The same for n entries. Entries that write no record (rejections,
 * duplicates) go together in one MULTI/EXEC transaction: every result and
 * one XACK of them all, in one round trip; anything else, or a transaction
 * that did not run, falls back to ex_finish one by one. Returns 0, -1 when
 * a stop came first. */
int ex_finish_many(ex_ctx_t *ctx, const ex_finish_t *f,
                   const ex_outcome_t *const *o, size_t n);

#endif
