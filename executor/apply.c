/* apply.c - one plan end to end, exactly once.
 *
 *   parse (malformed) -> dedupe record: final -> DROPPED_DUPLICATE;
 *   claimed/submitted (a crash, a re-delivery) -> ask the exchange for the
 *   client order id first -> guardrails decision..qty -> claim ->
 *   ban check -> hedge mode -> ONE fresh position read -> side, stale ->
 *   renew the HOLD lease -> mark submitted -> send -> outcome.
 *
 * An ambiguous send (timeout, lost connection, 503 "Unknown error", -1006,
 * -1007; in fact any answer but an acceptance or a refusal the venue
 * documents as "not executed", a -1021 clock refusal included) is resolved
 * in line: query the client order id; if the exchange
 * does not know it, wait until the request's recvWindow has certainly
 * passed (Binance may say "does not exist" for a while after creation),
 * query again, then read the position: only an unmoved position allows a
 * resend with the same client order id. The record is finalised only when
 * the outcome is certain; otherwise it stays submitted, the stream entry
 * is NOT acknowledged and no result is written: the entry stays pending,
 * and the consumer group's XAUTOCLAIM hands it back every ClaimIdle, each
 * time asking the exchange once more for the client order id (never
 * sending blindly). Once an order may have been sent, a guardrail that
 * fails is no proof that nothing was executed (the exchange may show a new
 * order late): it leaves the fate unknown too. After the dedupe record's
 * lifetime (24 h) of unknown fate, the plan ends as ERROR for a human. */
#include "executor/apply.h"

#include "driftguard/ban.h"
#include "driftguard/log.h"
#include "driftguard/log_limit.h"
#include "driftguard/plan.h"
#include "executor/dedupe.h"
#include "executor/invariants.h"
#include "executor/replicas.h"
#include "executor/results.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64
#define MAX_SENDS 3            /* order requests per plan, ambiguous ones */
#define RESOLVE_MARGIN_MS 2000 /* beyond recvWindow, for clock error */
#define PREFETCH_FRESH_MS 1000 /* a batch's reads serve plans this long */
#define BINANCE_ERR_NO_SUCH_ORDER (-2013)

typedef enum { STEP_NEXT, STEP_DONE, STEP_AGAIN, STEP_STOP } step_t;

typedef enum { OP_HEDGE_MODE, OP_POSITION, OP_QUERY, OP_PLACE } op_t;

typedef struct batch batch_t;

typedef struct {
  ex_ctx_t *ctx;
  batch_t *batch;
  const char *entry_id;
  ex_entry_t e;
  const dg_plan_t *p;
  char hold_key[DG_KEY_MAX];
  char sig_key[DG_KEY_MAX];
  char dedupe_key[DG_KEY_MAX];
  char coid[DG_CLIENT_ORDER_ID_MAX + 1];
  ex_dedupe_t held; /* the record this consumer owns (state NONE: none) */
  ex_outcome_t out;
  int certain;       /* out is the plan's final outcome */
  int leave_pending; /* no result, no ACK: handled again later */
  int ready;         /* parsed, keys named: the plan can be handled */
  int prefetched;    /* pre_rec, pre_hold, pre_sig read with the batch */
  ex_dedupe_t pre_rec;
  char pre_hold[8], pre_sig[DG_SIGNATURE_LEN + 2];
  int has_hold, has_sig;
  ex_finish_t fin;       /* how the entry ends (finish) */
  ex_dedupe_t final_rec; /* fin.final_rec when the record turns final */
  int deferred;          /* 1: fin waits for the batch's pipeline */
  dg_ex_result_t res;    /* the exchange's last answer */
  int dual;              /* OP_HEDGE_MODE */
  dg_dec_t live;         /* OP_POSITION */
  dg_order_t order;      /* OP_QUERY, OP_PLACE */
} job_t;

__attribute__((format(printf, 3, 4))) static step_t
outcome(job_t *j, ex_status_t status, const char *fmt, ...) {
  va_list ap;
  j->out.status = status;
  va_start(ap, fmt);
  vsnprintf(j->out.error, sizeof j->out.error, fmt, ap);
  va_end(ap);
  return STEP_DONE;
}

/* An order may have been sent and the exchange does not show it (yet):
 * not an outcome, the plan is handled again later (see finish). */
static step_t fate_unknown(job_t *j, const char *why) {
  return outcome(j, EX_ST_ERROR,
                 "order fate unknown: client order id %s not found after "
                 "recvWindow, and %s",
                 j->coid, why);
}

