/* dedupe.c - the exactly-once record (see dedupe.h): JSON encoding and an
 * atomic compare-and-set script, so claiming, submitting and finishing a
 * plan are each one Redis command. */
#include "executor/dedupe.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static const char *const state_names[] = {"", "claimed", "submitted", "final"};

/* KEYS[1] record; ARGV[1] expected text ('' = absent), ARGV[2] new text,
 * ARGV[3] TTL. Returns {1} when stored, {0, current or ''} otherwise. */
static dg_redis_script_t swap_script =
    DG_REDIS_SCRIPT("local cur = redis.call('GET', KEYS[1]) or ''\n"
                    "if cur ~= ARGV[1] then return {0, cur} end\n"
                    "redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])\n"
                    "return {1}\n");

const char *ex_dedupe_state_name(ex_dd_state_t s) {
  return s >= EX_DD_NONE && s <= EX_DD_FINAL ? state_names[s] : "";
}

int ex_dedupe_encode(ex_dedupe_t *d) {
  int n = snprintf(d->json, sizeof d->json,
                   "{\"state\":\"%s\",\"status\":\"%s\",\"order_id\":\"%s\","
                   "\"executed_qty\":\"%s\",\"consumer\":\"%s\",\"ts\":%lld,"
                   "\"sent_ts\":%lld}",
                   ex_dedupe_state_name(d->state), d->status, d->order_id,
                   d->executed_qty, d->consumer, (long long)d->ts,
                   (long long)d->sent_ts);
  return n > 0 && (size_t)n < sizeof d->json ? 0 : -1;
}

static void copy_str(json_object *obj, const char *name, char *out,
                     size_t size) {
  json_object *v;
  if (json_object_object_get_ex(obj, name, &v) &&
      json_object_is_type(v, json_type_string))
    snprintf(out, size, "%s", json_object_get_string(v));
}

static int64_t get_int(json_object *obj, const char *name) {
  json_object *v;
  return json_object_object_get_ex(obj, name, &v) &&
                 json_object_is_type(v, json_type_int)
             ? json_object_get_int64(v)
             : 0;
}

/* The order id as text; a number is a record from before ids were text
 * (0: none). One that is not a valid id is dropped: it is only reported. */
static void order_id(json_object *obj, ex_dedupe_t *d) {
  json_object *v;
  int64_t n;
  if (!json_object_object_get_ex(obj, "order_id", &v))
    return;
  if (json_object_is_type(v, json_type_int)) {
    if ((n = json_object_get_int64(v)) != 0)
      snprintf(d->order_id, sizeof d->order_id, "%lld", (long long)n);
  } else if (json_object_is_type(v, json_type_string) &&
             dg_order_id_valid(json_object_get_string(v))) {
    snprintf(d->order_id, sizeof d->order_id, "%s", json_object_get_string(v));
  }
}

void ex_dedupe_decode(const char *s, size_t len, ex_dedupe_t *d) {
  json_tokener *tok = json_tokener_new();
  json_object *obj = NULL;
  char state[16] = "";
  memset(d, 0, sizeof *d);
  if (len < sizeof d->json) {
    memcpy(d->json, s, len);
    d->json[len] = '\0';
    if (tok != NULL)
      obj = json_tokener_parse_ex(tok, s, (int)len);
  }
  if (tok != NULL)
    json_tokener_free(tok);
  if (obj != NULL && json_object_is_type(obj, json_type_object)) {
    copy_str(obj, "state", state, sizeof state);
    copy_str(obj, "status", d->status, sizeof d->status);
    copy_str(obj, "executed_qty", d->executed_qty, sizeof d->executed_qty);
    copy_str(obj, "consumer", d->consumer, sizeof d->consumer);
    order_id(obj, d);
    d->ts = get_int(obj, "ts");
    d->sent_ts = get_int(obj, "sent_ts");
    for (int i = EX_DD_CLAIMED; i <= EX_DD_FINAL; i++)
      if (strcmp(state, state_names[i]) == 0)
        d->state = (ex_dd_state_t)i;
  }
  json_object_put(obj);
  if (d->state == EX_DD_NONE) {
    d->state = EX_DD_FINAL;
    snprintf(d->status, sizeof d->status, "UNREADABLE");
  }
  if (len >= sizeof d->json) /* cannot be compared: never swapped either */
    d->json[0] = '\0';
}

int ex_dedupe_stamp_unbelievable(const ex_dedupe_t *d, int64_t now_ms) {
  return d->ts > now_ms + EX_DEDUPE_MAX_FUTURE_MS ||
         d->sent_ts > now_ms + EX_DEDUPE_MAX_FUTURE_MS;
}

int ex_dedupe_read(ex_ctx_t *ctx, const char *key, ex_dedupe_t *out) {
  redisReply *r = ex_redis(ctx, (const char *[]){"GET", key, NULL});
  if (r == NULL)
    return -1;
  if (r->type == REDIS_REPLY_STRING)
    ex_dedupe_decode(r->str, r->len, out);
  else
    memset(out, 0, sizeof *out);
  freeReplyObject(r);
  return 0;
}

int ex_dedupe_swap(ex_ctx_t *ctx, const char *key, const ex_dedupe_t *expect,
                   ex_dedupe_t *next, ex_dedupe_t *now) {
  char ttl[16];
  redisReply *r;
  int stored;
  if (expect->state != EX_DD_NONE && expect->json[0] == '\0') {
    *now = *expect; /* an oversized record cannot be compared: never ours */
    return 0;
  }
  if (ex_dedupe_encode(next) != 0) {
    *now = *expect; /* cannot happen with bounded fields; refuse to guess */
    return 0;
  }
  snprintf(ttl, sizeof ttl, "%d", EX_DEDUPE_TTL_S);
  r = ex_redis_eval(
      ctx, &swap_script,
      (const char *[]){"1", key,
                       expect->state == EX_DD_NONE ? "" : expect->json,
                       next->json, ttl, NULL});
  if (r == NULL)
    return -1;
  stored = r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
           r->element[0]->type == REDIS_REPLY_INTEGER &&
           r->element[0]->integer == 1;
  if (!stored) {
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
        r->element[1]->type == REDIS_REPLY_STRING && r->element[1]->len > 0)
      ex_dedupe_decode(r->element[1]->str, r->element[1]->len, now);
    else if (r->type == REDIS_REPLY_ARRAY)
      memset(now, 0, sizeof *now);
    else /* a script error: report it as a record we cannot read */
      ex_dedupe_decode("", 0, now);
  }
  freeReplyObject(r);
  return stored;
}
