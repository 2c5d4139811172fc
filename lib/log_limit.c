/* log_limit.c - per-kind line budgets for log floods (see log_limit.h).
 * A kind is looked up by name among at most DG_LOG_LIMIT_KINDS; once they
 * are all taken, new kinds share the last slot, so the table never grows
 * and a flood of ever new kinds is still bounded. */
#include "driftguard/log_limit.h"

#include <stdio.h>
#include <string.h>

static dg_log_limit_slot_t *find_slot(dg_log_limit_t *l, const char *kind,
                                      int64_t now_ms) {
  dg_log_limit_slot_t *s;
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->slot[i].kind, kind) == 0)
      return &l->slot[i];
  if (l->n == DG_LOG_LIMIT_KINDS)
    return &l->slot[DG_LOG_LIMIT_KINDS - 1];
  s = &l->slot[l->n++];
  memset(s, 0, sizeof *s);
  snprintf(s->kind, sizeof s->kind, "%s",
           l->n == DG_LOG_LIMIT_KINDS ? "other" : kind);
  s->start_ms = now_ms;
  return s;
}

/* Start a new interval when the slot's has ended; report what it hid. */
static void roll(dg_log_limit_t *l, dg_log_limit_slot_t *s, int64_t now_ms,
                 dg_log_limit_report_cb report, void *user) {
  if (now_ms - s->start_ms < l->interval_ms)
    return;
  if (s->suppressed > 0 && report != NULL)
    report(s->kind, s->suppressed, user);
  s->start_ms = now_ms;
  s->written = 0;
  s->suppressed = 0;
}

int dg_log_limit_admit(dg_log_limit_t *l, const char *kind, int64_t now_ms,
                       dg_log_limit_report_cb report, void *user) {
  dg_log_limit_slot_t *s = find_slot(l, kind, now_ms);
  roll(l, s, now_ms, report, user);
  if (s->written < l->burst) {
    s->written++;
    return 1;
  }
  s->suppressed++;
  return 0;
}

void dg_log_limit_expire(dg_log_limit_t *l, int64_t now_ms,
                         dg_log_limit_report_cb report, void *user) {
  for (size_t i = 0; i < l->n; i++)
    roll(l, &l->slot[i], now_ms, report, user);
}
