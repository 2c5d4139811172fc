/* okx_parse.h - the pure half of the OKX v5 SWAP driver (okx_swap.c).
 *
 * Everything here works on bytes already received (or about to be sent):
 * the request timestamp and signature, the close order's JSON body,
 * parsing replies (server time, account configuration, positions,
 * instruments, an order's acknowledgement and its details) and mapping an
 * HTTP reply to a dg_ex_result_t, OKX's two-level result (a top-level
 * "code" and, for an order, data[0].sCode inside an HTTP 200) included.
 * No I/O, no clock: "now" is a parameter. Facts: notes/exchanges.md
 * section 2. */
#ifndef DRIFTGUARD_OKX_PARSE_H
#define DRIFTGUARD_OKX_PARSE_H

#include "driftguard/exchange.h"
#include "driftguard/sign.h"

#include <stddef.h>
#include <stdint.h>

/* OKX documents no Retry-After: its limits count per 2 s window, so a
 * rate-limited caller waits one window. */
#define DG_OKX_RATE_LIMIT_DEFAULT_MS INT64_C(2000)

/* OKX codes driftguard treats specially (the error code list of the v5
 * docs). */
#define DG_OKX_ERR_SYSTEM_UNAVAILABLE 50001 /* fate not stated */
#define DG_OKX_ERR_ENDPOINT_TIMEOUT 50004   /* fate unknown, documented */
#define DG_OKX_ERR_RATE_LIMIT 50011
#define DG_OKX_ERR_BUSY 50013 /* "Systems are busy": fate not stated */
#define DG_OKX_ERR_SYSTEM_ERROR 50026
#define DG_OKX_ERR_EXPTIME_PAST                                                \
  50036                                /* expTime already past: not processed  \
                                        */
#define DG_OKX_ERR_ORDER_EXPIRED 50037 /* expTime passed: not processed */
#define DG_OKX_ERR_SUBACCOUNT_RATE 50061
#define DG_OKX_ERR_TIMESTAMP 50102 /* outside the 30 s window: re-sync */
#define DG_OKX_ERR_NO_INSTRUMENT 51001
#define DG_OKX_ERR_DUPLICATE_CLIENT_ID 51016
#define DG_OKX_ERR_REQUEST_TIMEOUT 51054 /* fate not stated */
#define DG_OKX_ERR_NO_SUCH_ORDER 51603

/* "2020-12-08T09:08:57.715Z": OK-ACCESS-TIMESTAMP, UTC with ms. */
#define DG_OKX_TS_LEN 24
/* ms epoch -> OK-ACCESS-TIMESTAMP text. Returns 0, -1 when out of range. */
int dg_okx_timestamp(int64_t ms, char out[DG_OKX_TS_LEN + 1]);

/* OK-ACCESS-SIGN: Base64(HMAC-SHA256(secret, ts + method + request_path +
 * body)), request_path with its "?query" (body "" for a GET). Returns 0,
 * -1 on failure. */
int dg_okx_sign(const char *secret, const char *ts, const char *method,
                const char *request_path, const char *body,
                char out[DG_SHA256_B64LEN + 1]);

/* Map an HTTP reply to a result (notes/exchanges.md 2.2). The code is the
 * top-level "code", or data[0].sCode when that is not "0" (a refused order
 * answers code "1" "Operation failed." with its reason there):
 *   50004 (any HTTP status)                 -> UNKNOWN (documented)
 *   50011, 50061, HTTP 429                  -> RATE_LIMIT, retry_after_ms =
 *                                  now + DG_OKX_RATE_LIMIT_DEFAULT_MS
 *   50001, 50013, 50026, 51054, other 5xx   -> UNKNOWN (the driver makes
 *                                              that SERVER for reads)
 *   code 0 in a 2xx                         -> OK (body still to parse)
 *   another code (2xx or 4xx)               -> REFUSED
 *   4xx without OKX's envelope              -> REFUSED (code 0)
 *   anything else (a 2xx that is not an OKX reply, 1xx, 3xx) -> BAD_REPLY
 * OKX documents no IP ban: nothing is BANNED. reason: 50102 clock skew,
 * 51016 duplicate client id, 51603 order not found, 51001 unknown symbol.
 * not_executed is set only for codes that say the request was refused
 * before it was processed: 50011, 50061, 50014-50016 (parameters), 50036,
 * 50037 (expTime), 501xx (authentication) but 50102 (the caller asks the
 * exchange before a resend, as for Binance's -1021), and 51xxx order
 * refusals but 51016 (an order with that id exists) and 51054. http_status,
 * code, reason and msg are always filled; rate_used is left alone (OKX
 * reports no budget). Returns res->status. */
