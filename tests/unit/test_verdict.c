/* Unit tests of the exactly-once table (executor/verdict.c): every verdict
 * against every record a consumer can hold, and the record's lifetime
 * bounding the wait for an order of unknown fate. */
#include "../tap.h"
#include "executor/verdict.h"

#include <string.h>

static const struct {
  ex_verdict_t v;
  ex_dd_state_t held;
  int64_t age_s;
  ex_action_t want;
  const char *why;
} rows[] = {
    {EX_V_FINAL, EX_DD_NONE, 0, EX_ACT_RESULT,
     "a rejection before the claim: result + ACK, no record"},
    {EX_V_FINAL, EX_DD_CLAIMED, 0, EX_ACT_FINAL,
     "a certain outcome under a claim: record final"},
    {EX_V_FINAL, EX_DD_SUBMITTED, 0, EX_ACT_FINAL,
     "an order the exchange knows: record final"},
    {EX_V_UNSURE, EX_DD_NONE, 0, EX_ACT_RESULT,
     "an error before any record: result + ACK"},
    {EX_V_UNSURE, EX_DD_CLAIMED, 0, EX_ACT_FINAL,
     "an error under a claim: never sent, so certain: record final"},
    {EX_V_UNSURE, EX_DD_SUBMITTED, 0, EX_ACT_PENDING,
     "never two fills: a maybe-sent order leaves the entry pending"},
    {EX_V_UNSURE, EX_DD_SUBMITTED, EX_DEDUPE_TTL_S - 1, EX_ACT_PENDING,
     "still pending within the record's lifetime"},
    {EX_V_UNSURE, EX_DD_SUBMITTED, EX_DEDUPE_TTL_S, EX_ACT_GIVE_UP,
     "after the record's lifetime: give up, final ERROR for a human"},
    {EX_V_NEXT, EX_DD_SUBMITTED, 0, EX_ACT_PENDING,
     "steps that run out without an outcome count as unsure"},
    {EX_V_PENDING, EX_DD_NONE, 0, EX_ACT_PENDING,
     "another live owner: pending, nothing written"},
    {EX_V_PENDING, EX_DD_CLAIMED, EX_DEDUPE_TTL_S, EX_ACT_PENDING,
     "replicas short under a claim: pending, whatever the age"},
    {EX_V_PENDING, EX_DD_SUBMITTED, 0, EX_ACT_PENDING,
     "pending under a submitted record"},
    {EX_V_AGAIN, EX_DD_NONE, 0, EX_ACT_AGAIN, "the record moved: look again"},
    {EX_V_STOP, EX_DD_NONE, 0, EX_ACT_STOP, "stop: nothing written"},
    {EX_V_STOP, EX_DD_SUBMITTED, EX_DEDUPE_TTL_S, EX_ACT_STOP,
     "stop under a submitted record: nothing written, even when old"},
    {EX_V_FINAL, EX_DD_FINAL, 0, EX_ACT_PENDING,
     "a final record is never held: refuse to end the plan blindly"},
    {EX_V_COUNT, EX_DD_NONE, 0, EX_ACT_PENDING,
     "an unknown verdict: refuse to end the plan blindly"},
};

int main(void) {
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    ex_action_t got = ex_action_of(rows[i].v, rows[i].held, rows[i].age_s);
    if (!ok(got == rows[i].want, "%s", rows[i].why))
      printf("#   %s x record state %d: got %s, want %s\n",
             ex_verdict_name(rows[i].v), (int)rows[i].held, ex_action_name(got),
             ex_action_name(rows[i].want));
  }
  /* No verdict ever finalises a submitted record unless it is certain. */
  for (int v = 0; v < EX_V_COUNT; v++)
    if (v != EX_V_FINAL)
      ok(ex_action_of((ex_verdict_t)v, EX_DD_SUBMITTED, 0) != EX_ACT_FINAL,
         "verdict %s never finalises a fresh submitted record",
         ex_verdict_name((ex_verdict_t)v));
  return tap_done();
}
