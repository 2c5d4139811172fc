/* apply.h - one plan, one job: the steps of the exactly-once machine
 * (apply.c) over the job's state, and the facts they read (facts.c). The
 * batch of a stream read (batch.c) prepares the jobs, reads their records
 * and HOLD keys together, runs each and carries out its action. */
#ifndef DG_EXECUTOR_APPLY_H
#define DG_EXECUTOR_APPLY_H

#include "driftguard/drift.h"
#include "executor/dedupe.h"
#include "executor/exchange_call.h"
#include "executor/executor.h"
#include "executor/invariants.h"
#include "executor/results.h"
#include "executor/verdict.h"

typedef struct {
  ex_ctx_t *ctx;
  const char *entry_id;
  ex_entry_t e;
  const dg_plan_t *p; /* the parsed plan; NULL when the entry is not one */
  char hold_key[DG_KEY_MAX];
  char sig_key[DG_KEY_MAX];
  char dedupe_key[DG_KEY_MAX];
  char coid[DG_CLIENT_ORDER_ID_MAX + 1];
  ex_dedupe_t held; /* the record this consumer owns (state NONE: none) */
  ex_outcome_t out;
  ex_call_t call; /* the last exchange call and its answer */
  /* Facts read ahead (with the batch), used once when prefetched. */
  int prefetched;
  ex_dedupe_t pre_rec;
  char pre_hold[8], pre_sig[DG_SIGNATURE_LEN + 2];
  int has_hold, has_sig;
  /* How the entry ends (the table's action, carried out by batch.c). */
  ex_finish_t fin;
  ex_dedupe_t final_rec; /* fin.final_rec when the record turns final */
  int deferred;          /* batch.c: the result waits for its pipeline */
} ex_job_t;

/* Parse the entry (fields NULL when deleted) and name its keys:
 * EX_V_NEXT, or EX_V_FINAL with the malformed outcome set. */
ex_verdict_t ex_job_prepare(ex_job_t *j, ex_ctx_t *ctx, const char *entry_id,
                            const redisReply *fields);

/* Run the steps from v (the verdict of ex_job_prepare) and decide by the
 * table how the entry ends: j->fin is set for EX_ACT_RESULT, EX_ACT_FINAL
 * and EX_ACT_GIVE_UP; nothing is written here. Returns EX_ACT_STOP,
 * EX_ACT_PENDING, EX_ACT_RESULT or EX_ACT_FINAL (a give-up is final). */
ex_action_t ex_job_apply(ex_job_t *j, ex_verdict_t v);

/* facts.c: a rule failed: the rejection, logged (UNSURE once an order may
 * have been sent: a failed rule proves nothing executed). */
ex_verdict_t ex_job_guardrail(ex_job_t *j, ex_rule_t rule, const char *why);

/* Set the outcome and give the verdict that goes with it. */
#define final(j, ...) (ex_outcome_set(&(j)->out, __VA_ARGS__), EX_V_FINAL)
#define unsure(j, ...) (ex_outcome_set(&(j)->out, __VA_ARGS__), EX_V_UNSURE)

/* resolve.c: asking the exchange. */

/* One exchange call (exchange_call.h): NEXT on success, STOP, or UNSURE
 * with the failure's outcome set. */
ex_verdict_t ex_job_call(ex_job_t *j, ex_op_t op);
/* The outcome of the order in j->call.order, with its audit line: FINAL. */
ex_verdict_t ex_job_order_outcome(ex_job_t *j);
/* A submitted order of unknown fate: FINAL when the exchange knows it
 * (its outcome), NEXT when it does not once the recvWindow counted from
 * j->held.sent_ts (the latest send) has certainly passed (waited for in
 * line), else UNSURE/STOP. */
ex_verdict_t ex_job_resolve(ex_job_t *j);
/* A claimed or submitted record just taken over: ask the exchange first
 * (NEXT: the order is not known, go on). */
ex_verdict_t ex_job_recover(ex_job_t *j);

/* facts.c: the entry and the guardrails' facts from Redis. */

/* The HOLD key's value and its signature, from MGET replies. */
void ex_job_store_hold(ex_job_t *j, const redisReply *hold,
                       const redisReply *sig);
/* The HOLD key and its signature (unless prefetched): 0, -1 stopping. */
int ex_job_read_hold(ex_job_t *j);
/* EXPIRE the HOLD and its companions to the lease in one step: 1 when the
 * HOLD was still there, 0 when it was released, -1 when stopping. */
int ex_job_renew_lease(ex_job_t *j);

#endif
