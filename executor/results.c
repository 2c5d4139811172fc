/* results.c - the end of every stream entry (see results.h): record, result
 * entry and ACK in one script, so a crash leaves either all or none of
 * them; then counters and one log line. */
#include "executor/results.h"

#include "driftguard/log.h"
#include "executor/metrics.h"

#include <stdio.h>
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
static ex_script_t finish_script = EX_SCRIPT(
    "if ARGV[2] ~= '' and (redis.call('GET', KEYS[1]) or '') == ARGV[1] then\n"
    "  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])\n"
    "end\n"
    "local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', "
    "'" RESULT_STREAM_MAXLEN "', '*', unpack(ARGV, 6))\n"
    "redis.pcall('XACK', KEYS[3], ARGV[4], ARGV[5])\n"
    "return id\n");

const char *ex_status_name(ex_status_t s) {
  return s >= EX_ST_EXECUTED && s <= EX_ST_DRY_RUN ? status_names[s] : "?";
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

/* The finish script's command for one entry; argv[1] (the sha) is set
 * right before sending. */
typedef struct {
  char order_id[24], ts[24], ttl[16];
  const char *argv[64];
  size_t lens[64];
  int argc;
} finish_cmd_t;

static void build(ex_ctx_t *ctx, const ex_finish_t *f, const ex_outcome_t *o,
                  finish_cmd_t *c) {
  const char **argv = c->argv;
  int argc = 0;
  snprintf(c->order_id, sizeof c->order_id, "%lld", (long long)o->order_id);
  snprintf(c->ts, sizeof c->ts, "%lld", (long long)ex_now_ms());
  snprintf(c->ttl, sizeof c->ttl, "%d", EX_DEDUPE_TTL_S);
  argv[argc++] = "EVALSHA";
  argv[argc++] = "";
  argv[argc++] = "3";
  argv[argc++] = f->dedupe_key != NULL ? f->dedupe_key : ctx->result_stream;
  argv[argc++] = ctx->result_stream;
  argv[argc++] = ctx->plan_stream;
  argv[argc++] = f->held != NULL && f->final_rec != NULL ? f->held->json : "";
  argv[argc++] = f->final_rec != NULL ? f->final_rec->json : "";
  argv[argc++] = c->ttl;
  argv[argc++] = ctx->cfg->group;
  argv[argc++] = f->entry_id;
#define FIELD(name, value)                                                     \
  do {                                                                         \
    argv[argc++] = (name);                                                     \
    argv[argc++] = (value);                                                    \
  } while (0)
  FIELD("plan_id", f->plan_id != NULL ? f->plan_id : "");
  FIELD("symbol", f->symbol != NULL ? f->symbol : "");
  FIELD("status", ex_status_name(o->status));
  FIELD("rule", ex_rule_name(o->rule));
  FIELD("dedupe_hit", o->dedupe_hit ? "true" : "false");
  FIELD("original_status", o->original_status);
  FIELD("order_id", o->order_id != 0 ? c->order_id : "");
  FIELD("client_order_id",
        f->client_order_id != NULL ? f->client_order_id : "");
  FIELD("executed_qty", o->executed_qty);
  FIELD("error", o->error);
  FIELD("entry_id", f->entry_id);
  FIELD("consumer", ctx->cfg->consumer);
  FIELD("ts", c->ts);
#undef FIELD
  c->argc = argc;
  for (int i = 0; i < argc; i++)
    c->lens[i] = strlen(argv[i]);
}

static void log_result(const ex_finish_t *f, const ex_outcome_t *o) {
  dg_log(o->status == EX_ST_EXECUTED || o->status == EX_ST_DRY_RUN ||
                 o->status == EX_ST_DROPPED_DUPLICATE
             ? LOG_INFO
             : LOG_WARNING,
         "event=result entry_id=%s plan_id=%s symbol=%s status=%s rule=%s "
         "dedupe_hit=%s original_status=%s order_id=%lld executed_qty=%s "
         "error=\"%s\"",
         f->entry_id, f->plan_id != NULL ? f->plan_id : "",
         f->symbol != NULL ? f->symbol : "", ex_status_name(o->status),
         ex_rule_name(o->rule), o->dedupe_hit ? "true" : "false",
         o->original_status, (long long)o->order_id, o->executed_qty, o->error);
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

int ex_finish_many(ex_ctx_t *ctx, const ex_finish_t *f,
                   const ex_outcome_t *const *o, size_t n) {
  redisReply **replies = calloc(n, sizeof *replies);
  finish_cmd_t *cmds = calloc(n, sizeof *cmds);
  const char *sha = ex_script_sha(ctx, &finish_script);
  /* After the sha: loading it may have reconnected. */
  redisContext *c = dg_redis_context(ctx->redis);
  int tried = 0, piped = 0, rc = 0;
  if (sha != NULL && n > 1 && c != NULL && cmds != NULL && replies != NULL) {
    for (size_t i = 0; i < n; i++) {
      build(ctx, &f[i], o[i], &cmds[i]);
      cmds[i].argv[1] = sha;
      cmds[i].lens[1] = strlen(sha);
      redisAppendCommandArgv(c, cmds[i].argc, cmds[i].argv, cmds[i].lens);
    }
    tried = 1;
    piped = dg_redis_pipeline_collect(ctx->redis, replies, n) == 0;
  }
  for (size_t i = 0; i < n && rc == 0; i++) {
    redisReply *r = piped ? replies[i] : NULL;
    if (r != NULL && !ex_script_lost(&finish_script, r) && !ex_redis_refused(r))
      written(ctx, &f[i], o[i], r);
    else /* not run, or unknown when the connection broke */
      rc = finish_one(ctx, &f[i], o[i], tried && !piped);
  }
  for (size_t i = 0; replies != NULL && i < n; i++)
    if (replies[i] != NULL)
      freeReplyObject(replies[i]);
  free(replies);
  free(cmds);
  return rc;
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
    if ((cmd.argv[1] = ex_script_sha(ctx, &finish_script)) == NULL)
      return -1;
    cmd.lens[1] = strlen(cmd.argv[1]);
    r = dg_redis_command_argv(ctx->redis, cmd.argc, cmd.argv, cmd.lens);
    if (ex_script_lost(&finish_script, r)) {
      freeReplyObject(r);
      continue;
    }
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
