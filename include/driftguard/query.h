/* query.h - a request's parameter string ("a=1&b=2") built in place, for
 * the exchange drivers: values are percent-encoded (everything but RFC 3986
 * unreserved characters), so the text a driver signs is exactly the text
 * it sends. */
#ifndef DRIFTGUARD_QUERY_H
#define DRIFTGUARD_QUERY_H

#include <stddef.h>
#include <stdint.h>

#define DG_QUERY_MAX 1024
typedef struct {
  char buf[DG_QUERY_MAX];
  size_t len;
  int overflow; /* set once anything did not fit; the query is then unusable */
} dg_query_t;

void dg_query_init(dg_query_t *q);
void dg_query_add(dg_query_t *q, const char *key, const char *value);
void dg_query_add_i64(dg_query_t *q, const char *key, int64_t value);
/* A value the server handed out already percent-encoded (a paging
 * cursor): its "%XX" escapes go as they are, anything else is encoded as
 * by dg_query_add, so the server decodes back exactly what it gave. */
void dg_query_add_encoded(dg_query_t *q, const char *key, const char *value);

#endif
