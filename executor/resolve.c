/* resolve.c - asking the exchange about an order: its outcome when the
 * exchange knows it, and the resolution of an order of unknown fate (a
 * send without a clear answer, or a record left "submitted" by a crash or
 * a dead consumer) before anything is sent again. */
#include "executor/apply.h"

#include "driftguard/log.h"

#include <stdio.h>
#include <string.h>

#define RESOLVE_MARGIN_MS 2000 /* beyond recvWindow, for clock error */

ex_verdict_t ex_job_call(ex_job_t *j, ex_op_t op) {
  int rc = ex_call(j->ctx, &j->call, op, &j->out);
  return rc < 0 ? EX_V_STOP : rc > 0 ? EX_V_UNSURE : EX_V_NEXT;
}

ex_verdict_t ex_job_order_outcome(ex_job_t *j) {
  const dg_order_t *o = &j->call.order;
  char qty[DG_DEC_STRLEN], amt[DG_DEC_STRLEN];
  dg_dec_format(j->p->qty, qty, sizeof qty);
  dg_dec_format(j->p->exchange_amt, amt, sizeof amt);
  /* SPEC section 4's line; a leg's order names its leg at the end. */
  dg_log(LOG_NOTICE,
         "[RECONCILE_CLOSE_AUDIT] reconcile_close=true symbol=%s qty=%s "
         "side=%s order_id=%s plan_id=%s hold_key=%s exchange_amt=%s%s%s",
         j->p->symbol, qty, j->p->side, o->order_id, j->p->plan_id, j->hold_key,
         amt, j->p->position_side != DG_LEG_BOTH ? " position_side=" : "",
         j->p->position_side != DG_LEG_BOTH ? dg_leg_name(j->p->position_side)
                                            : "");
  dg_log_flush();
  snprintf(j->out.order_id, sizeof j->out.order_id, "%s", o->order_id);
  dg_dec_format(o->executed_qty, j->out.executed_qty,
                sizeof j->out.executed_qty);
  if (dg_dec_sign(o->executed_qty) > 0 || strcmp(o->status, "FILLED") == 0 ||
      strcmp(o->status, "NEW") == 0 ||
      strcmp(o->status, "PARTIALLY_FILLED") == 0)
    ex_outcome_set(&j->out, EX_ST_EXECUTED, "%s", "");
  else
    ex_outcome_set(&j->out, EX_ST_REJECTED_EXCHANGE,
                   "order %s with nothing executed", o->status);
  return EX_V_FINAL;
}

/* The query's verdict: the order's outcome when the exchange knows it,
 * NEXT when it does not (yet), else what the failure leaves. */
static ex_verdict_t query(ex_job_t *j) {
  ex_verdict_t v = ex_job_call(j, EX_OP_QUERY);
  if (v == EX_V_NEXT)
    return ex_job_order_outcome(j);
  return v == EX_V_UNSURE && ex_call_not_found(&j->call) ? EX_V_NEXT : v;
}

ex_verdict_t ex_job_resolve(ex_job_t *j) {
  int64_t offset = dg_exchange_time_offset_ms(j->ctx->exchange);
  int64_t until = j->held.sent_ts +
                  dg_exchange_recv_window_ms(j->ctx->exchange) +
                  RESOLVE_MARGIN_MS + (offset < 0 ? -offset : offset);
  int late = ex_now_ms() >= until;
  ex_verdict_t v = query(j);
  if (v != EX_V_NEXT || late)
    return v;
  dg_log(LOG_NOTICE, "event=resolve_wait plan_id=%s wait_ms=%lld",
         j->p->plan_id, (long long)(until - ex_now_ms()));
  if (ex_sleep_ms(j->ctx, until - ex_now_ms()) != 0)
    return EX_V_STOP;
  return query(j);
}

ex_verdict_t ex_job_recover(ex_job_t *j) {
  dg_log(LOG_NOTICE, "event=recovering plan_id=%s state=%s client_order_id=%s",
         j->p->plan_id, ex_dedupe_state_name(j->held.state), j->coid);
  if (j->held.state == EX_DD_SUBMITTED)
    return ex_job_resolve(j);
  return query(j); /* claimed: never sent, but make sure */
}
