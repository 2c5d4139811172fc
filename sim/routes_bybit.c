/* routes_bybit.c - the Bybit v5 venue, category linear (USDT perpetuals;
 * --exchange bybit-linear): the REST subset a driver needs (server time,
 * instruments, positions paged by cursor, a reduce-only market order, its
 * query by orderLinkId), Bybit's signing (X-BAPI-* headers, hex HMAC-SHA256
 * of timestamp + key + recv_window + query string or body), its envelope
 * {retCode, retMsg, result, retExtInfo, time} in HTTP 200, its per-UID
 * limits (retCode 10006 and the X-Bapi-Limit-* headers) and its IP limit
 * (HTTP 403 "access too frequent", lifted after 10 minutes). Facts from
 * notes/exchanges.md section 1. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driftguard/sign.h"

#define BYBIT_IP_WINDOW_MS 5000
#define BYBIT_IP_BAN_MS INT64_C(600000)
#define BYBIT_DEFAULT_RECV_WINDOW "5000"
#define BYBIT_MAX_PAGE 200

static const sim_code_t codes[] = {
    {0, "OK"},
    {10000, "Server Timeout"},
    {10001, "params error"},
    {10002, "invalid request, please check your server timestamp or "
            "recv_window param"},
    {10003, "API key is invalid."},
    {10004, "Error sign, please check your signature generation algorithm."},
    {10006, "Too many visits!"},
    {10016, "Server error"},
    {10429, "System level frequency protection. Please retry when "
            "encounter this."},
    {110017, "Reduce-only rule not satisfied"},
    {110072, "OrderLinkedID is duplicate"},
};

/* Bybit's envelope; result NULL: {}. Takes ownership of result. */
static void envelope(sim_reply_t *r, int status, int ret_code, const char *msg,
                     json_object *result) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "retCode", json_object_new_int(ret_code));
  json_object_object_add(
      o, "retMsg",
      json_object_new_string(
          msg ? msg
              : sim_code_msg(codes, sizeof(codes) / sizeof(codes[0]),
                             ret_code)));
  json_object_object_add(o, "result",
                         result ? result : json_object_new_object());
  json_object_object_add(o, "retExtInfo", json_object_new_object());
  json_object_object_add(o, "time", json_object_new_int64(sim_now_ms()));
  sim_reply_json(r, status, o);
  r->code = ret_code;
}

static void ok(sim_reply_t *r, json_object *result) {
  envelope(r, 200, 0, "OK", result);
}

static void refuse(sim_reply_t *r, int ret_code, const char *msg) {
  envelope(r, ret_code == 10003 ? 401 : 200, ret_code, msg, NULL);
}

/* ---- signing
 * ------------------------------------------------------------------- */
/* The X-BAPI-* checks: key, the signature over timestamp + key +
 * recv_window + (GET: the query string as sent; POST: the body), then
 * server_time - recv_window <= timestamp < server_time + 1000. */
