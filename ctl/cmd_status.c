/* cmd_status.c - `driftguard-ctl status` and `holds`: what driftguard
 * sees per symbol right now. status joins the exchange (one positions
 * call), the ledger, the HOLD keys and the plan and result streams; holds
 * reads Redis only, so it works while the exchange is unreachable. */
#include "ctl.h"

#include "driftguard/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How far back status looks in each stream for a symbol's last entry. */
#define STATUS_STREAM_DEPTH 100

static json_object *hold_json(const ctl_hold_t *h) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "active", json_object_new_boolean(h->active));
  json_object_object_add(o, "value",
                         h->active ? json_object_new_string(h->value) : NULL);
  json_object_object_add(
      o, "ttl_ms",
      h->active && h->ttl_ms >= 0 ? json_object_new_int64(h->ttl_ms) : NULL);
  json_object_object_add(
      o, "reason", h->reason[0] ? json_object_new_string(h->reason) : NULL);
  json_object_object_add(o, "sig",
                         h->sig[0] ? json_object_new_string(h->sig) : NULL);
  return o;
}

/* Every symbol with a HOLD key. */
static int scan_holds(ctl_t *c, ctl_symbols_t *out, char *err, size_t errlen) {
  char pre[DG_KEY_MAX];
  if (dg_key_hold(pre, sizeof(pre), c->conf.file.key_prefix, "") < 0) {
    snprintf(err, errlen, "KeyPrefix too long");
    return -1;
  }
  return ctl_scan_symbols(c, pre, "", out, err, errlen);
}

int ctl_scan_ledger(ctl_t *c, ctl_symbols_t *out, char *err, size_t errlen) {
  const char *pat = c->opts->ledger_key, *at = strstr(pat, "{symbol}");
  char pre[DG_KEY_MAX];
  snprintf(pre, sizeof(pre), "%.*s", (int)(at - pat), pat);
  return ctl_scan_symbols(c, pre, at + strlen("{symbol}"), out, err, errlen);
}

int ctl_cmd_holds(ctl_t *c) {
  static const ctl_column_t cols[] = {{"SYMBOL", "symbol", CTL_CELL_TEXT},
                                      {"TTL", "ttl_ms", CTL_CELL_DURATION},
                                      {"REASON", "reason", CTL_CELL_TEXT},
                                      {"SIG", "sig", CTL_CELL_TEXT}};
  ctl_symbols_t syms = {0};
  json_object *rows;
  char err[1024];
  if (ctl_redis_connect(c, err, sizeof(err)) != 0 ||
      scan_holds(c, &syms, err, sizeof(err)) != 0) {
    ctl_symbols_free(&syms);
    return ctl_fail(c, CTL_EXIT_FAIL, err);
  }
  ctl_symbols_sort(&syms);
  rows = json_object_new_array();
  for (size_t i = 0; i < syms.n; i++) {
    ctl_symbol_state_t st;
    json_object *row;
    if (ctl_read_symbol(c, syms.v[i], &st, err, sizeof(err)) != 0) {
      json_object_put(rows);
      ctl_symbols_free(&syms);
      return ctl_fail(c, CTL_EXIT_FAIL, err);
    }
    if (!st.hold.active) /* expired since the SCAN */
      continue;
    row = hold_json(&st.hold);
    json_object_object_del(row, "active");
    json_object_object_add(row, "symbol", json_object_new_string(syms.v[i]));
    json_object_array_add(rows, row);
  }
  ctl_symbols_free(&syms);
  ctl_print_list(c->opts->json, NULL, "holds", rows, cols, CTL_NCOLS(cols),
                 "no active HOLD");
  return CTL_EXIT_OK;
}

/* --- status -------------------------------------------------------------- */

typedef struct {
  dg_position_t *pos; /* every open position, NULL when unknown */
  size_t npos;
  int have_exchange;    /* positions were read */
  char ex_err[512];     /* why not */
  json_object *plans;   /* newest first */
  json_object *results; /* newest first */
  int64_t ban_until_ms; /* shared exchange back-off, 0 when none */
  int have_group;       /* the consumer group exists */
  long long pending;    /* plans delivered but not yet ACKed, -1 unknown */
  long long lag;        /* plans never delivered to a consumer, -1 unknown */
  char group_err[256];  /* why the group could not be read */
  json_object *replicas_short; /* the executor's RedisMinReplicas shortage */
} view_t;

