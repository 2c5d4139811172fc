/* main.c - driftguard-executor: the acting half of driftguard.
 *
 * Consumes RECONCILE_CLOSE plans from the plan stream through a consumer
 * group and closes drift with one reduce-only MARKET order per plan, exactly
 * once (apply.c). This file is the command line, start-up, signals and the
 * main loop. SIGTERM/SIGINT: finish the plan in hand, then exit 0.
 * SIGHUP never stops it: the log is stderr (the journal), nothing to
 * reopen, and a running executor applies no new configuration (its Redis
 * connection, exchange handle and keys stay as started); it checks the
 * file on disk as -t would and logs whether a restart would take it. */
#include "driftguard_config.h"

#include "driftguard/ban.h"
#include "driftguard/exchange.h"
#include "driftguard/keyfile.h"
#include "driftguard/log.h"
#include "driftguard/secret.h"
#include "executor/batch.h"
#include "executor/config.h"
#include "executor/consumer.h"
#include "executor/executor.h"
#include "executor/metrics.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define READ_BLOCK_MS 1000

static volatile sig_atomic_t stop_requested, check_requested;
static const char *config_path = EX_DEFAULT_CONFIG;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void on_hangup(int sig) {
  (void)sig;
  check_requested = 1;
}

static void usage(FILE *out) {
  fprintf(out,
          "Usage: driftguard-executor [-C FILE] [-t] [-n] [--log-level LEVEL]\n"
          "Consume RECONCILE_CLOSE plans and close drift exactly once.\n\n"
          "  -C, --config FILE    configuration (default %s)\n"
          "  -t, --test-config    check the configuration and key files, exit\n"
          "  -n, --dry-run        run every check, send no order (DRY_RUN)\n"
          "  -l, --log-level LVL  err, warning, notice, info (default), debug\n"
          "  -h, --help           this text\n"
          "  -V, --version        the version\n",
          EX_DEFAULT_CONFIG);
}

static int parse_level(const char *s) {
  static const char *const names[] = {"emerg",   "alert",  "crit", "err",
                                      "warning", "notice", "info", "debug"};
  for (int i = 0; i < 8; i++)
    if (strcasecmp(s, names[i]) == 0)
      return i;
  return -1;
}

/* Everything secret is read here; what must stay lives in keys. */
typedef struct {
  dg_api_credentials_t api;
  dg_hmac_key_t *plan_key; /* NULL: none configured */
  char redis_password[DG_SECRET_MAX];
  dg_redis_url_t redis_url;
} secrets_t;

static int read_secrets(const ex_config_t *c, secrets_t *s, char *err,
                        size_t errlen) {
  char why[256];
  if (dg_keyfile_read_credentials(c->key_file, &s->api, why, sizeof why) != 0) {
    snprintf(err, errlen, "KeyFile \"%.300s\": %.400s", c->key_file, why);
    return -1;
  }
  if (c->plan_key_file[0] != '\0' &&
      (s->plan_key = dg_keyfile_read_hmac_key(c->plan_key_file, why,
                                              sizeof why)) == NULL) {
    snprintf(err, errlen, "PlanKeyFile \"%.300s\": %.400s", c->plan_key_file,
             why);
    return -1;
  }
  if (c->redis_password_file[0] != '\0' &&
      dg_keyfile_read_line(c->redis_password_file, s->redis_password,
                           sizeof s->redis_password, why, sizeof why) < 0) {
    snprintf(err, errlen, "RedisPasswordFile \"%.300s\": %.400s",
             c->redis_password_file, why);
    return -1;
  }
  if (dg_redis_url_parse(c->redis_url, &s->redis_url, why, sizeof why) != 0) {
    snprintf(err, errlen, "RedisURL: %s", why);
    return -1;
  }
  return 0;
}

static void wipe_secrets(secrets_t *s) {
  dg_hmac_key_free(s->plan_key);
  dg_secret_wipe(s, sizeof *s);
}