static int auth(const sim_request_t *rq, sim_reply_t *r) {
  const char *key = sim_header(rq, "X-BAPI-API-KEY");
  const char *ts_text = sim_header(rq, "X-BAPI-TIMESTAMP");
  const char *sign = sim_header(rq, "X-BAPI-SIGN");
  const char *window_text = sim_header(rq, "X-BAPI-RECV-WINDOW");
  const char *payload = strcmp(rq->method, "GET") == 0 ? rq->query : rq->body;
  char expected[DG_SHA256_HEXLEN + 1], msg[200], *text;
  int64_t ts, window, now = sim_now_ms();
  size_t len;
  int good;

  if (key == NULL || strcmp(key, sim_config.creds.api_key) != 0) {
    refuse(r, 10003, NULL);
    return -1;
  }
  if (window_text == NULL)
    window_text = BYBIT_DEFAULT_RECV_WINDOW;
  if (sim_parse_ms(ts_text, &ts) != 0 ||
      sim_parse_ms(window_text, &window) != 0 || window <= 0) {
    refuse(r, 10001,
           "X-BAPI-TIMESTAMP and X-BAPI-RECV-WINDOW must be "
           "integers (ms)");
    return -1;
  }
  len = strlen(ts_text) + strlen(key) + strlen(window_text) + strlen(payload);
  if ((text = malloc(len + 1)) == NULL) {
    refuse(r, 10016, NULL);
    return -1;
  }
  snprintf(text, len + 1, "%s%s%s%s", ts_text, key, window_text, payload);
  good = sign != NULL && strlen(sign) == DG_SHA256_HEXLEN &&
         dg_hmac_sha256_hex(sim_config.creds.secret,
                            strlen(sim_config.creds.secret), text, len,
                            expected) == 0 &&
         dg_hex_equal(expected, sign);
  free(text);
  if (!good) {
    refuse(r, 10004, NULL);
    return -1;
  }
  if (!(now - window <= ts && ts < now + 1000)) {
    snprintf(msg, sizeof(msg),
             "invalid request, please check your server timestamp or "
             "recv_window param. req_timestamp[%lld],server_timestamp[%lld],"
             "recv_window[%lld]",
             (long long)ts, (long long)now, (long long)window);
    refuse(r, 10002, msg);
    return -1;
  }
  return 0;
}

/* ---- helpers
 * ------------------------------------------------------------------- */
/* category=linear or a 10001 refusal. */
static int linear(const char *category, sim_reply_t *r) {
  if (category == NULL || strcmp(category, "linear") != 0) {
    refuse(r, 10001,
           category == NULL ? "params error: category is required"
                            : "params error: category only "
                              "supports linear here");
    return -1;
  }
  return 0;
}

/* limit in [1, max] (default dflt); -1 after a 10001 refusal. */
static int page_limit(const sim_request_t *rq, int dflt, int max,
                      sim_reply_t *r) {
  const char *text = sim_param(rq, "limit");
  int64_t v = dflt;
  if (text != NULL && (sim_parse_ms(text, &v) != 0 || v < 1 || v > max)) {
    refuse(r, 10001, "params error: limit");
    return -1;
  }
  return (int)v;
}

static int listed(const sim_symbol_view_t *v) {
  (void)v;
  return 1;
}

/* Adds a symbol's rows to list; listing: only what a listing by settle
 * coin shows (rows with a size), else every row. */
typedef void (*rows_fn)(json_object *list, const sim_symbol_view_t *v,
                        int listing);

/* Reply with one page (names sorted, limit symbols after the request's
 * cursor): symbol's rows, or when symbol is NULL the rows of every listed
 * symbol keep() holds for (none when all is 0: another settle coin).
 * nextPageCursor names the last symbol sent, "" when none follows. */
static void reply_page(const sim_request_t *rq, sim_reply_t *r,
                       const char *symbol, int all, int limit,
                       int (*keep)(const sim_symbol_view_t *), rows_fn rows) {
  const char *cursor = sim_param(rq, "cursor"), *last = NULL;
  json_object *list, *result;
  sim_symbol_view_t one, *v = NULL;
  size_t n = 0;
  int sent = 0;
  char next[64] = "";

  if (symbol != NULL) {
    if (!sim_symbol_valid(symbol) || sim_state_symbol(symbol, &one) != 0) {
      refuse(r, 10001, "params error: symbol invalid");
      return;
    }
    v = &one;
    n = 1;
    keep = listed;
  } else if (all) {
    v = sim_state_symbols(&n);
  }
  list = json_object_new_array();
  for (size_t i = 0; i < n; i++) {
    if ((cursor != NULL && strcmp(v[i].name, cursor) <= 0) || !keep(&v[i]))
      continue;
    if (sent == limit) {
      snprintf(next, sizeof(next), "%s", last);
      break;
    }
    rows(list, &v[i], symbol == NULL);
    last = v[i].name;
    sent++;
  }
  if (v != &one)
    free(v);
  result = json_object_new_object();
  sim_json_add_str(result, "category", "linear");
  json_object_object_add(result, "list", list);
  sim_json_add_str(result, "nextPageCursor", next);
  ok(r, result);
}

