/* Unit tests of the log flood budget (lib/log_limit.c): per kind, the
 * first lines of an interval are written, the rest counted and reported
 * once the interval ends; kinds do not share a budget; the table never
 * grows past its size. */
#include "../tap.h"
#include "driftguard/log_limit.h"

#include <stdio.h>
#include <string.h>

typedef struct {
  char kind[64];
  unsigned long count;
  int calls;
} seen_t;

static void seen(const char *kind, unsigned long suppressed, void *user) {
  seen_t *s = user;
  snprintf(s->kind, sizeof s->kind, "%s", kind);
  s->count += suppressed;
  s->calls++;
}

int main(void) {
  dg_log_limit_t l = {.burst = 3, .interval_ms = 1000};
  seen_t s = {"", 0, 0};
  int written = 0;

  for (int i = 0; i < 10; i++)
    written += dg_log_limit_admit(&l, "invariant:malformed", 100, seen, &s);
  ok(written == 3, "a burst of 10: the first 3 are written (%d)", written);
  ok(s.calls == 0, "nothing reported while the interval lasts");
  ok(dg_log_limit_admit(&l, "invariant:hold_key", 200, seen, &s),
     "another kind has a budget of its own");

  dg_log_limit_expire(&l, 1099, seen, &s);
  ok(s.calls == 0, "not reported before the interval ends");
  dg_log_limit_expire(&l, 1100, seen, &s);
  ok(s.calls == 1 && s.count == 7 && strcmp(s.kind, "invariant:malformed") == 0,
     "once it ends: one report of the 7 suppressed lines");
  dg_log_limit_expire(&l, 5000, seen, &s);
  ok(s.calls == 1, "a kind with nothing suppressed is not reported");

  memset(&s, 0, sizeof s);
  for (int i = 0; i < 5; i++)
    dg_log_limit_admit(&l, "k", 6000, seen, &s);
  ok(dg_log_limit_admit(&l, "k", 7000, seen, &s) && s.calls == 1 &&
         s.count == 2,
     "the kind's next line after the interval: reported first, then written");

  {
    dg_log_limit_t t = {.burst = 1, .interval_ms = 1000};
    char kind[16];
    int all = 0;
    for (int i = 0; i < 100; i++) {
      snprintf(kind, sizeof kind, "kind%d", i);
      all += dg_log_limit_admit(&t, kind, 0, NULL, NULL);
    }
    ok(t.n == DG_LOG_LIMIT_KINDS &&
           strcmp(t.slot[DG_LOG_LIMIT_KINDS - 1].kind, "other") == 0,
       "100 kinds: the table stays at %d, the last slot is \"other\"",
       DG_LOG_LIMIT_KINDS);
    ok(all == DG_LOG_LIMIT_KINDS, "and the lines written stay bounded (%d)",
       all);
  }
  return tap_done();
}