/* What -t checks: the file, its options and every key file it names. */
static int check_config(const char *path, char *err, size_t errlen) {
  ex_config_t cfg;
  secrets_t *s;
  int bad;
  ex_config_defaults(&cfg);
  if (ex_config_load(&cfg, path, err, errlen) != 0)
    return -1;
  if ((s = calloc(1, sizeof *s)) == NULL) {
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  bad = read_secrets(&cfg, s, err, errlen) != 0;
  wipe_secrets(s);
  free(s);
  if (bad) {
    char why[512];
    snprintf(why, sizeof why, "%s", err);
    snprintf(err, errlen, "%s: %s", path, why);
  }
  return bad ? -1 : 0;
}

/* SIGHUP: nothing is reloaded (see the top of this file); say whether the
 * configuration on disk would start. */
static void report_config_check(void) {
  char err[1024];
  check_requested = 0;
  if (check_config(config_path, err, sizeof err) == 0)
    dg_log(LOG_NOTICE,
           "event=sighup config=ok path=%s action=\"nothing reloaded; a "
           "restart applies the file\"",
           config_path);
  else
    dg_log(LOG_WARNING,
           "event=sighup config=invalid error=\"%s\" action=\"nothing "
           "reloaded; running on as started; a restart would fail\"",
           err);
}

/* The start-up call to the exchange: its clock, and on a venue that checks
 * the account there (okx-swap: acctLv) the account. A refusal other than
 * a clock skew (an account driftguard cannot trade, a refused key) stops
 * the executor: it would refuse every plan. Anything else is tried again
 * by the first plan. Returns 0 to run on, -1 to stop. */
static int sync_exchange_time(ex_ctx_t *ctx) {
  dg_ex_result_t res;
  int64_t until;
  char why[256];
  if (dg_ban_check(ctx->redis, ctx->cfg->key_prefix, ex_now_ms(), &until, why,
                   sizeof why) != 0)
    return 0; /* banned or Redis down: the first plan will try again */
  if (dg_exchange_sync_time(ctx->exchange, &res) == DG_EX_OK) {
    dg_log(LOG_INFO, "event=time_synced offset_ms=%lld",
           (long long)dg_exchange_time_offset_ms(ctx->exchange));
    return 0;
  }
  if (res.status == DG_EX_REFUSED && res.reason != DG_EX_REASON_CLOCK_SKEW) {
    dg_log(LOG_ERR, "event=startup_failed error=\"exchange refused: %s\"",
           res.msg);
    return -1;
  }
  dg_log(LOG_WARNING, "event=time_sync_failed status=%s msg=\"%s\"",
         dg_ex_status_name(res.status), res.msg);
  return 0;
}

/* The main loop: own pending entries first, then dead consumers' entries,
 * then new ones; claim again every ClaimIdle/2. Ready as soon as it runs:
 * a Redis that is not there yet is waited for, not a start-up failure. */
static int consume(ex_ctx_t *ctx) {
  int64_t next_claim = 0;
  int rc;
  ex_notify("READY=1");
  if (ex_consumer_ensure_group(ctx) != 0 ||
      (rc = ex_consumer_lease_acquire(ctx)) < 0)
    return 0;
  if (rc > 0)
    return -1;
  if (ex_consumer_own_pending(ctx, ex_apply_batch) < 0)
    return 0;
  dg_log(LOG_NOTICE, "event=started stream=%s group=%s consumer=%s dry_run=%s",
         ctx->plan_stream, ctx->cfg->group, ctx->cfg->consumer,
         ctx->dry_run ? "true" : "false");
  while (!stop_requested) {
    int64_t now = ex_now_ms();
    if ((rc = ex_consumer_lease_renew(ctx)) != 0)
      return rc < 0 ? 0 : -1;
    if (now >= next_claim) {
      if (ex_consumer_autoclaim(ctx, ex_apply_batch) < 0)
        break;
      next_claim = now + (ctx->cfg->claim_idle_s * 1000) / 2 + 500;
    }
    if (ex_consumer_read_new(ctx, ex_apply_batch, READ_BLOCK_MS) < 0)
      break;
    if (check_requested)
      report_config_check();
    dg_log_limited_flush(); /* a flood that stopped is still counted */
    ex_metrics_watch(ctx->metrics);
    ex_watchdog();
  }
  ex_consumer_lease_release(ctx);
  return 0;
}

static int run(const ex_config_t *cfg, int dry_run) {
  secrets_t *s = calloc(1, sizeof *s);
  char err[512];
  dg_exchange_opts_t opts;
  ex_ctx_t ctx = {.cfg = cfg, .dry_run = dry_run, .stop = &stop_requested};
  struct sigaction sa;
  int rc = 1;

  /* From the start: a SIGHUP must never end the process (its default). */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_hangup;
  sa.sa_flags = SA_RESTART; /* a check can wait for the current read */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGHUP, &sa, NULL);
  if (s == NULL || read_secrets(cfg, s, err, sizeof err) != 0) {
    dg_log(LOG_ERR, "event=startup_failed error=\"%s\"",
           s == NULL ? "out of memory" : err);
    if (s != NULL)
      wipe_secrets(s);
    free(s);
    return 1;
  }
  if (s->plan_key != NULL) {
    ctx.plan_key = s->plan_key;
  } else {
    dg_log(LOG_WARNING,
           "event=plans_unauthenticated reason=\"no PlanKeyFile configured\" "
           "effect=\"rule auth skipped: anyone who can write the plan stream "
           "can submit plans\"");
  }
  dg_key_plan_stream(ctx.plan_stream, sizeof ctx.plan_stream, cfg->key_prefix);
  dg_key_consumer_lease(ctx.lease_key, sizeof ctx.lease_key, cfg->key_prefix,
                        cfg->group, cfg->consumer);
  snprintf(ctx.lease_token, sizeof ctx.lease_token, "%s:%ld:%lld",
           cfg->hostname, (long)getpid(), (long long)ex_now_ms());
  if (cfg->collectd_socket[0] != '\0')
    dg_key_metrics_host(ctx.metrics_host_key, sizeof ctx.metrics_host_key,
                        cfg->key_prefix, cfg->hostname);
  /* Renewed every loop (at most a second apart, plus one plan). */
  ctx.lease_ms = cfg->claim_idle_s * 500;
  ctx.lease_ms = ctx.lease_ms < 2000    ? 2000
                 : ctx.lease_ms > 15000 ? 15000
                                        : ctx.lease_ms;
  dg_key_result_stream(ctx.result_stream, sizeof ctx.result_stream,
                       cfg->key_prefix);

  opts = (dg_exchange_opts_t){.url = cfg->url,
                              .api_key = s->api.api_key,
                              .api_secret = s->api.secret,
                              .api_passphrase = s->api.passphrase,
                              .timeout_ms = (int)cfg->timeout_ms,
                              .recv_window_ms = cfg->recv_window_ms};
  if (dg_exchange_global_init() != 0) {
    dg_log(LOG_ERR, "event=startup_failed error=\"HTTP stack init failed\"");
    goto out;
  }
  ctx.exchange = dg_exchange_new(cfg->exchange, &opts, err, sizeof err);
  dg_secret_wipe(&s->api, sizeof s->api); /* the handle keeps its copy */
  if (ctx.exchange == NULL) {
    dg_log(LOG_ERR, "event=startup_failed error=\"exchange: %s\"", err);
    goto out_global;
  }
  /* The reply timeout must outlast XREADGROUP's BLOCK and WAIT's
   * RedisReplicaTimeout. */
  ctx.redis = dg_redis_new(
      &s->redis_url, s->redis_password[0] ? s->redis_password : NULL,
      (int)cfg->timeout_ms + (cfg->redis_replica_timeout_ms > READ_BLOCK_MS
                                  ? (int)cfg->redis_replica_timeout_ms
                                  : READ_BLOCK_MS));
  dg_secret_wipe(s->redis_password, sizeof s->redis_password); /* copied */
  dg_secret_wipe(&s->redis_url, sizeof s->redis_url);
  if (ctx.redis == NULL) {
    dg_log(LOG_ERR, "event=startup_failed error=\"out of memory\"");
    goto out_exchange;
  }
  ctx.metrics = ex_metrics_start(cfg->collectd_socket, cfg->hostname,
                                 cfg->metrics_interval_s);
  if (ctx.metrics == NULL) {
    dg_log(LOG_ERR, "event=startup_failed error=\"out of memory\"");
    goto out_redis;
  }

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: blocking reads wake up */
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  if (sync_exchange_time(&ctx) != 0) {
    ex_metrics_stop(ctx.metrics);
    goto out_redis;
  }
  /* Only a stop request ends the loop normally (else: a consumer name in
   * use, or no memory). */
  rc = consume(&ctx) == 0 && stop_requested ? 0 : 1;
  ex_notify("STOPPING=1");
  dg_log_limited_end();
  dg_log(rc == 0 ? LOG_NOTICE : LOG_ERR, "event=stopping consumed=%llu%s",
         ex_metrics_get(ctx.metrics, EX_M_CONSUMED),
         rc == 0 ? "" : " error=\"stopped without a stop request\"");
  ex_metrics_stop(ctx.metrics);
out_redis:
  dg_redis_free(ctx.redis);
out_exchange:
  dg_exchange_free(ctx.exchange);
out_global:
  dg_exchange_global_cleanup();
out:
  wipe_secrets(s);
  free(s);
  return rc;
}

