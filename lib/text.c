/* text.c - untrusted bytes made printable for messages (see text.h). */
#include "driftguard/text.h"

void dg_text_printable(const char *s, size_t len, char *out, size_t size) {
  size_t n = 0;
  if (size == 0)
    return;
  for (; n < len && n + 1 < size; n++) {
    unsigned char c = (unsigned char)s[n];
    out[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
  }
  out[n] = '\0';
}
