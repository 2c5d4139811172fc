/* bn_reply.c - fuzz target: how any Binance reply is read before its own
 * parser: the HTTP status (the input's first two bytes) and body mapped to
 * an outcome, the error object, serverTime, dualSidePosition, "banned
 * until" and Retry-After. A reply said to prove "not executed" is a
 * refusal, never an acceptance or an unknown fate. */
#include "fuzz.h"

#include "driftguard/binance_parse.h"

#include <stdlib.h>
#include <string.h>

DG_FUZZ_TARGET(bn_reply) {
  const char *body = (const char *)data + 2;
  size_t len = size >= 2 ? size - 2 : 0;
  long status = size >= 2 ? 100 + (data[0] << 8 | data[1]) % 500 : 200;
  dg_ex_result_t r;
  char msg[256], *text;
  int code, dual;
  int64_t t;
  if (size < 2)
    body = "";
  memset(&r, 0, sizeof r);
  dg_bn_classify_reply(status, body, len, NULL, INT64_C(1769379791123), &r);
  DG_FUZZ_CHECK(r.http_status == (int)status);
  DG_FUZZ_CHECK(!r.not_executed || r.status == DG_EX_REFUSED ||
                r.status == DG_EX_RATE_LIMIT || r.status == DG_EX_BANNED ||
                r.status == DG_EX_SERVER);
  DG_FUZZ_CHECK(memchr(r.msg, '\0', sizeof r.msg) != NULL);
  dg_bn_parse_error(body, len, &code, msg, sizeof msg);
  dg_bn_parse_server_time(body, len, &t);
  dg_bn_parse_dual_side(body, len, &dual);
  /* The header and message helpers take NUL-terminated text. */
  if ((text = malloc(len + 1)) != NULL) {
    memcpy(text, body, len);
    text[len] = '\0';
    DG_FUZZ_CHECK(dg_bn_banned_until_ms(text) >= 0);
    DG_FUZZ_CHECK(dg_bn_retry_after_ms(text, INT64_C(1769379791123)) >= 0);
    free(text);
  }
  return 0;
}
