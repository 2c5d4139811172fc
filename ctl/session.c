/* session.c - driftguard-ctl's connections and the shared state it reads:
 * Redis (with the password file), the exchange (with the key file, behind
 * the shared ban), HOLD keys, ledger entries, SCAN and stream reads. */
#include "ctl.h"

#include "driftguard/ban.h"
#include "driftguard/grow.h"
#include "driftguard/keyfile.h"
#include "driftguard/plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t ctl_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The Redis handle, with the password file's password. Does not connect. */
static int redis_open(ctl_t *c, char *err, size_t errlen) {
  dg_redis_url_t url;
  char password[DG_SECRET_MAX];
  int have_password = 0;
  if (dg_redis_url_parse(c->conf.file.redis_url, &url, err, errlen) != 0)
    return -1;
  if (c->conf.file.redis_password_file[0] != '\0') {
    if (dg_keyfile_read_line(c->conf.file.redis_password_file, password,
                             sizeof(password), err, errlen) < 0) {
      dg_secret_wipe(&url, sizeof(url));
      return -1;
    }
    have_password = 1;
  }
  c->redis = dg_redis_new(&url, have_password ? password : NULL,
                          (int)c->conf.file.timeout_ms);
  dg_secret_wipe(password, sizeof(password));
  dg_secret_wipe(&url, sizeof(url));
  if (c->redis == NULL) {
    snprintf(err, errlen, "redis: out of memory (or password too long)");
    return -1;
  }
  return 0;
}

int ctl_redis_connect(ctl_t *c, char *err, size_t errlen) {
  if (c->redis == NULL && redis_open(c, err, errlen) != 0)
    return -1;
  return dg_redis_connect(c->redis, err, errlen);
}

int ctl_exchange_open(ctl_t *c, char *err, size_t errlen) {
  dg_api_credentials_t cred;
  dg_exchange_opts_t o = {0};
  if (c->ex != NULL)
    return 0;
  if (dg_keyfile_read_credentials(c->conf.file.key_file, &cred, err, errlen) !=
      0)
    return -1;
  o.url = c->conf.file.url;
  o.api_key = cred.api_key;
  o.api_secret = cred.secret;
  o.api_passphrase = cred.passphrase;
  o.timeout_ms = (int)c->conf.file.timeout_ms;
  o.recv_window_ms = c->conf.file.recv_window_ms;
  c->ex = dg_exchange_new(c->conf.file.exchange, &o, err, errlen);
  dg_secret_wipe(&cred, sizeof(cred));
  return c->ex != NULL ? 0 : -1;
}

int ctl_ban_until(ctl_t *c, int64_t *until_ms, char *err, size_t errlen) {
  char why[256];
  int banned;
  *until_ms = 0;
  if (ctl_redis_connect(c, err, errlen) != 0)
    return -1;
  banned = dg_ban_check(c->redis, c->conf.file.key_prefix, ctl_now_ms(),
                        until_ms, why, sizeof(why));
  if (banned < 0) {
    snprintf(err, errlen, "cannot read the exchange ban: %s", why);
    return -1;
  }
  if (banned > 0 && why[0] != '\0')
    fprintf(stderr, "driftguard-ctl: warning: %s\n", why);
  if (banned == 0)
    *until_ms = 0;
  return 0;
}

int ctl_exchange_allowed(ctl_t *c, char *err, size_t errlen) {
  int64_t until, now = ctl_now_ms();
  if (ctl_ban_until(c, &until, err, errlen) != 0)
    return -1;
  if (until > 0) {
    char when[40];
    ctl_format_time(until, when, sizeof(when));
    snprintf(err, errlen,
             "exchange ban active until %s (%" PRId64
             " s from now): not calling the exchange",
             when, (until - now + 999) / 1000);
    return -1;
  }
  return 0;
}

