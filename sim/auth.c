/* auth.c - Binance's checks on a SIGNED endpoint: the X-MBX-APIKEY header,
 * the HMAC-SHA256 signature over totalParams and the timestamp/recvWindow
 * rule (timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow).
 */
#include "sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driftguard/sign.h"

int sim_parse_ms(const char *s, int64_t *out) {
  char *end;
  if (s == NULL || *s < '0' || *s > '9')
    return -1;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

static int signature_valid(const sim_request_t *rq, const char *signature) {
  char expected[DG_SHA256_HEXLEN + 1];
  char *total = sim_total_params(rq->query, rq->body, rq->body_len);
  int ok = total != NULL &&
           dg_hmac_sha256_hex(sim_config.creds.secret,
                              strlen(sim_config.creds.secret), total,
                              strlen(total), expected) == 0 &&
           strlen(signature) == DG_SHA256_HEXLEN &&
           dg_hex_equal(expected, signature);
  free(total);
  return ok;
}

int sim_auth_signed(const sim_request_t *rq, sim_reply_t *r) {
  const char *ts_text = sim_params_get(&rq->params, "timestamp");
  const char *window_text = sim_params_get(&rq->params, "recvWindow");
  const char *signature = sim_params_get(&rq->params, "signature");
  const char *api_key = sim_header(rq, "X-MBX-APIKEY");
  int64_t ts, window = 5000, now;

  if (api_key == NULL || strcmp(api_key, sim_config.creds.api_key) != 0) {
    sim_reply_error(r, 401, -2015);
    return -1;
  }
  if (sim_parse_ms(ts_text, &ts) != 0) {
    sim_reply_missing(r, "timestamp");
    return -1;
  }
  if (signature == NULL || *signature == '\0') {
    sim_reply_missing(r, "signature");
    return -1;
  }
  if (!signature_valid(rq, signature)) {
    sim_reply_error(r, 400, -1022);
    return -1;
  }
  if (window_text != NULL && sim_parse_ms(window_text, &window) != 0) {
    sim_reply_missing(r, "recvWindow");
    return -1;
  }
  if (window > 60000) {
    sim_reply_error(r, 400, -1131);
    return -1;
  }
  now = sim_now_ms();
  if (ts >= now + 1000) {
    sim_reply_errorf(
        r, 400, -1021,
        "Timestamp for this request was 1000ms ahead of the server's time.");
    return -1;
  }
  if (now - ts > window) {
    sim_reply_error(r, 400, -1021);
    return -1;
  }
  return 0;
}
