/* routes_okx.c - the OKX v5 venue, instType SWAP (--exchange okx-swap): the
 * REST subset a driver needs (server time, instruments with lot rules in
 * contracts and ctVal, account configuration, net-mode positions in
 * contracts, a reduce-only market order with clOrdId, its query), OKX's
 * signing (OK-ACCESS-* headers, base64 HMAC-SHA256 of timestamp + method +
 * path?query + body, the fixed 30 s timestamp window, the passphrase, the
 * expTime header), its envelope {code, msg, data} with sCode/sMsg per
 * order inside an HTTP 200, and its per-endpoint limits (50011). Facts from
 * notes/exchanges.md section 2. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define OKX_TS_WINDOW_MS 30000
#define OKX_LIMIT_WINDOW_MS 2000
#define OKX_ORDER_PATH "/api/v5/trade/order"

static const sim_code_t codes[] = {
    {0, ""},
    {1, "Operation failed."},
    {50001, "Service temporarily unavailable. Please try again later."},
    {50004, "API endpoint request timeout (does not mean that the request "
            "was successful or failed, please check the request result)."},
    {50011, "Rate limit reached. Please refer to API documentation and "
            "throttle requests accordingly."},
    {50013, "Systems are busy. Please try again later."},
    {50037, "Order expired."},
    {50102, "Timestamp request expired."},
    {50103, "Request header \"OK-ACCESS-KEY\" cannot be empty."},
    {50104, "Request header \"OK-ACCESS-PASSPHRASE\" cannot be empty."},
    {50105, "Request header \"OK-ACCESS-PASSPHRASE\" incorrect."},
    {50106, "Request header \"OK-ACCESS-SIGN\" cannot be empty."},
    {50107, "Request header \"OK-ACCESS-TIMESTAMP\" cannot be empty."},
    {50111, "Invalid OK-ACCESS-KEY."},
    {50112, "Invalid OK-ACCESS-TIMESTAMP."},
    {50113, "Invalid signature."},
    {51000, "Parameter error"},
    {51001, "Instrument ID does not exist."},
    {51020, "Your order should meet or exceed the minimum order amount."},
    {51121, "Order quantity must be a multiple of the lot size."},
    {51169, "Order failed because you don't have any positions in this "
            "direction for this contract to reduce or close."},
    {51170, "Failed to place order. A reduce-only order can't be the same "
            "trading direction as your existing positions."},
    {51202, "Market order amount exceeds the maximum amount."},
    {51603, "Order does not exist"},
};

static const char *code_msg(int code) {
  return sim_code_msg(codes, sizeof(codes) / sizeof(codes[0]), code);
}

/* OKX's envelope {"code":"C","msg":M,"data":[...]}; data NULL: []. */
static void envelope(sim_reply_t *r, int status, int code, const char *msg,
                     json_object *data) {
  json_object *o = json_object_new_object();
  char text[16];
  snprintf(text, sizeof(text), "%d", code);
  json_object_object_add(o, "code", json_object_new_string(text));
  json_object_object_add(o, "msg",
                         json_object_new_string(msg ? msg : code_msg(code)));
  json_object_object_add(o, "data", data ? data : json_object_new_array());
  sim_reply_json(r, status, o);
  r->code = code;
}

static void ok(sim_reply_t *r, json_object *data) {
  envelope(r, 200, 0, "", data);
}

static json_object *one_row(json_object *row) {
  json_object *a = json_object_new_array();
  json_object_array_add(a, row);
  return a;
}

/* ---- signing
 * ------------------------------------------------------------------- */
/* "2020-12-08T09:08:57.715Z" in ms, -1 when not that shape. */
static int64_t iso_ms(const char *text) {
  struct tm tm;
  int ms, used = 0;
  memset(&tm, 0, sizeof(tm));
  if (text == NULL ||
      sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon,
             &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms,
             &used) != 7 ||
      used != 24 || text[used] != '\0')
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return (int64_t)timegm(&tm) * 1000 + ms;
}

/* base64(HMAC-SHA256(secret, text)) into out (45 bytes). 0, -1. */
static int sign_b64(const char *text, size_t len, char out[45]) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), sim_config.creds.secret,
           (int)strlen(sim_config.creds.secret), (const unsigned char *)text,
           len, mac, &mac_len) == NULL ||
      mac_len != 32)
    return -1;
  EVP_EncodeBlock((unsigned char *)out, mac, 32);
  return 0;
}

