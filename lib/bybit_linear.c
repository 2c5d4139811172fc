/* bybit_linear.c - the "bybit-linear" exchange driver: Bybit v5, category
 * linear (USDT perpetuals, quantities in the base coin), over REST
 * (notes/exchanges.md section 1).
 *
 * Signed requests carry X-BAPI-API-KEY, X-BAPI-TIMESTAMP (local clock + the
 * offset measured from /v5/market/time), X-BAPI-RECV-WINDOW (always
 * recv_window_ms(), so the ambiguity window the executor waits out is the
 * one Bybit applies) and X-BAPI-SIGN, the hex HMAC-SHA256 of timestamp +
 * key + recv window + the query string or JSON body exactly as sent. A read
 * refused with retCode 10002 (clock outside the window) re-syncs the clock
 * and is retried once; an order never is: this driver never sends an order
 * twice (the caller asks for its orderLinkId first), and orders go out on a
 * fresh connection (see http.h). Parsing and the reply -> outcome mapping
 * live in bybit_parse.c.
 *
 * Positions: GET /v5/position/list, category linear, settleCoin USDT
 * (every USDT contract: perpetuals and dated futures such as
 * BTCUSDT-21FEB25), 200 rows a page over nextPageCursor; one symbol with
 * symbol=. The position mode is Bybit's per symbol and has no GET: it is
 * read from the positionIdx of that symbol's rows (0 one-way, 1 and 2 the
 * hedge legs) on every hedge_mode call.
 *
 * A close above the symbol's maxMktOrderQty is sent capped at it: Bybit
 * would split a larger reduce-only order into several, of which only the
 * first carries the orderLinkId, and one close must be one order (the rest
 * of the drift is the next plan's). The create reply only acknowledges the
 * order, so the close then reads it back (/v5/order/realtime, then
 * /v5/order/history) for its fill; when neither knows it yet the close is
 * reported NEW with nothing executed.
 *
 * Rate use (dg_ex_result_t.rate_used): X-Bapi-Limit minus
 * X-Bapi-Limit-Status, the requests this API key (UID) made to that
 * endpoint in the current one-second window, on every signed reply;
 * public endpoints (time, instruments) do not report it (-1). */
#include "driftguard/bybit_parse.h"
#include "driftguard/keyfile.h"
#include "driftguard/query.h"
#include "driftguard/secret.h"
#include "exchange_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BY_DEFAULT_RECV_WINDOW_MS 5000L
#define BY_MAX_RECV_WINDOW_MS 60000L /* no documented maximum: Binance's */
#define BY_POSITION_PAGE "200"       /* the most /v5/position/list gives */
#define BY_POSITION_PAGES 100        /* 20000 positions */
#define BY_INSTRUMENT_PAGE "1000"
#define BY_INSTRUMENT_PAGES 20
#define BY_HEADERS_MAX (4 * DG_SECRET_MAX)

/* What a request is: unsigned (market data), a signed read, an order. */
enum { BY_PUBLIC = 0, BY_READ = 1, BY_ORDER = 2 };

/* The X-BAPI-* headers of a signed request (and the JSON body's type).
 * The text holds the API key: the caller wipes it. 0, -1. */
static int auth_headers(const dg_exchange_t *b, int64_t timestamp,
                        const char *payload, int post, char *out, size_t size,
                        char *sig) {
  int n;
  if (dg_bybit_sign(b->secret, timestamp, b->api_key, b->recv_window_ms,
                    payload, sig) != 0)
    return -1;
  n = snprintf(out, size,
               "X-BAPI-API-KEY: %s\nX-BAPI-TIMESTAMP: %lld\n"
               "X-BAPI-RECV-WINDOW: %ld\nX-BAPI-SIGN: %s%s",
               b->api_key, (long long)timestamp, b->recv_window_ms, sig,
               post ? "\nContent-Type: application/json" : "");
  return n > 0 && (size_t)n < size ? 0 : -1;
}

/* One request, mapped to a result: query (may be NULL) goes in the URL,
 * body (POST) is the JSON sent. Signed unless kind is BY_PUBLIC. On
 * DG_EX_OK *env is the reply's envelope (the caller frees it). */
