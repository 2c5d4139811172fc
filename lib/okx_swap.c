/* okx_swap.c - the "okx-swap" exchange driver: OKX v5 perpetual swaps
 * (instType SWAP) over REST (SPEC section 6, notes/exchanges.md section 2).
 *
 * Signed requests carry OK-ACCESS-KEY, OK-ACCESS-PASSPHRASE (the key
 * file's third line), OK-ACCESS-TIMESTAMP (ISO 8601 UTC with ms, from the
 * local clock plus the offset measured from /api/v5/public/time) and
 * OK-ACCESS-SIGN, Base64 HMAC-SHA256 of timestamp + METHOD + path?query +
 * body. OKX's own timestamp window is a fixed 30 s (50102); an order also
 * carries expTime = server time + recvWindow, after which OKX does not
 * process it, so dg_exchange_recv_window_ms() is the order's true window
 * (at most 30 s: a later request fails 50102 anyway).
 *
 * Only acctLv 2 (Futures mode) and 3 (Multi-currency margin) are traded:
 * the account configuration (GET /api/v5/account/config) is read by
 * dg_exchange_sync_time (every program's first call), by
 * dg_exchange_hedge_mode (every call: posMode net_mode is one-way,
 * long_short_mode is hedge) and before the first positions read or order
 * of a handle; another level is refused with a message naming acctLv.
 *
 * Quantities are contracts (pos, sz, lotSz, minSz, maxMktSz): the ledger
 * must be kept in contracts; dg_symbol_rules_t.contract_value is ctVal x
 * ctMult. A close uses the position's margin mode (mgnMode) as tdMode,
 * remembered from the last positions read of its symbol (read first when
 * unknown; no open leg: refused unsent). OKX answers a placed order with
 * its id only: the driver then asks for the order once to report its
 * fill (when that read fails, the order is reported NEW, nothing filled).
 *
 * A read refused with 50102 re-syncs the clock and is retried once; this
 * driver never sends an order twice (a clOrdId is unique only among
 * pending orders: a filled close gives no duplicate protection), and
 * orders go out on a fresh connection (see http.h). Parsing and the
 * reply -> outcome mapping live in okx_parse.c.
 *
 * Rate use (dg_ex_result_t.rate_used): OKX reports no budget in its
 * replies (no header, no remaining count), so it is always -1; a limit
 * reached answers 50011 (HTTP 429 or 200). */
#include "driftguard/http.h"
#include "driftguard/keyfile.h"
#include "driftguard/okx_parse.h"
#include "driftguard/query.h"
#include "driftguard/secret.h"
#include "exchange_driver.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OKX_DEFAULT_RECV_WINDOW_MS 5000L
#define OKX_MAX_RECV_WINDOW_MS 30000L      /* OKX's fixed timestamp window */
#define OKX_TARGET_MAX (64 + DG_QUERY_MAX) /* path?query */
#define OKX_BODY_MAX 512

typedef struct {
  dg_exchange_t base; /* first: the shared part (url, keys, clock, rules) */
  int account_ok;     /* acctLv 2 or 3 seen by the last read */
  int long_short;     /* posMode of the last account read */
  dg_okx_margin_t *margins; /* open legs' mgnMode, from positions reads */
  size_t n_margins;
} okx_t;

enum { OKX_READ = 0, OKX_ORDER = 1 };

static okx_t *okx(dg_exchange_t *ex) {
  return (okx_t *)ex;
}

static void okx_release(dg_exchange_t *ex) {
  free(okx(ex)->margins);
}

/* One HTTP exchange, mapped to a result: query (may be NULL) goes in the
 * URL as target (path?query, as request_target() made it and the
 * signature covers), headers NULL for a public call. The message of a
 * failure starts with the request (path, without its query) that failed. */
static dg_ex_status_t okx_call(okx_t *o, const char *method, const char *path,
                               const char *target, const char *body, int kind,
                               const char *headers, dg_http_reply_t *reply,
                               dg_ex_result_t *res) {
  char url[DG_EX_URL_MAX + OKX_TARGET_MAX];

  dg_ex_result_init(res);
  snprintf(url, sizeof(url), "%s%s", o->base.url, target);
  dg_http_request(o->base.http, method, url, headers, body, kind == OKX_ORDER,
                  reply);
  if (dg_ex_transport_failed(reply, method, path, kind == OKX_ORDER, res))
    return res->status;
  dg_okx_classify_reply(reply->status, reply->body, reply->body_len,
                        dg_ex_wall_ms(), res);
  /* Only an order can have an unknown fate; a read that failed that way
   * simply failed. */
  if (res->status == DG_EX_UNKNOWN && kind != OKX_ORDER)
    res->status = DG_EX_SERVER;
  if (res->status != DG_EX_OK)
    dg_ex_result_prefix(res, method, path);
  dg_ex_handle_scrub(&o->base, res);
  return res->status;
}

