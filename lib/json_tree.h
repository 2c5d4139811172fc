/* json_tree.h - private: the json-c reading the exchange drivers share: a
 * strict whole-buffer parse and typed member lookups (decimals exact).
 * Not installed: json-c stays out of the public headers. */
#ifndef DRIFTGUARD_JSON_TREE_H
#define DRIFTGUARD_JSON_TREE_H

#include "driftguard/decimal.h"

#include <json-c/json.h>
#include <stddef.h>

/* Deepest JSON nesting accepted (exchangeInfo needs 4, OKX's replies 3). */
#define DG_JSON_TREE_MAX_DEPTH 16

/* The whole buffer as one RFC 8259 value (strict, UTF-8 checked, nothing
 * but blanks after it), or NULL. Free with json_object_put. */
json_object *dg_json_tree_parse(const char *body, size_t len);
/* The string member key of o, NULL when absent or not a string. */
const char *dg_json_tree_str(json_object *o, const char *key);
/* The decimal member key of o, as a string (the venues' way) or a plain
 * JSON number. Returns 0, -1 when absent or not an exact decimal. */
int dg_json_tree_dec(json_object *o, const char *key, dg_dec_t *out);
/* src (1 to size - 1 bytes) into dst. Returns 0, -1 when NULL, empty or
 * too long. */
int dg_json_tree_copy(char *dst, size_t size, const char *src);

#endif
