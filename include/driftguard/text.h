/* text.h - untrusted bytes (an exchange's reply, a plan's key) made safe
 * for a one-line message: printable ASCII is kept, anything else (a
 * control character, a newline that would forge a log line, non-ASCII)
 * becomes '?'. */
#ifndef DRIFTGUARD_TEXT_H
#define DRIFTGUARD_TEXT_H

#include <stddef.h>

/* At most size - 1 bytes of s[0..len) into out, NUL-terminated. */
void dg_text_printable(const char *s, size_t len, char *out, size_t size);

#endif
