/* reconcile_store.c - the reconcile plugin's Redis side: the ledger of
 * every watched symbol in one pipelined round trip, SCAN (never KEYS) for
 * the symbols of the ledger and of existing HOLDs (the guard key, Redis's
 * run_id and the plan stream's groups ride along with the ledger read),
 * and the two atomic Lua
 * scripts that set/renew a HOLD (publishing a plan when the cooldown is
 * won) and release a HOLD only when it is this drift's. */
#include "reconcile_account.h"
#include "reconcile_template.h"

#include "driftguard/keys.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RC_STREAM_MAXLEN "10000"
#define RC_SCAN_COUNT "1000"

/* HOLD with lease; with a plan, publish it if the cooldown is won.
 * KEYS: hold, hold_reason, hold_sig[, cooldown, stream]
 * ARGV: lease_s, signature, reason[, cooldown_s, maxlen, plan[, mac]]
 * Returns the new stream entry id when it published, else 0. */
static dg_redis_script_t rc_hold_lua = DG_REDIS_SCRIPT(
    "local lease = tonumber(ARGV[1])\n"
    "redis.call('SET', KEYS[1], '1', 'EX', lease)\n"
    "redis.call('SET', KEYS[2], ARGV[3], 'EX', lease)\n"
    "redis.call('SET', KEYS[3], ARGV[2], 'EX', lease)\n"
    "if #KEYS < 5 then return 0 end\n"
    "if not redis.call('SET', KEYS[4], '1', 'NX', 'EX', tonumber(ARGV[4])) "
    "then return 0 end\n"
    "if ARGV[7] then\n"
    "  return redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[5], '*', "
    "'plan', ARGV[6], 'mac', ARGV[7])\n"
    "end\n"
    "return redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[5], '*', "
    "'plan', ARGV[6])\n");

/* Release a HOLD that is ours.
 * KEYS: hold, hold_reason, hold_sig
 * ARGV: expected signature ("" = no memory: any reconcile_drift hold),
 *       reason
 * Returns 1 released, 0 nothing held, -1 held for another drift. */
static dg_redis_script_t rc_release_lua = DG_REDIS_SCRIPT(
    "local sig = redis.call('GET', KEYS[3])\n"
    "local reason = redis.call('GET', KEYS[2])\n"
    "if redis.call('EXISTS', KEYS[1]) == 0 and not sig and not reason "
    "then return 0 end\n"
    "if ARGV[1] ~= '' then\n"
    "  if sig ~= ARGV[1] then return -1 end\n"
    "elseif reason ~= ARGV[2] then return -1 end\n"
    "redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])\n"
    "return 1\n");

static int rc_set_err(char *err, size_t errlen, const char *what,
                      const redisReply *reply, dg_redis_t *r) {
  if (reply != NULL && reply->type == REDIS_REPLY_ERROR)
    snprintf(err, errlen, "%s: %s", what, reply->str);
  else if (reply != NULL)
    snprintf(err, errlen, "%s: unexpected reply type %d", what, reply->type);
  else
    snprintf(err, errlen, "%s: %s", what, dg_redis_last_error(r));
  return -1;
}

/* A pipeline in Redis's wire format (RESP), built in one buffer: hiredis's
 * printf-style formatting, one allocation per command, was the largest
 * part of a poll's own CPU at hundreds of symbols. */
typedef struct {
  char *buf;
  size_t len, cap;
  bool oom;
} rc_resp_t;

static void rc_resp_put(rc_resp_t *r, const char *s, size_t n) {
  if (r->oom)
    return;
  if (r->len + n > r->cap) {
    size_t cap = r->cap > 0 ? r->cap : 4096;
    while (cap < r->len + n)
      cap *= 2;
    char *grown = realloc(r->buf, cap);
    if (grown == NULL) {
      r->oom = true;
      return;
    }
    r->buf = grown;
    r->cap = cap;
  }
  memcpy(r->buf + r->len, s, n);
  r->len += n;
}

/* "<mark><n>\r\n": an array header (*) or a bulk string's length ($). */
static void rc_resp_count(rc_resp_t *r, char mark, size_t n) {
  char text[24], *p = text + sizeof(text);
  *--p = '\n';
  *--p = '\r';
  do {
    *--p = (char)('0' + n % 10);
    n /= 10;
  } while (n > 0);
  *--p = mark;
  rc_resp_put(r, p, (size_t)(text + sizeof(text) - p));
}

