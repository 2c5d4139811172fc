/* reconcile_decide.h - the reconcile plugin's decision for one symbol in
 * one poll (SPEC section 2), pure: from what the poll read (the exchange
 * amount, the ledger entry, the HOLD keys), the account's policy and the
 * symbol's memory of earlier polls, what to do: nothing, HOLD, HOLD and
 * publish a plan, or release; and whether a human must be told.
 *
 * No I/O and no collectd here: the poll is read -> rc_decide -> apply
 * (reconcile_poll.c), and tests/unit/test_reconcile_decide.c drives this
 * with a table. */
#ifndef RECONCILE_DECIDE_H
#define RECONCILE_DECIDE_H

#include "driftguard/decimal.h"
#include "driftguard/drift.h"

#include <stdbool.h>

/* What the ledger read gave for a symbol. */
typedef enum {
  RC_LEDGER_OK = 0,    /* an exact decimal */
  RC_LEDGER_MISSING,   /* no key or no field */
  RC_LEDGER_UNREADABLE /* not an exact decimal, or not a hash field */
} rc_ledger_state_t;

typedef struct {
  dg_dec_t exchange_amt; /* a symbol the exchange omits is flat */
  rc_ledger_state_t ledger;
  dg_dec_t ledger_amt; /* RC_LEDGER_OK only */
  bool held;           /* a HOLD key or hold_sig exists */
  dg_dec_t step, min_qty;
  /* The most one MARKET order may carry (0: no limit): a larger close is
   * capped at it, so one plan is one order; the next poll closes the rest
   * under a new signature. */
  dg_dec_t max_qty;
} rc_decide_in_t;

/* The account's policy for this poll. */
typedef struct {
  int confirm_polls;
  bool missing_is_flat; /* MissingLedger "flat" */
  bool ledger_lost;     /* LedgerGuardKey configured and absent */
  bool publish_paused;  /* Redis lost its data: no plan for a while */
} rc_policy_t;

/* What a symbol remembers from poll to poll. rc_decide keeps the
 * debounce; the apply step records what it wrote (held_sig, notified_sig)
 * once Redis took it. */
typedef struct {
  char pending_sig[DG_SIGNATURE_LEN + 1]; /* ConfirmPolls debounce */
  int pending_count;
  char held_sig[DG_SIGNATURE_LEN + 1];     /* written to hold_sig, "" none */
  char notified_sig[DG_SIGNATURE_LEN + 1]; /* told a human, "" none */
} rc_memory_t;

typedef enum {
  RC_ACT_NONE = 0,     /* nothing to change */
  RC_ACT_WAIT,         /* a drift being confirmed: HOLD unchanged */
  RC_ACT_HOLD,         /* HOLD (renew the lease), no plan */
  RC_ACT_HOLD_PUBLISH, /* HOLD and publish the close plan */
  RC_ACT_RELEASE       /* no drift: release the HOLD if it is ours */
} rc_action_kind_t;

/* Why a drift is held without a plan. */
typedef enum {
  RC_WHY_NONE = 0,
  RC_WHY_LEDGER_HOLDS_MORE, /* no reduce-only close can reach the ledger */
  RC_WHY_BELOW_MIN_QTY,     /* the close is below the exchange's minQty */
  RC_WHY_LEDGER_MISSING,    /* no ledger entry: unknown, never flat */
  RC_WHY_LEDGER_UNREADABLE, /* the entry is not an exact decimal */
  RC_WHY_LEDGER_LOST,       /* LedgerGuardKey absent */
  RC_WHY_PUBLISH_PAUSED     /* Redis lost its data: confirm again */
} rc_why_t;

typedef struct {
  rc_action_kind_t kind;
  rc_why_t why;                   /* HOLD: why no plan */
  bool notify;                    /* HOLD: tell a human (once per signature) */
  bool new_drift;                 /* the debounce began: log the drift once */
  char sig[DG_SIGNATURE_LEN + 1]; /* "" when there is no drift */
  dg_drift_t drift;               /* HOLD_PUBLISH: the close */
  bool ledger_known;              /* ledger_amt below is the ledger */
  dg_dec_t ledger_amt;            /* the ledger as decided on (0 = flat) */
} rc_action_t;

/* Decide for symbol. Updates mem's debounce. Returns 0, or -1 when the
 * drift math fails (step <= 0, amounts out of range): then nothing may
 * change for the symbol. */
int rc_decide(const char *symbol, const rc_decide_in_t *in,
              const rc_policy_t *policy, rc_memory_t *mem, rc_action_t *out);

/* A short reason for logs and notifications. */
const char *rc_why_text(rc_why_t why);
/* The ledger side of a signature or a log line: "missing", "unreadable". */
const char *rc_ledger_state_text(rc_ledger_state_t st);

#endif