static int auth_refuse(sim_reply_t *r, int code) {
  envelope(r, 401, code, NULL, NULL);
  return -1;
}

/* The OK-ACCESS-* checks: key, passphrase, the timestamp's form, the
 * signature over timestamp + METHOD + path[?query] + body, then the
 * timestamp within 30 s of the server's clock. */
static int auth(const sim_request_t *rq, sim_reply_t *r) {
  const char *key = sim_header(rq, "OK-ACCESS-KEY");
  const char *sign = sim_header(rq, "OK-ACCESS-SIGN");
  const char *ts = sim_header(rq, "OK-ACCESS-TIMESTAMP");
  const char *pass = sim_header(rq, "OK-ACCESS-PASSPHRASE");
  char expected[45], *text;
  int64_t when, skew;
  size_t len;
  int good;

  if (key == NULL || *key == '\0')
    return auth_refuse(r, 50103);
  if (strcmp(key, sim_config.creds.api_key) != 0)
    return auth_refuse(r, 50111);
  if (pass == NULL || *pass == '\0')
    return auth_refuse(r, 50104);
  if (strcmp(pass, sim_config.passphrase) != 0)
    return auth_refuse(r, 50105);
  if (ts == NULL || *ts == '\0')
    return auth_refuse(r, 50107);
  if ((when = iso_ms(ts)) < 0)
    return auth_refuse(r, 50112);
  if (sign == NULL || *sign == '\0')
    return auth_refuse(r, 50106);
  len = strlen(ts) + strlen(rq->method) + strlen(rq->path) + 1 +
        strlen(rq->query) + rq->body_len;
  if ((text = malloc(len + 1)) == NULL)
    return auth_refuse(r, 50013);
  len =
      (size_t)snprintf(text, len + 1, "%s%s%s%s%s%s", ts, rq->method, rq->path,
                       rq->query[0] ? "?" : "", rq->query, rq->body);
  good = sign_b64(text, len, expected) == 0 && strcmp(expected, sign) == 0;
  free(text);
  if (!good)
    return auth_refuse(r, 50113);
  skew = when - sim_now_ms();
  if (skew > OKX_TS_WINDOW_MS || skew < -OKX_TS_WINDOW_MS)
    return auth_refuse(r, 50102);
  return 0;
}

/* ---- market data and account
 * --------------------------------------------------------- */
static void get_time(const sim_request_t *rq, sim_reply_t *r) {
  (void)rq;
  json_object *o = json_object_new_object();
  sim_json_add_ms(o, "ts", sim_now_ms());
  ok(r, one_row(o));
}

/* BTC-USDT-SWAP: base BTC. */
static void base_of(const char *inst_id, char *out, size_t size) {
  snprintf(out, size, "%.*s", (int)strcspn(inst_id, "-"), inst_id);
}

static json_object *instrument(const sim_symbol_view_t *v) {
  json_object *o = json_object_new_object();
  char base[32], uly[40];
  base_of(v->name, base, sizeof(base));
  snprintf(uly, sizeof(uly), "%s-USDT", base);
  sim_json_add_str(o, "instType", "SWAP");
  sim_json_add_str(o, "instId", v->name);
  sim_json_add_str(o, "uly", uly);
  sim_json_add_str(o, "instFamily", uly);
  sim_json_add_str(o, "settleCcy", "USDT");
  sim_json_add_dec(o, "ctVal", v->ct_val);
  sim_json_add_str(o, "ctMult", "1");
  sim_json_add_str(o, "ctValCcy", base);
  sim_json_add_str(o, "ctType", "linear");
  sim_json_add_dec(o, "lotSz", v->step);
  sim_json_add_dec(o, "minSz", v->min_qty);
  sim_json_add_dec(o, "maxMktSz", v->max_qty);
  sim_json_add_dec(o, "maxLmtSz",
                   sim_dec_mul(v->max_qty, (dg_dec_t){10 * DG_DEC_SCALE}));
  sim_json_add_str(o, "tickSz", "0.1");
  sim_json_add_str(o, "lever", "100");
  sim_json_add_str(o, "state", "live");
  return o;
}

static int inst_type_swap(const sim_request_t *rq, int required,
                          sim_reply_t *r) {
  const char *type = sim_param(rq, "instType");
  if ((type == NULL && !required) || (type && strcmp(type, "SWAP") == 0))
    return 0;
  envelope(r, 200, 51000, "Parameter instType error", NULL);
  return -1;
}

