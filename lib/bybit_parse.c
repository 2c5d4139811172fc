/* bybit_parse.c - Bybit v5 linear: the signature, the close's body, the
 * reply envelope and its outcome, and the reply parsers. Pure functions
 * over byte buffers (see bybit_parse.h); the I/O lives in bybit_linear.c. */
#include "driftguard/bybit_parse.h"

#include "driftguard/grow.h"
#include "driftguard/json_tree.h"
#include "driftguard/text.h"
#include "exchange_driver.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dg_bybit_reply {
  json_object *root;
  int code;            /* retCode */
  const char *msg;     /* retMsg, owned by root */
  json_object *result; /* NULL when absent or not an object */
};

/* --- the envelope and its outcome ----------------------------------- */

dg_bybit_reply_t *dg_bybit_reply_parse(const char *body, size_t len) {
  json_object *root = dg_json_parse_strict(body, len), *code, *result;
  dg_bybit_reply_t *r;
  const char *msg;
  if (root == NULL || !json_object_is_type(root, json_type_object) ||
      !json_object_object_get_ex(root, "retCode", &code) ||
      !json_object_is_type(code, json_type_int) ||
      (msg = dg_json_str(root, "retMsg")) == NULL ||
      (r = malloc(sizeof(*r))) == NULL) {
    json_object_put(root);
    return NULL;
  }
  r->root = root;
  r->code = json_object_get_int(code);
  r->msg = msg;
  r->result = json_object_object_get_ex(root, "result", &result) &&
                      json_object_is_type(result, json_type_object)
                  ? result
                  : NULL;
  return r;
}

void dg_bybit_reply_free(dg_bybit_reply_t *r) {
  if (r == NULL)
    return;
  json_object_put(r->root);
  free(r);
}

/* retCodes Bybit documents as a refusal of the request (notes 1.2):
 * parameters, authentication and permissions, the account's bans, balance
 * and reduce-only rules, the per-UID rate limit. */
static int documented_refusal(int code) {
  static const int codes[] = {
      10001, 10003, 10004,  10005,  10006,  10007,  10008,  10009,  10010,
      10024, 10027, 110007, 110012, 110017, 110023, 110042, 110094,
  };
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
    if (codes[i] == code)
      return 1;
  return 0;
}

static dg_ex_reason_t reason_of(int code, const char *msg) {
  switch (code) {
  case DG_BYBIT_ERR_TIMESTAMP:
    return DG_EX_REASON_CLOCK_SKEW;
  case DG_BYBIT_ERR_DUPLICATE_LINK_ID:
    return DG_EX_REASON_DUPLICATE_CLIENT_ID;
  case DG_BYBIT_ERR_PARAMS:
    /* 10001 is every parameter error; the unknown symbol says so. */
    return msg != NULL && strcasestr(msg, "symbol invalid") != NULL
               ? DG_EX_REASON_UNKNOWN_SYMBOL
               : DG_EX_REASON_NONE;
  default:
    return DG_EX_REASON_NONE;
  }
}

/* A positive ms epoch of at most 15 digits, else 0. */
static int64_t parse_ms(const char *s) {
  int64_t v = 0;
  int n = 0;
  if (s == NULL)
    return 0;
  for (; *s >= '0' && *s <= '9' && n < 15; s++, n++)
    v = v * 10 + (*s - '0');
  return n > 0 && *s == '\0' ? v : 0;
}

static int64_t retry_at(const char *limit_reset, int64_t now_ms) {
  int64_t at = parse_ms(limit_reset);
  /* A reset in the past (the clocks differ) or more than an hour away is
   * not a back-off to trust. */
  return at > now_ms && at - now_ms <= INT64_C(3600000)
             ? at
             : now_ms + DG_BYBIT_RATE_LIMIT_DEFAULT_MS;
}

