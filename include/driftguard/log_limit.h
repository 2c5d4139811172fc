/* log_limit.h - how many lines of one kind a log may take: the first
 * `burst` of each interval are written, the rest only counted, and the
 * count is reported once the interval is over. Pure logic (the caller
 * gives the time); dg_log_limited (log.h) applies it to log lines. */
#ifndef DRIFTGUARD_LOG_LIMIT_H
#define DRIFTGUARD_LOG_LIMIT_H

#include <stddef.h>
#include <stdint.h>

#define DG_LOG_LIMIT_KINDS 32 /* kinds told apart; more share the last */
#define DG_LOG_LIMIT_KIND_MAX 64

typedef struct {
  char kind[DG_LOG_LIMIT_KIND_MAX];
  int64_t start_ms;         /* the current interval's start */
  unsigned written;         /* lines written in it */
  unsigned long suppressed; /* lines counted, not written */
} dg_log_limit_slot_t;

typedef struct {
  unsigned burst;      /* lines written per kind and interval */
  int64_t interval_ms; /* > 0 */
  size_t n;            /* slots in use */
  dg_log_limit_slot_t slot[DG_LOG_LIMIT_KINDS];
} dg_log_limit_t;

/* Report of a kind whose interval ended with lines suppressed. */
typedef void (*dg_log_limit_report_cb)(const char *kind,
                                       unsigned long suppressed, void *user);

/* 1 when a line of kind may be written at now_ms, 0 when it is only
 * counted. A kind whose interval has ended is reported (report, when lines
 * were suppressed) and starts a new one first. */
int dg_log_limit_admit(dg_log_limit_t *l, const char *kind, int64_t now_ms,
                       dg_log_limit_report_cb report, void *user);
/* Report and restart every kind whose interval has ended (call it when
 * idle, so a flood that stopped is still counted). */
void dg_log_limit_expire(dg_log_limit_t *l, int64_t now_ms,
                         dg_log_limit_report_cb report, void *user);

#endif