int main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"config", required_argument, NULL, 'C'},
      {"test-config", no_argument, NULL, 't'},
      {"dry-run", no_argument, NULL, 'n'},
      {"log-level", required_argument, NULL, 'l'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};
  int test_only = 0, dry_run = 0, opt, level;
  ex_config_t cfg;
  char err[1024];

  /* Secrets are read below: no core dump (nor another user's ptrace) may
   * see them. LimitCORE=0 in the unit says the same to systemd. */
  if (dg_secret_no_dump() != 0) {
    fprintf(stderr, "driftguard-executor: cannot disable core dumps\n");
    return 1;
  }
  while ((opt = getopt_long(argc, argv, "C:tnl:hV", longopts, NULL)) != -1) {
    switch (opt) {
    case 'C':
      config_path = optarg;
      break;
    case 't':
      test_only = 1;
      break;
    case 'n':
      dry_run = 1;
      break;
    case 'l':
      if ((level = parse_level(optarg)) < 0) {
        fprintf(stderr, "driftguard-executor: unknown log level \"%s\"\n",
                optarg);
        return 2;
      }
      dg_log_set_level(level);
      break;
    case 'h':
      usage(stdout);
      return 0;
    case 'V':
      printf("driftguard-executor %s\n", DG_VERSION);
      return 0;
    default:
      usage(stderr);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "driftguard-executor: unexpected argument \"%s\"\n",
            argv[optind]);
    usage(stderr);
    return 2;
  }

  /* -t answers "will the service start?": run by root, it judges the key
   * files as the service user (User=driftguard) will read them. */
  if (test_only) {
    dg_keyfile_judge_for_service();
    if (check_config(config_path, err, sizeof err) != 0) {
      fprintf(stderr, "driftguard-executor: %s\n", err);
      return 1;
    }
    printf("%s: configuration OK\n", config_path);
    return 0;
  }
  ex_config_defaults(&cfg);
  if (ex_config_load(&cfg, config_path, err, sizeof err) != 0) {
    fprintf(stderr, "driftguard-executor: %s\n", err);
    return 1;
  }
  return run(&cfg, dry_run || cfg.dry_run);
}
