/* Unit tests for binance_parse.c: the signed parameter string, the reply
 * parsers and the HTTP reply -> outcome mapping of SPEC section 6. */
#include "../tap.h"
#include "driftguard/binance_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW INT64_C(1700000000000)
#define USDM_SECRET                                                            \
  "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"

static void test_query(void) {
  dg_query_t q;
  dg_query_init(&q);
  dg_query_add(&q, "symbol", "BTCUSDT");
  dg_query_add(&q, "side", "BUY");
  dg_query_add(&q, "type", "LIMIT");
  dg_query_add(&q, "quantity", "1");
  dg_query_add(&q, "price", "9000");
  dg_query_add(&q, "timeInForce", "GTC");
  dg_query_add_i64(&q, "recvWindow", 5000);
  dg_query_add_i64(&q, "timestamp", INT64_C(1591702613943));
  is_str(q.buf,
         "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&"
         "timeInForce=GTC&recvWindow=5000&timestamp=1591702613943",
         "query: parameters joined in order");
  ok(dg_bn_query_sign(&q, USDM_SECRET) == 0, "query: signed");
  is_str(q.buf,
         "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&"
         "timeInForce=GTC&recvWindow=5000&timestamp=1591702613943&signature="
         "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9",
         "query: USD-M documented signing vector");

  dg_query_init(&q);
  dg_query_add(&q, "newClientOrderId", "a:b/c d.e_f-g~");
  is_str(q.buf, "newClientOrderId=a%3Ab%2Fc%20d.e_f-g~",
         "query: values percent-encoded outside RFC 3986 unreserved");

  dg_query_init(&q);
  for (int i = 0; i < 200; i++)
    dg_query_add(&q, "k", "vvvvvvvv");
  ok(q.overflow && strlen(q.buf) < DG_QUERY_MAX,
     "query: overflow flagged, buffer intact");
  ok(dg_bn_query_sign(&q, USDM_SECRET) == -1,
     "query: an overflowed query is never signed");
}

static void test_error_body(void) {
  int code = 0;
  char msg[64];
  const char *body =
      "{\"code\":-2022,\"msg\":\"ReduceOnly Order is rejected.\"}";
  ok(dg_bn_parse_error(body, strlen(body), &code, msg, sizeof(msg)) == 0 &&
         code == -2022,
     "error body: code");
  is_str(msg, "ReduceOnly Order is rejected.", "error body: msg");
  body = "{\"code\":\"-1\",\"msg\":\"x\"}";
  ok(dg_bn_parse_error(body, strlen(body), &code, msg, sizeof(msg)) == -1,
     "error body: string code refused");
  body = "<html>502 Bad Gateway</html>";
  ok(dg_bn_parse_error(body, strlen(body), &code, msg, sizeof(msg)) == -1,
     "error body: HTML refused");
  body = "{\"code\":-1,\"msg\":\"x\"} trailing";
  ok(dg_bn_parse_error(body, strlen(body), &code, msg, sizeof(msg)) == -1,
     "error body: trailing garbage refused");
}

static void test_limits(void) {
  ok(dg_bn_banned_until_ms("Way too many requests; IP(1.2.3.4) banned until "
                           "1746327239762. Please use the websocket.") ==
         INT64_C(1746327239762),
     "banned until: ms epoch extracted");
  ok(dg_bn_banned_until_ms("Too many requests.") == 0,
     "banned until: absent -> 0");
  ok(dg_bn_banned_until_ms("banned until soon") == 0,
     "banned until: no digits -> 0");
  ok(dg_bn_retry_after_ms("7", NOW) == NOW + 7000,
     "Retry-After: delta seconds");
  ok(dg_bn_retry_after_ms(" 0 ", NOW) == NOW, "Retry-After: spaces, zero");
  ok(dg_bn_retry_after_ms("", NOW) == 0, "Retry-After: empty -> 0");
  ok(dg_bn_retry_after_ms("12x", NOW) == 0, "Retry-After: garbage -> 0");
  ok(dg_bn_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", NOW) ==
         INT64_C(1445412480000),
     "Retry-After: HTTP-date");
}

