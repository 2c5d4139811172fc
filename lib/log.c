/* log.c - the executor's and tools' log lines on stderr.
 *
 * Each line is formatted in full and written with one write(), so lines
 * from several threads or processes sharing stderr never interleave; a
 * thread may collect its lines and write them together (see log.h). Under
 * systemd (stderr is the journal stream named by JOURNAL_STREAM) a line is
 * "<N>text", the journal's level prefix; elsewhere it is
 * "2026-11-25T12:00:00.123Z level=info text". */
#include "driftguard/log.h"

#include "driftguard/log_limit.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
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

static void vlog(int level, const char *fmt, va_list ap) {
  char line[LOG_LINE_MAX];
  size_t len, text_start;
  int n;
  if (level < LOG_EMERG || level > LOG_DEBUG)
    level = LOG_INFO;
  if (level > log_max_level)
    return;
  pthread_once(&log_once, log_init);
  len = format_prefix(line, sizeof(line), level);
  text_start = len;
  n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
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

void dg_log(int level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(level, fmt, ap);
  va_end(ap);
}

/* --- floods ------------------------------------------------------------- */

static pthread_mutex_t limit_lock = PTHREAD_MUTEX_INITIALIZER;
static dg_log_limit_t limits = {.burst = DG_LOG_BURST,
                                .interval_ms = DG_LOG_INTERVAL_S * 1000};

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Collected under the lock, written after it. */
typedef struct {
  char kind[DG_LOG_LIMIT_KINDS][DG_LOG_LIMIT_KIND_MAX];
  unsigned long count[DG_LOG_LIMIT_KINDS];
  size_t n;
} reports_t;

static void collect(const char *kind, unsigned long suppressed, void *user) {
  reports_t *r = user;
  if (r->n < DG_LOG_LIMIT_KINDS) {
    snprintf(r->kind[r->n], sizeof r->kind[r->n], "%s", kind);
    r->count[r->n++] = suppressed;
  }
}

static void write_reports(const reports_t *r) {
  for (size_t i = 0; i < r->n; i++)
    dg_log(LOG_WARNING,
           "event=log_suppressed kind=%s suppressed=%lu interval_s=%d "
           "burst=%d",
           r->kind[i], r->count[i], DG_LOG_INTERVAL_S, DG_LOG_BURST);
}

void dg_log_limited(const char *kind, int level, const char *fmt, ...) {
  reports_t r;
  va_list ap;
  int admit;
  r.n = 0;
  pthread_mutex_lock(&limit_lock);
  admit = dg_log_limit_admit(&limits, kind, mono_ms(), collect, &r);
  pthread_mutex_unlock(&limit_lock);
  write_reports(&r);
  if (!admit)
    return;
  va_start(ap, fmt);
  vlog(level, fmt, ap);
  va_end(ap);
}

static void report_until(int64_t now_ms) {
  reports_t r;
  r.n = 0;
  pthread_mutex_lock(&limit_lock);
  dg_log_limit_expire(&limits, now_ms, collect, &r);
  pthread_mutex_unlock(&limit_lock);
  write_reports(&r);
}

void dg_log_limited_flush(void) {
  report_until(mono_ms());
}

void dg_log_limited_end(void) {
  report_until(INT64_MAX); /* every interval is over */
}
