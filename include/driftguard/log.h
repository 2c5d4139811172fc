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

#endif