static void rc_resp_arg(rc_resp_t *r, const char *s) {
  size_t n = strlen(s);
  rc_resp_count(r, '$', n);
  rc_resp_put(r, s, n);
  rc_resp_put(r, "\r\n", 2);
}

/* The commands after the ledger's, in this order: EXISTS of the guard key
 * (when configured), XINFO GROUPS of the plan stream. INFO server (the
 * run_id) follows them only on a new connection: a restart or a failover
 * always breaks the connection, so the run_id cannot change without one. */
static size_t rc_tail_commands(const rc_account_t *a) {
  return a->conf.ledger_guard_key != NULL ? 2 : 1;
}

static size_t rc_ledger_replies(const rc_account_t *a, size_t n) {
  return n + (n > 0 ? 1 : 0) + rc_tail_commands(a);
}

/* One HMGET of the one-way and the two leg fields per ledger hash, one MGET of
 * every symbol's hold and hold_sig keys (none without symbols), then the tail:
 * rc_ledger_replies() commands, one round trip. */
static int rc_ledger_commands(const rc_account_t *a, size_t n, rc_resp_t *cmd,
                              char *err, size_t errlen) {
  char key[DG_KEY_MAX];
  for (size_t i = 0; i < n; i++) {
    const char *symbol = a->work.watch[i]->name;
    if (rc_template_fill(a->conf.ledger_key, symbol, key, sizeof(key)) != 0) {
      snprintf(err, errlen, "key name too long for symbol=%s", symbol);
      return -1;
    }
    rc_resp_count(cmd, '*', 5);
    rc_resp_arg(cmd, "HMGET");
    rc_resp_arg(cmd, key);
    rc_resp_arg(cmd, a->conf.ledger_field);
    rc_resp_arg(cmd, a->conf.ledger_field_legs[RC_LEG_LONG]);
    rc_resp_arg(cmd, a->conf.ledger_field_legs[RC_LEG_SHORT]);
  }
  if (n > 0) {
    rc_resp_count(cmd, '*', 1 + 2 * n);
    rc_resp_arg(cmd, "MGET");
  }
  for (size_t i = 0; i < n; i++) {
    const char *symbol = a->work.watch[i]->name;
    if (dg_key_hold(key, sizeof(key), a->conf.key_prefix, symbol) < 0) {
      snprintf(err, errlen, "key name too long for symbol=%s", symbol);
      return -1;
    }
    rc_resp_arg(cmd, key);
    if (dg_key_hold_sig(key, sizeof(key), a->conf.key_prefix, symbol) < 0) {
      snprintf(err, errlen, "key name too long for symbol=%s", symbol);
      return -1;
    }
    rc_resp_arg(cmd, key);
  }
  if (a->conf.ledger_guard_key != NULL) {
    rc_resp_count(cmd, '*', 2);
    rc_resp_arg(cmd, "EXISTS");
    rc_resp_arg(cmd, a->conf.ledger_guard_key);
  }
  if (dg_key_plan_stream(key, sizeof(key), a->conf.key_prefix) < 0) {
    snprintf(err, errlen, "KeyPrefix too long");
    return -1;
  }
  rc_resp_count(cmd, '*', 3);
  rc_resp_arg(cmd, "XINFO");
  rc_resp_arg(cmd, "GROUPS");
  rc_resp_arg(cmd, key);
  if (cmd->oom) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  return 0;
}

/* a->work.ledger_cmd for the watch list: the one cached when the list is the
 * same as last poll's (the usual case), else built and cached. */