dg_ex_status_t dg_bybit_classify_reply(long http_status,
                                       const dg_bybit_reply_t *env,
                                       const char *body, size_t len,
                                       const char *limit_reset, int64_t now_ms,
                                       dg_ex_result_t *res) {
  int code = env != NULL ? env->code : 0;
  int ok_status = http_status >= 200 && http_status <= 299;

  res->http_status = (int)http_status;
  res->code = code;
  res->reason = env != NULL ? reason_of(code, env->msg) : DG_EX_REASON_NONE;
  res->not_executed = 0;
  if (env != NULL)
    snprintf(res->msg, sizeof(res->msg), "%s", env->msg);
  else
    dg_ex_quote_reply(http_status, body, len, res->msg, sizeof(res->msg));

  if (http_status == 403) {
    /* Bybit's IP limit: a bare "access too frequent". A 403 is also a
     * geo block or a GET with a body: those are refusals. */
    if (body != NULL && memmem(body, len, "access too frequent", 19) != NULL) {
      res->ban_until_ms = res->retry_after_ms = now_ms + DG_BYBIT_BAN_MS;
      res->not_executed = 1;
      return res->status = DG_EX_BANNED;
    }
    return res->status = DG_EX_REFUSED;
  }
  if (code == DG_BYBIT_ERR_SERVER_TIMEOUT || code == DG_BYBIT_ERR_SERVER ||
      (http_status >= 500 && http_status <= 599))
    return res->status = DG_EX_UNKNOWN; /* undocumented whether executed */
  if (http_status == 429 || code == DG_BYBIT_ERR_RATE_LIMIT) {
    res->retry_after_ms = retry_at(limit_reset, now_ms);
    res->not_executed = code == DG_BYBIT_ERR_RATE_LIMIT;
    return res->status = DG_EX_RATE_LIMIT;
  }
  if (env != NULL && code != 0 && (ok_status || http_status >= 400)) {
    res->not_executed = documented_refusal(code);
    return res->status = DG_EX_REFUSED;
  }
  if (http_status >= 400 && http_status <= 499)
    return res->status = DG_EX_REFUSED;
  if (ok_status && env != NULL)
    return res->status = DG_EX_OK;
  if (ok_status)
    snprintf(res->msg, sizeof(res->msg),
             "the reply is not Bybit's envelope "
             "{retCode, retMsg, result}");
  else
    snprintf(res->msg, sizeof(res->msg), "unexpected HTTP status %ld",
             http_status);
  return res->status = DG_EX_BAD_REPLY;
}

int dg_bybit_rate_used(const char *limit, const char *remaining) {
  char *end;
  long l, r;
  if (limit == NULL || remaining == NULL || !*limit || !*remaining)
    return -1;
  l = strtol(limit, &end, 10);
  if (*end != '\0' || l < 0 || l > 1000000000L)
    return -1;
  r = strtol(remaining, &end, 10);
  if (*end != '\0' || r < 0 || r > l)
    return -1;
  return (int)(l - r);
}

/* --- requests ------------------------------------------------------- */

int dg_bybit_sign(const char *secret, int64_t timestamp, const char *api_key,
                  long recv_window, const char *payload,
                  char out[DG_SHA256_HEXLEN + 1]) {
  char head[64 + 256];
  size_t hlen, plen = strlen(payload);
  char *text;
  int rc;
  int n = snprintf(head, sizeof(head), "%" PRId64 "%s%ld", timestamp, api_key,
                   recv_window);
  if (n < 0 || (size_t)n >= sizeof(head))
    return -1;
  hlen = (size_t)n;
  if ((text = malloc(hlen + plen + 1)) == NULL)
    return -1;
  memcpy(text, head, hlen);
  memcpy(text + hlen, payload, plen + 1);
  rc = dg_hmac_sha256_hex(secret, strlen(secret), text, hlen + plen, out);
  free(text);
  return rc;
}

