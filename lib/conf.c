/* conf.c - reader for flat config files in collectd's lexical form (the
 * executor's /etc/driftguard/executor.conf).
 *
 * One option per line: `Key value`, where value is a double-quoted string
 * (escapes \" and \\ only), a number (123, -1, 0.5), a boolean (true/false,
 * also yes/no/on/off as in collectd) or a bare word (collectd's unquoted
 * string: a letter or '_', then letters, digits, '_', '.', '/', '-').
 * '#' starts a comment outside strings. Blocks (`<Name>`) are refused: the
 * executor's options are all flat. A control byte (NUL included) anywhere
 * is refused. Every error names FILE:LINE. */
#include "driftguard/conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A config file larger than this is not an executor config. */
#define CONF_MAX_BYTES (1 << 20)

/* Read PATH into a NUL-terminated malloc'd buffer of *len bytes (NUL
 * bytes in the file included), or NULL with err. */
static char *read_file(const char *path, size_t *len_out, char *err,
                       size_t errlen) {
  FILE *f = fopen(path, "r");
  char *buf;
  size_t len;
  if (f == NULL) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  buf = malloc(CONF_MAX_BYTES + 1);
  if (buf == NULL) {
    snprintf(err, errlen, "%s: out of memory", path);
    fclose(f);
    return NULL;
  }
  len = fread(buf, 1, CONF_MAX_BYTES + 1, f);
  if (ferror(f) || len > CONF_MAX_BYTES) {
    snprintf(err, errlen, "%s: %s", path,
             ferror(f) ? "read error" : "file is larger than 1 MiB");
    fclose(f);
    free(buf);
    return NULL;
  }
  fclose(f);
  buf[len] = '\0';
  *len_out = len;
  return buf;
}

/* The first byte of line[0..len) that has no place in a config file: a
 * control byte (NUL included: it would end the file early, silently
 * dropping what follows, a PlanKeyFile for one) other than a tab, or a
 * carriage return before the line's end. -1 when there is none. */
static long control_byte(const char *line, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)line[i];
    if ((c < 0x20 || c == 0x7f) && c != '\t' && !(c == '\r' && i + 1 == len))
      return (long)i;
  }
  return -1;
}

static int is_word_start(int c) {
  return isalpha(c) || c == '_';
}
static int is_word_char(int c) {
  return isalnum(c) || c == '_' || c == '.' || c == '/' || c == '-';
}

/* Scan a quoted string starting after the opening quote at *p; unescape it
 * into out (at least as large as the rest of the line). */
static int scan_string(const char **p, char *out, char *reason,
                       size_t reasonlen) {
  const char *s = *p;
  while (*s != '"') {
    if (*s == '\0' || *s == '\n') {
      snprintf(reason, reasonlen, "unterminated string (missing '\"')");
      return -1;
    }
    if (*s == '\\') {
      s++;
      if (*s != '"' && *s != '\\') {
        snprintf(reason, reasonlen,
                 "unknown escape in string (only \\\" and \\\\ are allowed)");
        return -1;
      }
    }
    *out++ = *s++;
  }
  *out = '\0';
  *p = s + 1;
  return 0;
}

/* [+-]digits[.digits] */
static size_t number_len(const char *s) {
  size_t i = (*s == '+' || *s == '-') ? 1 : 0, digits = 0;
  while (isdigit((unsigned char)s[i]))
    i++, digits++;
  if (digits == 0)
    return 0;
  if (s[i] == '.') {
    size_t frac = 0;
    while (isdigit((unsigned char)s[i + 1 + frac]))
      frac++;
    if (frac == 0)
      return 0;
    i += 1 + frac;
  }
  return i;
}

static const char *boolean_text(const char *word, size_t len) {
  static const char *const yes[] = {"true", "yes", "on"};
  static const char *const no[] = {"false", "no", "off"};
  for (size_t i = 0; i < 3; i++) {
    if (strlen(yes[i]) == len && strncasecmp(word, yes[i], len) == 0)
      return "true";
    if (strlen(no[i]) == len && strncasecmp(word, no[i], len) == 0)
      return "false";
  }
  return NULL;
}

/* Parse one line (NUL-terminated, without its newline). Returns 1 with item
 * filled (key/text point into keybuf/textbuf), 0 for a blank or comment
 * line, -1 with a reason. */
