/* Unit tests for bybit_parse.c: the signing vectors of notes/exchanges.md
 * section 1, the close's exact body, the reply -> outcome table of notes
 * 1.2, and the parsers of positions (legs, paging, refusals), instruments,
 * orders and the server time. */
#include "../tap.h"
#include "driftguard/bybit_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW INT64_C(1700000000000)
#define VKEY "test_api_key"
#define VSECRET "test_secret"
#define VTS INT64_C(1700000000000)

static dg_dec_t dec(const char *s) {
  dg_dec_t d = DG_DEC_ZERO;
  dg_dec_parse(s, &d);
  return d;
}

static const char *dec_text(dg_dec_t d) {
  static char buf[4][DG_DEC_STRLEN];
  static int i;
  i = (i + 1) % 4;
  dg_dec_format(d, buf[i], sizeof(buf[i]));
  return buf[i];
}

static void test_signing(void) {
  char sig[DG_SHA256_HEXLEN + 1], body[DG_BYBIT_BODY_MAX], err[128];
  ok(dg_bybit_sign(VSECRET, VTS, VKEY, 5000, "category=linear&symbol=BTCUSDT",
                   sig) == 0,
     "sign: GET");
  is_str(sig,
         "fd4f31228a46109dc6673062328693696df9a96c7ff04e6491a45e7f63a0fdd7",
         "sign: GET vector (nautilus's, reproduced with openssl)");
  dg_bybit_sign(VSECRET, VTS, VKEY, 5000,
                "{\"category\": \"linear\", \"symbol\": \"BTCUSDT\", "
                "\"orderLinkId\": \"test-order-1\"}",
                sig);
  is_str(sig,
         "2df4a0603d69c08d5dea29ba85b46eb7db64ce9e9ebd34a7802a3d69700cb2a1",
         "sign: POST vector (the raw body bytes)");
  dg_bybit_sign(VSECRET, VTS, VKEY, 5000,
                "category=linear&settleCoin=USDT&limit=200", sig);
  is_str(sig,
         "f2e3d8ecaefdf743ea18874927c6c4340118c9435663acfdc1375256f963760c",
         "sign: the positions listing vector");

  ok(dg_bybit_close_body("BTCUSDT", "SELL", DG_LEG_BOTH, dec("0.001"),
                         "dgrc-0123456789abcdef0123456789abcde", body,
                         sizeof(body), err, sizeof(err)) == 0,
     "close body: built");
  is_str(body,
         "{\"category\":\"linear\",\"symbol\":\"BTCUSDT\",\"side\":\"Sell\","
         "\"orderType\":\"Market\",\"qty\":\"0.001\",\"reduceOnly\":true,"
         "\"positionIdx\":0,\"orderLinkId\":"
         "\"dgrc-0123456789abcdef0123456789abcde\"}",
         "close body: the notes' bytes");
  dg_bybit_sign(VSECRET, VTS, VKEY, 5000, body, sig);
  is_str(sig,
         "a095cfda096223a4cf607ef317c3a105bc07adb58020cdfdd4b6cbbc028fdbfe",
         "sign: the close-order vector over the body built");
  dg_bybit_sign(VSECRET, VTS, VKEY, 10000, body, sig);
  ok(strcmp(sig, "a095cfda096223a4cf607ef317c3a105bc07adb58020cdfdd4b6cbbc0"
                 "28fdbfe") != 0,
     "sign: the recv window is signed");
}

