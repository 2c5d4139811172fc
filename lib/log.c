/* log.c - the executor's and tools' log lines on stderr.
 *
 * Each line is formatted in full and written with one write(), so lines
 * from several threads or processes sharing stderr never interleave; a
 * thread may collect its lines and write them together (see log.h). Under
 * systemd (stderr is the journal stream named by JOURNAL_STREAM) a line is
 * "<N>text", the journal's level prefix; elsewhere it is
 * "2026-11-25T12:00:00.123Z level=info text". */
#include "driftguard/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096
#define LOG_BUFFER_SIZE (16 * LOG_LINE_MAX)

static int log_max_level = LOG_INFO;
static int log_to_journal;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

/* The calling thread's collected lines (dg_log_buffer_begin). */
static _Thread_local char *log_buffer;
static _Thread_local size_t log_buffered;

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

/* stderr stays the same for the life of the process: look once, not per
 * line (an fstat each). */
static void log_init(void) {
  log_to_journal = stderr_is_journal();
}

static const char *level_name(int level) {
  static const char *const names[] = {"emerg",   "alert",  "crit", "err",
                                      "warning", "notice", "info", "debug"};
  return (level >= LOG_EMERG && level <= LOG_DEBUG) ? names[level] : "info";
}

static size_t format_prefix(char *buf, size_t size, int level) {
  /* The date and time to the second, formatted once per second and
   * thread: a batch of plans logs hundreds of lines in one. */
  static _Thread_local time_t stamped;
  static _Thread_local char stamp[32];
  struct timespec ts;
  struct tm tm;
  int n;
  if (log_to_journal) {
    n = snprintf(buf, size, "<%d>", level);
  } else {
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != stamped || stamp[0] == '\0') {
      if (gmtime_r(&ts.tv_sec, &tm) == NULL ||
          strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(stamp, sizeof stamp, "%lld", (long long)ts.tv_sec);
      stamped = ts.tv_sec;
    }
    n = snprintf(buf, size, "%s.%03ldZ level=%s ", stamp, ts.tv_nsec / 1000000L,
                 level_name(level));
  }
  return n < 0 ? 0 : (size_t)n;
}

static void write_all(const char *buf, size_t len) {
  for (size_t off = 0; off < len;) {
    ssize_t w = write(STDERR_FILENO, buf + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return;
    off += (size_t)w;
  }
}

void dg_log_buffer_begin(void) {
  if (log_buffer == NULL) {
    log_buffer = malloc(LOG_BUFFER_SIZE);
    log_buffered = 0;
  }
}

void dg_log_flush(void) {
  if (log_buffer != NULL && log_buffered > 0)
    write_all(log_buffer, log_buffered);
  log_buffered = 0;
}

void dg_log_buffer_end(void) {
  dg_log_flush();
  free(log_buffer);
  log_buffer = NULL;
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
  pthread_once(&log_once, log_init);
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
  if (log_buffer == NULL) {
    write_all(line, len);
    return;
  }
  if (log_buffered + len > LOG_BUFFER_SIZE)
    dg_log_flush();
  memcpy(log_buffer + log_buffered, line, len);
  log_buffered += len;
  if (level <= LOG_ERR)
    dg_log_flush();
}
