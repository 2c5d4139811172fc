/* reconcile.c - collectd plugin "reconcile": keeps exchange positions equal
 * to the trading system's ledger (SPEC). This file is the collectd glue:
 * module_register, the <Plugin reconcile> configuration (one <Account>
 * block per exchange account), init (key files, connections, types, one
 * read callback per account) and shutdown. The poll itself is in
 * reconcile_poll.c, Redis in reconcile_store.c, values in
 * reconcile_metrics.c.
 *
 * A bad option fails the plugin's init with a message naming it; collectd
 * then unloads this plugin and keeps running the others. */
#include "reconcile_account.h"

#include "utils/common/common.h"

#include "driftguard/keyfile.h"
#include "driftguard/keys.h"
#include "driftguard/suggest.h"

#include <ctype.h>
#include <string.h>

#define RC_DEFAULT_EXCHANGE "binance-usdm"
#define RC_DEFAULT_REDIS_URL "redis://127.0.0.1:6379/0"
#define RC_DEFAULT_LEDGER_FIELD "position_amt"
/* Hedge mode: the ledger's LONG (>= 0) and SHORT (<= 0) legs. */
#define RC_DEFAULT_LEDGER_FIELD_LONG "long_amt"
#define RC_DEFAULT_LEDGER_FIELD_SHORT "short_amt"
#define RC_DEFAULT_TIMEOUT_MS 3000
#define RC_DEFAULT_CONFIRM_POLLS 2
#define RC_DEFAULT_HOLD_LEASE_S 900
#define RC_DEFAULT_COOLDOWN_S 120
/* After publishing a plan, poll again this soon (the executor is usually
 * done by then), while the drift lasts, within the account's Interval. */
#define RC_REPOLL_DELAY_MS 250

static rc_account_t **rc_accounts;
static size_t rc_accounts_num;
/* A configuration error was reported: init fails, nothing is polled. */
static bool rc_config_failed;

static void rc_account_free(rc_account_t *a) {
  if (a == NULL)
    return;
  if (a->ex != NULL)
    dg_exchange_free(a->ex);
  if (a->redis != NULL)
    dg_redis_free(a->redis);
  dg_hmac_key_free(a->plan_key);
  char **strings[] = {&a->name,
                      &a->conf.exchange,
                      &a->conf.url,
                      &a->conf.key_file,
                      &a->conf.redis_url,
                      &a->conf.redis_password_file,
                      &a->conf.key_prefix,
                      &a->conf.source,
                      &a->conf.ledger_key,
                      &a->conf.ledger_field,
                      &a->conf.ledger_field_legs[RC_LEG_LONG],
                      &a->conf.ledger_field_legs[RC_LEG_SHORT],
                      &a->conf.ledger_guard_key,
                      &a->conf.plan_key_file};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(strings); i++)
    sfree(*strings[i]);
  free(a->symbols);
  free(a->work.watch);
  free(a->work.rows);
  free(a->work.replies);
  free(a->work.values);
  free(a->work.ledger_cmd);
  free(a->work.ledger_cmd_symbols);
  free(a->scanned);
  free(a);
}

static int rc_config_fail(const rc_account_t *a, const char *option,
                          const char *reason) {
  ERROR(RC_PLUGIN " plugin: account=%s option=%s: %s", a->name, option, reason);
  return -1;
}

/* The option as written, for the message: its values, or a placeholder for
 * RedisURL, whose value may carry a password. */
static void rc_config_value_text(const oconfig_item_t *ci, char *out,
                                 size_t size) {
  size_t len = 0;
  out[0] = '\0';
  if (strcasecmp(ci->key, "RedisURL") == 0) {
    snprintf(out, size, "(not shown: it may hold a password)");
    return;
  }
  if (ci->values_num == 0)
    snprintf(out, size, "(none)");
  for (int i = 0; i < ci->values_num && len < size; i++) {
    const oconfig_value_t *v = &ci->values[i];
    const char *sep = i > 0 ? " " : "";
    int n;
    if (v->type == OCONFIG_TYPE_STRING)
      n = snprintf(out + len, size - len, "%s\"%.100s\"", sep, v->value.string);
    else if (v->type == OCONFIG_TYPE_NUMBER)
      n = snprintf(out + len, size - len, "%s%g", sep, v->value.number);
    else
      n = snprintf(out + len, size - len, "%s%s", sep,
                   v->value.boolean ? "true" : "false");
    if (n < 0)
      break;
    len += (size_t)n;
  }
}

