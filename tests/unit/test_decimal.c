/* Unit tests for exact decimals: parsing, canonical text, arithmetic, steps. */
#include "../dec_literal.h"
#include "../tap.h"
#include "driftguard/decimal.h"

#include <string.h>

static const char *canon(const char *in) {
  static char buf[DG_DEC_STRLEN];
  dg_dec_t d;
  if (dg_dec_parse(in, &d) != 0)
    return "ERR";
  dg_dec_format(d, buf, sizeof(buf));
  return buf;
}

int main(void) {
  static const struct {
    const char *in, *want;
  } good[] = {
      {"0", "0"},
      {"0.000", "0"},
      {"-0", "0"},
      {"-0.000", "0"},
      {"+0", "0"},
      {"0.007", "0.007"},
      {"-0.007", "-0.007"},
      {"+1.50", "1.5"},
      {"000123.4500", "123.45"},
      {"1", "1"},
      {"10", "10"},
      {"0.00000001", "0.00000001"},
      {"-0.00000001", "-0.00000001"},
      {"1.100000000000000000000", "1.1"},
      {"92233720368.54775807", "92233720368.54775807"},
      {"-92233720368.54775807", "-92233720368.54775807"},
      {"0000000000000000000000000001", "1"},
  };
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
    is_str(canon(good[i].in), good[i].want, good[i].in);

  static const char *bad[] = {
      "",
      "-",
      "+",
      ".",
      "1.",
      ".5",
      "-.5",
      "1e3",
      "1.2.3",
      "abc",
      " 1",
      "1 ",
      "0x10",
      "--1",
      "1,5",
      "NaN",
      "inf",
      "0.000000001",
      "1.000000005",
      "92233720368.54775808",
      "100000000000",
      "-100000000000",
      "99999999999999999999999",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    dg_dec_t d = {42};
    ok(dg_dec_parse(bad[i], &d) == -1 && d.units == 42, "refuses '%s'", bad[i]);
  }
  {
    dg_dec_t d;
    ok(dg_dec_parse(NULL, &d) == -1, "refuses NULL");
    ok(dg_dec_parse_n("0.0071", 5, &d) == 0 && d.units == 700000,
       "parse_n stops at length");
  }

  /* Comparison and sign. */
  ok(dg_dec_cmp(dec("0.007"), dec("0.0070")) == 0, "0.007 == 0.0070");
  ok(dg_dec_cmp(dec("-0.5"), dec("0.3")) < 0, "-0.5 < 0.3");
  ok(dg_dec_cmp(dec("2"), dec("1.99999999")) > 0, "2 > 1.99999999");
  ok(dg_dec_sign(dec("-0.001")) == -1 && dg_dec_sign(dec("0")) == 0 &&
         dg_dec_sign(dec("3")) == 1,
     "sign");

  /* Arithmetic. */
  {
    dg_dec_t r;
    char buf[DG_DEC_STRLEN];
    ok(dg_dec_sub(dec("0.5"), dec("0.3"), &r) == 0 &&
           dg_dec_format(r, buf, sizeof buf) && strcmp(buf, "0.2") == 0,
       "0.5 - 0.3 = 0.2 exactly");
    ok(dg_dec_add(dec("0.1"), dec("0.2"), &r) == 0 &&
           dg_dec_cmp(r, dec("0.3")) == 0,
       "0.1 + 0.2 = 0.3 exactly");
    ok(dg_dec_add(dec("92233720368.54775807"), dec("0.00000001"), &r) == -1,
       "add overflow refused");
    ok(dg_dec_sub(dec("-92233720368.54775807"), dec("1"), &r) == -1,
       "sub overflow refused");
    ok(dg_dec_abs(dec("-0.007"), &r) == 0 && dg_dec_cmp(r, dec("0.007")) == 0,
       "abs");
    ok(dg_dec_neg(dec("0.007"), &r) == 0 && dg_dec_cmp(r, dec("-0.007")) == 0,
       "neg");
    ok(dg_dec_mul(dec("0.01"), dec("1"), &r) == 0 &&
           dg_dec_cmp(r, dec("0.01")) == 0,
       "mul: 0.01 x 1 (ctVal x ctMult)");
    ok(dg_dec_mul(dec("-2.5"), dec("0.1"), &r) == 0 &&
           dg_dec_cmp(r, dec("-0.25")) == 0,
       "mul: signs and decimals exact");
    ok(dg_dec_mul(dec("0.00000001"), dec("0.1"), &r) == -1,
       "mul: a product finer than 1e-8 refused, not rounded");
    ok(dg_dec_mul(dec("92233720368"), dec("2"), &r) == -1,
       "mul: overflow refused");
  }

  /* Rounding down to a step, toward zero for both signs. */
  {
    static const struct {
      const char *v, *step, *want;
    } rd[] = {
        {"0.0079", "0.001", "0.007"},
        {"-0.0079", "0.001", "-0.007"},
        {"0.2", "0.001", "0.2"},
        {"0.0009", "0.001", "0"},
        {"17", "5", "15"},
        {"1.23456789", "0.00000001", "1.23456789"},
        {"0.35", "0.1", "0.3"},
        {"0", "0.001", "0"},
    };
    for (size_t i = 0; i < sizeof(rd) / sizeof(rd[0]); i++) {
      dg_dec_t r;
      char buf[DG_DEC_STRLEN] = "ERR";
      if (dg_dec_round_down(dec(rd[i].v), dec(rd[i].step), &r) == 0)
        dg_dec_format(r, buf, sizeof buf);
      char name[96];
      snprintf(name, sizeof name, "round_down(%s, %s)", rd[i].v, rd[i].step);
      is_str(buf, rd[i].want, name);
    }
    dg_dec_t r;
    ok(dg_dec_round_down(dec("1"), dec("0"), &r) == -1, "zero step refused");
    ok(dg_dec_round_down(dec("1"), dec("-0.1"), &r) == -1,
       "negative step refused");
  }

  /* Formatting into a short buffer truncates safely and reports the length. */
  {
    char small[4];
    size_t n = dg_dec_format(dec("-123.45"), small, sizeof small);
    ok(n == 7 && strcmp(small, "-12") == 0, "format truncates safely");
  }
  return tap_done();
}
