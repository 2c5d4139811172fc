/* rcmd.c - waiting: Redis commands that survive Redis being down or
 * refusing commands for a while (out of memory, a read-only replica,
 * loading, a busy script: the executor loses nothing and never exits for
 * Redis's sake; it waits with a capped backoff, 100 ms .. 5 s, and logs the
 * outage once, and its end once), interruptible sleeps, and the systemd
 * watchdog kept fed while the executor waits. */
#include "driftguard_config.h"

#include "executor/executor.h"

#include "driftguard/log.h"

#include <string.h>
#include <time.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define MAX_ARGS 64

int64_t ex_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ex_notify(const char *state) {
#ifdef HAVE_LIBSYSTEMD
  sd_notify(0, state);
#else
  (void)state;
#endif
}

void ex_watchdog(void) {
  static int64_t last;
  int64_t now = ex_now_ms();
  if (now - last >= 1000) {
    ex_notify("WATCHDOG=1");
    last = now;
  }
}

int ex_sleep_ms(ex_ctx_t *ctx, int64_t ms) {
  dg_log_flush(); /* a batch's lines are not held back across a wait */
  while (ms > 0) {
    int64_t slice = ms < 100 ? ms : 100;
    struct timespec ts = {0, (long)slice * 1000000L};
    if (*ctx->stop)
      return -1;
    nanosleep(&ts, NULL);
    ex_watchdog();
    ms -= slice;
  }
  return *ctx->stop ? -1 : 0;
}

int ex_redis_refused(const redisReply *r) {
  static const char *const codes[] = {"OOM",      "READONLY",    "LOADING",
                                      "BUSY",     "MASTERDOWN",  "MISCONF",
                                      "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS"};
  size_t n;
  if (r == NULL || r->type != REDIS_REPLY_ERROR)
    return 0;
  n = strcspn(r->str, " ");
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    if (strlen(codes[i]) == n && strncmp(r->str, codes[i], n) == 0)
      return 1;
  return 0;
}

int ex_retry(ex_ctx_t *ctx, const ex_outage_t *o, ex_try_fn try_once,
             void *arg) {
  int64_t backoff = BACKOFF_MIN_MS;
  for (;;) {
    char why[256] = "";
    if (try_once(arg, why, sizeof why) == 1) {
      if (*o->failing) {
        dg_log(LOG_NOTICE, "event=%s%s", o->up, o->what);
        *o->failing = 0;
      }
      return 0;
    }
    if (!*o->failing) {
      dg_log(LOG_ERR, "event=%s%s error=\"%s\" action=retrying", o->down,
             o->what, why);
      *o->failing = 1;
    }
    if (ex_sleep_ms(ctx, backoff) != 0)
      return -1;
    backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
  }
}

/* One command (or script) and its reply, for ex_retry. */
typedef struct {
  ex_ctx_t *ctx;
  dg_redis_script_t *script;
  int argc;
  const char **argv;
  const size_t *lens;
  redisReply *reply;
} command_t;

static int try_command(void *arg, char *why, size_t size) {
  command_t *c = arg;
  redisReply *r =
      c->script != NULL
          ? dg_redis_eval(c->ctx->redis, c->script, c->argc, c->argv, c->lens)
          : dg_redis_command_argv(c->ctx->redis, c->argc, c->argv, c->lens);
  if (r != NULL && !ex_redis_refused(r)) {
    c->reply = r;
    return 1;
  }
  snprintf(why, size, "%s",
           r != NULL ? r->str : dg_redis_last_error(c->ctx->redis));
  if (r != NULL)
    freeReplyObject(r); /* refused: the command did not run */
  return 0;
}

/* Run a command, or with s its script (argv from NUMKEYS on), until Redis
 * answers (ex_redis). */
static redisReply *redis_wait(ex_ctx_t *ctx, dg_redis_script_t *s, int argc,
                              const char **argv, const size_t *lens) {
  command_t c = {ctx, s, argc, argv, lens, NULL};
  return ex_retry(ctx, &(ex_outage_t)EX_REDIS_OUTAGE(ctx), try_command, &c) == 0
             ? c.reply
             : NULL;
}

redisReply *ex_redis_argv(ex_ctx_t *ctx, int argc, const char **argv,
                          const size_t *lens) {
  return redis_wait(ctx, NULL, argc, argv, lens);
}

/* args (NULL-terminated, at most MAX_ARGS) as argv. */
static int args_argv(const char *const *args, const char **argv) {
  int argc = 0;
  while (args[argc] != NULL && argc < MAX_ARGS) {
    argv[argc] = args[argc];
    argc++;
  }
  return argc;
}

redisReply *ex_redis(ex_ctx_t *ctx, const char *const *args) {
  const char *argv[MAX_ARGS];
  int argc = args_argv(args, argv);
  return redis_wait(ctx, NULL, argc, argv, NULL);
}

redisReply *ex_redis_eval(ex_ctx_t *ctx, dg_redis_script_t *s,
                          const char *const *args) {
  const char *argv[MAX_ARGS];
  int argc = args_argv(args, argv);
  return redis_wait(ctx, s, argc, argv, NULL);
}
