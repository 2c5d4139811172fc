/* config.c - driftguard-ctl reads the executor's own config file, so the
 * operator's tool always looks at the account the executor serves.
 *
 * Every executor option is known here: the ones ctl uses are stored, the
 * others are only type-checked, and an unknown option or a malformed line
 * is refused with FILE:LINE, as the executor would refuse it. */
#include "ctl.h"

#include "driftguard/conf.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CTL_DEFAULT_REDIS_URL "redis://127.0.0.1:6379/0"
#define CTL_DEFAULT_TIMEOUT_MS 3000
#define CTL_DEFAULT_EXCHANGE "binance-usdm"
#define CTL_DEFAULT_RECV_WINDOW_MS 5000
#define CTL_DEFAULT_GROUP "driftguard-executor"
#define CTL_MAX_TIMEOUT_MS 600000

typedef enum { OPT_STRING, OPT_INT, OPT_SECONDS, OPT_BOOL } opt_kind_t;

/* One executor option; offset/size locate it in ctl_conf_t when ctl uses
 * it (size 0: checked, then ignored). */
typedef struct {
  const char *name;
  opt_kind_t kind;
  size_t offset;
  size_t size;
} opt_t;

#define USED(name, kind, field)                                                \
  { name, kind, offsetof(ctl_conf_t, field), sizeof(((ctl_conf_t *)0)->field) }
#define IGNORED(name, kind)                                                    \
  { name, kind, 0, 0 }

static const opt_t options[] = {
    USED("Exchange", OPT_STRING, exchange),
    USED("URL", OPT_STRING, url),
    USED("KeyFile", OPT_STRING, key_file),
    USED("RedisURL", OPT_STRING, redis_url),
    USED("RedisPasswordFile", OPT_STRING, redis_password_file),
    USED("KeyPrefix", OPT_STRING, key_prefix),
    USED("PlanKeyFile", OPT_STRING, plan_key_file),
    USED("Timeout", OPT_SECONDS, timeout_ms),
    USED("RecvWindow", OPT_INT, recv_window_ms),
    IGNORED("Source", OPT_STRING),
    USED("Group", OPT_STRING, group),
    IGNORED("Consumer", OPT_STRING),
    IGNORED("CollectdSocket", OPT_STRING),
    IGNORED("Hostname", OPT_STRING),
    IGNORED("MetricsInterval", OPT_INT),
    IGNORED("HoldLease", OPT_INT),
    IGNORED("DryRun", OPT_BOOL),
    IGNORED("ClaimIdle", OPT_INT),
    IGNORED("BatchSize", OPT_INT),
};

/* Seconds (integer or decimal, exact) to milliseconds, within (0, max]. */
static int get_seconds_ms(const dg_conf_item_t *item, long *out, char *err,
                          size_t errlen) {
  dg_dec_t d;
  int64_t per_ms = DG_DEC_SCALE / 1000;
  if (item->type == DG_CONF_NUMBER && dg_dec_parse(item->text, &d) == 0 &&
      d.units > 0 && d.units % per_ms == 0 &&
      d.units / per_ms <= CTL_MAX_TIMEOUT_MS) {
    *out = (long)(d.units / per_ms);
    return 0;
  }
  snprintf(err, errlen,
           "option %s must be a number of seconds above 0 and at most %d "
           "(millisecond precision)",
           item->key, CTL_MAX_TIMEOUT_MS / 1000);
  return -1;
}

static int on_item(const dg_conf_item_t *item, void *user, char *err,
                   size_t errlen) {
  ctl_conf_t *c = user;
  const opt_t *o = NULL;
  long l;
  int b;
  for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
    if (strcasecmp(options[i].name, item->key) == 0)
      o = &options[i];
  if (o == NULL) {
    snprintf(err, errlen, "unknown option %s", item->key);
    return -1;
  }
  switch (o->kind) {
  case OPT_STRING: {
    char scratch[CTL_PATH_MAX];
    char *dst = o->size ? (char *)c + o->offset : scratch;
    size_t size = o->size ? o->size : sizeof(scratch);
    return dg_conf_get_string(item, dst, size, err, errlen);
  }
  case OPT_INT:
    if (dg_conf_get_int(item, 0, 86400 * 365L, &l, err, errlen) != 0)
      return -1;
    if (o->size)
      *(long *)((char *)c + o->offset) = l;
    return 0;
  case OPT_SECONDS:
    if (get_seconds_ms(item, &l, err, errlen) != 0)
      return -1;
    *(long *)((char *)c + o->offset) = l;
    return 0;
  case OPT_BOOL:
    return dg_conf_get_bool(item, &b, err, errlen);
  }
  return 0;
}

int ctl_conf_load(const char *path, ctl_conf_t *c, char *err, size_t errlen) {
  memset(c, 0, sizeof(*c));
  snprintf(c->path, sizeof(c->path), "%s", path);
  snprintf(c->redis_url, sizeof(c->redis_url), "%s", CTL_DEFAULT_REDIS_URL);
  snprintf(c->key_prefix, sizeof(c->key_prefix), "%s", DG_DEFAULT_PREFIX);
  snprintf(c->exchange, sizeof(c->exchange), "%s", CTL_DEFAULT_EXCHANGE);
  c->recv_window_ms = CTL_DEFAULT_RECV_WINDOW_MS;
  snprintf(c->group, sizeof(c->group), "%s", CTL_DEFAULT_GROUP);
  c->timeout_ms = CTL_DEFAULT_TIMEOUT_MS;
  if (dg_conf_parse_file(path, on_item, c, err, errlen) != 0)
    return -1;
  if (c->url[0] == '\0' || c->key_file[0] == '\0') {
    snprintf(err, errlen, "%s: option %s is required", path,
             c->url[0] == '\0' ? "URL" : "KeyFile");
    return -1;
  }
  /* Empty file options mean "not set"; these have no such meaning. */
  if (c->redis_url[0] == '\0' || c->key_prefix[0] == '\0' ||
      c->group[0] == '\0' || c->exchange[0] == '\0') {
    snprintf(err, errlen,
             "%s: Exchange, RedisURL, KeyPrefix and Group must not be empty",
             path);
    return -1;
  }
  return 0;
}
