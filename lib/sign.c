/* sign.c - HMAC-SHA256 / SHA-256 over OpenSSL: one-shot, or with a key
 * made ready once (OpenSSL 3 looks its algorithms up by name on every
 * one-shot call, which costs more than hashing a plan). */
#include "driftguard/sign.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct dg_hmac_key {
  EVP_MAC *mac;
  EVP_MAC_CTX *keyed; /* initialised with the key; copied per message */
};

static void hex_encode(const unsigned char *in, size_t len, char *out) {
  static const char hexdig[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = hexdig[in[i] >> 4];
    out[2 * i + 1] = hexdig[in[i] & 0x0f];
  }
  out[2 * len] = '\0';
}

dg_hmac_key_t *dg_hmac_key_new(const void *key, size_t key_len) {
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
      OSSL_PARAM_construct_end()};
  dg_hmac_key_t *k;
  if (key == NULL || key_len == 0 || (k = calloc(1, sizeof *k)) == NULL)
    return NULL;
  if ((k->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
      (k->keyed = EVP_MAC_CTX_new(k->mac)) == NULL ||
      EVP_MAC_init(k->keyed, key, key_len, params) != 1) {
    dg_hmac_key_free(k);
    return NULL;
  }
  return k;
}

int dg_hmac_key_hex(const dg_hmac_key_t *k, const void *msg, size_t msg_len,
                    char out[DG_SHA256_HEXLEN + 1]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  size_t md_len = 0;
  /* A copy per message: the keyed context stays untouched, so threads
   * can share the key. */
  EVP_MAC_CTX *c = k != NULL ? EVP_MAC_CTX_dup(k->keyed) : NULL;
  int ok = c != NULL && EVP_MAC_update(c, msg, msg_len) == 1 &&
           EVP_MAC_final(c, md, &md_len, sizeof md) == 1 && md_len == 32;
  EVP_MAC_CTX_free(c);
  if (ok)
    hex_encode(md, md_len, out);
  OPENSSL_cleanse(md, sizeof(md));
  return ok ? 0 : -1;
}

void dg_hmac_key_free(dg_hmac_key_t *k) {
  if (k == NULL)
    return;
  EVP_MAC_CTX_free(k->keyed);
  EVP_MAC_free(k->mac);
  free(k);
}

int dg_hmac_sha256_hex(const void *key, size_t key_len, const void *msg,
                       size_t msg_len, char out[DG_SHA256_HEXLEN + 1]) {
  dg_hmac_key_t *k = dg_hmac_key_new(key, key_len);
  int rc = dg_hmac_key_hex(k, msg, msg_len, out);
  dg_hmac_key_free(k);
  return rc;
}

/* SHA-256 looked up once per process (a client order id per plan). */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static void sha256_fetch(void) {
  sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int dg_sha256_hex(const void *msg, size_t msg_len,
                  char out[DG_SHA256_HEXLEN + 1]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  pthread_once(&sha256_once, sha256_fetch);
  if (EVP_Digest(msg, msg_len, md, &md_len,
                 sha256_md != NULL ? sha256_md : EVP_sha256(), NULL) != 1 ||
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