/* path, then "?" and query when there is one: the request target sent and
 * signed. 0; -1 with res set (TRANSPORT, not sent) when it does not fit. */
static int request_target(const char *method, const char *path,
                          const dg_query_t *query, char target[OKX_TARGET_MAX],
                          dg_ex_result_t *res) {
  int has_query = query != NULL && query->len > 0;
  int n = snprintf(target, OKX_TARGET_MAX, "%s%s%s", path, has_query ? "?" : "",
                   has_query ? query->buf : "");
  if ((query == NULL || !query->overflow) && n > 0 && n < OKX_TARGET_MAX)
    return 0;
  dg_ex_result_init(res);
  res->not_executed = 1;
  dg_ex_result_set(res, DG_EX_TRANSPORT, "%s %s not sent: request too long",
                   method, path);
  return -1;
}

/* A public GET. */
static dg_ex_status_t okx_public(okx_t *o, const char *path,
                                 const dg_query_t *query,
                                 dg_http_reply_t *reply, dg_ex_result_t *res) {
  char target[OKX_TARGET_MAX];
  if (request_target("GET", path, query, target, res) != 0)
    return res->status;
  return okx_call(o, "GET", path, target, NULL, OKX_READ, NULL, reply, res);
}

/* The clock only (public): what a signed request needs first. */
static dg_ex_status_t sync_clock(okx_t *o, dg_ex_result_t *res) {
  dg_http_reply_t reply;
  int64_t before = dg_ex_wall_ms(), after, server;

  if (okx_public(o, "/api/v5/public/time", NULL, &reply, res) != DG_EX_OK)
    return res->status;
  after = dg_ex_wall_ms();
  if (dg_okx_parse_server_time(reply.body, reply.body_len, &server) != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /api/v5/public/time: no data[0].ts in the "
                            "reply");
  o->base.offset_ms = dg_ex_clock_offset_ms(before, server, after);
  o->base.time_synced = 1;
  return DG_EX_OK;
}

/* A signed request. A read refused with 50102 is retried once after a
 * clock re-sync; an order never is (the next call re-syncs first). An
 * order carries expTime = server now + recvWindow. */
static dg_ex_status_t okx_signed(okx_t *o, const char *method, const char *path,
                                 const dg_query_t *query, const char *body,
                                 int kind, dg_http_reply_t *reply,
                                 dg_ex_result_t *res) {
  char target[OKX_TARGET_MAX];
  if (request_target(method, path, query, target, res) != 0)
    return res->status;
  for (int attempt = 0;; attempt++) {
    char ts[DG_OKX_TS_LEN + 1], sign[DG_SHA256_B64LEN + 1], exp[40] = "";
    char headers[4 * DG_SECRET_MAX + 256];
    int64_t sent_ms;
    if (!o->base.time_synced && sync_clock(o, res) != DG_EX_OK) {
      res->not_executed = 1; /* the request itself was not sent */
      return res->status;
    }
    sent_ms = dg_ex_wall_ms();
    if (kind == OKX_ORDER)
      snprintf(exp, sizeof(exp), "\nexpTime: %" PRId64,
               sent_ms + o->base.offset_ms + o->base.recv_window_ms);
    if (dg_okx_timestamp(sent_ms + o->base.offset_ms, ts) != 0 ||
        dg_okx_sign(o->base.secret, ts, method, target, body ? body : "",
                    sign) != 0) {
      dg_ex_result_init(res);
      res->not_executed = 1;
      return dg_ex_result_set(res, DG_EX_TRANSPORT,
                              "%s %s not sent: signing failed", method, path);
    }
    snprintf(headers, sizeof(headers),
             "OK-ACCESS-KEY: %s\nOK-ACCESS-SIGN: %s\nOK-ACCESS-TIMESTAMP: "
             "%s\nOK-ACCESS-PASSPHRASE: %s\nContent-Type: "
             "application/json%s",
             o->base.api_key, sign, ts, o->base.passphrase, exp);
    okx_call(o, method, path, target, body, kind, headers, reply, res);
    dg_secret_wipe(headers, sizeof(headers));
    res->sent_ms = sent_ms;
    dg_ex_result_scrub(res, sign);
    if (res->status == DG_EX_REFUSED &&
        res->reason == DG_EX_REASON_CLOCK_SKEW) {
      o->base.time_synced = 0;
      if (kind == OKX_READ && attempt == 0)
        continue;
    }
    return res->status;
  }
}

