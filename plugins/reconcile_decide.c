/* reconcile_decide.c - the per-symbol decision of SPEC section 2, pure
 * (see reconcile_decide.h): drift math, the ConfirmPolls debounce, and the
 * rule that an unknown ledger is never flat. */
#include "reconcile_decide.h"

#include <string.h>

const char *rc_why_text(rc_why_t why) {
  switch (why) {
  case RC_WHY_NONE:
    return "none";
  case RC_WHY_LEDGER_HOLDS_MORE:
    return "the ledger holds more than the exchange";
  case RC_WHY_BELOW_MIN_QTY:
    return "the close is below the exchange's minQty";
  case RC_WHY_LEDGER_MISSING:
    return "the ledger entry is missing: ledger unknown, not flat";
  case RC_WHY_LEDGER_UNREADABLE:
    return "the ledger value is not an exact decimal";
  case RC_WHY_LEDGER_LOST:
    return "LedgerGuardKey is absent: the ledger is lost";
  case RC_WHY_PUBLISH_PAUSED:
    return "Redis lost its data: confirming again before any plan";
  }
  return "?";
}

const char *rc_ledger_state_text(rc_ledger_state_t st) {
  switch (st) {
  case RC_LEDGER_OK:
    return "ok";
  case RC_LEDGER_MISSING:
    return "missing";
  case RC_LEDGER_UNREADABLE:
    return "unreadable";
  }
  return "?";
}

/* Why a confirmed drift gets no plan; RC_WHY_NONE: publish. The ledger's
 * trustworthiness comes first: a plan is only ever made from a ledger
 * that is there, readable, and vouched for by the guard key. */
static rc_why_t rc_why_no_plan(rc_ledger_state_t led, const rc_policy_t *p,
                               const dg_drift_t *d, dg_dec_t min_qty) {
  if (p->ledger_lost)
    return RC_WHY_LEDGER_LOST;
  if (led == RC_LEDGER_MISSING)
    return RC_WHY_LEDGER_MISSING;
  if (led == RC_LEDGER_UNREADABLE)
    return RC_WHY_LEDGER_UNREADABLE;
  if (d->kind != DG_DRIFT_CLOSE)
    return RC_WHY_LEDGER_HOLDS_MORE;
  if (dg_dec_cmp(d->qty, min_qty) < 0)
    return RC_WHY_BELOW_MIN_QTY;
  if (p->publish_paused)
    return RC_WHY_PUBLISH_PAUSED;
  return RC_WHY_NONE;
}

/* A close above the market maximum becomes the largest close one order
 * may carry (a venue would split it, or refuse it). */
static int rc_cap_close(dg_drift_t *d, dg_dec_t max_qty, dg_dec_t step) {
  dg_dec_t cap;
  if (d->kind != DG_DRIFT_CLOSE || dg_dec_sign(max_qty) <= 0 ||
      dg_dec_cmp(d->qty, max_qty) <= 0)
    return 0;
  if (dg_dec_round_down(max_qty, step, &cap) != 0)
    return -1;
  if (dg_dec_sign(cap) > 0)
    d->qty = cap;
  return 0;
}

/* The same signature on ConfirmPolls consecutive polls. */
static bool rc_debounce(rc_memory_t *mem, const char *sig, int confirm_polls,
                        bool *new_drift) {
  *new_drift = strcmp(mem->pending_sig, sig) != 0;
  if (*new_drift) {
    memcpy(mem->pending_sig, sig, sizeof(mem->pending_sig));
    mem->pending_count = 1;
  } else if (mem->pending_count < confirm_polls) {
    mem->pending_count++;
  }
  return mem->pending_count >= confirm_polls;
}

int rc_decide(const char *symbol, const rc_decide_in_t *in,
              const rc_policy_t *policy, rc_memory_t *mem, rc_action_t *out) {
  rc_action_t act;
  rc_ledger_state_t led = in->ledger;
  dg_dec_t ledger_amt = in->ledger_amt;
  memset(&act, 0, sizeof(act));

  /* A missing entry is flat only by the operator's choice, or when the
   * exchange is flat too: then there is nothing to protect or close. */
  if (led == RC_LEDGER_MISSING &&
      (policy->missing_is_flat || dg_dec_is_zero(in->exchange_amt))) {
    led = RC_LEDGER_OK;
    ledger_amt = DG_DEC_ZERO;
  }
  if (led == RC_LEDGER_OK) {
    if (dg_drift_compute(in->exchange_amt, ledger_amt, in->step, &act.drift) !=
            0 ||
        rc_cap_close(&act.drift, in->max_qty, in->step) != 0 ||
        (act.drift.kind != DG_DRIFT_NONE &&
         dg_drift_signature(symbol, in->exchange_amt, ledger_amt, act.sig) !=
             0))
      return -1;
    act.ledger_known = true;
    act.ledger_amt = ledger_amt;
  } else {
    /* Unknown ledger: a drift that no close may act on. */
    if (dg_drift_signature_text(symbol, in->exchange_amt,
                                rc_ledger_state_text(led), act.sig) != 0)
      return -1;
    act.drift.kind = DG_DRIFT_UNFIXABLE;
    act.drift.target = in->exchange_amt;
    act.drift.side = "";
  }

  if (act.sig[0] == '\0') {
    mem->pending_sig[0] = '\0';
    mem->pending_count = 0;
    /* A lost ledger cannot vouch that a symbol is clean. */
    act.kind = in->held && !policy->ledger_lost ? RC_ACT_RELEASE : RC_ACT_NONE;
    *out = act;
    return 0;
  }
  if (!rc_debounce(mem, act.sig, policy->confirm_polls, &act.new_drift)) {
    act.kind = RC_ACT_WAIT;
    *out = act;
    return 0;
  }
  act.why = rc_why_no_plan(led, policy, &act.drift, in->min_qty);
  if (act.why == RC_WHY_NONE) {
    act.kind = RC_ACT_HOLD_PUBLISH;
  } else {
    act.kind = RC_ACT_HOLD;
    /* A pause is the plugin's own caution, not a human's problem. */
    act.notify = act.why != RC_WHY_PUBLISH_PAUSED &&
                 strcmp(mem->notified_sig, act.sig) != 0;
  }
  *out = act;
  return 0;
}
