/* Unit tests for the executor's config file reader (SPEC section 8), shared
 * by driftguard-executor and driftguard-ctl: defaults, every option, the
 * ranges, required and non-empty options, and the FILE:LINE of errors. It
 * only parses: key files are not opened. */
#include "../tap.h"
#include "driftguard/executor_conf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/dgexconf.XXXXXX";

/* The two lines every accepted file needs; key files need not exist. */
#define REQUIRED                                                               \
  "URL \"http://127.0.0.1:1\"\nKeyFile \"/nonexistent/t.key\"\n"               \
  "PlanKeyFile \"/nonexistent/plan.key\"\n"

static void write_conf(const char *text) {
  FILE *f = fopen(path, "w");
  if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
    perror(path);
    exit(1);
  }
}

/* Defaults, then text read over them. Returns what read returned. */
static int read_conf(const char *text, dg_executor_conf_t *c, char *err,
                     size_t errlen) {
  write_conf(text);
  dg_executor_conf_defaults(c);
  err[0] = '\0';
  return dg_executor_conf_read(c, path, err, errlen);
}

static int accepts(const char *text, dg_executor_conf_t *c, const char *name) {
  char err[600];
  int good = read_conf(text, c, err, sizeof err) == 0;
  if (!ok(good, "%s: accepted", name))
    printf("#   error: %s\n", err);
  return good;
}

/* The file must be refused with exactly "PATH:LINE: reason" (line 0:
 * "PATH: reason"). */
static void refuses(const char *text, int line, const char *reason,
                    const char *name) {
  dg_executor_conf_t c;
  char err[600], want[700];
  ok(read_conf(text, &c, err, sizeof err) == -1, "%s: refused", name);
  if (line > 0)
    snprintf(want, sizeof want, "%s:%d: %s", path, line, reason);
  else
    snprintf(want, sizeof want, "%s: %s", path, reason);
  is_str(err, want, name);
}

/* One check per option: got holds what want holds. */
static void same_conf(const dg_executor_conf_t *got,
                      const dg_executor_conf_t *want, const char *name) {
  static const struct {
    const char *option;
    size_t offset;
  } texts[] = {
#define TEXT(option, field) {option, offsetof(dg_executor_conf_t, field)}
      TEXT("Exchange", exchange),
      TEXT("URL", url),
      TEXT("KeyFile", key_file),
      TEXT("RedisURL", redis_url),
      TEXT("RedisPasswordFile", redis_password_file),
      TEXT("KeyPrefix", key_prefix),
      TEXT("Source", source),
      TEXT("PlanKeyFile", plan_key_file),
      TEXT("Group", group),
      TEXT("Consumer", consumer),
      TEXT("CollectdSocket", collectd_socket),
      TEXT("Hostname", hostname),
#undef TEXT
  };
  char what[128];
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    snprintf(what, sizeof what, "%s: %s", name, texts[i].option);
    is_str((const char *)got + texts[i].offset,
           (const char *)want + texts[i].offset, what);
  }
  ok(got->metrics_interval_s == want->metrics_interval_s,
     "%s: MetricsInterval %ld", name, got->metrics_interval_s);
  ok(got->hold_lease_s == want->hold_lease_s, "%s: HoldLease %ld", name,
     got->hold_lease_s);
  ok(got->timeout_ms == want->timeout_ms, "%s: Timeout %ld ms", name,
     got->timeout_ms);
  ok(got->dry_run == want->dry_run, "%s: DryRun %d", name, got->dry_run);
  ok(got->unauthenticated == want->unauthenticated, "%s: Unauthenticated %d",
     name, got->unauthenticated);
  ok(got->recv_window_ms == want->recv_window_ms, "%s: RecvWindow %ld", name,
     got->recv_window_ms);
  ok(got->claim_idle_s == want->claim_idle_s, "%s: ClaimIdle %ld", name,
     got->claim_idle_s);
  ok(got->batch_size == want->batch_size, "%s: BatchSize %ld", name,
     got->batch_size);
}

static void test_defaults(void) {
  dg_executor_conf_t c, want = {
                            .exchange = "binance-usdm",
                            .url = "http://127.0.0.1:1",
                            .key_file = "/nonexistent/t.key",
                            .plan_key_file = "/nonexistent/plan.key",
                            .redis_url = "redis://127.0.0.1:6379/0",
                            .key_prefix = "quantum",
                            .source = "p3.4",
                            .group = "driftguard-executor",
                            .collectd_socket = "/var/run/collectd-unixsock",
                            .metrics_interval_s = 10,
                            .hold_lease_s = 900,
                            .timeout_ms = 3000,
                            .recv_window_ms = 5000,
                            .claim_idle_s = 60,
                            .batch_size = 128,
                        };
  if (gethostname(want.consumer, sizeof want.consumer) != 0)
    snprintf(want.consumer, sizeof want.consumer, "localhost");
  want.consumer[sizeof want.consumer - 1] = '\0';
  if (accepts(REQUIRED, &c, "only URL, KeyFile and PlanKeyFile")) {
    /* Hostname: collectd's default name of this host, which
     * tests/integration/hostname_default.sh checks against collectd. */
    ok(c.hostname[0] != '\0', "default Hostname is set (%s)", c.hostname);
    memcpy(want.hostname, c.hostname, sizeof want.hostname);
    same_conf(&c, &want, "default");
  }
}

