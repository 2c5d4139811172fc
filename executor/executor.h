/* executor.h - what every part of driftguard-executor shares: the running
 * context, and Redis commands that outlive Redis outages. */
#ifndef DG_EXECUTOR_H
#define DG_EXECUTOR_H

#include "driftguard/exchange.h"
#include "driftguard/keys.h"
#include "driftguard/redis.h"
#include "executor/config.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ex_metrics ex_metrics_t;

typedef struct {
  const ex_config_t *cfg;
  int dry_run;
  dg_redis_t *redis;
  dg_exchange_t *exchange;
  ex_metrics_t *metrics;
  const dg_hmac_key_t *plan_key; /* NULL when PlanKeyFile is not set */
  char plan_stream[DG_KEY_MAX];
  char result_stream[DG_KEY_MAX];
  char lease_key[DG_KEY_MAX]; /* the consumer name's lease (consumer.h) */
  char lease_token[128];      /* host:pid:start_ms of this process */
  long lease_ms;
  char metrics_host_key[DG_KEY_MAX]; /* P:executor:metrics_host:HOSTNAME,
                                        "" without CollectdSocket */
  int hostname_shared_logged;
  volatile sig_atomic_t *stop; /* set by SIGTERM/SIGINT */
  int redis_down;              /* for logging an outage once */
  int replicas_short; /* RedisMinReplicas not met: orders held (replicas.h) */
  int64_t replicas_short_since_ms;
  long long replicas_short_plans;
} ex_ctx_t;

/* Wall clock, ms since the epoch. */
int64_t ex_now_ms(void);
/* sd_notify(state) under systemd ("READY=1", "STOPPING=1"), else nothing. */
void ex_notify(const char *state);
/* Tell systemd's watchdog we are alive (at most once a second). */
void ex_watchdog(void);
/* Sleep ms, in slices so a stop request is seen and the watchdog fed;
 * -1 when stopping. */
int ex_sleep_ms(ex_ctx_t *ctx, int64_t ms);

/* 1 when r is an error reply by which Redis refused to run the command for
 * now (OOM, READONLY, LOADING, BUSY, MASTERDOWN, MISCONF, ...). */
int ex_redis_refused(const redisReply *r);
/* One try of something Redis must do: 1 when done, 0 when it could not be
 * done for now (why says why; tried again). */
typedef int (*ex_try_fn)(void *arg, char *why, size_t why_size);
/* How an outage is logged: once "event=DOWN WHAT error=..." when a try
 * fails, once "event=UP WHAT" when one succeeds again; *failing keeps
 * the state across calls (one outage, one pair of lines). */
typedef struct {
  const char *down, *up, *what;
  int *failing;
} ex_outage_t;
#define EX_REDIS_OUTAGE(ctx)                                                   \
  { "redis_down", "redis_up", "", &(ctx)->redis_down }
/* THE back-off loop of the executor: try_once until it is done, sleeping
 * 100 ms doubling to 5 s between tries (the watchdog fed, a stop seen),
 * the outage logged as o says. 0 once done, -1 when stopping. */
int ex_retry(ex_ctx_t *ctx, const ex_outage_t *o, ex_try_fn try_once,
             void *arg);

/* Run one command until Redis answers, backing off 100 ms doubling to 5 s
 * while it is down or refuses it (ex_redis_refused; logged once per
 * outage). Returns the reply (other error replies included; caller frees),
 * or NULL only when a stop was requested. args is NULL-terminated. */
redisReply *ex_redis(ex_ctx_t *ctx, const char *const *args);
/* Same with explicit lengths (binary-safe values). */
redisReply *ex_redis_argv(ex_ctx_t *ctx, int argc, const char **argv,
                          const size_t *lens);

/* dg_redis_eval (a Lua script by its SHA1) through ex_redis: NUMKEYS
 * onwards, NULL-terminated. */
redisReply *ex_redis_eval(ex_ctx_t *ctx, dg_redis_script_t *s,
                          const char *const *args);

#endif