static void test_close_body(void) {
  char body[DG_BYBIT_BODY_MAX], err[128];
  ok(dg_bybit_close_body("ETHUSDT", "SELL", DG_LEG_LONG, dec("2.5"), "a-1",
                         body, sizeof(body), err, sizeof(err)) == 0 &&
         strstr(body, "\"side\":\"Sell\"") &&
         strstr(body, "\"positionIdx\":1,"),
     "close body: the LONG leg closes with Sell on positionIdx 1");
  ok(dg_bybit_close_body("ETHUSDT", "BUY", DG_LEG_SHORT, dec("2.5"), "a-1",
                         body, sizeof(body), err, sizeof(err)) == 0 &&
         strstr(body, "\"side\":\"Buy\"") &&
         strstr(body, "\"positionIdx\":2,") && strstr(body, "\"qty\":\"2.5\""),
     "close body: the SHORT leg closes with Buy on positionIdx 2");
  ok(dg_bybit_close_body("ETHUSDT", "BUY", DG_LEG_LONG, dec("1"), "a-1", body,
                         sizeof(body), err, sizeof(err)) != 0 &&
         strstr(err, "LONG leg is closed by a SELL"),
     "close body: BUY on the LONG leg (would add to it) refused: %s", err);
  ok(dg_bybit_close_body("ETHUSDT", "SELL", DG_LEG_SHORT, dec("1"), "a-1", body,
                         sizeof(body), err, sizeof(err)) != 0,
     "close body: SELL on the SHORT leg refused");
  ok(dg_bybit_close_body("ETHUSDT", "sell", DG_LEG_BOTH, dec("1"), "a-1", body,
                         sizeof(body), err, sizeof(err)) != 0,
     "close body: side other than BUY/SELL refused");
  ok(dg_bybit_close_body("ETHUSDT", "SELL", DG_LEG_BOTH, dec("0"), "a-1", body,
                         sizeof(body), err, sizeof(err)) != 0 &&
         dg_bybit_close_body("ETHUSDT", "SELL", DG_LEG_BOTH, dec("-1"), "a-1",
                             body, sizeof(body), err, sizeof(err)) != 0,
     "close body: zero or negative quantity refused");
  ok(dg_bybit_close_body("eth\"usdt", "SELL", DG_LEG_BOTH, dec("1"), "a-1",
                         body, sizeof(body), err, sizeof(err)) != 0,
     "close body: a symbol outside the grammar refused (never in JSON)");
  ok(dg_bybit_close_body("ETHUSDT", "SELL", DG_LEG_BOTH, dec("1"), "a\"b", body,
                         sizeof(body), err, sizeof(err)) != 0 &&
         dg_bybit_close_body("ETHUSDT", "SELL", DG_LEG_BOTH, dec("1"),
                             "0123456789012345678901234567890123456", body,
                             sizeof(body), err, sizeof(err)) != 0,
     "close body: an orderLinkId with a quote or of 37 characters refused");
  ok(dg_bybit_close_body("BTCUSDT-21FEB25", "SELL", DG_LEG_BOTH, dec("1"),
                         "a-1", body, sizeof(body), err, sizeof(err)) == 0,
     "close body: a USDT future's symbol (BTCUSDT-21FEB25) accepted");
}

/* classify HTTP BODY: the status, with reset header and NOW. */
static dg_ex_status_t classify(long http, const char *body, const char *reset,
                               dg_ex_result_t *res) {
  dg_bybit_reply_t *env = dg_bybit_reply_parse(body, strlen(body));
  dg_ex_status_t st;
  memset(res, 0, sizeof(*res));
  st = dg_bybit_classify_reply(http, env, body, strlen(body), reset, NOW, res);
  dg_bybit_reply_free(env);
  return st;
}

#define ENV(code, msg)                                                         \
  "{\"retCode\":" #code ",\"retMsg\":\"" msg "\",\"result\":{},"               \
  "\"retExtInfo\":{},\"time\":1700000000000}"

