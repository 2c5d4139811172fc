/* exchange_call.h - the executor's policy for calling the exchange: the
 * shared ban (P:exchange:ban_until) is checked before every call and
 * stored after every 429/418, a failed call is logged (rate-limited) and
 * turned into the plan's outcome. One call is one request: nothing here
 * retries an order (apply.c decides whether a second send is safe). */
#ifndef DG_EXECUTOR_EXCHANGE_CALL_H
#define DG_EXECUTOR_EXCHANGE_CALL_H

#include "driftguard/plan.h"
#include "executor/executor.h"
#include "executor/results.h"

typedef enum {
  EX_OP_HEDGE_MODE, /* -> dual */
  EX_OP_POSITION,   /* the plan's leg of its symbol -> live */
  EX_OP_QUERY,      /* the client order id -> order */
  EX_OP_PLACE,      /* the plan's MARKET close of its leg -> order */
} ex_op_t;

typedef struct {
  const dg_plan_t *plan;
  const char *coid;
  dg_ex_result_t res; /* the exchange's last answer */
  int dual;
  dg_dec_t live; /* a symbol the exchange omits is flat */
  dg_order_t order;
} ex_call_t;

/* One exchange call behind the shared ban. Returns 0 on success; 1 on
 * failure with *out set (c->res says what the exchange answered; a ban
 * that stopped the call sends no request: out->no_request); -1 when
 * stopping. */
int ex_call(ex_ctx_t *ctx, ex_call_t *c, ex_op_t op, ex_outcome_t *out);

/* 1 when the last call's answer was "no such order" (yet). */
int ex_call_not_found(const ex_call_t *c);

#endif