static dg_ex_status_t by_call(dg_exchange_t *b, const char *method,
                              const char *path, const dg_query_t *query,
                              const char *body, int kind,
                              dg_bybit_reply_t **env, dg_ex_result_t *res) {
  char url[DG_EX_URL_MAX + 64 + DG_QUERY_MAX], headers[BY_HEADERS_MAX];
  char sig[DG_SHA256_HEXLEN + 1] = "", limit[32], remaining[32], reset[32];
  const char *q = query != NULL && query->len > 0 ? query->buf : NULL;
  int post = strcmp(method, "POST") == 0;
  int64_t sent_ms = dg_ex_wall_ms();
  dg_http_reply_t reply;
  dg_bybit_reply_t *parsed;

  *env = NULL;
  dg_ex_result_init(res);
  headers[0] = '\0';
  if ((query != NULL && query->overflow) ||
      (kind != BY_PUBLIC &&
       auth_headers(b, sent_ms + b->offset_ms, post ? body : (q ? q : ""), post,
                    headers, sizeof(headers), sig) != 0)) {
    res->not_executed = 1;
    dg_secret_wipe(headers, sizeof(headers));
    return dg_ex_result_set(res, DG_EX_TRANSPORT,
                            "%s %s not sent: request too long", method, path);
  }
  snprintf(url, sizeof(url), "%s%s%s%s", b->url, path, q ? "?" : "",
           q ? q : "");
  dg_http_request(b->http, method, url, headers[0] ? headers : NULL,
                  post ? body : NULL, kind == BY_ORDER, &reply);
  dg_secret_wipe(headers, sizeof(headers));
  if (kind != BY_PUBLIC)
    res->sent_ms = sent_ms;
  if (dg_http_reply_header(&reply, "X-Bapi-Limit", limit, sizeof(limit)) &&
      dg_http_reply_header(&reply, "X-Bapi-Limit-Status", remaining,
                           sizeof(remaining)))
    res->rate_used = dg_bybit_rate_used(limit, remaining);
  if (dg_ex_transport_failed(&reply, method, path, kind == BY_ORDER, res))
    return res->status;
  dg_http_reply_header(&reply, "X-Bapi-Limit-Reset-Timestamp", reset,
                       sizeof(reset));
  parsed = dg_bybit_reply_parse(reply.body, reply.body_len);
  /* X-Bapi-Limit-Reset-Timestamp is on Bybit's clock: classified on it,
   * then told on ours. */
  dg_bybit_classify_reply(reply.status, parsed, reply.body, reply.body_len,
                          reset, dg_ex_wall_ms() + b->offset_ms, res);
  if (res->retry_after_ms != 0)
    res->retry_after_ms -= b->offset_ms;
  if (res->ban_until_ms != 0)
    res->ban_until_ms -= b->offset_ms;
  /* Only an order can have an unknown fate; a read that failed that way
   * simply failed. */
  if (res->status == DG_EX_UNKNOWN && kind != BY_ORDER)
    res->status = DG_EX_SERVER;
  if (res->status != DG_EX_OK) {
    dg_ex_result_prefix(res, method, path);
    dg_bybit_reply_free(parsed);
  } else {
    *env = parsed;
  }
  dg_ex_handle_scrub(b, res);
  if (sig[0])
    dg_ex_result_scrub(res, sig);
  return res->status;
}

static dg_ex_status_t by_sync_time(dg_exchange_t *b, dg_ex_result_t *res) {
  dg_bybit_reply_t *env;
  int64_t before = dg_ex_wall_ms(), after, server;
  int rc;

  if (by_call(b, "GET", "/v5/market/time", NULL, NULL, BY_PUBLIC, &env, res) !=
      DG_EX_OK)
    return res->status;
  after = dg_ex_wall_ms();
  rc = dg_bybit_parse_server_time(env, &server);
  dg_bybit_reply_free(env);
  if (rc != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /v5/market/time: no result.timeNano or "
                            "timeSecond in the reply");
  b->offset_ms = dg_ex_clock_offset_ms(before, server, after);
  b->time_synced = 1;
  return DG_EX_OK;
}

/* A signed request after a clock sync when none is known. A read refused
 * with 10002 is retried once after a re-sync; an order never is (the next
 * call re-syncs first). */