/* A refused value: the message echoes it. */
static int rc_config_bad(const rc_account_t *a, const oconfig_item_t *ci,
                         const char *reason) {
  char value[256];
  rc_config_value_text(ci, value, sizeof(value));
  ERROR(RC_PLUGIN " plugin: account=%s option=%s value=%s: %s", a->name,
        ci->key, value, reason);
  return -1;
}

/* Account names become metric instances: keep them plain. */
static int rc_valid_account_name(const char *s) {
  size_t len = strlen(s);
  if (len == 0 || len >= DATA_MAX_NAME_LEN)
    return 0;
  return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                   "0123456789_-") == len;
}

static int rc_config_symbol(rc_account_t *a, oconfig_item_t *ci) {
  char *symbol = NULL;
  if (cf_util_get_string(ci, &symbol) != 0)
    return rc_config_bad(a, ci, "expects one string");
  int status = 0;
  if (!dg_symbol_valid(symbol, strlen(symbol))) {
    char upper[64];
    size_t i = 0;
    for (; symbol[i] != '\0' && i + 1 < sizeof(upper); i++)
      upper[i] = (char)toupper((unsigned char)symbol[i]);
    upper[i] = '\0';
    if (symbol[i] == '\0' && dg_symbol_valid(upper, i)) {
      char reason[128];
      snprintf(reason, sizeof(reason), "symbols are upper case: Symbol \"%s\"",
               upper);
      status = rc_config_bad(a, ci, reason);
    } else {
      status = rc_config_bad(a, ci,
                             "not a symbol (A-Z, 0-9, - and _, not - or _ "
                             "first, fewer than 32)");
    }
  } else {
    rc_symbol_t *s = rc_symbol_get(a, symbol);
    if (s == NULL)
      status = rc_config_fail(a, ci->key, "out of memory");
    else if (!s->configured) {
      s->configured = true;
      a->configured_num++;
    }
  }
  sfree(symbol);
  return status;
}

static int rc_config_positive(rc_account_t *a, oconfig_item_t *ci, int *out) {
  int v = 0;
  if (cf_util_get_int(ci, &v) != 0 || v <= 0)
    return rc_config_bad(a, ci, "expects a positive integer");
  *out = v;
  return 0;
}

static int rc_config_seconds_ms(rc_account_t *a, oconfig_item_t *ci,
                                int *out_ms) {
  double v = 0;
  if (cf_util_get_double(ci, &v) != 0 || !(v > 0) || v > 3600)
    return rc_config_bad(a, ci, "expects seconds in (0, 3600]");
  *out_ms = (int)(v * 1000.0 + 0.5);
  return *out_ms > 0 ? 0 : rc_config_bad(a, ci, "too small (under 1 ms)");
}

/* Every <Account> option, for "did you mean". */
static const char *const rc_option_names[] = {"Exchange",
                                              "URL",
                                              "KeyFile",
                                              "RedisURL",
                                              "RedisPasswordFile",
                                              "KeyPrefix",
                                              "Source",
                                              "LedgerKey",
                                              "LedgerField",
                                              "LedgerFieldLong",
                                              "LedgerFieldShort",
                                              "MissingLedger",
                                              "LedgerGuardKey",
                                              "PlanKeyFile",
                                              "Symbol",
                                              "Interval",
                                              "Timeout",
                                              "ConfirmPolls",
                                              "HoldLease",
                                              "Cooldown"};

static int rc_config_unknown(const rc_account_t *a, const char *key) {
  const char *near =
      dg_suggest_name(key, rc_option_names, STATIC_ARRAY_SIZE(rc_option_names));
  char reason[128];
  if (near != NULL)
    snprintf(reason, sizeof(reason), "unknown option; did you mean %s?", near);
  else
    snprintf(reason, sizeof(reason),
             "unknown option (see reconcile.conf(5) for the options)");
  return rc_config_fail(a, key, reason);
}

/* MissingLedger "hold" (the default: a missing entry is unknown) or
 * "flat" (for ledgers that delete a flat symbol's key). */