static const dg_position_t *find_position(const view_t *v, const char *sym) {
  for (size_t i = 0; i < v->npos; i++)
    if (strcmp(v->pos[i].symbol, sym) == 0)
      return &v->pos[i];
  return NULL;
}

/* The newest plan for sym, as a small object; NULL when none is in reach. */
static json_object *last_plan(const view_t *v, const char *sym) {
  size_t n = json_object_array_length(v->plans);
  for (size_t i = 0; i < n; i++) {
    json_object *e = json_object_array_get_idx(v->plans, i), *text, *o;
    dg_plan_t p;
    char err[256];
    if (!json_object_object_get_ex(e, "plan", &text) ||
        dg_plan_decode(json_object_get_string(text),
                       (size_t)json_object_get_string_len(text), &p, err,
                       sizeof(err)) != 0 ||
        strcmp(p.symbol, sym) != 0)
      continue;
    o = json_object_new_object();
    json_object_object_add(
        o, "stream_id",
        json_object_get(json_object_object_get(e, "stream_id")));
    json_object_object_add(
        o, "stream_ms",
        json_object_get(json_object_object_get(e, "stream_ms")));
    json_object_object_add(o, "plan_id", json_object_new_string(p.plan_id));
    json_object_object_add(o, "side", json_object_new_string(p.side));
    json_object_object_add(o, "qty", ctl_json_dec(p.qty));
    json_object_object_add(o, "exchange_amt", ctl_json_dec(p.exchange_amt));
    json_object_object_add(o, "ledger_amt", ctl_json_dec(p.ledger_amt));
    json_object_object_add(o, "signature", json_object_new_string(p.signature));
    return o;
  }
  return NULL;
}

/* The result of the plan plan_id, NULL when none is in reach. */
static json_object *result_of(const view_t *v, const char *plan_id) {
  size_t n = json_object_array_length(v->results);
  for (size_t i = 0; i < n; i++) {
    json_object *e = json_object_array_get_idx(v->results, i), *f;
    if (json_object_object_get_ex(e, "plan_id", &f) &&
        strcmp(json_object_get_string(f), plan_id) == 0)
      return json_object_get(e);
  }
  return NULL;
}

/* The newest result entry for sym (its "symbol" field, or a plan_id of
 * reconclose:SYM:...), NULL when none is in reach. */
static json_object *last_result(const view_t *v, const char *sym) {
  size_t n = json_object_array_length(v->results), len = strlen(sym);
  for (size_t i = 0; i < n; i++) {
    json_object *e = json_object_array_get_idx(v->results, i), *f;
    if (json_object_object_get_ex(e, "symbol", &f)) {
      if (strcmp(json_object_get_string(f), sym) == 0)
        return json_object_get(e);
    } else if (json_object_object_get_ex(e, "plan_id", &f)) {
      const char *id = json_object_get_string(f);
      if (strncmp(id, "reconclose:", 11) == 0 &&
          strncmp(id + 11, sym, len) == 0 && id[11 + len] == ':')
        return json_object_get(e);
    }
  }
  return NULL;
}

static const char *drift_kind_name(dg_drift_kind_t k) {
  switch (k) {
  case DG_DRIFT_NONE:
    return "none";
  case DG_DRIFT_CLOSE:
    return "close";
  case DG_DRIFT_UNFIXABLE:
    return "unfixable";
  }
  return "unknown";
}

/* Exchange amount, step and drift of one symbol into row; a note on what
 * could not be known. */