static dg_ex_status_t by_signed(dg_exchange_t *b, const char *method,
                                const char *path, const dg_query_t *query,
                                const char *body, int kind,
                                dg_bybit_reply_t **env, dg_ex_result_t *res) {
  for (int attempt = 0;; attempt++) {
    if (!b->time_synced && by_sync_time(b, res) != DG_EX_OK) {
      *env = NULL;
      res->not_executed = 1; /* the request itself was not sent */
      return res->status;
    }
    by_call(b, method, path, query, body, kind, env, res);
    if (res->status == DG_EX_REFUSED &&
        res->reason == DG_EX_REASON_CLOCK_SKEW) {
      b->time_synced = 0;
      if (kind == BY_READ && attempt == 0)
        continue;
    }
    return res->status;
  }
}

/* What one page of a paged reply goes into. */
typedef int (*page_fn)(const dg_bybit_reply_t *env, void *acc, char *err,
                       size_t errlen);

/* GET path with query, then (paged) the next pages over nextPageCursor,
 * at most max_pages; each page's envelope handed to parse. */
static dg_ex_status_t get_pages(dg_exchange_t *b, const char *path, int kind,
                                const dg_query_t *query, int paged,
                                int max_pages, page_fn parse, void *acc,
                                dg_ex_result_t *res) {
  char cursor[DG_BYBIT_CURSOR_MAX] = "", prev[DG_BYBIT_CURSOR_MAX];
  char err[sizeof(res->msg)];
  int pages = 0;
  do {
    dg_query_t q = *query;
    dg_bybit_reply_t *env;
    int rc;
    if (cursor[0])
      dg_query_add_encoded(&q, "cursor", cursor);
    if ((kind == BY_PUBLIC ? by_call(b, "GET", path, &q, NULL, kind, &env, res)
                           : by_signed(b, "GET", path, &q, NULL, kind, &env,
                                       res)) != DG_EX_OK)
      return res->status;
    snprintf(prev, sizeof(prev), "%s", cursor);
    rc = parse(env, acc, err, sizeof(err));
    if (rc == 0 && dg_bybit_parse_cursor(env, cursor, sizeof(cursor)) != 0) {
      snprintf(err, sizeof(err), "bad nextPageCursor");
      rc = -1;
    }
    dg_bybit_reply_free(env);
    dg_http_trim(b->http);
    if (rc == 0 && paged && cursor[0] && strcmp(cursor, prev) == 0) {
      snprintf(err, sizeof(err), "nextPageCursor repeats the page asked for");
      rc = -1;
    } else if (rc == 0 && paged && cursor[0] && ++pages >= max_pages) {
      snprintf(err, sizeof(err), "more than %d pages", max_pages);
      rc = -1;
    }
    if (rc != 0)
      return dg_ex_result_set(res, DG_EX_BAD_REPLY, "GET %s: %s", path, err);
  } while (paged && cursor[0]);
  return DG_EX_OK;
}

typedef struct {
  const char *symbol;
  dg_bybit_rows_t rows;
} position_pages_t;

static int position_page(const dg_bybit_reply_t *env, void *acc, char *err,
                         size_t errlen) {
  position_pages_t *p = acc;
  return dg_bybit_parse_positions_page(env, p->symbol, &p->rows, err, errlen);
}

/* The position rows of symbol (NULL: every open USDT position, paged) as
 * exchange.h wants them; *dual (may be NULL) tells the symbol's mode. */
static dg_ex_status_t position_rows(dg_exchange_t *b, const char *symbol,
                                    dg_position_t **out, size_t *n, int *dual,
                                    dg_ex_result_t *res) {
  static const char path[] = "/v5/position/list";
  position_pages_t acc = {.symbol = symbol};
  char err[sizeof(res->msg)];
  dg_query_t q;

  *out = NULL;
  *n = 0;
  dg_query_init(&q);
  dg_query_add(&q, "category", "linear");
  if (symbol != NULL) {
    dg_query_add(&q, "symbol", symbol);
  } else {
    dg_query_add(&q, "settleCoin", "USDT");
    dg_query_add(&q, "limit", BY_POSITION_PAGE);
  }
  if (get_pages(b, path, BY_READ, &q, symbol == NULL, BY_POSITION_PAGES,
                position_page, &acc, res) != DG_EX_OK) {
    free(acc.rows.rows);
    return res->status;
  }
  if (dg_bybit_positions_finish(&acc.rows, symbol, out, n, dual, err,
                                sizeof(err)) != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY, "GET %s: %s", path, err);
  return DG_EX_OK;
}

