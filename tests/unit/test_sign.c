/* Unit tests for HMAC-SHA256 signing against Binance's documented vectors,
 * and its Base64 form (OKX's signatures). */
#include "../tap.h"
#include "driftguard/sign.h"

#include <string.h>

static void check_hmac(const char *secret, const char *msg, const char *want,
                       const char *name) {
  char out[DG_SHA256_HEXLEN + 1] = "";
  ok(dg_hmac_sha256_hex(secret, strlen(secret), msg, strlen(msg), out) == 0,
     "%s: computed", name);
  is_str(out, want, name);
}

int main(void) {
  check_hmac("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
             "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&"
             "price=0.1&recvWindow=5000&timestamp=1499827319559",
             "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
             "Binance spot documented vector");
  check_hmac("2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
             "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&"
             "timeInForce=GTC&recvWindow=5000&timestamp=1591702613943",
             "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9",
             "Binance USD-M documented vector");
  check_hmac("2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
             "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
             "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943",
             "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4",
             "Binance USD-M mixed query+body vector");
  {
    /* The same MAC, hex and Base64 (RFC 4648, padded): the well-known
     * "quick brown fox" vector (openssl dgst -sha256 -hmac key). */
    static const char fox[] = "The quick brown fox jumps over the lazy dog";
    char hex[DG_SHA256_HEXLEN + 1] = "", b64[DG_SHA256_B64LEN + 1] = "";
    ok(dg_hmac_sha256_hex("key", 3, fox, strlen(fox), hex) == 0 &&
           dg_hmac_sha256_base64("key", 3, fox, strlen(fox), b64) == 0,
       "HMAC-SHA256 hex and Base64: computed");
    is_str(hex,
           "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
           "HMAC-SHA256 hex vector");
    is_str(b64, "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=",
           "HMAC-SHA256 Base64: the same 32 bytes, 44 characters padded");
  }
  {
    char out[DG_SHA256_HEXLEN + 1];
    ok(dg_sha256_hex("abc", 3, out) == 0, "sha256 computed");
    is_str(out,
           "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
           "sha256(abc) FIPS 180-2 vector");
  }
  ok(dg_hex_equal("abCD01", "abcd01"), "hex_equal ignores case");
  ok(!dg_hex_equal("abcd01", "abcd02"), "hex_equal detects a difference");
  ok(!dg_hex_equal("abcd", "abcd01"), "hex_equal detects a length difference");
  ok(!dg_hex_equal("", ""), "hex_equal refuses empty");
  ok(!dg_hex_equal(NULL, "ab"), "hex_equal refuses NULL");
  return tap_done();
}