/* ---- market data
 * --------------------------------------------------------------------- */
static void get_time(const sim_request_t *rq, sim_reply_t *r) {
  (void)rq;
  int64_t now = sim_now_ms();
  json_object *o = json_object_new_object();
  char buf[32];
  snprintf(buf, sizeof(buf), "%lld", (long long)(now / 1000));
  sim_json_add_str(o, "timeSecond", buf);
  snprintf(buf, sizeof(buf), "%lld000000", (long long)now);
  sim_json_add_str(o, "timeNano", buf);
  ok(r, o);
}

/* maxOrderQty (limit orders) is not simulated: ten times the market
 * maximum, the ratio Bybit's BTCUSDT shows. */
static void instrument(json_object *list, const sim_symbol_view_t *v,
                       int listing) {
  (void)listing;
  json_object *o = json_object_new_object(), *lot = json_object_new_object();
  json_object *price = json_object_new_object();
  char base[32];
  snprintf(base, sizeof(base), "%.*s", (int)(strlen(v->name) - 4), v->name);
  sim_json_add_str(o, "symbol", v->name);
  sim_json_add_str(o, "contractType", "LinearPerpetual");
  sim_json_add_str(o, "status", "Trading");
  sim_json_add_str(o, "baseCoin", base);
  sim_json_add_str(o, "quoteCoin", "USDT");
  sim_json_add_str(o, "settleCoin", "USDT");
  sim_json_add_dec(lot, "maxOrderQty",
                   sim_dec_mul(v->max_qty, (dg_dec_t){10 * DG_DEC_SCALE}));
  sim_json_add_dec(lot, "minOrderQty", v->min_qty);
  sim_json_add_dec(lot, "qtyStep", v->step);
  sim_json_add_dec(lot, "maxMktOrderQty", v->max_qty);
  sim_json_add_str(lot, "minNotionalValue", "5");
  json_object_object_add(o, "lotSizeFilter", lot);
  sim_json_add_str(price, "minPrice", "0.10");
  sim_json_add_str(price, "maxPrice", "1999999.80");
  sim_json_add_str(price, "tickSize", "0.10");
  json_object_object_add(o, "priceFilter", price);
  json_object_array_add(list, o);
}

static void get_instruments(const sim_request_t *rq, sim_reply_t *r) {
  int limit;
  if (linear(sim_param(rq, "category"), r) != 0 ||
      (limit = page_limit(rq, 500, 1000, r)) < 0)
    return;
  reply_page(rq, r, sim_param(rq, "symbol"), 1, limit, listed, instrument);
}

/* ---- positions
 * ----------------------------------------------------------------------- */
static int open_position(const sim_symbol_view_t *v) {
  return v->amt.units != 0 || v->legs[0].units != 0 || v->legs[1].units != 0;
}

/* One row of leg idx (0 one-way, 1 hedge Buy side, 2 hedge Sell side):
 * size unsigned, the sign in side ("" when flat). */
