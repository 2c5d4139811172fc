/* sign.h - HMAC-SHA256 and SHA-256 helpers (OpenSSL), hex (or Base64)
 * encoded.
 * Used for exchange request signing, plan MACs and drift signatures. */
#ifndef DRIFTGUARD_SIGN_H
#define DRIFTGUARD_SIGN_H

#include <stddef.h>

#define DG_SHA256_HEXLEN 64
#define DG_SHA256_B64LEN 44 /* Base64 of 32 bytes, padding included */

/* A key kept for many HMAC-SHA256s (the plan key checked on every plan),
 * on pages excluded from core dumps and wiped when freed (secret.h).
 * Once made, usable from several threads at once. */
typedef struct dg_hmac_key dg_hmac_key_t;

/* NULL on failure (no memory, an empty key). */
dg_hmac_key_t *dg_hmac_key_new(const void *key, size_t key_len);
/* hex(HMAC-SHA256(key, msg)) into out[65]. Returns 0, -1 on failure. */
int dg_hmac_key_hex(const dg_hmac_key_t *k, const void *msg, size_t msg_len,
                    char out[DG_SHA256_HEXLEN + 1]);
void dg_hmac_key_free(dg_hmac_key_t *k);
/* One message: the same through a key made for it (an empty key fails).
 * Returns 0, -1 on failure. */
int dg_hmac_sha256_hex(const void *key, size_t key_len, const void *msg,
                       size_t msg_len, char out[DG_SHA256_HEXLEN + 1]);

/* The same, Base64 encoded (OKX's request signatures) into out[45]. */
int dg_hmac_sha256_base64(const void *key, size_t key_len, const void *msg,
                          size_t msg_len, char out[DG_SHA256_B64LEN + 1]);

/* hex(SHA-256(msg)) into out[65]. Returns 0, -1 on failure. */
int dg_sha256_hex(const void *msg, size_t msg_len,
                  char out[DG_SHA256_HEXLEN + 1]);
/* Compare two hex digests without leaking where they differ (case-insensitive).
 * Returns 1 when equal. */
int dg_hex_equal(const char *a, const char *b);

#endif