static void test_classify(void) {
  static const struct {
    long http;
    const char *body;
    dg_ex_status_t st;
    dg_ex_reason_t reason;
    int not_executed;
    const char *name;
  } cases[] = {
      {200, ENV(0, "OK"), DG_EX_OK, DG_EX_REASON_NONE, 0, "retCode 0 -> ok"},
      {200, ENV(10002, "invalid request, please check your server timestamp"),
       DG_EX_REFUSED, DG_EX_REASON_CLOCK_SKEW, 0,
       "10002 -> refused, clock skew, not 'not executed' (ask first)"},
      {200, ENV(110072, "OrderLinkedID is duplicate"), DG_EX_REFUSED,
       DG_EX_REASON_DUPLICATE_CLIENT_ID, 0,
       "110072 -> duplicate client id (an order with it exists)"},
      {200, ENV(10001, "params error: symbol invalid"), DG_EX_REFUSED,
       DG_EX_REASON_UNKNOWN_SYMBOL, 1,
       "10001 symbol invalid -> unknown symbol"},
      {200, ENV(10001, "position idx not match position mode"), DG_EX_REFUSED,
       DG_EX_REASON_NONE, 1, "10001 other -> refused, not executed"},
      {200, ENV(110017, "Reduce-only rule not satisfied"), DG_EX_REFUSED,
       DG_EX_REASON_NONE, 1, "110017 -> refused, not executed"},
      {401, ENV(10003, "API key is invalid."), DG_EX_REFUSED, DG_EX_REASON_NONE,
       1, "401 10003 -> refused, not executed"},
      {200, ENV(10004, "Error sign"), DG_EX_REFUSED, DG_EX_REASON_NONE, 1,
       "10004 -> refused, not executed"},
      {200, ENV(12345, "something new"), DG_EX_REFUSED, DG_EX_REASON_NONE, 0,
       "an undocumented retCode -> refused, fate asked for"},
      {200, ENV(10000, "Server Timeout"), DG_EX_UNKNOWN, DG_EX_REASON_NONE, 0,
       "10000 -> unknown"},
      {200, ENV(10016, "Server error"), DG_EX_UNKNOWN, DG_EX_REASON_NONE, 0,
       "10016 in HTTP 200 -> unknown"},
      {503, ENV(10016, "Server error"), DG_EX_UNKNOWN, DG_EX_REASON_NONE, 0,
       "503 -> unknown"},
      {502, "<html>Bad Gateway</html>", DG_EX_UNKNOWN, DG_EX_REASON_NONE, 0,
       "502 page -> unknown"},
      {403, "access too frequent", DG_EX_BANNED, DG_EX_REASON_NONE, 1,
       "403 access too frequent -> banned"},
      {403,
       "<html>The Amazon CloudFront distribution is configured to block "
       "access from your country.</html>",
       DG_EX_REFUSED, DG_EX_REASON_NONE, 0, "other 403 (geo block) -> refused"},
      {404, "404 page not found", DG_EX_REFUSED, DG_EX_REASON_NONE, 0,
       "404 without envelope -> refused"},
      {200, "[1,2]", DG_EX_BAD_REPLY, DG_EX_REASON_NONE, 0,
       "200 without envelope -> bad reply"},
      {200, "{\"retCode\":\"0\",\"retMsg\":\"OK\"}", DG_EX_BAD_REPLY,
       DG_EX_REASON_NONE, 0, "retCode as a string -> bad reply"},
      {200, ENV(0, "OK") "x", DG_EX_BAD_REPLY, DG_EX_REASON_NONE, 0,
       "trailing bytes -> bad reply"},
      {302, "", DG_EX_BAD_REPLY, DG_EX_REASON_NONE, 0, "redirect -> bad reply"},
  };
  dg_ex_result_t res;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    dg_ex_status_t st = classify(cases[i].http, cases[i].body, "", &res);
    ok(st == cases[i].st && res.status == st && res.reason == cases[i].reason &&
           res.not_executed == cases[i].not_executed &&
           res.http_status == cases[i].http,
       "classify: %s (got %s/%s/%d)", cases[i].name, dg_ex_status_name(st),
       dg_ex_reason_name(res.reason), res.not_executed);
  }
  classify(200, ENV(110017, "Reduce-only rule not satisfied"), "", &res);
  ok(res.code == 110017 &&
         strcmp(res.msg, "Reduce-only rule not satisfied") == 0,
     "classify: retCode and retMsg kept");
  classify(502, "<html>Bad Gateway</html>", "", &res);
  is_str(res.msg, "HTTP 502: <html>Bad Gateway</html>",
         "classify: a page without envelope quoted");

  classify(403, "access too frequent", "", &res);
  ok(res.ban_until_ms == NOW + 600000 && res.retry_after_ms == NOW + 600000,
     "classify: the IP ban lasts 10 minutes (Bybit: at least 10)");
  ok(classify(200, ENV(10006, "Too many visits!"), "1700000000400", &res) ==
             DG_EX_RATE_LIMIT &&
         res.retry_after_ms == NOW + 400 && res.not_executed == 1,
     "classify: 10006 -> rate limit until X-Bapi-Limit-Reset-Timestamp, not "
     "executed");
  ok(classify(429, ENV(10429, "System level frequency protection"), "", &res) ==
             DG_EX_RATE_LIMIT &&
         res.retry_after_ms == NOW + DG_BYBIT_RATE_LIMIT_DEFAULT_MS &&
         res.not_executed == 0,
     "classify: HTTP 429 without reset -> rate limit for the default, fate "
     "asked for");
  classify(200, ENV(10006, "Too many visits!"), "1699999999000", &res);
  ok(res.retry_after_ms == NOW + DG_BYBIT_RATE_LIMIT_DEFAULT_MS,
     "classify: a reset in the past -> the default");
  classify(200, ENV(10006, "Too many visits!"), "1700009999000", &res);
  ok(res.retry_after_ms == NOW + DG_BYBIT_RATE_LIMIT_DEFAULT_MS,
     "classify: a reset hours away -> the default");
  classify(200, ENV(10006, "Too many visits!"), "17000000004x", &res);
  ok(res.retry_after_ms == NOW + DG_BYBIT_RATE_LIMIT_DEFAULT_MS,
     "classify: a reset that is not a number -> the default");

  ok(dg_bybit_rate_used("50", "47") == 3 && dg_bybit_rate_used("10", "0") == 10,
     "rate used: limit - remaining");
  ok(dg_bybit_rate_used("10", "11") == -1 &&
         dg_bybit_rate_used("", "1") == -1 &&
         dg_bybit_rate_used("10", "x") == -1 &&
         dg_bybit_rate_used(NULL, "1") == -1,
     "rate used: -1 unless both numbers and remaining <= limit");
}