static int rc_config_missing_ledger(rc_account_t *a, oconfig_item_t *ci) {
  char *v = NULL;
  if (cf_util_get_string(ci, &v) != 0)
    return rc_config_bad(a, ci, "expects \"hold\" or \"flat\"");
  int status = 0;
  if (strcasecmp(v, "hold") == 0)
    a->conf.missing_ledger_flat = false;
  else if (strcasecmp(v, "flat") == 0)
    a->conf.missing_ledger_flat = true;
  else
    status = rc_config_bad(a, ci, "expects \"hold\" or \"flat\"");
  sfree(v);
  return status;
}

static int rc_config_option(rc_account_t *a, oconfig_item_t *ci) {
  static const struct {
    const char *key;
    size_t offset;
  } strings[] = {
      {"Exchange", offsetof(rc_account_t, conf.exchange)},
      {"URL", offsetof(rc_account_t, conf.url)},
      {"KeyFile", offsetof(rc_account_t, conf.key_file)},
      {"RedisURL", offsetof(rc_account_t, conf.redis_url)},
      {"RedisPasswordFile", offsetof(rc_account_t, conf.redis_password_file)},
      {"KeyPrefix", offsetof(rc_account_t, conf.key_prefix)},
      {"Source", offsetof(rc_account_t, conf.source)},
      {"LedgerKey", offsetof(rc_account_t, conf.ledger_key)},
      {"LedgerField", offsetof(rc_account_t, conf.ledger_field)},
      {"LedgerFieldLong",
       offsetof(rc_account_t, conf.ledger_field_legs[RC_LEG_LONG])},
      {"LedgerFieldShort",
       offsetof(rc_account_t, conf.ledger_field_legs[RC_LEG_SHORT])},
      {"LedgerGuardKey", offsetof(rc_account_t, conf.ledger_guard_key)},
      {"PlanKeyFile", offsetof(rc_account_t, conf.plan_key_file)},
  };
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(strings); i++) {
    if (strcasecmp(ci->key, strings[i].key) != 0)
      continue;
    char **field = (char **)((char *)a + strings[i].offset);
    if (cf_util_get_string(ci, field) != 0 || (*field)[0] == '\0')
      return rc_config_bad(a, ci, "expects one non-empty string");
    return 0;
  }
  if (strcasecmp(ci->key, "Symbol") == 0)
    return rc_config_symbol(a, ci);
  if (strcasecmp(ci->key, "Interval") == 0) {
    double v = 0;
    if (cf_util_get_double(ci, &v) != 0 || !(v > 0))
      return rc_config_bad(a, ci, "expects a positive number of seconds");
    a->conf.interval = DOUBLE_TO_CDTIME_T(v);
    return 0;
  }
  if (strcasecmp(ci->key, "Timeout") == 0)
    return rc_config_seconds_ms(a, ci, &a->conf.timeout_ms);
  if (strcasecmp(ci->key, "MissingLedger") == 0)
    return rc_config_missing_ledger(a, ci);
  if (strcasecmp(ci->key, "ConfirmPolls") == 0)
    return rc_config_positive(a, ci, &a->conf.confirm_polls);
  if (strcasecmp(ci->key, "HoldLease") == 0)
    return rc_config_positive(a, ci, &a->conf.hold_lease_s);
  if (strcasecmp(ci->key, "Cooldown") == 0)
    return rc_config_positive(a, ci, &a->conf.cooldown_s);
  return rc_config_unknown(a, ci->key);
}

/* Defaults for what the block left out, and the checks that need the
 * whole block. */
