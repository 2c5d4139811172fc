/* facts.c - what the guardrails know besides the exchange: the stream
 * entry parsed into a plan with its keys named, the HOLD key and its
 * signature, the HOLD's lease renewed right before an order, and the
 * verdict of a rule that fails. */
#include "executor/apply.h"

#include "driftguard/log.h"
#include "driftguard/log_limit.h"
#include "driftguard/plan.h"

#include <stdio.h>
#include <string.h>

#define MAX_FIELDS 64

ex_verdict_t ex_job_prepare(ex_job_t *j, ex_ctx_t *ctx, const char *entry_id,
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
      ex_parse_entry(names, lens, n, &j->e, why, sizeof why) != EX_RULE_NONE)
    return ex_job_guardrail(j, EX_RULE_MALFORMED, why);
  j->p = &j->e.plan;
  j->call.plan = j->p;
  j->call.coid = j->coid;
  if (dg_key_hold(j->hold_key, sizeof j->hold_key, ctx->cfg->key_prefix,
                  j->p->symbol) < 0 ||
      dg_key_hold_sig(j->sig_key, sizeof j->sig_key, ctx->cfg->key_prefix,
                      j->p->symbol) < 0 ||
      dg_key_dedupe(j->dedupe_key, sizeof j->dedupe_key, ctx->cfg->key_prefix,
                    j->p->plan_id) < 0 ||
      dg_exchange_client_order_id(ctx->exchange, j->p->plan_id, j->coid) != 0)
    return ex_job_guardrail(j, EX_RULE_MALFORMED,
                            "plan_id or symbol too long for a key");
  return EX_V_NEXT;
}

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

void ex_job_store_hold(ex_job_t *j, const redisReply *hold,
                       const redisReply *sig) {
  j->has_hold = copy_reply(j->pre_hold, sizeof j->pre_hold, hold);
  j->has_sig = copy_reply(j->pre_sig, sizeof j->pre_sig, sig);
}

int ex_job_read_hold(ex_job_t *j) {
  redisReply *r;
  if (j->prefetched)
    return 0;
  r = ex_redis(j->ctx, (const char *[]){"MGET", j->hold_key, j->sig_key, NULL});
  if (r == NULL)
    return -1;
  j->has_hold = j->has_sig = 0;
  if (r->type == REDIS_REPLY_ARRAY && r->elements == 2)
    ex_job_store_hold(j, r->element[0], r->element[1]);
  freeReplyObject(r);
  return 0;
}

/* EXPIRE the three HOLD keys (KEYS, ARGV[1] the lease) in one step; the
 * reply says whether the HOLD itself was still there. */
static dg_redis_script_t renew_script =
    DG_REDIS_SCRIPT("local held = redis.call('EXPIRE', KEYS[1], ARGV[1])\n"
                    "redis.call('EXPIRE', KEYS[2], ARGV[1])\n"
                    "redis.call('EXPIRE', KEYS[3], ARGV[1])\n"
                    "return held\n");

int ex_job_renew_lease(ex_job_t *j) {
  ex_ctx_t *ctx = j->ctx;
  char reason_key[DG_KEY_MAX], ttl[16];
  redisReply *r;
  int held;
  dg_key_hold_reason(reason_key, sizeof reason_key, ctx->cfg->key_prefix,
                     j->p->symbol);
  snprintf(ttl, sizeof ttl, "%ld", ctx->cfg->hold_lease_s);
  r = ex_redis_eval(
      ctx, &renew_script,
      (const char *[]){"3", j->hold_key, reason_key, j->sig_key, ttl, NULL});
  if (r == NULL)
    return -1;
  held = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
  freeReplyObject(r);
  if (held)
    dg_log(LOG_INFO, "event=hold_lease_renewed symbol=%s ttl=%s plan_id=%s",
           j->p->symbol, ttl, j->p->plan_id);
  return held;
}

ex_verdict_t ex_job_guardrail(ex_job_t *j, ex_rule_t rule, const char *why) {
  char kind[DG_LOG_LIMIT_KIND_MAX];
  if (j->held.state == EX_DD_SUBMITTED) /* a late order may still show */
    return unsure(j, EX_ST_ERROR,
                  "order fate unknown: client order id %s not found after "
                  "recvWindow, and %s",
                  j->coid, why);
  j->out.rule = rule;
  snprintf(kind, sizeof kind, "invariant_violation:%s", ex_rule_name(rule));
  dg_log_limited(
      kind, LOG_WARNING,
      "event=invariant_violation rule=%s plan_id=%s symbol=%s reason=\"%s\"",
      ex_rule_name(rule), j->p != NULL ? j->p->plan_id : "",
      j->p != NULL ? j->p->symbol : "", why);
  return final(j, EX_ST_REJECTED_GUARDRAIL, "%s", why);
}