static json_object *position_row(const sim_symbol_view_t *v, int idx) {
  json_object *o = json_object_new_object();
  dg_dec_t amt = idx == 0 ? v->amt : v->legs[idx - 1];
  dg_dec_t entry = idx == 0 ? v->entry : v->leg_entry[idx - 1];
  dg_dec_t size = sim_dec_abs(amt), pnl;
  dg_dec_sub(v->mark, entry, &pnl);
  pnl = amt.units ? sim_dec_mul(pnl, amt) : DG_DEC_ZERO;
  json_object_object_add(o, "positionIdx", json_object_new_int(idx));
  sim_json_add_str(o, "symbol", v->name);
  sim_json_add_str(o, "side",
                   amt.units > 0   ? "Buy"
                   : amt.units < 0 ? "Sell"
                                   : "");
  sim_json_add_dec(o, "size", size);
  sim_json_add_dec(o, "avgPrice", amt.units ? entry : DG_DEC_ZERO);
  sim_json_add_dec(o, "positionValue", sim_dec_mul(size, entry));
  json_object_object_add(o, "tradeMode", json_object_new_int(0));
  sim_json_add_str(o, "positionStatus", "Normal");
  sim_json_add_str(o, "leverage", "20");
  sim_json_add_dec(o, "markPrice", v->mark);
  sim_json_add_dec(o, "unrealisedPnl", pnl);
  sim_json_add_str(o, "cumRealisedPnl", "0");
  json_object_object_add(o, "isReduceOnly", json_object_new_boolean(0));
  json_object_object_add(o, "seq", json_object_new_int64(v->update_time));
  sim_json_add_ms(o, "createdTime", v->update_time);
  sim_json_add_ms(o, "updatedTime", v->update_time);
  return o;
}

/* One-way: one row. Hedge mode: a row per leg, the empty one with side
 * "" (a listing by settle coin shows only a leg with a size). */
static void positions(json_object *list, const sim_symbol_view_t *v,
                      int listing) {
  if (!v->hedge) {
    json_object_array_add(list, position_row(v, 0));
    return;
  }
  for (int idx = 1; idx <= 2; idx++)
    if (!listing || v->legs[idx - 1].units != 0)
      json_object_array_add(list, position_row(v, idx));
}

/* settleCoin=USDT: open positions only, paged; symbol=S: its row even
 * when flat. Either is required for linear. */
static void get_positions(const sim_request_t *rq, sim_reply_t *r) {
  const char *symbol = sim_param(rq, "symbol");
  const char *coin = sim_param(rq, "settleCoin");
  int limit;

  if (auth(rq, r) != 0 || linear(sim_param(rq, "category"), r) != 0 ||
      (limit = page_limit(rq, 20, BYBIT_MAX_PAGE, r)) < 0)
    return;
  if (symbol == NULL && coin == NULL) {
    refuse(r, 10001, "params error: symbol or settleCoin is required");
    return;
  }
  /* every simulated contract settles in USDT */
  reply_page(rq, r, symbol, coin != NULL && strcmp(coin, "USDT") == 0, limit,
             open_position, positions);
}

/* ---- orders
 * -------------------------------------------------------------------------- */
/* Bybit's derivatives orderId is a UUID: made from the simulator's order
 * id (its last 12 hex digits) so a query by orderId finds it again. */
static void order_uuid(int64_t id, char out[40]) {
  uint64_t h = (uint64_t)id * UINT64_C(0x9E3779B97F4A7C15);
  snprintf(out, 40, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(h >> 32),
           (unsigned)(h >> 16) & 0xffff, (unsigned)(h >> 4) & 0xfff,
           (unsigned)h & 0xfff, (unsigned long long)id & 0xffffffffffffULL);
}

static int64_t uuid_order_id(const char *uuid) {
  char again[40];
  unsigned long long id;
  if (strlen(uuid) != 36 || sscanf(uuid + 24, "%12llx", &id) != 1)
    return -1;
  order_uuid((int64_t)id, again);
  return strcmp(again, uuid) == 0 ? (int64_t)id : -1;
}

