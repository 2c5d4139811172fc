/* Unit tests for dg_suggest_name: typos find their option, other words
 * find nothing. */
#include "../tap.h"
#include "driftguard/suggest.h"

#include <string.h>

static const char *const names[] = {
    "Exchange",          "URL",          "KeyFile",   "RedisURL",
    "RedisPasswordFile", "KeyPrefix",    "Source",    "Symbol",
    "Interval",          "Timeout",      "LedgerKey", "LedgerField",
    "Cooldown",          "ConfirmPolls", "HoldLease", "PlanKeyFile"};
#define N (sizeof names / sizeof names[0])

static int suggests(const char *word, const char *want) {
  const char *got = dg_suggest_name(word, names, N);
  if (want == NULL)
    return got == NULL;
  return got != NULL && strcmp(got, want) == 0;
}

int main(void) {
  ok(suggests("Timout", "Timeout"), "Timout -> Timeout (a letter missing)");
  ok(suggests("timeuot", "Timeout"), "timeuot -> Timeout (swap, any case)");
  ok(suggests("Intervall", "Interval"), "Intervall -> Interval (one extra)");
  ok(suggests("RedisPaswordFile", "RedisPasswordFile"),
     "RedisPaswordFile -> RedisPasswordFile");
  ok(suggests("Ledgerfeild", "LedgerField"), "Ledgerfeild -> LedgerField");
  ok(suggests("Cooldwn", "Cooldown"), "Cooldwn -> Cooldown");
  ok(suggests("Bogus", NULL), "Bogus: nothing near");
  ok(suggests("NoSuchOption", NULL), "NoSuchOption: nothing near");
  ok(suggests("X", NULL), "one letter: nothing (URL is 2 edits away)");
  ok(suggests("", NULL), "empty word: nothing");
  {
    char longword[200];
    memset(longword, 'a', sizeof longword - 1);
    longword[sizeof longword - 1] = '\0';
    ok(suggests(longword, NULL), "a 199-letter word: nothing, no overflow");
  }
  ok(dg_suggest_name("Timout", names, 0) == NULL, "no names: nothing");
  return tap_done();
}
