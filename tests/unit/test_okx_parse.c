/* Unit tests for okx_parse.c: the signing vectors of notes/exchanges.md
 * section 2, the close body, the reply parsers (contracts, posSide legs,
 * ctVal x ctMult) and the HTTP reply -> outcome mapping of section 2.2,
 * sCode inside an HTTP 200 included. */
#include "../tap.h"
#include "driftguard/okx_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW INT64_C(1700000000000)
#define SECRET "chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO"
#define TS "2020-12-08T09:08:57.715Z"
#define COID "dgrc0123456789abcdef0123456789ab"

static void test_signing(void) {
  char ts[DG_OKX_TS_LEN + 1], sig[DG_SHA256_B64LEN + 1];
  ok(dg_okx_timestamp(INT64_C(1607418537715), ts) == 0, "timestamp: made");
  is_str(ts, TS, "timestamp: ISO 8601 UTC with milliseconds");
  dg_okx_timestamp(INT64_C(1607418537005), ts);
  is_str(ts, "2020-12-08T09:08:57.005Z", "timestamp: ms zero-padded");
  ok(dg_okx_timestamp(-1, ts) == -1, "timestamp: negative refused");

  dg_okx_sign(SECRET, TS, "GET", "/api/v5/account/balance", "", sig);
  is_str(sig, "PJ61e1nb2F2Qd7D8SPiaIcx2gjdELc+o0ygzre9z33k=",
         "sign: nautilus vector (GET balance)");
  dg_okx_sign(SECRET, TS, "GET",
              "/api/v5/trade/order?instId=BTC-USDT-SWAP&clOrdId=" COID, "",
              sig);
  is_str(sig, "SyspeEmWyPrUOy86AsTOqpqBURx63OGP2UauY8+FVtk=",
         "sign: order query vector (the query string is signed)");
  {
    char body[512];
    int n = dg_okx_close_body("BTC-USDT-SWAP", 0, "SELL", DG_LEG_BOTH,
                              DG_DEC_ONE, COID, body, sizeof body);
    is_str(body,
           "{\"instId\":\"BTC-USDT-SWAP\",\"tdMode\":\"cross\",\"side\":"
           "\"sell\",\"ordType\":\"market\",\"sz\":\"1\",\"reduceOnly\":true,"
           "\"clOrdId\":\"" COID "\"}",
           "close body: net mode, the notes' vector body");
    ok(n == (int)strlen(body), "close body: length returned");
    dg_okx_sign(SECRET, TS, "POST", "/api/v5/trade/order", body, sig);
    is_str(sig, "JHAmk73qU+KSthzNIrbTq5xIt4FXvF15+tMgtKV4i4Y=",
           "sign: place-order vector over the driver's own body");
    dg_okx_close_body("ETH-USDT-SWAP", 1, "BUY", DG_LEG_SHORT,
                      (dg_dec_t){250000000}, "abc", body, sizeof body);
    is_str(body,
           "{\"instId\":\"ETH-USDT-SWAP\",\"tdMode\":\"isolated\",\"side\":"
           "\"buy\",\"posSide\":\"short\",\"ordType\":\"market\",\"sz\":"
           "\"2.5\",\"clOrdId\":\"abc\"}",
           "close body: long/short mode: posSide, no reduceOnly, isolated");
    ok(dg_okx_close_body("BTC-USDT-SWAP", 0, "SELL", DG_LEG_BOTH, DG_DEC_ONE,
                         COID, body, 40) == -1,
       "close body: too small a buffer refused");
  }
}