static json_object *order_json(const sim_order_t *o) {
  json_object *j = json_object_new_object();
  char uuid[40];
  order_uuid(o->order_id, uuid);
  sim_json_add_str(j, "orderId", uuid);
  sim_json_add_str(j, "orderLinkId", o->client_id);
  sim_json_add_str(j, "symbol", o->symbol);
  sim_json_add_str(j, "side", o->side);
  sim_json_add_str(j, "orderType", o->type);
  sim_json_add_str(j, "price", "0");
  sim_json_add_dec(j, "qty", o->qty);
  sim_json_add_dec(j, "cumExecQty", o->executed);
  sim_json_add_dec(j, "cumExecValue", sim_dec_mul(o->executed, o->avg_price));
  sim_json_add_str(j, "leavesQty", "0");
  sim_json_add_dec(j, "avgPrice", o->avg_price);
  sim_json_add_str(j, "orderStatus", "Filled");
  sim_json_add_str(j, "cancelType", "UNKNOWN");
  sim_json_add_str(j, "rejectReason", "EC_NoError");
  sim_json_add_str(j, "timeInForce", "IOC");
  json_object_object_add(j, "reduceOnly",
                         json_object_new_boolean(o->reduce_only));
  json_object_object_add(j, "positionIdx",
                         json_object_new_int(atoi(o->position_side)));
  sim_json_add_ms(j, "createdTime", o->time);
  sim_json_add_ms(j, "updatedTime", o->update_time);
  return j;
}

/* orderLinkId: at most 36 of [A-Za-z0-9_-]. */
static int link_id_ok(const char *id) {
  size_t len = strlen(id);
  if (len > 36)
    return 0;
  for (; *id; id++)
    if (!((*id >= 'A' && *id <= 'Z') || (*id >= 'a' && *id <= 'z') ||
          (*id >= '0' && *id <= '9') || *id == '_' || *id == '-'))
      return 0;
  return 1;
}

static int refusal_code(enum sim_refusal why, const char **msg) {
  static const struct {
    int code;
    const char *msg;
  } map[] = {
      [SIM_REFUSE_SYMBOL] = {10001, "params error: symbol invalid"},
      [SIM_REFUSE_QTY_ZERO] = {10001, "params error: qty invalid"},
      [SIM_REFUSE_QTY_PRECISION] = {10001, "Qty invalid: not a multiple of "
                                           "qtyStep"},
      [SIM_REFUSE_QTY_MIN] = {10001, "The number of contracts exceeds "
                                     "minimum limit allowed"},
      [SIM_REFUSE_QTY_MAX] = {10001, "The number of contracts exceeds "
                                     "maximum limit allowed: too large"},
      [SIM_REFUSE_QTY_STEP] = {10001, "Qty invalid: not a multiple of "
                                      "qtyStep"},
      [SIM_REFUSE_REDUCE_FLAT] = {110017, "current position is zero, cannot "
                                          "fix reduce-only order qty"},
      [SIM_REFUSE_REDUCE_SIDE] = {110017, NULL},
      [SIM_REFUSE_REDUCE_SIZE] = {110017, NULL},
      [SIM_REFUSE_CLIENT_ID_DUP] = {110072, NULL},
  };
  *msg = map[why].msg;
  return map[why].code;
}

/* POST /v5/order/create: a Market order; positionIdx 0 in one-way mode,
 * 1 (Buy side) or 2 (Sell side) for a symbol in hedge mode. */