static step_t guardrail(job_t *j, ex_rule_t rule, const char *why) {
  char kind[DG_LOG_LIMIT_KIND_MAX];
  if (j->held.state == EX_DD_SUBMITTED)
    return fate_unknown(j, why);
  j->out.rule = rule;
  j->certain = 1;
  snprintf(kind, sizeof kind, "invariant_violation:%s", ex_rule_name(rule));
  dg_log_limited(
      kind, LOG_WARNING,
      "event=invariant_violation rule=%s plan_id=%s symbol=%s reason=\"%s\"",
      ex_rule_name(rule), j->p != NULL ? j->p->plan_id : "",
      j->p != NULL ? j->p->symbol : "", why);
  return outcome(j, EX_ST_REJECTED_GUARDRAIL, "%s", why);
}

/* --- the exchange ------------------------------------------------------- */

static void store_ban(job_t *j, int64_t until_ms) {
  ex_ctx_t *ctx = j->ctx;
  while (dg_ban_store(ctx->redis, ctx->cfg->key_prefix, until_ms,
                      ex_now_ms()) != 0) {
    redisReply *r = ex_redis(ctx, (const char *[]){"PING", NULL});
    if (r == NULL)
      return;
    freeReplyObject(r);
  }
}

/* 1 when a shared ban forbids calling the exchange (outcome set), 0 when
 * calls are allowed, -1 when stopping. */
static int banned(job_t *j) {
  ex_ctx_t *ctx = j->ctx;
  int64_t until = 0;
  int b;
  while ((b = dg_ban_check(ctx->redis, ctx->cfg->key_prefix, ex_now_ms(),
                           &until)) < 0) {
    redisReply *r = ex_redis(ctx, (const char *[]){"PING", NULL});
    if (r == NULL)
      return -1;
    freeReplyObject(r);
  }
  if (b == 0)
    return 0;
  j->out.no_request = 1;
  outcome(j, EX_ST_RETRYABLE_RATE_LIMIT,
          "exchange back-off until %lld ms: no request sent", (long long)until);
  return 1;
}

static dg_ex_status_t run_op(job_t *j, op_t op) {
  dg_exchange_t *ex = j->ctx->exchange;
  const dg_plan_t *p = j->p;
  dg_position_t *pos = NULL;
  size_t n = 0;
  dg_ex_status_t st = DG_EX_BAD_REPLY;
  memset(&j->res, 0, sizeof j->res);
  switch (op) {
  case OP_HEDGE_MODE:
    return dg_exchange_hedge_mode(ex, &j->dual, &j->res);
  case OP_POSITION:
    st = dg_exchange_positions(ex, p->symbol, &pos, &n, &j->res);
    if (st == DG_EX_OK) {
      j->live = DG_DEC_ZERO; /* a symbol the exchange omits is flat */
      for (size_t i = 0; i < n; i++)
        if (strcmp(pos[i].symbol, p->symbol) == 0)
          j->live = pos[i].amt;
    }
    free(pos);
    return st;
  case OP_QUERY:
    return dg_exchange_query_order(ex, p->symbol, j->coid, &j->order, &j->res);
  case OP_PLACE:
    return dg_exchange_place_close(ex, p->symbol, p->side, p->qty, j->coid,
                                   &j->order, &j->res);
  }
  return st;
}

/* One exchange call behind the shared ban, never repeated here: the driver
 * retries a read refused for its clock once, and an order is never sent
 * twice without asking the exchange (send_order). Returns 0 on success; 1
 * on failure with the outcome set (j->res says what the exchange
 * answered); -1 when stopping. */
