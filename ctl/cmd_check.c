/* cmd_check.c - `driftguard-ctl check`: is this host ready to run the
 * executor? One line per check (OK, WARN, FAIL, or SKIP when a check it
 * depends on failed), in the order an operator fixes things: config, key
 * files, collectd's host name, Redis and its persistence, the shared ban,
 * then the exchange. */
#include "ctl.h"

#include "driftguard/keyfile.h"
#include "redis_setup.h"

#include <collectd/client.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The exchange's clock may differ from ours by this much before requests
 * risk clock-skew refusals (a timestamp outside the venue's window). */
#define CHECK_CLOCK_WARN_MS 1000

typedef struct {
  json_object *rows;
  int failed;
} report_t;

__attribute__((format(printf, 4, 5))) static void
add(report_t *r, const char *check, const char *result, const char *fmt, ...) {
  json_object *row = json_object_new_object();
  char detail[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof(detail), fmt, ap);
  va_end(ap);
  json_object_object_add(row, "check", json_object_new_string(check));
  json_object_object_add(row, "result", json_object_new_string(result));
  json_object_object_add(row, "detail", json_object_new_string(detail));
  json_object_array_add(r->rows, row);
  if (strcmp(result, "FAIL") == 0)
    r->failed = 1;
}

static int finish(const ctl_t *c, report_t *r, int exit_code) {
  static const ctl_column_t cols[] = {{"RESULT", "result", CTL_CELL_TEXT},
                                      {"CHECK", "check", CTL_CELL_TEXT},
                                      {"DETAIL", "detail", CTL_CELL_TEXT}};
  json_object *doc = json_object_new_object();
  json_object_object_add(doc, "ok", json_object_new_boolean(!r->failed));
  ctl_print_list(c->opts->json, doc, "checks", r->rows, cols, CTL_NCOLS(cols),
                 "");
  return exit_code;
}

int ctl_check_config_failed(ctl_t *c, const char *reason) {
  report_t r = {json_object_new_array(), 0};
  add(&r, "config", "FAIL", "%s", reason);
  return finish(c, &r, CTL_EXIT_USAGE);
}

/* One key file's permissions; skipped when the option is not set. */
static void check_key_file(report_t *r, const char *check, const char *path) {
  char err[512];
  if (path[0] == '\0')
    return;
  if (dg_keyfile_check(path, err, sizeof(err)) == 0)
    add(r, check, "OK", "%s: owner and mode are safe", path);
  else
    add(r, check, "FAIL", "%s", err);
}

/* The master, its replicas, persistence, the tunnel (redis_setup.h). */
static void check_redis_setup(ctl_t *c, report_t *r) {
  ctl_finding_t f[CTL_REDIS_FINDINGS];
  ctl_redis_setup(c, f);
  for (int i = 0; i < CTL_REDIS_FINDINGS; i++)
    add(r, f[i].check, f[i].result, "%s", f[i].detail);
}

/* Types only the plugin writes (the executor writes close_consumed,
 * close_executed, close_rejected and close_guardrail_fail). */
static int plugin_type(const char *type) {
  static const char *const types[] = {"poll_errors", "exchange_weight",
                                      "hold_active", "position",
                                      "drift",       "close_published"};
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
    if (strcmp(type, types[i]) == 0)
      return 1;
  return 0;
}

/* The executor's Hostname against the host collectd gives the plugin's own
 * values (LISTVAL on CollectdSocket): apart, dashboards and alerts see one
 * host as two. No row when the executor sends no metrics. */
static void check_hostname(ctl_t *c, report_t *r) {
  const char *sock = c->conf.file.collectd_socket;
  const char *mine = c->conf.file.hostname;
  lcc_connection_t *conn = NULL;
  lcc_identifier_t *ids = NULL;
  size_t n = 0;
  char other[LCC_NAME_LEN] = "";
  int same = 0;
  if (sock[0] == '\0')
    return;
  if (lcc_connect(sock, &conn) != 0 || lcc_listval(conn, &ids, &n) != 0) {
    add(r, "hostname", "WARN",
        "collectd unixsock %s: %s: the executor's counters cannot reach "
        "collectd",
        sock, conn != NULL ? lcc_strerror(conn) : "cannot connect");
    lcc_disconnect(conn);
    return;
  }
  for (size_t i = 0; i < n && !same; i++)
    if (strcmp(ids[i].plugin, "reconcile") == 0 && plugin_type(ids[i].type)) {
      same = strcmp(ids[i].host, mine) == 0;
      if (!same && other[0] == '\0')
        snprintf(other, sizeof(other), "%s", ids[i].host);
    }
  free(ids);
  lcc_disconnect(conn);
  if (same)
    add(r, "hostname", "OK",
        "collectd names the plugin's values %s, the executor's Hostname", mine);
  else if (other[0] != '\0')
    add(r, "hostname", "FAIL",
        "the plugin's values are under host %s in collectd, the executor's "
        "counters under %s: dashboards and alerts split this host in two; "
        "set Hostname \"%s\" in the executor's config",
        other, mine, other);
  else
    add(r, "hostname", "SKIP",
        "no reconcile plugin values in collectd (%s) to compare %s with", sock,
        mine);
}

/* Redis and the shared ban. Returns 1 when the exchange may be called. */
static int check_redis(ctl_t *c, report_t *r) {
  char err[512], where[CTL_TEXT_MAX];
  redisReply *pong;
  if (ctl_redis_connect(c, err, sizeof(err)) != 0) {
    add(r, "redis", "FAIL", "%s", err);
    add(r, "exchange_ban", "SKIP", "Redis unreachable");
    return 1; /* the exchange checks still tell the operator something */
  }
  pong = dg_redis_command(c->redis, "PING");
  if (pong == NULL || pong->type != REDIS_REPLY_STATUS) {
    add(r, "redis", "FAIL", "PING: %s",
        pong && pong->type == REDIS_REPLY_ERROR
            ? pong->str
            : dg_redis_last_error(c->redis));
    freeReplyObject(pong);
    add(r, "exchange_ban", "SKIP", "Redis did not answer PING");
    return 1;
  }
  freeReplyObject(pong);
  ctl_url_display(c->conf.file.redis_url, where, sizeof(where));
  add(r, "redis", "OK", "%s: PING answered", where);
  check_redis_setup(c, r);
  if (ctl_exchange_allowed(c, err, sizeof(err)) != 0) {
    add(r, "exchange_ban", "FAIL", "%s", err);
    return 0;
  }
  add(r, "exchange_ban", "OK", "no exchange back-off active");
  return 1;
}

/* Mark the exchange checks from index `from` on as skipped. */
static void skip_exchange(report_t *r, size_t from, const char *why) {
  static const char *const checks[] = {"exchange", "clock", "api_key",
                                       "position_mode"};
  for (size_t i = from; i < sizeof(checks) / sizeof(checks[0]); i++)
    add(r, checks[i], "SKIP", "%s", why);
}

static void mode_failed(ctl_t *c, report_t *r, const char *what,
                        const dg_ex_result_t *res) {
  char err[512];
  ctl_exchange_failed(c, what, res, err, sizeof(err));
  add(r, "position_mode", "FAIL", "%s", err);
}

static void hedge_found(report_t *r, const char *symbol) {
  add(r, "position_mode", "FAIL",
      "hedge (dual side) mode is on%s%s; driftguard supports one-way mode "
      "only: switch %s to one-way mode",
      symbol ? " for " : "", symbol ? symbol : "",
      symbol ? "the symbol" : "the account");
}

/* The position mode. Most venues have one per account; a venue with a
 * mode per symbol (Bybit) refuses the account-wide question without
 * sending anything (not_executed) and is asked for each symbol with an
 * open position (pos, sorted by symbol). */
static void check_position_mode(ctl_t *c, report_t *r, const dg_position_t *pos,
                                size_t n) {
  dg_ex_result_t res;
  size_t asked = 0;
  int dual = 0;
  if (dg_exchange_hedge_mode(c->ex, NULL, &dual, &res) == DG_EX_OK) {
    if (dual)
      hedge_found(r, NULL);
    else
      add(r, "position_mode", "OK", "one-way mode");
    return;
  }
  if (res.status != DG_EX_REFUSED || !res.not_executed) {
    mode_failed(c, r, "position mode", &res);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && strcmp(pos[i].symbol, pos[i - 1].symbol) == 0)
      continue;
    if (dg_exchange_hedge_mode(c->ex, pos[i].symbol, &dual, &res) != DG_EX_OK) {
      mode_failed(c, r, "position mode", &res);
      return;
    }
    if (dual) {
      hedge_found(r, pos[i].symbol);
      return;
    }
    asked++;
  }
  add(r, "position_mode", "OK",
      "one-way mode for each of the %zu symbol%s with a position (the "
      "exchange sets the mode per symbol)",
      asked, asked == 1 ? "" : "s");
}

