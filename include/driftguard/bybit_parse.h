/* bybit_parse.h - the pure half of the Bybit v5 linear driver.
 *
 * Everything here works on bytes already received (or about to be sent):
 * the signature, the close order's JSON body, the reply envelope and the
 * HTTP reply -> outcome mapping, and the parsers of the replies the driver
 * reads (server time, position pages, instrument pages, orders). No I/O,
 * no clock: "now" is a parameter, so every rule is unit-tested. Facts and
 * sources: notes/exchanges.md section 1. */
#ifndef DRIFTGUARD_BYBIT_PARSE_H
#define DRIFTGUARD_BYBIT_PARSE_H

#include "driftguard/exchange.h"
#include "driftguard/sign.h"

#include <stddef.h>
#include <stdint.h>

/* A 429 or retCode 10006 without a usable X-Bapi-Limit-Reset-Timestamp
 * waits this long (the IP limit's window is 5 s, the per-UID one 1 s). */
#define DG_BYBIT_RATE_LIMIT_DEFAULT_MS INT64_C(5000)
/* HTTP 403 "access too frequent": Bybit's IP ban, "wait for at least 10
 * minutes"; the reply says no end, so this is the ban's length. */
#define DG_BYBIT_BAN_MS INT64_C(600000)

/* Bybit retCodes driftguard treats specially. */
#define DG_BYBIT_ERR_SERVER_TIMEOUT 10000     /* fate unknown */
#define DG_BYBIT_ERR_PARAMS 10001             /* incl. "symbol invalid" */
#define DG_BYBIT_ERR_TIMESTAMP 10002          /* outside recv_window: re-sync */
#define DG_BYBIT_ERR_RATE_LIMIT 10006         /* per-UID limit */
#define DG_BYBIT_ERR_SERVER 10016             /* fate unknown */
#define DG_BYBIT_ERR_DUPLICATE_LINK_ID 110072 /* that orderLinkId exists */

/* Longest nextPageCursor accepted. */
#define DG_BYBIT_CURSOR_MAX 512
/* A close order's JSON body fits in this. */
#define DG_BYBIT_BODY_MAX 320

/* A reply body parsed once: Bybit's envelope {retCode, retMsg, result,
 * retExtInfo, time}. NULL when the body is not such an object (strict
 * JSON, retCode an integer, retMsg a string). */
typedef struct dg_bybit_reply dg_bybit_reply_t;
dg_bybit_reply_t *dg_bybit_reply_parse(const char *body, size_t len);
void dg_bybit_reply_free(dg_bybit_reply_t *r);

/* Map an HTTP reply (env: its envelope, NULL when it has none) to a
 * result (notes/exchanges.md 1.2):
 *   HTTP 403 saying "access too frequent"     -> BANNED, ban_until_ms =
 *                  retry_after_ms = now + DG_BYBIT_BAN_MS (other 403s:
 *                  a geo block, a GET with a body: REFUSED)
 *   retCode 10000, 10016; any HTTP 5xx        -> UNKNOWN (the driver makes
 *                                                 that SERVER for reads)
 *   HTTP 429, retCode 10006                   -> RATE_LIMIT, retry_after_ms
 *      = X-Bapi-Limit-Reset-Timestamp (limit_reset) when it is within the
 *      next hour, else now + DG_BYBIT_RATE_LIMIT_DEFAULT_MS
 *   HTTP 2xx, retCode 0                       -> OK (result still to parse)
 *   any other retCode; a 4xx                  -> REFUSED (code, msg kept)
 *   2xx without an envelope, 1xx, 3xx         -> BAD_REPLY
 * reason: 10002 CLOCK_SKEW, 110072 DUPLICATE_CLIENT_ID, 10001 whose
 * retMsg says "symbol invalid" UNKNOWN_SYMBOL. not_executed is set only
 * for an envelope whose retCode Bybit documents as a refusal (parameters,
 * authentication, permissions, balance, reduce-only, bans of the account,
 * 10006) and for the IP ban; never for 10002 (the order is asked for
 * after the re-sync), 110072 (an order with that id exists), an unknown
 * retCode or a reply without an envelope. http_status, code and msg are
 * always filled; rate_used is left alone. Returns res->status. */
dg_ex_status_t dg_bybit_classify_reply(long http_status,
                                       const dg_bybit_reply_t *env,
                                       const char *body, size_t len,
                                       const char *limit_reset, int64_t now_ms,
                                       dg_ex_result_t *res);

/* X-Bapi-Limit (the endpoint's limit) minus X-Bapi-Limit-Status (what
 * remains of it): the requests used in the current window; -1 unless
 * both are numbers and remaining <= limit. */
int dg_bybit_rate_used(const char *limit, const char *remaining);

/* Lower-case hex HMAC-SHA256(secret, timestamp + api_key + recv_window +
 * payload), payload being the query string (GET) or the body (POST)
 * exactly as sent. Returns 0, -1. */
int dg_bybit_sign(const char *secret, int64_t timestamp, const char *api_key,
                  long recv_window, const char *payload,
                  char out[DG_SHA256_HEXLEN + 1]);