static int call(job_t *j, op_t op) {
  static const char *const op_names[] = {"hedge_mode", "position", "query",
                                         "place"};
  char kind[DG_LOG_LIMIT_KIND_MAX];
  dg_ex_status_t st;
  int b;
  memset(&j->res, 0, sizeof j->res);
  dg_log_flush(); /* what led here is out before the exchange acts */
  if ((b = banned(j)) != 0)
    return b;
  st = run_op(j, op);
  if (st == DG_EX_OK)
    return 0;
  snprintf(kind, sizeof kind, "exchange_call_failed:%s:%s", op_names[op],
           dg_ex_status_name(st));
  dg_log_limited(kind, LOG_WARNING,
                 "event=exchange_call_failed op=%s plan_id=%s status=%s "
                 "http=%d code=%d msg=\"%s\"",
                 op_names[op], j->p->plan_id, dg_ex_status_name(st),
                 j->res.http_status, j->res.code, j->res.msg);
  switch (st) {
  case DG_EX_RATE_LIMIT:
  case DG_EX_BANNED: {
    int64_t until = j->res.ban_until_ms > j->res.retry_after_ms
                        ? j->res.ban_until_ms
                        : j->res.retry_after_ms;
    store_ban(j, until);
    outcome(j, EX_ST_RETRYABLE_RATE_LIMIT,
            "HTTP %d %s: no exchange call before %lld ms", j->res.http_status,
            j->res.msg, (long long)until);
    break;
  }
  case DG_EX_REFUSED:
    outcome(j, EX_ST_REJECTED_EXCHANGE, "code %d: %s", j->res.code, j->res.msg);
    break;
  default:
    outcome(j, EX_ST_ERROR, "%s %s: %s", op_names[op], dg_ex_status_name(st),
            j->res.msg);
    break;
  }
  return 1;
}

static int not_found(const job_t *j) {
  return j->res.status == DG_EX_REFUSED &&
         j->res.code == BINANCE_ERR_NO_SUCH_ORDER;
}

/* The outcome of an order the exchange knows, with its audit line. */
static step_t order_outcome(job_t *j) {
  const dg_order_t *o = &j->order;
  char qty[DG_DEC_STRLEN], amt[DG_DEC_STRLEN];
  dg_dec_format(j->p->qty, qty, sizeof qty);
  dg_dec_format(j->p->exchange_amt, amt, sizeof amt);
  dg_log(LOG_NOTICE,
         "[RECONCILE_CLOSE_AUDIT] reconcile_close=true symbol=%s qty=%s "
         "side=%s order_id=%lld plan_id=%s hold_key=%s exchange_amt=%s",
         j->p->symbol, qty, j->p->side, (long long)o->order_id, j->p->plan_id,
         j->hold_key, amt);
  dg_log_flush();
  j->certain = 1;
  j->out.order_id = o->order_id;
  dg_dec_format(o->executed_qty, j->out.executed_qty,
                sizeof j->out.executed_qty);
  if (dg_dec_sign(o->executed_qty) > 0 || strcmp(o->status, "FILLED") == 0 ||
      strcmp(o->status, "NEW") == 0 ||
      strcmp(o->status, "PARTIALLY_FILLED") == 0)
    return outcome(j, EX_ST_EXECUTED, "%s", "");
  return outcome(j, EX_ST_REJECTED_EXCHANGE, "order %s with nothing executed",
                 o->status);
}

/* --- the dedupe record -------------------------------------------------- */

static int swap_state(job_t *j, ex_dd_state_t state, int64_t sent_ts,
                      ex_dedupe_t *now) {
  ex_dedupe_t next = j->held;
  int rc;
  next.state = state;
  next.ts = ex_now_ms();
  next.sent_ts = sent_ts;
  snprintf(next.consumer, sizeof next.consumer, "%s", j->ctx->cfg->consumer);
  rc = ex_dedupe_swap(j->ctx, j->dedupe_key, &j->held, &next, now);
  if (rc == 1)
    j->held = next;
  return rc;
}

/* When an order sent at sent_ts can no longer be accepted, ms epoch. */
static int64_t recv_window_end(job_t *j, int64_t sent_ts) {
  int64_t offset = dg_exchange_time_offset_ms(j->ctx->exchange);
  return sent_ts + dg_exchange_recv_window_ms(j->ctx->exchange) +
         RESOLVE_MARGIN_MS + (offset < 0 ? -offset : offset);
}

/* After a send of unknown fate (or a crash after "submitted"): STEP_DONE
 * when the exchange knows the order (or we cannot tell: the outcome is
 * then uncertain), STEP_NEXT when it does not know it once the request's
 * recvWindow has certainly passed. A query made after that time is
 * enough: a plan handled again later asks the exchange once. */
static step_t resolve_submitted(job_t *j) {
  int64_t until = recv_window_end(j, j->held.sent_ts);
  int late = ex_now_ms() >= until;
  int rc = call(j, OP_QUERY);
  if (rc < 0)
    return STEP_STOP;
  if (rc == 0)
    return order_outcome(j);
  if (!not_found(j))
    return STEP_DONE; /* cannot tell: record stays submitted */
  if (late)
    return STEP_NEXT;
  dg_log(LOG_NOTICE, "event=resolve_wait plan_id=%s wait_ms=%lld",
         j->p->plan_id, (long long)(until - ex_now_ms()));
  if (ex_sleep_ms(j->ctx, until - ex_now_ms()) != 0)
    return STEP_STOP;
  if ((rc = call(j, OP_QUERY)) != 0)
    return rc < 0 ? STEP_STOP : (not_found(j) ? STEP_NEXT : STEP_DONE);
  return order_outcome(j);
}