int dg_bybit_close_body(const char *symbol, const char *side, dg_leg_t leg,
                        dg_dec_t qty, const char *link_id, char *out,
                        size_t size, char *err, size_t errlen) {
  char qty_text[DG_DEC_STRLEN];
  int buy, idx, n;
  if (symbol == NULL || !dg_symbol_valid(symbol, strlen(symbol))) {
    snprintf(err, errlen, "invalid symbol");
    return -1;
  }
  if (side == NULL || (strcmp(side, "BUY") != 0 && strcmp(side, "SELL") != 0)) {
    snprintf(err, errlen, "side must be BUY or SELL");
    return -1;
  }
  buy = strcmp(side, "BUY") == 0;
  /* A hedge leg is closed by the opposite side on its own positionIdx;
   * the other way round would open (or add to) a position. */
  if ((leg == DG_LEG_LONG && buy) || (leg == DG_LEG_SHORT && !buy)) {
    snprintf(err, errlen, "a %s leg is closed by a %s order, not %s",
             dg_leg_name(leg), buy ? "SELL" : "BUY", side);
    return -1;
  }
  if (leg != DG_LEG_BOTH && leg != DG_LEG_LONG && leg != DG_LEG_SHORT) {
    snprintf(err, errlen, "invalid leg");
    return -1;
  }
  idx = leg == DG_LEG_LONG ? 1 : leg == DG_LEG_SHORT ? 2 : 0;
  if (dg_dec_sign(qty) <= 0) {
    snprintf(err, errlen, "quantity must be positive");
    return -1;
  }
  if (!dg_bybit_valid_link_id(link_id)) {
    snprintf(err, errlen, "orderLinkId must be 1 to 36 of A-Z a-z 0-9 - _");
    return -1;
  }
  dg_dec_format(qty, qty_text, sizeof(qty_text));
  n = snprintf(out, size,
               "{\"category\":\"linear\",\"symbol\":\"%s\",\"side\":\"%s\","
               "\"orderType\":\"Market\",\"qty\":\"%s\",\"reduceOnly\":true,"
               "\"positionIdx\":%d,\"orderLinkId\":\"%s\"}",
               symbol, buy ? "Buy" : "Sell", qty_text, idx, link_id);
  if (n < 0 || (size_t)n >= size) {
    snprintf(err, errlen, "order body too long");
    return -1;
  }
  return 0;
}

/* --- replies -------------------------------------------------------- */

/* A string of decimal digits as a number (timeNano has 19); -1 when not
 * one or past INT64_MAX. */
static int64_t digits(const char *s) {
  int64_t v = 0;
  size_t n = 0;
  if (s == NULL)
    return -1;
  for (; s[n] >= '0' && s[n] <= '9'; n++) {
    if (v > (INT64_MAX - (s[n] - '0')) / 10)
      return -1;
    v = v * 10 + (s[n] - '0');
  }
  return n > 0 && s[n] == '\0' ? v : -1;
}

int dg_bybit_parse_server_time(const dg_bybit_reply_t *env, int64_t *ms) {
  int64_t v;
  if (env == NULL || env->result == NULL)
    return -1;
  if ((v = digits(dg_json_str(env->result, "timeNano"))) > 0)
    *ms = v / 1000000;
  else if ((v = digits(dg_json_str(env->result, "timeSecond"))) > 0)
    *ms = v * 1000;
  else
    return -1;
  return 0;
}

int dg_bybit_parse_cursor(const dg_bybit_reply_t *env, char *cursor,
                          size_t size) {
  json_object *v;
  const char *s;
  size_t n;
  cursor[0] = '\0';
  if (env == NULL || env->result == NULL)
    return -1;
  if (!json_object_object_get_ex(env->result, "nextPageCursor", &v) ||
      json_object_is_type(v, json_type_null))
    return 0; /* no cursor: the last page */
  if (!json_object_is_type(v, json_type_string))
    return -1;
  s = json_object_get_string(v);
  n = strlen(s);
  if (n >= size || n >= DG_BYBIT_CURSOR_MAX)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (s[i] <= ' ' || s[i] > '~')
      return -1;
  memcpy(cursor, s, n + 1);
  return 0;
}

/* result.list as an array, or NULL. */
static json_object *result_list(const dg_bybit_reply_t *env) {
  json_object *list;
  if (env == NULL || env->result == NULL ||
      !json_object_object_get_ex(env->result, "list", &list) ||
      !json_object_is_type(list, json_type_array))
    return NULL;
  return list;
}