#define PAGE(list, cursor)                                                     \
  "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"category\":\"linear\","      \
  "\"list\":[" list "],\"nextPageCursor\":\"" cursor "\"},"                    \
  "\"retExtInfo\":{},\"time\":1700000000000}"
#define ROW(sym, idx, side, size)                                              \
  "{\"positionIdx\":" #idx ",\"symbol\":\"" sym "\",\"side\":\"" side          \
  "\",\"size\":\"" size "\",\"avgPrice\":\"1\",\"positionStatus\":\"Normal\"}"

/* Parse pages (NULL-terminated) for symbol; 0 or -1, rows in out. */
static int positions(const char *symbol, const char *const *pages,
                     dg_position_t **out, size_t *n, int *dual, char *err,
                     size_t errlen) {
  dg_bybit_rows_t acc = {0};
  for (; *pages; pages++) {
    dg_bybit_reply_t *env = dg_bybit_reply_parse(*pages, strlen(*pages));
    int rc = env ? dg_bybit_parse_positions_page(env, symbol, &acc, err, errlen)
                 : -1;
    dg_bybit_reply_free(env);
    if (rc != 0) {
      free(acc.rows);
      return -1;
    }
  }
  return dg_bybit_positions_finish(&acc, symbol, out, n, dual, err, errlen);
}