/* A record in claimed/submitted: ours from before a crash, or left by a
 * dead consumer. Ask the exchange before anything else. */
static step_t recover(job_t *j) {
  int rc;
  dg_log(LOG_NOTICE, "event=recovering plan_id=%s state=%s client_order_id=%s",
         j->p->plan_id, ex_dedupe_state_name(j->held.state), j->coid);
  if (j->held.state == EX_DD_SUBMITTED)
    return resolve_submitted(j);
  rc = call(j, OP_QUERY); /* claimed: never sent, but make sure */
  if (rc < 0)
    return STEP_STOP;
  if (rc == 0)
    return order_outcome(j);
  return not_found(j) ? STEP_NEXT : STEP_DONE;
}

/* What the record says. STEP_NEXT: go on (j->held says what we own). */
static step_t check_record(job_t *j) {
  ex_ctx_t *ctx = j->ctx;
  ex_dedupe_t cur, now;
  int rc, skewed;
  if (j->prefetched)
    cur = j->pre_rec;
  else if (ex_dedupe_read(ctx, j->dedupe_key, &cur) != 0)
    return STEP_STOP;
  if (cur.state == EX_DD_NONE)
    return STEP_NEXT;
  j->out.dedupe_hit = 1;
  j->out.order_id = cur.order_id;
  snprintf(j->out.executed_qty, sizeof j->out.executed_qty, "%s",
           cur.executed_qty);
  if (cur.state == EX_DD_FINAL) {
    snprintf(j->out.original_status, sizeof j->out.original_status, "%s",
             cur.status);
    return outcome(j, EX_ST_DROPPED_DUPLICATE, "duplicate plan_id");
  }
  if ((skewed = ex_dedupe_stamp_unbelievable(&cur, ex_now_ms())))
    dg_log(LOG_WARNING,
           "event=dedupe_stamp_future plan_id=%s consumer=%s ahead_ms=%lld "
           "action=\"not proof of a live owner: taken over; any send counts "
           "as made now\"",
           j->p->plan_id, cur.consumer,
           (long long)((cur.ts > cur.sent_ts ? cur.ts : cur.sent_ts) -
                       ex_now_ms()));
  if (!skewed && strcmp(cur.consumer, ctx->cfg->consumer) != 0 &&
      ex_now_ms() - cur.ts < ctx->cfg->claim_idle_s * 1000) {
    /* Its owner may be alive (it ACKs the entry when done) or dead since
     * less than ClaimIdle: look again later, as the entry's new owner. */
    j->leave_pending = 1;
    return outcome(j, EX_ST_ERROR,
                   "plan is being handled by consumer %s (record %s, %lld ms "
                   "old)",
                   cur.consumer, ex_dedupe_state_name(cur.state),
                   (long long)(ex_now_ms() - cur.ts));
  }
  j->out.dedupe_hit = 0;
  j->out.order_id = 0;
  j->out.executed_qty[0] = '\0';
  j->held = cur;
  rc = swap_state(j, cur.state,
                  skewed && cur.sent_ts != 0 ? ex_now_ms() : cur.sent_ts, &now);
  if (rc < 0)
    return STEP_STOP;
  if (rc == 0) {
    memset(&j->held, 0, sizeof j->held);
    return STEP_AGAIN; /* someone else moved first: look again */
  }
  return recover(j);
}

/* --- guardrails ------------------------------------------------------------
 */

/* Copy a string reply into out, truncated to fit (a longer value still
 * compares unequal); 1 when r is a string. */
static int copy_reply(char *out, size_t size, const redisReply *r) {
  size_t n;
  if (r->type != REDIS_REPLY_STRING)
    return 0;
  n = r->len < size - 1 ? r->len : size - 1;
  memcpy(out, r->str, n);
  out[n] = '\0';
  return 1;
}

/* The values of the HOLD key and its signature. */
static void store_hold(job_t *j, const redisReply *hold,
                       const redisReply *sig) {
  j->has_hold = copy_reply(j->pre_hold, sizeof j->pre_hold, hold);
  j->has_sig = copy_reply(j->pre_sig, sizeof j->pre_sig, sig);
}