static void post_order(const sim_request_t *rq, sim_reply_t *r) {
  json_object *body, *v, *idx_obj = NULL, *result;
  sim_order_req_t req;
  sim_order_t order;
  sim_symbol_view_t view;
  enum sim_refusal why;
  const char *qty, *msg;
  char uuid[40];
  int idx;

  if (auth(rq, r) != 0)
    return;
  body = json_tokener_parse(rq->body);
  if (body == NULL || !json_object_is_type(body, json_type_object)) {
    json_object_put(body);
    refuse(r, 10001, "params error: the body is not a JSON object");
    return;
  }
  memset(&req, 0, sizeof(req));
  req.symbol = sim_json_str(body, "symbol");
  req.side = sim_json_str(body, "side");
  req.type = sim_json_str(body, "orderType");
  qty = sim_json_str(body, "qty");
  req.client_id = sim_json_str(body, "orderLinkId");
  if (linear(sim_json_str(body, "category"), r) != 0)
    goto done;
  if (req.symbol == NULL || !sim_symbol_valid(req.symbol)) {
    refuse(r, 10001, "params error: symbol invalid");
    goto done;
  }
  if (req.side == NULL ||
      (strcmp(req.side, "Buy") != 0 && strcmp(req.side, "Sell") != 0)) {
    refuse(r, 10001, "params error: side invalid");
    goto done;
  }
  if (req.type == NULL || strcmp(req.type, "Market") != 0) {
    refuse(r, 10001,
           "params error: orderType (the simulator fills Market "
           "orders only)");
    goto done;
  }
  if (qty == NULL || dg_dec_parse(qty, &req.qty) != 0) {
    refuse(r, 10001, "params error: qty must be a decimal string");
    goto done;
  }
  if (json_object_object_get_ex(body, "reduceOnly", &v)) {
    if (!json_object_is_type(v, json_type_boolean)) {
      refuse(r, 10001, "params error: reduceOnly must be a boolean");
      goto done;
    }
    req.reduce_only = json_object_get_boolean(v);
  }
  if (json_object_object_get_ex(body, "positionIdx", &idx_obj) &&
      (!json_object_is_type(idx_obj, json_type_int) ||
       json_object_get_int(idx_obj) < 0 || json_object_get_int(idx_obj) > 2)) {
    refuse(r, 10001, "params error: positionIdx");
    goto done;
  }
  idx = idx_obj != NULL ? json_object_get_int(idx_obj) : 0;
  if (sim_state_symbol(req.symbol, &view) != 0 || (idx != 0) != view.hedge) {
    refuse(r, 10001, "position idx not match position mode");
    goto done;
  }
  if (req.client_id == NULL)
    req.client_id = "";
  if (!link_id_ok(req.client_id)) {
    refuse(r, 10001,
           "params error: orderLinkId is at most 36 letters, "
           "digits, '-' and '_'");
    goto done;
  }
  req.buy = strcmp(req.side, "Buy") == 0;
  req.unique_client_id = 1;
  req.split_above_max = 1;
  req.leg = idx == 1 ? 1 : idx == 2 ? -1 : 0;
  req.position_side = idx == 1 ? "1" : idx == 2 ? "2" : "0";
  if (json_object_deep_copy(body, &req.params, NULL) != 0)
    req.params = NULL;
  why = sim_state_place_order(&req, &order);
  json_object_put(req.params); /* NULL when the state kept it */
  if (why != SIM_ACCEPTED) {
    int code = refusal_code(why, &msg);
    refuse(r, code, msg);
    goto done;
  }
  order_uuid(order.order_id, uuid);
  result = json_object_new_object();
  sim_json_add_str(result, "orderId", uuid);
  sim_json_add_str(result, "orderLinkId", order.client_id);
  ok(r, result);
done:
  json_object_put(body);
}

/* GET /v5/order/realtime and /v5/order/history by orderId or orderLinkId
 * (orderId wins): an unknown order is an empty list, never an error. */
static void get_orders(const sim_request_t *rq, sim_reply_t *r) {
  const char *id = sim_param(rq, "orderId"),
             *link = sim_param(rq, "orderLinkId");
  json_object *result, *list;
  sim_order_t order;
  int64_t order_id = 0;

  if (auth(rq, r) != 0 || linear(sim_param(rq, "category"), r) != 0)
    return;
  if (id == NULL && link == NULL && sim_param(rq, "symbol") == NULL &&
      sim_param(rq, "settleCoin") == NULL) {
    refuse(r, 10001,
           "params error: symbol, settleCoin, orderId or "
           "orderLinkId is required");
    return;
  }
  list = json_object_new_array();
  if (id != NULL)
    order_id = uuid_order_id(id);
  if ((id != NULL || link != NULL) && order_id >= 0 &&
      sim_state_find_order(sim_param(rq, "symbol"), order_id, link ? link : "",
                           &order) == 0)
    json_object_array_add(list, order_json(&order));
  result = json_object_new_object();
  sim_json_add_str(result, "category", "linear");
  json_object_object_add(result, "list", list);
  sim_json_add_str(result, "nextPageCursor", "");
  ok(r, result);
}

