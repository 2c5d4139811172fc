/* consumer.c - reading the plan stream through a consumer group (see
 * consumer.h). Every entry handed to the handler ends ACKed by it; an entry
 * whose handling was interrupted by a stop stays pending for this consumer
 * and is re-handled first at the next start. */
#include "executor/consumer.h"

#include "driftguard/log.h"

#include <stdio.h>
#include <string.h>

/* A NOGROUP error means the stream or group vanished (Redis restarted
 * empty, or an operator deleted it): create it again. */
static int recreate_if_nogroup(ex_ctx_t *ctx, const redisReply *r) {
  if (r->type != REDIS_REPLY_ERROR)
    return 0;
  dg_log(LOG_WARNING, "event=stream_read_failed stream=%s error=\"%s\"",
         ctx->plan_stream, r->str);
  if (strncmp(r->str, "NOGROUP", 7) == 0)
    return ex_consumer_ensure_group(ctx);
  return ex_sleep_ms(ctx, 1000);
}

int ex_consumer_ensure_group(ex_ctx_t *ctx) {
  for (;;) {
    redisReply *r =
        ex_redis(ctx, (const char *[]){"XGROUP", "CREATE", ctx->plan_stream,
                                       ctx->cfg->group, "$", "MKSTREAM", NULL});
    int done;
    if (r == NULL)
      return -1;
    done = r->type != REDIS_REPLY_ERROR || strncmp(r->str, "BUSYGROUP", 9) == 0;
    if (!done)
      dg_log(LOG_ERR,
             "event=group_create_failed stream=%s group=%s error=\"%s\"",
             ctx->plan_stream, ctx->cfg->group, r->str);
    else if (r->type != REDIS_REPLY_ERROR)
      dg_log(LOG_NOTICE, "event=group_created stream=%s group=%s",
             ctx->plan_stream, ctx->cfg->group);
    freeReplyObject(r);
    if (done)
      return 0;
    if (ex_sleep_ms(ctx, 1000) != 0)
      return -1;
  }
}

/* KEYS[1] lease; ARGV[1] our token, ARGV[2] lease ms. Takes or extends
 * the lease unless another process holds it: {1}, or {0, holder}. */
static const char lease_script[] =
    "local cur = redis.call('GET', KEYS[1])\n"
    "if cur and cur ~= ARGV[1] then return {0, cur} end\n"
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
    "return {1}\n";

/* 1 when the lease is ours now, 0 when held by holder, -1 when stopping. */
static int take_lease(ex_ctx_t *ctx, char *holder, size_t size) {
  char ms[24];
  redisReply *r;
  int ours;
  snprintf(ms, sizeof ms, "%ld", ctx->lease_ms);
  r = ex_redis(ctx, (const char *[]){"EVAL", lease_script, "1", ctx->lease_key,
                                     ctx->lease_token, ms, NULL});
  if (r == NULL)
    return -1;
  ours = r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
         r->element[0]->type == REDIS_REPLY_INTEGER &&
         r->element[0]->integer == 1;
  if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
      r->element[1]->type == REDIS_REPLY_STRING)
    snprintf(holder, size, "%s", r->element[1]->str);
  else if (r->type == REDIS_REPLY_ERROR)
    snprintf(holder, size, "(%s)", r->str);
  freeReplyObject(r);
  return ours;
}

int ex_consumer_lease_acquire(ex_ctx_t *ctx) {
  int64_t deadline = ex_now_ms() + ctx->lease_ms + 2000;
  char holder[128] = "";
  int rc;
  while ((rc = take_lease(ctx, holder, sizeof holder)) == 0) {
    if (ex_now_ms() > deadline) {
      dg_log(LOG_ERR,
             "event=startup_failed error=\"consumer name %s of group %s is in "
             "use by another live executor (%s): give each executor its own "
             "Consumer\"",
             ctx->cfg->consumer, ctx->cfg->group, holder);
      return 1;
    }
    if (ex_sleep_ms(ctx, 500) != 0)
      return -1;
  }
  return rc < 0 ? -1 : 0;
}

void ex_consumer_lease_release(ex_ctx_t *ctx) {
  static const char release_script[] =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
      "  redis.call('DEL', KEYS[1])\n"
      "end\n";
  /* One try: when Redis is down the lease simply runs out. */
  redisReply *r =
      dg_redis_command(ctx->redis, "EVAL %s 1 %s %s", release_script,
                       ctx->lease_key, ctx->lease_token);
  if (r != NULL)
    freeReplyObject(r);
}