void ctl_exchange_failed(ctl_t *c, const char *what, const dg_ex_result_t *res,
                         char *err, size_t errlen) {
  int64_t until = dg_ban_until_of(res);
  char http[32] = "", code[32] = "", why[256];
  if (until > 0 && c->redis != NULL &&
      dg_ban_store(c->redis, c->conf.file.key_prefix, until, ctl_now_ms(), why,
                   sizeof(why)) != 0)
    fprintf(stderr, "driftguard-ctl: warning: storing the exchange ban: %s\n",
            why);
  if (res->http_status != 0)
    snprintf(http, sizeof(http), " HTTP %d", res->http_status);
  if (res->code != 0)
    snprintf(code, sizeof(code), " code %d", res->code);
  /* The driver's message names the request that failed ("GET
   * <path> not sent: ..."), which may be a step of what we asked
   * for: name only that one. Checks made before any request keep what. */
  if (strncmp(res->msg, "GET ", 4) == 0 || strncmp(res->msg, "POST ", 5) == 0 ||
      strncmp(res->msg, "DELETE ", 7) == 0)
    snprintf(err, errlen, "%s (%s%s%s)", res->msg,
             dg_ex_status_name(res->status), http, code);
  else
    snprintf(err, errlen, "%s: %s (%s%s%s)", what, res->msg,
             dg_ex_status_name(res->status), http, code);
}

void ctl_close(ctl_t *c) {
  dg_exchange_free(c->ex);
  dg_redis_free(c->redis);
  c->ex = NULL;
  c->redis = NULL;
}

int ctl_ledger_key(const ctl_t *c, const char *symbol, char *buf, size_t size) {
  const char *pat = c->opts->ledger_key, *at = strstr(pat, "{symbol}");
  int n;
  if (at == NULL)
    n = snprintf(buf, size, "%s", pat);
  else
    n = snprintf(buf, size, "%.*s%s%s", (int)(at - pat), pat, symbol,
                 at + strlen("{symbol}"));
  return n >= 0 && (size_t)n < size ? n : -1;
}

/* A string reply's text into out ("" for nil or a wrong type). */
static void reply_text(const redisReply *r, char *out, size_t size) {
  if (r != NULL &&
      (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS))
    snprintf(out, size, "%.*s", (int)r->len, r->str);
  else
    out[0] = '\0';
}

int ctl_read_symbol(ctl_t *c, const char *symbol, ctl_symbol_state_t *st,
                    char *err, size_t errlen) {
  char hold[DG_KEY_MAX], reason[DG_KEY_MAX], sig[DG_KEY_MAX],
      ledger[DG_KEY_MAX];
  redisContext *ctx;
  redisReply *r[5];
  const char *prefix = c->conf.file.key_prefix;
  memset(st, 0, sizeof(*st));
  if (dg_key_hold(hold, sizeof(hold), prefix, symbol) < 0 ||
      dg_key_hold_reason(reason, sizeof(reason), prefix, symbol) < 0 ||
      dg_key_hold_sig(sig, sizeof(sig), prefix, symbol) < 0 ||
      ctl_ledger_key(c, symbol, ledger, sizeof(ledger)) < 0) {
    snprintf(err, errlen, "%s: key name too long", symbol);
    return -1;
  }
  if ((ctx = dg_redis_context(c->redis)) == NULL) {
    snprintf(err, errlen, "%s", dg_redis_last_error(c->redis));
    return -1;
  }
  redisAppendCommand(ctx, "GET %s", hold);
  redisAppendCommand(ctx, "PTTL %s", hold);
  redisAppendCommand(ctx, "GET %s", reason);
  redisAppendCommand(ctx, "GET %s", sig);
  redisAppendCommand(ctx, "HGET %s %s", ledger, c->opts->ledger_field);
  if (dg_redis_pipeline_collect(c->redis, r, 5) != 0) {
    snprintf(err, errlen, "%s", dg_redis_last_error(c->redis));
    return -1;
  }
  /* The ledger belongs to the trading system: a ledger key of the wrong
   * type is that symbol's problem, shown in ledger_raw, not a failure. */
  for (size_t i = 0; i < 4; i++)
    if (r[i]->type == REDIS_REPLY_ERROR) {
      snprintf(err, errlen, "redis: %s", r[i]->str);
      for (size_t j = 0; j < 5; j++)
        freeReplyObject(r[j]);
      return -1;
    }
  st->hold.active = r[0]->type == REDIS_REPLY_STRING;
  reply_text(r[0], st->hold.value, sizeof(st->hold.value));
  st->hold.ttl_ms = r[1]->type == REDIS_REPLY_INTEGER ? r[1]->integer : -2;
  reply_text(r[2], st->hold.reason, sizeof(st->hold.reason));
  reply_text(r[3], st->hold.sig, sizeof(st->hold.sig));
  if (r[4]->type == REDIS_REPLY_STRING) {
    snprintf(st->ledger_raw, sizeof(st->ledger_raw), "\"%.*s\"", (int)r[4]->len,
             r[4]->str);
    st->ledger_state =
        dg_dec_parse_n(r[4]->str, r[4]->len, &st->ledger) == 0 ? 1 : -1;
  } else if (r[4]->type == REDIS_REPLY_ERROR) {
    snprintf(st->ledger_raw, sizeof(st->ledger_raw), "%s", r[4]->str);
    st->ledger_state = -1;
  }
  for (size_t i = 0; i < 5; i++)
    freeReplyObject(r[i]);
  return 0;
}