static dg_ex_status_t by_positions(dg_exchange_t *ex, const char *symbol,
                                   dg_position_t **out, size_t *n,
                                   dg_ex_result_t *res) {
  *out = NULL;
  *n = 0;
  dg_ex_result_init(res);
  if (symbol != NULL && !dg_symbol_valid(symbol, strlen(symbol)))
    return dg_ex_bad_symbol(res, symbol, 0);
  return position_rows(ex, symbol, out, n, NULL, res);
}

/* Bybit's mode is per symbol and has no GET: the positionIdx of the
 * symbol's rows tells it, read on every call (it can be switched whenever
 * the symbol is flat). */
static dg_ex_status_t by_hedge_mode(dg_exchange_t *ex, const char *symbol,
                                    int *dual, dg_ex_result_t *res) {
  dg_position_t *rows;
  size_t n;
  dg_ex_result_init(res);
  if (symbol == NULL) {
    res->not_executed = 1;
    return dg_ex_result_set(res, DG_EX_REFUSED,
                            "bybit-linear: the position mode is set per "
                            "symbol on Bybit: ask for one symbol's");
  }
  if (!dg_symbol_valid(symbol, strlen(symbol)))
    return dg_ex_bad_symbol(res, symbol, 0);
  if (position_rows(ex, symbol, &rows, &n, dual, res) == DG_EX_OK)
    free(rows);
  return res->status;
}

static int instrument_page(const dg_bybit_reply_t *env, void *acc, char *err,
                           size_t errlen) {
  return dg_bybit_parse_instruments_page(env, acc, err, errlen);
}

/* Every linear instrument's lot rules, paged (dg_ex_rules_fetch_fn). */
static dg_ex_status_t fetch_rules(dg_exchange_t *ex, dg_symbol_rules_t **rules,
                                  size_t *n, dg_ex_result_t *res) {
  dg_bybit_rules_t acc = {0};
  dg_query_t q;
  dg_query_init(&q);
  dg_query_add(&q, "category", "linear");
  dg_query_add(&q, "limit", BY_INSTRUMENT_PAGE);
  if (get_pages(ex, "/v5/market/instruments-info", BY_PUBLIC, &q, 1,
                BY_INSTRUMENT_PAGES, instrument_page, &acc, res) != DG_EX_OK) {
    free(acc.rules);
    return res->status;
  }
  *rules = acc.rules;
  *n = acc.n;
  return DG_EX_OK;
}

static dg_ex_status_t by_symbol_rules(dg_exchange_t *ex, const char *symbol,
                                      dg_symbol_rules_t *out,
                                      dg_ex_result_t *res) {
  return dg_ex_rules_get(&ex->rules, ex, fetch_rules, symbol,
                         "in /v5/market/instruments-info (category linear, "
                         "with a lotSizeFilter)",
                         0, out, res);
}

/* The order carrying orderLinkId link_id: /v5/order/realtime (open orders
 * and the latest closed ones), then /v5/order/history (forgets zero-fill
 * cancels after 24 h); both empty: ORDER_NOT_FOUND. */
static dg_ex_status_t find_order(dg_exchange_t *b, const char *symbol,
                                 const char *link_id, dg_order_t *out,
                                 dg_ex_result_t *res) {
  static const char *const paths[] = {"/v5/order/realtime",
                                      "/v5/order/history"};
  char err[sizeof(res->msg)];
  for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    dg_query_t q;
    dg_bybit_reply_t *env;
    int found, rc;
    dg_query_init(&q);
    dg_query_add(&q, "category", "linear");
    dg_query_add(&q, "symbol", symbol);
    dg_query_add(&q, "orderLinkId", link_id);
    if (by_signed(b, "GET", paths[i], &q, NULL, BY_READ, &env, res) != DG_EX_OK)
      return res->status;
    rc = dg_bybit_parse_order_list(env, out, &found, err, sizeof(err));
    dg_bybit_reply_free(env);
    if (rc != 0)
      return dg_ex_result_set(res, DG_EX_BAD_REPLY, "GET %s: %s", paths[i],
                              err);
    if (found)
      return DG_EX_OK;
  }
  res->reason = DG_EX_REASON_ORDER_NOT_FOUND;
  return dg_ex_result_set(res, DG_EX_REFUSED,
                          "orderLinkId %s is known to neither "
                          "/v5/order/realtime nor /v5/order/history",
                          link_id);
}

