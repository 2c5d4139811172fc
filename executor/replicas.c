/* replicas.c - WAIT for RedisMinReplicas replicas after the "submitted"
 * record (see replicas.h), and the shortage an operator sees: one log line
 * when it starts and one when it ends, a counter per plan held back, and
 * the key P:executor:replicas_short while it lasts. */
#include "executor/replicas.h"

#include "driftguard/keys.h"
#include "driftguard/log.h"
#include "executor/metrics.h"

#include <stdio.h>

/* The status key outlives a dead executor by this much at most. */
#define SHORT_KEY_TTL_MS 600000

/* Tell driftguard-ctl status (best effort: a Redis that cannot store it is
 * already in the logs). */
static void publish_shortage(ex_ctx_t *ctx, long long acked) {
  char key[DG_KEY_MAX], value[512], ttl[24];
  redisReply *r;
  if (dg_key_replicas_short(key, sizeof key, ctx->cfg->key_prefix) < 0)
    return;
  if (ctx->replicas_short) {
    snprintf(value, sizeof value,
             "{\"wanted\":%ld,\"acked\":%lld,\"timeout_ms\":%ld,"
             "\"since_ms\":%lld,\"plans_held\":%lld,\"consumer\":\"%s\"}",
             ctx->cfg->redis_min_replicas, acked,
             ctx->cfg->redis_replica_timeout_ms,
             (long long)ctx->replicas_short_since_ms, ctx->replicas_short_plans,
             ctx->cfg->consumer);
    snprintf(ttl, sizeof ttl, "%d", SHORT_KEY_TTL_MS);
    r = dg_redis_command_argv(
        ctx->redis, 5, (const char *[]){"SET", key, value, "PX", ttl}, NULL);
  } else
    r = dg_redis_command_argv(ctx->redis, 2, (const char *[]){"DEL", key},
                              NULL);
  if (r != NULL)
    freeReplyObject(r);
}

int ex_replicas_acked(ex_ctx_t *ctx, unsigned long conn, const char *plan_id) {
  long want = ctx->cfg->redis_min_replicas;
  char n[24], ms[24];
  long long acked = -1;
  redisReply *r;
  if (want == 0)
    return 1;
  snprintf(n, sizeof n, "%ld", want);
  snprintf(ms, sizeof ms, "%ld", ctx->cfg->redis_replica_timeout_ms);
  r = ex_redis(ctx, (const char *[]){"WAIT", n, ms, NULL});
  if (r == NULL)
    return -1;
  /* Over another connection than the write, WAIT says nothing about it. */
  if (r->type == REDIS_REPLY_INTEGER &&
      dg_redis_connection_number(ctx->redis) == conn)
    acked = r->integer;
  else if (r->type == REDIS_REPLY_ERROR)
    dg_log(LOG_ERR, "event=replicas_wait_refused plan_id=%s error=\"%.200s\"",
           plan_id, r->str);
  freeReplyObject(r);
  if (acked >= want) {
    if (ctx->replicas_short) {
      dg_log(LOG_NOTICE,
             "event=replicas_back wanted=%ld acked=%lld plans_held=%lld", want,
             acked, ctx->replicas_short_plans);
      ctx->replicas_short = 0;
      ctx->replicas_short_plans = 0;
      publish_shortage(ctx, acked);
    }
    return 1;
  }
  ex_metrics_inc(ctx->metrics, NULL, EX_M_WAITING_REPLICAS);
  ctx->replicas_short_plans++;
  if (!ctx->replicas_short) {
    ctx->replicas_short = 1;
    ctx->replicas_short_since_ms = ex_now_ms();
    dg_log(LOG_ERR,
           "event=replicas_short wanted=%ld acked=%lld timeout_ms=%ld "
           "plan_id=%s action=\"no order sent: plans wait until "
           "RedisMinReplicas replicas acknowledge (logged once)\"",
           want, acked < 0 ? 0 : acked, ctx->cfg->redis_replica_timeout_ms,
           plan_id);
  }
  publish_shortage(ctx, acked < 0 ? 0 : acked);
  return 0;
}