static void get_instruments(const sim_request_t *rq, sim_reply_t *r) {
  const char *inst_id = sim_param(rq, "instId");
  sim_symbol_view_t *v, one;
  size_t n;
  json_object *data;

  if (inst_type_swap(rq, 1, r) != 0)
    return;
  if (inst_id != NULL) {
    if (!sim_symbol_valid(inst_id) || sim_state_symbol(inst_id, &one) != 0) {
      envelope(r, 200, 51001, NULL, NULL);
      return;
    }
    ok(r, one_row(instrument(&one)));
    return;
  }
  data = json_object_new_array();
  v = sim_state_symbols(&n);
  for (size_t i = 0; i < n; i++)
    json_object_array_add(data, instrument(&v[i]));
  free(v);
  ok(r, data);
}

static void get_config(const sim_request_t *rq, sim_reply_t *r) {
  json_object *o;
  char lv[8];
  if (auth(rq, r) != 0)
    return;
  o = json_object_new_object();
  snprintf(lv, sizeof(lv), "%d", sim_state_account_level());
  sim_json_add_str(o, "uid", "44705892343619584");
  sim_json_add_str(o, "acctLv", lv);
  sim_json_add_str(o, "posMode",
                   sim_state_dual() ? "long_short_mode" : "net_mode");
  sim_json_add_str(o, "autoLoan", "false");
  sim_json_add_str(o, "ctIsoMode", "automatic");
  sim_json_add_str(o, "mgnIsoMode", "automatic");
  sim_json_add_str(o, "level", "Lv1");
  ok(r, one_row(o));
}

/* ---- positions
 * ----------------------------------------------------------------------- */
/* A row, in contracts: net mode (leg -1): pos signed; long/short mode:
 * leg 0 (posSide long) or 1 (short), pos positive. */
static json_object *position(const sim_symbol_view_t *v, int leg) {
  json_object *o = json_object_new_object();
  dg_dec_t amt = leg < 0 ? v->amt : v->legs[leg];
  dg_dec_t entry = leg < 0 ? v->entry : v->leg_entry[leg];
  dg_dec_t pnl, coins = sim_dec_mul(sim_dec_abs(amt), v->ct_val);
  char base[32];
  base_of(v->name, base, sizeof(base));
  dg_dec_sub(v->mark, entry, &pnl);
  pnl = amt.units ? sim_dec_mul(sim_dec_mul(pnl, amt), v->ct_val) : DG_DEC_ZERO;
  sim_json_add_str(o, "instType", "SWAP");
  sim_json_add_str(o, "instId", v->name);
  sim_json_add_str(o, "mgnMode", "cross");
  sim_json_add_str(o, "posSide", leg < 0 ? "net" : leg == 0 ? "long" : "short");
  sim_json_add_dec(o, "pos", leg < 0 ? amt : sim_dec_abs(amt));
  sim_json_add_dec(o, "availPos", sim_dec_abs(amt));
  sim_json_add_dec(o, "avgPx", entry);
  sim_json_add_dec(o, "markPx", v->mark);
  sim_json_add_dec(o, "upl", pnl);
  sim_json_add_dec(o, "notionalUsd", sim_dec_mul(coins, v->mark));
  sim_json_add_str(o, "lever", "20");
  sim_json_add_str(o, "ccy", "USDT");
  sim_json_add_ms(o, "posId", v->update_time);
  sim_json_add_ms(o, "cTime", v->update_time);
  sim_json_add_ms(o, "uTime", v->update_time);
  return o;
}

/* Open positions, and in net mode a pos "0" row for a symbol closed since
 * the last reset (OKX keeps such records); instId: a comma list. */
static void get_positions(const sim_request_t *rq, sim_reply_t *r) {
  const char *inst_ids = sim_param(rq, "instId");
  sim_symbol_view_t *v;
  size_t n;
  json_object *data;

  if (auth(rq, r) != 0 || inst_type_swap(rq, 0, r) != 0)
    return;
  data = json_object_new_array();
  v = sim_state_symbols(&n);
  for (size_t i = 0; i < n; i++) {
    const char *hit = inst_ids ? strstr(inst_ids, v[i].name) : NULL;
    size_t len = strlen(v[i].name);
    if (inst_ids != NULL &&
        !(hit != NULL && (hit == inst_ids || hit[-1] == ',') &&
          (hit[len] == '\0' || hit[len] == ',')))
      continue;
    if (v[i].hedge) {
      for (int leg = 0; leg < 2; leg++)
        if (v[i].legs[leg].units != 0)
          json_object_array_add(data, position(&v[i], leg));
    } else if (v[i].amt.units != 0 || v[i].had_position) {
      json_object_array_add(data, position(&v[i], -1));
    }
  }
  free(v);
  ok(r, data);
}

