/* Unit tests of the executor's exactly-once record (executor/dedupe.c):
 * the JSON it stores round-trips, and a record that cannot be read counts
 * as final, so an unknown record never allows an order. */
#include "../tap.h"
#include "executor/dedupe.h"

#include <string.h>

int main(void) {
  ex_dedupe_t d, back;
  static const char *const garbage[] = {
      "", "not json", "[]", "{}", "{\"state\":\"weird\"}", "{\"state\":1}"};

  memset(&d, 0, sizeof d);
  d.state = EX_DD_SUBMITTED;
  snprintf(d.consumer, sizeof d.consumer, "exec-1");
  d.ts = 1769379791123;
  d.sent_ts = 1769379791100;
  ok(ex_dedupe_encode(&d) == 0, "a submitted record encodes");
  is_str(d.json,
         "{\"state\":\"submitted\",\"status\":\"\",\"order_id\":\"\","
         "\"executed_qty\":\"\",\"consumer\":\"exec-1\",\"ts\":1769379791123,"
         "\"sent_ts\":1769379791100}",
         "the stored text");
  ex_dedupe_decode(d.json, strlen(d.json), &back);
  ok(back.state == EX_DD_SUBMITTED && back.ts == d.ts &&
         back.sent_ts == d.sent_ts && strcmp(back.consumer, "exec-1") == 0,
     "it decodes to the same fields");
  is_str(back.json, d.json,
         "decode keeps the exact text (for compare-and-set)");

  d.state = EX_DD_FINAL;
  snprintf(d.status, sizeof d.status, "EXECUTED");
  snprintf(d.order_id, sizeof d.order_id,
           "fd4300ae-7847-404e-b947-b46980a4d140");
  snprintf(d.executed_qty, sizeof d.executed_qty, "0.007");
  ex_dedupe_encode(&d);
  ex_dedupe_decode(d.json, strlen(d.json), &back);
  ok(back.state == EX_DD_FINAL && strcmp(back.status, "EXECUTED") == 0 &&
         strcmp(back.order_id, "fd4300ae-7847-404e-b947-b46980a4d140") == 0 &&
         strcmp(back.executed_qty, "0.007") == 0,
     "a final record keeps status, order id and executed qty");

  {
    const char *claimed = "{\"state\":\"claimed\",\"consumer\":\"a\",\"ts\":5}";
    ex_dedupe_decode(claimed, strlen(claimed), &back);
  }
  ok(back.state == EX_DD_CLAIMED && back.ts == 5, "a claimed record decodes");

  /* Records written before order ids were text, and ids no venue makes. */
  {
    static const struct {
      const char *json, *order_id, *name;
    } ids[] = {
        {"{\"state\":\"final\",\"status\":\"EXECUTED\",\"order_id\":"
         "11961912854}",
         "11961912854", "an old numeric order id reads as its text"},
        {"{\"state\":\"claimed\",\"order_id\":0}", "",
         "an old order id 0 reads as none"},
        {"{\"state\":\"final\",\"status\":\"EXECUTED\",\"order_id\":"
         "\"a b\\\"c\"}",
         "", "an order id with a blank or a quote is dropped"},
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
      ex_dedupe_decode(ids[i].json, strlen(ids[i].json), &back);
      is_str(back.order_id, ids[i].order_id, ids[i].name);
    }
    ok(back.state == EX_DD_FINAL && strcmp(back.status, "EXECUTED") == 0,
       "a dropped order id leaves the record readable");
  }

  for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
    ex_dedupe_decode(garbage[i], strlen(garbage[i]), &back);
    ok(back.state == EX_DD_FINAL && strcmp(back.status, "UNREADABLE") == 0,
       "unreadable record %zu counts as final (no order)", i);
  }
  is_str(ex_dedupe_state_name(EX_DD_CLAIMED), "claimed", "state names");

  /* Clock skew between hosts: a stamp up to EX_DEDUPE_MAX_FUTURE_MS ahead
   * is believed, one further ahead is not. */
  {
    const int64_t now = 1769379791123;
    memset(&d, 0, sizeof d);
    d.ts = now - 5000;
    ok(!ex_dedupe_stamp_unbelievable(&d, now), "a stamp in the past: believed");
    d.ts = now + EX_DEDUPE_MAX_FUTURE_MS;
    ok(!ex_dedupe_stamp_unbelievable(&d, now),
       "a stamp at the bound ahead: believed");
    d.ts = now + EX_DEDUPE_MAX_FUTURE_MS + 1;
    ok(ex_dedupe_stamp_unbelievable(&d, now),
       "a stamp past the bound ahead: not believed");
    d.ts = now;
    d.sent_ts = now + 3600000;
    ok(ex_dedupe_stamp_unbelievable(&d, now),
       "a send time an hour ahead: not believed");
    d.sent_ts = 0;
    ok(!ex_dedupe_stamp_unbelievable(&d, now), "never sent: believed");
  }
  return tap_done();
}
