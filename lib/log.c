/* log.c - the executor's and tools' log lines on stderr.
 *
 * Each line is formatted in full and written with one write(), so lines
 * from several threads or processes sharing stderr never interleave. Under
 * systemd (stderr is the journal stream named by JOURNAL_STREAM) a line is
 * "<N>text", the journal's level prefix; elsewhere it is
 * "2026-11-25T12:00:00.123Z level=info text". */
#include "driftguard/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

static int log_max_level = LOG_INFO;

void dg_log_set_level(int max_level) {
  if (max_level < LOG_EMERG)
    max_level = LOG_EMERG;
  if (max_level > LOG_DEBUG)
    max_level = LOG_DEBUG;
  log_max_level = max_level;
}

/* True when stderr is the journal stream systemd announced ("DEV:INODE"),
 * not merely inherited from a service that had one. */
static int stderr_is_journal(void) {
  const char *js = getenv("JOURNAL_STREAM");
  unsigned long long dev, ino;
  struct stat st;
  if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
    return 0;
  if (fstat(STDERR_FILENO, &st) != 0)
    return 0;
  return (unsigned long long)st.st_dev == dev &&
         (unsigned long long)st.st_ino == ino;
}

static const char *level_name(int level) {
  static const char *const names[] = {"emerg",   "alert",  "crit", "err",
                                      "warning", "notice", "info", "debug"};
  return (level >= LOG_EMERG && level <= LOG_DEBUG) ? names[level] : "info";
}

static size_t format_prefix(char *buf, size_t size, int level) {
  struct timespec ts;
  struct tm tm;
  int n;
  if (stderr_is_journal()) {
    n = snprintf(buf, size, "<%d>", level);
  } else {
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L,
                 level_name(level));
  }
  return n < 0 ? 0 : (size_t)n;
}

void dg_log(int level, const char *fmt, ...) {
  char line[LOG_LINE_MAX];
  size_t len, text_start;
  int n;
  va_list ap;
  if (level < LOG_EMERG || level > LOG_DEBUG)
    level = LOG_INFO;
  if (level > log_max_level)
    return;
  len = format_prefix(line, sizeof(line), level);
  text_start = len;
  va_start(ap, fmt);
  n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  len += (size_t)n;
  if (len > sizeof(line) - 2)
    len = sizeof(line) - 2; /* truncated: keep room for '\n' */
  while (len > text_start && line[len - 1] == '\n')
    len--;
  /* One event, one line: an embedded newline would forge a second entry. */
  for (size_t i = text_start; i < len; i++)
    if (line[i] == '\n' || line[i] == '\r')
      line[i] = ' ';
  line[len++] = '\n';
  for (size_t off = 0; off < len;) {
    ssize_t w = write(STDERR_FILENO, line + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return;
    off += (size_t)w;
  }
}