/* One /v5/position/list row into p. 0, -1 with a reason. */
static int position_row(json_object *row, size_t i, const char *only,
                        dg_position_t *p, char *err, size_t errlen) {
  json_object *idx_obj;
  const char *symbol = dg_json_str(row, "symbol");
  const char *side = dg_json_str(row, "side");
  dg_dec_t size;
  int idx;

  if (!json_object_is_type(row, json_type_object) || symbol == NULL ||
      !dg_symbol_valid(symbol, strlen(symbol))) {
    snprintf(err, errlen, "position list: row %zu: no valid symbol", i);
    return -1;
  }
  if (only != NULL && strcmp(symbol, only) != 0) {
    snprintf(err, errlen, "position list: asked for %s, got a row of %.40s",
             only, symbol);
    return -1;
  }
  if (!json_object_object_get_ex(row, "positionIdx", &idx_obj) ||
      !json_object_is_type(idx_obj, json_type_int) ||
      (idx = json_object_get_int(idx_obj)) < 0 || idx > 2 || side == NULL ||
      dg_json_dec(row, "size", &size) != 0 || dg_dec_sign(size) < 0) {
    snprintf(err, errlen,
             "position list: %s: no valid positionIdx, side and size", symbol);
    return -1;
  }
  snprintf(p->symbol, sizeof(p->symbol), "%s", symbol);
  p->leg = idx == 1 ? DG_LEG_LONG : idx == 2 ? DG_LEG_SHORT : DG_LEG_BOTH;
  if (strcmp(side, "Buy") == 0) {
    p->amt = size;
  } else if (strcmp(side, "Sell") == 0) {
    if (dg_dec_neg(size, &p->amt) != 0)
      return -1;
  } else if (side[0] == '\0' && dg_dec_is_zero(size)) {
    p->amt = DG_DEC_ZERO; /* a flat row */
  } else {
    snprintf(err, errlen, "position list: %s: side \"%.8s\" with size", symbol,
             side);
    return -1;
  }
  if ((p->leg == DG_LEG_LONG && dg_dec_sign(p->amt) < 0) ||
      (p->leg == DG_LEG_SHORT && dg_dec_sign(p->amt) > 0)) {
    snprintf(err, errlen, "position list: %s: a %s row on positionIdx %d",
             symbol, side, idx);
    return -1;
  }
  return 0;
}

int dg_bybit_parse_positions_page(const dg_bybit_reply_t *env,
                                  const char *symbol, dg_bybit_rows_t *acc,
                                  char *err, size_t errlen) {
  json_object *list = result_list(env);
  size_t total;
  if (list == NULL) {
    snprintf(err, errlen, "position list: no result.list array");
    return -1;
  }
  total = json_object_array_length(list);
  for (size_t i = 0; i < total; i++) {
    if (dg_grow(&acc->rows, &acc->cap, acc->n, sizeof(*acc->rows), 64) != 0) {
      snprintf(err, errlen, "position list: out of memory");
      return -1;
    }
    if (position_row(json_object_array_get_idx(list, i), i, symbol,
                     &acc->rows[acc->n], err, errlen) != 0)
      return -1;
    acc->n++;
  }
  return 0;
}

/* By symbol, then leg: BOTH, LONG, SHORT (the enum's order). */
static int row_cmp(const void *x, const void *y) {
  const dg_position_t *a = x, *b = y;
  int c = strcmp(a->symbol, b->symbol);
  return c != 0 ? c : (int)a->leg - (int)b->leg;
}

