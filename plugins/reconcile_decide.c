/* reconcile_decide.c - the per-symbol decision of SPEC section 2, pure
 * (see reconcile_decide.h): drift math, the ConfirmPolls debounce, and the
 * rule that an unknown ledger is never flat. */
#include "reconcile_decide.h"

#include <stdio.h>
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

/* A ledger entry as decided on: a missing entry is flat only by the
 * operator's choice, or when the exchange is flat too: then there is
 * nothing to protect or close. */
static rc_ledger_state_t rc_ledger_effective(rc_ledger_state_t led,
                                             dg_dec_t exchange_amt,
                                             const rc_policy_t *policy,
                                             dg_dec_t *ledger_amt) {
  if (led == RC_LEDGER_MISSING &&
      (policy->missing_is_flat || dg_dec_is_zero(exchange_amt))) {
    *ledger_amt = DG_DEC_ZERO;
    return RC_LEDGER_OK;
  }
  return led;
}

/* The debounce and the action once the drift and its signature are known
 * (act->sig "" when there is none). */
static void rc_decide_kind(const rc_decide_in_t *in, const rc_policy_t *policy,
                           rc_memory_t *mem, rc_action_t *act) {
  if (act->sig[0] == '\0') {
    mem->pending_sig[0] = '\0';
    mem->pending_count = 0;
    /* A lost ledger cannot vouch that a symbol is clean. */
    act->kind = in->held && !policy->ledger_lost ? RC_ACT_RELEASE : RC_ACT_NONE;
    return;
  }
  if (!rc_debounce(mem, act->sig, policy->confirm_polls, &act->new_drift))
    act->kind = RC_ACT_WAIT;
}

/* Hedge mode: each leg against its own ledger leg (LONG >= 0, SHORT <= 0:
 * a ledger leg of the wrong sign is unreadable), never across legs. */
static int rc_decide_legs(const char *symbol, const rc_decide_in_t *in,
                          const rc_policy_t *policy, rc_memory_t *mem,
                          rc_action_t *act) {
  char led_text[RC_LEGS][DG_DEC_STRLEN];
  bool drifting = false;
  act->hedge = true;
  for (int l = 0; l < RC_LEGS; l++) {
    const rc_leg_in_t *li = &in->legs[l];
    rc_leg_act_t *la = &act->legs[l];
    dg_dec_t amt = li->ledger_amt;
    int want = l == RC_LEG_LONG ? 1 : -1;
    rc_ledger_state_t led = li->ledger;
    if (led == RC_LEDGER_OK && dg_dec_sign(amt) == -want)
      led = RC_LEDGER_UNREADABLE;
    led = rc_ledger_effective(led, li->exchange_amt, policy, &amt);
    if (dg_dec_sign(li->exchange_amt) == -want)
      return -1; /* a leg of the wrong sign: not the driver's contract */
    if (led == RC_LEDGER_OK) {
      if (dg_drift_compute(li->exchange_amt, amt, in->step, &la->drift) != 0 ||
          rc_cap_close(&la->drift, in->max_qty, in->step) != 0)
        return -1;
      la->ledger_known = true;
      la->ledger_amt = amt;
      dg_dec_format(amt, led_text[l], sizeof(led_text[l]));
    } else {
      la->drift.kind = DG_DRIFT_UNFIXABLE;
      la->drift.target = li->exchange_amt;
      la->drift.side = "";
      snprintf(led_text[l], sizeof(led_text[l]), "%s",
               rc_ledger_state_text(led));
    }
    if (la->drift.kind != DG_DRIFT_NONE) {
      drifting = true;
      la->why = rc_why_no_plan(led, policy, &la->drift, in->min_qty);
    }
  }
  if (drifting &&
      dg_drift_signature_legs(symbol, in->legs[RC_LEG_LONG].exchange_amt,
                              led_text[RC_LEG_LONG],
                              in->legs[RC_LEG_SHORT].exchange_amt,
                              led_text[RC_LEG_SHORT], act->sig) != 0)
    return -1;
  rc_decide_kind(in, policy, mem, act);
  if (act->sig[0] == '\0' || act->kind == RC_ACT_WAIT)
    return 0;
  act->kind = RC_ACT_HOLD;
  for (int l = 0; l < RC_LEGS; l++) {
    rc_leg_act_t *la = &act->legs[l];
    if (la->drift.kind == DG_DRIFT_NONE)
      continue;
    la->publish = la->why == RC_WHY_NONE;
    if (la->publish)
      act->kind = RC_ACT_HOLD_PUBLISH;
    else if (act->why == RC_WHY_NONE)
      act->why = la->why;
  }
  act->notify = act->why != RC_WHY_NONE && act->why != RC_WHY_PUBLISH_PAUSED &&
                strcmp(mem->notified_sig, act->sig) != 0;
  return 0;
}

int rc_decide(const char *symbol, const rc_decide_in_t *in,
              const rc_policy_t *policy, rc_memory_t *mem, rc_action_t *out) {
  rc_action_t act;
  dg_dec_t ledger_amt = in->ledger_amt;
  rc_ledger_state_t led;
  memset(&act, 0, sizeof(act));

  if (in->hedge) {
    if (rc_decide_legs(symbol, in, policy, mem, &act) != 0)
      return -1;
    *out = act;
    return 0;
  }
  led = rc_ledger_effective(in->ledger, in->exchange_amt, policy, &ledger_amt);
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

  rc_decide_kind(in, policy, mem, &act);
  if (act.sig[0] == '\0' || act.kind == RC_ACT_WAIT) {
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
