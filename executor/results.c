/* results.c - the end of every stream entry (see results.h): record, result
 * entry and ACK in one script (or, for a batch's entries without a record,
 * one transaction), so a crash leaves either all or none of them; then
 * counters and one log line. */
#include "executor/results.h"

#include "driftguard/log.h"
#include "driftguard/log_limit.h"
#include "executor/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESULT_STREAM_MAXLEN "100000"

static const char *const status_names[] = {
    [EX_ST_EXECUTED] = "EXECUTED",
    [EX_ST_DROPPED_DUPLICATE] = "DROPPED_DUPLICATE",
    [EX_ST_REJECTED_GUARDRAIL] = "REJECTED_GUARDRAIL",
    [EX_ST_RETRYABLE_RATE_LIMIT] = "RETRYABLE_RATE_LIMIT",
    [EX_ST_REJECTED_EXCHANGE] = "REJECTED_EXCHANGE",
    [EX_ST_ERROR] = "ERROR",
    [EX_ST_DRY_RUN] = "DRY_RUN",
};

/* KEYS: record, result stream, plan stream. ARGV: expected record, new
 * record ('' = leave it), TTL, group, entry id, result fields... The record
 * is written only while it still is what this consumer holds. */
static dg_redis_script_t finish_script = DG_REDIS_SCRIPT(
    "if ARGV[2] ~= '' and (redis.call('GET', KEYS[1]) or '') == ARGV[1] then\n"
    "  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])\n"
    "end\n"
    "local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', "
    "'" RESULT_STREAM_MAXLEN "', '*', unpack(ARGV, 6))\n"
    "redis.pcall('XACK', KEYS[3], ARGV[4], ARGV[5])\n"
    "return id\n");

/* The result entry's fields, in order (results.h). */
static const char *const result_fields[] = {
    "plan_id",  "symbol",          "status",
    "rule",     "dedupe_hit",      "original_status",
    "order_id", "client_order_id", "executed_qty",
    "error",    "entry_id",        "consumer",
    "ts"};
#define RESULT_FIELDS (sizeof result_fields / sizeof result_fields[0])

const char *ex_status_name(ex_status_t s) {
  return s >= EX_ST_EXECUTED && s <= EX_ST_DRY_RUN ? status_names[s] : "?";
}

void ex_outcome_set(ex_outcome_t *o, ex_status_t status, const char *fmt, ...) {
  va_list ap;
  o->status = status;
  va_start(ap, fmt);
  vsnprintf(o->error, sizeof o->error, fmt, ap);
  va_end(ap);
}

static void count(ex_ctx_t *ctx, const char *symbol, const ex_outcome_t *o) {
  ex_metrics_t *m = ctx->metrics;
  ex_metrics_inc(m, symbol, EX_M_CONSUMED);
  switch (o->status) {
  case EX_ST_EXECUTED:
    ex_metrics_inc(m, symbol, EX_M_EXECUTED_SUCCESS);
    break;
  case EX_ST_ERROR:
    ex_metrics_inc(m, symbol, EX_M_EXECUTED_ERROR);
    break;
  case EX_ST_RETRYABLE_RATE_LIMIT:
    ex_metrics_inc(m, symbol,
                   o->no_request ? EX_M_REJECTED_RATE_LIMIT
                                 : EX_M_EXECUTED_RATE_LIMIT);
    break;
  case EX_ST_DROPPED_DUPLICATE:
    ex_metrics_inc(m, symbol, EX_M_REJECTED_DUPLICATE);
    break;
  case EX_ST_REJECTED_GUARDRAIL:
    ex_metrics_inc(m, symbol, EX_M_REJECTED_GUARDRAILS);
    ex_metrics_inc(m, symbol,
                   (ex_metric_t)(EX_M_GUARDRAIL_FIRST + o->rule - 1));
    break;
  case EX_ST_REJECTED_EXCHANGE:
    ex_metrics_inc(m, symbol, EX_M_REJECTED_EXCHANGE);
    break;
  case EX_ST_DRY_RUN:
    break;
  }
}

/* Is the entry still pending? 1 yes, 0 no, -1 stopping. After a lost reply
 * this tells whether the script already ran (it ACKs). */
static int still_pending(ex_ctx_t *ctx, const char *entry_id) {
  char count_s[] = "1";
  redisReply *r = ex_redis(ctx, (const char *[]){"XPENDING", ctx->plan_stream,
                                                 ctx->cfg->group, entry_id,
                                                 entry_id, count_s, NULL});
  int pending;
  if (r == NULL)
    return -1;
  /* An error (the group vanished with a Redis restart): write it again. */
  pending = r->type != REDIS_REPLY_ARRAY || r->elements > 0;
  freeReplyObject(r);
  return pending;
}

/* One entry's result values (result_fields order) and the numbers they
 * point into. */
typedef struct {
  char ts[24];
  const char *v[RESULT_FIELDS];
} result_values_t;

