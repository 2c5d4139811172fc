/* executor_conf.c - the executor's config file (SPEC section 8), read with
 * conf.c, for driftguard-executor and driftguard-ctl alike.
 *
 * One table describes every option: its name, its kind, where it lands in
 * dg_executor_conf_t, its range and whether it may be empty, so parsing,
 * checks and error messages cannot drift apart between the programs. */
#include "driftguard/executor_conf.h"

#include "driftguard/conf.h"
#include "driftguard/keys.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef enum { OPT_STRING, OPT_INT, OPT_BOOL } opt_kind_t;

/* What an empty string means for an option. */
typedef enum {
  EMPTY_UNSET,   /* "not set" (optional files and sockets) */
  EMPTY_REFUSED, /* never: the option has a default and needs a value */
  EMPTY_MISSING, /* the option has no default and must be given */
} opt_empty_t;

typedef struct {
  const char *name;
  opt_kind_t kind;
  size_t offset;
  size_t size; /* OPT_STRING: buffer size */
  opt_empty_t empty;
  long min, max; /* OPT_INT */
} opt_t;

#define FIELD(field) offsetof(dg_executor_conf_t, field)
#define STR(name, field, empty)                                                \
  {                                                                            \
    name, OPT_STRING, FIELD(field), sizeof(((dg_executor_conf_t *)0)->field),  \
        empty, 0, 0                                                            \
  }
#define INT(name, field, lo, hi)                                               \
  { name, OPT_INT, FIELD(field), 0, EMPTY_UNSET, lo, hi }
#define BOOL(name, field)                                                      \
  { name, OPT_BOOL, FIELD(field), 0, EMPTY_UNSET, 0, 0 }

static const opt_t options[] = {
    STR("Exchange", exchange, EMPTY_REFUSED),
    STR("URL", url, EMPTY_MISSING),
    STR("KeyFile", key_file, EMPTY_MISSING),
    STR("RedisURL", redis_url, EMPTY_REFUSED),
    STR("RedisPasswordFile", redis_password_file, EMPTY_UNSET),
    STR("KeyPrefix", key_prefix, EMPTY_REFUSED),
    STR("Source", source, EMPTY_REFUSED),
    STR("PlanKeyFile", plan_key_file, EMPTY_UNSET),
    STR("Group", group, EMPTY_REFUSED),
    STR("Consumer", consumer, EMPTY_REFUSED),
    STR("CollectdSocket", collectd_socket, EMPTY_UNSET),
    STR("Hostname", hostname, EMPTY_REFUSED),
    INT("MetricsInterval", metrics_interval_s, 1, 3600),
    INT("HoldLease", hold_lease_s, 10, 86400),
    INT("Timeout", timeout_s, 1, 60),
    BOOL("DryRun", dry_run),
    INT("RecvWindow", recv_window_ms, 100, 60000),
    INT("ClaimIdle", claim_idle_s, 1, 86400),
    INT("BatchSize", batch_size, 1, 1000),
    INT("RedisMinReplicas", redis_min_replicas, 0, 16),
    INT("RedisReplicaTimeout", redis_replica_timeout_ms, 10, 60000),
};
#define N_OPTIONS (sizeof options / sizeof options[0])

/* The consumer name is stored in dedupe records and results. */
#define CONSUMER_CHARS                                                         \
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-"

void dg_executor_conf_defaults(dg_executor_conf_t *c) {
  char host[DG_EXCONF_NAME_MAX] = "localhost";
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
  c->batch_size = 128;
  c->redis_replica_timeout_ms = 1000;
}

static int set_option(const dg_conf_item_t *item, void *user, char *err,
                      size_t errlen) {
  for (size_t i = 0; i < N_OPTIONS; i++) {
    const opt_t *o = &options[i];
    char *field = (char *)user + o->offset;
    if (strcasecmp(item->key, o->name) != 0)
      continue;
    switch (o->kind) {
    case OPT_STRING:
      if (dg_conf_get_string(item, field, o->size, err, errlen) != 0)
        return -1;
      if (field[0] == '\0' && o->empty != EMPTY_UNSET) {
        snprintf(err, errlen, "option %s must not be empty", o->name);
        return -1;
      }
      return 0;
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

int dg_executor_conf_read(dg_executor_conf_t *c, const char *path, char *err,
                          size_t errlen) {
  if (dg_conf_parse_file(path, set_option, c, err, errlen) != 0)
    return -1;
  for (size_t i = 0; i < N_OPTIONS; i++) {
    const opt_t *o = &options[i];
    const char *value = (const char *)c + o->offset;
    if (o->kind == OPT_STRING && o->empty != EMPTY_UNSET && value[0] == '\0') {
      snprintf(err, errlen, "%s: option %s %s", path, o->name,
               o->empty == EMPTY_MISSING ? "is required" : "must not be empty");
      return -1;
    }
  }
  if (strspn(c->consumer, CONSUMER_CHARS) != strlen(c->consumer)) {
    snprintf(err, errlen,
             "%s: Consumer \"%s\" may only use letters, digits and . _ : -",
             path, c->consumer);
    return -1;
  }
  return 0;
}