/* ---- orders
 * -------------------------------------------------------------------------- */
static json_object *order_json(const sim_order_t *o) {
  json_object *j = json_object_new_object();
  char id[24];
  snprintf(id, sizeof(id), "%lld", (long long)o->order_id);
  sim_json_add_str(j, "instType", "SWAP");
  sim_json_add_str(j, "instId", o->symbol);
  sim_json_add_str(j, "ordId", id);
  sim_json_add_str(j, "clOrdId", o->client_id);
  sim_json_add_str(j, "tag", "");
  sim_json_add_str(j, "px", "");
  sim_json_add_dec(j, "sz", o->qty);
  sim_json_add_str(j, "ordType", "market");
  sim_json_add_str(j, "side", o->side);
  sim_json_add_str(j, "posSide", o->position_side);
  sim_json_add_str(j, "tdMode", o->margin_mode);
  sim_json_add_dec(j, "accFillSz", o->executed);
  sim_json_add_dec(j, "fillSz", o->executed);
  sim_json_add_dec(j, "fillPx", o->avg_price);
  sim_json_add_dec(j, "avgPx", o->avg_price);
  sim_json_add_str(j, "state", "filled");
  sim_json_add_str(j, "reduceOnly", o->reduce_only ? "true" : "false");
  sim_json_add_str(j, "cancelSource", "");
  sim_json_add_ms(j, "cTime", o->time);
  sim_json_add_ms(j, "uTime", o->update_time);
  return j;
}

/* clOrdId: at most 32 letters and digits. */
static int cl_ord_id_ok(const char *id) {
  if (strlen(id) > 32)
    return 0;
  for (; *id; id++)
    if (!((*id >= 'A' && *id <= 'Z') || (*id >= 'a' && *id <= 'z') ||
          (*id >= '0' && *id <= '9')))
      return 0;
  return 1;
}

/* A refused order: top-level code 1, the reason in data[0].sCode/sMsg. */
static void order_refused(sim_reply_t *r, const char *cl_ord_id, int scode,
                          const char *smsg) {
  json_object *o = json_object_new_object();
  char text[16];
  snprintf(text, sizeof(text), "%d", scode);
  sim_json_add_str(o, "clOrdId", cl_ord_id ? cl_ord_id : "");
  sim_json_add_str(o, "ordId", "");
  sim_json_add_str(o, "tag", "");
  sim_json_add_str(o, "ts", "");
  sim_json_add_str(o, "sCode", text);
  sim_json_add_str(o, "sMsg", smsg ? smsg : code_msg(scode));
  sim_json_add_str(o, "subCode", "");
  envelope(r, 200, 1, NULL, one_row(o));
  r->code = scode;
}

static int refusal_code(enum sim_refusal why) {
  static const int map[] = {
      [SIM_REFUSE_SYMBOL] = 51001,        [SIM_REFUSE_QTY_ZERO] = 51000,
      [SIM_REFUSE_QTY_PRECISION] = 51121, [SIM_REFUSE_QTY_MIN] = 51020,
      [SIM_REFUSE_QTY_MAX] = 51202,       [SIM_REFUSE_QTY_STEP] = 51121,
      [SIM_REFUSE_REDUCE_FLAT] = 51169,   [SIM_REFUSE_REDUCE_SIDE] = 51170,
      [SIM_REFUSE_REDUCE_SIZE] = 51169,   [SIM_REFUSE_CLIENT_ID_DUP] = 51016,
  };
  return map[why];
}

/* POST /api/v5/trade/order: a market order, posSide net (or absent) in
 * net mode, long or short in long/short mode. expTime (ms): not processed
 * once the server's clock is past it. /sim/orders shows the order's params
 * as the JSON body's members plus "expTime", the header's value, when it
 * came with one. */