static int rc_config_complete(rc_account_t *a) {
  struct {
    char **field;
    const char *def;
  } defaults[] = {
      {&a->conf.exchange, RC_DEFAULT_EXCHANGE},
      {&a->conf.redis_url, RC_DEFAULT_REDIS_URL},
      {&a->conf.key_prefix, DG_DEFAULT_PREFIX},
      {&a->conf.source, DG_DEFAULT_SOURCE},
      {&a->conf.ledger_field, RC_DEFAULT_LEDGER_FIELD},
      {&a->conf.ledger_field_legs[RC_LEG_LONG], RC_DEFAULT_LEDGER_FIELD_LONG},
      {&a->conf.ledger_field_legs[RC_LEG_SHORT], RC_DEFAULT_LEDGER_FIELD_SHORT},
  };
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(defaults); i++)
    if (*defaults[i].field == NULL &&
        (*defaults[i].field = strdup(defaults[i].def)) == NULL)
      return rc_config_fail(a, "Account", "out of memory");
  if (a->conf.ledger_key == NULL) {
    char buf[DG_KEY_MAX];
    if (dg_key_ledger_default(buf, sizeof(buf), a->conf.key_prefix) < 0)
      return rc_config_fail(a, "KeyPrefix", "too long");
    if ((a->conf.ledger_key = strdup(buf)) == NULL)
      return rc_config_fail(a, "Account", "out of memory");
  }
  if (a->conf.url == NULL)
    return rc_config_fail(a, "URL", "missing (the exchange's base URL)");
  if (a->conf.key_file == NULL)
    return rc_config_fail(a, "KeyFile", "missing (API key file)");
  if (strstr(a->conf.ledger_key, RC_SYMBOL_PLACEHOLDER) == NULL)
    return rc_config_fail(a, "LedgerKey",
                          "must contain " RC_SYMBOL_PLACEHOLDER);
  if (a->conf.interval == 0)
    a->conf.interval = plugin_get_interval();
  if (a->conf.missing_ledger_flat && a->conf.ledger_guard_key == NULL)
    WARNING(RC_PLUGIN " plugin: account=%s MissingLedger \"flat\" without "
                      "LedgerGuardKey: if the ledger is lost (a Redis restart "
                      "without persistence, FLUSHDB, a wrong LedgerKey or "
                      "KeyPrefix) every open position of the account is "
                      "closed; set LedgerGuardKey",
            a->name);
  return 0;
}

static int rc_config_account(oconfig_item_t *ci) {
  rc_account_t *a = calloc(1, sizeof(*a));
  if (a == NULL)
    return -1;
  a->conf.timeout_ms = RC_DEFAULT_TIMEOUT_MS;
  a->conf.confirm_polls = RC_DEFAULT_CONFIRM_POLLS;
  a->conf.hold_lease_s = RC_DEFAULT_HOLD_LEASE_S;
  a->conf.cooldown_s = RC_DEFAULT_COOLDOWN_S;
  a->hedge = -1;
  if (cf_util_get_string(ci, &a->name) != 0 ||
      !rc_valid_account_name(a->name)) {
    ERROR(RC_PLUGIN " plugin: <Account> expects one name of [A-Za-z0-9_-]");
    rc_account_free(a);
    return -1;
  }
  for (size_t i = 0; i < rc_accounts_num; i++)
    if (strcmp(rc_accounts[i]->name, a->name) == 0) {
      rc_config_fail(a, "Account", "defined twice");
      rc_account_free(a);
      return -1;
    }
  int status = 0;
  for (int i = 0; i < ci->children_num && status == 0; i++)
    status = rc_config_option(a, ci->children + i);
  if (status == 0)
    status = rc_config_complete(a);
  if (status != 0) {
    rc_account_free(a);
    return -1;
  }
  rc_account_t **grown =
      realloc(rc_accounts, (rc_accounts_num + 1) * sizeof(*rc_accounts));
  if (grown == NULL) {
    rc_account_free(a);
    return -1;
  }
  rc_accounts = grown;
  rc_accounts[rc_accounts_num++] = a;
  return 0;
}

static int rc_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *child = ci->children + i;
    if (strcasecmp(child->key, "Account") == 0) {
      if (rc_config_account(child) != 0)
        rc_config_failed = true;
    } else {
      ERROR(RC_PLUGIN " plugin: option=%s: unknown option (expected "
                      "<Account \"name\"> blocks)",
            child->key);
      rc_config_failed = true;
    }
  }
  /* Report the failure from init: a config callback error would make
   * collectd refuse to start at all. */
  return 0;
}

