/* consumer.c - reading the plan stream through a consumer group (see
 * consumer.h). An entry handed to the handler ends ACKed by it once its
 * outcome is certain; an entry whose outcome is not (yet) known, or whose
 * handling was interrupted by a stop, stays pending: this consumer
 * re-handles it first at the next start, and XAUTOCLAIM (which also takes
 * this consumer's own idle entries) every ClaimIdle meanwhile. */
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
    char start[32];
    redisReply *r;
    /* Plans published up to HoldLease ago are delivered too: a plan
     * published before the group existed must not wait for the next
     * cooldown bucket. Replaying them is safe (dedupe record, hold_key,
     * hold_sig, stale); older ones were renewed by newer plans. */
    snprintf(start, sizeof start, "%lld-0",
             (long long)(ex_now_ms() - ctx->cfg->hold_lease_s * 1000));
    r = ex_redis(ctx,
                 (const char *[]){"XGROUP", "CREATE", ctx->plan_stream,
                                  ctx->cfg->group, start, "MKSTREAM", NULL});
    int done;
    if (r == NULL)
      return -1;
    done = r->type != REDIS_REPLY_ERROR || strncmp(r->str, "BUSYGROUP", 9) == 0;
    if (!done)
      dg_log(LOG_ERR,
             "event=group_create_failed stream=%s group=%s error=\"%s\"",
             ctx->plan_stream, ctx->cfg->group, r->str);
    else if (r->type != REDIS_REPLY_ERROR)
      dg_log(LOG_NOTICE, "event=group_created stream=%s group=%s start=%s",
             ctx->plan_stream, ctx->cfg->group, start);
    freeReplyObject(r);
    if (done)
      return 0;
    if (ex_sleep_ms(ctx, 1000) != 0)
      return -1;
  }
}

/* KEYS[1] lease; ARGV[1] our token, ARGV[2] lease ms. Takes or extends
 * the lease unless another process holds it: {1}, or {0, holder}. With
 * KEYS[2] (the metrics Hostname's key) and ARGV[3] (who we are), also
 * notes that we send metrics under that Hostname, and answers {1, other}
 * when another executor did so within the lease. */
static dg_redis_script_t lease_script =
    DG_REDIS_SCRIPT("local cur = redis.call('GET', KEYS[1])\n"
                    "if cur and cur ~= ARGV[1] then return {0, cur} end\n"
                    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
                    "if #KEYS < 2 then return {1} end\n"
                    "local other = redis.call('GET', KEYS[2])\n"
                    "redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])\n"
                    "if other and other ~= ARGV[3] then return {1, other} end\n"
                    "return {1}\n");

/* Executors sharing a Hostname send the same identifiers: their counters
 * overwrite one another in collectd (SPEC 5 has no consumer label). */
static void warn_shared_hostname(ex_ctx_t *ctx, const char *other) {
  if (ctx->hostname_shared_logged)
    return;
  ctx->hostname_shared_logged = 1;
  dg_log(LOG_WARNING,
         "event=metrics_hostname_shared hostname=%s consumer=%s/%s other=%s "
         "reason=\"executors sending metrics under one Hostname overwrite one "
         "another's counters\" action=\"give each executor its own "
         "Hostname\"",
         ctx->cfg->hostname, ctx->cfg->group, ctx->cfg->consumer, other);
}

/* One try at the lease, for ex_retry. */
typedef struct {
  ex_ctx_t *ctx;
  const char *const *args;
  char *holder;
  size_t size;
  int ours; /* the answer: 1 ours, 0 held by holder, -1 stopping */
} lease_try_t;

static int try_lease(void *arg, char *why, size_t why_size) {
  lease_try_t *t = arg;
  redisReply *r = ex_redis_eval(t->ctx, &lease_script, t->args);
  int done = 1;
  if (r == NULL) {
    t->ours = -1;
    return 1;
  }
  if (r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
      r->element[0]->type == REDIS_REPLY_INTEGER) {
    t->ours = r->element[0]->integer == 1;
    if (r->elements == 2 && r->element[1]->type == REDIS_REPLY_STRING) {
      if (t->ours)
        warn_shared_hostname(t->ctx, r->element[1]->str);
      else
        snprintf(t->holder, t->size, "%s", r->element[1]->str);
    }
  } else {
    snprintf(why, why_size, "%s",
             r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    done = 0;
  }
  freeReplyObject(r);
  return done;
}

/* 1 when the lease is ours now, 0 when held by holder, -1 when stopping.
 * Any other reply (a script error, Redis refusing the write) says nothing
 * about another executor: logged once, retried (ex_retry). */
static int take_lease(ex_ctx_t *ctx, char *holder, size_t size) {
  char ms[24], me[160], what[DG_KEY_MAX + 8];
  int failing = 0;
  const char *lease_only[] = {"1", ctx->lease_key, ctx->lease_token, ms, NULL};
  const char *with_host[] = {
      "2", ctx->lease_key, ctx->metrics_host_key, ctx->lease_token, ms, me,
      NULL};
  lease_try_t t = {ctx,
                   ctx->metrics_host_key[0] != '\0' ? with_host : lease_only,
                   holder, size, -1};
  ex_outage_t o = {"consumer_lease_failed", "consumer_lease_ok", what,
                   &failing};
  snprintf(ms, sizeof ms, "%ld", ctx->lease_ms);
  snprintf(me, sizeof me, "%s/%s", ctx->cfg->group, ctx->cfg->consumer);
  snprintf(what, sizeof what, " key=%s", ctx->lease_key);
  return ex_retry(ctx, &o, try_lease, &t) != 0 ? -1 : t.ours;
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

/* XREADGROUP from id (an id: own pending after it, ">": new); id is
 * moved past the entries handled. */
static int read_group(ex_ctx_t *ctx, ex_batch_fn fn, char *id, size_t id_size,
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
      handled = fn(ctx, stream->element[1], strcmp(id, ">") != 0 ? id : NULL,
                   id_size);
  }
  freeReplyObject(r);
  return handled;
}

int ex_consumer_own_pending(ex_ctx_t *ctx, ex_batch_fn fn) {
  char cursor[64] = "0";
  int total = 0, n;
  /* Entries of unknown outcome stay pending: read on past them. */
  while ((n = read_group(ctx, fn, cursor, sizeof cursor, 0)) > 0)
    total += n;
  return n < 0 ? -1 : total;
}

int ex_consumer_read_new(ex_ctx_t *ctx, ex_batch_fn fn, int block_ms) {
  char id[] = ">";
  return read_group(ctx, fn, id, sizeof id, block_ms);
}

int ex_consumer_autoclaim(ex_ctx_t *ctx, ex_batch_fn fn) {
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
      n = fn(ctx, r->element[1], NULL, 0);
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
