/* params.c - request parameters as Binance reads them: the query string
 * and an application/x-www-form-urlencoded body, decoded; and totalParams,
 * the exact text a client signs. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Percent-decode s[0..len) into a new string ('+' is a space). */
static char *url_decode(const char *s, size_t len) {
  char *out = malloc(len + 1);
  size_t n = 0;
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
        hexval(s[i + 2]) >= 0) {
      out[n++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else if (s[i] == '+') {
      out[n++] = ' ';
    } else {
      out[n++] = s[i];
    }
  }
  out[n] = '\0';
  return out;
}

int sim_params_parse(sim_params_t *p, const char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    size_t end = i;
    while (end < len && s[end] != '&')
      end++;
    if (end > i) {
      const char *eq = memchr(s + i, '=', end - i);
      size_t name_len = eq ? (size_t)(eq - (s + i)) : end - i;
      const char *val = eq ? eq + 1 : s + end;
      sim_param_t *v = realloc(p->v, (p->n + 1) * sizeof(*v));
      if (v == NULL)
        return -1;
      p->v = v;
      v[p->n].name = url_decode(s + i, name_len);
      v[p->n].value = url_decode(val, (size_t)(s + end - val));
      if (v[p->n].name == NULL || v[p->n].value == NULL) {
        free(v[p->n].name);
        free(v[p->n].value);
        return -1;
      }
      p->n++;
    }
    i = end + 1;
  }
  return 0;
}

const char *sim_params_get(const sim_params_t *p, const char *name) {
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->v[i].name, name) == 0)
      return p->v[i].value;
  return NULL;
}

const char *sim_param(const sim_request_t *rq, const char *name) {
  const char *v = sim_params_get(&rq->params, name);
  return v != NULL && *v != '\0' ? v : NULL;
}

void sim_params_free(sim_params_t *p) {
  for (size_t i = 0; i < p->n; i++) {
    free(p->v[i].name);
    free(p->v[i].value);
  }
  free(p->v);
  p->v = NULL;
  p->n = 0;
}

/* Append s[0..len) minus its "signature" pair to out at *n; every other
 * byte stays as the client sent it (the signature is over those bytes). */
static void append_unsigned(char *out, size_t *n, const char *s, size_t len) {
  size_t i = 0, kept = 0;
  while (i <= len && len > 0) {
    size_t end = i;
    while (end < len && s[end] != '&')
      end++;
    if (!(end - i >= 10 && memcmp(s + i, "signature=", 10) == 0) &&
        !(end - i == 9 && memcmp(s + i, "signature", 9) == 0)) {
      if (kept++ > 0)
        out[(*n)++] = '&';
      memcpy(out + *n, s + i, end - i);
      *n += end - i;
    }
    i = end + 1;
  }
}

char *sim_total_params(const char *query, const char *body, size_t body_len) {
  size_t qlen = strlen(query), n = 0;
  char *out = malloc(qlen + body_len + 1);
  if (out == NULL)
    return NULL;
  append_unsigned(out, &n, query, qlen);
  append_unsigned(out, &n, body, body_len);
  out[n] = '\0';
  return out;
}