static void result_values(ex_ctx_t *ctx, const ex_finish_t *f,
                          const ex_outcome_t *o, result_values_t *r) {
  size_t k = 0;
  snprintf(r->ts, sizeof r->ts, "%lld", (long long)ex_now_ms());
  r->v[k++] = f->plan_id != NULL ? f->plan_id : "";
  r->v[k++] = f->symbol != NULL ? f->symbol : "";
  r->v[k++] = ex_status_name(o->status);
  r->v[k++] = ex_rule_name(o->rule);
  r->v[k++] = o->dedupe_hit ? "true" : "false";
  r->v[k++] = o->original_status;
  r->v[k++] = o->order_id;
  r->v[k++] = f->client_order_id != NULL ? f->client_order_id : "";
  r->v[k++] = o->executed_qty;
  r->v[k++] = o->error;
  r->v[k++] = f->entry_id;
  r->v[k++] = ctx->cfg->consumer;
  r->v[k++] = r->ts;
}

/* The finish script's keys and arguments for one entry (NUMKEYS on). */
typedef struct {
  result_values_t values;
  char ttl[16];
  const char *argv[9 + 2 * RESULT_FIELDS];
  int argc;
} finish_cmd_t;

static void build(ex_ctx_t *ctx, const ex_finish_t *f, const ex_outcome_t *o,
                  finish_cmd_t *c) {
  const char **argv = c->argv;
  int argc = 0;
  result_values(ctx, f, o, &c->values);
  snprintf(c->ttl, sizeof c->ttl, "%d", EX_DEDUPE_TTL_S);
  argv[argc++] = "3";
  argv[argc++] = f->dedupe_key != NULL ? f->dedupe_key : ctx->result_stream;
  argv[argc++] = ctx->result_stream;
  argv[argc++] = ctx->plan_stream;
  argv[argc++] = f->held != NULL && f->final_rec != NULL ? f->held->json : "";
  argv[argc++] = f->final_rec != NULL ? f->final_rec->json : "";
  argv[argc++] = c->ttl;
  argv[argc++] = ctx->cfg->group;
  argv[argc++] = f->entry_id;
  for (size_t i = 0; i < RESULT_FIELDS; i++) {
    argv[argc++] = result_fields[i];
    argv[argc++] = c->values.v[i];
  }
  c->argc = argc;
}

/* The result line. Lines of plans that sent nothing (rejections,
 * duplicates, errors) can come in floods (junk on the stream): they are
 * summarised per status and rule; the result of an order is always
 * written. */
static void log_result(const ex_finish_t *f, const ex_outcome_t *o) {
  char line[1024], kind[DG_LOG_LIMIT_KIND_MAX];
  int level = o->status == EX_ST_EXECUTED || o->status == EX_ST_DRY_RUN ||
                      o->status == EX_ST_DROPPED_DUPLICATE
                  ? LOG_INFO
                  : LOG_WARNING;
  snprintf(line, sizeof line,
           "event=result entry_id=%s plan_id=%s symbol=%s status=%s rule=%s "
           "dedupe_hit=%s original_status=%s order_id=%s executed_qty=%s "
           "error=\"%s\"",
           f->entry_id, f->plan_id != NULL ? f->plan_id : "",
           f->symbol != NULL ? f->symbol : "", ex_status_name(o->status),
           ex_rule_name(o->rule), o->dedupe_hit ? "true" : "false",
           o->original_status, o->order_id, o->executed_qty, o->error);
  if (o->status == EX_ST_EXECUTED || o->status == EX_ST_DRY_RUN ||
      (o->order_id[0] != '\0' && !o->dedupe_hit)) {
    dg_log(level, "%s", line);
    return;
  }
  snprintf(kind, sizeof kind, "result:%s:%s", ex_status_name(o->status),
           ex_rule_name(o->rule));
  dg_log_limited(kind, level, "%s", line);
}

static void written(ex_ctx_t *ctx, const ex_finish_t *f, const ex_outcome_t *o,
                    const redisReply *r) {
  if (r != NULL && r->type == REDIS_REPLY_ERROR)
    dg_log(LOG_ERR, "event=result_write_failed entry_id=%s error=\"%s\"",
           f->entry_id, r->str);
  count(ctx, f->symbol, o);
  log_result(f, o);
}

/* One entry's finish. ask_first: an earlier try may have run (a lost
 * connection): write only if the entry is still pending. */
static int finish_one(ex_ctx_t *ctx, const ex_finish_t *f,
                      const ex_outcome_t *o, int ask_first);

static int finish_each(ex_ctx_t *ctx, const ex_finish_t *f,
                       const ex_outcome_t *const *o, size_t n, int ask_first) {
  for (size_t i = 0; i < n; i++)
    if (finish_one(ctx, &f[i], o[i], ask_first) != 0)
      return -1;
  return 0;
}