/* GET /api/v5/account/config: posMode kept; acctLv other than 2 or 3
 * refused (nothing is sent after it). */
static dg_ex_status_t read_account(okx_t *o, dg_ex_result_t *res) {
  dg_http_reply_t reply;
  char err[sizeof(res->msg)];
  int level, long_short;

  if (okx_signed(o, "GET", "/api/v5/account/config", NULL, NULL, OKX_READ,
                 &reply, res) != DG_EX_OK)
    return res->status;
  if (dg_okx_parse_account(reply.body, reply.body_len, &level, &long_short, err,
                           sizeof(err)) != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /api/v5/account/config: %s", err);
  o->long_short = long_short;
  o->account_ok = dg_okx_account_level_supported(level);
  if (!o->account_ok)
    return dg_ex_result_set(
        res, DG_EX_REFUSED,
        "OKX account mode acctLv=%d (%s) is not supported: driftguard "
        "trades only acctLv 2 (Futures mode) or 3 (Multi-currency margin); "
        "switch the account mode in OKX's settings",
        level, dg_okx_account_level_name(level));
  return DG_EX_OK;
}

/* Before a handle's first positions read or order. */
static dg_ex_status_t require_account(okx_t *o, dg_ex_result_t *res) {
  dg_ex_result_init(res);
  return o->account_ok ? DG_EX_OK : read_account(o, res);
}

static dg_ex_status_t okx_sync_time(dg_exchange_t *ex, dg_ex_result_t *res) {
  okx_t *o = okx(ex);
  if (sync_clock(o, res) != DG_EX_OK)
    return res->status;
  return read_account(o, res);
}

static dg_ex_status_t okx_hedge_mode(dg_exchange_t *ex, const char *symbol,
                                     int *dual, dg_ex_result_t *res) {
  okx_t *o = okx(ex);
  (void)symbol; /* posMode is account-wide */
  if (read_account(o, res) != DG_EX_OK)
    return res->status;
  *dual = o->long_short;
  return DG_EX_OK;
}

/* The margin modes of a positions read: all of them (symbol NULL) or
 * symbol's replace what was known. */
static void remember_margins(okx_t *o, const char *symbol,
                             dg_okx_margin_t *fresh, size_t n) {
  size_t kept = 0;
  dg_okx_margin_t *all;
  if (symbol == NULL) {
    free(o->margins);
    o->margins = fresh;
    o->n_margins = n;
    return;
  }
  for (size_t k = 0; k < o->n_margins; k++)
    if (strcmp(o->margins[k].symbol, symbol) != 0)
      o->margins[kept++] = o->margins[k];
  o->n_margins = kept;
  if (n == 0) {
    free(fresh);
    return;
  }
  all = realloc(o->margins, (kept + n) * sizeof(*all));
  if (all == NULL) { /* forgotten: the close reads the position again */
    free(fresh);
    return;
  }
  memcpy(all + kept, fresh, n * sizeof(*all));
  o->margins = all;
  o->n_margins = kept + n;
  free(fresh);
}

static dg_ex_status_t okx_positions(dg_exchange_t *ex, const char *symbol,
                                    dg_position_t **out, size_t *n,
                                    dg_ex_result_t *res) {
  okx_t *o = okx(ex);
  dg_http_reply_t reply;
  dg_okx_margin_t *margins;
  size_t n_margins;
  char err[sizeof(res->msg)];
  dg_query_t q;
  int rc;

  *out = NULL;
  *n = 0;
  dg_ex_result_init(res);
  if (symbol != NULL && !dg_symbol_valid(symbol, strlen(symbol)))
    return dg_ex_bad_symbol(res, symbol, DG_OKX_ERR_NO_INSTRUMENT);
  if (require_account(o, res) != DG_EX_OK)
    return res->status;
  dg_query_init(&q);
  dg_query_add(&q, "instType", "SWAP");
  if (symbol != NULL)
    dg_query_add(&q, "instId", symbol);
  if (okx_signed(o, "GET", "/api/v5/account/positions", &q, NULL, OKX_READ,
                 &reply, res) != DG_EX_OK)
    return res->status;
  rc = dg_okx_parse_positions(reply.body, reply.body_len, symbol, o->long_short,
                              out, n, &margins, &n_margins, err, sizeof(err));
  dg_http_trim(
      o->base.http); /* the big replies: no need to keep their buffer */
  if (rc != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /api/v5/account/positions: %s", err);
  remember_margins(o, symbol, margins, n_margins);
  return DG_EX_OK;
}

/* Every live linear SWAP's lot rules (dg_ex_rules_fetch_fn). */
static dg_ex_status_t fetch_rules(dg_exchange_t *ex, dg_symbol_rules_t **out,
                                  size_t *n, dg_ex_result_t *res) {
  okx_t *o = okx(ex);
  dg_http_reply_t reply;
  char err[sizeof(res->msg)];
  dg_query_t q;
  int rc;

  dg_query_init(&q);
  dg_query_add(&q, "instType", "SWAP");
  if (okx_public(o, "/api/v5/public/instruments", &q, &reply, res) != DG_EX_OK)
    return res->status;
  rc = dg_okx_parse_instruments(reply.body, reply.body_len, out, n, err,
                                sizeof(err));
  dg_http_trim(o->base.http);
  if (rc != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /api/v5/public/instruments: %s", err);
  return DG_EX_OK;
}

static dg_ex_status_t okx_symbol_rules(dg_exchange_t *ex, const char *symbol,
                                       dg_symbol_rules_t *out,
                                       dg_ex_result_t *res) {
  return dg_ex_rules_get(&ex->rules, ex, fetch_rules, symbol,
                         "as a live linear SWAP in /api/v5/public/instruments",
                         DG_OKX_ERR_NO_INSTRUMENT, out, res);
}

/* The mgnMode of symbol's open leg: 1 isolated, 0 cross, -1 unknown. */
static int margin_of(const okx_t *o, const char *symbol, dg_leg_t leg) {
  for (size_t k = 0; k < o->n_margins; k++)
    if (o->margins[k].leg == leg && strcmp(o->margins[k].symbol, symbol) == 0)
      return o->margins[k].isolated;
  return -1;
}

static dg_ex_status_t query(okx_t *o, const char *symbol,
                            const char *client_order_id, dg_order_t *out,
                            dg_ex_result_t *res) {
  dg_http_reply_t reply;
  char err[sizeof(res->msg)];
  dg_query_t q;

  dg_query_init(&q);
  dg_query_add(&q, "instId", symbol);
  dg_query_add(&q, "clOrdId", client_order_id);
  if (okx_signed(o, "GET", "/api/v5/trade/order", &q, NULL, OKX_READ, &reply,
                 res) != DG_EX_OK)
    return res->status;
  if (dg_okx_parse_order(reply.body, reply.body_len, out, err, sizeof(err)) !=
      0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY, "GET /api/v5/trade/order: %s",
                            err);
  return DG_EX_OK;
}

/* What a close may not be, checked before anything is sent. */
static const char *close_refusal(const okx_t *o, const char *side, dg_leg_t leg,
                                 dg_dec_t qty, const char *client_order_id) {
  if (side == NULL || (strcmp(side, "BUY") != 0 && strcmp(side, "SELL") != 0))
    return "side must be BUY or SELL";
  if (dg_dec_sign(qty) <= 0)
    return "quantity must be positive";
  if (!dg_okx_valid_client_order_id(client_order_id))
    return "invalid clOrdId (1 to 32 letters and digits)";
  if ((leg == DG_LEG_LONG && strcmp(side, "SELL") != 0) ||
      (leg == DG_LEG_SHORT && strcmp(side, "BUY") != 0))
    return "a LONG leg closes with SELL, a SHORT leg with BUY";
  if (leg == DG_LEG_BOTH && o->long_short)
    return "the account is in long_short_mode: a close names its leg "
           "(LONG or SHORT)";
  if (leg != DG_LEG_BOTH && !o->long_short)
    return "the account is in net_mode: a close has no leg";
  return NULL;
}

static dg_ex_status_t okx_place_close(dg_exchange_t *ex, const char *symbol,
                                      const char *side, dg_leg_t leg,
                                      dg_dec_t qty, const char *client_order_id,
                                      dg_order_t *out, dg_ex_result_t *res) {
  okx_t *o = okx(ex);
  dg_http_reply_t reply;
  dg_ex_result_t read;
  dg_order_t filled;
  char body[OKX_BODY_MAX], err[sizeof(res->msg)];
  const char *why;
  int isolated;

  dg_ex_result_init(res);
  if (symbol == NULL || !dg_symbol_valid(symbol, strlen(symbol)))
    return dg_ex_bad_symbol(res, symbol, DG_OKX_ERR_NO_INSTRUMENT);
  if (require_account(o, res) != DG_EX_OK) {
    res->not_executed = 1; /* the order itself was not sent */
    return res->status;
  }
  why = close_refusal(o, side, leg, qty, client_order_id);
  if ((isolated = margin_of(o, symbol, leg)) < 0 && why == NULL) {
    dg_position_t *legs = NULL;
    size_t n = 0;
    if (okx_positions(ex, symbol, &legs, &n, res) != DG_EX_OK) {
      res->not_executed = 1;
      return res->status;
    }
    free(legs);
    if ((isolated = margin_of(o, symbol, leg)) < 0)
      why = "no open position on that leg to close (its mgnMode is the "
            "order's tdMode)";
  }
  dg_ex_result_init(res);
  res->not_executed = 1; /* until a request goes out (okx_call) */
  if (why != NULL)
    return dg_ex_result_set(res, DG_EX_REFUSED, "not sent: %s %s: %s", symbol,
                            dg_leg_name(leg), why);
  if (dg_okx_close_body(symbol, isolated, side, leg, qty, client_order_id, body,
                        sizeof(body)) < 0)
    return dg_ex_result_set(res, DG_EX_REFUSED,
                            "not sent: order body too long");
  if (okx_signed(o, "POST", "/api/v5/trade/order", NULL, body, OKX_ORDER,
                 &reply, res) != DG_EX_OK)
    return res->status;
  memset(out, 0, sizeof(*out));
  if (dg_okx_parse_order_ack(reply.body, reply.body_len, out, err,
                             sizeof(err)) != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "POST /api/v5/trade/order: %s", err);
  /* Placed: OKX said so and nothing else. Its fill, from one read. */
  snprintf(out->symbol, sizeof(out->symbol), "%s", symbol);
  snprintf(out->status, sizeof(out->status), "NEW");
  snprintf(out->side, sizeof(out->side), "%s", side);
  out->orig_qty = qty;
  out->reduce_only = 1;
  if (query(o, symbol, client_order_id, &filled, &read) == DG_EX_OK &&
      strcmp(filled.order_id, out->order_id) == 0)
    *out = filled;
  return DG_EX_OK;
}

static dg_ex_status_t okx_query_order(dg_exchange_t *ex, const char *symbol,
                                      const char *client_order_id,
                                      dg_order_t *out, dg_ex_result_t *res) {
  okx_t *o = okx(ex);
  dg_ex_result_init(res);
  if (symbol == NULL || !dg_symbol_valid(symbol, strlen(symbol)))
    return dg_ex_bad_symbol(res, symbol, DG_OKX_ERR_NO_INSTRUMENT);
  if (!dg_okx_valid_client_order_id(client_order_id))
    return dg_ex_result_set(res, DG_EX_REFUSED,
                            "not sent: invalid clOrdId (1 to 32 letters and "
                            "digits)");
  return query(o, symbol, client_order_id, out, res);
}

const dg_ex_driver_t dg_ex_okx_swap = {
    .name = "okx-swap",
    .handle_size = sizeof(okx_t),
    .venue = "OKX",
    .passphrase = DG_EX_PASSPHRASE_REQUIRED,
    .default_recv_window_ms = OKX_DEFAULT_RECV_WINDOW_MS,
    /* expTime at most 30 s: OKX refuses a request stamped more than that
     * away from its clock anyway. */
    .max_recv_window_ms = OKX_MAX_RECV_WINDOW_MS,
    .release = okx_release,
    .sync_time = okx_sync_time,
    .positions = okx_positions,
    .symbol_rules = okx_symbol_rules,
    .hedge_mode = okx_hedge_mode,
    .place_close = okx_place_close,
    .query_order = okx_query_order,
    .client_order_id = dg_okx_client_order_id,
};