static void test_client_order_id(void) {
  char id[DG_CLIENT_ORDER_ID_MAX + 1], again[DG_CLIENT_ORDER_ID_MAX + 1];
  ok(dg_okx_client_order_id("plan-1", id) == 0, "clOrdId: made");
  ok(strlen(id) == 32 && strncmp(id, "dgrc", 4) == 0,
     "clOrdId: dgrc + 28 hex, 32 characters");
  ok(dg_okx_valid_client_order_id(id), "clOrdId: valid on OKX");
  dg_okx_client_order_id("plan-1", again);
  is_str(again, id, "clOrdId: deterministic");
  dg_okx_client_order_id("plan-2", again);
  ok(strcmp(again, id) != 0, "clOrdId: another plan, another id");
  ok(!dg_okx_valid_client_order_id("dgrc-1"), "clOrdId: hyphen refused");
  ok(!dg_okx_valid_client_order_id("a23456789012345678901234567890123"),
     "clOrdId: 33 characters refused");
  ok(!dg_okx_valid_client_order_id(""), "clOrdId: empty refused");
}

static dg_ex_status_t classify(long status, const char *body,
                               dg_ex_result_t *res) {
  memset(res, 0, sizeof *res);
  res->rate_used = -1;
  return dg_okx_classify_reply(status, body, strlen(body), NOW, res);
}

static void test_classify(void) {
  dg_ex_result_t r;
  ok(classify(200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[]}", &r) ==
             DG_EX_OK &&
         r.code == 0 && !r.not_executed && r.rate_used == -1,
     "code 0 in a 200: ok, no rate use reported");

  classify(200,
           "{\"code\":\"1\",\"msg\":\"Operation failed.\",\"data\":[{"
           "\"clOrdId\":\"x\",\"ordId\":\"\",\"sCode\":\"51169\",\"sMsg\":"
           "\"no position\"}]}",
           &r);
  ok(r.status == DG_EX_REFUSED && r.code == 51169 && r.http_status == 200 &&
         r.not_executed,
     "code 1 with sCode in a 200: refused with the sCode, not executed");
  is_str(r.msg, "no position", "sCode refusal: sMsg is the message");

  classify(200,
           "{\"code\":\"1\",\"msg\":\"Operation failed.\",\"data\":[{"
           "\"sCode\":\"51016\",\"sMsg\":\"Duplicated clOrdId\"}]}",
           &r);
  ok(r.status == DG_EX_REFUSED &&
         r.reason == DG_EX_REASON_DUPLICATE_CLIENT_ID && !r.not_executed,
     "51016: duplicate client id, may have executed (query it)");

  classify(200,
           "{\"code\":\"51603\",\"msg\":\"Order does not exist\",\"data\":[]}",
           &r);
  ok(r.status == DG_EX_REFUSED && r.reason == DG_EX_REASON_ORDER_NOT_FOUND,
     "51603: order not found");
  classify(200,
           "{\"code\":\"51001\",\"msg\":\"Instrument ID does not exist.\","
           "\"data\":[]}",
           &r);
  ok(r.status == DG_EX_REFUSED && r.reason == DG_EX_REASON_UNKNOWN_SYMBOL,
     "51001: unknown symbol");

  classify(401,
           "{\"code\":\"50102\",\"msg\":\"Timestamp request expired.\","
           "\"data\":[]}",
           &r);
  ok(r.status == DG_EX_REFUSED && r.reason == DG_EX_REASON_CLOCK_SKEW &&
         !r.not_executed && r.http_status == 401,
     "50102: clock skew, refused, the exchange is asked before a resend");
  classify(401,
           "{\"code\":\"50113\",\"msg\":\"Invalid signature.\",\"data\":[]}",
           &r);
  ok(r.status == DG_EX_REFUSED && r.not_executed,
     "50113: authentication refused, not executed");

  classify(429,
           "{\"code\":\"50011\",\"msg\":\"Rate limit reached.\",\"data\":[]}",
           &r);
  ok(r.status == DG_EX_RATE_LIMIT &&
         r.retry_after_ms == NOW + DG_OKX_RATE_LIMIT_DEFAULT_MS &&
         r.not_executed,
     "50011 in a 429: rate limited for one 2 s window");
  classify(200,
           "{\"code\":\"50011\",\"msg\":\"Rate limit reached.\",\"data\":[]}",
           &r);
  ok(r.status == DG_EX_RATE_LIMIT, "50011 in a 200: rate limited");
  classify(200,
           "{\"code\":\"50061\",\"msg\":\"Sub-account limit\",\"data\":[]}",
           &r);
  ok(r.status == DG_EX_RATE_LIMIT, "50061: rate limited");
  classify(429, "<html>Too Many</html>", &r);
  ok(r.status == DG_EX_RATE_LIMIT && !r.not_executed,
     "a bare 429: rate limited");

  classify(400,
           "{\"code\":\"50004\",\"msg\":\"API endpoint request timeout\","
           "\"data\":[]}",
           &r);
  ok(r.status == DG_EX_UNKNOWN && !r.not_executed,
     "50004 (HTTP 400): fate unknown, as documented");
  classify(503,
           "{\"code\":\"50001\",\"msg\":\"Service temporarily "
           "unavailable\",\"data\":[]}",
           &r);
  ok(r.status == DG_EX_UNKNOWN && !r.not_executed,
     "50001 in a 503: fate unknown");
  classify(200, "{\"code\":\"50013\",\"msg\":\"Systems are busy\",\"data\":[]}",
           &r);
  ok(r.status == DG_EX_UNKNOWN, "50013: fate unknown");
  classify(502, "<html>Bad Gateway</html>", &r);
  ok(r.status == DG_EX_UNKNOWN && r.code == 0, "a gateway's 502: fate unknown");
  ok(strstr(r.msg, "HTTP 502") != NULL, "a gateway's page: HTTP status named");

  classify(200, "{\"code\":\"50037\",\"msg\":\"Order expired.\",\"data\":[]}",
           &r);
  ok(r.status == DG_EX_REFUSED && r.not_executed,
     "50037 (expTime passed): refused, not processed");
  classify(404, "not found", &r);
  ok(r.status == DG_EX_REFUSED && !r.not_executed,
     "a 404 without OKX's envelope: refused, nothing stated");
  classify(200, "[1,2]", &r);
  ok(r.status == DG_EX_BAD_REPLY,
     "a 200 that is not OKX's envelope: bad reply");
  classify(200, "{\"code\":\"0\",\"msg\":\"\"}", &r);
  ok(r.status == DG_EX_BAD_REPLY, "code 0 without data: bad reply");
  classify(302, "", &r);
  ok(r.status == DG_EX_BAD_REPLY, "a redirect: bad reply");
  classify(200, "{\"code\":\"51000\",\"msg\":\"a\\nforged=line\",\"data\":[]}",
           &r);
  ok(strchr(r.msg, '\n') == NULL, "a newline in msg never reaches a log line");
}

