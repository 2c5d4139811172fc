/* sign.c - HMAC-SHA256 / SHA-256 over OpenSSL, with the algorithms looked
 * up once per process and a kept key on pages out of core dumps. */
#include "driftguard/sign.h"

#include "driftguard/secret.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The key's bytes, on pages kept out of core dumps (secret.h). OpenSSL
 * gets them per message only: a keyed context kept for the process's
 * life would hold the key (and its pads, as good as the key) in the
 * ordinary heap. */
struct dg_hmac_key {
  size_t size; /* of this allocation */
  size_t len;
  unsigned char key[];
};

/* An HMAC-SHA256 context without a key, made once: a copy per message
 * costs no name lookup (OpenSSL 3 looks algorithms up by name on every
 * one-shot call, which costs more than hashing a plan). */
static EVP_MAC_CTX *hmac_template;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_prepare(void) {
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
      OSSL_PARAM_construct_end()};
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *c = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
  EVP_MAC_free(mac); /* the context holds its own reference */
  if (c != NULL && EVP_MAC_CTX_set_params(c, params) != 1) {
    EVP_MAC_CTX_free(c);
    c = NULL;
  }
  hmac_template = c;
}

static void hex_encode(const unsigned char *in, size_t len, char *out) {
  static const char hexdig[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = hexdig[in[i] >> 4];
    out[2 * i + 1] = hexdig[in[i] & 0x0f];
  }
  out[2 * len] = '\0';
}

/* The raw 32-byte HMAC-SHA256 into md. Returns 0, -1 on failure. */
static int hmac_sha256(const void *key, size_t key_len, const void *msg,
                       size_t msg_len, unsigned char md[EVP_MAX_MD_SIZE]) {
  size_t md_len = 0;
  EVP_MAC_CTX *c;
  int ok;
  if (key == NULL || key_len == 0)
    return -1;
  pthread_once(&hmac_once, hmac_prepare);
  /* A copy per message: the template stays untouched, so threads can
   * share it; freeing the copy cleanses the key OpenSSL took. */
  c = hmac_template != NULL ? EVP_MAC_CTX_dup(hmac_template) : NULL;
  ok = c != NULL && EVP_MAC_init(c, key, key_len, NULL) == 1 &&
       EVP_MAC_update(c, msg, msg_len) == 1 &&
       EVP_MAC_final(c, md, &md_len, EVP_MAX_MD_SIZE) == 1 && md_len == 32;
  EVP_MAC_CTX_free(c);
  return ok ? 0 : -1;
}

int dg_hmac_sha256_hex(const void *key, size_t key_len, const void *msg,
                       size_t msg_len, char out[DG_SHA256_HEXLEN + 1]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  int rc = hmac_sha256(key, key_len, msg, msg_len, md);
  if (rc == 0)
    hex_encode(md, 32, out);
  OPENSSL_cleanse(md, sizeof(md));
  return rc;
}

int dg_hmac_sha256_base64(const void *key, size_t key_len, const void *msg,
                          size_t msg_len, char out[DG_SHA256_B64LEN + 1]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  int rc = hmac_sha256(key, key_len, msg, msg_len, md);
  if (rc == 0 &&
      EVP_EncodeBlock((unsigned char *)out, md, 32) != DG_SHA256_B64LEN)
    rc = -1;
  OPENSSL_cleanse(md, sizeof(md));
  return rc;
}

dg_hmac_key_t *dg_hmac_key_new(const void *key, size_t key_len) {
  size_t size = sizeof(dg_hmac_key_t) + key_len;
  dg_hmac_key_t *k;
  if (key == NULL || key_len == 0 || (k = dg_secret_alloc(size)) == NULL)
    return NULL;
  k->size = size;
  k->len = key_len;
  memcpy(k->key, key, key_len);
  return k;
}

int dg_hmac_key_hex(const dg_hmac_key_t *k, const void *msg, size_t msg_len,
                    char out[DG_SHA256_HEXLEN + 1]) {
  return k != NULL ? dg_hmac_sha256_hex(k->key, k->len, msg, msg_len, out) : -1;
}

void dg_hmac_key_free(dg_hmac_key_t *k) {
  if (k != NULL)
    dg_secret_free(k, k->size);
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