static void add_drift(ctl_t *c, const view_t *v, const char *sym,
                      const ctl_symbol_state_t *st, json_object *row,
                      char *note, size_t notelen) {
  const dg_position_t *p;
  dg_symbol_rules_t rules;
  dg_ex_result_t res;
  dg_dec_t ex_amt, diff;
  dg_drift_t d;
  if (!v->have_exchange)
    return;
  p = find_position(v, sym);
  ex_amt = p ? p->amt : DG_DEC_ZERO;
  json_object_object_add(row, "exchange_amt", ctl_json_dec(ex_amt));
  if (st->ledger_state < 0)
    return;
  /* A missing entry is "ledger unknown", as the plugin reads it. */
  if (st->ledger_state == 0 && !dg_dec_is_zero(ex_amt)) {
    json_object_object_add(row, "drift_state",
                           json_object_new_string("ledger_missing"));
    snprintf(note, notelen,
             "no ledger entry (ledger unknown, never flat): driftguard holds "
             "the symbol and will not close it; have the trading system "
             "rewrite its ledger (runbook: Ledger lost)");
    return;
  }
  if (dg_dec_sub(ex_amt, st->ledger, &diff) == 0)
    json_object_object_add(row, "drift", ctl_json_dec(diff));
  if (dg_exchange_symbol_rules(c->ex, sym, &rules, &res) != DG_EX_OK) {
    ctl_exchange_failed(c, "step size", &res, note, notelen);
    return;
  }
  json_object_object_add(row, "step", ctl_json_dec(rules.step));
  if (dg_drift_compute(ex_amt, st->ledger, rules.step, &d) != 0) {
    snprintf(note, notelen, "drift not computable: step or amounts invalid");
    return;
  }
  json_object_object_add(row, "drift_state",
                         json_object_new_string(drift_kind_name(d.kind)));
  if (d.kind == DG_DRIFT_UNFIXABLE && note[0] == '\0')
    snprintf(note, notelen,
             "no reduce-only order fixes this drift: driftguard will not "
             "close it; a human decides (runbook: HOLD stuck)");
  if (d.kind == DG_DRIFT_CLOSE) {
    json_object_object_add(row, "close_side", json_object_new_string(d.side));
    json_object_object_add(row, "close_qty", ctl_json_dec(d.qty));
  }
}

static json_object *status_row(ctl_t *c, const view_t *v, const char *sym,
                               const ctl_symbol_state_t *st) {
  json_object *row = json_object_new_object(), *plan, *result;
  char note[600] = "";
  json_object_object_add(row, "symbol", json_object_new_string(sym));
  json_object_object_add(row, "exchange_amt", NULL);
  json_object_object_add(row, "ledger_amt",
                         st->ledger_state >= 0 ? ctl_json_dec(st->ledger)
                                               : NULL);
  json_object_object_add(row, "ledger_present",
                         json_object_new_boolean(st->ledger_state != 0));
  json_object_object_add(row, "drift", NULL);
  json_object_object_add(row, "drift_state", NULL);
  json_object_object_add(row, "step", NULL);
  if (st->ledger_state < 0)
    snprintf(note, sizeof(note), "ledger unusable (not an exact decimal): %s",
             st->ledger_raw);
  add_drift(c, v, sym, st, row, note, sizeof(note));
  json_object_object_add(row, "hold", hold_json(&st->hold));
  /* The result shown is the last plan's own, never an older plan's. */
  plan = last_plan(v, sym);
  if (plan == NULL) {
    result = last_result(v, sym);
  } else {
    result = result_of(
        v, json_object_get_string(json_object_object_get(plan, "plan_id")));
    if (result == NULL && note[0] == '\0')
      snprintf(note, sizeof(note), "no result yet for the last plan%s",
               v->lag > 0 ? ": plans wait for an executor (see lag below)"
                          : "");
  }
  json_object_object_add(row, "last_plan", plan);
  json_object_object_add(row, "last_result", result);
  json_object_object_add(row, "note",
                         note[0] ? json_object_new_string(note) : NULL);
  return row;
}

/* One positions call for every symbol; failures are kept in v. */
static void read_exchange(ctl_t *c, view_t *v) {
  dg_ex_result_t res;
  if (ctl_exchange_allowed(c, v->ex_err, sizeof(v->ex_err)) != 0 ||
      ctl_exchange_open(c, v->ex_err, sizeof(v->ex_err)) != 0)
    return;
  if (dg_exchange_positions(c->ex, NULL, &v->pos, &v->npos, &res) != DG_EX_OK) {
    ctl_exchange_failed(c, "positions", &res, v->ex_err, sizeof(v->ex_err));
    return;
  }
  v->have_exchange = 1;
}

/* The symbols status covers: the operands, else every symbol with a HOLD,
 * a position or a ledger entry. */
static int status_symbols(ctl_t *c, const view_t *v, ctl_symbols_t *syms,
                          char *err, size_t errlen) {
  if (c->opts->nargs > 0) {
    for (int i = 0; i < c->opts->nargs; i++)
      if (ctl_symbols_add(syms, c->opts->args[i], strlen(c->opts->args[i])) !=
          0)
        return -1;
  } else {
    if (scan_holds(c, syms, err, errlen) != 0 ||
        ctl_scan_ledger(c, syms, err, errlen) != 0)
      return -1;
    for (size_t i = 0; i < v->npos; i++)
      if (ctl_symbols_add(syms, v->pos[i].symbol, strlen(v->pos[i].symbol)) !=
          0)
        return -1;
  }
  ctl_symbols_sort(syms);
  return 0;
}

