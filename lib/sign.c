/* sign.c - HMAC-SHA256 / SHA-256 over OpenSSL's one-shot APIs. */
#include "driftguard/sign.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <string.h>

static void hex_encode(const unsigned char *in, size_t len, char *out) {
  static const char hexdig[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = hexdig[in[i] >> 4];
    out[2 * i + 1] = hexdig[in[i] & 0x0f];
  }
  out[2 * len] = '\0';
}

int dg_hmac_sha256_hex(const void *key, size_t key_len, const void *msg,
                       size_t msg_len, char out[DG_SHA256_HEXLEN + 1]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (key_len > (size_t)INT32_MAX)
    return -1;
  if (HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, md, &md_len) ==
          NULL ||
      md_len != 32)
    return -1;
  hex_encode(md, md_len, out);
  OPENSSL_cleanse(md, sizeof(md));
  return 0;
}

int dg_sha256_hex(const void *msg, size_t msg_len,
                  char out[DG_SHA256_HEXLEN + 1]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(msg, msg_len, md, &md_len, EVP_sha256(), NULL) != 1 ||
      md_len != 32)
    return -1;
  hex_encode(md, md_len, out);
  return 0;
}

static unsigned char lower(unsigned char c) {
  return (c >= 'A' && c <= 'F') ? (unsigned char)(c + ('a' - 'A')) : c;
}

int dg_hex_equal(const char *a, const char *b) {
  size_t la, lb;
  unsigned char diff = 0;
  if (a == NULL || b == NULL)
    return 0;
  la = strlen(a);
  lb = strlen(b);
  if (la != lb || la == 0)
    return 0;
  for (size_t i = 0; i < la; i++)
    diff |= (unsigned char)(lower((unsigned char)a[i]) ^
                            lower((unsigned char)b[i]));
  return diff == 0;
}