static void test_small_replies(void) {
  int64_t t = 0;
  int lv = 0, ls = -1;
  char err[256];
  const char *b = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"ts\":"
                  "\"1700000000123\"}]}";
  ok(dg_okx_parse_server_time(b, strlen(b), &t) == 0 &&
         t == INT64_C(1700000000123),
     "server time: data[0].ts");
  b = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"ts\":1700000000123}]}";
  ok(dg_okx_parse_server_time(b, strlen(b), &t) == -1,
     "server time: ts must be a string of digits");

  b = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"acctLv\":\"2\",\"posMode\":"
      "\"net_mode\"}]}";
  ok(dg_okx_parse_account(b, strlen(b), &lv, &ls, err, sizeof err) == 0 &&
         lv == 2 && ls == 0,
     "account: acctLv 2, net_mode");
  b = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"acctLv\":\"4\",\"posMode\":"
      "\"long_short_mode\"}]}";
  ok(dg_okx_parse_account(b, strlen(b), &lv, &ls, err, sizeof err) == 0 &&
         lv == 4 && ls == 1,
     "account: acctLv 4, long_short_mode");
  b = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"acctLv\":\"2\"}]}";
  ok(dg_okx_parse_account(b, strlen(b), &lv, &ls, err, sizeof err) == -1,
     "account: no posMode refused");
  ok(dg_okx_account_level_supported(2) && dg_okx_account_level_supported(3) &&
         !dg_okx_account_level_supported(1) &&
         !dg_okx_account_level_supported(4),
     "account: levels 2 and 3 only");
  is_str(dg_okx_account_level_name(4), "Portfolio margin",
         "account: level 4 named");
}

