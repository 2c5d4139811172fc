/* verdict.h - THE table of the exactly-once machine: how a plan's handling
 * ends, from the verdict of its last step and the state of the dedupe
 * record this consumer holds. Pure: no Redis, no clock; unit-tested
 * (tests/unit/test_verdict.c).
 *
 * The steps (apply.c) each return one verdict. The table alone decides
 * what is written: the record's final state, the result entry, the ACK,
 * or nothing at all (the entry stays pending and comes back after
 * ClaimIdle). */
#ifndef DG_EXECUTOR_VERDICT_H
#define DG_EXECUTOR_VERDICT_H

#include "executor/dedupe.h"

#include <stdint.h>

typedef enum {
  EX_V_NEXT,    /* go on with the next step */
  EX_V_FINAL,   /* the outcome is certain (an order's fate included) */
  EX_V_UNSURE,  /* an outcome, but an order sent under this record may
                   still show up on the exchange */
  EX_V_PENDING, /* not ours to end now (another live owner, replicas
                   short): handled again later */
  EX_V_AGAIN,   /* the record changed under us: read it again */
  EX_V_STOP,    /* a stop was requested: leave everything as it is */
  EX_V_COUNT
} ex_verdict_t;

typedef enum {
  EX_ACT_AGAIN,     /* run the steps again from the record */
  EX_ACT_STOP,      /* write nothing, stop */
  EX_ACT_PENDING,   /* write nothing: no result, no ACK */
  EX_ACT_RESULT,    /* result + ACK; no record of ours to change */
  EX_ACT_FINAL,     /* record final + result + ACK, in one script */
  EX_ACT_GIVE_UP,   /* the fate stayed unknown for the record's lifetime:
                       final ERROR for a human + result + ACK */
  EX_ACT_WAIT_FATE, /* in the table only: PENDING until the record's
                       lifetime (EX_DEDUPE_TTL_S) has passed, then GIVE_UP */
} ex_action_t;

const char *ex_verdict_name(ex_verdict_t v);
const char *ex_action_name(ex_action_t a);

/* The action for verdict v when this consumer holds a record in state held
 * (EX_DD_NONE, CLAIMED or SUBMITTED; a final record is never held), whose
 * last order was sent (or, unsent, last changed) age_s seconds ago. */
ex_action_t ex_action_of(ex_verdict_t v, ex_dd_state_t held, int64_t age_s);

#endif
