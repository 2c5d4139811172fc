/* grow.h - the one growable array of driftguard: an array of items grown
 * by doubling (the HTTP body is the exception: mapped pages, http.c). */
#ifndef DRIFTGUARD_GROW_H
#define DRIFTGUARD_GROW_H

#include <stddef.h>

/* Room for one more item in *items (a pointer to the array pointer, T **)
 * holding n of *cap items of size bytes: when full, the capacity doubles
 * (min_cap at first). Returns 0, or -1 out of memory (array unchanged). */
int dg_grow(void *items, size_t *cap, size_t n, size_t size, size_t min_cap);

#endif