/* Per-UID limits per second from Bybit's rate-limit page; 0: public. */
static const sim_route_t routes[] = {
    {"GET", "/v5/market/time", 0, get_time},
    {"GET", "/v5/market/instruments-info", 0, get_instruments},
    {"GET", "/v5/position/list", 50, get_positions},
    {"POST", "/v5/order/create", 10, post_order},
    {"GET", "/v5/order/realtime", 50, get_orders},
    {"GET", "/v5/order/history", 50, get_orders},
};

/* ---- limits, bans, faults
 * ----------------------------------------------------------- */
/* A banned IP gets a bare 403, as from Bybit's edge. */
static void reply_banned(sim_reply_t *r) {
  sim_reply_clear(r);
  r->status = 403;
  r->code = 403;
  r->body = strdup("access too frequent");
  r->content_type = "text/plain";
}

static void ban(const sim_request_t *rq, int64_t ban_ms, sim_reply_t *r) {
  sim_limits_set_ban(rq->ip, sim_now_ms() + ban_ms);
  reply_banned(r);
}

/* The IP limit (-w requests per 5 s; over it: banned for 10 minutes), then
 * the route's per-second limit with its X-Bapi-Limit-* headers. */
static int admit(const sim_route_t *rt, const sim_request_t *rq,
                 sim_reply_t *r) {
  char key[160];
  int64_t reset;
  int used, limit;

  if (sim_limits_banned_until(rq->ip) > sim_now_ms()) {
    reply_banned(r);
    return -1;
  }
  snprintf(key, sizeof(key), "ip %s", rq->ip);
  if (sim_limits_count(key, BYBIT_IP_WINDOW_MS, &reset) >
      sim_config.weight_limit) {
    ban(rq, BYBIT_IP_BAN_MS, r);
    return -1;
  }
  if (rt->weight == 0)
    return 0;
  limit = rt->weight * sim_config.route_limit_factor;
  snprintf(key, sizeof(key), "uid %s", rt->path);
  used = sim_limits_count(key, 1000, &reset);
  if (used > limit)
    refuse(r, 10006, NULL);
  sim_reply_header(r, "X-Bapi-Limit", limit);
  sim_reply_header(r, "X-Bapi-Limit-Status", used > limit ? 0 : limit - used);
  sim_reply_header(r, "X-Bapi-Limit-Reset-Timestamp", reset);
  return used > limit ? -1 : 0;
}

/* A fault with a status: the code (default: 10429 for 429, 10016 for
 * 5xx, 10001 else) in Bybit's envelope; 10006 with its X-Bapi-Limit-*
 * headers. */
static void fault(const sim_request_t *rq, const sim_fault_t *f,
                  sim_reply_t *r) {
  (void)rq;
  int code = f->code            ? f->code
             : f->status == 429 ? 10429
             : f->status >= 500 ? 10016
                                : 10001;
  envelope(r, f->status, code, f->msg[0] ? f->msg : NULL, NULL);
  if (code == 10006) { /* the window ends at the next second, or after
                          the fault's retry_after */
    sim_reply_header(r, "X-Bapi-Limit-Status", 0);
    sim_reply_header(r, "X-Bapi-Limit-Reset-Timestamp",
                     f->retry_after > 0
                         ? sim_now_ms() + (int64_t)f->retry_after * 1000
                         : (sim_now_ms() / 1000 + 1) * 1000);
  }
}

static void error(sim_reply_t *r, int status, int code, const char *msg) {
  envelope(r, status, code, msg, NULL);
}

const sim_venue_t sim_venue_bybit = {
    .name = "bybit-linear",
    .symbol_tail = "USDT",
    .default_limit = 600,
    .key_lines = 2,
    .fault_code_status = 200,
    .routes = routes,
    .nroutes = sizeof(routes) / sizeof(routes[0]),
    .admit = admit,
    .ban = ban,
    .fault = fault,
    .error = error,
    .unknown_status = 200,
    .unknown_code = 10000,
    .not_found_code = 10001,
};