/* The integer or nil value of field name in a flat XINFO reply; -1 when
 * absent or nil. */
static long long xinfo_int(const redisReply *r, const char *name) {
  for (size_t i = 0; i + 1 < r->elements; i += 2)
    if (r->element[i]->type == REDIS_REPLY_STRING &&
        strcmp(r->element[i]->str, name) == 0)
      return r->element[i + 1]->type == REDIS_REPLY_INTEGER
                 ? r->element[i + 1]->integer
                 : -1;
  return -1;
}

/* The executor's consumer group on the plan stream (XINFO GROUPS): plans
 * delivered but not ACKed (pending), plans not yet delivered (lag, Redis
 * 7; nil when Redis cannot tell). */
static void read_group(ctl_t *c, view_t *v, const char *stream) {
  redisReply *r = dg_redis_command(c->redis, "XINFO GROUPS %s", stream);
  v->pending = v->lag = -1;
  if (r == NULL) {
    snprintf(v->group_err, sizeof(v->group_err), "%s",
             dg_redis_last_error(c->redis));
    return;
  }
  if (r->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < r->elements; i++) {
      const redisReply *g = r->element[i];
      int named = 0;
      if (g->type != REDIS_REPLY_ARRAY)
        continue;
      for (size_t k = 0; k + 1 < g->elements; k += 2)
        named |= g->element[k]->type == REDIS_REPLY_STRING &&
                 strcmp(g->element[k]->str, "name") == 0 &&
                 g->element[k + 1]->type == REDIS_REPLY_STRING &&
                 strcmp(g->element[k + 1]->str, c->conf.file.group) == 0;
      if (named) {
        v->have_group = 1;
        v->pending = xinfo_int(g, "pending");
        v->lag = xinfo_int(g, "lag");
      }
    }
  } else if (r->type == REDIS_REPLY_ERROR &&
             strstr(r->str, "no such key") == NULL) {
    snprintf(v->group_err, sizeof(v->group_err), "%s", r->str);
  }
  freeReplyObject(r);
}

/* The executor's key saying orders are held back because fewer than
 * RedisMinReplicas replicas acknowledge; NULL when there is none. */
static void read_replicas_short(ctl_t *c, view_t *v) {
  char key[DG_KEY_MAX];
  redisReply *r;
  if (dg_key_replicas_short(key, sizeof(key), c->conf.file.key_prefix) < 0 ||
      (r = dg_redis_command(c->redis, "GET %s", key)) == NULL)
    return;
  if (r->type == REDIS_REPLY_STRING)
    v->replicas_short = json_tokener_parse(r->str);
  freeReplyObject(r);
}

/* Read both streams' newest entries and the pending plans. */
static int read_streams(ctl_t *c, view_t *v, char *err, size_t errlen) {
  char plans[DG_KEY_MAX], results[DG_KEY_MAX];
  if (dg_key_plan_stream(plans, sizeof(plans), c->conf.file.key_prefix) < 0 ||
      dg_key_result_stream(results, sizeof(results), c->conf.file.key_prefix) <
          0) {
    snprintf(err, errlen, "KeyPrefix too long");
    return -1;
  }
  v->plans = ctl_stream_latest(c, plans, STATUS_STREAM_DEPTH, err, errlen);
  if (v->plans == NULL)
    return -1;
  read_group(c, v, plans);
  read_replicas_short(c, v);
  v->results = ctl_stream_latest(c, results, STATUS_STREAM_DEPTH, err, errlen);
  return v->results != NULL ? 0 : -1;
}

/* The consumer group's backlog, in words: lag is what no executor has
 * received yet (the executor is down or behind), pending what one received
 * and has not acknowledged (in progress, or it died holding them). */
static void print_group(const ctl_t *c, const view_t *v) {
  char lag[32];
  if (v->group_err[0] != '\0') {
    printf("plans waiting: unknown (%s)\n", v->group_err);
    return;
  }
  if (!v->have_group) {
    printf("plans waiting: unknown (no consumer group %s: the executor has "
           "never started)\n",
           c->conf.file.group);
    return;
  }
  if (v->lag >= 0)
    snprintf(lag, sizeof(lag), "%lld", v->lag);
  else
    snprintf(lag, sizeof(lag), "unknown");
  printf("plans not yet delivered to an executor (lag): %s\n", lag);
  printf("plans delivered, not acknowledged (pending): %lld\n", v->pending);
  printf("consumer group: %s\n", c->conf.file.group);
  if (v->lag > 0)
    printf("plans are waiting: is driftguard-executor running? "
           "(systemctl status driftguard-executor)\n");
}

