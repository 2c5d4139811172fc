/* query.c - request parameter strings for the exchange drivers (query.h). */
#include "driftguard/query.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void dg_query_init(dg_query_t *q) {
  q->buf[0] = '\0';
  q->len = 0;
  q->overflow = 0;
}

static void query_put(dg_query_t *q, const char *s, size_t n) {
  if (q->overflow || n >= sizeof(q->buf) - q->len) {
    q->overflow = 1;
    return;
  }
  memcpy(q->buf + q->len, s, n);
  q->len += n;
  q->buf[q->len] = '\0';
}

static int unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

static int hex_digit(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
         (c >= 'a' && c <= 'f');
}

static void add(dg_query_t *q, const char *key, const char *value,
                int keep_escapes) {
  static const char hex[] = "0123456789ABCDEF";
  if (q->len > 0)
    query_put(q, "&", 1);
  query_put(q, key, strlen(key));
  query_put(q, "=", 1);
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (unreserved(*p) ||
        (keep_escapes && *p == '%' && hex_digit(p[1]) && hex_digit(p[2]))) {
      query_put(q, (const char *)p, 1);
    } else {
      char esc[3] = {'%', hex[*p >> 4], hex[*p & 0x0f]};
      query_put(q, esc, 3);
    }
  }
}

void dg_query_add(dg_query_t *q, const char *key, const char *value) {
  add(q, key, value, 0);
}

void dg_query_add_encoded(dg_query_t *q, const char *key, const char *value) {
  add(q, key, value, 1);
}

void dg_query_add_i64(dg_query_t *q, const char *key, int64_t value) {
  char num[24];
  snprintf(num, sizeof(num), "%" PRId64, value);
  dg_query_add(q, key, num);
}