static void test_positions(void) {
  dg_position_t *p = NULL;
  size_t n = 0;
  int dual = -1;
  char err[256], cursor[DG_BYBIT_CURSOR_MAX];
  const char *listing[] = {
      PAGE(ROW("ETHUSDT", 0, "Sell", "1.25") "," ROW("BTCUSDT", 0, "Buy",
                                                     "0.012"),
           "ETHUSDT%3A1%2C"),
      PAGE(ROW("XRPUSDT", 2, "Sell", "7") "," ROW(
               "XRPUSDT", 1, "Buy", "3") "," ROW("ADAUSDT", 0, "", "0"),
           ""),
      NULL};
  ok(positions(NULL, listing, &p, &n, NULL, err, sizeof(err)) == 0 && n == 4,
     "positions: two pages, the flat row dropped (%s)", err);
  if (n == 4) {
    is_str(p[0].symbol, "BTCUSDT", "positions: sorted by symbol");
    ok(p[0].leg == DG_LEG_BOTH && strcmp(dec_text(p[0].amt), "0.012") == 0,
       "positions: Buy size 0.012 -> +0.012, one-way");
    ok(strcmp(dec_text(p[1].amt), "-1.25") == 0,
       "positions: Sell size 1.25 -> -1.25 (size is unsigned)");
    ok(strcmp(p[2].symbol, "XRPUSDT") == 0 && p[2].leg == DG_LEG_LONG &&
           strcmp(dec_text(p[2].amt), "3") == 0 && p[3].leg == DG_LEG_SHORT &&
           strcmp(dec_text(p[3].amt), "-7") == 0,
       "positions: hedge legs positionIdx 1 LONG then 2 SHORT");
  }
  free(p);

  {
    dg_bybit_reply_t *env =
        dg_bybit_reply_parse(listing[0], strlen(listing[0]));
    ok(dg_bybit_parse_cursor(env, cursor, sizeof(cursor)) == 0 &&
           strcmp(cursor, "ETHUSDT%3A1%2C") == 0,
       "cursor: nextPageCursor as given");
    dg_bybit_reply_free(env);
    env = dg_bybit_reply_parse(listing[1], strlen(listing[1]));
    ok(dg_bybit_parse_cursor(env, cursor, sizeof(cursor)) == 0 &&
           cursor[0] == '\0',
       "cursor: \"\" on the last page");
    dg_bybit_reply_free(env);
  }

  {
    const char *twice[] = {PAGE(ROW("BTCUSDT", 0, "Buy", "1"), "c"),
                           PAGE(ROW("BTCUSDT", 0, "Buy", "1"), ""), NULL};
    const char *twice_flat[] = {
        PAGE(ROW("BTCUSDT", 0, "", "0") "," ROW("BTCUSDT", 0, "Buy", "1"), ""),
        NULL};
    const char *mixed[] = {
        PAGE(ROW("BTCUSDT", 0, "Buy", "1") "," ROW("BTCUSDT", 2, "Sell", "1"),
             ""),
        NULL};
    const char *long_sell[] = {PAGE(ROW("BTCUSDT", 1, "Sell", "1"), ""), NULL};
    const char *short_buy[] = {PAGE(ROW("BTCUSDT", 2, "Buy", "1"), ""), NULL};
    const char *flat_size[] = {PAGE(ROW("BTCUSDT", 0, "", "1"), ""), NULL};
    const char *bad_idx[] = {PAGE(ROW("BTCUSDT", 3, "Buy", "1"), ""), NULL};
    const char *neg[] = {PAGE(ROW("BTCUSDT", 0, "Buy", "-1"), ""), NULL};
    const char *bad_sym[] = {PAGE(ROW("btcusdt", 0, "Buy", "1"), ""), NULL};
    const char *no_list[] = {ENV(0, "OK"), NULL};
    ok(positions(NULL, twice, &p, &n, NULL, err, sizeof(err)) != 0 &&
           strstr(err, "BTCUSDT BOTH listed twice"),
       "positions: a (symbol, leg) on two pages refused: %s", err);
    ok(positions(NULL, twice_flat, &p, &n, NULL, err, sizeof(err)) != 0,
       "positions: listed twice, one row flat, refused");
    ok(positions(NULL, mixed, &p, &n, NULL, err, sizeof(err)) != 0 &&
           strstr(err, "one-way and hedge"),
       "positions: a symbol in both modes refused: %s", err);
    ok(positions(NULL, long_sell, &p, &n, NULL, err, sizeof(err)) != 0 &&
           positions(NULL, short_buy, &p, &n, NULL, err, sizeof(err)) != 0,
       "positions: a Sell row on the LONG leg or Buy on SHORT refused");
    ok(positions(NULL, flat_size, &p, &n, NULL, err, sizeof(err)) != 0,
       "positions: side \"\" with a size refused");
    ok(positions(NULL, bad_idx, &p, &n, NULL, err, sizeof(err)) != 0 &&
           positions(NULL, neg, &p, &n, NULL, err, sizeof(err)) != 0,
       "positions: positionIdx 3 or a negative size refused");
    ok(positions(NULL, bad_sym, &p, &n, NULL, err, sizeof(err)) != 0,
       "positions: a symbol outside the grammar refused");
    ok(positions(NULL, no_list, &p, &n, NULL, err, sizeof(err)) != 0,
       "positions: no result.list refused");
  }

  {
    const char *oneway[] = {PAGE(ROW("SOLUSDT", 0, "", "0"), ""), NULL};
    const char *hedge[] = {
        PAGE(ROW("SOLUSDT", 2, "", "0") "," ROW("SOLUSDT", 1, "Buy", "9"), ""),
        NULL};
    const char *hedge_one[] = {PAGE(ROW("SOLUSDT", 2, "Sell", "4"), ""), NULL};
    const char *none[] = {PAGE("", ""), NULL};
    const char *other[] = {PAGE(ROW("BTCUSDT", 0, "Buy", "1"), ""), NULL};
    ok(positions("SOLUSDT", oneway, &p, &n, &dual, err, sizeof(err)) == 0 &&
           n == 1 && p[0].leg == DG_LEG_BOTH && dg_dec_is_zero(p[0].amt) &&
           dual == 0,
       "one symbol: a flat one-way row -> BOTH 0, one-way");
    free(p);
    ok(positions("SOLUSDT", hedge, &p, &n, &dual, err, sizeof(err)) == 0 &&
           n == 2 && p[0].leg == DG_LEG_LONG &&
           strcmp(dec_text(p[0].amt), "9") == 0 && p[1].leg == DG_LEG_SHORT &&
           dg_dec_is_zero(p[1].amt) && dual == 1,
       "one symbol: hedge rows (empty one first) -> LONG 9, SHORT 0, hedge");
    free(p);
    ok(positions("SOLUSDT", hedge_one, &p, &n, &dual, err, sizeof(err)) == 0 &&
           n == 2 && dg_dec_is_zero(p[0].amt) &&
           strcmp(dec_text(p[1].amt), "-4") == 0 && dual == 1,
       "one symbol: one hedge leg listed -> the other is flat");
    free(p);
    ok(positions("SOLUSDT", none, &p, &n, &dual, err, sizeof(err)) == 0 &&
           n == 1 && p[0].leg == DG_LEG_BOTH && dg_dec_is_zero(p[0].amt) &&
           strcmp(p[0].symbol, "SOLUSDT") == 0 && dual == 0,
       "one symbol: no row -> one-way, flat");
    free(p);
    ok(positions("SOLUSDT", other, &p, &n, &dual, err, sizeof(err)) != 0,
       "one symbol: a row of another symbol refused");
  }
}