/* The HOLD key and signature: MGET, unless read with the batch. */
static int read_hold(job_t *j) {
  redisReply *r;
  if (j->prefetched)
    return 0;
  r = ex_redis(j->ctx, (const char *[]){"MGET", j->hold_key, j->sig_key, NULL});
  if (r == NULL)
    return -1;
  j->has_hold = j->has_sig = 0;
  if (r->type == REDIS_REPLY_ARRAY && r->elements == 2)
    store_hold(j, r->element[0], r->element[1]);
  freeReplyObject(r);
  return 0;
}

static step_t check_plan(job_t *j) {
  ex_ctx_t *ctx = j->ctx;
  ex_facts_t facts = {.source = ctx->cfg->source,
                      .plan_key = ctx->plan_key,
                      .hold_key = j->hold_key};
  char why[320];
  ex_rule_t rule;
  if (read_hold(j) != 0)
    return STEP_STOP;
  facts.hold_value = j->has_hold ? j->pre_hold : NULL;
  facts.hold_sig = j->has_sig ? j->pre_sig : NULL;
  rule = ex_check_plan(&j->e, &facts, why, sizeof why);
  return rule == EX_RULE_NONE ? STEP_NEXT : guardrail(j, rule, why);
}

static step_t check_position(job_t *j) {
  char why[320];
  ex_rule_t rule;
  int rc = call(j, OP_POSITION);
  if (rc != 0)
    return rc < 0 ? STEP_STOP : STEP_DONE;
  rule = ex_check_position(j->p, j->live, why, sizeof why);
  return rule == EX_RULE_NONE ? STEP_NEXT : guardrail(j, rule, why);
}

/* EXPIRE the three HOLD keys (KEYS, ARGV[1] the lease) in one step; the
 * reply says whether the HOLD itself was still there. */
static dg_redis_script_t renew_script =
    DG_REDIS_SCRIPT("local held = redis.call('EXPIRE', KEYS[1], ARGV[1])\n"
                    "redis.call('EXPIRE', KEYS[2], ARGV[1])\n"
                    "redis.call('EXPIRE', KEYS[3], ARGV[1])\n"
                    "return held\n");

static step_t renew_lease(job_t *j) {
  ex_ctx_t *ctx = j->ctx;
  char reason_key[DG_KEY_MAX], sig_key[DG_KEY_MAX], ttl[16];
  redisReply *r;
  int held;
  dg_key_hold_reason(reason_key, sizeof reason_key, ctx->cfg->key_prefix,
                     j->p->symbol);
  dg_key_hold_sig(sig_key, sizeof sig_key, ctx->cfg->key_prefix, j->p->symbol);
  snprintf(ttl, sizeof ttl, "%ld", ctx->cfg->hold_lease_s);
  r = ex_redis_eval(
      ctx, &renew_script,
      (const char *[]){"3", j->hold_key, reason_key, sig_key, ttl, NULL});
  if (r == NULL)
    return STEP_STOP;
  held = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
  freeReplyObject(r);
  if (!held)
    return guardrail(j, EX_RULE_HOLD_KEY, "HOLD key released before execution");
  dg_log(LOG_INFO, "event=hold_lease_renewed symbol=%s ttl=%s plan_id=%s",
         j->p->symbol, ttl, j->p->plan_id);
  return STEP_NEXT;
}

/* --- execution ----------------------------------------------------------- */

static step_t claim(job_t *j) {
  ex_dedupe_t now;
  int rc;
  if (j->held.state != EX_DD_NONE)
    return STEP_NEXT; /* recovered: already ours */
  rc = swap_state(j, EX_DD_CLAIMED, 0, &now);
  return rc < 0 ? STEP_STOP : rc == 0 ? STEP_AGAIN : STEP_NEXT;
}

static step_t check_account(job_t *j) {
  int rc = call(j, OP_HEDGE_MODE);
  if (rc != 0)
    return rc < 0 ? STEP_STOP : STEP_DONE;
  if (!j->dual)
    return STEP_NEXT;
  j->certain = 1;
  return outcome(j, EX_ST_REJECTED_EXCHANGE,
                 "account is in hedge mode (dual side positions): driftguard "
                 "closes one-way mode positions only; switch the account to "
                 "one-way mode");
}

/* RedisMinReplicas: the "submitted" record, whose reply came over
 * connection conn, must be on that many replicas before the order goes
 * out. When it is not, nothing is sent: the record goes back to claimed
 * (no order can have gone out) and the plan waits for ClaimIdle. */
