/* test_reconcile_template.c - the plugin's "{symbol}" key templates:
 * LedgerKey filling, SCAN patterns that match only what they should, and
 * symbols read back from scanned keys. */
#include "../../plugins/reconcile_template.h"
#include "../tap.h"

#include <string.h>

static int symbol_of(const char *tmpl, const char *key, char *out) {
  return rc_template_symbol(tmpl, key, strlen(key), out);
}

int main(void) {
  char buf[64], sym[RC_SYMBOL_MAX];

  ok(rc_template_fill("quantum:ledger:{symbol}", "BTCUSDT", buf, sizeof(buf)) ==
         0,
     "fill a ledger key");
  is_str(buf, "quantum:ledger:BTCUSDT", "placeholder replaced");
  ok(rc_template_fill("led:{symbol}:pos", "ETHUSDT", buf, sizeof(buf)) == 0,
     "fill a template with a tail");
  is_str(buf, "led:ETHUSDT:pos", "tail kept");
  ok(rc_template_fill("no-placeholder", "BTCUSDT", buf, sizeof(buf)) != 0,
     "a template without {symbol} is refused");
  ok(rc_template_fill("quantum:ledger:{symbol}", "BTCUSDT", buf, 10) != 0,
     "a key that does not fit is refused");

  ok(rc_template_pattern("quantum:ledger:{symbol}", buf, sizeof(buf)) == 0,
     "pattern of a plain template");
  is_str(buf, "quantum:ledger:*", "placeholder becomes *");
  ok(rc_template_pattern("q*x:[a]?\\:{symbol}:t", buf, sizeof(buf)) == 0,
     "pattern of a template with glob characters");
  is_str(buf, "q\\*x:\\[a\\]\\?\\\\:*:t", "glob characters escaped");
  ok(rc_template_pattern("quantum:ledger:{symbol}", buf, 16) != 0,
     "a pattern that does not fit is refused");

  ok(symbol_of("quantum:ledger:{symbol}", "quantum:ledger:BTCUSDT", sym) == 0,
     "symbol read back");
  is_str(sym, "BTCUSDT", "the right symbol");
  ok(symbol_of("led:{symbol}:pos", "led:ETHUSDT:pos", sym) == 0 &&
         strcmp(sym, "ETHUSDT") == 0,
     "symbol between head and tail");
  ok(symbol_of("led:{symbol}:pos", "led:ETHUSDT:posx", sym) != 0,
     "wrong tail refused");
  ok(symbol_of("quantum:ledger:{symbol}", "quantum:ledger:btcusdt", sym) != 0,
     "lowercase is not a symbol");
  ok(symbol_of("quantum:ledger:{symbol}", "quantum:ledger:", sym) != 0,
     "empty symbol refused");
  ok(symbol_of("quantum:ledger:{symbol}", "quantum:ledger:A:B", sym) != 0,
     "a key with more parts is not a symbol");
  ok(symbol_of("quantum:ledger:{symbol}",
               "quantum:ledger:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", sym) != 0,
     "a 32-character symbol is too long");
  ok(symbol_of("quantum:ledger:{symbol}", "other:ledger:BTCUSDT", sym) != 0,
     "wrong head refused");

  ok(dg_symbol_valid("BTCUSDT", 7), "BTCUSDT is a symbol");
  ok(!dg_symbol_valid("BTC USDT", 8), "a space is not");
  ok(!dg_symbol_valid("", 0), "empty is not");
  ok(symbol_of("quantum:ledger:{symbol}", "quantum:ledger:BTC-USDT-SWAP",
               sym) == 0 &&
         strcmp(sym, "BTC-USDT-SWAP") == 0,
     "an OKX symbol is found in its ledger key");
  ok(symbol_of("quantum:ledger:{symbol}", "quantum:ledger:BTC-USDT:X", sym) !=
         0,
     "a key with a colon after the symbol is not one");
  return tap_done();
}