int dg_bybit_positions_finish(dg_bybit_rows_t *acc, const char *symbol,
                              dg_position_t **out, size_t *n, int *dual,
                              char *err, size_t errlen) {
  dg_position_t *rows = acc->rows, *list;
  size_t count = acc->n, kept = 0;
  int hedge = 0;

  acc->rows = NULL;
  acc->n = acc->cap = 0;
  *out = NULL;
  *n = 0;
  if (count > 1)
    qsort(rows, count, sizeof(*rows), row_cmp);
  for (size_t k = 0; k < count; k++) {
    if (k > 0 && strcmp(rows[k - 1].symbol, rows[k].symbol) == 0 &&
        (rows[k - 1].leg == rows[k].leg ||
         (rows[k - 1].leg == DG_LEG_BOTH) != (rows[k].leg == DG_LEG_BOTH))) {
      snprintf(err, errlen,
               rows[k - 1].leg == rows[k].leg
                   ? "position list: %s %s listed twice"
                   : "position list: %s listed in one-way and hedge mode%.0s",
               rows[k].symbol, dg_leg_name(rows[k].leg));
      free(rows);
      return -1;
    }
    hedge |= rows[k].leg != DG_LEG_BOTH;
  }
  /* At most two legs per symbol asked for, or every listed row. */
  list = malloc((symbol != NULL ? 2 : count > 0 ? count : 1) * sizeof(*list));
  if (list == NULL) {
    free(rows);
    snprintf(err, errlen, "position list: out of memory");
    return -1;
  }
  if (symbol == NULL) {
    for (size_t k = 0; k < count; k++)
      if (!dg_dec_is_zero(rows[k].amt))
        list[kept++] = rows[k];
  } else if (!hedge) {
    list[0] = count > 0 ? rows[0] : (dg_position_t){.leg = DG_LEG_BOTH};
    snprintf(list[0].symbol, sizeof(list[0].symbol), "%s", symbol);
    kept = 1;
  } else {
    for (dg_leg_t leg = DG_LEG_LONG; leg <= DG_LEG_SHORT; leg++) {
      dg_position_t *p = &list[kept++];
      *p = (dg_position_t){.leg = leg};
      snprintf(p->symbol, sizeof(p->symbol), "%s", symbol);
      for (size_t k = 0; k < count; k++)
        if (rows[k].leg == leg)
          p->amt = rows[k].amt;
    }
  }
  free(rows);
  if (kept == 0) {
    free(list);
    list = NULL;
  }
  if (dual != NULL)
    *dual = hedge;
  *out = list;
  *n = kept;
  return 0;
}

int dg_bybit_parse_instruments_page(const dg_bybit_reply_t *env,
                                    dg_bybit_rules_t *acc, char *err,
                                    size_t errlen) {
  json_object *list = result_list(env);
  size_t total;
  if (list == NULL) {
    snprintf(err, errlen, "instruments-info: no result.list array");
    return -1;
  }
  total = json_object_array_length(list);
  for (size_t i = 0; i < total; i++) {
    json_object *inst = json_object_array_get_idx(list, i), *lot;
    const char *symbol;
    dg_symbol_rules_t r = {.in_contracts = 0, .contract_value = DG_DEC_ONE};
    if (!json_object_is_type(inst, json_type_object) ||
        (symbol = dg_json_str(inst, "symbol")) == NULL ||
        !dg_symbol_valid(symbol, strlen(symbol)) ||
        !json_object_object_get_ex(inst, "lotSizeFilter", &lot) ||
        !json_object_is_type(lot, json_type_object))
      continue; /* an instrument we could never trade is not worth failing */
    if (dg_json_dec(lot, "qtyStep", &r.step) != 0 ||
        dg_json_dec(lot, "minOrderQty", &r.min_qty) != 0 ||
        dg_json_dec(lot, "maxMktOrderQty", &r.max_qty) != 0 ||
        dg_dec_sign(r.step) <= 0 || dg_dec_sign(r.max_qty) <= 0) {
      snprintf(err, errlen,
               "instruments-info: %s: lotSizeFilter without a valid qtyStep, "
               "minOrderQty and maxMktOrderQty",
               symbol);
      return -1;
    }
    snprintf(r.symbol, sizeof(r.symbol), "%s", symbol);
    if (dg_grow(&acc->rules, &acc->cap, acc->n, sizeof(*acc->rules), 256) !=
        0) {
      snprintf(err, errlen, "instruments-info: out of memory");
      return -1;
    }
    acc->rules[acc->n++] = r;
  }
  return 0;
}

/* Bybit's orderStatus in driftguard's words (exchange.h), NULL when
 * unknown. */