/* Key files, connections and the exchange driver of one account. */
static int rc_account_open(rc_account_t *a) {
  char err[256];
  dg_api_credentials_t creds;
  dg_redis_url_t url;
  char password[DG_SECRET_MAX];
  int status = 0;

  if (dg_redis_url_parse(a->conf.redis_url, &url, err, sizeof(err)) != 0)
    return rc_config_fail(a, "RedisURL", err);
  if (a->conf.redis_password_file != NULL &&
      dg_keyfile_read_line(a->conf.redis_password_file, password,
                           sizeof(password), err, sizeof(err)) < 0)
    return rc_config_fail(a, "RedisPasswordFile", err);
  a->redis =
      dg_redis_new(&url, a->conf.redis_password_file != NULL ? password : NULL,
                   a->conf.timeout_ms);
  dg_secret_wipe(password, sizeof(password));
  dg_secret_wipe(&url, sizeof(url));
  if (a->redis == NULL)
    return rc_config_fail(a, "RedisURL", "cannot create the Redis client");

  if (a->conf.plan_key_file != NULL &&
      (a->plan_key = dg_keyfile_read_hmac_key(a->conf.plan_key_file, err,
                                              sizeof(err))) == NULL)
    return rc_config_fail(a, "PlanKeyFile", err);

  if (dg_keyfile_read_credentials(a->conf.key_file, &creds, err, sizeof(err)) !=
      0)
    return rc_config_fail(a, "KeyFile", err);
  dg_exchange_opts_t opts = {.url = a->conf.url,
                             .api_key = creds.api_key,
                             .api_secret = creds.secret,
                             .api_passphrase = creds.passphrase,
                             .timeout_ms = a->conf.timeout_ms,
                             .recv_window_ms = 5000};
  a->ex = dg_exchange_new(a->conf.exchange, &opts, err, sizeof(err));
  dg_secret_wipe(&creds, sizeof(creds));
  if (a->ex == NULL)
    status = rc_config_fail(a, "Exchange", err);
  return status;
}

/* The account's read callback runs every tick, a whole fraction of its
 * Interval of at most RC_REPOLL_DELAY_MS, so that a re-poll never needs to
 * sleep: a read thread is collectd's, shared with every other plugin. */
static cdtime_t rc_tick(cdtime_t interval) {
  cdtime_t most = MS_TO_CDTIME_T(RC_REPOLL_DELAY_MS);
  cdtime_t n = (interval + most - 1) / most;
  return interval / (n > 0 ? n : 1);
}

/* One account's read callback, every tick: a poll when the account's
 * Interval is due, and after a poll that published a plan, quick re-polls
 * (every RC_REPOLL_DELAY_MS, within 3/4 of Interval) so the HOLD is
 * released as soon as the executor has closed the drift instead of one
 * Interval later. Each call polls at most once and never sleeps. Exchange
 * or Redis trouble is counted in poll_errors, never returned: collectd
 * would suspend the callback with a growing back-off. */
static int rc_read(user_data_t *ud) {
  rc_account_t *a = ud->data;
  /* collectd calls a little early or late: within half a tick is on
   * time, or every poll would slip by a whole tick. */
  cdtime_t now = cdtime() + rc_tick(a->conf.interval) / 2;
  bool regular = now >= a->next_poll;
  if (!regular && (a->repoll_at == 0 || now < a->repoll_at))
    return 0;
  if (regular) {
    /* Keep the schedule; after an overrun start it again from now. */
    a->next_poll = a->next_poll != 0 && now - a->next_poll < a->conf.interval
                       ? a->next_poll + a->conf.interval
                       : now + a->conf.interval;
    a->repoll_until = 0;
  }
  rc_poll_result_t r;
  rc_poll(a, &r);
  if (regular && r.published > 0)
    a->repoll_until = now + a->conf.interval - a->conf.interval / 4;
  cdtime_t next = now + MS_TO_CDTIME_T(RC_REPOLL_DELAY_MS);
  a->repoll_at = a->repoll_until != 0 && r.ok && r.closes_active > 0 &&
                         next < a->repoll_until
                     ? next
                     : 0;
  return 0;
}

/* Why two accounts' per-symbol values could share an identifier ("" when
 * they cannot): a symbol both list, or an account that discovers its
 * symbols next to another account. */
static void rc_instances_clash(char *why, size_t size) {
  why[0] = '\0';
  for (size_t i = 0; i < rc_accounts_num && rc_accounts_num > 1; i++)
    if (rc_accounts[i]->configured_num == 0) {
      snprintf(why, size, "account %s has no Symbol list (auto-discovery)",
               rc_accounts[i]->name);
      return;
    }
  for (size_t i = 0; i < rc_accounts_num; i++)
    for (size_t j = i + 1; j < rc_accounts_num; j++)
      for (size_t k = 0; k < rc_accounts[i]->configured_num; k++) {
        const char *symbol = rc_accounts[i]->symbols[k].name;
        if (rc_symbol_find(rc_accounts[j], symbol) != NULL) {
          snprintf(why, size, "accounts %s and %s both watch %s",
                   rc_accounts[i]->name, rc_accounts[j]->name, symbol);
          return;
        }
      }
}