/* The close's body: {"category":"linear","symbol":S,"side":"Buy|Sell",
 * "orderType":"Market","qty":Q,"reduceOnly":true,"positionIdx":0|1|2,
 * "orderLinkId":ID}. side is BUY or SELL; leg BOTH gives positionIdx 0,
 * LONG 1 (side must be SELL), SHORT 2 (side must be BUY). Returns 0, -1
 * with a reason (nothing to send) in err. */
int dg_bybit_close_body(const char *symbol, const char *side, dg_leg_t leg,
                        dg_dec_t qty, const char *link_id, char *out,
                        size_t size, char *err, size_t errlen);

/* result.timeNano (else result.timeSecond) of /v5/market/time as a ms
 * epoch. Returns 0, -1. */
int dg_bybit_parse_server_time(const dg_bybit_reply_t *env, int64_t *ms);

/* The next page's cursor of a paged result ("" on the last page) into
 * cursor. Returns 0, -1 when it is not a string of at most
 * DG_BYBIT_CURSOR_MAX - 1 printable characters. */
int dg_bybit_parse_cursor(const dg_bybit_reply_t *env, char *cursor,
                          size_t size);

/* Position rows gathered over the pages of /v5/position/list. */
typedef struct {
  dg_position_t *rows;
  size_t n, cap;
} dg_bybit_rows_t;

/* One page: every row appended to acc as (symbol, leg, signed amount):
 * amount = size x (+1 Buy, -1 Sell), 0 for side ""; positionIdx 0 is
 * DG_LEG_BOTH, 1 DG_LEG_LONG (a Sell row there is refused), 2
 * DG_LEG_SHORT (a Buy row refused). symbol (may be NULL): the one symbol
 * asked for; a row of another is refused. A symbol outside
 * dg_symbol_valid is refused. Returns 0, -1 with a reason in err. */
int dg_bybit_parse_positions_page(const dg_bybit_reply_t *env,
                                  const char *symbol, dg_bybit_rows_t *acc,
                                  char *err, size_t errlen);
/* The rows of every page as exchange.h wants them (and acc freed): sorted
 * by symbol then leg, a (symbol, leg) listed twice or a symbol in both
 * modes refused. symbol NULL: the nonzero rows; else that symbol's legs:
 * one BOTH row in one-way mode (also when the venue listed none), LONG
 * then SHORT in hedge mode (a leg not listed is flat), and *dual (may be
 * NULL) 1 in hedge mode. *out malloc'd (NULL when *n is 0). Returns 0, -1
 * with a reason. */
int dg_bybit_positions_finish(dg_bybit_rows_t *acc, const char *symbol,
                              dg_position_t **out, size_t *n, int *dual,
                              char *err, size_t errlen);

/* Instrument rules gathered over the pages of /v5/market/instruments-info. */
typedef struct {
  dg_symbol_rules_t *rules;
  size_t n, cap;
} dg_bybit_rules_t;
/* One page: step = lotSizeFilter.qtyStep, min_qty = minOrderQty, max_qty =
 * maxMktOrderQty (the market maximum: Bybit splits a larger reduce-only
 * order into several), in base coin (in_contracts 0, contract_value 1).
 * Instruments without a lotSizeFilter or a valid symbol are skipped; a
 * lotSizeFilter without those three decimals (or a step <= 0) fails the
 * page. Returns 0, -1 with a reason. */
int dg_bybit_parse_instruments_page(const dg_bybit_reply_t *env,
                                    dg_bybit_rules_t *acc, char *err,
                                    size_t errlen);

/* The first order of /v5/order/realtime or /v5/order/history: *found 0
 * when the list is empty (Bybit's "not found"). Bybit's orderStatus maps
 * to driftguard's words: New, Untriggered, Triggered -> NEW;
 * PartiallyFilled -> PARTIALLY_FILLED; Filled -> FILLED; Cancelled,
 * PartiallyFilledCanceled -> CANCELED; Deactivated -> EXPIRED; Rejected
 * -> REJECTED, or CANCELED when cumExecQty > 0 (a market order is an IOC:
 * both may carry fills). executed_qty is cumExecQty. Returns 0, -1 with a
 * reason (an unknown orderStatus included). */
int dg_bybit_parse_order_list(const dg_bybit_reply_t *env, dg_order_t *out,
                              int *found, char *err, size_t errlen);
/* result.orderId of /v5/order/create into order_id. Returns 0, -1. */
int dg_bybit_parse_create(const dg_bybit_reply_t *env, char *order_id,
                          size_t size, char *err, size_t errlen);

/* orderLinkId of a plan: "dgrc-" + 31 hex digits of SHA-256(plan_id), 36
 * characters. Returns 0, -1. */
int dg_bybit_client_order_id(const char *plan_id,
                             char out[DG_CLIENT_ORDER_ID_MAX + 1]);
/* 1 when s is a valid orderLinkId: 1 to 36 of [A-Za-z0-9_-]. */
int dg_bybit_valid_link_id(const char *s);

#endif