/* s with glob metacharacters escaped, appended to out. -1 if too long. */
static int glob_escape(const char *s, char *out, size_t size) {
  size_t n = strlen(out);
  for (; *s != '\0'; s++) {
    if (n + 3 > size)
      return -1;
    if (strchr("*?[]\\^", *s) != NULL)
      out[n++] = '\\';
    out[n++] = *s;
  }
  out[n] = '\0';
  return 0;
}

int ctl_symbols_add(ctl_symbols_t *s, const char *sym, size_t len) {
  if (len == 0 || len >= DG_SYMBOL_MAX)
    return 0;
  if (dg_grow(&s->v, &s->cap, s->n, sizeof(*s->v), 16) != 0)
    return -1;
  memcpy(s->v[s->n], sym, len);
  s->v[s->n][len] = '\0';
  if (dg_symbol_valid(s->v[s->n], strlen(s->v[s->n])))
    s->n++;
  return 0;
}

static int symbol_cmp(const void *a, const void *b) {
  return strcmp(a, b);
}

void ctl_symbols_sort(ctl_symbols_t *s) {
  size_t out = 0;
  if (s->n == 0)
    return;
  qsort(s->v, s->n, sizeof(*s->v), symbol_cmp);
  for (size_t i = 1; i < s->n; i++)
    if (strcmp(s->v[i], s->v[out]) != 0)
      memcpy(s->v[++out], s->v[i], sizeof(*s->v));
  s->n = out + 1;
}

void ctl_symbols_free(ctl_symbols_t *s) {
  free(s->v);
  memset(s, 0, sizeof(*s));
}

/* Keys of one SCAN batch that match PRE S POST: add S. */
static int add_scanned(const redisReply *keys, const char *pre,
                       const char *post, ctl_symbols_t *out) {
  size_t npre = strlen(pre), npost = strlen(post);
  for (size_t i = 0; i < keys->elements; i++) {
    const redisReply *k = keys->element[i];
    if (k->type != REDIS_REPLY_STRING || k->len <= npre + npost ||
        memcmp(k->str, pre, npre) != 0 ||
        memcmp(k->str + k->len - npost, post, npost) != 0)
      continue;
    if (ctl_symbols_add(out, k->str + npre, k->len - npre - npost) != 0)
      return -1;
  }
  return 0;
}

/* The glob PRE*POST, with the literal parts escaped. */
static int scan_pattern(const char *pre, const char *post, char *out,
                        size_t size) {
  out[0] = '\0';
  if (glob_escape(pre, out, size - 1) != 0) /* room for the '*' */
    return -1;
  strcat(out, "*");
  return glob_escape(post, out, size);
}

