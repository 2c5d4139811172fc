/* binance_parse.h - the pure half of the Binance USD-M futures driver.
 *
 * Everything here works on bytes already received (or about to be sent):
 * building and signing a request's parameter string, parsing replies
 * (positionRisk, exchangeInfo, order, server time, position mode, error
 * bodies) and mapping an HTTP reply to a dg_ex_result_t. No I/O, no clock:
 * "now" is a parameter, so every rule is unit-tested. */
#ifndef DRIFTGUARD_BINANCE_PARSE_H
#define DRIFTGUARD_BINANCE_PARSE_H

#include "driftguard/exchange.h"
#include "driftguard/query.h"

#include <stddef.h>
#include <stdint.h>

/* Without Retry-After, a 429 waits this long, a 418 without "banned until"
 * this long (bans start at 2 minutes). Futures replies do not reliably carry
 * Retry-After, so these defaults are the usual case. */
#define DG_BN_RATE_LIMIT_DEFAULT_MS INT64_C(60000)
#define DG_BN_BAN_DEFAULT_MS INT64_C(120000)

/* Binance error codes driftguard treats specially. */
#define DG_BN_ERR_TIMESTAMP (-1021)     /* outside recvWindow: re-sync */
#define DG_BN_ERR_UNKNOWN (-1006)       /* execution status unknown */
#define DG_BN_ERR_TIMEOUT (-1007)       /* backend timeout: status unknown */
#define DG_BN_ERR_BAD_SYMBOL (-1121)    /* invalid symbol */
#define DG_BN_ERR_NO_SUCH_ORDER (-2013) /* order does not exist */
#define DG_BN_ERR_DUPLICATE_CLIENT_ID (-4116) /* that clientOrderId exists */

/* Append "&signature=" + hex HMAC-SHA256(secret, text so far). Returns 0,
 * -1 when the query overflowed or signing failed. */
int dg_bn_query_sign(dg_query_t *q, const char *secret);

/* {"code":-2022,"msg":"..."}: returns 0 and fills code/msg, -1 if the body
 * is not such an object. */
int dg_bn_parse_error(const char *body, size_t len, int *code, char *msg,
                      size_t msglen);
/* The ms epoch in "... banned until 1746327239762 ...", 0 when absent. */
int64_t dg_bn_banned_until_ms(const char *msg);
/* A Retry-After value (delta-seconds or HTTP-date) as an absolute ms epoch,
 * 0 when empty or not understood. */
int64_t dg_bn_retry_after_ms(const char *value, int64_t now_ms);

/* An X-MBX-USED-WEIGHT-1M value as a number, -1 when it is not one. */
int dg_bn_parse_used_weight(const char *value);

/* Map an HTTP reply to a result (SPEC section 6):
 *   -1006/-1007 in the body (any status)        -> UNKNOWN
 *   429                                         -> RATE_LIMIT, retry_after_ms =
 *                         Retry-After, else now + DG_BN_RATE_LIMIT_DEFAULT_MS
 *   418                                         -> BANNED, ban_until_ms =
 *      "banned until <ms>", else Retry-After, else now + DG_BN_BAN_DEFAULT_MS
 *      (retry_after_ms is set to the same time)
 *   503 saying "Service Unavailable." or "Internal error; unable to
 *       process your request" (stated failures) -> SERVER
 *   other 5xx (Binance: execution status unknown, e.g. 503 "Unknown
 *       error", a gateway's 500/502/504)        -> UNKNOWN (the driver makes
 *                                                  that SERVER for reads)
 *   other 4xx                                   -> REFUSED (code/msg kept;
 *                                                  code 0 without JSON body)
 *   2xx with an error object (negative code)    -> REFUSED
 *   2xx                                         -> OK (body still to parse)
 *   anything else (1xx, 3xx: not followed)      -> BAD_REPLY
 * not_executed is set only when the body is a well-formed error object and
 * Binance documents the answer as a rejection: a 4xx (429 and 418
 * included) or a 503 stating a failure, except -1021 (the request is
 * resent after a clock re-sync: the exchange is asked first) and -4116
 * (an order with that client id exists). A 2xx carrying an error, a
 * gateway's page, an unknown status: not_executed stays 0.
 * http_status, code, reason (the dg_ex_reason_t of -2013, -1021, -4116 and
 * -1121) and msg are always filled; rate_used is left alone.
 * Returns res->status. */
dg_ex_status_t dg_bn_classify_reply(long http_status, const char *body,
                                    size_t len, const char *retry_after,
                                    int64_t now_ms, dg_ex_result_t *res);

/* {"serverTime": ms}. Returns 0, -1 on a bad body. */
int dg_bn_parse_server_time(const char *body, size_t len, int64_t *out);
/* {"dualSidePosition": true|false}. Returns 0, -1 on a bad body. */
int dg_bn_parse_dual_side(const char *body, size_t len, int *dual);

/* positionRisk (v2 or v3) array. Entries with a zero amount are dropped
 * (v2 lists every symbol); a nonzero LONG/SHORT entry (hedge mode) is an
 * error. When symbol is not NULL only that symbol is kept and *n is always
 * 1 (amount 0 when the exchange omitted it). *out is malloc'd (NULL when
 * *n is 0), sorted by symbol; a symbol listed twice is an error. Returns
 * 0, -1 with a reason in err. */
int dg_bn_parse_positions(const char *body, size_t len, const char *symbol,
                          dg_position_t **out, size_t *n, char *err,
                          size_t errlen);

/* exchangeInfo: every symbol with a MARKET_LOT_SIZE filter (symbols
 * without one are skipped). *out is malloc'd. Returns 0, -1 with a reason. */
int dg_bn_parse_exchange_info(const char *body, size_t len,
                              dg_symbol_rules_t **out, size_t *n, char *err,
                              size_t errlen);

/* An order object (POST /fapi/v1/order with RESULT, GET /fapi/v1/order).
 * Returns 0, -1 with a reason in err. */
int dg_bn_parse_order(const char *body, size_t len, dg_order_t *out, char *err,
                      size_t errlen);

/* newClientOrderId of a plan: "dgrc-" + 31 hex digits of SHA-256(plan_id),
 * 36 characters. Returns 0, -1 on failure. */
int dg_bn_client_order_id(const char *plan_id,
                          char out[DG_CLIENT_ORDER_ID_MAX + 1]);

/* 1 when s is a valid newClientOrderId (^[.A-Z:/a-z0-9_-]{1,36}$). */
int dg_bn_valid_client_order_id(const char *s);

#endif