static step_t await_replicas(job_t *j, unsigned long conn) {
  ex_dedupe_t now;
  int rc = ex_replicas_acked(j->ctx, conn, j->p->plan_id);
  if (rc != 0)
    return rc < 0 ? STEP_STOP : STEP_NEXT;
  if (swap_state(j, EX_DD_CLAIMED, 0, &now) < 0)
    return STEP_STOP;
  j->leave_pending = 1;
  return outcome(j, EX_ST_ERROR,
                 "fewer than RedisMinReplicas (%ld) replicas acknowledged the "
                 "submitted record: nothing sent",
                 j->ctx->cfg->redis_min_replicas);
}

static step_t send_order(job_t *j) {
  for (int attempt = 1;; attempt++) {
    ex_dedupe_t now;
    step_t step;
    int rc = swap_state(j, EX_DD_SUBMITTED, ex_now_ms(), &now);
    if (rc < 0)
      return STEP_STOP;
    if (rc == 0)
      return outcome(j, EX_ST_ERROR,
                     "lost the plan's claim to consumer %s: nothing sent",
                     now.consumer);
    step = await_replicas(j, dg_redis_connection_number(j->ctx->redis));
    if (step != STEP_NEXT)
      return step;
    rc = call(j, OP_PLACE);
    if (rc < 0)
      return STEP_STOP;
    if (rc == 0)
      return order_outcome(j);
    if (j->res.not_executed) {
      j->certain = 1; /* not sent, or a documented refusal: not executed */
      return STEP_DONE;
    }
    /* Any other answer (none, one not understood, an error the venue
     * does not document as "not executed", a clock refusal that invites a
     * resend): the exchange is asked before anything is sent again. */
    dg_log(LOG_WARNING,
           "event=order_fate_unknown plan_id=%s client_order_id=%s attempt=%d "
           "status=%s http=%d code=%d",
           j->p->plan_id, j->coid, attempt, dg_ex_status_name(j->res.status),
           j->res.http_status, j->res.code);
    if ((step = resolve_submitted(j)) != STEP_NEXT)
      return step;
    /* Certainly not executed: the position must not have moved either. */
    if ((step = check_position(j)) != STEP_NEXT)
      return step;
    if (attempt >= MAX_SENDS) {
      j->certain = 1; /* resolved: none of the attempts was executed */
      return outcome(j, EX_ST_ERROR,
                     "order fate unknown %d times; not sent again", attempt);
    }
  }
}

/* A dry run goes through every check and stops right before sending. */
static step_t stop_if_dry_run(job_t *j) {
  if (!j->ctx->dry_run)
    return STEP_NEXT;
  j->certain = 1;
  return outcome(j, EX_ST_DRY_RUN, "dry run: no order sent");
}

static step_t run(job_t *j) {
  static step_t (*const steps[])(job_t *) = {
      check_record,   check_plan,  claim,           check_account,
      check_position, renew_lease, stop_if_dry_run, send_order,
  };
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    step_t step = steps[i](j);
    if (step != STEP_NEXT)
      return step;
  }
  return STEP_DONE;
}

/* --- the entry ---------------------------------------------------------- */

/* An uncertain outcome: leave the entry pending (1) or, after the dedupe
 * record's lifetime, give up with a final ERROR for a human (0). */
static int keep_pending(job_t *j) {
  int64_t since = j->held.sent_ts != 0 ? j->held.sent_ts
                  : j->held.ts != 0    ? j->held.ts
                                       : ex_now_ms();
  int64_t age_s = (ex_now_ms() - since) / 1000;
  if (j->leave_pending || age_s < EX_DEDUPE_TTL_S) {
    dg_log_limited(
        "plan_left_pending", LOG_WARNING,
        "event=plan_left_pending entry_id=%s plan_id=%s client_order_id=%s "
        "record=%s since_s=%lld reason=\"%s\" action=\"handled again "
        "after ClaimIdle (%ld s)\"",
        j->entry_id, j->p->plan_id, j->coid,
        ex_dedupe_state_name(j->held.state), (long long)age_s, j->out.error,
        j->ctx->cfg->claim_idle_s);
    return 1;
  }
  dg_log(LOG_ERR,
         "event=order_fate_unresolved plan_id=%s client_order_id=%s "
         "since_s=%lld action=\"gave up: ask the exchange for the client "
         "order id by hand\"",
         j->p->plan_id, j->coid, (long long)age_s);
  j->certain = 1;
  j->out.status = EX_ST_ERROR;
  snprintf(j->out.error, sizeof j->out.error,
           "order fate unresolved for %lld s: check client order id %s on the "
           "exchange by hand",
           (long long)age_s, j->coid);
  return 0;
}

