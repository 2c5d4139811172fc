/* suggest.c - the nearest known name to a mistyped one (optimal string
 * alignment distance: Levenshtein plus swaps of two neighbours), so that a
 * config error can say "did you mean Timeout?" for "Timout". */
#include "driftguard/suggest.h"

#include <ctype.h>
#include <string.h>

/* Option names are short; longer words are not typos of one. */
#define SUGGEST_MAX_LEN 64

static size_t min3(size_t a, size_t b, size_t c) {
  size_t m = a < b ? a : b;
  return m < c ? m : c;
}

/* Distance between a and b, case ignored; SIZE_MAX-ish when too long. */
static size_t distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  size_t d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
  if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
    return (size_t)-1;
  for (size_t i = 0; i <= la; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      int ca = tolower((unsigned char)a[i - 1]);
      int cb = tolower((unsigned char)b[j - 1]);
      d[i][j] =
          min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (ca != cb));
      if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
          tolower((unsigned char)a[i - 2]) == cb &&
          d[i - 2][j - 2] + 1 < d[i][j])
        d[i][j] = d[i - 2][j - 2] + 1;
    }
  return d[la][lb];
}

const char *dg_suggest_name(const char *word, const char *const *names,
                            size_t n) {
  size_t len = strlen(word), limit = len / 3, best_d = (size_t)-1;
  const char *best = NULL;
  if (limit < 1)
    limit = 1;
  if (limit > 3)
    limit = 3;
  for (size_t i = 0; i < n; i++) {
    size_t d = distance(word, names[i]);
    if (d < best_d) {
      best_d = d;
      best = names[i];
    }
  }
  return best_d <= limit ? best : NULL;
}
