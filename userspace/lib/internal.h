/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * libsdrp internals shared between the library's files.  Internal symbols
 * are named sdrpi_* and are not exported from libsdrp.so (libsdrp.map).
 */
#ifndef _SDRP_INTERNAL_H
#define _SDRP_INTERNAL_H

#include <errno.h>
#include <sys/types.h>
#include <sodium.h>
#include <sdrp/sdrp.h>

/* Record a refusal reason and return the matching negative errno. */
static inline int sdrpi_fail(enum sdrp_err *err, enum sdrp_err why)
{
	if (err)
		*err = why;
	return -sdrp_err_errno(why);
}

static inline void sdrpi_ok(enum sdrp_err *err)
{
	if (err)
		*err = SDRP_ERR_NONE;
}

/* SHA-512 over a list of byte strings, for signatures and transcripts. */
struct sdrpi_buf {
	const void *p;
	size_t len;
};

void sdrpi_sha512v(uint8_t out[SDRP_HASH_LEN], const struct sdrpi_buf *v,
		   size_t n);

/* RSA public key check of a PSS-SHA512 signature from modulus/exponent. */
int sdrpi_pss_verify(void *pkey, const uint8_t digest[SDRP_HASH_LEN],
		     const uint8_t *sig, size_t sig_len);

/* Public key (EVP_PKEY *) from big-endian n and e; NULL on failure. */
void *sdrpi_pkey_from_ne(const uint8_t *n, size_t n_len, const uint8_t *e,
			 size_t e_len);
void sdrpi_pkey_free(void *pkey);

/* Big-endian n and e of an RSA key (EVP_PKEY *), malloc'd; 0 or -errno. */
int sdrpi_pkey_ne(const void *pkey, uint8_t **n, size_t *n_len, uint8_t **e,
		  size_t *e_len);
/* The EVP_PKEY of a private or public key. */
const void *sdrpi_privkey_pkey(const struct sdrp_privkey *k);
const void *sdrpi_pubkey_pkey(const struct sdrp_pubkey *k);

/* Read a whole (small) file; malloc'd, NUL-terminated.  0 or -errno. */
int sdrpi_read_file(const char *path, size_t max, char **out, size_t *len);
/*
 * sdrpi_read_file() of a text for a parser, whose valid texts are at most
 * @max bytes: a larger file is -EINVAL (invalid), not -EFBIG.
 */
int sdrpi_read_text(const char *path, size_t max, char **out, size_t *len);
/* Write a whole file with the given mode; O_EXCL if @excl.  0 or -errno. */
int sdrpi_write_file(const char *path, const void *buf, size_t len,
		     mode_t mode, int excl);
/*
 * Write a secret to a new file (mode 0600, never over an existing one),
 * then wipe @buf.  0 or -errno.
 */
int sdrpi_write_secret(const char *path, void *buf, size_t len);

/*
 * Seal a record whose header and inner plaintext the caller wrote into
 * rec[0..SDRP_HDR_LEN + inner_len), without checking them: the one
 * place where GCM and the HMAC are applied.  Used by sdrp_record_seal()
 * and by the fuzz target that needs authentic records with arbitrary
 * contents.  Returns the record length.
 */
size_t sdrpi_seal_raw(struct sdrp_cipher *c, uint8_t *rec, size_t inner_len);

/*
 * sdrp_record_open() for a clear cipher on a read-only record (clear
 * records are only verified, never modified).
 */
int sdrpi_open_clear(struct sdrp_cipher *c, const uint8_t *rec, size_t len,
		     struct sdrp_msg *m, enum sdrp_err *err);

#endif /* _SDRP_INTERNAL_H */
