/* binance_parse.c - Binance USD-M futures: request parameter strings and
 * signatures, reply parsing and the HTTP-reply-to-outcome mapping. Pure
 * functions over byte buffers (see binance_parse.h); the I/O lives in
 * binance_usdm.c. */
#include "driftguard/binance_parse.h"

#include "driftguard/grow.h"
#include "driftguard/json_flat.h"
#include "driftguard/json_tree.h"
#include "driftguard/sign.h"
#include "driftguard/text.h"
#include "exchange_driver.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- request parameters ----------------------------------------------------
 */

int dg_bn_query_sign(dg_query_t *q, const char *secret) {
  char sig[DG_SHA256_HEXLEN + 1];
  if (q->overflow ||
      dg_hmac_sha256_hex(secret, strlen(secret), q->buf, q->len, sig) != 0)
    return -1;
  dg_query_add(q, "signature", sig);
  return q->overflow ? -1 : 0;
}

/* --- errors and limits ---------------------------------------------------- */

int dg_bn_parse_error(const char *body, size_t len, int *code, char *msg,
                      size_t msglen) {
  json_object *root = dg_json_parse_strict(body, len), *c;
  const char *m;
  int rc = -1;
  if (root != NULL && json_object_is_type(root, json_type_object) &&
      json_object_object_get_ex(root, "code", &c) &&
      json_object_is_type(c, json_type_int) &&
      (m = dg_json_str(root, "msg")) != NULL) {
    *code = json_object_get_int(c);
    snprintf(msg, msglen, "%s", m);
    rc = 0;
  }
  json_object_put(root);
  return rc;
}

/* Up to 15 digits (ms epochs have 13) as a positive number, else -1. */
static int64_t parse_digits(const char *s, const char **end) {
  int64_t v = 0;
  int n = 0;
  while (*s >= '0' && *s <= '9' && n < 15) {
    v = v * 10 + (*s++ - '0');
    n++;
  }
  *end = s;
  return (n == 0 || (*s >= '0' && *s <= '9')) ? -1 : v;
}

int64_t dg_bn_banned_until_ms(const char *msg) {
  static const char marker[] = "banned until ";
  const char *p = msg ? strstr(msg, marker) : NULL, *end;
  int64_t v;
  if (p == NULL)
    return 0;
  v = parse_digits(p + sizeof(marker) - 1, &end);
  return v > 0 ? v : 0;
}

int64_t dg_bn_retry_after_ms(const char *value, int64_t now_ms) {
  const char *end;
  int64_t secs;
  time_t when;
  if (value == NULL)
    return 0;
  while (*value == ' ' || *value == '\t')
    value++;
  if (*value == '\0')
    return 0;
  secs = parse_digits(value, &end);
  if (secs >= 0) {
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
      end++;
    /* More than a year is not a back-off, it is garbage. */
    return (*end == '\0' && secs <= 366 * 86400) ? now_ms + secs * 1000 : 0;
  }
  when = curl_getdate(value, NULL); /* HTTP-date form */
  return when > 0 ? (int64_t)when * 1000 : 0;
}

int dg_bn_parse_used_weight(const char *value) {
  char *end;
  long v = strtol(value, &end, 10);
  return (*end == '\0' && end != value && v >= 0 && v <= 1000000000L) ? (int)v
                                                                      : -1;
}

/* The caller-visible meaning of the codes driftguard acts on. */
static dg_ex_reason_t reason_of(int code) {
  switch (code) {
  case DG_BN_ERR_NO_SUCH_ORDER:
    return DG_EX_REASON_ORDER_NOT_FOUND;
  case DG_BN_ERR_TIMESTAMP:
    return DG_EX_REASON_CLOCK_SKEW;
  case DG_BN_ERR_DUPLICATE_CLIENT_ID:
    return DG_EX_REASON_DUPLICATE_CLIENT_ID;
  case DG_BN_ERR_BAD_SYMBOL:
    return DG_EX_REASON_UNKNOWN_SYMBOL;
  default:
    return DG_EX_REASON_NONE;
  }
}

static int contains(const char *hay, size_t len, const char *needle) {
  return hay != NULL && memmem(hay, len, needle, strlen(needle)) != NULL;
}

