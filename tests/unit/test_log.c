/* Unit tests for the log line format: terminal and journal forms, level
 * filter, one line per event. stderr is redirected to a temporary file. */
#include "../tap.h"
#include "driftguard/log.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[] = "/tmp/dglog.XXXXXX";

/* Empty the captured stderr. */
static void reset(void) {
  if (ftruncate(STDERR_FILENO, 0) != 0 || lseek(STDERR_FILENO, 0, SEEK_SET))
    abort();
}

/* What was written to stderr since reset(). */
static const char *captured(void) {
  static char buf[8192];
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
  if (f)
    fclose(f);
  buf[n] = '\0';
  return buf;
}

static int matches(const char *text, const char *pattern) {
  regex_t re;
  int rc;
  if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
    return 0;
  rc = regexec(&re, text, 0, NULL, 0) == 0;
  regfree(&re);
  return rc;
}

int main(void) {
  int fd = mkstemp(path);
  struct stat st;
  char js[64];
  if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
    return 1;
  close(fd);
  unsetenv("JOURNAL_STREAM");

  reset();
  dg_log(LOG_INFO, "event=start symbol=%s", "BTCUSDT");
  ok(matches(captured(),
             "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
             "\\.[0-9]{3}Z level=info event=start symbol=BTCUSDT\n$"),
     "terminal line: timestamp, level=info, text, one newline");

  reset();
  dg_log(LOG_WARNING, "a\nforged=line\n");
  ok(matches(captured(), " level=warning a forged=line\n$"),
     "embedded newline becomes a space, trailing one dropped");

  reset();
  dg_log(LOG_DEBUG, "hidden");
  is_str(captured(), "", "debug is filtered at the default level");
  dg_log_set_level(LOG_DEBUG);
  dg_log(LOG_DEBUG, "shown");
  ok(matches(captured(), "level=debug shown\n$"),
     "debug shown after set_level");
  dg_log_set_level(LOG_ERR);
  reset();
  dg_log(LOG_WARNING, "hidden");
  dg_log(LOG_ERR, "shown");
  ok(matches(captured(), "^[^\n]*level=err shown\n$"),
     "set_level(LOG_ERR) hides warnings");
  dg_log_set_level(LOG_INFO);

  if (fstat(STDERR_FILENO, &st) != 0)
    return 1;
  snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
           (unsigned long long)st.st_ino);
  setenv("JOURNAL_STREAM", js, 1);
  reset();
  dg_log(LOG_ERR, "event=fail");
  dg_log(LOG_INFO, "event=ok");
  is_str(captured(), "<3>event=fail\n<6>event=ok\n",
         "journal stream: <N> prefix, no timestamp");

  setenv("JOURNAL_STREAM", "1:1", 1);
  reset();
  dg_log(LOG_INFO, "event=ok");
  ok(matches(captured(), "Z level=info event=ok\n$"),
     "JOURNAL_STREAM naming another file is ignored (inherited env)");

  {
    char big[6000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    reset();
    dg_log(LOG_INFO, "%s", big);
    ok(matches(captured(), "^[^\n]+\n$"), "an oversized event is one line");
  }
  unlink(path);
  return tap_done();
}