dg_ex_status_t dg_okx_classify_reply(long http_status, const char *body,
                                     size_t len, int64_t now_ms,
                                     dg_ex_result_t *res);

/* GET /api/v5/public/time: data[0].ts. Returns 0, -1 on a bad body. */
int dg_okx_parse_server_time(const char *body, size_t len, int64_t *out);

/* GET /api/v5/account/config: data[0].acctLv (1 to 4) and posMode
 * (net_mode: *long_short 0, long_short_mode: 1). Returns 0, -1 with a
 * reason in err. */
int dg_okx_parse_account(const char *body, size_t len, int *acct_lv,
                         int *long_short, char *err, size_t errlen);
/* The account levels driftguard trades on: 2 (Futures mode) and 3
 * (Multi-currency margin), where reduceOnly and posSide behave as the
 * driver expects. */
int dg_okx_account_level_supported(int acct_lv);
/* The name OKX gives acct_lv ("Spot mode", ...), "unknown" else. */
const char *dg_okx_account_level_name(int acct_lv);

/* The margin mode of one open position leg (the close's tdMode). */
typedef struct {
  char symbol[DG_SYMBOL_MAX];
  dg_leg_t leg;
  int isolated; /* 0: cross */
} dg_okx_margin_t;

/* GET /api/v5/account/positions?instType=SWAP, amounts in contracts: a
 * "net" row is leg BOTH with pos signed; a "long" row is leg LONG (pos >=
 * 0), a "short" row leg SHORT with amt = -|pos|. Rows with pos 0 are
 * dropped; a (symbol, leg) listed twice (e.g. cross and isolated rows) is
 * an error. symbol NULL: the open legs, sorted by symbol then leg. With a
 * symbol: that symbol's legs of its mode, amt 0 when flat: the mode its
 * rows show, else long_short (the account's posMode): BOTH, or LONG then
 * SHORT. *margins (malloc'd, NULL when none) lists every open leg's
 * margin mode. *out is malloc'd (NULL when *n is 0). Returns 0, -1 with
 * a reason in err. */
int dg_okx_parse_positions(const char *body, size_t len, const char *symbol,
                           int long_short, dg_position_t **out, size_t *n,
                           dg_okx_margin_t **margins, size_t *n_margins,
                           char *err, size_t errlen);

/* GET /api/v5/public/instruments?instType=SWAP: every live linear SWAP,
 * in contracts: step lotSz, min_qty minSz, max_qty maxMktSz, in_contracts
 * 1, contract_value ctVal x ctMult (base coin per contract). Instruments
 * not "live" (preopen, suspend, ...) or inverse (ctVal in USD) are left
 * out: driftguard does not trade them. *out is malloc'd. Returns 0, -1
 * with a reason in err. */
int dg_okx_parse_instruments(const char *body, size_t len,
                             dg_symbol_rules_t **out, size_t *n, char *err,
                             size_t errlen);

/* POST /api/v5/trade/order's reply (sCode "0"): data[0].ordId and
 * clOrdId into out (the rest untouched). Returns 0, -1 with a reason. */
int dg_okx_parse_order_ack(const char *body, size_t len, dg_order_t *out,
                           char *err, size_t errlen);
/* GET /api/v5/trade/order's data[0], in driftguard's words: state live ->
 * NEW, partially_filled -> PARTIALLY_FILLED, filled -> FILLED, canceled ->
 * CANCELED, mmp_canceled -> EXPIRED; executed_qty accFillSz, orig_qty sz
 * (contracts), side BUY/SELL. Returns 0, -1 with a reason in err. */
int dg_okx_parse_order(const char *body, size_t len, dg_order_t *out, char *err,
                       size_t errlen);

/* The close's JSON body, in this order: instId, tdMode (isolated or
 * cross), side (buy/sell), posSide (LONG/SHORT legs only), ordType market,
 * sz, reduceOnly true (leg BOTH only: long/short mode's closes are
 * reduce-only by posSide), clOrdId. The caller has checked every value
 * (symbol, side, client id): nothing here needs escaping. Returns the
 * length, -1 when it does not fit. */
int dg_okx_close_body(const char *symbol, int isolated, const char *side,
                      dg_leg_t leg, dg_dec_t qty, const char *client_order_id,
                      char *out, size_t size);

/* clOrdId of a plan: "dgrc" + 28 hex digits of SHA-256(plan_id), 32
 * letters and digits (OKX's limit). Returns 0, -1 on failure. */
int dg_okx_client_order_id(const char *plan_id,
                           char out[DG_CLIENT_ORDER_ID_MAX + 1]);
/* 1 when s is a valid clOrdId: 1 to 32 letters and digits. */
int dg_okx_valid_client_order_id(const char *s);

#endif