static int parse_line(const char *line, dg_conf_item_t *item, char *keybuf,
                      char *textbuf, char *reason, size_t reasonlen) {
  const char *p = line, *start;
  size_t n;
  while (*p == ' ' || *p == '\t' || *p == '\r')
    p++;
  if (*p == '\0' || *p == '#')
    return 0;
  if (*p == '<') {
    snprintf(reason, reasonlen,
             "blocks (<...>) are not supported here; write flat `Key value` "
             "lines");
    return -1;
  }
  if (!is_word_start((unsigned char)*p)) {
    snprintf(reason, reasonlen, "expected an option name, found '%c'", *p);
    return -1;
  }
  for (start = p; isalnum((unsigned char)*p) || *p == '_'; p++)
    ;
  n = (size_t)(p - start);
  memcpy(keybuf, start, n);
  keybuf[n] = '\0';
  item->key = keybuf;
  if (*p != ' ' && *p != '\t') {
    if (*p == '\0' || *p == '#' || *p == '\r')
      snprintf(reason, reasonlen, "option %s has no value", keybuf);
    else
      snprintf(reason, reasonlen, "invalid character '%c' in option name %s",
               *p, keybuf);
    return -1;
  }
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '\0' || *p == '#' || *p == '\r') {
    snprintf(reason, reasonlen, "option %s has no value", keybuf);
    return -1;
  }

  if (*p == '"') {
    p++;
    if (scan_string(&p, textbuf, reason, reasonlen) != 0)
      return -1;
    item->type = DG_CONF_STRING;
  } else if ((n = number_len(p)) > 0) {
    memcpy(textbuf, p, n);
    textbuf[n] = '\0';
    p += n;
    item->type = DG_CONF_NUMBER;
  } else if (is_word_start((unsigned char)*p)) {
    const char *boolean;
    for (start = p; is_word_char((unsigned char)*p); p++)
      ;
    n = (size_t)(p - start);
    boolean = boolean_text(start, n);
    if (boolean != NULL) {
      strcpy(textbuf, boolean);
      item->type = DG_CONF_BOOLEAN;
    } else {
      memcpy(textbuf, start, n);
      textbuf[n] = '\0';
      item->type = DG_CONF_STRING;
    }
  } else {
    snprintf(reason, reasonlen,
             "option %s: value must be a \"string\", a number or true/false",
             keybuf);
    return -1;
  }
  item->text = textbuf;

  if (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#') {
    snprintf(reason, reasonlen, "option %s: unexpected '%c' after the value",
             keybuf, *p);
    return -1;
  }
  while (*p == ' ' || *p == '\t' || *p == '\r')
    p++;
  if (*p != '\0' && *p != '#') {
    snprintf(reason, reasonlen,
             "option %s takes one value; remove what follows it", keybuf);
    return -1;
  }
  return 1;
}

int dg_conf_parse_file(const char *path, dg_conf_cb cb, void *user, char *err,
                       size_t errlen) {
  size_t size = 0;
  char *buf = read_file(path, &size, err, errlen);
  int rc;
  if (buf == NULL)
    return -1;
  rc = dg_conf_parse_buffer(path, buf, size, cb, user, err, errlen);
  free(buf);
  return rc;
}

int dg_conf_parse_buffer(const char *name, char *buf, size_t size,
                         dg_conf_cb cb, void *user, char *err, size_t errlen) {
  char *line, *next, *end = buf + size, *keybuf = NULL, *textbuf = NULL;
  char reason[512];
  int lineno = 0, rc = 0;
  for (line = buf; rc == 0 && line < end; line = next) {
    dg_conf_item_t item;
    size_t len;
    long bad;
    int got;
    next = memchr(line, '\n', (size_t)(end - line));
    len = (size_t)((next != NULL ? next : end) - line);
    next = next != NULL ? next + 1 : end;
    line[len] = '\0'; /* the newline, or the buffer's terminating NUL */
    lineno++;
    if ((bad = control_byte(line, len)) >= 0) {
      snprintf(err, errlen,
               "%s:%d: control byte 0x%02x at column %ld: a config file is "
               "text (a NUL byte would hide the rest of the file)",
               name, lineno, (unsigned char)line[bad], bad + 1);
      rc = -1;
      break;
    }
    free(keybuf);
    free(textbuf);
    keybuf = malloc(len + 1);
    textbuf = malloc(len + 6); /* room for "false" on a short line */
    if (keybuf == NULL || textbuf == NULL) {
      snprintf(err, errlen, "%s:%d: out of memory", name, lineno);
      rc = -1;
      break;
    }
    memset(&item, 0, sizeof(item));
    item.line = lineno;
    reason[0] = '\0';
    got = parse_line(line, &item, keybuf, textbuf, reason, sizeof(reason));
    if (got > 0 && cb(&item, user, reason, sizeof(reason)) != 0) {
      got = -1;
      if (reason[0] == '\0')
        snprintf(reason, sizeof(reason), "option %s refused", item.key);
    }
    if (got < 0) {
      snprintf(err, errlen, "%s:%d: %s", name, lineno, reason);
      rc = -1;
    }
  }
  free(keybuf);
  free(textbuf);
  return rc;
}

int dg_conf_get_string(const dg_conf_item_t *item, char *out, size_t size,
                       char *err, size_t errlen) {
  size_t len = strlen(item->text);
  if (item->type != DG_CONF_STRING) {
    snprintf(err, errlen, "option %s expects a string, e.g. %s \"...\"",
             item->key, item->key);
    return -1;
  }
  if (len >= size) {
    snprintf(err, errlen, "option %s is too long (at most %zu characters)",
             item->key, size - 1);
    return -1;
  }
  memcpy(out, item->text, len + 1);
  return 0;
}

int dg_conf_get_int(const dg_conf_item_t *item, long min, long max, long *out,
                    char *err, size_t errlen) {
  char *end;
  long v;
  if (item->type == DG_CONF_NUMBER && strchr(item->text, '.') == NULL) {
    errno = 0;
    v = strtol(item->text, &end, 10);
    if (errno == 0 && *end == '\0' && v >= min && v <= max) {
      *out = v;
      return 0;
    }
  }
  snprintf(err, errlen, "option %s must be an integer from %ld to %ld",
           item->key, min, max);
  return -1;
}

int dg_conf_get_bool(const dg_conf_item_t *item, int *out, char *err,
                     size_t errlen) {
  if (item->type != DG_CONF_BOOLEAN) {
    snprintf(err, errlen, "option %s must be true or false", item->key);
    return -1;
  }
  *out = strcmp(item->text, "true") == 0;
  return 0;
}