/* The exchange's checks; 1 when it answered (its rules can be read). */
static int check_exchange(ctl_t *c, report_t *r) {
  char err[512], where[CTL_TEXT_MAX];
  dg_ex_result_t res;
  dg_position_t *pos = NULL;
  size_t n = 0;
  int64_t offset;
  ctl_url_display(c->conf.file.url, where, sizeof(where));
  if (ctl_exchange_open(c, err, sizeof(err)) != 0) {
    add(r, "exchange", "FAIL", "%s", err);
    skip_exchange(r, 1, "no exchange handle");
    return 0;
  }
  if (dg_exchange_sync_time(c->ex, &res) != DG_EX_OK) {
    ctl_exchange_failed(c, "server time", &res, err, sizeof(err));
    add(r, "exchange", "FAIL", "%s: %s", where, err);
    skip_exchange(r, 1, "exchange unreachable");
    return 0;
  }
  add(r, "exchange", "OK", "%s: server time answered", where);
  offset = dg_exchange_time_offset_ms(c->ex);
  add(r, "clock", llabs(offset) > CHECK_CLOCK_WARN_MS ? "WARN" : "OK",
      "exchange clock %+" PRId64 " ms from ours (warn beyond %d ms)", offset,
      CHECK_CLOCK_WARN_MS);

  if (dg_exchange_positions(c->ex, NULL, &pos, &n, &res) != DG_EX_OK) {
    ctl_exchange_failed(c, "signed positions request", &res, err, sizeof(err));
    add(r, "api_key", "FAIL", "%s", err);
  } else {
    add(r, "api_key", "OK",
        "signed positions request accepted (%zu open position%s)", n,
        n == 1 ? "" : "s");
  }
  check_position_mode(c, r, pos, n);
  free(pos);
  return 1;
}

