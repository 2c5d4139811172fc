/* batch.c - the entries of one stream read, handled in order: their
 * dedupe records and HOLD keys read in one MGET first, the results of the
 * entries that own no record (rejections, duplicates) written together in
 * one pipeline, and their log lines written together. Pure speed: every
 * decision is apply.c's, every first look is checked again where it
 * matters (a claim is a compare-and-set, the HOLD is renewed right before
 * an order). */
#include "executor/batch.h"

#include "driftguard/log.h"
#include "executor/apply.h"

#include <stdio.h>
#include <stdlib.h>

#define PREFETCH_FRESH_MS 1000 /* a batch's reads serve plans this long */

/* Read every plan's dedupe record and HOLD keys with one MGET. Any
 * trouble: no prefetch, each plan reads its own. */
static void prefetch(ex_ctx_t *ctx, ex_job_t *jobs, const ex_verdict_t *v,
                     size_t n) {
  const char **argv;
  redisReply *r = NULL;
  size_t argc = 0;
  if (n < 2 || (argv = calloc(1 + 3 * n, sizeof *argv)) == NULL)
    return;
  argv[argc++] = "MGET";
  for (size_t i = 0; i < n; i++)
    if (v[i] == EX_V_NEXT) {
      argv[argc++] = jobs[i].dedupe_key;
      argv[argc++] = jobs[i].hold_key;
      argv[argc++] = jobs[i].sig_key;
    }
  if (argc > 1)
    r = dg_redis_command_argv(ctx->redis, (int)argc, argv, NULL);
  if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == argc - 1) {
    redisReply **e = r->element;
    for (size_t i = 0; i < n; i++) {
      ex_job_t *j = &jobs[i];
      if (v[i] != EX_V_NEXT)
        continue;
      if (e[0]->type == REDIS_REPLY_STRING)
        ex_dedupe_decode(e[0]->str, e[0]->len, &j->pre_rec);
      ex_job_store_hold(j, e[1], e[2]);
      j->prefetched = 1;
      e += 3;
    }
  }
  if (r != NULL)
    freeReplyObject(r);
  free(argv);
}

/* Write the results of the deferred entries, in one round trip. */
static int flush_deferred(ex_job_t *jobs, size_t n) {
  ex_finish_t *f = calloc(n, sizeof *f);
  const ex_outcome_t **o = calloc(n, sizeof *o);
  size_t m = 0;
  int rc = -1;
  if (f != NULL && o != NULL) {
    for (size_t i = 0; i < n; i++)
      if (jobs[i].deferred) {
        jobs[i].deferred = 0;
        f[m] = jobs[i].fin;
        o[m++] = &jobs[i].out;
      }
    rc = m > 0 ? ex_finish_many(jobs[0].ctx, f, o, m) : 0;
  }
  free(f);
  free(o);
  return rc;
}

/* Carry out job i's action: 0, -1 when stopping. */
static int carry_out(ex_job_t *jobs, size_t i, ex_action_t a) {
  ex_job_t *j = &jobs[i];
  int rc;
  switch (a) {
  case EX_ACT_PENDING:
    return 0;
  case EX_ACT_RESULT: /* nothing of ours in the record: it can wait */
    j->deferred = 1;
    return 0;
  case EX_ACT_FINAL: /* earlier results first: the stream keeps the order */
    if (flush_deferred(jobs, i) != 0)
      return -1;
    rc = ex_finish(j->ctx, &j->fin, &j->out);
    dg_log_flush();
    return rc;
  default:
    return -1;
  }
}

int ex_apply_batch(ex_ctx_t *ctx, const redisReply *list, char *last,
                   size_t last_size) {
  ex_job_t *jobs;
  ex_verdict_t *first;
  size_t n = 0;
  int64_t since;
  int handled = 0;
  if (list == NULL || list->type != REDIS_REPLY_ARRAY || list->elements == 0)
    return 0;
  jobs = calloc(list->elements, sizeof *jobs);
  first = calloc(list->elements, sizeof *first);
  if (jobs == NULL || first == NULL) {
    free(jobs);
    free(first);
    return -1;
  }
  for (size_t i = 0; i < list->elements; i++) {
    const redisReply *e = list->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 1 ||
        e->element[0]->type != REDIS_REPLY_STRING)
      continue;
    first[n] = ex_job_prepare(&jobs[n], ctx, e->element[0]->str,
                              e->elements >= 2 &&
                                      e->element[1]->type == REDIS_REPLY_ARRAY
                                  ? e->element[1]
                                  : NULL);
    n++;
  }
  /* Rejections and duplicates log two lines each: write them together. */
  dg_log_buffer_begin();
  prefetch(ctx, jobs, first, n);
  since = ex_now_ms();
  for (size_t i = 0; i < n; i++) {
    if (ex_now_ms() - since > PREFETCH_FRESH_MS)
      jobs[i].prefetched = 0; /* slow plans went first: read afresh */
    if (*ctx->stop ||
        carry_out(jobs, i, ex_job_apply(&jobs[i], first[i])) != 0) {
      handled = -1;
      break;
    }
    handled++;
  }
  /* Handled entries that wait for the pipeline are written even when a
   * stop came: they cost one round trip. */
  if (flush_deferred(jobs, n) != 0)
    handled = -1;
  dg_log_buffer_end();
  if (last != NULL && handled > 0)
    snprintf(last, last_size, "%s", jobs[handled - 1].entry_id);
  free(first);
  free(jobs);
  return handled;
}
