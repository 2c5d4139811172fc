/* verdict.c - the exactly-once table (see verdict.h). */
#include "executor/verdict.h"

/* A held record is never final (a final record ends the plan as a
 * duplicate before anything is held), hence three columns. */
#define HELD_STATES (EX_DD_SUBMITTED + 1)

static const ex_action_t table[EX_V_COUNT][HELD_STATES] = {
    /*                 NONE             CLAIMED         SUBMITTED */
    /* The steps ran out without an outcome: as UNSURE. */
    [EX_V_NEXT] = {EX_ACT_RESULT, EX_ACT_FINAL, EX_ACT_WAIT_FATE},
    [EX_V_FINAL] = {EX_ACT_RESULT, EX_ACT_FINAL, EX_ACT_FINAL},
    /* NEVER TWO FILLS FOR ONE PLAN (the end of it): an outcome that is not
     * certain never finalises a submitted record. The order may exist; the
     * entry stays pending and the exchange is asked again (query by client
     * order id) before anything is sent. A claimed record was never sent:
     * whatever happened is certain. */
    [EX_V_UNSURE] = {EX_ACT_RESULT, EX_ACT_FINAL, EX_ACT_WAIT_FATE},
    [EX_V_PENDING] = {EX_ACT_PENDING, EX_ACT_PENDING, EX_ACT_PENDING},
    [EX_V_AGAIN] = {EX_ACT_AGAIN, EX_ACT_AGAIN, EX_ACT_AGAIN},
    [EX_V_STOP] = {EX_ACT_STOP, EX_ACT_STOP, EX_ACT_STOP},
};

const char *ex_verdict_name(ex_verdict_t v) {
  static const char *const names[] = {"next",    "final", "unsure",
                                      "pending", "again", "stop"};
  return v >= 0 && v < EX_V_COUNT ? names[v] : "?";
}

const char *ex_action_name(ex_action_t a) {
  static const char *const names[] = {"again", "stop",    "pending",  "result",
                                      "final", "give_up", "wait_fate"};
  return a >= EX_ACT_AGAIN && a <= EX_ACT_WAIT_FATE ? names[a] : "?";
}

ex_action_t ex_action_of(ex_verdict_t v, ex_dd_state_t held, int64_t age_s) {
  ex_action_t a;
  if (v < 0 || v >= EX_V_COUNT || held < 0 || held >= HELD_STATES)
    return EX_ACT_PENDING; /* cannot happen; never end a plan blindly */
  a = table[v][held];
  if (a == EX_ACT_WAIT_FATE)
    a = age_s < EX_DEDUPE_TTL_S ? EX_ACT_PENDING : EX_ACT_GIVE_UP;
  return a;
}