#define ROW(inst, side, pos, mgn)                                              \
  "{\"instType\":\"SWAP\",\"instId\":\"" inst "\",\"posSide\":\"" side         \
  "\",\"pos\":\"" pos "\",\"mgnMode\":\"" mgn "\",\"avgPx\":\"1\"}"
#define DATA(rows) "{\"code\":\"0\",\"msg\":\"\",\"data\":[" rows "]}"

static int positions(const char *body, const char *symbol, int long_short,
                     dg_position_t **p, size_t *n, dg_okx_margin_t **m,
                     size_t *nm, char *err) {
  return dg_okx_parse_positions(body, strlen(body), symbol, long_short, p, n, m,
                                nm, err, 256);
}

static void test_positions(void) {
  dg_position_t *p = NULL;
  dg_okx_margin_t *m = NULL;
  size_t n = 0, nm = 0;
  char err[256], a[DG_DEC_STRLEN], b[DG_DEC_STRLEN];
  const char *body = DATA(ROW("XRP-USDT-SWAP", "net", "-7", "cross") "," ROW(
      "BTC-USDT-SWAP", "net", "2.5", "isolated") "," ROW("ETH-USDT-SWAP", "net",
                                                         "0", "cross"));
  ok(positions(body, NULL, 0, &p, &n, &m, &nm, err) == 0 && n == 2,
     "positions: net rows, the pos 0 row dropped");
  dg_dec_format(p[0].amt, a, sizeof a);
  dg_dec_format(p[1].amt, b, sizeof b);
  ok(strcmp(p[0].symbol, "BTC-USDT-SWAP") == 0 && p[0].leg == DG_LEG_BOTH &&
         strcmp(a, "2.5") == 0 && strcmp(p[1].symbol, "XRP-USDT-SWAP") == 0 &&
         strcmp(b, "-7") == 0,
     "positions: sorted, contracts signed, leg BOTH");
  ok(nm == 2 && m[0].isolated == 1 && m[1].isolated == 0,
     "positions: mgnMode per open leg");
  free(p);
  free(m);

  ok(positions(body, "ETH-USDT-SWAP", 0, &p, &n, &m, &nm, err) == 0 && n == 1 &&
         p[0].leg == DG_LEG_BOTH && dg_dec_is_zero(p[0].amt),
     "positions: a symbol with a pos 0 row is flat (one BOTH row)");
  free(p);
  free(m);

  body = DATA(ROW("BTC-USDT-SWAP", "short", "3",
                  "cross") "," ROW("BTC-USDT-SWAP", "long", "1.5", "cross"));
  ok(positions(body, NULL, 1, &p, &n, &m, &nm, err) == 0 && n == 2 &&
         p[0].leg == DG_LEG_LONG && p[1].leg == DG_LEG_SHORT,
     "positions: long/short rows, LONG before SHORT");
  dg_dec_format(p[0].amt, a, sizeof a);
  dg_dec_format(p[1].amt, b, sizeof b);
  ok(strcmp(a, "1.5") == 0 && strcmp(b, "-3") == 0,
     "positions: long amt >= 0, short amt <= 0 (OKX's pos is a size)");
  free(p);
  free(m);

  body = DATA(ROW("BTC-USDT-SWAP", "short", "-3", "cross"));
  ok(positions(body, "BTC-USDT-SWAP", 0, &p, &n, &m, &nm, err) == 0 && n == 2 &&
         p[0].leg == DG_LEG_LONG && dg_dec_is_zero(p[0].amt) &&
         p[1].leg == DG_LEG_SHORT && p[1].amt.units == -300000000,
     "positions: with a symbol, both legs; the rows' mode wins; a "
     "negative short pos is taken as it is");
  free(p);
  free(m);

  body = DATA("");
  ok(positions(body, "BTC-USDT-SWAP", 1, &p, &n, &m, &nm, err) == 0 && n == 2 &&
         m == NULL && nm == 0,
     "positions: no rows: the account's mode (long/short: two flat legs)");
  free(p);
  ok(positions(body, NULL, 0, &p, &n, &m, &nm, err) == 0 && n == 0 && p == NULL,
     "positions: no rows, no symbol: empty");

  body = DATA(ROW("BTC-USDT-SWAP", "net", "1",
                  "cross") "," ROW("BTC-USDT-SWAP", "net", "2", "isolated"));
  ok(positions(body, NULL, 0, &p, &n, &m, &nm, err) == -1 &&
         strstr(err, "listed twice") != NULL,
     "positions: cross and isolated rows of one leg refused");
  body = DATA(ROW("BTC-USDT-SWAP", "long", "-1", "cross"));
  ok(positions(body, NULL, 1, &p, &n, &m, &nm, err) == -1,
     "positions: a negative long row refused");
  body = DATA(ROW("BTC-USDT-SWAP", "net", "", "cross"));
  ok(positions(body, NULL, 0, &p, &n, &m, &nm, err) == -1,
     "positions: pos not a decimal refused");
  body = DATA(ROW("btc usdt", "net", "1", "cross"));
  ok(positions(body, NULL, 0, &p, &n, &m, &nm, err) == -1,
     "positions: an instId driftguard cannot carry refused");
  body = "{\"code\":\"0\",\"msg\":\"\",\"data\":{}}";
  ok(positions(body, NULL, 0, &p, &n, &m, &nm, err) == -1,
     "positions: data not an array refused");
}