static void test_every_option(void) {
  dg_executor_conf_t c, want = {
                            .exchange = "other-driver",
                            .url = "https://fapi.example",
                            .key_file = "/k/trade.key",
                            .redis_url = "unix:///run/redis.sock?db=2",
                            .redis_password_file = "/k/redis.pass",
                            .key_prefix = "acct2",
                            .source = "p9",
                            .plan_key_file = "/k/plan.key",
                            .group = "grp",
                            .consumer = "exec-1.a:b_c",
                            .collectd_socket = "/run/cd.sock",
                            .hostname = "box",
                            .metrics_interval_s = 7,
                            .hold_lease_s = 1200,
                            .timeout_ms = 9000,
                            .dry_run = 1,
                            .recv_window_ms = 60000,
                            .claim_idle_s = 5,
                            .batch_size = 1000,
                        };
  if (accepts("# every option\n"
              "Exchange \"other-driver\"\n"
              "URL \"https://fapi.example\"\n"
              "KeyFile \"/k/trade.key\"\n"
              "RedisURL \"unix:///run/redis.sock?db=2\"\n"
              "RedisPasswordFile \"/k/redis.pass\"\n"
              "KeyPrefix \"acct2\"\n"
              "Source \"p9\"\n"
              "PlanKeyFile \"/k/plan.key\"\n"
              "Group \"grp\"\n"
              "Consumer \"exec-1.a:b_c\"\n"
              "CollectdSocket \"/run/cd.sock\"\n"
              "Hostname \"box\"\n"
              "MetricsInterval 7\n"
              "HoldLease 1200\n"
              "Timeout 9\n"
              "DryRun true\n"
              "RecvWindow 60000\n"
              "ClaimIdle 5\n"
              "BatchSize 1000\n",
              &c, "every option set"))
    same_conf(&c, &want, "set");

  if (accepts(REQUIRED "batchsize 3\nCONSUMER \"x\"\nBatchSize 4\n"
                       "CollectdSocket \"\"\nPlanKeyFile \"\"\n"
                       "unauthenticated yes\n",
              &c, "names in any case, repeated option, empty file options"))
    ok(c.batch_size == 4 && strcmp(c.consumer, "x") == 0 &&
           c.collectd_socket[0] == '\0' && c.plan_key_file[0] == '\0',
       "the last value wins; an empty file option means not set");
}

/* Each integer option: its bounds accepted, one past them refused. */
static void test_ranges(void) {
  static const struct {
    const char *name;
    long min, max;
  } ranges[] = {
      {"MetricsInterval", 1, 3600}, {"HoldLease", 10, 86400},
      {"RecvWindow", 100, 60000},   {"ClaimIdle", 1, 86400},
      {"BatchSize", 1, 1000},
  };
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
    const char *n = ranges[i].name;
    long bound[2] = {ranges[i].min, ranges[i].max};
    char text[256], reason[128], name[128];
    dg_executor_conf_t c;
    snprintf(reason, sizeof reason,
             "option %s must be an integer from %ld to %ld", n, ranges[i].min,
             ranges[i].max);
    for (int b = 0; b < 2; b++) {
      snprintf(text, sizeof text, REQUIRED "%s %ld\n", n, bound[b]);
      snprintf(name, sizeof name, "%s %ld", n, bound[b]);
      accepts(text, &c, name);
      snprintf(text, sizeof text, REQUIRED "%s %ld\n", n,
               b == 0 ? bound[b] - 1 : bound[b] + 1);
      snprintf(name, sizeof name, "%s %ld", n,
               b == 0 ? bound[b] - 1 : bound[b] + 1);
      refuses(text, 4, reason, name);
    }
  }
  /* Timeout: seconds with up to three decimals, like the plugin's. */
  {
    static const struct {
      const char *text;
      long ms;
    } good[] = {{"1.5", 1500},
                {"0.25", 250},
                {"60", 60000},
                {"0.1", 100},
                {"2.125", 2125}};
    static const char *const bad[] = {"0.05", "60.001", "1.2345", "-1",
                                      "\"3s\""};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
      char text[128], name[64];
      dg_executor_conf_t c;
      snprintf(text, sizeof text, REQUIRED "Timeout %s\n", good[i].text);
      snprintf(name, sizeof name, "Timeout %s", good[i].text);
      if (accepts(text, &c, name))
        ok(c.timeout_ms == good[i].ms, "Timeout %s is %ld ms", good[i].text,
           good[i].ms);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      char text[128], name[64];
      dg_executor_conf_t c;
      char err[600];
      snprintf(text, sizeof text, REQUIRED "Timeout %s\n", bad[i]);
      snprintf(name, sizeof name, "Timeout %s refused, naming the range",
               bad[i]);
      ok(read_conf(text, &c, err, sizeof err) == -1 &&
             strstr(err, "option Timeout must be seconds from 0.100 to 60") !=
                 NULL,
         "%s: %s", name, err);
    }
  }
  refuses("# x\nMetricsInterval \"often\"\n", 2,
          "option MetricsInterval must be an integer from 1 to 3600",
          "a string for a number");
  refuses(REQUIRED "DryRun maybe\n", 4, "option DryRun must be true or false",
          "a bare word for a boolean");
  refuses(REQUIRED "Group 5\n", 4,
          "option Group expects a string, e.g. Group \"...\"",
          "a number for a string");
  refuses(REQUIRED "KeyPrefix "
                   "\"0123456789012345678901234567890123456789012345678901234"
                   "567890123\"\n",
          4, "option KeyPrefix is too long (at most 63 characters)",
          "an overlong KeyPrefix");
}