/* The results and the ACK of entries that write no record, as one
 * transaction: MULTI, an XADD per entry, one XACK of them all, EXEC, in
 * one round trip. Native commands, not a script: a script's per-call
 * conversions cost Redis twice the XADDs themselves. Redis refuses the
 * whole transaction when it is out of memory (EXECABORT). Returns 0 when
 * it ran (each entry then counted and logged), -1 when it may or may not
 * have run (the connection broke), -2 when it certainly did not. */
static int finish_batch(ex_ctx_t *ctx, const ex_finish_t *f,
                        const ex_outcome_t *const *o, size_t n) {
  enum { XADD_HEAD = 6, XADD_ARGS = XADD_HEAD + 2 * RESULT_FIELDS };
  redisContext *c = dg_redis_context(ctx->redis);
  const char *xargv[XADD_ARGS] = {"XADD", ctx->result_stream,   "MAXLEN",
                                  "~",    RESULT_STREAM_MAXLEN, "*"};
  const char **ack = calloc(3 + n, sizeof *ack);
  redisReply **replies = calloc(n + 3, sizeof *replies);
  const redisReply *exec;
  result_values_t values;
  int rc = -2;
  if (c == NULL || ack == NULL || replies == NULL)
    goto out;
  redisAppendCommand(c, "MULTI");
  for (size_t k = 0; k < n; k++) {
    result_values(ctx, &f[k], o[k], &values);
    for (size_t i = 0; i < RESULT_FIELDS; i++) {
      xargv[XADD_HEAD + 2 * i] = result_fields[i];
      xargv[XADD_HEAD + 2 * i + 1] = values.v[i];
    }
    redisAppendCommandArgv(c, XADD_ARGS, xargv, NULL);
    ack[3 + k] = f[k].entry_id;
  }
  ack[0] = "XACK";
  ack[1] = ctx->plan_stream;
  ack[2] = ctx->cfg->group;
  redisAppendCommandArgv(c, (int)(3 + n), ack, NULL);
  redisAppendCommand(c, "EXEC");
  /* Replies: MULTI, n XADD, XACK (all QUEUED), then EXEC's. */
  if (dg_redis_pipeline_collect(ctx->redis, replies, n + 3) != 0) {
    rc = -1;
    goto out;
  }
  exec = replies[n + 2];
  if (exec->type != REDIS_REPLY_ARRAY || exec->elements != n + 1)
    goto out; /* EXECABORT (out of memory), or not run */
  for (size_t k = 0; k < n; k++)
    written(ctx, &f[k], o[k], exec->element[k]);
  rc = 0;
out:
  for (size_t i = 0; replies != NULL && i < n + 3; i++)
    if (replies[i] != NULL)
      freeReplyObject(replies[i]);
  free(replies);
  free(ack);
  return rc;
}

int ex_finish_many(ex_ctx_t *ctx, const ex_finish_t *f,
                   const ex_outcome_t *const *o, size_t n) {
  int ran = -2;
  for (size_t i = 0; i < n; i++)
    if (f[i].final_rec != NULL) /* not for the batch: one by one */
      return finish_each(ctx, f, o, n, 0);
  if (n > 1)
    ran = finish_batch(ctx, f, o, n);
  /* -1: perhaps written; ask before writing again */
  return ran == 0 ? 0 : finish_each(ctx, f, o, n, ran == -1);
}

int ex_finish(ex_ctx_t *ctx, const ex_finish_t *f, const ex_outcome_t *o) {
  return finish_one(ctx, f, o, 0);
}

static int finish_one(ex_ctx_t *ctx, const ex_finish_t *f,
                      const ex_outcome_t *o, int ask_first) {
  finish_cmd_t cmd;
  redisReply *r = NULL;
  int pending;
  build(ctx, f, o, &cmd);
  if (ask_first && (pending = still_pending(ctx, f->entry_id)) <= 0) {
    if (pending < 0)
      return -1;
    written(ctx, f, o, NULL);
    return 0;
  }
  for (;;) {
    r = dg_redis_eval(ctx->redis, &finish_script, cmd.argc, cmd.argv, NULL);
    if (ex_redis_refused(r)) {
      /* Not run (e.g. OOM): wait until Redis takes writes again. */
      if (!ctx->redis_down)
        dg_log(LOG_ERR, "event=redis_down error=\"%s\" action=retrying",
               r->str);
      ctx->redis_down = 1;
      freeReplyObject(r);
      if (ex_sleep_ms(ctx, 500) != 0)
        return -1;
      continue;
    }
    if (r != NULL)
      break;
    /* The script may or may not have run: ask before writing it twice. */
    if (ex_sleep_ms(ctx, 100) != 0 ||
        (pending = still_pending(ctx, f->entry_id)) < 0)
      return -1;
    if (!pending)
      break;
  }
  written(ctx, f, o, r);
  if (r != NULL)
    freeReplyObject(r);
  return 0;
}