#define INST(id, state, type, lot, min, max, ctval, ctmult)                    \
  "{\"instId\":\"" id "\",\"state\":\"" state "\",\"ctType\":\"" type          \
  "\",\"lotSz\":\"" lot "\",\"minSz\":\"" min "\",\"maxMktSz\":\"" max         \
  "\",\"ctVal\":\"" ctval "\",\"ctMult\":\"" ctmult "\"}"

static void test_instruments(void) {
  dg_symbol_rules_t *r = NULL;
  size_t n = 0;
  char err[256], s[5][DG_DEC_STRLEN];
  const char *body = DATA(
      INST("BTC-USDT-SWAP", "live", "linear", "0.01", "0.01", "1000", "0.01",
           "1") "," INST("PEPE-USDT-SWAP", "live", "linear", "1", "1", "5",
                         "10000000",
                         "10") "," INST("NEW-USDT-SWAP", "preopen", "linear",
                                        "1", "1", "5", "1",
                                        "1") "," INST("BTC-USD-SWAP", "live",
                                                      "inverse", "1", "1", "5",
                                                      "100", "1"));
  ok(dg_okx_parse_instruments(body, strlen(body), &r, &n, err, sizeof err) ==
             0 &&
         n == 2,
     "instruments: live linear SWAPs only (preopen, inverse left out)");
  dg_dec_format(r[0].step, s[0], DG_DEC_STRLEN);
  dg_dec_format(r[0].min_qty, s[1], DG_DEC_STRLEN);
  dg_dec_format(r[0].max_qty, s[2], DG_DEC_STRLEN);
  dg_dec_format(r[0].contract_value, s[3], DG_DEC_STRLEN);
  dg_dec_format(r[1].contract_value, s[4], DG_DEC_STRLEN);
  ok(strcmp(r[0].symbol, "BTC-USDT-SWAP") == 0 && strcmp(s[0], "0.01") == 0 &&
         strcmp(s[1], "0.01") == 0 && strcmp(s[2], "1000") == 0 &&
         r[0].in_contracts == 1,
     "instruments: lotSz, minSz, maxMktSz in contracts");
  is_str(s[3], "0.01", "instruments: contract value ctVal x ctMult");
  is_str(s[4], "100000000", "instruments: ctMult multiplies exactly");
  free(r);
  body = DATA(INST("BTC-USDT-SWAP", "live", "linear", "0", "0.01", "1000",
                   "0.01", "1"));
  ok(dg_okx_parse_instruments(body, strlen(body), &r, &n, err, sizeof err) ==
             -1 &&
         strstr(err, "BTC-USDT-SWAP") != NULL,
     "instruments: lotSz 0 refused, naming the instrument");
  body = DATA(INST("BTC-USDT-SWAP", "live", "linear", "0.01", "0.01", "1000",
                   "0.00000001", "0.1"));
  ok(dg_okx_parse_instruments(body, strlen(body), &r, &n, err, sizeof err) ==
         -1,
     "instruments: a contract value finer than 1e-8 refused, not rounded");
}