/* Classify and return the result, for compact checks. */
static dg_ex_result_t classify(long http, const char *body,
                               const char *retry_after) {
  dg_ex_result_t r;
  memset(&r, 0, sizeof(r));
  r.rate_used = -1;
  dg_bn_classify_reply(http, body, strlen(body), retry_after, NOW, &r);
  return r;
}

static void test_classify(void) {
  dg_ex_result_t r;

  r = classify(200, "{\"serverTime\":1}", "");
  ok(r.status == DG_EX_OK && r.http_status == 200 && r.code == 0,
     "classify: 200 -> ok");
  r = classify(200, "{\"code\":-1021,\"msg\":\"Timestamp outside\"}", "");
  ok(r.status == DG_EX_REFUSED && r.code == -1021,
     "classify: 200 with an error object -> refused");
  r = classify(200, "\r\n {\"code\":-1022,\"msg\":\"Signature\"}\n", "");
  ok(r.status == DG_EX_REFUSED && r.code == -1022,
     "classify: 200 with an error object after white space -> refused");
  r = classify(200, "[{\"code\":-1021,\"msg\":\"x\"}]", "");
  ok(r.status == DG_EX_OK && r.code == 0,
     "classify: 200 array (positionRisk) -> ok, left to its parser");
  r = classify(
      400, "{\"code\":-2022,\"msg\":\"ReduceOnly Order is rejected.\"}", "");
  ok(r.status == DG_EX_REFUSED && r.code == -2022 && r.http_status == 400,
     "classify: 400 -2022 -> refused with the code");
  is_str(r.msg, "ReduceOnly Order is rejected.", "classify: exchange msg kept");
  r = classify(404, "<html>Not Found</html>", "");
  ok(r.status == DG_EX_REFUSED && r.code == 0 && r.http_status == 404,
     "classify: 404 without JSON -> refused, code 0");
  is_str(r.msg, "HTTP 404: <html>Not Found</html>",
         "classify: non-JSON body quoted in msg");

  r = classify(429, "{\"code\":-1003,\"msg\":\"Too many requests.\"}", "");
  ok(r.status == DG_EX_RATE_LIMIT &&
         r.retry_after_ms == NOW + DG_BN_RATE_LIMIT_DEFAULT_MS &&
         r.code == -1003,
     "classify: 429 without Retry-After -> now + 60 s");
  r = classify(429, "", "7");
  ok(r.status == DG_EX_RATE_LIMIT && r.retry_after_ms == NOW + 7000,
     "classify: 429 honours Retry-After");

  r = classify(418,
               "{\"code\":-1003,\"msg\":\"Way too many requests; IP(1.2.3.4) "
               "banned until 1746327239762. Please use the websocket.\"}",
               "30");
  ok(r.status == DG_EX_BANNED && r.ban_until_ms == INT64_C(1746327239762) &&
         r.retry_after_ms == INT64_C(1746327239762),
     "classify: 418 -> banned until the message's time (over Retry-After)");
  r = classify(418, "{\"code\":-1003,\"msg\":\"banned\"}", "30");
  ok(r.status == DG_EX_BANNED && r.ban_until_ms == NOW + 30000,
     "classify: 418 without a time -> Retry-After");
  r = classify(418, "", "");
  ok(r.status == DG_EX_BANNED && r.ban_until_ms == NOW + DG_BN_BAN_DEFAULT_MS,
     "classify: 418 bare -> now + 120 s");

  r = classify(503,
               "{\"code\":-1000,\"msg\":\"Unknown error, please check your "
               "request or try again later.\"}",
               "");
  ok(r.status == DG_EX_UNKNOWN, "classify: 503 Unknown error -> unknown");
  r = classify(503, "Unknown error, please check your request", "");
  ok(r.status == DG_EX_UNKNOWN,
     "classify: 503 Unknown error as plain text -> unknown");
  r = classify(503, "{\"code\":-1001,\"msg\":\"Service Unavailable.\"}", "");
  ok(r.status == DG_EX_SERVER, "classify: 503 Service Unavailable -> server");
  r = classify(503,
               "{\"code\":-1001,\"msg\":\"Internal error; unable to process "
               "your request. Please try again.\"}",
               "");
  ok(r.status == DG_EX_SERVER, "classify: 503 internal error -> server");
  /* Binance: any other 5xx leaves the execution status unknown. */
  r = classify(500,
               "{\"code\":-1001,\"msg\":\"Internal error; unable to process "
               "your request. Please try again.\"}",
               "");
  ok(r.status == DG_EX_UNKNOWN, "classify: 500 even saying internal error -> "
                                "unknown (only a 503 states a failure)");
  r = classify(500,
               "{\"code\":-1000,\"msg\":\"An unknown error occurred "
               "while processing the request.\"}",
               "");
  ok(r.status == DG_EX_UNKNOWN && r.code == -1000,
     "classify: 500 unknown error -> unknown");
  r = classify(502, "<html>Bad Gateway</html>", "");
  ok(r.status == DG_EX_UNKNOWN && r.code == 0, "classify: 502 HTML -> unknown");
  r = classify(504, "", "");
  ok(r.status == DG_EX_UNKNOWN && strstr(r.msg, "HTTP 504") != NULL,
     "classify: 504 without a body -> unknown");
  r = classify(503, "Service Unavailable", "");
  ok(r.status == DG_EX_UNKNOWN,
     "classify: 503 without the documented message -> unknown");
  r = classify(500, "{\"code\":-1006,\"msg\":\"Unexpected response\"}", "");
  ok(r.status == DG_EX_UNKNOWN && r.code == -1006,
     "classify: -1006 -> unknown");
  r = classify(408, "{\"code\":-1007,\"msg\":\"Timeout waiting\"}", "");
  ok(r.status == DG_EX_UNKNOWN && r.code == -1007,
     "classify: -1007 on a 4xx -> unknown");
  r = classify(302, "", "");
  ok(r.status == DG_EX_BAD_REPLY, "classify: redirect (not followed) -> bad");
}

