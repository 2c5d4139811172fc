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

#endif
