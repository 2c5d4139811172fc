/* Unit tests for the log line format: terminal and journal forms, level
 * filter, one line per event. stderr is redirected to a temporary file. */
#include "../tap.h"
#include "driftguard/log.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char path[] = "/tmp/dglog.XXXXXX";

/* Empty the captured stderr. */
static void reset(void) {
  if (ftruncate(STDERR_FILENO, 0) != 0 || lseek(STDERR_FILENO, 0, SEEK_SET))
    abort();
}

/* What was written to stderr since reset(). */
static const char *captured(void) {
  static char buf[400000];
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

/* Log two lines in a new process (this program again) whose
 * JOURNAL_STREAM is js: the log decides once per process, as under
 * systemd. 0 when it ran. */
static int log_in_child(const char *js) {
  int status;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    setenv("JOURNAL_STREAM", js, 1);
    execl("/proc/self/exe", "test_log", "--two-lines", (char *)NULL);
    _exit(127);
  }
  return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
                 WEXITSTATUS(status) == 0
             ? 0
             : -1;
}

int main(int argc, char **argv) {
  int fd;
  struct stat st;
  char js[64];
  if (argc == 2 && strcmp(argv[1], "--two-lines") == 0) {
    dg_log(LOG_ERR, "event=fail");
    dg_log(LOG_INFO, "event=ok");
    return 0;
  }
  fd = mkstemp(path);
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
  reset();
  ok(log_in_child(js) == 0, "child logged");
  is_str(captured(), "<3>event=fail\n<6>event=ok\n",
         "journal stream: <N> prefix, no timestamp");

  reset();
  ok(log_in_child("1:1") == 0, "child logged");
  ok(matches(captured(), "Z level=info event=ok\n$"),
     "JOURNAL_STREAM naming another file is ignored (inherited env)");

  reset();
  dg_log_buffer_begin();
  dg_log(LOG_INFO, "event=first");
  dg_log(LOG_WARNING, "event=second");
  is_str(captured(), "", "buffered lines wait");
  dg_log(LOG_ERR, "event=failed");
  ok(matches(captured(), "event=first\n[^\n]*event=second\n[^\n]*"
                         "event=failed\n$"),
     "an error writes the buffered lines and itself, in order");
  dg_log(LOG_INFO, "event=third");
  dg_log_flush();
  ok(matches(captured(), "event=failed\n[^\n]*event=third\n$"),
     "dg_log_flush writes what collected");
  dg_log(LOG_INFO, "event=fourth");
  dg_log_buffer_end();
  ok(matches(captured(), "event=third\n[^\n]*event=fourth\n$"),
     "buffer end writes the rest");
  dg_log(LOG_INFO, "event=fifth");
  ok(matches(captured(), "event=fourth\n[^\n]*event=fifth\n$"),
     "after the end, lines are written at once");
  {
    char big[3000];
    int lines = 0;
    const char *c;
    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    reset();
    dg_log_buffer_begin();
    for (int i = 0; i < 100; i++)
      dg_log(LOG_INFO, "n=%d %s", i, big);
    dg_log_buffer_end();
    for (c = captured(); (c = strchr(c, '\n')) != NULL; c++)
      lines++;
    ok(lines == 100 && strstr(captured(), " n=99 ") != NULL,
       "more than the buffer holds: every line, whole, in order");
  }

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