static void test_instruments(void) {
  const char *page =
      PAGE("{\"symbol\":\"BTCUSDT\",\"status\":\"Trading\",\"lotSizeFilter\":{"
           "\"maxOrderQty\":\"1190\",\"minOrderQty\":\"0.001\",\"qtyStep\":"
           "\"0.001\",\"maxMktOrderQty\":\"119\",\"minNotionalValue\":\"5\"}},"
           "{\"symbol\":\"BTCUSDT-21FEB25\",\"lotSizeFilter\":{\"minOrderQty\":"
           "\"0.001\",\"qtyStep\":\"0.001\",\"maxMktOrderQty\":\"60\"}},"
           "{\"symbol\":\"weird sym\",\"lotSizeFilter\":{}},"
           "{\"symbol\":\"NOLOTUSDT\"}",
           "");
  const char *bad = PAGE("{\"symbol\":\"ETHUSDT\",\"lotSizeFilter\":{"
                         "\"minOrderQty\":\"0.01\",\"qtyStep\":\"0.01\"}}",
                         "");
  dg_bybit_rules_t acc = {0};
  dg_bybit_reply_t *env = dg_bybit_reply_parse(page, strlen(page));
  char err[256];
  ok(dg_bybit_parse_instruments_page(env, &acc, err, sizeof(err)) == 0 &&
         acc.n == 2,
     "instruments: two tradable, invalid and lot-less ones skipped");
  if (acc.n == 2) {
    ok(strcmp(acc.rules[0].symbol, "BTCUSDT") == 0 &&
           strcmp(dec_text(acc.rules[0].step), "0.001") == 0 &&
           strcmp(dec_text(acc.rules[0].min_qty), "0.001") == 0,
       "instruments: qtyStep and minOrderQty");
    is_str(dec_text(acc.rules[0].max_qty), "119",
           "instruments: max is maxMktOrderQty, not maxOrderQty");
    ok(acc.rules[0].in_contracts == 0 &&
           strcmp(dec_text(acc.rules[0].contract_value), "1") == 0,
       "instruments: base coin units, contract value 1");
  }
  free(acc.rules);
  dg_bybit_reply_free(env);
  memset(&acc, 0, sizeof(acc));
  env = dg_bybit_reply_parse(bad, strlen(bad));
  ok(dg_bybit_parse_instruments_page(env, &acc, err, sizeof(err)) != 0 &&
         strstr(err, "ETHUSDT"),
     "instruments: a lotSizeFilter without maxMktOrderQty refused: %s", err);
  free(acc.rules);
  dg_bybit_reply_free(env);
}