/* Error objects are {"code":..,"msg":".."}: well under this size. */
#define ERROR_OBJECT_MAX 2048

static int may_be_error_object(const char *body, size_t len) {
  size_t i = 0;
  while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' ||
                     body[i] == '\n'))
    i++;
  return len <= ERROR_OBJECT_MAX && i < len && body[i] == '{';
}

dg_ex_status_t dg_bn_classify_reply(long http_status, const char *body,
                                    size_t len, const char *retry_after,
                                    int64_t now_ms, dg_ex_result_t *res) {
  int code = 0, has_error;
  char emsg[sizeof(res->msg)] = "";
  int64_t retry_at = dg_bn_retry_after_ms(retry_after, now_ms);

  /* A 2xx body is searched for an error object only when it could be one
   * (a small JSON object): a positionRisk array or a multi-megabyte
   * exchangeInfo is parsed once, by its own parser. */
  has_error = (http_status < 200 || http_status > 299 ||
               may_be_error_object(body, len)) &&
              dg_bn_parse_error(body, len, &code, emsg, sizeof(emsg)) == 0;
  if (!has_error && (http_status < 200 || http_status > 299))
    dg_ex_quote_reply(http_status, body, len, emsg, sizeof(emsg));
  res->http_status = (int)http_status;
  res->code = has_error ? code : 0;
  res->reason = reason_of(res->code);
  snprintf(res->msg, sizeof(res->msg), "%s", emsg);

  res->not_executed =
      has_error &&
      ((http_status >= 400 && http_status <= 499) || http_status == 503) &&
      code != DG_BN_ERR_TIMESTAMP && code != DG_BN_ERR_DUPLICATE_CLIENT_ID;
  if (has_error && (code == DG_BN_ERR_UNKNOWN || code == DG_BN_ERR_TIMEOUT)) {
    res->not_executed = 0;
    return res->status = DG_EX_UNKNOWN;
  }
  if (http_status == 429) {
    res->retry_after_ms =
        retry_at ? retry_at : now_ms + DG_BN_RATE_LIMIT_DEFAULT_MS;
    return res->status = DG_EX_RATE_LIMIT;
  }
  if (http_status == 418) {
    int64_t until = dg_bn_banned_until_ms(emsg);
    if (until == 0)
      until = retry_at ? retry_at : now_ms + DG_BN_BAN_DEFAULT_MS;
    res->ban_until_ms = res->retry_after_ms = until;
    return res->status = DG_EX_BANNED;
  }
  if (http_status >= 500 && http_status <= 599) {
    /* Binance: a 5xx is its own internal error and the execution status
     * is UNKNOWN (it could have been a success), gateways' 500/502/504
     * included. Only a 503 saying "Service Unavailable." or "Internal
     * error; unable to process your request" is a stated failure. (The
     * driver turns UNKNOWN into SERVER for reads: only an order has a
     * fate.) */
    if (http_status == 503 &&
        (contains(body, len, "Service Unavailable.") ||
         contains(body, len, "Internal error; unable to process your request")))
      return res->status = DG_EX_SERVER;
    res->not_executed = 0;
    return res->status = DG_EX_UNKNOWN;
  }
  if (http_status >= 400 && http_status <= 499)
    return res->status = DG_EX_REFUSED;
  if (http_status >= 200 && http_status <= 299)
    return res->status = (has_error && code < 0) ? DG_EX_REFUSED : DG_EX_OK;
  if (!has_error)
    snprintf(res->msg, sizeof(res->msg), "unexpected HTTP status %ld",
             http_status);
  return res->status = DG_EX_BAD_REPLY;
}

/* --- replies -------------------------------------------------------------- */

int dg_bn_parse_server_time(const char *body, size_t len, int64_t *out) {
  json_object *root = dg_json_parse_strict(body, len);
  int64_t t;
  int rc = -1;
  if (root != NULL && json_object_is_type(root, json_type_object) &&
      dg_json_i64(root, "serverTime", &t) == 0 && t > 0) {
    *out = t;
    rc = 0;
  }
  json_object_put(root);
  return rc;
}