/* The entries of one read, handled in order. */
struct batch {
  job_t *jobs;
  size_t n;
};

/* Write the results of the deferred entries, in one round trip. */
static int flush_deferred(batch_t *b) {
  ex_finish_t *f = calloc(b->n, sizeof *f);
  const ex_outcome_t **o = calloc(b->n, sizeof *o);
  size_t m = 0;
  int rc = -1;
  if (f != NULL && o != NULL) {
    for (size_t i = 0; i < b->n; i++)
      if (b->jobs[i].deferred) {
        b->jobs[i].deferred = 0;
        f[m] = b->jobs[i].fin;
        o[m++] = &b->jobs[i].out;
      }
    rc = m > 0 ? ex_finish_many(b->jobs[0].ctx, f, o, m) : 0;
  }
  free(f);
  free(o);
  return rc;
}

static int finish(job_t *j) {
  ex_finish_t *f = &j->fin;
  int rc;
  *f = (ex_finish_t){.entry_id = j->entry_id,
                     .plan_id = j->p != NULL ? j->p->plan_id : NULL,
                     .symbol = j->p != NULL ? j->p->symbol : NULL,
                     .client_order_id = j->p != NULL ? j->coid : NULL,
                     .dedupe_key = j->p != NULL ? j->dedupe_key : NULL,
                     .held = &j->held};
  if ((j->leave_pending || (!j->certain && j->held.state == EX_DD_SUBMITTED)) &&
      keep_pending(j))
    return 0;
  /* A claimed record was never sent: whatever happened is certain. */
  if ((j->certain && j->held.state != EX_DD_NONE) ||
      j->held.state == EX_DD_CLAIMED) {
    j->final_rec = j->held;
    j->final_rec.state = EX_DD_FINAL;
    j->final_rec.ts = ex_now_ms();
    j->final_rec.order_id = j->out.order_id;
    snprintf(j->final_rec.status, sizeof j->final_rec.status, "%s",
             ex_status_name(j->out.status));
    snprintf(j->final_rec.executed_qty, sizeof j->final_rec.executed_qty, "%s",
             j->out.executed_qty);
    if (ex_dedupe_encode(&j->final_rec) == 0)
      f->final_rec = &j->final_rec;
  }
  /* Nothing of ours in the record (a rejection before the claim, a
   * duplicate): its result and ACK can wait for the batch's pipeline. */
  if (j->batch != NULL && j->held.state == EX_DD_NONE && f->final_rec == NULL) {
    j->deferred = 1;
    return 0;
  }
  if (j->batch != NULL && flush_deferred(j->batch) != 0) /* keep the order */
    return -1;
  rc = ex_finish(j->ctx, f, &j->out);
  dg_log_flush();
  return rc;
}

/* Parse the entry and name its keys; 0, or -1 with the malformed outcome
 * set. */
static int prepare(job_t *j, ex_ctx_t *ctx, const char *entry_id,
                   const redisReply *fields) {
  const char *names[MAX_FIELDS];
  size_t lens[MAX_FIELDS], n = 0;
  char why[320] = "entry was deleted from the stream";
  j->ctx = ctx;
  j->entry_id = entry_id;
  if (fields != NULL) {
    snprintf(why, sizeof why, "entry has more than %d fields", MAX_FIELDS);
    for (n = 0; n < fields->elements && n < MAX_FIELDS; n++) {
      const redisReply *f = fields->element[n];
      names[n] = f->type == REDIS_REPLY_STRING ? f->str : "";
      lens[n] = f->type == REDIS_REPLY_STRING ? f->len : 0;
    }
  }
  if (fields == NULL || fields->elements > MAX_FIELDS ||
      ex_parse_entry(names, lens, n, &j->e, why, sizeof why) != EX_RULE_NONE) {
    guardrail(j, EX_RULE_MALFORMED, why);
    return -1;
  }
  j->p = &j->e.plan;
  if (dg_key_hold(j->hold_key, sizeof j->hold_key, ctx->cfg->key_prefix,
                  j->p->symbol) < 0 ||
      dg_key_hold_sig(j->sig_key, sizeof j->sig_key, ctx->cfg->key_prefix,
                      j->p->symbol) < 0 ||
      dg_key_dedupe(j->dedupe_key, sizeof j->dedupe_key, ctx->cfg->key_prefix,
                    j->p->plan_id) < 0 ||
      dg_client_order_id(j->p->plan_id, j->coid) != 0) {
    guardrail(j, EX_RULE_MALFORMED, "plan_id or symbol too long for a key");
    return -1;
  }
  j->ready = 1;
  return 0;
}