static int rc_ledger_pipeline(rc_account_t *a, size_t n, char *err,
                              size_t errlen) {
  bool same = a->work.ledger_cmd != NULL && a->work.ledger_cmd_symbols_num == n;
  for (size_t i = 0; i < n && same; i++)
    same = strcmp(a->work.ledger_cmd_symbols[i], a->work.watch[i]->name) == 0;
  if (same)
    return 0;
  rc_resp_t cmd = {0};
  char(*copy)[DG_SYMBOL_MAX] = malloc((n > 0 ? n : 1) * sizeof(*copy));
  if (copy == NULL || rc_ledger_commands(a, n, &cmd, err, errlen) != 0) {
    if (copy == NULL)
      snprintf(err, errlen, "out of memory");
    free(copy);
    free(cmd.buf);
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    memcpy(copy[i], a->work.watch[i]->name, sizeof(*copy));
  free(a->work.ledger_cmd);
  free(a->work.ledger_cmd_symbols);
  a->work.ledger_cmd = cmd.buf;
  a->work.ledger_cmd_len = cmd.len;
  a->work.ledger_cmd_symbols = copy;
  a->work.ledger_cmd_symbols_num = n;
  return 0;
}

/* One ledger entry: a hash field holding an exact decimal. A value that
 * is not one (text, NaN, 1e400, more decimals than dg_dec_t keeps), or a
 * key of another type (WRONGTYPE), is unreadable: unknown, never flat. */
static void rc_ledger_field_set(rc_ledger_field_t *f, const redisReply *led) {
  if (led->type == REDIS_REPLY_NIL)
    f->state = RC_LEDGER_MISSING;
  else if (led->type == REDIS_REPLY_STRING &&
           dg_dec_parse_n(led->str, led->len, &f->amt) == 0)
    f->state = RC_LEDGER_OK;
  else
    f->state = RC_LEDGER_UNREADABLE;
}

/* HMGET's three fields (one-way, LONG, SHORT); an error reply (a key of
 * another type) makes each unreadable. */
static void rc_ledger_row_set(rc_ledger_row_t *row, const redisReply *led) {
  rc_ledger_field_t f[1 + RC_LEGS];
  for (size_t i = 0; i < 1 + RC_LEGS; i++)
    rc_ledger_field_set(&f[i], led->type == REDIS_REPLY_ARRAY &&
                                       led->elements == 1 + RC_LEGS
                                   ? led->element[i]
                                   : led);
  row->state = f[0].state;
  row->amt = f[0].amt;
  row->legs[RC_LEG_LONG] = f[1];
  row->legs[RC_LEG_SHORT] = f[2];
}

/* INFO server's "run_id:<40 hex>" line into out ("" when absent). */
static void rc_info_run_id(const redisReply *info, char *out, size_t size) {
  out[0] = '\0';
  if (info->type != REDIS_REPLY_STRING)
    return;
  const char *p = strstr(info->str, "run_id:");
  if (p == NULL)
    return;
  p += strlen("run_id:");
  size_t len = strspn(p, "0123456789abcdef");
  if (len > 0 && len < size) {
    memcpy(out, p, len);
    out[len] = '\0';
  }
}

/* XINFO GROUPS: the number of groups; 0 when the stream does not exist,
 * -1 when Redis would not say (an ACL without XINFO, say). */
static long rc_xinfo_groups(const redisReply *r) {
  if (r->type == REDIS_REPLY_ARRAY)
    return (long)r->elements;
  if (r->type == REDIS_REPLY_ERROR && strstr(r->str, "no such key") != NULL)
    return 0;
  return -1;
}

int rc_store_ledger_read(rc_account_t *a, size_t n, rc_store_status_t *st,
                         char *err, size_t errlen) {
  if (rc_ledger_pipeline(a, n, err, errlen) != 0)
    return -1;
  redisContext *c = dg_redis_context(a->redis);
  if (c == NULL)
    return rc_set_err(err, errlen, "connect", NULL, a->redis);
  if (redisAppendFormattedCommand(c, a->work.ledger_cmd,
                                  a->work.ledger_cmd_len) != REDIS_OK) {
    /* Nothing was sent yet: dropping the connection discards it. */
    dg_redis_disconnect(a->redis);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  unsigned long conn = dg_redis_connection_number(a->redis);
  bool ask_run_id = conn != a->loss.run_id_conn;
  if (ask_run_id && redisAppendCommand(c, "INFO server") != REDIS_OK) {
    dg_redis_disconnect(a->redis);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  redisReply **replies = a->work.replies; /* slots: rc_work_reserve */
  size_t nreplies = rc_ledger_replies(a, n) + (ask_run_id ? 1 : 0);
  if (dg_redis_pipeline_collect(a->redis, replies, nreplies) != 0)
    return rc_set_err(err, errlen, "ledger read", NULL, a->redis);
  int status = 0;
  const redisReply *holds = n > 0 ? replies[n] : NULL;
  const redisReply *const *tail =
      (const redisReply *const *)&replies[n > 0 ? n + 1 : n];
  if (holds != NULL &&
      (holds->type != REDIS_REPLY_ARRAY || holds->elements != 2 * n))
    status = rc_set_err(err, errlen, "hold read", holds, a->redis);
  if (status == 0 && a->conf.ledger_guard_key != NULL) {
    const redisReply *guard = *tail++;
    if (guard->type != REDIS_REPLY_INTEGER)
      status = rc_set_err(err, errlen, "LedgerGuardKey read", guard, a->redis);
    st->guard_present =
        guard->type == REDIS_REPLY_INTEGER && guard->integer > 0;
  } else {
    st->guard_present = true;
  }
  if (status == 0) {
    st->groups = rc_xinfo_groups(tail[0]);
    st->run_id[0] = '\0';
    if (ask_run_id) {
      rc_info_run_id(tail[1], st->run_id, sizeof(st->run_id));
      a->loss.run_id_conn = conn;
    }
  }
  for (size_t i = 0; i < n && status == 0; i++) {
    const redisReply *hold = holds->element[2 * i],
                     *sig = holds->element[2 * i + 1];
    rc_ledger_row_t *row = &a->work.rows[i];
    memset(row, 0, sizeof(*row));
    rc_ledger_row_set(row, replies[i]);
    row->hold = hold->type == REDIS_REPLY_STRING;
    if (sig->type == REDIS_REPLY_STRING)
      snprintf(row->hold_sig, sizeof(row->hold_sig), "%s", sig->str);
  }
  for (size_t i = 0; i < nreplies; i++)
    freeReplyObject(replies[i]);
  return status;
}

/* Every symbol whose key matches tmpl, appended to list (duplicates
 * included: the caller sorts them out). */
static int rc_scan_template(rc_account_t *a, const char *tmpl,
                            char (**list)[DG_SYMBOL_MAX], size_t *n, char *err,
                            size_t errlen) {
  char pattern[2 * DG_KEY_MAX];
  if (rc_template_pattern(tmpl, pattern, sizeof(pattern)) != 0) {
    snprintf(err, errlen, "cannot build a SCAN pattern from %s", tmpl);
    return -1;
  }
  char cursor[32] = "0";
  do {
    redisReply *r = dg_redis_command(a->redis, "SCAN %s MATCH %s COUNT %s",
                                     cursor, pattern, RC_SCAN_COUNT);
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING ||
        r->element[1]->type != REDIS_REPLY_ARRAY) {
      rc_set_err(err, errlen, "scan", r, a->redis);
      freeReplyObject(r);
      return -1;
    }
    snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
    const redisReply *keys = r->element[1];
    char(*grown)[DG_SYMBOL_MAX] =
        keys->elements > 0
            ? realloc(*list, (*n + keys->elements) * sizeof(**list))
            : *list;
    if (keys->elements > 0 && grown == NULL) {
      freeReplyObject(r);
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    *list = grown;
    for (size_t i = 0; i < keys->elements; i++) {
      const redisReply *k = keys->element[i];
      if (k->type == REDIS_REPLY_STRING &&
          rc_template_symbol(tmpl, k->str, k->len, grown[*n]) == 0)
        (*n)++;
    }
    freeReplyObject(r);
  } while (strcmp(cursor, "0") != 0);
  return 0;
}

int rc_store_scan_symbols(rc_account_t *a, char (**out)[DG_SYMBOL_MAX],
                          size_t *n, char *err, size_t errlen) {
  char hold_tmpl[DG_KEY_MAX];
  char(*list)[DG_SYMBOL_MAX] = NULL;
  size_t count = 0;
  if (dg_key_hold(hold_tmpl, sizeof(hold_tmpl), a->conf.key_prefix,
                  RC_SYMBOL_PLACEHOLDER) < 0) {
    snprintf(err, errlen, "KeyPrefix too long");
    return -1;
  }
  /* Ledger symbols, and symbols still on HOLD (whose drift may be gone
   * on both sides, but whose HOLD must still be released). */
  if (rc_scan_template(a, a->conf.ledger_key, &list, &count, err, errlen) !=
          0 ||
      rc_scan_template(a, hold_tmpl, &list, &count, err, errlen) != 0) {
    free(list);
    return -1;
  }
  rc_symbol_list_unique(list, &count);
  *out = list;
  *n = count;
  return 0;
}

/* A script with its keys and arguments (NUMKEYS first) through
 * dg_redis_eval. */
static redisReply *rc_eval(rc_account_t *a, dg_redis_script_t *script,
                           int numkeys, const char **keys, int nargs,
                           const char **args, const size_t *arglens) {
  const char *argv[16];
  size_t argvlen[16];
  char nk[16];
  int argc = 0;
  snprintf(nk, sizeof(nk), "%d", numkeys);
  argv[argc] = nk;
  argvlen[argc++] = strlen(nk);
  for (int i = 0; i < numkeys; i++, argc++) {
    argv[argc] = keys[i];
    argvlen[argc] = strlen(keys[i]);
  }
  for (int i = 0; i < nargs; i++, argc++) {
    argv[argc] = args[i];
    argvlen[argc] = arglens != NULL ? arglens[i] : strlen(args[i]);
  }
  return dg_redis_eval(a->redis, script, argc, argv, argvlen);
}

static int rc_hold_keys(const rc_account_t *a, const char *symbol,
                        char keys[3][DG_KEY_MAX]) {
  return (dg_key_hold(keys[0], DG_KEY_MAX, a->conf.key_prefix, symbol) < 0 ||
          dg_key_hold_reason(keys[1], DG_KEY_MAX, a->conf.key_prefix, symbol) <
              0 ||
          dg_key_hold_sig(keys[2], DG_KEY_MAX, a->conf.key_prefix, symbol) < 0)
             ? -1
             : 0;
}

int rc_store_hold(rc_account_t *a, const char *symbol, const char *signature,
                  const char *cooldown_key, const char *plan, size_t plan_len,
                  const char *mac, int *published, char *err, size_t errlen) {
  char hk[3][DG_KEY_MAX], stream[DG_KEY_MAX], lease[16], cooldown[16];
  *published = 0;
  if (rc_hold_keys(a, symbol, hk) != 0 ||
      dg_key_plan_stream(stream, sizeof(stream), a->conf.key_prefix) < 0) {
    snprintf(err, errlen, "key name too long for symbol=%s", symbol);
    return -1;
  }
  snprintf(lease, sizeof(lease), "%d", a->conf.hold_lease_s);
  snprintf(cooldown, sizeof(cooldown), "%d", a->conf.cooldown_s);
  const char *keys[5] = {hk[0], hk[1], hk[2], cooldown_key, stream};
  const char *args[7] = {
      lease, signature, DG_HOLD_REASON, cooldown, RC_STREAM_MAXLEN, plan, mac};
  size_t lens[7];
  for (int i = 0; i < 7; i++)
    lens[i] = args[i] != NULL ? strlen(args[i]) : 0;
  lens[5] = plan_len;
  int numkeys = plan != NULL ? 5 : 3;
  int nargs = plan == NULL ? 3 : (mac != NULL ? 7 : 6);

  redisReply *r = rc_eval(a, &rc_hold_lua, numkeys, keys, nargs, args, lens);
  if (r == NULL ||
      (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_INTEGER)) {
    rc_set_err(err, errlen, "hold script", r, a->redis);
    freeReplyObject(r);
    return -1;
  }
  *published = r->type == REDIS_REPLY_STRING;
  freeReplyObject(r);
  return 0;
}

int rc_store_release(rc_account_t *a, const char *symbol,
                     const char *expected_sig, int *released, char *err,
                     size_t errlen) {
  char hk[3][DG_KEY_MAX];
  if (rc_hold_keys(a, symbol, hk) != 0) {
    snprintf(err, errlen, "key name too long for symbol=%s", symbol);
    return -1;
  }
  const char *keys[3] = {hk[0], hk[1], hk[2]};
  const char *args[2] = {expected_sig, DG_HOLD_REASON};
  redisReply *r = rc_eval(a, &rc_release_lua, 3, keys, 2, args, NULL);
  if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
    rc_set_err(err, errlen, "release script", r, a->redis);
    freeReplyObject(r);
    return -1;
  }
  *released = (int)r->integer;
  freeReplyObject(r);
  return 0;
}