static const char *status_of(const char *s, int filled_some) {
  static const struct {
    const char *bybit, *dg;
  } map[] = {
      {"New", "NEW"},
      {"Untriggered", "NEW"},
      {"Triggered", "NEW"},
      {"PartiallyFilled", "PARTIALLY_FILLED"},
      {"Filled", "FILLED"},
      {"Cancelled", "CANCELED"},
      {"PartiallyFilledCanceled", "CANCELED"},
      {"Deactivated", "EXPIRED"},
      {"Rejected", "REJECTED"},
  };
  if (s == NULL)
    return NULL;
  if (strcmp(s, "Rejected") == 0 && filled_some)
    return "CANCELED"; /* a rejected IOC remainder after fills */
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
    if (strcmp(map[i].bybit, s) == 0)
      return map[i].dg;
  return NULL;
}

int dg_bybit_parse_order_list(const dg_bybit_reply_t *env, dg_order_t *out,
                              int *found, char *err, size_t errlen) {
  json_object *list = result_list(env), *o, *ro;
  const char *side, *status;
  dg_order_t ord;

  *found = 0;
  if (list == NULL) {
    snprintf(err, errlen, "order list: no result.list array");
    return -1;
  }
  if (json_object_array_length(list) == 0)
    return 0; /* Bybit's "not found": retCode 0, an empty list */
  o = json_object_array_get_idx(list, 0);
  memset(&ord, 0, sizeof(ord));
  if (!json_object_is_type(o, json_type_object) ||
      dg_json_copy_str(ord.symbol, sizeof(ord.symbol),
                       dg_json_str(o, "symbol")) != 0 ||
      dg_json_copy_str(ord.order_id, sizeof(ord.order_id),
                       dg_json_str(o, "orderId")) != 0 ||
      dg_json_copy_str(ord.client_order_id, sizeof(ord.client_order_id),
                       dg_json_str(o, "orderLinkId")) != 0 ||
      (side = dg_json_str(o, "side")) == NULL ||
      (strcmp(side, "Buy") != 0 && strcmp(side, "Sell") != 0) ||
      dg_json_dec(o, "qty", &ord.orig_qty) != 0 ||
      dg_json_dec(o, "cumExecQty", &ord.executed_qty) != 0 ||
      dg_dec_sign(ord.executed_qty) < 0) {
    snprintf(err, errlen,
             "order: missing or bad symbol, orderId, orderLinkId, side, qty "
             "or cumExecQty");
    return -1;
  }
  status = status_of(dg_json_str(o, "orderStatus"),
                     dg_dec_sign(ord.executed_qty) > 0);
  if (status == NULL) {
    char shown[32];
    const char *s = dg_json_str(o, "orderStatus");
    dg_text_printable(s ? s : "", s ? strlen(s) : 0, shown, sizeof(shown));
    snprintf(err, errlen, "order: unknown orderStatus \"%s\"", shown);
    return -1;
  }
  snprintf(ord.status, sizeof(ord.status), "%s", status);
  snprintf(ord.side, sizeof(ord.side), "%s",
           strcmp(side, "Buy") == 0 ? "BUY" : "SELL");
  ord.reduce_only = json_object_object_get_ex(o, "reduceOnly", &ro) &&
                    json_object_is_type(ro, json_type_boolean) &&
                    json_object_get_boolean(ro);
  *out = ord;
  *found = 1;
  return 0;
}

int dg_bybit_parse_create(const dg_bybit_reply_t *env, char *order_id,
                          size_t size, char *err, size_t errlen) {
  if (env == NULL || env->result == NULL ||
      dg_json_copy_str(order_id, size, dg_json_str(env->result, "orderId")) !=
          0) {
    snprintf(err, errlen, "order create: no result.orderId");
    return -1;
  }
  return 0;
}

/* --- client order ids ----------------------------------------------- */

int dg_bybit_client_order_id(const char *plan_id,
                             char out[DG_CLIENT_ORDER_ID_MAX + 1]) {
  return dg_ex_hashed_client_id(plan_id, "dgrc-", 36, out);
}

int dg_bybit_valid_link_id(const char *s) {
  return dg_ex_id_valid(s, "-_", 36);
}