int dg_bn_parse_dual_side(const char *body, size_t len, int *dual) {
  json_object *root = dg_json_parse_strict(body, len), *v;
  int rc = -1;
  if (root != NULL && json_object_is_type(root, json_type_object) &&
      json_object_object_get_ex(root, "dualSidePosition", &v) &&
      json_object_is_type(v, json_type_boolean)) {
    *dual = json_object_get_boolean(v) ? 1 : 0;
    rc = 0;
  }
  json_object_put(root);
  return rc;
}

/* --- positionRisk -------------------------------------------------------- */

/* positionRisk is read as a stream (json_flat.h): hundreds of positions
 * per poll, three members each wanted, no tree. */
typedef struct {
  dg_position_t pos; /* symbol and amount */
  int has_symbol, has_amt;
  int hedge;    /* a positionSide other than "BOTH" */
  char side[9]; /* that side, printable, for the message */
} position_entry_t;

typedef struct {
  const char *only;         /* keep this symbol only, or NULL */
  position_entry_t *listed; /* every entry, flat ones too */
  size_t count, cap;
  size_t index;           /* the entry being read */
  position_entry_t entry; /* what it said so far */
} positions_t;

static int bad_entry(const positions_t *ps, char *err, size_t errlen) {
  snprintf(err, errlen,
           "positionRisk entry %zu: no valid symbol and positionAmt",
           ps->index);
  return -1;
}

static int position_member(void *ctx, const char *key, size_t key_len,
                           const dg_json_value_t *v, char *err, size_t errlen) {
  positions_t *ps = ctx;
  position_entry_t *e = &ps->entry;
  /* 21 members per entry, three wanted: tell them apart by length first. */
  if (key_len != 6 && key_len != 11 && key_len != 12)
    return 0;
  if (strcmp(key, "symbol") == 0) {
    if (e->has_symbol || v->kind != DG_JSON_STRING ||
        v->len >= sizeof e->pos.symbol || !dg_symbol_valid(v->text, v->len))
      return bad_entry(ps, err, errlen);
    memcpy(e->pos.symbol, v->text, v->len);
    e->pos.symbol[v->len] = '\0';
    e->has_symbol = 1;
  } else if (strcmp(key, "positionAmt") == 0) {
    if (e->has_amt ||
        (v->kind != DG_JSON_STRING && v->kind != DG_JSON_NUMBER) ||
        dg_dec_parse_n(v->text, v->len, &e->pos.amt) != 0)
      return bad_entry(ps, err, errlen);
    e->has_amt = 1;
  } else if (strcmp(key, "positionSide") == 0 && v->kind == DG_JSON_STRING) {
    e->hedge = !(v->len == 4 && memcmp(v->text, "BOTH", 4) == 0);
    dg_text_printable(v->text, v->len, e->side, sizeof e->side);
  }
  return 0;
}

static int position_append(positions_t *ps, char *err, size_t errlen) {
  if (dg_grow(&ps->listed, &ps->cap, ps->count, sizeof *ps->listed, 64) != 0) {
    snprintf(err, errlen, "positionRisk: out of memory");
    return -1;
  }
  ps->listed[ps->count++] = ps->entry;
  return 0;
}

/* The end of one entry: every entry is kept until the whole reply has been
 * checked for a symbol listed twice, flat ones included (a flat twin makes
 * the reply as doubtful as an open one). */
static int position_end(void *ctx, size_t index, char *err, size_t errlen) {
  positions_t *ps = ctx;
  const position_entry_t *e = &ps->entry;
  int rc;
  (void)index; /* ps->index: the member callbacks need it too */
  if (!e->has_symbol || !e->has_amt)
    return bad_entry(ps, err, errlen);
  if (e->hedge && !dg_dec_is_zero(e->pos.amt)) {
    snprintf(err, errlen,
             "positionRisk: %s has a hedge-mode position (positionSide "
             "%s); only one-way mode is supported",
             e->pos.symbol, e->side);
    return -1;
  }
  rc = position_append(ps, err, errlen);
  memset(&ps->entry, 0, sizeof ps->entry);
  ps->index++;
  return rc;
}

