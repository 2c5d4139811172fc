/* apply.c - the exactly-once machine: one plan, one step after another,
 * each step returning ONE verdict (verdict.h); the table (verdict.c) maps
 * the last verdict and the record held to what is written.
 *
 *   record -> plan -> claim -> account (rule mode) -> position -> lease
 *   -> dry run -> send
 *
 * record: a final record ends the plan as a duplicate; a claimed or
 * submitted one (a crash, a re-delivery, a dead consumer) is taken over
 * and the exchange is asked for the client order id before anything else.
 * send: the record turns "submitted" (a compare-and-set) BEFORE the order
 * goes out. An ambiguous answer (timeout, lost connection, a reply the
 * venue documents as "execution status unknown", a clock-skew refusal:
 * anything but an acceptance or a refusal the venue documents as "not
 * executed") is resolved in line: query the client order id; if the
 * exchange does not know it, wait until the request's recvWindow has
 * certainly passed (a venue may say "order not found" for a while after
 * creation), query again, then read the
 * position: only an unmoved position allows a resend with the same client
 * order id. Otherwise the verdict is UNSURE: the table leaves the entry
 * pending, XAUTOCLAIM hands it back every ClaimIdle to ask the exchange
 * again (never sending blindly); after 24 h, ERROR for a human. */
#include "executor/apply.h"
#include "executor/replicas.h"

#include "driftguard/log.h"
#include "driftguard/log_limit.h"

#include <stdio.h>
#include <string.h>

#define MAX_SENDS 3 /* order requests per plan, ambiguous ones */
#define MAX_LOOKS 5 /* reads of a record that keeps changing */

/* Move the held record to state (compare-and-set): 1, 0 when it changed
 * meanwhile (*now holds it), -1 when stopping. */