/* Read every plan's dedupe record and HOLD keys with one MGET. Any
 * trouble: no prefetch, each plan reads its own. The values only decide
 * first looks: a claim is still a compare-and-set, and the HOLD is
 * checked again (EXPIRE) right before an order. */
static void prefetch(ex_ctx_t *ctx, job_t *jobs, size_t n) {
  const char **argv;
  redisReply *r = NULL;
  size_t argc = 0;
  if (n < 2 || (argv = calloc(1 + 3 * n, sizeof *argv)) == NULL)
    return;
  argv[argc++] = "MGET";
  for (size_t i = 0; i < n; i++)
    if (jobs[i].ready) {
      argv[argc++] = jobs[i].dedupe_key;
      argv[argc++] = jobs[i].hold_key;
      argv[argc++] = jobs[i].sig_key;
    }
  if (argc > 1)
    r = dg_redis_command_argv(ctx->redis, (int)argc, argv, NULL);
  if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == argc - 1) {
    redisReply **v = r->element;
    for (size_t i = 0; i < n; i++) {
      job_t *j = &jobs[i];
      if (!j->ready)
        continue;
      if (v[0]->type == REDIS_REPLY_STRING)
        ex_dedupe_decode(v[0]->str, v[0]->len, &j->pre_rec);
      store_hold(j, v[1], v[2]);
      j->prefetched = 1;
      v += 3;
    }
  }
  if (r != NULL)
    freeReplyObject(r);
  free(argv);
}

/* One plan end to end: 0 once handled, -1 when stopping. */
static int apply_job(job_t *j) {
  step_t step = STEP_DONE;
  if (j->ready) {
    step = STEP_AGAIN;
    /* A record that changed under us (another consumer): look again, a
     * few times, reading afresh; it ends as a duplicate or in our hands. */
    for (int tries = 0; step == STEP_AGAIN && tries < 5; tries++) {
      memset(&j->out, 0, sizeof j->out);
      j->certain = 0;
      j->leave_pending = 0;
      step = run(j);
      j->prefetched = 0;
    }
    if (step == STEP_AGAIN)
      outcome(j, EX_ST_ERROR, "dedupe record kept changing; plan not handled");
  }
  return step == STEP_STOP ? -1 : finish(j);
}

int ex_apply_batch(ex_ctx_t *ctx, const redisReply *list, char *last,
                   size_t last_size) {
  job_t *jobs;
  batch_t batch;
  size_t n = 0;
  int64_t since;
  int handled = 0;
  if (list == NULL || list->type != REDIS_REPLY_ARRAY || list->elements == 0)
    return 0;
  if ((jobs = calloc(list->elements, sizeof *jobs)) == NULL)
    return -1;
  for (size_t i = 0; i < list->elements; i++) {
    const redisReply *e = list->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 1 ||
        e->element[0]->type != REDIS_REPLY_STRING)
      continue;
    jobs[n].batch = &batch;
    prepare(&jobs[n++], ctx, e->element[0]->str,
            e->elements >= 2 && e->element[1]->type == REDIS_REPLY_ARRAY
                ? e->element[1]
                : NULL);
  }
  batch = (batch_t){.jobs = jobs, .n = n};
  /* Rejections and duplicates log two lines each: write them together. */
  dg_log_buffer_begin();
  prefetch(ctx, jobs, n);
  since = ex_now_ms();
  for (size_t i = 0; i < n; i++) {
    if (ex_now_ms() - since > PREFETCH_FRESH_MS)
      jobs[i].prefetched = 0; /* slow plans went first: read afresh */
    if (*ctx->stop || apply_job(&jobs[i]) != 0) {
      handled = -1;
      break;
    }
    handled++;
  }
  /* Handled entries that wait for the pipeline are written even when a
   * stop came: they cost one round trip. */
  if (flush_deferred(&batch) != 0)
    handled = -1;
  dg_log_buffer_end();
  if (last != NULL && handled > 0)
    snprintf(last, last_size, "%s", jobs[handled - 1].entry_id);
  free(jobs);
  return handled;
}