#define ORDER(status, qty, cum)                                                \
  PAGE("{\"orderId\":\"fd4300ae-7847-404e-b947-b46980a4d140\","                \
       "\"orderLinkId\":\"dgrc-a\",\"symbol\":\"BTCUSDT\",\"side\":\"Sell\","  \
       "\"orderType\":\"Market\",\"qty\":\"" qty "\",\"cumExecQty\":\"" cum    \
       "\",\"orderStatus\":\"" status "\",\"reduceOnly\":true,"                \
       "\"positionIdx\":0}",                                                   \
       "")

static int order(const char *body, dg_order_t *o, int *found) {
  dg_bybit_reply_t *env = dg_bybit_reply_parse(body, strlen(body));
  char err[256];
  int rc = dg_bybit_parse_order_list(env, o, found, err, sizeof(err));
  dg_bybit_reply_free(env);
  return rc;
}

static void test_orders(void) {
  static const struct {
    const char *body, *status, *executed;
  } cases[] = {
      {ORDER("Filled", "0.005", "0.005"), "FILLED", "0.005"},
      {ORDER("New", "0.005", "0"), "NEW", "0"},
      {ORDER("PartiallyFilled", "0.005", "0.002"), "PARTIALLY_FILLED", "0.002"},
      {ORDER("Cancelled", "0.005", "0.002"), "CANCELED", "0.002"},
      {ORDER("Cancelled", "0.005", "0"), "CANCELED", "0"},
      {ORDER("Rejected", "0.005", "0"), "REJECTED", "0"},
      {ORDER("Rejected", "0.005", "0.001"), "CANCELED", "0.001"},
      {ORDER("Deactivated", "0.005", "0"), "EXPIRED", "0"},
  };
  dg_order_t o;
  int found = 0;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ok(order(cases[i].body, &o, &found) == 0 && found &&
           strcmp(o.status, cases[i].status) == 0 &&
           strcmp(dec_text(o.executed_qty), cases[i].executed) == 0,
       "order: %s with cumExecQty %s -> %s", cases[i].status, cases[i].executed,
       o.status);
  }
  order(ORDER("Filled", "0.005", "0.005"), &o, &found);
  ok(strcmp(o.order_id, "fd4300ae-7847-404e-b947-b46980a4d140") == 0 &&
         strcmp(o.client_order_id, "dgrc-a") == 0 &&
         strcmp(o.side, "SELL") == 0 && strcmp(o.symbol, "BTCUSDT") == 0 &&
         strcmp(dec_text(o.orig_qty), "0.005") == 0 && o.reduce_only == 1,
     "order: UUID orderId, orderLinkId, side in driftguard's words, qty");
  ok(order(PAGE("", ""), &o, &found) == 0 && !found,
     "order: an empty list is not found (retCode 0)");
  ok(order(ORDER("Exploded", "1", "0"), &o, &found) != 0,
     "order: an unknown orderStatus refused");
  ok(order(ENV(0, "OK"), &o, &found) != 0, "order: no result.list refused");

  {
    const char *create =
        "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"orderId\":"
        "\"1321003749386327552\",\"orderLinkId\":\"dgrc-a\"},\"retExtInfo\":{},"
        "\"time\":1}";
    dg_bybit_reply_t *env = dg_bybit_reply_parse(create, strlen(create));
    char id[DG_ORDER_ID_MAX], err[128];
    ok(dg_bybit_parse_create(env, id, sizeof(id), err, sizeof(err)) == 0 &&
           strcmp(id, "1321003749386327552") == 0,
       "create: result.orderId");
    dg_bybit_reply_free(env);
    env = dg_bybit_reply_parse(ENV(0, "OK"), strlen(ENV(0, "OK")));
    ok(dg_bybit_parse_create(env, id, sizeof(id), err, sizeof(err)) != 0,
       "create: no orderId refused");
    dg_bybit_reply_free(env);
  }
}

