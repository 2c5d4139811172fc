/* binance_usdm.c - the "binance-usdm" exchange driver: Binance USD-M
 * futures over REST (SPEC section 6, notes/binance-usdm.md).
 *
 * Signed requests carry timestamp (local clock + the offset measured from
 * /fapi/v1/time), recvWindow and an HMAC-SHA256 signature; the API key
 * travels in X-MBX-APIKEY. A read refused with -1021 (clock outside
 * recvWindow) re-syncs the clock and is retried once; this driver never
 * sends an order twice: a second send could be a second order, so the
 * caller asks the exchange for the client order id first
 * (dg_ex_result_t.not_executed) and may then resend with the same client
 * order id; its recvWindow counts from dg_ex_result_t.sent_ms. Orders
 * go out on a fresh connection for the same reason (see http.h). Parsing and
 * the reply -> outcome mapping live in binance_parse.c.
 *
 * Rate use (dg_ex_result_t.rate_used): X-MBX-USED-WEIGHT-1M, the request
 * weight this IP used in the current minute (the limit is in exchangeInfo
 * rateLimits), on every reply. */
#include "driftguard/binance_parse.h"
#include "driftguard/http.h"
#include "driftguard/keyfile.h"
#include "driftguard/secret.h"
#include "exchange_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BN_DEFAULT_RECV_WINDOW_MS 5000L
#define BN_MAX_RECV_WINDOW_MS 60000L /* Binance refuses more */

typedef struct {
  dg_exchange_t base; /* first: the shared part (url, keys, clock, rules) */
  char key_header[DG_SECRET_MAX + 16]; /* "X-MBX-APIKEY: <key>" */
  int dual_known, dual;
  int positions_v2; /* v3 positionRisk answered 404: use v2 */
} bn_t;

enum { BN_READ = 0, BN_ORDER = 1 };

static bn_t *bn(dg_exchange_t *ex) {
  return (bn_t *)ex;
}

static int bn_init(dg_exchange_t *ex, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  snprintf(bn(ex)->key_header, sizeof(bn(ex)->key_header), "X-MBX-APIKEY: %s",
           ex->api_key);
  return 0;
}

/* One HTTP exchange, mapped to a result. params (may be NULL) go in the
 * query string of a GET or the form body of a POST. */
static dg_ex_status_t bn_call(bn_t *b, const char *method, const char *path,
                              const dg_query_t *params, int kind,
                              const char *header, dg_http_reply_t *reply,
                              dg_ex_result_t *res) {
  char url[DG_EX_URL_MAX + 64 + DG_QUERY_MAX], header_value[64];
  int post = strcmp(method, "POST") == 0;
  const char *query = params && params->len > 0 ? params->buf : NULL;

  dg_ex_result_init(res);
  snprintf(url, sizeof(url), "%s%s%s%s", b->base.url, path,
           query && !post ? "?" : "", query && !post ? query : "");
  dg_http_request(b->base.http, method, url, header, post ? query : NULL,
                  kind == BN_ORDER, reply);
  if (dg_http_reply_header(reply, "X-MBX-USED-WEIGHT-1M", header_value,
                           sizeof(header_value)))
    res->rate_used = dg_bn_parse_used_weight(header_value);

  if (dg_ex_transport_failed(reply, method, path, kind == BN_ORDER, res))
    return res->status;
  dg_http_reply_header(reply, "Retry-After", header_value,
                       sizeof(header_value));
  dg_bn_classify_reply(reply->status, reply->body, reply->body_len,
                       header_value, dg_ex_wall_ms(), res);
  /* Only an order can have an unknown fate; a read that failed that way
   * simply failed. */
  if (res->status == DG_EX_UNKNOWN && kind != BN_ORDER)
    res->status = DG_EX_SERVER;
  if (res->status != DG_EX_OK)
    dg_ex_result_prefix(res, method, path);
  dg_ex_handle_scrub(&b->base, res);
  return res->status;
}

