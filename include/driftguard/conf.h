/* conf.h - reader for the executor's config file, in collectd's lexical
 * form: "Key value" per line, '#' comments, double-quoted strings with
 * backslash escapes, numbers, true/false; control bytes (NUL included) are
 * refused. Errors name file, line, reason. */
#ifndef DRIFTGUARD_CONF_H
#define DRIFTGUARD_CONF_H

#include <stddef.h>

typedef enum {
  DG_CONF_STRING,
  DG_CONF_NUMBER,
  DG_CONF_BOOLEAN,
} dg_conf_type_t;

typedef struct {
  const char *key; /* as written */
  dg_conf_type_t type;
  const char *text; /* string contents, number text, "true"/"false" */
  int line;
} dg_conf_item_t;

/* Called for each item; return 0, or -1 after writing a reason into err
 * (the reader prefixes "FILE:LINE: "). */
typedef int (*dg_conf_cb)(const dg_conf_item_t *item, void *user, char *err,
                          size_t errlen);

/* Returns 0, or -1 with "FILE:LINE: reason" (or "FILE: reason") in err. */
int dg_conf_parse_file(const char *path, dg_conf_cb cb, void *user, char *err,
                       size_t errlen);

/* The same over a buffer of size bytes (buf[size] must be writable and is
 * overwritten, as are the newlines); name stands for the file in errors. */
int dg_conf_parse_buffer(const char *name, char *buf, size_t size,
                         dg_conf_cb cb, void *user, char *err, size_t errlen);

/* Typed accessors for callbacks: 0 ok, -1 with a reason in err. */
int dg_conf_get_string(const dg_conf_item_t *item, char *out, size_t size,
                       char *err, size_t errlen);
int dg_conf_get_int(const dg_conf_item_t *item, long min, long max, long *out,
                    char *err, size_t errlen);
int dg_conf_get_bool(const dg_conf_item_t *item, int *out, char *err,
                     size_t errlen);

#endif