/* The order unit of every symbol with a ledger: the ledger must count in
 * it (contracts on a venue that trades contracts). */
static void check_units(ctl_t *c, report_t *r) {
  ctl_symbols_t syms = {0};
  char err[512], value[DG_DEC_STRLEN];
  if (c->redis == NULL) {
    add(r, "order_unit", "SKIP", "Redis unreachable: no ledger symbols");
    return;
  }
  if (ctl_scan_ledger(c, &syms, err, sizeof(err)) != 0) {
    add(r, "order_unit", "WARN", "ledger symbols not listed: %s", err);
    return;
  }
  ctl_symbols_sort(&syms);
  for (size_t i = 0; i < syms.n; i++) {
    dg_symbol_rules_t rules;
    dg_ex_result_t res;
    if (dg_exchange_symbol_rules(c->ex, syms.v[i], &rules, &res) != DG_EX_OK) {
      ctl_exchange_failed(c, "symbol rules", &res, err, sizeof(err));
      add(r, "order_unit", "FAIL", "%s: %s", syms.v[i], err);
      continue;
    }
    dg_dec_format(rules.contract_value, value, sizeof(value));
    if (rules.in_contracts)
      add(r, "order_unit", "OK",
          "%s: unit=contracts contract_value=%s base coin per contract "
          "(the ledger counts contracts)",
          syms.v[i], value);
    else
      add(r, "order_unit", "OK",
          "%s: unit=coin (the ledger counts the base coin)", syms.v[i]);
  }
  ctl_symbols_free(&syms);
}

int ctl_cmd_check(ctl_t *c) {
  report_t r = {json_object_new_array(), 0};
  add(&r, "config", "OK", "%s", c->conf.path);
  check_key_file(&r, "key_file", c->conf.file.key_file);
  check_key_file(&r, "plan_key_file", c->conf.file.plan_key_file);
  check_key_file(&r, "redis_password_file", c->conf.file.redis_password_file);
  check_hostname(c, &r);
  if (!check_redis(c, &r))
    skip_exchange(&r, 0, "exchange back-off active or unknown");
  else if (check_exchange(c, &r))
    check_units(c, &r);
  return finish(c, &r, r.failed ? CTL_EXIT_FAIL : CTL_EXIT_OK);
}
