/* tap.h - a minimal TAP producer for the C unit tests.
 * Each check prints "ok N - name" or "not ok N - name"; tap_done() prints
 * the plan and returns the exit status automake's tap-driver expects. */
#ifndef DRIFTGUARD_TAP_H
#define DRIFTGUARD_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int
tap_ok(int cond, const char *fmt, ...) {
  va_list ap;
  tap_count++;
  if (!cond)
    tap_failed++;
  printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
  return cond;
}

static inline int tap_done(void) {
  printf("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)
#define is_str(got, want, name)                                                \
  do {                                                                         \
    const char *g_ = (got), *w_ = (want);                                      \
    if (!ok(g_ && w_ && strcmp(g_, w_) == 0, "%s", name))                      \
      printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)",                  \
             w_ ? w_ : "(null)");                                              \
  } while (0)

#endif
