/* log.h - one line per event, key=value, syslog levels, to stderr.
 * Under systemd (JOURNAL_STREAM set) lines carry the "<N>" level prefix the
 * journal understands; on a terminal they start with a timestamp and
 * level=NAME. Never pass a secret to these functions. */
#ifndef DRIFTGUARD_LOG_H
#define DRIFTGUARD_LOG_H

#include <syslog.h>

void dg_log_set_level(int max_level); /* default LOG_INFO */
__attribute__((format(printf, 2, 3))) void dg_log(int level, const char *fmt,
                                                  ...);

/* Between begin and end, the calling thread's lines collect in memory and
 * go out together in one write() (a batch of plans logs two lines each).
 * A line at LOG_ERR or more severe, and dg_log_flush(), write what has
 * collected at once, in order: call it before an action whose lines must
 * not wait (an order's audit line). Without memory for the buffer, lines
 * are written one by one. */
void dg_log_buffer_begin(void);
void dg_log_flush(void);
void dg_log_buffer_end(void); /* flushes */

/* Lines that can come in floods (one per rejected plan, per junk entry):
 * of each kind (e.g. "invariant_violation:malformed"), the first
 * DG_LOG_BURST of every DG_LOG_INTERVAL_S seconds are written, the rest
 * only counted; the count goes out as one warning line
 *   event=log_suppressed kind=K suppressed=N interval_s=60 burst=20
 * with the kind's next line or at dg_log_limited_flush() (call it when
 * idle). Never for an order's audit line. Thread-safe. */
#define DG_LOG_BURST 20
#define DG_LOG_INTERVAL_S 60
__attribute__((format(printf, 3, 4))) void
dg_log_limited(const char *kind, int level, const char *fmt, ...);
void dg_log_limited_flush(void);
/* At exit: the counts not reported yet, whatever their interval. */
void dg_log_limited_end(void);

#endif