/* By symbol, then side: one-way rows (BOTH) first, a hedge account's flat
 * LONG and SHORT rows of one symbol are two different legs. */
static int entry_cmp(const void *x, const void *y) {
  const position_entry_t *a = x, *b = y;
  int c = strcmp(a->pos.symbol, b->pos.symbol);
  if (c != 0)
    return c;
  if (a->hedge != b->hedge)
    return a->hedge - b->hedge;
  return a->hedge ? strcmp(a->side, b->side) : 0;
}

/* The open positions of the sorted entries (those of ps->only when set):
 * a malloc'd list, or NULL when there are none or memory ran out. */
static dg_position_t *open_positions(const positions_t *ps, size_t *n) {
  dg_position_t *list = malloc((ps->count > 0 ? ps->count : 1) * sizeof *list);
  *n = 0;
  if (list == NULL)
    return NULL;
  for (size_t k = 0; k < ps->count; k++) {
    const dg_position_t *p = &ps->listed[k].pos;
    if (!dg_dec_is_zero(p->amt) &&
        (ps->only == NULL || strcmp(p->symbol, ps->only) == 0))
      list[(*n)++] = *p;
  }
  return list;
}

int dg_bn_parse_positions(const char *body, size_t len, const char *symbol,
                          dg_position_t **out, size_t *n, char *err,
                          size_t errlen) {
  static const dg_json_flat_cb_t callbacks = {.member = position_member,
                                              .object_end = position_end};
  positions_t ps = {.only = symbol};
  dg_position_t *list;
  size_t count;
  char why[256];

  if (dg_json_flat_parse(body, len, DG_JSON_ARRAY_OF_OBJECTS, &callbacks, &ps,
                         why, sizeof why) != 0) {
    snprintf(
        err, errlen, "%s%s",
        strncmp(why, "positionRisk", 12) == 0 ? "" : "positionRisk: ", why);
    free(ps.listed);
    return -1;
  }
  /* Sorted, so that a duplicate is next to its twin (and callers can
   * bsearch): N log N for hundreds of positions, not N^2. */
  if (ps.count > 1)
    qsort(ps.listed, ps.count, sizeof *ps.listed, entry_cmp);
  for (size_t k = 1; k < ps.count; k++)
    if (entry_cmp(&ps.listed[k - 1], &ps.listed[k]) == 0) {
      snprintf(err, errlen, "positionRisk: %s listed twice",
               ps.listed[k].pos.symbol);
      free(ps.listed);
      return -1;
    }
  list = open_positions(&ps, &count);
  free(ps.listed);
  if (list == NULL) {
    snprintf(err, errlen, "positionRisk: out of memory");
    return -1;
  }
  if (symbol != NULL && count == 0) {
    /* Omitted means flat. */
    snprintf(list[0].symbol, sizeof list[0].symbol, "%s", symbol);
    list[0].leg = DG_LEG_BOTH;
    list[0].amt = DG_DEC_ZERO;
    count = 1;
  }
  if (count == 0) {
    free(list);
    list = NULL;
  }
  *out = list;
  *n = count;
  return 0;
}

/* The MARKET_LOT_SIZE filter of one exchangeInfo symbol: 1 found, 0 none,
 * -1 malformed. */
static int market_lot_size(json_object *sym, dg_symbol_rules_t *r) {
  json_object *filters;
  if (!json_object_object_get_ex(sym, "filters", &filters) ||
      !json_object_is_type(filters, json_type_array))
    return 0;
  for (size_t i = 0; i < json_object_array_length(filters); i++) {
    json_object *f = json_object_array_get_idx(filters, i);
    const char *type = json_object_is_type(f, json_type_object)
                           ? dg_json_str(f, "filterType")
                           : NULL;
    if (type == NULL || strcmp(type, "MARKET_LOT_SIZE") != 0)
      continue;
    if (dg_json_dec(f, "stepSize", &r->step) != 0 ||
        dg_json_dec(f, "minQty", &r->min_qty) != 0 ||
        dg_json_dec(f, "maxQty", &r->max_qty) != 0 || dg_dec_sign(r->step) <= 0)
      return -1;
    r->in_contracts = 0; /* USD-M quantities are in the base coin */
    r->contract_value = DG_DEC_ONE;
    return 1;
  }
  return 0;
}