int ctl_scan_symbols(ctl_t *c, const char *pre, const char *post,
                     ctl_symbols_t *out, char *err, size_t errlen) {
  char pattern[2 * DG_KEY_MAX + 2] = "", cursor[32] = "0";
  if (scan_pattern(pre, post, pattern, sizeof(pattern)) != 0) {
    snprintf(err, errlen, "key pattern too long");
    return -1;
  }
  do {
    redisReply *r = dg_redis_command(c->redis, "SCAN %s MATCH %s COUNT 1000",
                                     cursor, pattern);
    if (r == NULL) {
      snprintf(err, errlen, "%s", dg_redis_last_error(c->redis));
      return -1;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING ||
        r->element[1]->type != REDIS_REPLY_ARRAY) {
      snprintf(err, errlen, "redis: SCAN: %s",
               r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
      freeReplyObject(r);
      return -1;
    }
    snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
    if (add_scanned(r->element[1], pre, post, out) != 0) {
      snprintf(err, errlen, "out of memory");
      freeReplyObject(r);
      return -1;
    }
    freeReplyObject(r);
  } while (strcmp(cursor, "0") != 0);
  return 0;
}

int ctl_fresh_position(ctl_t *c, const char *symbol, dg_dec_t *amt,
                       dg_dec_t *step, char *err, size_t errlen) {
  dg_ex_result_t res;
  dg_position_t *pos = NULL;
  dg_symbol_rules_t rules;
  size_t n = 0;
  if (ctl_exchange_allowed(c, err, errlen) != 0 ||
      ctl_exchange_open(c, err, errlen) != 0)
    return -1;
  if (dg_exchange_symbol_rules(c->ex, symbol, &rules, &res) != DG_EX_OK) {
    ctl_exchange_failed(c, "symbol rules", &res, err, errlen);
    return -1;
  }
  if (dg_exchange_positions(c->ex, symbol, &pos, &n, &res) != DG_EX_OK) {
    ctl_exchange_failed(c, "positions", &res, err, errlen);
    return -1;
  }
  *amt = n > 0 ? pos[0].amt : DG_DEC_ZERO;
  *step = rules.step;
  int legs = n > 0 && pos[0].leg != DG_LEG_BOTH, dual = 0;
  free(pos);
  /* A hedge-mode symbol has two legs, which this one-way check cannot
   * verify (a flat symbol shows no legs: the account's mode says). */
  if (!legs && dg_exchange_hedge_mode(c->ex, symbol, &dual, &res) != DG_EX_OK) {
    ctl_exchange_failed(c, "position mode", &res, err, errlen);
    return -1;
  }
  if (legs || dual) {
    snprintf(err, errlen,
             "%s is in hedge mode (two legs): only the plugin verifies its "
             "legs, and releases the HOLD once both are healed",
             symbol);
    return -1;
  }
  return 0;
}

json_object *ctl_json_dec(dg_dec_t d) {
  char buf[DG_DEC_STRLEN];
  dg_dec_format(d, buf, sizeof(buf));
  return json_object_new_string(buf);
}

/* A stream id "1769379791123-0" -> its ms part. */
static int64_t stream_id_ms(const char *id) {
  return strtoll(id, NULL, 10);
}

json_object *ctl_stream_latest(ctl_t *c, const char *stream, long count,
                               char *err, size_t errlen) {
  json_object *out;
  redisReply *r =
      dg_redis_command(c->redis, "XREVRANGE %s + - COUNT %ld", stream, count);
  if (r == NULL) {
    snprintf(err, errlen, "%s", dg_redis_last_error(c->redis));
    return NULL;
  }
  if (r->type != REDIS_REPLY_ARRAY) {
    snprintf(err, errlen, "redis: XREVRANGE %s: %s", stream,
             r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    freeReplyObject(r);
    return NULL;
  }
  out = json_object_new_array();
  for (size_t i = 0; i < r->elements; i++) {
    const redisReply *e = r->element[i];
    json_object *entry;
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
        e->element[0]->type != REDIS_REPLY_STRING ||
        e->element[1]->type != REDIS_REPLY_ARRAY)
      continue;
    entry = json_object_new_object();
    for (size_t j = 0; j + 1 < e->element[1]->elements; j += 2) {
      const redisReply *k = e->element[1]->element[j];
      const redisReply *v = e->element[1]->element[j + 1];
      if (k->type == REDIS_REPLY_STRING && v->type == REDIS_REPLY_STRING)
        json_object_object_add(entry, k->str,
                               json_object_new_string_len(v->str, (int)v->len));
    }
    /* Added last, so a field of the same name cannot pass for them. */
    json_object_object_add(entry, "stream_id",
                           json_object_new_string(e->element[0]->str));
    json_object_object_add(
        entry, "stream_ms",
        json_object_new_int64(stream_id_ms(e->element[0]->str)));
    json_object_array_add(out, entry);
  }
  freeReplyObject(r);
  return out;
}
