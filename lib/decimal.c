/* decimal.c - exact fixed-point decimal parsing, formatting and arithmetic.
 * See decimal.h: every operation is exact or refuses. */
#include "driftguard/decimal.h"

#include <string.h>

int dg_dec_parse_n(const char *s, size_t len, dg_dec_t *out) {
  size_t i = 0;
  int negative = 0;
  uint64_t int_part = 0, frac_part = 0;
  int frac_digits = 0, int_digits = 0;
  /* Largest integer part that still fits once scaled by 10^8. */
  const uint64_t int_max = (uint64_t)INT64_MAX / (uint64_t)DG_DEC_SCALE;

  if (s == NULL || out == NULL || len == 0)
    return -1;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    i++;
  }
  for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
    int_part = int_part * 10 + (uint64_t)(s[i] - '0');
    int_digits++;
    if (int_part > int_max)
      return -1;
  }
  if (i < len && s[i] == '.') {
    i++;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
      if (frac_digits < DG_DEC_SCALE_DIGITS) {
        frac_part = frac_part * 10 + (uint64_t)(s[i] - '0');
        frac_digits++;
      } else if (s[i] != '0') {
        return -1; /* finer than 10^-8: not representable exactly */
      } else {
        frac_digits++;
      }
    }
    if (frac_digits == 0)
      return -1; /* "1." */
  }
  if (i != len || int_digits == 0)
    return -1; /* trailing garbage, or ".5" / "-" */
  for (int k = frac_digits; k < DG_DEC_SCALE_DIGITS; k++)
    frac_part *= 10;
  uint64_t mag = int_part * (uint64_t)DG_DEC_SCALE + frac_part;
  if (mag > (uint64_t)INT64_MAX)
    return -1;
  out->units = negative ? -(int64_t)mag : (int64_t)mag;
  return 0;
}

int dg_dec_parse(const char *s, dg_dec_t *out) {
  if (s == NULL)
    return -1;
  return dg_dec_parse_n(s, strlen(s), out);
}

size_t dg_dec_format(dg_dec_t d, char *buf, size_t size) {
  char tmp[DG_DEC_STRLEN];
  size_t n = 0;
  /* INT64_MIN is never produced by parse or arithmetic, but stay defined. */
  uint64_t mag =
      d.units < 0 ? (uint64_t)0 - (uint64_t)d.units : (uint64_t)d.units;
  uint64_t ip = mag / (uint64_t)DG_DEC_SCALE;
  uint64_t fp = mag % (uint64_t)DG_DEC_SCALE;
  char digits[24];
  int nd = 0;

  if (d.units < 0)
    tmp[n++] = '-';
  do {
    digits[nd++] = (char)('0' + ip % 10);
    ip /= 10;
  } while (ip > 0);
  while (nd > 0)
    tmp[n++] = digits[--nd];
  if (fp != 0) {
    char frac[DG_DEC_SCALE_DIGITS];
    int last = 0;
    for (int k = DG_DEC_SCALE_DIGITS - 1; k >= 0; k--) {
      frac[k] = (char)('0' + fp % 10);
      fp /= 10;
    }
    for (int k = 0; k < DG_DEC_SCALE_DIGITS; k++)
      if (frac[k] != '0')
        last = k + 1;
    tmp[n++] = '.';
    memcpy(tmp + n, frac, (size_t)last);
    n += (size_t)last;
  }
  if (size == 0)
    return n;
  size_t copy = n < size - 1 ? n : size - 1;
  memcpy(buf, tmp, copy);
  buf[copy] = '\0';
  return n;
}

int dg_dec_cmp(dg_dec_t a, dg_dec_t b) {
  return (a.units > b.units) - (a.units < b.units);
}

int dg_dec_sign(dg_dec_t d) {
  return (d.units > 0) - (d.units < 0);
}

int dg_dec_add(dg_dec_t a, dg_dec_t b, dg_dec_t *out) {
  int64_t r;
  if (__builtin_add_overflow(a.units, b.units, &r) || r == INT64_MIN)
    return -1;
  out->units = r;
  return 0;
}

int dg_dec_sub(dg_dec_t a, dg_dec_t b, dg_dec_t *out) {
  int64_t r;
  if (__builtin_sub_overflow(a.units, b.units, &r) || r == INT64_MIN)
    return -1;
  out->units = r;
  return 0;
}

int dg_dec_neg(dg_dec_t a, dg_dec_t *out) {
  if (a.units == INT64_MIN)
    return -1;
  out->units = -a.units;
  return 0;
}

int dg_dec_abs(dg_dec_t a, dg_dec_t *out) {
  if (a.units >= 0) {
    out->units = a.units;
    return 0;
  }
  return dg_dec_neg(a, out);
}

int dg_dec_mul(dg_dec_t a, dg_dec_t b, dg_dec_t *out) {
  __int128 r = (__int128)a.units * b.units;
  /* Exact or nothing: a product with more than 8 decimals is refused. */
  if (r % DG_DEC_SCALE != 0)
    return -1;
  r /= DG_DEC_SCALE;
  if (r > INT64_MAX || r <= INT64_MIN)
    return -1;
  out->units = (int64_t)r;
  return 0;
}

int dg_dec_round_down(dg_dec_t v, dg_dec_t step, dg_dec_t *out) {
  if (step.units <= 0)
    return -1;
  /* C division truncates toward zero, which is what we want for both signs. */
  out->units = (v.units / step.units) * step.units;
  return 0;
}
