/* json_tree.h - strict parsing of a reply into a json-c tree and the
 * member getters the exchange drivers share. Used where a reply is small
 * or nested (an order, an envelope, exchangeInfo); json_flat.h streams the
 * big flat ones. */
#ifndef DRIFTGUARD_JSON_TREE_H
#define DRIFTGUARD_JSON_TREE_H

#include "driftguard/decimal.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting accepted (exchangeInfo needs 4, a Bybit page 5). */
#define DG_JSON_TREE_MAX_DEPTH 16

/* The whole buffer as one JSON value, RFC 8259 only (no trailing commas,
 * leading zeros, raw control characters or bytes after the value), UTF-8
 * checked. NULL when it is not; the caller json_object_put()s the tree. */
json_object *dg_json_parse_strict(const char *body, size_t len);
/* The string member key of o, NULL when absent or not a string. */
const char *dg_json_str(json_object *o, const char *key);
/* A decimal member given as a string or a plain JSON number. 0, -1. */
int dg_json_dec(json_object *o, const char *key, dg_dec_t *out);
/* An integer member (a JSON number, not a string). 0, -1. */
int dg_json_i64(json_object *o, const char *key, int64_t *out);
/* Copy src (1 to size - 1 bytes) into dst. 0, -1 when NULL, empty or too
 * long. */
int dg_json_copy_str(char *dst, size_t size, const char *src);

#endif