static void post_order(const sim_request_t *rq, sim_reply_t *r) {
  const char *exp_text = sim_header(rq, "expTime");
  json_object *body, *v, *row;
  sim_order_req_t req;
  sim_order_t order;
  enum sim_refusal why;
  const char *sz, *cl_ord_id, *td_mode, *pos_side;
  int64_t exp_ms;
  char id[24];

  if (auth(rq, r) != 0)
    return;
  if (exp_text != NULL &&
      (sim_parse_ms(exp_text, &exp_ms) != 0 || sim_now_ms() > exp_ms)) {
    envelope(r, 200, 50037, NULL, NULL);
    return;
  }
  body = json_tokener_parse(rq->body);
  if (body == NULL || !json_object_is_type(body, json_type_object)) {
    json_object_put(body);
    envelope(r, 400, 50002, "JSON syntax error", NULL);
    return;
  }
  memset(&req, 0, sizeof(req));
  req.symbol = sim_json_str(body, "instId");
  req.side = sim_json_str(body, "side");
  req.type = sim_json_str(body, "ordType");
  sz = sim_json_str(body, "sz");
  cl_ord_id = sim_json_str(body, "clOrdId");
  td_mode = sim_json_str(body, "tdMode");
  pos_side = sim_json_str(body, "posSide");
  if (req.symbol == NULL || !sim_symbol_valid(req.symbol)) {
    order_refused(r, cl_ord_id, 51001, NULL);
    goto done;
  }
  if (td_mode == NULL ||
      (strcmp(td_mode, "cross") != 0 && strcmp(td_mode, "isolated") != 0)) {
    order_refused(r, cl_ord_id, 51000, "Parameter tdMode error");
    goto done;
  }
  if (req.side == NULL ||
      (strcmp(req.side, "buy") != 0 && strcmp(req.side, "sell") != 0)) {
    order_refused(r, cl_ord_id, 51000, "Parameter side error");
    goto done;
  }
  if (req.type == NULL || strcmp(req.type, "market") != 0) {
    order_refused(r, cl_ord_id, 51000,
                  "Parameter ordType error (the simulator fills market "
                  "orders only)");
    goto done;
  }
  if (sz == NULL || dg_dec_parse(sz, &req.qty) != 0) {
    order_refused(r, cl_ord_id, 51000, "Parameter sz error");
    goto done;
  }
  if (sim_state_dual() ? pos_side == NULL || (strcmp(pos_side, "long") != 0 &&
                                              strcmp(pos_side, "short") != 0)
                       : pos_side != NULL && strcmp(pos_side, "net") != 0) {
    order_refused(r, cl_ord_id, 51000, "Parameter posSide error");
    goto done;
  }
  if (json_object_object_get_ex(body, "reduceOnly", &v)) {
    if (!json_object_is_type(v, json_type_boolean)) {
      order_refused(r, cl_ord_id, 51000, "Parameter reduceOnly error");
      goto done;
    }
    req.reduce_only = json_object_get_boolean(v);
  }
  if (cl_ord_id != NULL && !cl_ord_id_ok(cl_ord_id)) {
    order_refused(r, cl_ord_id, 51000, "Parameter clOrdId error");
    goto done;
  }
  if (sim_state_dual()) {
    /* long/short mode: a close is sell long or buy short, reduce-only
     * whatever reduceOnly says ("not affected by this parameter") */
    req.leg = strcmp(pos_side, "long") == 0 ? 1 : -1;
    req.reduce_only = 0;
  }
  req.client_id = cl_ord_id ? cl_ord_id : "";
  req.buy = strcmp(req.side, "buy") == 0;
  req.margin_mode = td_mode;
  req.position_side = pos_side ? pos_side : "net";
  if (strcmp(td_mode, "isolated") == 0 && req.reduce_only) {
    /* every simulated position is cross: no isolated one to reduce */
    order_refused(r, cl_ord_id, 51169, NULL);
    goto done;
  }
  if (json_object_deep_copy(body, &req.params, NULL) != 0)
    req.params = NULL;
  else if (exp_text != NULL) /* the header too, for tests of a client */
    json_object_object_add(req.params, "expTime",
                           json_object_new_string(exp_text));
  why = sim_state_place_order(&req, &order);
  json_object_put(req.params); /* NULL when the state kept it */
  if (why != SIM_ACCEPTED) {
    order_refused(r, cl_ord_id, refusal_code(why), NULL);
    goto done;
  }
  row = json_object_new_object();
  snprintf(id, sizeof(id), "%lld", (long long)order.order_id);
  sim_json_add_str(row, "clOrdId", order.client_id);
  sim_json_add_str(row, "ordId", id);
  sim_json_add_str(row, "tag", "");
  sim_json_add_ms(row, "ts", order.time);
  sim_json_add_str(row, "sCode", "0");
  sim_json_add_str(row, "sMsg", "Order placed");
  sim_json_add_str(row, "subCode", "");
  ok(r, one_row(row));
done:
  json_object_put(body);
}