/* Which answers prove an order was not executed: only a documented
 * refusal with a well-formed error body. */
/* The codes the core acts on reach it as venue-neutral reasons. */
static void test_reasons(void) {
  static const struct {
    long http;
    const char *body;
    dg_ex_reason_t reason;
  } cases[] = {
      {400, "{\"code\":-2013,\"msg\":\"Order does not exist.\"}",
       DG_EX_REASON_ORDER_NOT_FOUND},
      {400, "{\"code\":-1021,\"msg\":\"Timestamp outside\"}",
       DG_EX_REASON_CLOCK_SKEW},
      {200, "{\"code\":-1021,\"msg\":\"Timestamp outside\"}",
       DG_EX_REASON_CLOCK_SKEW},
      {400, "{\"code\":-4116,\"msg\":\"ClientOrderId is duplicated.\"}",
       DG_EX_REASON_DUPLICATE_CLIENT_ID},
      {400, "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}",
       DG_EX_REASON_UNKNOWN_SYMBOL},
      {400, "{\"code\":-2022,\"msg\":\"ReduceOnly Order is rejected.\"}",
       DG_EX_REASON_NONE},
      {404, "<html>Not Found</html>", DG_EX_REASON_NONE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    dg_ex_result_t r = classify(cases[i].http, cases[i].body, "");
    ok(r.status == DG_EX_REFUSED && r.reason == cases[i].reason &&
           r.rate_used == -1,
       "reason: HTTP %ld %s -> %s", cases[i].http, cases[i].body,
       dg_ex_reason_name(cases[i].reason));
  }
  ok(dg_bn_parse_used_weight("1234") == 1234, "used weight: a number");
  ok(dg_bn_parse_used_weight("") == -1, "used weight: empty");
  ok(dg_bn_parse_used_weight("12x") == -1, "used weight: trailing garbage");
  ok(dg_bn_parse_used_weight("-3") == -1, "used weight: negative");
}

static void test_not_executed(void) {
  static const struct {
    long http;
    const char *body;
    int not_executed;
    const char *name;
  } cases[] = {
      {400, "{\"code\":-2022,\"msg\":\"ReduceOnly Order is rejected.\"}", 1,
       "400 -2022"},
      {400, "{\"code\":-1022,\"msg\":\"Signature\"}", 1, "400 -1022"},
      {429, "{\"code\":-1003,\"msg\":\"Too many requests.\"}", 1,
       "429 with its error body"},
      {418, "{\"code\":-1003,\"msg\":\"banned until 1746327239762\"}", 1,
       "418 with its error body"},
      {503, "{\"code\":-1001,\"msg\":\"Service Unavailable.\"}", 1,
       "503 Service Unavailable. as an error object"},
      {400, "{\"code\":-1021,\"msg\":\"Timestamp outside\"}", 0,
       "400 -1021 (resent after a re-sync: ask first)"},
      {400, "{\"code\":-4116,\"msg\":\"ClientOrderId is duplicated.\"}", 0,
       "400 -4116 (an order with the id exists)"},
      {200, "{\"code\":-2022,\"msg\":\"ReduceOnly Order is rejected.\"}", 0,
       "200 carrying an error"},
      {400, "<html>Bad Request</html>", 0, "400 HTML page"},
      {400, "{\"code\":-2022}", 0, "400 error object without msg"},
      {429, "", 0, "429 without a body"},
      {503, "Service Unavailable.", 0, "503 as plain text"},
      {502, "<html>Bad Gateway</html>", 0, "502"},
      {408, "{\"code\":-1007,\"msg\":\"Timeout waiting\"}", 0, "-1007"},
      {200, "{\"orderId\":1}", 0, "200 acceptance (not a refusal)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    dg_ex_result_t r = classify(cases[i].http, cases[i].body, "");
    char name[128];
    snprintf(name, sizeof name, "not executed: %s -> %d", cases[i].name,
             cases[i].not_executed);
    ok(r.not_executed == cases[i].not_executed, "%s", name);
  }
}

static void test_positions(void) {
  const char *body = "[{\"symbol\":\"BTCUSDT\",\"positionSide\":\"BOTH\","
                     "\"positionAmt\":\"0.007\",\"entryPrice\":\"60000.1\"},"
                     "{\"symbol\":\"ETHUSDT\",\"positionSide\":\"BOTH\","
                     "\"positionAmt\":\"-1.500\"},"
                     "{\"symbol\":\"XRPUSDT\",\"positionSide\":\"BOTH\","
                     "\"positionAmt\":\"0.0\"}]";
  dg_position_t *p = NULL;
  size_t n = 0;
  char err[128], txt[DG_DEC_STRLEN];

  ok(dg_bn_parse_positions(body, strlen(body), NULL, &p, &n, err,
                           sizeof(err)) == 0 &&
         n == 2,
     "positions: two open, the zero one dropped");
  if (n == 2) {
    is_str(p[0].symbol, "BTCUSDT", "positions: first symbol");
    dg_dec_format(p[0].amt, txt, sizeof(txt));
    is_str(txt, "0.007", "positions: exact positionAmt");
    dg_dec_format(p[1].amt, txt, sizeof(txt));
    is_str(txt, "-1.5", "positions: short is negative");
  }
  free(p);

  ok(dg_bn_parse_positions(body, strlen(body), "ETHUSDT", &p, &n, err,
                           sizeof(err)) == 0 &&
         n == 1 && strcmp(p[0].symbol, "ETHUSDT") == 0 &&
         p[0].amt.units == -150000000,
     "positions: one symbol filtered");
  free(p);
  ok(dg_bn_parse_positions(body, strlen(body), "SOLUSDT", &p, &n, err,
                           sizeof(err)) == 0 &&
         n == 1 && strcmp(p[0].symbol, "SOLUSDT") == 0 &&
         dg_dec_is_zero(p[0].amt),
     "positions: an omitted symbol is flat");
  free(p);
  ok(dg_bn_parse_positions("[]", 2, NULL, &p, &n, err, sizeof(err)) == 0 &&
         n == 0 && p == NULL,
     "positions: empty array -> none");

  body = "[{\"symbol\":\"BTCUSDT\",\"positionSide\":\"LONG\","
         "\"positionAmt\":\"0.010\"}]";
  ok(dg_bn_parse_positions(body, strlen(body), NULL, &p, &n, err,
                           sizeof(err)) == -1 &&
         strstr(err, "hedge") != NULL,
     "positions: hedge-mode entry refused");
  body = "[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"1e-3\"}]";
  ok(dg_bn_parse_positions(body, strlen(body), NULL, &p, &n, err,
                           sizeof(err)) == -1,
     "positions: non-decimal amount refused");
  body = "[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"1\"},"
         "{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"2\"}]";
  ok(dg_bn_parse_positions(body, strlen(body), NULL, &p, &n, err,
                           sizeof(err)) == -1,
     "positions: symbol listed twice refused");
  body = "{\"code\":-2015,\"msg\":\"Invalid API-key\"}";
  ok(dg_bn_parse_positions(body, strlen(body), NULL, &p, &n, err,
                           sizeof(err)) == -1,
     "positions: an object is not a position list");
  ok(dg_bn_parse_positions("[", 1, NULL, &p, &n, err, sizeof(err)) == -1,
     "positions: truncated JSON refused");
}

/* positionRisk (json-c, strict): any valid JSON the exchange may send is
 * read, what is not JSON is refused. */
static void test_positions_json(void) {
  dg_position_t *p = NULL;
  size_t n = 0;
  char err[128], txt[DG_DEC_STRLEN];
  const char *body =
      " [ {\"symbol\" : \"XRPUSDT\", \"positionAmt\": 12.5, \"x\": null,"
      "\"y\": [true, false, {\"a\": [1, -2.5e+3, \"q\\\"\\u00e9\\n\"]}],"
      "\"positionSide\":\"BOTH\"},\r\n"
      "{\"notional\":\"0\",\"symbol\":\"ADAUSDT\",\"positionAmt\":\"-3\"},"
      "{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"0.007\",\"isolated\":{}}"
      "]\n";
  ok(dg_bn_parse_positions(body, strlen(body), NULL, &p, &n, err,
                           sizeof(err)) == 0 &&
         n == 3,
     "positionRisk: white space, nested values, escapes and literals skipped");
  if (n == 3) {
    is_str(p[0].symbol, "ADAUSDT", "positionRisk: sorted by symbol (1)");
    is_str(p[1].symbol, "BTCUSDT", "positionRisk: sorted by symbol (2)");
    dg_dec_format(p[2].amt, txt, sizeof(txt));
    is_str(txt, "12.5", "positionRisk: a JSON number amount is exact");
  }
  free(p);

  static const struct {
    const char *body, *why;
  } bad[] = {
      {"[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"1\"}] x", "trailing bytes"},
      {"[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"1\"},]", "trailing comma"},
      {"[{\"symbol\":\"BTCUSDT\" \"positionAmt\":\"1\"}]", "missing comma"},
      {"[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"1\",\"m\":\"\\x\"}]",
       "bad escape elsewhere"},
      {"[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"1\",\"m\":01}]",
       "number with a leading zero"},
      {"[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"1\",\"m\":tru}]",
       "bad literal"},
      {"[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"1\",\"m\":[[[[[[[[[[[[[["
       "[[[[[[]]]]]]]]]]]]]]]]]]]}]",
       "nesting too deep"},
      {"[{\"symbol\":7,\"positionAmt\":\"1\"}]", "numeric symbol"},
      {"[{\"symbol\":\"BTC&USDT\",\"positionAmt\":\"1\"}]", "not a symbol"},
      {"[{\"symbol\":\"AUSDT\",\"positionAmt\":\"1\"},"
       "{\"symbol\":\"BUSDT\",\"positionAmt\":\"1\"},"
       "{\"symbol\":\"AUSDT\",\"positionAmt\":\"2\"}]",
       "symbol listed twice, apart"},
      {"[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"0\"},"
       "{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"0.014\"}]",
       "symbol listed twice, the first row flat"},
      {"[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"0.014\"},"
       "{\"symbol\":\"ETHUSDT\",\"positionAmt\":\"1\"},"
       "{\"symbol\":\"BTCUSDT\",\"positionSide\":\"BOTH\","
       "\"positionAmt\":\"0.000\"}]",
       "symbol listed twice, the last row flat"},
      {"[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"0\"},"
       "{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"0\"}]",
       "symbol listed twice, both rows flat"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    p = NULL;
    ok(dg_bn_parse_positions(bad[i].body, strlen(bad[i].body), NULL, &p, &n,
                             err, sizeof(err)) == -1 &&
           p == NULL,
       "positionRisk: refused: %s", bad[i].why);
    p = NULL;
    ok(dg_bn_parse_positions(bad[i].body, strlen(bad[i].body), "BTCUSDT", &p,
                             &n, err, sizeof(err)) == -1 &&
           p == NULL,
       "positionRisk for BTCUSDT: refused: %s", bad[i].why);
  }

  /* A hedge-mode account's flat legs are two rows of one symbol, not a
   * duplicate: flat. */
  body = "[{\"symbol\":\"BTCUSDT\",\"positionSide\":\"LONG\","
         "\"positionAmt\":\"0\"},"
         "{\"symbol\":\"BTCUSDT\",\"positionSide\":\"SHORT\","
         "\"positionAmt\":\"0\"}]";
  p = NULL;
  ok(dg_bn_parse_positions(body, strlen(body), NULL, &p, &n, err,
                           sizeof(err)) == 0 &&
         n == 0 && p == NULL,
     "positionRisk: flat LONG and SHORT legs of one symbol -> none open");
  free(p);
  body = "[{\"symbol\":\"BTCUSDT\",\"positionSide\":\"LONG\","
         "\"positionAmt\":\"0\"},"
         "{\"symbol\":\"BTCUSDT\",\"positionSide\":\"LONG\","
         "\"positionAmt\":\"0\"}]";
  ok(dg_bn_parse_positions(body, strlen(body), NULL, &p, &n, err,
                           sizeof(err)) == -1 &&
         strstr(err, "listed twice") != NULL,
     "positionRisk: one hedge leg listed twice refused");
}

static void test_exchange_info(void) {
  const char *body =
      "{\"timezone\":\"UTC\",\"symbols\":["
      "{\"symbol\":\"BTCUSDT\",\"quantityPrecision\":3,\"filters\":["
      "{\"filterType\":\"LOT_SIZE\",\"stepSize\":\"0.100\",\"minQty\":\"0.1\","
      "\"maxQty\":\"1000\"},"
      "{\"filterType\":\"MARKET_LOT_SIZE\",\"stepSize\":\"0.001\","
      "\"minQty\":\"0.002\",\"maxQty\":\"120\"}]},"
      "{\"symbol\":\"OLDUSDT\",\"filters\":[{\"filterType\":\"LOT_SIZE\","
      "\"stepSize\":\"1\",\"minQty\":\"1\",\"maxQty\":\"10\"}]}]}";
  dg_symbol_rules_t *r = NULL;
  size_t n = 0;
  char err[128], txt[DG_DEC_STRLEN];

  ok(dg_bn_parse_exchange_info(body, strlen(body), &r, &n, err, sizeof(err)) ==
             0 &&
         n == 1,
     "exchangeInfo: symbols without MARKET_LOT_SIZE skipped");
  if (n == 1) {
    is_str(r[0].symbol, "BTCUSDT", "exchangeInfo: symbol");
    dg_dec_format(r[0].step, txt, sizeof(txt));
    is_str(txt, "0.001", "exchangeInfo: MARKET_LOT_SIZE step, not LOT_SIZE");
    dg_dec_format(r[0].min_qty, txt, sizeof(txt));
    is_str(txt, "0.002", "exchangeInfo: minQty");
    dg_dec_format(r[0].max_qty, txt, sizeof(txt));
    is_str(txt, "120", "exchangeInfo: maxQty");
  }
  free(r);
  body = "{\"symbols\":[{\"symbol\":\"BTCUSDT\",\"filters\":[{\"filterType\":"
         "\"MARKET_LOT_SIZE\",\"stepSize\":\"0\",\"minQty\":\"1\","
         "\"maxQty\":\"2\"}]}]}";
  ok(dg_bn_parse_exchange_info(body, strlen(body), &r, &n, err, sizeof(err)) ==
         -1,
     "exchangeInfo: zero step refused");
  ok(dg_bn_parse_exchange_info("{}", 2, &r, &n, err, sizeof(err)) == -1,
     "exchangeInfo: no symbols array refused");
}

static void test_order(void) {
  const char *body =
      "{\"orderId\":11961912854,\"symbol\":\"BTCUSDT\",\"status\":\"FILLED\","
      "\"clientOrderId\":\"dgrc-0123456789abcdef0123456789abcde\","
      "\"price\":\"0\",\"avgPrice\":\"60000.10\",\"origQty\":\"0.007\","
      "\"executedQty\":\"0.007\",\"cumQuote\":\"420.0007\","
      "\"timeInForce\":\"GTC\",\"type\":\"MARKET\",\"reduceOnly\":true,"
      "\"closePosition\":false,\"side\":\"SELL\",\"positionSide\":\"BOTH\","
      "\"updateTime\":1700000000000}";
  dg_order_t o;
  char err[128];

  ok(dg_bn_parse_order(body, strlen(body), &o, err, sizeof(err)) == 0,
     "order: RESULT reply parsed");
  is_str(o.order_id, "11961912854", "order: 64-bit orderId, as text");
  ok(dg_order_id_valid("11961912854") &&
         dg_order_id_valid("fd4300ae-7847-404e-b947-b46980a4d140") &&
         !dg_order_id_valid("") && !dg_order_id_valid("1 2") &&
         !dg_order_id_valid("a\"b") && !dg_order_id_valid(NULL),
     "order ids: numbers and UUIDs, no blanks, quotes or empty ones");
  is_str(o.client_order_id, "dgrc-0123456789abcdef0123456789abcde",
         "order: clientOrderId");
  is_str(o.status, "FILLED", "order: status");
  is_str(o.side, "SELL", "order: side");
  ok(o.executed_qty.units == 700000 && o.orig_qty.units == 700000 &&
         o.reduce_only == 1,
     "order: quantities exact, reduceOnly");
  body = "{\"symbol\":\"BTCUSDT\",\"status\":\"FILLED\"}";
  ok(dg_bn_parse_order(body, strlen(body), &o, err, sizeof(err)) == -1,
     "order: missing fields refused");
}

static void test_small_replies(void) {
  int64_t t = 0;
  int dual = -1;
  ok(dg_bn_parse_server_time("{\"serverTime\":1700000000123}", 28, &t) == 0 &&
         t == INT64_C(1700000000123),
     "serverTime parsed");
  ok(dg_bn_parse_server_time("{\"serverTime\":\"1\"}", 18, &t) == -1,
     "serverTime as a string refused");
  ok(dg_bn_parse_dual_side("{\"dualSidePosition\":true}", 25, &dual) == 0 &&
         dual == 1,
     "dualSidePosition true");
  ok(dg_bn_parse_dual_side("{\"dualSidePosition\":false}", 26, &dual) == 0 &&
         dual == 0,
     "dualSidePosition false");
  ok(dg_bn_parse_dual_side("{}", 2, &dual) == -1, "dualSidePosition missing");
}

static void test_validation(void) {
  ok(dg_symbol_valid("BTCUSDT", 7) && !dg_symbol_valid("btcusdt", 7) &&
         !dg_symbol_valid("", 0) && !dg_symbol_valid("BTC&USDT", 8),
     "symbol validation");
  ok(dg_bn_valid_client_order_id("dgrc-abc:1/2.3_4") &&
         !dg_bn_valid_client_order_id("") &&
         !dg_bn_valid_client_order_id("a b") &&
         !dg_bn_valid_client_order_id("0123456789012345678901234567890123456"),
     "newClientOrderId validation (1 to 36 of [.A-Z:/a-z0-9_-])");
}

/* The Binance driver's deterministic client order id, unchanged since the
 * first version (a changed id would lose track of orders in flight). */
static void test_client_order_id(void) {
  char id[DG_CLIENT_ORDER_ID_MAX + 1], again[DG_CLIENT_ORDER_ID_MAX + 1];
  size_t good = 0;

  /* printf 'reconclose:BTCUSDT:416d86940859:14744826' | sha256sum */
  ok(dg_bn_client_order_id("reconclose:BTCUSDT:416d86940859:14744826", id) == 0,
     "client order id computed");
  is_str(id, "dgrc-75007c7b10fc9c78dfb18cbc2c10c78",
         "client order id = dgrc- + 31 hex of sha256(plan_id)");
  ok(strlen(id) == 36, "client order id is 36 characters");
  for (size_t i = 0; id[i] != '\0'; i++)
    good += strchr(".ABCDEFGHIJKLMNOPQRSTUVWXYZ:/abcdefghijklmnopqrstuvwxyz"
                   "0123456789_-",
                   id[i]) != NULL;
  ok(good == strlen(id), "client order id matches ^[.A-Z:/a-z0-9_-]{1,36}$");
  ok(dg_bn_client_order_id("reconclose:BTCUSDT:416d86940859:14744827", again) ==
             0 &&
         strcmp(id, again) != 0,
     "another plan has another client order id");
  ok(dg_bn_client_order_id(NULL, id) == -1, "NULL plan_id refused");
}

/* The executor asks the exchange handle, which asks its driver. */
static void test_client_order_id_by_handle(void) {
  dg_exchange_opts_t o = {
      .url = "http://127.0.0.1:9", .api_key = "k", .api_secret = "s"};
  char err[256], id[DG_CLIENT_ORDER_ID_MAX + 1];
  dg_exchange_t *ex;
  ok(dg_exchange_global_init() == 0, "HTTP stack initialised");
  ex = dg_exchange_new("binance-usdm", &o, err, sizeof(err));
  ok(ex != NULL && dg_exchange_client_order_id(
                       ex, "reconclose:BTCUSDT:416d86940859:14744826", id) == 0,
     "client order id from the binance-usdm handle");
  is_str(ex != NULL ? id : "", "dgrc-75007c7b10fc9c78dfb18cbc2c10c78",
         "the handle gives the driver's id");
  dg_exchange_free(ex);
  ok(dg_exchange_new("no-such-venue", &o, err, sizeof(err)) == NULL &&
         strstr(err, "unknown driver \"no-such-venue\" (known: "
                     "binance-usdm, bybit-linear") != NULL,
     "an unknown driver name lists the known ones: %s", err);
  o.api_passphrase = "OKX-PASSPHRASE";
  ex = dg_exchange_new("binance-usdm", &o, err, sizeof(err));
  ok(ex == NULL && strstr(err, "third line") != NULL &&
         strstr(err, "OKX-PASSPHRASE") == NULL,
     "a key with a passphrase is refused for Binance, without echoing it");
  dg_exchange_free(ex);
  dg_exchange_global_cleanup();
}

int main(void) {
  test_query();
  test_error_body();
  test_limits();
  test_classify();
  test_reasons();
  test_not_executed();
  test_positions();
  test_positions_json();
  test_exchange_info();
  test_order();
  test_small_replies();
  test_validation();
  test_client_order_id();
  test_client_order_id_by_handle();
  return tap_done();
}
