/* reconcile_template.c - "{symbol}" key templates: see
 * reconcile_template.h. */
#include "reconcile_template.h"

#include <stdio.h>
#include <string.h>

#define PLACEHOLDER_LEN (sizeof(RC_SYMBOL_PLACEHOLDER) - 1)

int rc_template_fill(const char *tmpl, const char *symbol, char *buf,
                     size_t size) {
  const char *at = strstr(tmpl, RC_SYMBOL_PLACEHOLDER);
  if (at == NULL)
    return -1;
  int n = snprintf(buf, size, "%.*s%s%s", (int)(at - tmpl), tmpl, symbol,
                   at + PLACEHOLDER_LEN);
  return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

int rc_template_pattern(const char *tmpl, char *pat, size_t size) {
  const char *at = strstr(tmpl, RC_SYMBOL_PLACEHOLDER);
  size_t o = 0;
  if (at == NULL || size == 0)
    return -1;
  for (const char *p = tmpl; *p != '\0'; p++) {
    bool glob = p != at && strchr("*?[]\\", *p) != NULL;
    if (o + 1 + glob >= size)
      return -1;
    if (p == at) {
      pat[o++] = '*';
      p += PLACEHOLDER_LEN - 1;
      continue;
    }
    if (glob)
      pat[o++] = '\\';
    pat[o++] = *p;
  }
  pat[o] = '\0';
  return 0;
}

int rc_template_symbol(const char *tmpl, const char *key, size_t key_len,
                       char out[RC_SYMBOL_MAX]) {
  const char *at = strstr(tmpl, RC_SYMBOL_PLACEHOLDER);
  if (at == NULL)
    return -1;
  size_t head = (size_t)(at - tmpl);
  const char *tail = at + PLACEHOLDER_LEN;
  size_t tail_len = strlen(tail);
  if (key_len <= head + tail_len || memcmp(key, tmpl, head) != 0 ||
      memcmp(key + key_len - tail_len, tail, tail_len) != 0)
    return -1;
  size_t len = key_len - head - tail_len;
  if (!dg_symbol_valid(key + head, len))
    return -1;
  memcpy(out, key + head, len);
  out[len] = '\0';
  return 0;
}