static void test_time_and_ids(void) {
  const char *t = "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"timeSecond\":"
                  "\"1700000000\",\"timeNano\":\"1700000000123456789\"},"
                  "\"retExtInfo\":{},\"time\":1700000000124}";
  const char *s = "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"timeSecond\":"
                  "\"1700000000\"}}";
  dg_bybit_reply_t *env = dg_bybit_reply_parse(t, strlen(t));
  char id[DG_CLIENT_ORDER_ID_MAX + 1];
  int64_t ms = 0;
  ok(dg_bybit_parse_server_time(env, &ms) == 0 && ms == INT64_C(1700000000123),
     "time: timeNano in ms");
  dg_bybit_reply_free(env);
  env = dg_bybit_reply_parse(s, strlen(s));
  ok(dg_bybit_parse_server_time(env, &ms) == 0 && ms == INT64_C(1700000000000),
     "time: timeSecond when no timeNano");
  dg_bybit_reply_free(env);
  env = dg_bybit_reply_parse(ENV(0, "OK"), strlen(ENV(0, "OK")));
  ok(dg_bybit_parse_server_time(env, &ms) != 0, "time: none refused");
  dg_bybit_reply_free(env);

  ok(dg_bybit_client_order_id("reconclose:BTCUSDT:416d86940859:14744826", id) ==
             0 &&
         strcmp(id, "dgrc-75007c7b10fc9c78dfb18cbc2c10c78") == 0,
     "client id: dgrc- + 31 hex of SHA-256(plan_id), 36 characters");
  ok(dg_bybit_valid_link_id(id) && dg_bybit_valid_link_id("a_B-9") &&
         !dg_bybit_valid_link_id("") && !dg_bybit_valid_link_id("a.b") &&
         !dg_bybit_valid_link_id("a:b") &&
         !dg_bybit_valid_link_id("0123456789012345678901234567890123456"),
     "orderLinkId: 1 to 36 of A-Z a-z 0-9 - _");
}

int main(void) {
  test_signing();
  test_close_body();
  test_classify();
  test_positions();
  test_instruments();
  test_orders();
  test_time_and_ids();
  return tap_done();
}