int dg_bn_parse_exchange_info(const char *body, size_t len,
                              dg_symbol_rules_t **out, size_t *n, char *err,
                              size_t errlen) {
  json_object *root = dg_json_parse_strict(body, len), *syms;
  dg_symbol_rules_t *list = NULL;
  size_t count = 0, total;
  int rc = -1;

  if (root == NULL || !json_object_is_type(root, json_type_object) ||
      !json_object_object_get_ex(root, "symbols", &syms) ||
      !json_object_is_type(syms, json_type_array)) {
    snprintf(err, errlen, "exchangeInfo: reply has no \"symbols\" array");
    goto done;
  }
  total = json_object_array_length(syms);
  list = calloc(total > 0 ? total : 1, sizeof(*list));
  if (list == NULL) {
    snprintf(err, errlen, "exchangeInfo: out of memory");
    goto done;
  }
  for (size_t i = 0; i < total; i++) {
    json_object *s = json_object_array_get_idx(syms, i);
    dg_symbol_rules_t *r = &list[count];
    int found;
    if (!json_object_is_type(s, json_type_object) ||
        dg_json_copy_str(r->symbol, sizeof(r->symbol),
                         dg_json_str(s, "symbol")) != 0)
      continue; /* a symbol we could never trade is not worth failing on */
    found = market_lot_size(s, r);
    if (found < 0) {
      snprintf(err, errlen, "exchangeInfo: bad MARKET_LOT_SIZE for %s",
               r->symbol);
      goto done;
    }
    count += (size_t)found;
  }
  rc = 0;
done:
  json_object_put(root);
  if (rc == 0) {
    *out = list;
    *n = count;
  } else {
    free(list);
  }
  return rc;
}

int dg_bn_parse_order(const char *body, size_t len, dg_order_t *out, char *err,
                      size_t errlen) {
  json_object *root = dg_json_parse_strict(body, len), *ro;
  dg_order_t o;
  int64_t order_id;
  int rc = -1;

  memset(&o, 0, sizeof(o));
  if (root == NULL || !json_object_is_type(root, json_type_object)) {
    snprintf(err, errlen, "order: reply is not a JSON object");
    goto done;
  }
  if (dg_json_copy_str(o.symbol, sizeof(o.symbol),
                       dg_json_str(root, "symbol")) != 0 ||
      dg_json_i64(root, "orderId", &order_id) != 0 ||
      dg_json_copy_str(o.client_order_id, sizeof(o.client_order_id),
                       dg_json_str(root, "clientOrderId")) != 0 ||
      dg_json_copy_str(o.status, sizeof(o.status),
                       dg_json_str(root, "status")) != 0 ||
      dg_json_copy_str(o.side, sizeof(o.side), dg_json_str(root, "side")) !=
          0 ||
      dg_json_dec(root, "origQty", &o.orig_qty) != 0 ||
      dg_json_dec(root, "executedQty", &o.executed_qty) != 0) {
    snprintf(err, errlen,
             "order: missing or bad symbol, orderId, clientOrderId, status, "
             "side, origQty or executedQty");
    goto done;
  }
  snprintf(o.order_id, sizeof(o.order_id), "%" PRId64, order_id);
  if (json_object_object_get_ex(root, "reduceOnly", &ro))
    o.reduce_only = json_object_is_type(ro, json_type_boolean)
                        ? json_object_get_boolean(ro)
                        : (json_object_is_type(ro, json_type_string) &&
                           strcmp(json_object_get_string(ro), "true") == 0);
  *out = o;
  rc = 0;
done:
  json_object_put(root);
  return rc;
}

/* --- validation ----------------------------------------------------------- */

int dg_bn_client_order_id(const char *plan_id,
                          char out[DG_CLIENT_ORDER_ID_MAX + 1]) {
  return dg_ex_hashed_client_id(plan_id, "dgrc-", 36, out);
}

int dg_bn_valid_client_order_id(const char *s) {
  return dg_ex_id_valid(s, ".:/_-", DG_CLIENT_ORDER_ID_MAX);
}