/* Per-symbol values are identified by the symbol alone (SPEC 5) unless
 * two accounts could send values for the same symbol: then every
 * account's carry "<account>-<symbol>", so that neither overwrites the
 * other's and the naming does not depend on which symbols clash. */
static int rc_instances_decide(void) {
  char why[2 * DATA_MAX_NAME_LEN + 64];
  rc_instances_clash(why, sizeof(why));
  if (why[0] == '\0')
    return 0;
  for (size_t i = 0; i < rc_accounts_num; i++) {
    rc_account_t *a = rc_accounts[i];
    if (strlen(a->name) + 1 + DG_SYMBOL_MAX > DATA_MAX_NAME_LEN) {
      ERROR(RC_PLUGIN " plugin: account=%s name too long to prefix its "
                      "symbols' plugin instance (%s): at most %d characters",
            a->name, why, DATA_MAX_NAME_LEN - 1 - DG_SYMBOL_MAX);
      return -1;
    }
    a->instance_with_account = true;
  }
  INFO(RC_PLUGIN " plugin: %s: per-symbol values use plugin instance "
                 "\"<account>-<symbol>\" for every account",
       why);
  return 0;
}

static int rc_init(void) {
  /* First: the executor's PUTVALs need these types even when this
   * plugin's own block is refused. */
  if (rc_metrics_register_types() != 0)
    return -1;
  if (rc_config_failed)
    return -1;
  if (rc_accounts_num == 0) {
    ERROR(RC_PLUGIN " plugin: no <Account> configured");
    return -1;
  }
  if (dg_exchange_global_init() != 0) {
    ERROR(RC_PLUGIN " plugin: HTTP client initialisation failed");
    return -1;
  }
  if (rc_instances_decide() != 0)
    return -1;
  for (size_t i = 0; i < rc_accounts_num; i++)
    if (rc_account_open(rc_accounts[i]) != 0)
      return -1;
  for (size_t i = 0; i < rc_accounts_num; i++) {
    rc_account_t *a = rc_accounts[i];
    char name[DATA_MAX_NAME_LEN];
    snprintf(name, sizeof(name), RC_PLUGIN "/%s", a->name);
    int status = plugin_register_complex_read(RC_PLUGIN, name, rc_read,
                                              rc_tick(a->conf.interval),
                                              &(user_data_t){.data = a});
    if (status != 0) {
      ERROR(RC_PLUGIN " plugin: account=%s registering the read callback "
                      "failed: status=%d",
            a->name, status);
      return -1;
    }
    if (MS_TO_CDTIME_T(a->conf.timeout_ms) >= a->conf.interval)
      WARNING(RC_PLUGIN " plugin: account=%s Timeout (%d ms) is not below "
                        "Interval: a slow exchange delays polls and its values "
                        "go missing",
              a->name, a->conf.timeout_ms);
    INFO(RC_PLUGIN " plugin: account=%s exchange=%s url=%s interval=%.3f "
                   "symbols=%zu%s confirm_polls=%d plan_mac=%s "
                   "missing_ledger=%s ledger_guard_key=%s",
         a->name, a->conf.exchange, a->conf.url,
         CDTIME_T_TO_DOUBLE(a->conf.interval), a->configured_num,
         a->configured_num == 0 ? " (auto)" : "", a->conf.confirm_polls,
         a->plan_key != NULL ? "yes" : "no",
         a->conf.missing_ledger_flat ? "flat" : "hold",
         a->conf.ledger_guard_key != NULL ? a->conf.ledger_guard_key : "none");
  }
  return 0;
}

static int rc_shutdown(void) {
  for (size_t i = 0; i < rc_accounts_num; i++) {
    rc_poll_log_cpu(rc_accounts[i]);
    rc_account_free(rc_accounts[i]);
  }
  sfree(rc_accounts);
  rc_accounts_num = 0;
  return 0;
}

void module_register(void) {
  plugin_register_complex_config(RC_PLUGIN, rc_config);
  plugin_register_init(RC_PLUGIN, rc_init);
  plugin_register_shutdown(RC_PLUGIN, rc_shutdown);
}
