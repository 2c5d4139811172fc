/* json_flat.h - read flat JSON objects (one, or an array of them) without
 * building a tree: yajl streams the text and each member of each object
 * reaches a callback as its key and its value's exact text (a number's
 * token as written, so decimals stay exact). Used where a tree costs too
 * much: the positionRisk reply (hundreds of positions per poll) and the
 * plans (one per stream entry).
 *
 * Strict RFC 8259, yajl's defaults: no comments, nothing after the value,
 * UTF-8 checked. A member whose value is an object or an array is reported
 * once as DG_JSON_NESTED and its contents are skipped; nesting deeper than
 * DG_JSON_FLAT_MAX_DEPTH is refused. */
#ifndef DRIFTGUARD_JSON_FLAT_H
#define DRIFTGUARD_JSON_FLAT_H

#include <stddef.h>

#define DG_JSON_FLAT_MAX_DEPTH 16
#define DG_JSON_FLAT_MAX_KEY 128 /* longer keys are refused */

typedef enum {
  DG_JSON_STRING, /* text: the decoded contents (may hold a NUL: check) */
  DG_JSON_NUMBER, /* text: the number token as written */
  DG_JSON_TRUE,
  DG_JSON_FALSE,
  DG_JSON_NULL,
  DG_JSON_NESTED, /* an object or array; not looked into */
} dg_json_kind_t;

typedef struct {
  dg_json_kind_t kind;
  const char *text; /* STRING, NUMBER: not NUL-terminated; else NULL */
  size_t len;
} dg_json_value_t;

/* Callbacks return 0 to go on, or -1 to stop the parse with a reason
 * written to err. key is NUL-terminated (and key_len long). */
typedef struct {
  int (*member)(void *ctx, const char *key, size_t key_len,
                const dg_json_value_t *value, char *err, size_t errlen);
  /* After the last member of object number index (from 0); may be NULL. */
  int (*object_end)(void *ctx, size_t index, char *err, size_t errlen);
} dg_json_flat_cb_t;

typedef enum { DG_JSON_ONE_OBJECT, DG_JSON_ARRAY_OF_OBJECTS } dg_json_shape_t;

/* 0 once the whole text was read, or -1 with a one-line reason in err
 * ("not JSON: ... at byte N", the wrong shape, or a callback's reason). */
int dg_json_flat_parse(const char *text, size_t len, dg_json_shape_t shape,
                       const dg_json_flat_cb_t *cb, void *ctx, char *err,
                       size_t errlen);

#endif
