/* reconcile_template.h - key templates with a "{symbol}" placeholder
 * (LedgerKey, and the HOLD key name for SCAN): fill one in, turn one into
 * a SCAN MATCH pattern, and read the symbol back out of a matching key.
 * Pure string code, no collectd or Redis, so it is unit tested alone. */
#ifndef RECONCILE_TEMPLATE_H
#define RECONCILE_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "driftguard/plan.h" /* dg_symbol_valid */

#define RC_SYMBOL_PLACEHOLDER "{symbol}"
#define RC_SYMBOL_MAX 32 /* DG_SYMBOL_MAX */

/* tmpl with its (first) placeholder replaced by symbol. 0, or -1 when it
 * does not fit or tmpl has no placeholder. */
int rc_template_fill(const char *tmpl, const char *symbol, char *buf,
                     size_t size);
/* A SCAN MATCH pattern: the placeholder becomes '*', glob characters
 * elsewhere are escaped. 0, or -1 when it does not fit or tmpl has no
 * placeholder. */
int rc_template_pattern(const char *tmpl, char *pat, size_t size);
/* The symbol in key when key matches tmpl and it is a valid symbol: 0,
 * else -1. */
int rc_template_symbol(const char *tmpl, const char *key, size_t key_len,
                       char out[RC_SYMBOL_MAX]);

#endif
