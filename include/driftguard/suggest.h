/* suggest.h - "did you mean ...?" for a mistyped option name: the known
 * name nearest to a word, by edit distance, ignoring case. Pure. */
#ifndef DRIFTGUARD_SUGGEST_H
#define DRIFTGUARD_SUGGEST_H

#include <stddef.h>

/* The name in names[0..n) closest to word (insertions, deletions,
 * substitutions and swaps of two neighbours each cost 1; case is ignored),
 * or NULL when even the closest is too far to be a typo of it: more than a
 * third of the word's length, and never more than 3. */
const char *dg_suggest_name(const char *word, const char *const *names,
                            size_t n);

#endif