/* GET /api/v5/trade/order by ordId or clOrdId (the latest with it);
 * instId is required; unknown: 51603. */
static void get_order(const sim_request_t *rq, sim_reply_t *r) {
  const char *inst_id = sim_param(rq, "instId"),
             *ord_id = sim_param(rq, "ordId");
  const char *cl_ord_id = sim_param(rq, "clOrdId");
  sim_order_t order;
  int64_t id = 0;

  if (auth(rq, r) != 0)
    return;
  if (inst_id == NULL) {
    envelope(r, 200, 51000, "Parameter instId error", NULL);
    return;
  }
  if (ord_id == NULL && cl_ord_id == NULL) {
    envelope(r, 200, 51000, "Parameter ordId or clOrdId error", NULL);
    return;
  }
  if (ord_id != NULL && (sim_parse_ms(ord_id, &id) != 0 || id <= 0)) {
    envelope(r, 200, 51603, NULL, NULL);
    return;
  }
  if (sim_state_find_order(inst_id, id, cl_ord_id ? cl_ord_id : "", &order) !=
      0) {
    envelope(r, 200, 51603, NULL, NULL);
    return;
  }
  ok(r, one_row(order_json(&order)));
}

/* Requests per 2 s per endpoint, from OKX's docs. */
static const sim_route_t routes[] = {
    {"GET", "/api/v5/public/time", 10, get_time},
    {"GET", "/api/v5/public/instruments", 20, get_instruments},
    {"GET", "/api/v5/account/config", 5, get_config},
    {"GET", "/api/v5/account/positions", 10, get_positions},
    {"POST", OKX_ORDER_PATH, 60, post_order},
    {"GET", OKX_ORDER_PATH, 60, get_order},
};

/* ---- limits, bans, faults
 * ----------------------------------------------------------- */
static void rate_limited(sim_reply_t *r) {
  envelope(r, 429, 50011, NULL, NULL);
}

/* OKX documents no IP ban: a ban fault answers 50011 until it ends. */
static void ban(const sim_request_t *rq, int64_t ban_ms, sim_reply_t *r) {
  sim_limits_set_ban(rq->ip, sim_now_ms() + ban_ms);
  rate_limited(r);
}

static int admit(const sim_route_t *rt, const sim_request_t *rq,
                 sim_reply_t *r) {
  char key[160];
  int64_t reset;
  if (sim_limits_banned_until(rq->ip) > sim_now_ms()) {
    rate_limited(r);
    return -1;
  }
  snprintf(key, sizeof(key), "%s %s", rt->method, rt->path);
  if (sim_limits_count(key, OKX_LIMIT_WINDOW_MS, &reset) >
      rt->weight * sim_config.route_limit_factor) {
    rate_limited(r);
    return -1;
  }
  return 0;
}

/* A fault with a status: its code (default 50011 for 429, 50001 for 5xx,
 * 51000 else); an order-level code (51xxx) on the order path comes back
 * as OKX refuses an order: code 1 with sCode. */
static void fault(const sim_request_t *rq, const sim_fault_t *f,
                  sim_reply_t *r) {
  int code = f->code            ? f->code
             : f->status == 429 ? 50011
             : f->status >= 500 ? 50001
                                : 51000;
  const char *msg = f->msg[0] ? f->msg : NULL;
  if (code >= 51000 && code < 52000 && strcmp(rq->path, OKX_ORDER_PATH) == 0 &&
      strcmp(rq->method, "POST") == 0) {
    order_refused(r, NULL, code, msg);
    r->status = f->status;
    return;
  }
  envelope(r, f->status, code, msg, NULL);
}

static void error(sim_reply_t *r, int status, int code, const char *msg) {
  envelope(r, status, code, msg, NULL);
}

const sim_venue_t sim_venue_okx = {
    .name = "okx-swap",
    .symbol_tail = "-USDT-SWAP",
    .default_limit = 0,
    .key_lines = 3,
    .fault_code_status = 200,
    .routes = routes,
    .nroutes = sizeof(routes) / sizeof(routes[0]),
    .admit = admit,
    .ban = ban,
    .fault = fault,
    .error = error,
    .unknown_status = 400,
    .unknown_code = 50004,
    .not_found_code = 51000,
};
