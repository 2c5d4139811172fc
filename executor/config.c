/* config.c - the executor's options (SPEC section 8), read with lib/conf.c.
 *
 * One table describes every option: its name, its kind and where it lands in
 * ex_config_t, so parsing, defaults and the error messages cannot drift
 * apart. Unknown options, bad values and unsafe key files are refused with
 * the file, the line and the reason. */
#include "executor/config.h"

#include "driftguard/conf.h"
#include "driftguard/keyfile.h"
#include "driftguard/keys.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef enum { OPT_STRING, OPT_INT, OPT_BOOL } opt_kind_t;

typedef struct {
  const char *name;
  opt_kind_t kind;
  size_t offset;
  size_t size; /* OPT_STRING: buffer size */
  long min, max;
} opt_t;

#define STR(name, field)                                                       \
  {                                                                            \
    name, OPT_STRING, offsetof(ex_config_t, field),                            \
        sizeof(((ex_config_t *)0)->field), 0, 0                                \
  }
#define INT(name, field, lo, hi)                                               \
  { name, OPT_INT, offsetof(ex_config_t, field), 0, lo, hi }
#define BOOL(name, field)                                                      \
  { name, OPT_BOOL, offsetof(ex_config_t, field), 0, 0, 0 }

static const opt_t options[] = {
    STR("Exchange", exchange),
    STR("URL", url),
    STR("KeyFile", key_file),
    STR("RedisURL", redis_url),
    STR("RedisPasswordFile", redis_password_file),
    STR("KeyPrefix", key_prefix),
    STR("Source", source),
    STR("PlanKeyFile", plan_key_file),
    STR("Group", group),
    STR("Consumer", consumer),
    STR("CollectdSocket", collectd_socket),
    STR("Hostname", hostname),
    INT("MetricsInterval", metrics_interval_s, 1, 3600),
    INT("HoldLease", hold_lease_s, 10, 86400),
    INT("Timeout", timeout_s, 1, 60),
    BOOL("DryRun", dry_run),
    INT("RecvWindow", recv_window_ms, 100, 60000),
    INT("ClaimIdle", claim_idle_s, 1, 86400),
    INT("BatchSize", batch_size, 1, 1000),
};

void ex_config_defaults(ex_config_t *c) {
  char host[64] = "localhost";
  memset(c, 0, sizeof *c);
  if (gethostname(host, sizeof host) != 0)
    snprintf(host, sizeof host, "localhost");
  host[sizeof host - 1] = '\0';
  snprintf(c->exchange, sizeof c->exchange, "binance-usdm");
  snprintf(c->redis_url, sizeof c->redis_url, "redis://127.0.0.1:6379/0");
  snprintf(c->key_prefix, sizeof c->key_prefix, "%s", DG_DEFAULT_PREFIX);
  snprintf(c->source, sizeof c->source, "%s", DG_DEFAULT_SOURCE);
  snprintf(c->group, sizeof c->group, "driftguard-executor");
  snprintf(c->consumer, sizeof c->consumer, "%s", host);
  snprintf(c->collectd_socket, sizeof c->collectd_socket,
           "/var/run/collectd-unixsock");
  snprintf(c->hostname, sizeof c->hostname, "%s", host);
  c->metrics_interval_s = 10;
  c->hold_lease_s = 900;
  c->timeout_s = 3;
  c->recv_window_ms = 5000;
  c->claim_idle_s = 60;
  c->batch_size = 16;
}

static int set_option(const dg_conf_item_t *item, void *user, char *err,
                      size_t errlen) {
  ex_config_t *c = user;
  for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
    const opt_t *o = &options[i];
    char *field = (char *)c + o->offset;
    if (strcasecmp(item->key, o->name) != 0)
      continue;
    switch (o->kind) {
    case OPT_STRING:
      return dg_conf_get_string(item, field, o->size, err, errlen);
    case OPT_INT:
      return dg_conf_get_int(item, o->min, o->max, (long *)(void *)field, err,
                             errlen);
    case OPT_BOOL:
      return dg_conf_get_bool(item, (int *)(void *)field, err, errlen);
    }
  }
  snprintf(err, errlen, "unknown option \"%s\"", item->key);
  return -1;
}

/* Key files must exist and be private; checking them here makes -t catch
 * what would otherwise fail at the first order. */
static int check_key_file(const char *path, const char *option,
                          const char *conf, char *err, size_t errlen) {
  char why[256];
  if (path[0] == '\0' || dg_keyfile_check(path, why, sizeof why) == 0)
    return 0;
  snprintf(err, errlen, "%s: %s \"%s\": %s", conf, option, path, why);
  return -1;
}

int ex_config_load(ex_config_t *c, const char *path, char *err, size_t errlen) {
  if (dg_conf_parse_file(path, set_option, c, err, errlen) != 0)
    return -1;
  if (c->url[0] == '\0') {
    snprintf(err, errlen, "%s: option URL is required", path);
    return -1;
  }
  if (c->key_file[0] == '\0') {
    snprintf(err, errlen, "%s: option KeyFile is required", path);
    return -1;
  }
  if (c->redis_url[0] == '\0' || c->key_prefix[0] == '\0' ||
      c->source[0] == '\0' || c->group[0] == '\0' || c->consumer[0] == '\0' ||
      c->hostname[0] == '\0') {
    snprintf(err, errlen,
             "%s: RedisURL, KeyPrefix, Source, Group, Consumer and Hostname "
             "must not be empty",
             path);
    return -1;
  }
  /* The consumer name is stored in dedupe records and results. */
  if (strspn(c->consumer, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789._:-") != strlen(c->consumer)) {
    snprintf(err, errlen,
             "%s: Consumer \"%s\" may only use letters, digits and . _ : -",
             path, c->consumer);
    return -1;
  }
  return check_key_file(c->key_file, "KeyFile", path, err, errlen) ||
                 check_key_file(c->plan_key_file, "PlanKeyFile", path, err,
                                errlen) ||
                 check_key_file(c->redis_password_file, "RedisPasswordFile",
                                path, err, errlen)
             ? -1
             : 0;
}
