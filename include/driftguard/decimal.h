/* decimal.h - exact fixed-point decimals for quantities and prices.
 *
 * Money never touches a binary float: the exchange's decimal strings are
 * parsed into a signed 64-bit count of 10^-8 units (Binance's finest
 * precision), and every operation either is exact or fails. */
#ifndef DRIFTGUARD_DECIMAL_H
#define DRIFTGUARD_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

#define DG_DEC_SCALE_DIGITS 8
#define DG_DEC_SCALE INT64_C(100000000)
/* Longest canonical text: sign, 11 integer digits, point, 8 digits, NUL. */
#define DG_DEC_STRLEN 32

typedef struct {
  int64_t units; /* value * 10^8 */
} dg_dec_t;

#define DG_DEC_ZERO ((dg_dec_t){0})
#define DG_DEC_ONE ((dg_dec_t){DG_DEC_SCALE})

/* Parse "[-+]digits[.digits]" exactly. Refuses garbage, empty strings,
 * exponents, more than 8 significant fractional digits and overflow.
 * Returns 0 on success, -1 on error (*out untouched). */
int dg_dec_parse(const char *s, dg_dec_t *out);
/* Same on a length-delimited buffer (need not be NUL-terminated). */
int dg_dec_parse_n(const char *s, size_t len, dg_dec_t *out);

/* Canonical text: no trailing zeros, no "+", "0" for any zero ("-0" too).
 * Returns the length written; buf must hold DG_DEC_STRLEN bytes. */
size_t dg_dec_format(dg_dec_t d, char *buf, size_t size);

int dg_dec_cmp(dg_dec_t a, dg_dec_t b); /* -1, 0, 1 */
int dg_dec_sign(dg_dec_t d);            /* -1, 0, 1 */
static inline int dg_dec_is_zero(dg_dec_t d) {
  return d.units == 0;
}

/* Arithmetic returns 0, or -1 on overflow (*out untouched). */
int dg_dec_add(dg_dec_t a, dg_dec_t b, dg_dec_t *out);
int dg_dec_sub(dg_dec_t a, dg_dec_t b, dg_dec_t *out);
int dg_dec_abs(dg_dec_t a, dg_dec_t *out);
int dg_dec_neg(dg_dec_t a, dg_dec_t *out);
/* a x b, exact: -1 also when the product has more than 8 decimals. */
int dg_dec_mul(dg_dec_t a, dg_dec_t b, dg_dec_t *out);

/* Round toward zero to a multiple of step (step > 0). -1 if step <= 0. */
int dg_dec_round_down(dg_dec_t v, dg_dec_t step, dg_dec_t *out);

#endif
