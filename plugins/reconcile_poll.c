/* reconcile_poll.c - one poll of one account: one positions request
 * for all symbols, the ledger of every watched symbol in one Redis round
 * trip (read), then per symbol rc_decide (reconcile_decide.c) and the
 * Redis writes of its action (apply): HOLD, + plan when a reduce-only
 * close fixes the drift, + a notification when nothing may, and release
 * once the drift is gone. A poll that could not see both sides changes no
 * HOLD. */
#include "reconcile_account.h"

#include "utils/common/common.h"

#include "driftguard/ban.h"
#include "driftguard/grow.h"
#include "driftguard/keys.h"

#include <math.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Auto mode rescans the ledger and HOLD keys at most this often. */
#define RC_SCAN_EVERY TIME_T_TO_CDTIME_T(60)
/* A symbol's exchange rules are looked up again this often (the driver
 * refreshes its symbol rules hourly). */
#define RC_RULES_EVERY TIME_T_TO_CDTIME_T(60)

static const char *const rc_source_names[RC_SRC_COUNT] = {"exchange", "ledger",
                                                          "redis"};

/* Count a failed poll and log when an error begins, not on every poll. */
void rc_account_error(rc_account_t *a, rc_source_t src, const char *what) {
  a->poll_errors[src]++;
  if (!a->failing[src])
    ERROR(RC_PLUGIN " plugin: account=%s source=%s poll failed: %s "
                    "(HOLDs unchanged; logged again on recovery)",
          a->name, rc_source_names[src], what);
  a->failing[src] = true;
}

static void rc_account_recovered(rc_account_t *a, rc_source_t src) {
  if (a->failing[src])
    INFO(RC_PLUGIN " plugin: account=%s source=%s recovered", a->name,
         rc_source_names[src]);
  a->failing[src] = false;
}

/* Symbols are kept sorted by name: a lookup is a binary search, and a
 * new symbol (start-up, auto mode) pays an insertion. */
