/* executor_conf.c - the executor's config file (SPEC section 8), read with
 * conf.c, for driftguard-executor and driftguard-ctl alike.
 *
 * One table describes every option: its name, its kind, where it lands in
 * dg_executor_conf_t, its range and whether it may be empty, so parsing,
 * checks and error messages cannot drift apart between the programs. */
#include "driftguard/executor_conf.h"

#include "driftguard/conf.h"
#include "driftguard/keys.h"
#include "driftguard/suggest.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef enum { OPT_STRING, OPT_INT, OPT_BOOL, OPT_SECONDS_MS } opt_kind_t;

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
  long min, max; /* OPT_INT; OPT_SECONDS_MS: in ms */
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
/* Seconds written with up to three decimals (like the plugin's Timeout),
 * stored as milliseconds. */
#define SECONDS_MS(name, field, lo_ms, hi_ms)                                  \
  { name, OPT_SECONDS_MS, FIELD(field), 0, EMPTY_UNSET, lo_ms, hi_ms }

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
    SECONDS_MS("Timeout", timeout_ms, 100, 60000),
    BOOL("DryRun", dry_run),
    BOOL("Unauthenticated", unauthenticated),
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

/* The name collectd 5.12 gives this host when its config sets no Hostname
 * and leaves FQDNLookup at its default (true): gethostname(), replaced by
 * the canonical name getaddrinfo() finds for it, if any. The executor's
 * counters then carry the same host (instance=) as the plugin's. */
static void collectd_default_hostname(const char *host, char *out,
                                      size_t size) {
  struct addrinfo hints, *list = NULL;
  snprintf(out, size, "%s", host);
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_CANONNAME;
  if (getaddrinfo(host, NULL, &hints, &list) != 0)
    return;
  for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next)
    if (ai->ai_canonname != NULL && ai->ai_canonname[0] != '\0') {
      snprintf(out, size, "%s", ai->ai_canonname);
      break;
    }
  freeaddrinfo(list);
}

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
  collectd_default_hostname(host, c->hostname, sizeof c->hostname);
  c->metrics_interval_s = 10;
  c->hold_lease_s = 900;
  c->timeout_ms = 3000;
  c->recv_window_ms = 5000;
  c->claim_idle_s = 60;
  c->batch_size = 128;
  c->redis_replica_timeout_ms = 1000;
}

/* "2", "1.5", "0.25": exact decimal seconds to milliseconds, no double. */
static int get_seconds_ms(const dg_conf_item_t *item, long min_ms, long max_ms,
                          long *out, char *err, size_t errlen) {
  const char *p = item->text;
  long ms = 0;
  int digits = 0, decimals = 0;
  if (item->type == DG_CONF_NUMBER) {
    for (; *p >= '0' && *p <= '9' && ms <= max_ms; p++, digits++)
      ms = ms * 10 + (*p - '0') * 1000;
    if (*p == '.')
      for (p++, digits = 0; *p >= '0' && *p <= '9' && decimals < 3;
           p++, decimals++, digits++)
        ms += (*p - '0') * (decimals == 0 ? 100 : decimals == 1 ? 10 : 1);
    if (digits > 0 && *p == '\0' && ms >= min_ms && ms <= max_ms) {
      *out = ms;
      return 0;
    }
  }
  snprintf(err, errlen,
           "option %s must be seconds from %ld.%03ld to %ld (at most three "
           "decimals), not %s",
           item->key, min_ms / 1000, min_ms % 1000, max_ms / 1000, item->text);
  return -1;
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
    case OPT_SECONDS_MS:
      return get_seconds_ms(item, o->min, o->max, (long *)(void *)field, err,
                            errlen);
    }
  }
  {
    const char *names[N_OPTIONS], *near;
    for (size_t i = 0; i < N_OPTIONS; i++)
      names[i] = options[i].name;
    near = dg_suggest_name(item->key, names, N_OPTIONS);
    snprintf(err, errlen, "unknown option \"%s\"%s%s%s", item->key,
             near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
  }
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
  /* Fail closed: a lost PlanKeyFile line must not turn authentication
   * off; running without one is said explicitly. */
  if (c->plan_key_file[0] == '\0' && !c->unauthenticated) {
    snprintf(err, errlen,
             "%s: option PlanKeyFile is required (plans are authenticated "
             "with it); set Unauthenticated true to accept unsigned plans",
             path);
    return -1;
  }
  if (c->plan_key_file[0] != '\0' && c->unauthenticated) {
    snprintf(err, errlen,
             "%s: PlanKeyFile and Unauthenticated true contradict each other; "
             "keep one",
             path);
    return -1;
  }
  if (strspn(c->consumer, CONSUMER_CHARS) != strlen(c->consumer)) {
    snprintf(err, errlen,
             "%s: Consumer \"%s\" may only use letters, digits and . _ : -",
             path, c->consumer);
    return -1;
  }
  return 0;
}