int ex_consumer_lease_renew(ex_ctx_t *ctx) {
  char holder[128] = "";
  int rc = take_lease(ctx, holder, sizeof holder);
  if (rc == 0)
    dg_log(LOG_ERR,
           "event=consumer_name_taken consumer=%s holder=%s action=stopping",
           ctx->cfg->consumer, holder);
  return rc < 0 ? -1 : rc == 0;
}

/* Hand each [id, fields] of an entry list to fn. Returns the number
 * handled, -1 when stopping. */
static int handle_entries(ex_ctx_t *ctx, const redisReply *list,
                          ex_entry_fn fn) {
  int handled = 0;
  if (list == NULL || list->type != REDIS_REPLY_ARRAY)
    return 0;
  for (size_t i = 0; i < list->elements; i++) {
    const redisReply *e = list->element[i];
    const redisReply *fields;
    if (*ctx->stop)
      return -1;
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 1 ||
        e->element[0]->type != REDIS_REPLY_STRING)
      continue;
    fields = e->elements >= 2 && e->element[1]->type == REDIS_REPLY_ARRAY
                 ? e->element[1]
                 : NULL;
    if (fn(ctx, e->element[0]->str, fields) != 0)
      return -1;
    handled++;
  }
  return handled;
}

/* XREADGROUP from id ("0": own pending, ">": new). */
static int read_group(ex_ctx_t *ctx, ex_entry_fn fn, const char *id,
                      int block_ms) {
  char count[16], block[16];
  redisReply *r;
  int handled = 0;
  snprintf(count, sizeof count, "%ld", ctx->cfg->batch_size);
  snprintf(block, sizeof block, "%d", block_ms);
  /* BLOCK 0 would wait forever: reading history never blocks anyway. */
  if (block_ms > 0)
    r = ex_redis(ctx, (const char *[]){"XREADGROUP", "GROUP", ctx->cfg->group,
                                       ctx->cfg->consumer, "COUNT", count,
                                       "BLOCK", block, "STREAMS",
                                       ctx->plan_stream, id, NULL});
  else
    r = ex_redis(ctx, (const char *[]){"XREADGROUP", "GROUP", ctx->cfg->group,
                                       ctx->cfg->consumer, "COUNT", count,
                                       "STREAMS", ctx->plan_stream, id, NULL});
  if (r == NULL)
    return -1;
  if (r->type == REDIS_REPLY_ERROR) {
    handled = recreate_if_nogroup(ctx, r);
  } else if (r->type == REDIS_REPLY_ARRAY && r->elements > 0) {
    const redisReply *stream = r->element[0];
    if (stream->type == REDIS_REPLY_ARRAY && stream->elements == 2)
      handled = handle_entries(ctx, stream->element[1], fn);
  }
  freeReplyObject(r);
  return handled;
}

int ex_consumer_own_pending(ex_ctx_t *ctx, ex_entry_fn fn) {
  int total = 0, n;
  /* Handled entries are ACKed, so reading from 0 again moves on. */
  while ((n = read_group(ctx, fn, "0", 0)) > 0)
    total += n;
  return n < 0 ? -1 : total;
}

int ex_consumer_read_new(ex_ctx_t *ctx, ex_entry_fn fn, int block_ms) {
  return read_group(ctx, fn, ">", block_ms);
}

int ex_consumer_autoclaim(ex_ctx_t *ctx, ex_entry_fn fn) {
  char idle[24], count[16], cursor[64] = "0-0";
  int total = 0;
  snprintf(idle, sizeof idle, "%ld", ctx->cfg->claim_idle_s * 1000);
  snprintf(count, sizeof count, "%ld", ctx->cfg->batch_size);
  do {
    redisReply *r =
        ex_redis(ctx, (const char *[]){"XAUTOCLAIM", ctx->plan_stream,
                                       ctx->cfg->group, ctx->cfg->consumer,
                                       idle, cursor, "COUNT", count, NULL});
    int n = 0;
    if (r == NULL)
      return -1;
    if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
        r->element[0]->type == REDIS_REPLY_STRING) {
      snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
      if (r->element[1]->type == REDIS_REPLY_ARRAY &&
          r->element[1]->elements > 0)
        dg_log(LOG_NOTICE, "event=entries_claimed count=%zu idle_ms=%s",
               r->element[1]->elements, idle);
      n = handle_entries(ctx, r->element[1], fn);
    } else {
      if (r->type == REDIS_REPLY_ERROR)
        n = recreate_if_nogroup(ctx, r);
      snprintf(cursor, sizeof cursor, "0-0");
    }
    freeReplyObject(r);
    if (n < 0)
      return -1;
    total += n;
  } while (strcmp(cursor, "0-0") != 0);
  return total;
}