static void test_orders(void) {
  dg_order_t o;
  char err[256], q[DG_DEC_STRLEN];
  const char *b =
      "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"clOrdId\":\"" COID
      "\",\"ordId\":\"312269865356374016\",\"tag\":\"\",\"sCode\":\"0\","
      "\"sMsg\":\"\"}]}";
  memset(&o, 0, sizeof o);
  ok(dg_okx_parse_order_ack(b, strlen(b), &o, err, sizeof err) == 0,
     "order ack: parsed");
  is_str(o.order_id, "312269865356374016", "order ack: ordId kept as text");
  is_str(o.client_order_id, COID, "order ack: clOrdId");

  b = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instId\":\"BTC-USDT-SWAP\","
      "\"ordId\":\"7\",\"clOrdId\":\"" COID "\",\"side\":\"sell\",\"sz\":"
      "\"3\",\"accFillSz\":\"1.5\",\"state\":\"partially_filled\","
      "\"reduceOnly\":\"true\"}]}";
  ok(dg_okx_parse_order(b, strlen(b), &o, err, sizeof err) == 0,
     "order: parsed");
  dg_dec_format(o.executed_qty, q, sizeof q);
  ok(strcmp(o.status, "PARTIALLY_FILLED") == 0 && strcmp(o.side, "SELL") == 0 &&
         strcmp(q, "1.5") == 0 && o.orig_qty.units == 300000000 &&
         o.reduce_only == 1,
     "order: state, side, accFillSz, sz, reduceOnly in driftguard's words");
  {
    static const char *const states[][2] = {{"live", "NEW"},
                                            {"filled", "FILLED"},
                                            {"canceled", "CANCELED"},
                                            {"mmp_canceled", "EXPIRED"}};
    for (size_t i = 0; i < 4; i++) {
      char body[512];
      snprintf(body, sizeof body,
               "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instId\":\"X-SWAP\","
               "\"ordId\":\"7\",\"clOrdId\":\"a\",\"side\":\"buy\",\"sz\":"
               "\"1\",\"accFillSz\":\"\",\"state\":\"%s\"}]}",
               states[i][0]);
      ok(dg_okx_parse_order(body, strlen(body), &o, err, sizeof err) == 0 &&
             strcmp(o.status, states[i][1]) == 0 &&
             dg_dec_is_zero(o.executed_qty),
         "order: state %s -> %s (accFillSz \"\" is 0)", states[i][0],
         states[i][1]);
    }
  }
  b = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instId\":\"X-SWAP\","
      "\"ordId\":\"7\",\"clOrdId\":\"a\",\"side\":\"buy\",\"sz\":\"1\","
      "\"accFillSz\":\"0\",\"state\":\"weird\"}]}";
  ok(dg_okx_parse_order(b, strlen(b), &o, err, sizeof err) == -1,
     "order: an unknown state refused");
  b = "{\"code\":\"0\",\"msg\":\"\",\"data\":[]}";
  ok(dg_okx_parse_order(b, strlen(b), &o, err, sizeof err) == -1,
     "order: no data[0] refused");
}

int main(void) {
  test_signing();
  test_client_order_id();
  test_classify();
  test_small_replies();
  test_positions();
  test_instruments();
  test_orders();
  return tap_done();
}
