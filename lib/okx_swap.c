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
#include "driftguard/secret.h"
#include "exchange_driver.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OKX_DEFAULT_RECV_WINDOW_MS 5000L
#define OKX_MAX_RECV_WINDOW_MS 30000L /* OKX's fixed timestamp window */
#define OKX_URL_MAX 256
#define OKX_PATH_MAX 256
#define OKX_BODY_MAX 512

typedef struct {
  dg_exchange_t base; /* first: exchange.c dispatches through it */
  dg_http_t *http;
  char url[OKX_URL_MAX]; /* base URL without a trailing slash */
  char api_key[DG_SECRET_MAX];
  char secret[DG_SECRET_MAX];
  char passphrase[DG_SECRET_MAX];
  long recv_window_ms;
  int time_synced;
  int64_t offset_ms;         /* server - local */
  int account_ok;            /* acctLv 2 or 3 seen by the last read */
  int long_short;            /* posMode of the last account read */
  dg_ex_rules_cache_t rules; /* live linear SWAPs */
  dg_okx_margin_t *margins;  /* open legs' mgnMode, from positions reads */
  size_t n_margins;
} okx_t;

enum { OKX_READ = 0, OKX_ORDER = 1 };

static okx_t *okx(dg_exchange_t *ex) {
  return (okx_t *)ex;
}
static const okx_t *okx_const(const dg_exchange_t *ex) {
  return (const okx_t *)ex;
}

static void okx_free(dg_exchange_t *ex) {
  okx_t *o = okx(ex);
  dg_http_free(o->http);
  dg_ex_rules_free(&o->rules);
  free(o->margins);
  dg_secret_free(o, sizeof(*o)); /* key, secret, passphrase: wiped */
}

static dg_exchange_t *okx_open(const dg_exchange_opts_t *opts, char *err,
                               size_t errlen) {
  okx_t *o;
  dg_ex_opts_checked_t ok;

  /* RecvWindow (expTime) at most 30 s: OKX refuses a request stamped more
   * than that away from its clock anyway. */
  if (dg_ex_check_opts(opts, "okx-swap", NULL, OKX_URL_MAX,
                       OKX_DEFAULT_RECV_WINDOW_MS, OKX_MAX_RECV_WINDOW_MS, &ok,
                       err, errlen) != 0)
    return NULL;
  if (opts->api_passphrase == NULL || !opts->api_passphrase[0] ||
      strlen(opts->api_passphrase) >= DG_SECRET_MAX ||
      !dg_ex_header_safe(opts->api_passphrase)) {
    snprintf(err, errlen,
             "okx-swap: the key file has no passphrase: an OKX key file "
             "holds the API key, the secret, then the key's passphrase on "
             "its third line (1 to %d printable characters)",
             DG_SECRET_MAX - 1);
    return NULL;
  }
  /* The handle holds the key, secret and passphrase: out of core dumps. */
  if ((o = dg_secret_alloc(sizeof(*o))) == NULL) {
    snprintf(err, errlen, "okx-swap: out of memory");
    return NULL;
  }
  o->base.drv = &dg_ex_okx_swap;
  if ((o->http = dg_http_new(ok.timeout_ms, err, errlen)) == NULL) {
    okx_free(&o->base);
    return NULL;
  }
  memcpy(o->url, opts->url, ok.url_len);
  snprintf(o->api_key, sizeof(o->api_key), "%s", opts->api_key);
  snprintf(o->secret, sizeof(o->secret), "%s", opts->api_secret);
  snprintf(o->passphrase, sizeof(o->passphrase), "%s", opts->api_passphrase);
  o->recv_window_ms = ok.recv_window_ms;
  return &o->base;
}

static long okx_recv_window_ms(const dg_exchange_t *ex) {
  return okx_const(ex)->recv_window_ms;
}

static int64_t okx_time_offset_ms(const dg_exchange_t *ex) {
  return okx_const(ex)->offset_ms;
}

/* No reply text may carry a secret back into a log line. */
static void scrub(const okx_t *o, dg_ex_result_t *res) {
  dg_ex_result_scrub(res, o->api_key);
  dg_ex_result_scrub(res, o->secret);
  dg_ex_result_scrub(res, o->passphrase);
}