static void test_refusals(void) {
  refuses(REQUIRED "\nFrobnicate \"yes\"\n", 5, "unknown option \"Frobnicate\"",
          "unknown option, with FILE:LINE");
  refuses(REQUIRED "LedgerKey \"x\"\n", 4, "unknown option \"LedgerKey\"",
          "a plugin-only option is unknown here");
  refuses(REQUIRED "Timout 2\n", 4,
          "unknown option \"Timout\"; did you mean Timeout?",
          "a typo gets the nearest option");
  refuses("# no URL\nKeyFile \"/k\"\n", 0, "option URL is required",
          "missing URL");
  refuses("URL \"http://x\"\n", 0, "option KeyFile is required",
          "missing KeyFile");
  refuses("URL \"\"\nKeyFile \"/k\"\n", 1, "option URL must not be empty",
          "empty URL");
  refuses(REQUIRED "RedisURL \"\"\n", 4, "option RedisURL must not be empty",
          "empty RedisURL");
  refuses(REQUIRED "Exchange \"\"\n", 4, "option Exchange must not be empty",
          "empty Exchange");
  refuses(REQUIRED "Hostname \"\"\n", 4, "option Hostname must not be empty",
          "empty Hostname");
  refuses(REQUIRED "Consumer \"a b\"\n", 0,
          "Consumer \"a b\" may only use letters, digits and . _ : -",
          "a Consumer with a space");
  refuses("URL \"http://x\"\nKeyFile \"/k\"\n", 0,
          "option PlanKeyFile is required (plans are authenticated with it); "
          "set Unauthenticated true to accept unsigned plans",
          "fail closed: no PlanKeyFile without Unauthenticated true");
  refuses("URL \"http://x\"\nKeyFile \"/k\"\nUnauthenticated false\n", 0,
          "option PlanKeyFile is required (plans are authenticated with it); "
          "set Unauthenticated true to accept unsigned plans",
          "Unauthenticated false is no way around it");
  refuses(REQUIRED "Unauthenticated true\n", 0,
          "PlanKeyFile and Unauthenticated true contradict each other; keep "
          "one",
          "PlanKeyFile with Unauthenticated true");
  {
    dg_executor_conf_t c;
    if (accepts("URL \"http://x\"\nKeyFile \"/k\"\nUnauthenticated true\n", &c,
                "no PlanKeyFile, Unauthenticated true"))
      ok(c.unauthenticated == 1 && c.plan_key_file[0] == '\0',
         "Unauthenticated true: unsigned plans, by choice");
  }
  refuses(REQUIRED "<Account x>\n", 4,
          "blocks (<...>) are not supported here; write flat `Key value` "
          "lines",
          "a syntax error from conf.c keeps FILE:LINE");
  {
    dg_executor_conf_t c;
    char err[600], want[700];
    unlink(path);
    dg_executor_conf_defaults(&c);
    ok(dg_executor_conf_read(&c, path, err, sizeof err) == -1,
       "missing file refused");
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory",
             path);
    is_str(err, want, "missing file: FILE: reason");
  }
}

int main(void) {
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("mkstemp");
    return 1;
  }
  close(fd);
  test_defaults();
  test_every_option();
  test_ranges();
  test_refusals();
  unlink(path);
  return tap_done();
}