static void print_status(const ctl_t *c, const view_t *v, json_object *rows) {
  static const ctl_column_t cols[] = {
      {"SYMBOL", "symbol", CTL_CELL_TEXT},
      {"EXCHANGE", "exchange_amt", CTL_CELL_TEXT},
      {"LEDGER", "ledger_amt", CTL_CELL_TEXT},
      {"DRIFT", "drift", CTL_CELL_TEXT},
      {"STATE", "drift_state", CTL_CELL_TEXT},
      {"HOLD_TTL", "hold.ttl_ms", CTL_CELL_DURATION},
      {"HOLD_SIG", "hold.sig", CTL_CELL_TEXT},
      {"LAST_PLAN", "last_plan.stream_ms", CTL_CELL_TIME},
      {"PLAN_QTY", "last_plan.qty", CTL_CELL_TEXT},
      {"LAST_RESULT", "last_result.status", CTL_CELL_TEXT},
      {"NOTE", "note", CTL_CELL_TEXT}};
  json_object *doc = json_object_new_object();
  char when[40];
  json_object_object_add(doc, "exchange_error",
                         v->have_exchange ? NULL
                                          : json_object_new_string(v->ex_err));
  json_object_object_add(
      doc, "exchange_ban_until_ms",
      v->ban_until_ms > 0 ? json_object_new_int64(v->ban_until_ms) : NULL);
  json_object_object_add(doc, "consumer_group",
                         json_object_new_string(c->conf.file.group));
  json_object_object_add(doc, "plans_pending",
                         v->pending >= 0 ? json_object_new_int64(v->pending)
                                         : NULL);
  json_object_object_add(doc, "plans_undelivered",
                         v->lag >= 0 ? json_object_new_int64(v->lag) : NULL);
  json_object_object_add(doc, "replicas_short",
                         json_object_get(v->replicas_short));
  ctl_print_list(c->opts->json, doc, "symbols", json_object_get(rows), cols,
                 CTL_NCOLS(cols),
                 "no symbol with a HOLD, a position or a ledger entry");
  if (c->opts->json)
    return;
  ctl_format_time(v->ban_until_ms, when, sizeof(when));
  printf("\nexchange back-off: %s%s\n", v->ban_until_ms > 0 ? "until " : "",
         v->ban_until_ms > 0 ? when : "none");
  print_group(c, v);
  if (v->replicas_short != NULL)
    printf("orders held: fewer than RedisMinReplicas replicas acknowledge "
           "(%s)\n",
           json_object_to_json_string_ext(v->replicas_short,
                                          JSON_C_TO_STRING_PLAIN));
}
int ctl_cmd_status(ctl_t *c) {
  view_t v = {0};
  ctl_symbols_t syms = {0};
  json_object *rows = NULL;
  char err[1024];
  int rc = CTL_EXIT_FAIL;
  for (int i = 0; i < c->opts->nargs; i++)
    if (!dg_symbol_valid(c->opts->args[i], strlen(c->opts->args[i]))) {
      fprintf(stderr,
              "driftguard-ctl: '%s' is not a symbol (A-Z and 0-9 only)\n",
              c->opts->args[i]);
      return CTL_EXIT_USAGE;
    }
  if (ctl_ban_until(c, &v.ban_until_ms, err, sizeof(err)) != 0)
    goto fail;
  read_exchange(c, &v);
  if (status_symbols(c, &v, &syms, err, sizeof(err)) != 0 ||
      read_streams(c, &v, err, sizeof(err)) != 0)
    goto fail;
  rows = json_object_new_array();
  for (size_t i = 0; i < syms.n; i++) {
    ctl_symbol_state_t st;
    if (ctl_read_symbol(c, syms.v[i], &st, err, sizeof(err)) != 0)
      goto fail;
    json_object_array_add(rows, status_row(c, &v, syms.v[i], &st));
  }
  print_status(c, &v, rows);
  if (!v.have_exchange)
    fprintf(stderr, "driftguard-ctl: exchange amounts unknown: %s\n", v.ex_err);
  rc = v.have_exchange ? CTL_EXIT_OK : CTL_EXIT_FAIL;
  goto done;
fail:
  ctl_fail(c, rc, err);
done:
  json_object_put(rows);
  json_object_put(v.plans);
  json_object_put(v.results);
  json_object_put(v.replicas_short);
  free(v.pos);
  ctl_symbols_free(&syms);
  return rc;
}