static dg_ex_status_t bn_sync_time(dg_exchange_t *ex, dg_ex_result_t *res) {
  bn_t *b = bn(ex);
  dg_http_reply_t reply;
  int64_t before = dg_ex_wall_ms(), after, server;

  if (bn_call(b, "GET", "/fapi/v1/time", NULL, BN_READ, NULL, &reply, res) !=
      DG_EX_OK)
    return res->status;
  after = dg_ex_wall_ms();
  if (dg_bn_parse_server_time(reply.body, reply.body_len, &server) != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /fapi/v1/time: no serverTime in the reply");
  b->base.offset_ms = dg_ex_clock_offset_ms(before, server, after);
  b->base.time_synced = 1;
  return DG_EX_OK;
}

/* A signed request: params + recvWindow + timestamp + signature. A read
 * refused with -1021 is retried once after a clock re-sync; an order never
 * is (the next call re-syncs first). */
static dg_ex_status_t bn_signed(bn_t *b, const char *method, const char *path,
                                const dg_query_t *params, int kind,
                                dg_http_reply_t *reply, dg_ex_result_t *res) {
  for (int attempt = 0;; attempt++) {
    dg_query_t q = *params;
    const char *sig;
    int64_t sent_ms;
    if (!b->base.time_synced && bn_sync_time(&b->base, res) != DG_EX_OK) {
      res->not_executed = 1; /* the request itself was not sent */
      return res->status;
    }
    dg_query_add_i64(&q, "recvWindow", b->base.recv_window_ms);
    sent_ms = dg_ex_wall_ms();
    dg_query_add_i64(&q, "timestamp", sent_ms + b->base.offset_ms);
    if (dg_bn_query_sign(&q, b->base.secret) != 0) {
      dg_ex_result_init(res);
      res->not_executed = 1;
      return dg_ex_result_set(res, DG_EX_TRANSPORT,
                              "%s %s not sent: request parameters too long",
                              method, path);
    }
    bn_call(b, method, path, &q, kind, b->key_header, reply, res);
    res->sent_ms = sent_ms;
    sig = strstr(q.buf, "signature=");
    if (sig != NULL)
      dg_ex_result_scrub(res, sig + strlen("signature="));
    dg_secret_wipe(&q, sizeof(q));
    if (res->status == DG_EX_REFUSED &&
        res->reason == DG_EX_REASON_CLOCK_SKEW) {
      b->base.time_synced = 0;
      if (kind == BN_READ && attempt == 0)
        continue;
    }
    return res->status;
  }
}

static dg_ex_status_t bn_positions(dg_exchange_t *ex, const char *symbol,
                                   dg_position_t **out, size_t *n,
                                   dg_ex_result_t *res) {
  bn_t *b = bn(ex);
  dg_query_t q;
  dg_http_reply_t reply;
  char err[sizeof(res->msg)];
  int rc;

  *out = NULL;
  *n = 0;
  dg_ex_result_init(res);
  if (symbol != NULL && !dg_symbol_valid(symbol, strlen(symbol)))
    return dg_ex_bad_symbol(res, symbol, DG_BN_ERR_BAD_SYMBOL);
  dg_query_init(&q);
  if (symbol != NULL)
    dg_query_add(&q, "symbol", symbol);
  if (!b->positions_v2 &&
      bn_signed(b, "GET", "/fapi/v3/positionRisk", &q, BN_READ, &reply, res) ==
          DG_EX_REFUSED &&
      res->http_status == 404)
    b->positions_v2 = 1; /* an exchange without v3: v2 from now on */
  if (b->positions_v2)
    bn_signed(b, "GET", "/fapi/v2/positionRisk", &q, BN_READ, &reply, res);
  if (res->status != DG_EX_OK)
    return res->status;
  rc = dg_bn_parse_positions(reply.body, reply.body_len, symbol, out, n, err,
                             sizeof(err));
  dg_http_trim(
      b->base.http); /* the big replies: no need to keep their buffer */
  if (rc != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY, "GET %s: %s",
                            b->positions_v2 ? "/fapi/v2/positionRisk"
                                            : "/fapi/v3/positionRisk",
                            err);
  return DG_EX_OK;
}

/* Every symbol with a MARKET_LOT_SIZE filter (dg_ex_rules_fetch_fn). */
static dg_ex_status_t fetch_rules(dg_exchange_t *ex, dg_symbol_rules_t **rules,
                                  size_t *n, dg_ex_result_t *res) {
  bn_t *b = bn(ex);
  dg_http_reply_t reply;
  char err[sizeof(res->msg)];
  int rc;

  if (bn_call(b, "GET", "/fapi/v1/exchangeInfo", NULL, BN_READ, NULL, &reply,
              res) != DG_EX_OK)
    return res->status;
  rc = dg_bn_parse_exchange_info(reply.body, reply.body_len, rules, n, err,
                                 sizeof(err));
  dg_http_trim(b->base.http);
  if (rc != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /fapi/v1/exchangeInfo: %s", err);
  return DG_EX_OK;
}

static dg_ex_status_t bn_symbol_rules(dg_exchange_t *ex, const char *symbol,
                                      dg_symbol_rules_t *out,
                                      dg_ex_result_t *res) {
  return dg_ex_rules_get(&ex->rules, ex, fetch_rules, symbol,
                         "with a MARKET_LOT_SIZE filter in exchangeInfo",
                         DG_BN_ERR_BAD_SYMBOL, out, res);
}

/* The mode is account-wide (symbol unused) and read on every call: it can
 * be switched whenever the account is flat. */
static dg_ex_status_t bn_hedge_mode(dg_exchange_t *ex, const char *symbol,
                                    int *dual, dg_ex_result_t *res) {
  bn_t *b = bn(ex);
  dg_query_t q;
  dg_http_reply_t reply;

  (void)symbol;
  dg_ex_result_init(res);
  dg_query_init(&q);
  if (bn_signed(b, "GET", "/fapi/v1/positionSide/dual", &q, BN_READ, &reply,
                res) != DG_EX_OK)
    return res->status;
  if (dg_bn_parse_dual_side(reply.body, reply.body_len, &b->dual) != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /fapi/v1/positionSide/dual: no "
                            "dualSidePosition in the reply");
  b->dual_known = 1;
  *dual = b->dual;
  return DG_EX_OK;
}

static dg_ex_status_t parse_order_reply(const dg_http_reply_t *reply,
                                        dg_order_t *out, dg_ex_result_t *res) {
  char err[sizeof(res->msg)];
  if (dg_bn_parse_order(reply->body, reply->body_len, out, err, sizeof(err)) !=
      0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY, "%s", err);
  return DG_EX_OK;
}

static dg_ex_status_t bn_place_close(dg_exchange_t *ex, const char *symbol,
                                     const char *side, dg_leg_t leg,
                                     dg_dec_t qty, const char *client_order_id,
                                     dg_order_t *out, dg_ex_result_t *res) {
  bn_t *b = bn(ex);
  dg_query_t q;
  dg_http_reply_t reply;
  char qty_text[DG_DEC_STRLEN];

  dg_ex_result_init(res);
  res->not_executed = 1; /* until a request goes out (bn_call) */
  if (symbol == NULL || !dg_symbol_valid(symbol, strlen(symbol)))
    return dg_ex_bad_symbol(res, symbol, DG_BN_ERR_BAD_SYMBOL);
  if (side == NULL || (strcmp(side, "BUY") != 0 && strcmp(side, "SELL") != 0))
    return dg_ex_result_set(res, DG_EX_REFUSED,
                            "not sent: side must be BUY or SELL");
  if (dg_dec_sign(qty) <= 0)
    return dg_ex_result_set(res, DG_EX_REFUSED,
                            "not sent: quantity must be positive");
  if (!dg_bn_valid_client_order_id(client_order_id))
    return dg_ex_result_set(res, DG_EX_REFUSED,
                            "not sent: invalid newClientOrderId");
  if (leg != DG_LEG_BOTH || (b->dual_known && b->dual))
    return dg_ex_result_set(res, DG_EX_REFUSED,
                            "not sent: the account is in hedge mode, which "
                            "driftguard does not support");
  dg_dec_format(qty, qty_text, sizeof(qty_text));
  dg_query_init(&q);
  dg_query_add(&q, "symbol", symbol);
  dg_query_add(&q, "side", side);
  dg_query_add(&q, "type", "MARKET");
  dg_query_add(&q, "quantity", qty_text);
  dg_query_add(&q, "reduceOnly", "true");
  dg_query_add(&q, "newClientOrderId", client_order_id);
  dg_query_add(&q, "newOrderRespType", "RESULT");
  if (bn_signed(b, "POST", "/fapi/v1/order", &q, BN_ORDER, &reply, res) !=
      DG_EX_OK)
    return res->status;
  return parse_order_reply(&reply, out, res);
}

static dg_ex_status_t bn_query_order(dg_exchange_t *ex, const char *symbol,
                                     const char *client_order_id,
                                     dg_order_t *out, dg_ex_result_t *res) {
  bn_t *b = bn(ex);
  dg_query_t q;
  dg_http_reply_t reply;

  dg_ex_result_init(res);
  if (symbol == NULL || !dg_symbol_valid(symbol, strlen(symbol)))
    return dg_ex_bad_symbol(res, symbol, DG_BN_ERR_BAD_SYMBOL);
  if (!dg_bn_valid_client_order_id(client_order_id))
    return dg_ex_result_set(res, DG_EX_REFUSED,
                            "not sent: invalid origClientOrderId");
  dg_query_init(&q);
  dg_query_add(&q, "symbol", symbol);
  dg_query_add(&q, "origClientOrderId", client_order_id);
  if (bn_signed(b, "GET", "/fapi/v1/order", &q, BN_READ, &reply, res) !=
      DG_EX_OK)
    return res->status;
  return parse_order_reply(&reply, out, res);
}

const dg_ex_driver_t dg_ex_binance_usdm = {
    .name = "binance-usdm",
    .handle_size = sizeof(bn_t),
    .venue = "Binance",
    .passphrase = DG_EX_PASSPHRASE_REFUSED,
    .default_recv_window_ms = BN_DEFAULT_RECV_WINDOW_MS,
    .max_recv_window_ms = BN_MAX_RECV_WINDOW_MS,
    .init = bn_init,
    .sync_time = bn_sync_time,
    .positions = bn_positions,
    .symbol_rules = bn_symbol_rules,
    .hedge_mode = bn_hedge_mode,
    .place_close = bn_place_close,
    .query_order = bn_query_order,
    .client_order_id = dg_bn_client_order_id,
};