/* One HTTP exchange, mapped to a result; headers NULL for a public call.
 * The message of a failure starts with the request that failed. */
static dg_ex_status_t okx_call(okx_t *o, const char *method,
                               const char *path_query, const char *body,
                               int kind, const char *headers,
                               dg_http_reply_t *reply, dg_ex_result_t *res) {
  char url[OKX_URL_MAX + OKX_PATH_MAX], path[OKX_PATH_MAX];

  /* Messages name the path, not its query string. */
  snprintf(path, sizeof(path), "%.*s", (int)strcspn(path_query, "?"),
           path_query);
  dg_ex_result_init(res);
  snprintf(url, sizeof(url), "%s%s", o->url, path_query);
  dg_http_request(o->http, method, url, headers, body, kind == OKX_ORDER,
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
  scrub(o, res);
  return res->status;
}

/* The clock only (public): what a signed request needs first. */
static dg_ex_status_t sync_clock(okx_t *o, dg_ex_result_t *res) {
  dg_http_reply_t reply;
  int64_t before = dg_ex_wall_ms(), after, server;

  if (okx_call(o, "GET", "/api/v5/public/time", NULL, OKX_READ, NULL, &reply,
               res) != DG_EX_OK)
    return res->status;
  after = dg_ex_wall_ms();
  if (dg_okx_parse_server_time(reply.body, reply.body_len, &server) != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /api/v5/public/time: no data[0].ts in the "
                            "reply");
  /* The server read its clock about halfway through the round trip. */
  o->offset_ms = server - (before + (after - before) / 2);
  o->time_synced = 1;
  return DG_EX_OK;
}

/* A signed request. A read refused with 50102 is retried once after a
 * clock re-sync; an order never is (the next call re-syncs first). An
 * order carries expTime = server now + recvWindow. */
static dg_ex_status_t okx_signed(okx_t *o, const char *method,
                                 const char *path_query, const char *body,
                                 int kind, dg_http_reply_t *reply,
                                 dg_ex_result_t *res) {
  for (int attempt = 0;; attempt++) {
    char ts[DG_OKX_TS_LEN + 1], sign[DG_SHA256_B64LEN + 1], exp[40] = "";
    char headers[4 * DG_SECRET_MAX + 256];
    int64_t sent_ms;
    if (!o->time_synced && sync_clock(o, res) != DG_EX_OK) {
      res->not_executed = 1; /* the request itself was not sent */
      return res->status;
    }
    sent_ms = dg_ex_wall_ms();
    if (kind == OKX_ORDER)
      snprintf(exp, sizeof(exp), "\nexpTime: %" PRId64,
               sent_ms + o->offset_ms + o->recv_window_ms);
    if (dg_okx_timestamp(sent_ms + o->offset_ms, ts) != 0 ||
        dg_okx_sign(o->secret, ts, method, path_query, body ? body : "",
                    sign) != 0) {
      dg_ex_result_init(res);
      res->not_executed = 1;
      return dg_ex_result_set(res, DG_EX_TRANSPORT,
                              "%s %s not sent: signing failed", method,
                              path_query);
    }
    snprintf(headers, sizeof(headers),
             "OK-ACCESS-KEY: %s\nOK-ACCESS-SIGN: %s\nOK-ACCESS-TIMESTAMP: "
             "%s\nOK-ACCESS-PASSPHRASE: %s\nContent-Type: "
             "application/json%s",
             o->api_key, sign, ts, o->passphrase, exp);
    okx_call(o, method, path_query, body, kind, headers, reply, res);
    dg_secret_wipe(headers, sizeof(headers));
    res->sent_ms = sent_ms;
    dg_ex_result_scrub(res, sign);
    if (res->status == DG_EX_REFUSED &&
        res->reason == DG_EX_REASON_CLOCK_SKEW) {
      o->time_synced = 0;
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

  if (okx_signed(o, "GET", "/api/v5/account/config", NULL, OKX_READ, &reply,
                 res) != DG_EX_OK)
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

static dg_ex_status_t bad_symbol(dg_ex_result_t *res, const char *symbol) {
  res->reason = DG_EX_REASON_UNKNOWN_SYMBOL;
  res->not_executed = 1;
  return dg_ex_result_set(res, DG_EX_REFUSED,
                          "not sent: invalid instId \"%.40s\"",
                          symbol ? symbol : "(null)");
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
  char path[OKX_PATH_MAX], err[sizeof(res->msg)];
  int rc;

  *out = NULL;
  *n = 0;
  dg_ex_result_init(res);
  if (symbol != NULL && !dg_symbol_valid(symbol, strlen(symbol)))
    return bad_symbol(res, symbol);
  if (require_account(o, res) != DG_EX_OK)
    return res->status;
  snprintf(path, sizeof(path), "/api/v5/account/positions?instType=SWAP%s%s",
           symbol ? "&instId=" : "", symbol ? symbol : "");
  if (okx_signed(o, "GET", path, NULL, OKX_READ, &reply, res) != DG_EX_OK)
    return res->status;
  rc = dg_okx_parse_positions(reply.body, reply.body_len, symbol, o->long_short,
                              out, n, &margins, &n_margins, err, sizeof(err));
  dg_http_trim(o->http); /* the big replies: no need to keep their buffer */
  if (rc != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /api/v5/account/positions: %s", err);
  remember_margins(o, symbol, margins, n_margins);
  return DG_EX_OK;
}

/* The rules cache's fetch: every live linear SWAP. */
static dg_ex_status_t fetch_rules(dg_exchange_t *ex, dg_symbol_rules_t **out,
                                  size_t *n, dg_ex_result_t *res) {
  okx_t *o = okx(ex);
  dg_http_reply_t reply;
  char err[sizeof(res->msg)];
  int rc;

  if (okx_call(o, "GET", "/api/v5/public/instruments?instType=SWAP", NULL,
               OKX_READ, NULL, &reply, res) != DG_EX_OK)
    return res->status;
  rc = dg_okx_parse_instruments(reply.body, reply.body_len, out, n, err,
                                sizeof(err));
  dg_http_trim(o->http);
  if (rc != 0)
    return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                            "GET /api/v5/public/instruments: %s", err);
  return DG_EX_OK;
}

static dg_ex_status_t okx_symbol_rules(dg_exchange_t *ex, const char *symbol,
                                       dg_symbol_rules_t *out,
                                       dg_ex_result_t *res) {
  dg_ex_result_init(res);
  if (symbol == NULL || !dg_symbol_valid(symbol, strlen(symbol)))
    return bad_symbol(res, symbol);
  if (dg_ex_rules_get(&okx(ex)->rules, ex, fetch_rules, symbol,
                      "as a live linear SWAP in /api/v5/public/instruments",
                      out, res) == DG_EX_REFUSED &&
      res->reason == DG_EX_REASON_UNKNOWN_SYMBOL)
    res->code = DG_OKX_ERR_NO_INSTRUMENT;
  return res->status;
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
  char path[OKX_PATH_MAX], err[sizeof(res->msg)];

  snprintf(path, sizeof(path), "/api/v5/trade/order?instId=%s&clOrdId=%s",
           symbol, client_order_id);
  if (okx_signed(o, "GET", path, NULL, OKX_READ, &reply, res) != DG_EX_OK)
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
    return bad_symbol(res, symbol);
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
  if (okx_signed(o, "POST", "/api/v5/trade/order", body, OKX_ORDER, &reply,
                 res) != DG_EX_OK)
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
    return bad_symbol(res, symbol);
  if (!dg_okx_valid_client_order_id(client_order_id))
    return dg_ex_result_set(res, DG_EX_REFUSED,
                            "not sent: invalid clOrdId (1 to 32 letters and "
                            "digits)");
  return query(o, symbol, client_order_id, out, res);
}

const dg_ex_driver_t dg_ex_okx_swap = {
    .name = "okx-swap",
    .open = okx_open,
    .free = okx_free,
    .recv_window_ms = okx_recv_window_ms,
    .sync_time = okx_sync_time,
    .time_offset_ms = okx_time_offset_ms,
    .positions = okx_positions,
    .symbol_rules = okx_symbol_rules,
    .hedge_mode = okx_hedge_mode,
    .place_close = okx_place_close,
    .query_order = okx_query_order,
    .client_order_id = dg_okx_client_order_id,
};