/* The position in symbols where name is or would be inserted. */
static size_t rc_symbol_slot(const rc_account_t *a, const char *name,
                             bool *found) {
  size_t lo = 0, hi = a->symbols_num;
  *found = false;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int cmp = strcmp(a->symbols[mid].name, name);
    if (cmp == 0) {
      *found = true;
      return mid;
    }
    if (cmp < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

const rc_symbol_t *rc_symbol_find(const rc_account_t *a, const char *name) {
  bool found;
  size_t slot = rc_symbol_slot(a, name, &found);
  return found ? &a->symbols[slot] : NULL;
}

rc_symbol_t *rc_symbol_get(rc_account_t *a, const char *name) {
  bool found;
  size_t at = rc_symbol_slot(a, name, &found);
  if (found)
    return &a->symbols[at];
  /* Queued values point into symbols, which is about to move. */
  if (a->work.values_num > 0)
    rc_metrics_flush(a);
  if (dg_grow(&a->symbols, &a->symbols_cap, a->symbols_num, sizeof(*a->symbols),
              16) != 0)
    return NULL;
  memmove(&a->symbols[at + 1], &a->symbols[at],
          (a->symbols_num - at) * sizeof(*a->symbols));
  a->symbols_num++;
  rc_symbol_t *s = &a->symbols[at];
  memset(s, 0, sizeof(*s));
  sstrncpy(s->name, name, sizeof(s->name));
  return s;
}

/* An exchange call failed: share a 429/418 back-off through Redis. */
static void rc_exchange_failed(rc_account_t *a, const char *what,
                               const dg_ex_result_t *res) {
  char reason[512], err[256];
  int64_t until = dg_ban_until_of(res);
  if (until > 0 &&
      dg_ban_store(a->redis, a->conf.key_prefix, until,
                   (int64_t)CDTIME_T_TO_MS(cdtime()), err, sizeof(err)) != 0)
    WARNING(RC_PLUGIN " plugin: account=%s storing the exchange back-off "
                      "failed: %s",
            a->name, err);
  /* msg names the request that failed; step is what the poll was doing. */
  snprintf(reason, sizeof(reason),
           "step=%s status=%s http=%d code=%d msg=\"%s\"", what,
           dg_ex_status_name(res->status), res->http_status, res->code,
           res->msg);
  rc_account_error(a, RC_SRC_EXCHANGE, reason);
}

/* exchange_weight: the venue's own measure of its request budget used, when
 * its reply reports one (dg_ex_result_t.rate_used). */
static void rc_publish_weight(rc_account_t *a, const dg_ex_result_t *r) {
  if (r->rate_used >= 0)
    rc_metric_account(a, "exchange_weight", NULL,
                      (value_t){.gauge = (gauge_t)r->rate_used});
}

static int rc_name_cmp(const void *x, const void *y) {
  return strcmp(x, y); /* both are char[DG_SYMBOL_MAX] */
}

void rc_symbol_list_unique(char (*list)[DG_SYMBOL_MAX], size_t *n) {
  size_t kept = 0;
  if (*n == 0)
    return;
  qsort(list, *n, sizeof(*list), rc_name_cmp);
  for (size_t i = 1; i < *n; i++)
    if (strcmp(list[kept], list[i]) != 0)
      memcpy(list[++kept], list[i], sizeof(*list));
  *n = kept + 1;
}

/* Room for n symbols in the poll's work arrays. -1: out of memory. */
static int rc_work_reserve(rc_account_t *a, size_t n) {
  if (n <= a->work.work_cap && a->work.work_cap > 0)
    return 0;
  size_t cap = a->work.work_cap > 0 ? 2 * a->work.work_cap : 64;
  while (cap < n)
    cap *= 2;
  rc_symbol_t **watch = realloc(a->work.watch, cap * sizeof(*watch));
  if (watch == NULL)
    return -1;
  a->work.watch = watch;
  rc_ledger_row_t *rows = realloc(a->work.rows, cap * sizeof(*rows));
  if (rows == NULL)
    return -1;
  a->work.rows = rows;
  /* the ledger read's replies: n + MGET + at most 3 more */
  redisReply **replies = realloc(a->work.replies, (cap + 4) * sizeof(*replies));
  if (replies == NULL)
    return -1;
  a->work.replies = replies;
  a->work.work_cap = cap;
  return 0;
}

/* Auto mode: mark name's state watched (created when new), walking on
 * from *cursor: names come in sorted order, like the symbols. */
static int rc_watch_name(rc_account_t *a, const char *name, size_t *cursor) {
  while (*cursor < a->symbols_num && strcmp(a->symbols[*cursor].name, name) < 0)
    (*cursor)++;
  rc_symbol_t *s =
      *cursor < a->symbols_num && strcmp(a->symbols[*cursor].name, name) == 0
          ? &a->symbols[*cursor]
          : rc_symbol_get(a, name); /* inserted at *cursor */
  if (s == NULL)
    return -1;
  s->watched = true;
  return 0;
}

/* Auto mode (no Symbol list): every symbol open on either side, from the
 * (sorted) positions and the cached SCAN of ledger and HOLD keys, plus
 * those this instance holds. -1: the poll failed. */
static int rc_watch_auto(rc_account_t *a, const dg_position_t *pos,
                         size_t npos) {
  cdtime_t now = cdtime();
  if (a->scanned_at == 0 || now - a->scanned_at >= RC_SCAN_EVERY) {
    char err[256];
    char(*scanned)[DG_SYMBOL_MAX] = NULL;
    size_t scanned_num = 0;
    if (rc_store_scan_symbols(a, &scanned, &scanned_num, err, sizeof(err)) !=
        0) {
      rc_account_error(a, RC_SRC_REDIS, err);
      return -1;
    }
    free(a->scanned);
    a->scanned = scanned;
    a->scanned_num = scanned_num;
    a->scanned_at = now;
  }
  for (size_t i = 0; i < a->symbols_num; i++)
    a->symbols[i].watched = a->symbols[i].mem.held_sig[0] != '\0';
  size_t cursor = 0;
  for (size_t i = 0; i < npos; i++)
    if (rc_watch_name(a, pos[i].symbol, &cursor) != 0)
      return -1;
  cursor = 0;
  for (size_t i = 0; i < a->scanned_num; i++)
    if (rc_watch_name(a, a->scanned[i], &cursor) != 0)
      return -1;
  return 0;
}

/* The symbols this poll watches into a->work.watch, sorted by name: the
 * Symbol list, or in auto mode every symbol open on either side. *n is
 * their number; -1: the poll failed. */
static int rc_watch_list(rc_account_t *a, const dg_position_t *pos, size_t npos,
                         size_t *n) {
  bool auto_mode = a->configured_num == 0;
  if (auto_mode && rc_watch_auto(a, pos, npos) != 0)
    return -1;
  if (rc_work_reserve(a, a->symbols_num) != 0) {
    rc_account_error(a, RC_SRC_REDIS, "out of memory");
    return -1;
  }
  size_t count = 0;
  for (size_t i = 0; i < a->symbols_num; i++)
    if (!auto_mode || a->symbols[i].watched)
      a->work.watch[count++] = &a->symbols[i];
  *n = count;
  return 0;
}

/* Look up again the exchange rules of watched symbols whose copy is due.
 * -1: the poll failed. */
static int rc_refresh_rules(rc_account_t *a, size_t n) {
  cdtime_t now = cdtime();
  for (size_t i = 0; i < n; i++) {
    rc_symbol_t *s = a->work.watch[i];
    dg_symbol_rules_t rules;
    dg_ex_result_t res;
    if (s->rules_at != 0 && now - s->rules_at < RC_RULES_EVERY)
      continue;
    dg_ex_status_t st = dg_exchange_symbol_rules(a->ex, s->name, &rules, &res);
    if (st == DG_EX_REFUSED && res.reason == DG_EX_REASON_UNKNOWN_SYMBOL) {
      if (!s->rules_missing_logged)
        WARNING(RC_PLUGIN " plugin: account=%s symbol=%s is not listed by "
                          "the exchange; not reconciled",
                a->name, s->name);
      s->rules_missing_logged = true;
      s->listed = false;
    } else if (st != DG_EX_OK) {
      rc_exchange_failed(a, "symbol_rules", &res);
      return -1;
    } else {
      s->listed = true;
      s->rules_missing_logged = false;
      s->step = rules.step;
      s->min_qty = rules.min_qty;
      s->max_qty = rules.max_qty;
    }
    s->rules_at = now;
  }
  return 0;
}

/* The ledger side of a log line: the amount, or why it is unknown. */
static void rc_ledger_text(const rc_ledger_row_t *row, char *buf, size_t size) {
  if (row->state == RC_LEDGER_OK)
    dg_dec_format(row->amt, buf, size);
  else
    sstrncpy(buf, rc_ledger_state_text(row->state), size);
}

/* No drift: release the HOLD if it is ours. Returns hold_active. */
static int rc_release(rc_account_t *a, rc_symbol_t *s,
                      const rc_ledger_row_t *row, bool *redis_failed) {
  char err[256];
  int released = 0;
  if (!row->hold && row->hold_sig[0] == '\0') {
    s->mem.held_sig[0] = '\0';
    return 0;
  }
  if (rc_store_release(a, s->name, s->mem.held_sig, &released, err,
                       sizeof(err)) != 0) {
    rc_account_error(a, RC_SRC_REDIS, err);
    *redis_failed = true;
    return row->hold;
  }
  if (released < 0) {
    if (strcmp(s->foreign_sig, row->hold_sig) != 0)
      WARNING(RC_PLUGIN " plugin: account=%s symbol=%s no drift, but the "
                        "HOLD hold_sig=%s is not this instance's (ours=%s); "
                        "left to its owner or its lease",
              a->name, s->name, row->hold_sig,
              s->mem.held_sig[0] != '\0' ? s->mem.held_sig : "none");
    sstrncpy(s->foreign_sig, row->hold_sig, sizeof(s->foreign_sig));
    return 1;
  }
  if (released > 0) {
    INFO(RC_PLUGIN " plugin: account=%s symbol=%s drift gone, HOLD released "
                   "hold_sig=%s",
         a->name, s->name, row->hold_sig);
    rc_notify(a, NOTIF_OKAY, s->name,
              "reconcile: drift on %s is gone, HOLD released", s->name);
  }
  s->mem.held_sig[0] = '\0';
  s->mem.notified_sig[0] = '\0';
  s->foreign_sig[0] = '\0';
  return 0;
}

/* Build, encode and sign the plan for a fixable drift. -1 on failure. */
static int rc_plan_text(const rc_account_t *a, const char *symbol,
                        const rc_action_t *act, dg_dec_t exchange_amt,
                        int64_t now_ms, char *json, size_t size, int *len,
                        char mac[65], char *plan_id, size_t id_size) {
  dg_plan_t plan;
  if (dg_plan_build(&plan, a->conf.key_prefix, a->conf.source, symbol,
                    &act->drift, exchange_amt, act->ledger_amt, now_ms,
                    a->conf.cooldown_s) != 0 ||
      (*len = dg_plan_encode(&plan, json, size)) < 0)
    return -1;
  sstrncpy(plan_id, plan.plan_id, id_size);
  if (a->plan_key != NULL &&
      dg_plan_mac(a->plan_key, json, (size_t)*len, mac) != 0)
    return -1;
  return 0;
}

/* HOLD_PUBLISH: HOLD and publish the plan if this instance wins the
 * cooldown. -1: the plan cannot be built (hold without one). */
static int rc_hold_publish(rc_account_t *a, rc_symbol_t *s,
                           const rc_action_t *act, dg_dec_t exchange_amt,
                           const char *ex_txt, const char *led_txt,
                           rc_poll_result_t *out, bool *redis_failed) {
  int64_t now_ms = (int64_t)CDTIME_T_TO_MS(cdtime());
  char json[DG_PLAN_MAX_BYTES], mac[65], plan_id[128], cooldown[DG_KEY_MAX];
  char err[256];
  int len = 0, published = 0;
  if (rc_plan_text(a, s->name, act, exchange_amt, now_ms, json, sizeof(json),
                   &len, mac, plan_id, sizeof(plan_id)) != 0 ||
      dg_key_cooldown(cooldown, sizeof(cooldown), a->conf.key_prefix, s->name,
                      act->sig,
                      dg_drift_bucket(now_ms / 1000, a->conf.cooldown_s)) < 0) {
    ERROR(RC_PLUGIN " plugin: account=%s symbol=%s cannot build the plan "
                    "(signature=%s); holding without one",
          a->name, s->name, act->sig);
    return -1;
  }
  if (rc_store_hold(a, s->name, act->sig, cooldown, json, (size_t)len,
                    a->plan_key != NULL ? mac : NULL, &published, err,
                    sizeof(err)) != 0) {
    rc_account_error(a, RC_SRC_REDIS, err);
    *redis_failed = true;
    return 0;
  }
  if (published) {
    s->published++;
    out->published++;
    INFO(RC_PLUGIN " plugin: account=%s published plan_id=%s symbol=%s "
                   "side=%s exchange_amt=%s ledger_amt=%s",
         a->name, plan_id, s->name, act->drift.side, ex_txt, led_txt);
  }
  out->closes_active++;
  sstrncpy(s->mem.held_sig, act->sig, sizeof(s->mem.held_sig));
  return 0;
}

/* HOLD without a plan, and tell a human once per signature. */
static void rc_hold_only(rc_account_t *a, rc_symbol_t *s,
                         const rc_action_t *act, bool notify, const char *why,
                         const char *ex_txt, const char *led_txt,
                         bool *redis_failed) {
  char err[256], key[DG_KEY_MAX];
  int published = 0;
  if (rc_store_hold(a, s->name, act->sig, NULL, NULL, 0, NULL, &published, err,
                    sizeof(err)) != 0) {
    rc_account_error(a, RC_SRC_REDIS, err);
    *redis_failed = true;
    return;
  }
  sstrncpy(s->mem.held_sig, act->sig, sizeof(s->mem.held_sig));
  if (!notify)
    return;
  if (rc_template_fill(a->conf.ledger_key, s->name, key, sizeof(key)) != 0)
    sstrncpy(key, a->conf.ledger_key, sizeof(key));
  WARNING(RC_PLUGIN " plugin: account=%s symbol=%s unfixable drift "
                    "exchange_amt=%s ledger_amt=%s signature=%s "
                    "ledger_key=%s ledger_field=%s (%s): HOLD kept, no plan",
          a->name, s->name, ex_txt, led_txt, act->sig, key,
          a->conf.ledger_field, why);
  rc_notify(a, NOTIF_WARNING, s->name,
            "reconcile: unfixable drift on %s: exchange_amt=%s "
            "ledger_amt=%s (%s; ledger %s field %s), HOLD kept",
            s->name, ex_txt, led_txt, why, key, a->conf.ledger_field);
  sstrncpy(s->mem.notified_sig, act->sig, sizeof(s->mem.notified_sig));
}

/* Decide for one symbol, apply the action, and queue its values. */
static void rc_symbol_poll(rc_account_t *a, rc_symbol_t *s,
                           dg_dec_t exchange_amt, const rc_ledger_row_t *row,
                           const rc_policy_t *policy, rc_poll_result_t *out,
                           bool *redis_failed) {
  rc_decide_in_t in = {.exchange_amt = exchange_amt,
                       .ledger = row->state,
                       .ledger_amt = row->amt,
                       .held = row->hold || row->hold_sig[0] != '\0',
                       .step = s->step,
                       .min_qty = s->min_qty,
                       .max_qty = s->max_qty};
  rc_action_t act;
  char ex_txt[DG_DEC_STRLEN] = "", led_txt[DG_DEC_STRLEN] = "";
  if (rc_decide(s->name, &in, policy, &s->mem, &act) != 0) {
    ERROR(RC_PLUGIN " plugin: account=%s symbol=%s drift math failed "
                    "(step or amounts out of range); HOLD unchanged",
          a->name, s->name);
    return;
  }
  dg_dec_t diff;
  gauge_t ledger_gauge = NAN, drift_gauge = NAN;
  if (act.ledger_known) {
    ledger_gauge = rc_dec_to_gauge(act.ledger_amt);
    if (dg_dec_sub(exchange_amt, act.ledger_amt, &diff) == 0)
      drift_gauge = rc_dec_to_gauge(diff);
  }
  rc_metric_symbol(a, s, "position", "exchange",
                   (value_t){.gauge = rc_dec_to_gauge(exchange_amt)});
  rc_metric_symbol(a, s, "position", "ledger",
                   (value_t){.gauge = ledger_gauge});
  rc_metric_symbol(a, s, "drift", NULL, (value_t){.gauge = drift_gauge});

  /* The texts of the log lines: only a drift has any (hot path). */
  if (act.sig[0] != '\0') {
    dg_dec_format(exchange_amt, ex_txt, sizeof(ex_txt));
    rc_ledger_text(row, led_txt, sizeof(led_txt));
  }
  if (act.new_drift)
    INFO(RC_PLUGIN " plugin: account=%s symbol=%s drift seen exchange_amt=%s "
                   "ledger_amt=%s signature=%s confirm_polls=%d",
         a->name, s->name, ex_txt, led_txt, act.sig, a->conf.confirm_polls);

  int hold_active = row->hold;
  switch (act.kind) {
  case RC_ACT_NONE:
    if (act.sig[0] == '\0' && !row->hold && row->hold_sig[0] == '\0')
      s->mem.held_sig[0] = '\0';
    break;
  case RC_ACT_WAIT:
    break;
  case RC_ACT_RELEASE:
    hold_active = rc_release(a, s, row, redis_failed);
    break;
  case RC_ACT_HOLD_PUBLISH:
    if (rc_hold_publish(a, s, &act, exchange_amt, ex_txt, led_txt, out,
                        redis_failed) == 0)
      break;
    rc_hold_only(a, s, &act, strcmp(s->mem.notified_sig, act.sig) != 0,
                 "the plan cannot be built", ex_txt, led_txt, redis_failed);
    break;
  case RC_ACT_HOLD:
    rc_hold_only(a, s, &act, act.notify, rc_why_text(act.why), ex_txt, led_txt,
                 redis_failed);
    break;
  }
  if ((act.kind == RC_ACT_HOLD || act.kind == RC_ACT_HOLD_PUBLISH) &&
      !*redis_failed)
    hold_active = 1;
  rc_metric_symbol(a, s, "hold_active", NULL, (value_t){.gauge = hold_active});
}

/* Redis lost its data when its run_id changes (a restart, a failover) or
 * the plan stream's consumer group vanishes: the ledger may be gone or
 * old. Log it once, forget every debounce, and publish nothing for one
 * ConfirmPolls window. */
static void rc_redis_reset_check(rc_account_t *a, const rc_store_status_t *st) {
  const char *what = NULL;
  if (a->loss.redis_run_id[0] != '\0' && st->run_id[0] != '\0' &&
      strcmp(a->loss.redis_run_id, st->run_id) != 0)
    what = "Redis run_id changed (a restart or a failover)";
  else if (a->loss.groups_seen && st->groups == 0)
    what = "the plan stream's consumer group vanished";
  if (st->run_id[0] != '\0')
    sstrncpy(a->loss.redis_run_id, st->run_id, sizeof(a->loss.redis_run_id));
  if (st->groups >= 0)
    a->loss.groups_seen = st->groups > 0;
  if (what == NULL)
    return;
  WARNING(RC_PLUGIN " plugin: account=%s %s: Redis may have lost its data; "
                    "no plan is published for %d poll(s) while drifts are "
                    "confirmed again (make the ledger's Redis persistent)",
          a->name, what, a->conf.confirm_polls);
  a->loss.publish_paused_polls = a->conf.confirm_polls;
  for (size_t i = 0; i < a->symbols_num; i++) {
    a->symbols[i].mem.pending_sig[0] = '\0';
    a->symbols[i].mem.pending_count = 0;
  }
}

/* Count a poll whose ledger cannot be trusted as a whole (the guard key
 * is absent) or in part (an unreadable entry); the per-symbol details go
 * to the notifications. */
static void rc_ledger_health(rc_account_t *a, size_t n, bool ledger_lost) {
  char err[512], key[DG_KEY_MAX];
  if (ledger_lost) {
    snprintf(err, sizeof(err),
             "LedgerGuardKey %s is absent: the ledger is lost; no plan is "
             "published, drifting symbols are held",
             a->conf.ledger_guard_key);
    rc_account_error(a, RC_SRC_LEDGER, err);
    return;
  }
  for (size_t i = 0; i < n; i++)
    if (a->work.rows[i].state == RC_LEDGER_UNREADABLE) {
      if (rc_template_fill(a->conf.ledger_key, a->work.watch[i]->name, key,
                           sizeof(key)) != 0)
        sstrncpy(key, a->conf.ledger_key, sizeof(key));
      snprintf(err, sizeof(err),
               "symbol=%s key=%s field=%s: the ledger value is not an exact "
               "decimal (held, never closed)",
               a->work.watch[i]->name, key, a->conf.ledger_field);
      rc_account_error(a, RC_SRC_LEDGER, err);
      return;
    }
  rc_account_recovered(a, RC_SRC_LEDGER);
}

/* Everything after a successful positions read. The watch list, the
 * positions and the symbols are all sorted by name: one walk over them,
 * no search per symbol. Every input is gathered (and checked) before any
 * HOLD changes, so that a failure part way leaves every HOLD untouched.
 * Returns true when the poll saw both sides. */
static bool rc_poll_symbols(rc_account_t *a, const dg_position_t *pos,
                            size_t npos, rc_poll_result_t *out) {
  size_t n = 0;
  char err[256];
  bool redis_failed = false;
  rc_store_status_t st;
  if (rc_watch_list(a, pos, npos, &n) != 0)
    return false;
  if (rc_store_ledger_read(a, n, &st, err, sizeof(err)) != 0) {
    rc_account_error(a, RC_SRC_REDIS, err);
    return false;
  }
  rc_account_recovered(a, RC_SRC_REDIS);
  rc_redis_reset_check(a, &st);
  if (rc_refresh_rules(a, n) != 0)
    return false;

  rc_policy_t policy = {.confirm_polls = a->conf.confirm_polls,
                        .missing_is_flat = a->conf.missing_ledger_flat,
                        .ledger_lost = !st.guard_present,
                        .publish_paused = a->loss.publish_paused_polls > 0};
  rc_ledger_health(a, n, policy.ledger_lost);
  size_t p = 0;
  for (size_t i = 0; i < n && !redis_failed; i++) {
    rc_symbol_t *s = a->work.watch[i];
    while (p < npos && strcmp(pos[p].symbol, s->name) < 0)
      p++;
    bool open = p < npos && strcmp(pos[p].symbol, s->name) == 0;
    /* A symbol the positions reply omits is flat. */
    if (s->listed)
      rc_symbol_poll(a, s, open ? pos[p].amt : DG_DEC_ZERO, &a->work.rows[i],
                     &policy, out, &redis_failed);
  }
  if (a->loss.publish_paused_polls > 0)
    a->loss.publish_paused_polls--;
  return !redis_failed && !a->failing[RC_SRC_LEDGER];
}

/* CPU time of the calling thread: a poll runs on one collectd read
 * thread, so this is the poll's own CPU, whatever else collectd runs. */
static uint64_t rc_thread_cpu_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void rc_poll_log_cpu(const rc_account_t *a) {
  uint64_t timed = a->cpu.polls > 1 ? a->cpu.polls - 1 : 0;
  if (timed == 0)
    return;
  /* Own work (of which the positions request and its parsing), then
   * plugin_dispatch_values of the values (collectd's side); thread CPU
   * time, the first poll excluded. */
  INFO(RC_PLUGIN " plugin: account=%s polls=%" PRIu64
                 " cpu_us_per_poll=%.1f exchange_cpu_us_per_poll=%.1f"
                 " dispatch_cpu_us_per_poll=%.1f",
       a->name, a->cpu.polls, (double)a->cpu.cpu_own_ns / (double)timed / 1e3,
       (double)a->cpu.cpu_exchange_ns / (double)timed / 1e3,
       (double)a->cpu.cpu_dispatch_ns / (double)timed / 1e3);
}

void rc_poll(rc_account_t *a, rc_poll_result_t *out) {
  uint64_t cpu_start = rc_thread_cpu_ns(), cpu_exchange = 0;
  char err[256];
  int64_t banned_until = 0;
  dg_position_t *pos = NULL;
  size_t npos = 0;
  dg_ex_result_t res;
  memset(out, 0, sizeof(*out));

  char ban_err[192];
  int banned = dg_ban_check(a->redis, a->conf.key_prefix,
                            (int64_t)CDTIME_T_TO_MS(cdtime()), &banned_until,
                            ban_err, sizeof(ban_err));
  if (banned > 0 && ban_err[0] != '\0')
    WARNING(RC_PLUGIN " plugin: account=%s %s", a->name, ban_err);
  if (banned < 0) {
    snprintf(err, sizeof(err), "reading the shared exchange back-off: %s",
             ban_err);
    rc_account_error(a, RC_SRC_REDIS, err);
  } else if (banned > 0) {
    snprintf(err, sizeof(err), "exchange back-off in force until=%" PRId64,
             banned_until);
    rc_account_error(a, RC_SRC_EXCHANGE, err);
  } else {
    uint64_t cpu_ask = rc_thread_cpu_ns();
    dg_ex_status_t st = dg_exchange_positions(a->ex, NULL, &pos, &npos, &res);
    cpu_exchange = rc_thread_cpu_ns() - cpu_ask;
    rc_publish_weight(a, &res);
    if (st != DG_EX_OK) {
      rc_exchange_failed(a, "positions", &res);
    } else {
      rc_account_recovered(a, RC_SRC_EXCHANGE);
      out->ok = rc_poll_symbols(a, pos, npos, out);
    }
  }
  free(pos);

  /* Counters are sent on every poll, failed or not, so they exist (at 0)
   * from start-up. */
  for (size_t i = 0; i < a->symbols_num; i++)
    rc_metric_symbol(a, &a->symbols[i], "close_published", NULL,
                     (value_t){.derive = a->symbols[i].published});
  for (int src = 0; src < RC_SRC_COUNT; src++)
    rc_metric_account(a, "poll_errors", rc_source_names[src],
                      (value_t){.derive = a->poll_errors[src]});

  uint64_t cpu_work = rc_thread_cpu_ns();
  rc_metrics_flush(a);
  if (a->cpu.polls++ > 0) {
    a->cpu.cpu_own_ns += cpu_work - cpu_start;
    a->cpu.cpu_exchange_ns += cpu_exchange;
    a->cpu.cpu_dispatch_ns += rc_thread_cpu_ns() - cpu_work;
  }
}