static int swap_state(ex_job_t *j, ex_dd_state_t state, int64_t sent_ts,
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

static ex_verdict_t step_record(ex_job_t *j) {
  ex_ctx_t *ctx = j->ctx;
  ex_dedupe_t cur, now;
  int rc, skewed;
  if (j->prefetched)
    cur = j->pre_rec;
  else if (ex_dedupe_read(ctx, j->dedupe_key, &cur) != 0)
    return EX_V_STOP;
  if (cur.state == EX_DD_NONE)
    return EX_V_NEXT;
  if (cur.state == EX_DD_FINAL) {
    j->out.dedupe_hit = 1;
    snprintf(j->out.order_id, sizeof j->out.order_id, "%s", cur.order_id);
    snprintf(j->out.executed_qty, sizeof j->out.executed_qty, "%s",
             cur.executed_qty);
    snprintf(j->out.original_status, sizeof j->out.original_status, "%s",
             cur.status);
    return final(j, EX_ST_DROPPED_DUPLICATE, "duplicate plan_id");
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
    j->out.dedupe_hit = 1;
    snprintf(j->out.order_id, sizeof j->out.order_id, "%s", cur.order_id);
    snprintf(j->out.executed_qty, sizeof j->out.executed_qty, "%s",
             cur.executed_qty);
    ex_outcome_set(&j->out, EX_ST_ERROR,
                   "plan is being handled by consumer %s (record %s, %lld ms "
                   "old)",
                   cur.consumer, ex_dedupe_state_name(cur.state),
                   (long long)(ex_now_ms() - cur.ts));
    return EX_V_PENDING;
  }
  j->held = cur;
  rc = swap_state(j, cur.state,
                  skewed && cur.sent_ts != 0 ? ex_now_ms() : cur.sent_ts, &now);
  if (rc <= 0)
    memset(&j->held, 0, sizeof j->held);
  return rc < 0 ? EX_V_STOP : rc == 0 ? EX_V_AGAIN : ex_job_recover(j);
}

static ex_verdict_t step_plan(ex_job_t *j) {
  ex_facts_t facts = {.source = j->ctx->cfg->source,
                      .plan_key = j->ctx->plan_key,
                      .hold_key = j->hold_key};
  char why[320];
  ex_rule_t rule;
  if (ex_job_read_hold(j) != 0)
    return EX_V_STOP;
  facts.hold_value = j->has_hold ? j->pre_hold : NULL;
  facts.hold_sig = j->has_sig ? j->pre_sig : NULL;
  rule = ex_check_plan(&j->e, &facts, why, sizeof why);
  return rule == EX_RULE_NONE ? EX_V_NEXT : ex_job_guardrail(j, rule, why);
}

static ex_verdict_t step_claim(ex_job_t *j) {
  ex_dedupe_t now;
  int rc;
  if (j->held.state != EX_DD_NONE)
    return EX_V_NEXT; /* recovered: already ours */
  rc = swap_state(j, EX_DD_CLAIMED, 0, &now);
  return rc < 0 ? EX_V_STOP : rc == 0 ? EX_V_AGAIN : EX_V_NEXT;
}

/* Rule mode: the live position mode, read before every order (it can be
 * switched while driftguard runs). */
static ex_verdict_t step_account(ex_job_t *j) {
  char why[320];
  ex_rule_t rule;
  ex_verdict_t v = ex_job_call(j, EX_OP_HEDGE_MODE);
  if (v != EX_V_NEXT)
    return v;
  rule = ex_check_mode(j->p, j->call.dual, why, sizeof why);
  return rule == EX_RULE_NONE ? EX_V_NEXT : ex_job_guardrail(j, rule, why);
}

static ex_verdict_t step_position(ex_job_t *j) {
  char why[320];
  ex_rule_t rule;
  ex_verdict_t v = ex_job_call(j, EX_OP_POSITION);
  if (v != EX_V_NEXT)
    return v;
  rule = ex_check_position(j->p, j->call.live, why, sizeof why);
  return rule == EX_RULE_NONE ? EX_V_NEXT : ex_job_guardrail(j, rule, why);
}

static ex_verdict_t step_lease(ex_job_t *j) {
  int held = ex_job_renew_lease(j);
  if (held < 0)
    return EX_V_STOP;
  return held ? EX_V_NEXT
              : ex_job_guardrail(j, EX_RULE_HOLD_KEY,
                                 "HOLD key released before execution");
}

/* A dry run goes through every check and stops right before sending. */
static ex_verdict_t step_dry_run(ex_job_t *j) {
  return j->ctx->dry_run ? final(j, EX_ST_DRY_RUN, "dry run: no order sent")
                         : EX_V_NEXT;
}

static ex_verdict_t step_send(ex_job_t *j) {
  for (int attempt = 1;; attempt++) {
    ex_dedupe_t now;
    ex_verdict_t v;
    /* NEVER TWO FILLS FOR ONE PLAN: the record says "submitted" before any
     * order goes out, by compare-and-set, so one consumer alone may send;
     * below, a second send only follows an exchange that does not know
     * the first one after its recvWindow AND an unmoved position; and the
     * table (verdict.c) never finalises a submitted record on an unsure
     * outcome. */
    int rc = swap_state(j, EX_DD_SUBMITTED, ex_now_ms(), &now);
    if (rc < 0)
      return EX_V_STOP;
    if (rc == 0)
      return unsure(j, EX_ST_ERROR,
                    "lost the plan's claim to consumer %s: nothing sent",
                    now.consumer);
    /* RedisMinReplicas (replicas.c): the submitted record on that many
     * replicas, or nothing is sent: back to claimed, the plan waits. */
    rc = ex_replicas_acked(j->ctx, dg_redis_connection_number(j->ctx->redis),
                           j->p->plan_id);
    if (rc <= 0)
      return rc < 0 || swap_state(j, EX_DD_CLAIMED, 0, &now) < 0 ? EX_V_STOP
                                                                 : EX_V_PENDING;
    if ((v = ex_job_call(j, EX_OP_PLACE)) == EX_V_NEXT)
      return ex_job_order_outcome(j);
    if (v == EX_V_STOP || j->call.res.not_executed)
      return v == EX_V_STOP ? v : EX_V_FINAL; /* a documented refusal */
    dg_log(LOG_WARNING,
           "event=order_fate_unknown plan_id=%s client_order_id=%s attempt=%d "
           "status=%s http=%d code=%d",
           j->p->plan_id, j->coid, attempt,
           dg_ex_status_name(j->call.res.status), j->call.res.http_status,
           j->call.res.code);
    /* The recvWindow runs from the request itself, which a clock re-sync
     * or a wait for Redis may have delayed past the stamp above. */
    if (j->call.res.sent_ms > j->held.sent_ts &&
        (rc = swap_state(j, EX_DD_SUBMITTED, j->call.res.sent_ms, &now)) <= 0)
      return rc < 0 ? EX_V_STOP : EX_V_UNSURE;
    if ((v = ex_job_resolve(j)) != EX_V_NEXT)
      return v;
    /* Certainly not executed: the position must not have moved either. */
    if ((v = step_position(j)) != EX_V_NEXT)
      return v;
    if (attempt >= MAX_SENDS) /* resolved: none was executed */
      return final(j, EX_ST_ERROR,
                   "order fate unknown %d times; not sent again", attempt);
  }
}

static ex_verdict_t run(ex_job_t *j) {
  static ex_verdict_t (*const steps[])(ex_job_t *) = {
      step_record,   step_plan,  step_claim,   step_account,
      step_position, step_lease, step_dry_run, step_send,
  };
  ex_verdict_t v = EX_V_NEXT;
  for (size_t i = 0; v == EX_V_NEXT && i < sizeof steps / sizeof steps[0]; i++)
    v = steps[i](j);
  return v;
}

/* The entry's record as the table wants it written. */
static void set_finish(ex_job_t *j, ex_action_t a) {
  j->fin = (ex_finish_t){.entry_id = j->entry_id,
                         .plan_id = j->p != NULL ? j->p->plan_id : NULL,
                         .symbol = j->p != NULL ? j->p->symbol : NULL,
                         .client_order_id = j->p != NULL ? j->coid : NULL,
                         .dedupe_key = j->p != NULL ? j->dedupe_key : NULL,
                         .held = &j->held};
  if (a != EX_ACT_FINAL)
    return;
  j->final_rec = j->held;
  j->final_rec.state = EX_DD_FINAL;
  j->final_rec.ts = ex_now_ms();
  snprintf(j->final_rec.order_id, sizeof j->final_rec.order_id, "%s",
           j->out.order_id);
  snprintf(j->final_rec.status, sizeof j->final_rec.status, "%s",
           ex_status_name(j->out.status));
  snprintf(j->final_rec.executed_qty, sizeof j->final_rec.executed_qty, "%s",
           j->out.executed_qty);
  if (ex_dedupe_encode(&j->final_rec) == 0)
    j->fin.final_rec = &j->final_rec;
}

ex_action_t ex_job_apply(ex_job_t *j, ex_verdict_t v) {
  ex_action_t a;
  int64_t age_s;
  /* A record that changed under us (another consumer): look again, a few
   * times, reading afresh; it ends as a duplicate or in our hands. */
  for (int looks = 0;; looks++) {
    if (v == EX_V_NEXT) {
      memset(&j->out, 0, sizeof j->out);
      v = looks < MAX_LOOKS
              ? run(j)
              : unsure(j, EX_ST_ERROR,
                       "dedupe record kept changing; plan not handled");
      j->prefetched = 0;
    }
    age_s = (ex_now_ms() - (j->held.sent_ts != 0 ? j->held.sent_ts
                            : j->held.ts != 0    ? j->held.ts
                                                 : ex_now_ms())) /
            1000;
    if ((a = ex_action_of(v, j->held.state, age_s)) != EX_ACT_AGAIN)
      break; /* THE table: verdict x record held -> what is written */
    v = EX_V_NEXT;
  }
  if (a == EX_ACT_PENDING)
    dg_log_limited(
        "plan_left_pending", LOG_WARNING,
        "event=plan_left_pending entry_id=%s plan_id=%s client_order_id=%s "
        "record=%s since_s=%lld reason=\"%s\" action=\"handled again "
        "after ClaimIdle (%ld s)\"",
        j->entry_id, j->p->plan_id, j->coid,
        ex_dedupe_state_name(j->held.state), (long long)age_s, j->out.error,
        j->ctx->cfg->claim_idle_s);
  if (a == EX_ACT_GIVE_UP) {
    dg_log(LOG_ERR,
           "event=order_fate_unresolved plan_id=%s client_order_id=%s "
           "since_s=%lld action=\"gave up: ask the exchange for the client "
           "order id by hand\"",
           j->p->plan_id, j->coid, (long long)age_s);
    ex_outcome_set(&j->out, EX_ST_ERROR,
                   "order fate unresolved for %lld s: check client order id "
                   "%s on the exchange by hand",
                   (long long)age_s, j->coid);
    a = EX_ACT_FINAL;
  }
  set_finish(j, a);
  return a;
}