static dg_ex_status_t by_place_close(dg_exchange_t *ex, const char *symbol,
                                     const char *side, dg_leg_t leg,
                                     dg_dec_t qty, const char *client_order_id,
                                     dg_order_t *out, dg_ex_result_t *res) {
  dg_symbol_rules_t rules;
  dg_ex_result_t read;
  dg_bybit_reply_t *env;
  char body[DG_BYBIT_BODY_MAX], err[sizeof(res->msg)];
  char order_id[DG_ORDER_ID_MAX];
  int rc;

  dg_ex_result_init(res);
  res->not_executed = 1; /* until a request goes out (by_call) */
  if (dg_bybit_close_body(symbol, side, leg, qty, client_order_id, body,
                          sizeof(body), err, sizeof(err)) != 0)
    return dg_ex_result_set(res, DG_EX_REFUSED, "not sent: %s", err);
  /* One close, one order: Bybit splits a reduce-only order above the
   * market maximum. */
  if (by_symbol_rules(ex, symbol, &rules, &read) != DG_EX_OK) {
    *res = read;
    res->not_executed = 1;
    return dg_ex_result_set(res, read.status,
                            "not sent: the lot rules of %s: %s", symbol,
                            read.msg);
  }
  if (dg_dec_cmp(qty, rules.max_qty) > 0) {
    qty = rules.max_qty;
    if (dg_bybit_close_body(symbol, side, leg, qty, client_order_id, body,
                            sizeof(body), err, sizeof(err)) != 0)
      return dg_ex_result_set(res, DG_EX_REFUSED, "not sent: %s", err);
  }
  if (by_signed(ex, "POST", "/v5/order/create", NULL, body, BY_ORDER, &env,
                res) != DG_EX_OK)
    return res->status;
  rc = dg_bybit_parse_create(env, order_id, sizeof(order_id), err, sizeof(err));
  dg_bybit_reply_free(env);
  if (rc != 0) /* accepted, but which order? The caller asks for it. */
    return dg_ex_result_set(res, DG_EX_BAD_REPLY, "POST /v5/order/create: %s",
                            err);
  /* Accepted is not filled: read the order back for its fill. */
  if (find_order(ex, symbol, client_order_id, out, &read) != DG_EX_OK) {
    memset(out, 0, sizeof(*out));
    snprintf(out->symbol, sizeof(out->symbol), "%s", symbol);
    snprintf(out->order_id, sizeof(out->order_id), "%s", order_id);
    snprintf(out->client_order_id, sizeof(out->client_order_id), "%s",
             client_order_id);
    snprintf(out->status, sizeof(out->status), "NEW");
    snprintf(out->side, sizeof(out->side), "%s", side);
    out->orig_qty = qty;
    out->executed_qty = DG_DEC_ZERO;
    out->reduce_only = 1;
  }
  return DG_EX_OK;
}

static dg_ex_status_t by_query_order(dg_exchange_t *ex, const char *symbol,
                                     const char *client_order_id,
                                     dg_order_t *out, dg_ex_result_t *res) {
  dg_ex_result_init(res);
  if (symbol == NULL || !dg_symbol_valid(symbol, strlen(symbol)))
    return dg_ex_bad_symbol(res, symbol, 0);
  if (!dg_bybit_valid_link_id(client_order_id)) {
    res->not_executed = 1;
    return dg_ex_result_set(res, DG_EX_REFUSED,
                            "not sent: invalid orderLinkId");
  }
  return find_order(ex, symbol, client_order_id, out, res);
}

const dg_ex_driver_t dg_ex_bybit_linear = {
    .name = "bybit-linear",
    .handle_size = sizeof(dg_exchange_t), /* nothing of its own */
    .venue = "Bybit",
    .passphrase = DG_EX_PASSPHRASE_REFUSED,
    .default_recv_window_ms = BY_DEFAULT_RECV_WINDOW_MS,
    .max_recv_window_ms = BY_MAX_RECV_WINDOW_MS,
    .sync_time = by_sync_time,
    .positions = by_positions,
    .symbol_rules = by_symbol_rules,
    .hedge_mode = by_hedge_mode,
    .place_close = by_place_close,
    .query_order = by_query_order,
    .client_order_id = dg_bybit_client_order_id,
};
