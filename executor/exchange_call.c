/* exchange_call.c - calling the exchange behind the shared ban (see
 * exchange_call.h). The ban lives in Redis: reading or storing it waits
 * for Redis through ex_retry, the executor's one back-off loop, so a Redis
 * that answers PING but refuses writes (maxmemory, noeviction) costs one
 * log line and no busy loop. */
#include "executor/exchange_call.h"

#include "driftguard/ban.h"
#include "driftguard/log.h"
#include "driftguard/log_limit.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  ex_ctx_t *ctx;
  int64_t until_ms; /* store: the end to store; check: the end found */
  int banned;       /* check: 1 when banned */
} ban_t;

static int try_store(void *arg, char *why, size_t size) {
  ban_t *b = arg;
  return dg_ban_store(b->ctx->redis, b->ctx->cfg->key_prefix, b->until_ms,
                      ex_now_ms(), why, size) == 0;
}

static int try_check(void *arg, char *why, size_t size) {
  ban_t *b = arg;
  int rc = dg_ban_check(b->ctx->redis, b->ctx->cfg->key_prefix, ex_now_ms(),
                        &b->until_ms, why, size);
  if (rc < 0)
    return 0;
  if (rc == 1 && why[0] != '\0')
    dg_log(LOG_WARNING, "event=ban_malformed reason=\"%s\"", why);
  b->banned = rc;
  return 1;
}

/* 1 when a shared ban forbids calling the exchange (outcome set), 0 when
 * calls are allowed, -1 when stopping. */
static int banned(ex_ctx_t *ctx, ex_outcome_t *out) {
  ban_t b = {ctx, 0, 0};
  if (ex_retry(ctx, &(ex_outage_t)EX_REDIS_OUTAGE(ctx), try_check, &b) != 0)
    return -1;
  if (!b.banned)
    return 0;
  out->no_request = 1;
  ex_outcome_set(out, EX_ST_RETRYABLE_RATE_LIMIT,
                 "exchange back-off until %lld ms: no request sent",
                 (long long)b.until_ms);
  return 1;
}

static dg_ex_status_t run_op(ex_ctx_t *ctx, ex_call_t *c, ex_op_t op) {
  dg_exchange_t *ex = ctx->exchange;
  const dg_plan_t *p = c->plan;
  dg_position_t *pos = NULL;
  size_t n = 0;
  dg_ex_status_t st = DG_EX_BAD_REPLY;
  switch (op) {
  case EX_OP_HEDGE_MODE:
    return dg_exchange_hedge_mode(ex, p->symbol, &c->dual, &c->res);
  case EX_OP_POSITION:
    st = dg_exchange_positions(ex, p->symbol, &pos, &n, &c->res);
    if (st == DG_EX_OK) {
      c->live = DG_DEC_ZERO;
      for (size_t i = 0; i < n; i++)
        if (strcmp(pos[i].symbol, p->symbol) == 0 &&
            pos[i].leg == p->position_side)
          c->live = pos[i].amt;
    }
    free(pos);
    return st;
  case EX_OP_QUERY:
    return dg_exchange_query_order(ex, p->symbol, c->coid, &c->order, &c->res);
  case EX_OP_PLACE:
    return dg_exchange_place_close(ex, p->symbol, p->side, p->position_side,
                                   p->qty, c->coid, &c->order, &c->res);
  }
  return st;
}

int ex_call(ex_ctx_t *ctx, ex_call_t *c, ex_op_t op, ex_outcome_t *out) {
  static const char *const op_names[] = {"hedge_mode", "position", "query",
                                         "place"};
  char kind[DG_LOG_LIMIT_KIND_MAX];
  dg_ex_status_t st;
  int b;
  memset(&c->res, 0, sizeof c->res);
  dg_log_flush(); /* what led here is out before the exchange acts */
  if ((b = banned(ctx, out)) != 0)
    return b;
  st = run_op(ctx, c, op);
  if (st == DG_EX_OK)
    return 0;
  snprintf(kind, sizeof kind, "exchange_call_failed:%s:%s", op_names[op],
           dg_ex_status_name(st));
  dg_log_limited(kind, LOG_WARNING,
                 "event=exchange_call_failed op=%s plan_id=%s status=%s "
                 "http=%d code=%d msg=\"%s\"",
                 op_names[op], c->plan->plan_id, dg_ex_status_name(st),
                 c->res.http_status, c->res.code, c->res.msg);
  switch (st) {
  case DG_EX_RATE_LIMIT:
  case DG_EX_BANNED: {
    ban_t ban = {ctx, dg_ban_until_of(&c->res), 0};
    if (ex_retry(ctx, &(ex_outage_t)EX_REDIS_OUTAGE(ctx), try_store, &ban) != 0)
      return -1;
    ex_outcome_set(out, EX_ST_RETRYABLE_RATE_LIMIT,
                   "HTTP %d %s: no exchange call before %lld ms",
                   c->res.http_status, c->res.msg, (long long)ban.until_ms);
    break;
  }
  case DG_EX_REFUSED:
    ex_outcome_set(out, EX_ST_REJECTED_EXCHANGE, "code %d: %s", c->res.code,
                   c->res.msg);
    break;
  default:
    ex_outcome_set(out, EX_ST_ERROR, "%s %s: %s", op_names[op],
                   dg_ex_status_name(st), c->res.msg);
    break;
  }
  return 1;
}

int ex_call_not_found(const ex_call_t *c) {
  return c->res.status == DG_EX_REFUSED &&
         c->res.reason == DG_EX_REASON_ORDER_NOT_FOUND;
}
