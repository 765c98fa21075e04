/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * TAP output for sdrpd's test programs (libsdrp's test helpers, util.h),
 * and the credentials they share:
 * a temporary directory with a CA, a client and a server (the fixed keys
 * of userspace/lib/tests/keys.h), certificates, s0 files and
 * configuration files.
 */
#ifndef _SDRPD_TEST_TAP_H
#define _SDRPD_TEST_TAP_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"
#include "sdrpd.h"
#include "util.h"

#define TAP_MAYBE_UNUSED __attribute__((unused))

/* ---- credentials on disk ---- */

struct fx {
	char dir[512];
	struct sdrp_privkey *ca_key, *client_key, *server_key, *rogue_key;
	struct sdrp_cert *ca, *client, *server, *rogue_ca;
};

TAP_MAYBE_UNUSED
static void fx_path(const struct fx *f, const char *name, char *out,
		    size_t cap)
{
	snprintf(out, cap, "%s/%s", f->dir, name);
}

TAP_MAYBE_UNUSED
static void fx_write(const struct fx *f, const char *name, const char *text,
		     mode_t mode)
{
	char path[600];
	int fd;

	fx_path(f, name, path, sizeof(path));
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		tap_bail("write %s: %s", path, strerror(errno));
	fchmod(fd, mode);
	close(fd);
}

TAP_MAYBE_UNUSED
static struct sdrp_privkey *fx_key(const char *pem)
{
	struct sdrp_privkey *k;

	if (sdrp_privkey_from_pem(pem, strlen(pem), &k))
		tap_bail("test key");
	return k;
}

TAP_MAYBE_UNUSED
static struct sdrp_cert *fx_cert(const char *subject, const char *issuer,
				 const struct sdrp_privkey *key,
				 const struct sdrp_privkey *issuer_key,
				 int64_t from, int64_t to)
{
	uint64_t now = sdrp_now_ms() / 1000;
	struct sdrp_cert_template t = {
		.serial = 1,
		.not_before = (uint64_t)((int64_t)now + from),
		.not_after = (uint64_t)((int64_t)now + to),
		.subject = subject,
		.issuer = issuer,
	};
	struct sdrp_cert *c;

	if (sdrp_cert_create(&t, key, issuer_key, &c))
		tap_bail("certificate %s", subject);
	return c;
}

TAP_MAYBE_UNUSED
static void fx_save_cert(const struct fx *f, const struct sdrp_cert *c,
			 const char *name)
{
	char path[600];

	fx_path(f, name, path, sizeof(path));
	unlink(path);
	if (sdrp_cert_save(c, path))
		tap_bail("save %s", path);
}

TAP_MAYBE_UNUSED
static void fx_save_key(const struct fx *f, const char *pem, const char *name)
{
	fx_write(f, name, pem, 0600);
}

#define S0_A "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
#define S0_B "f0e0d0c0b0a090807060504030201000ffeeddccbbaa99887766554433221100\n"

/*
 * Files in a fresh directory:
 *   ca.crt client.key client.crt server.key server.crt
 *   rogue.crt (client.example by another CA)   expired.crt (server.example)
 *   a.s0 b.s0 (two different s0)
 */
TAP_MAYBE_UNUSED
static void fx_setup(struct fx *f)
{
	const char *base = getenv("SDRP_TEST_TMP");
	struct sdrp_cert *c;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/sdrpd-XXXXXX",
		 base ? base : "/tmp");
	if (!mkdtemp(f->dir))
		tap_bail("mkdtemp %s: %s", f->dir, strerror(errno));
	f->ca_key = fx_key(test_key_ca_pem);
	f->client_key = fx_key(test_key_client_pem);
	f->server_key = fx_key(test_key_server_pem);
	f->rogue_key = fx_key(test_key_rogue_pem);
	f->ca = fx_cert("sdrp-test-ca", "sdrp-test-ca", f->ca_key, f->ca_key,
			-3600, 86400);
	f->client = fx_cert("client.example", "sdrp-test-ca", f->client_key,
			    f->ca_key, -3600, 86400);
	f->server = fx_cert("server.example", "sdrp-test-ca", f->server_key,
			    f->ca_key, -3600, 86400);
	f->rogue_ca = fx_cert("rogue-ca", "rogue-ca", f->rogue_key,
			      f->rogue_key, -3600, 86400);
	fx_save_cert(f, f->ca, "ca.crt");
	fx_save_cert(f, f->client, "client.crt");
	fx_save_cert(f, f->server, "server.crt");
	fx_save_cert(f, f->rogue_ca, "rogue-ca.crt");
	fx_save_key(f, test_key_client_pem, "client.key");
	fx_save_key(f, test_key_server_pem, "server.key");
	/* The client's key, certified by an unknown CA. */
	c = fx_cert("client.example", "rogue-ca", f->client_key, f->rogue_key,
		    -3600, 86400);
	fx_save_cert(f, c, "rogue.crt");
	sdrp_cert_free(c);
	/* The server's key, expired an hour ago. */
	c = fx_cert("server.example", "sdrp-test-ca", f->server_key,
		    f->ca_key, -7200, -3600);
	fx_save_cert(f, c, "expired.crt");
	sdrp_cert_free(c);
	fx_write(f, "a.s0", S0_A, 0600);
	fx_write(f, "b.s0", S0_B, 0600);
}

TAP_MAYBE_UNUSED
static void fx_teardown(struct fx *f)
{
	char cmd[600];

	sdrp_privkey_free(f->ca_key);
	sdrp_privkey_free(f->client_key);
	sdrp_privkey_free(f->server_key);
	sdrp_privkey_free(f->rogue_key);
	sdrp_cert_free(f->ca);
	sdrp_cert_free(f->client);
	sdrp_cert_free(f->server);
	sdrp_cert_free(f->rogue_ca);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		printf("# could not remove %s\n", f->dir);
}

/* Load a configuration written to @name; bails out if it fails. */
TAP_MAYBE_UNUSED
static struct sdrpd_config *fx_load(const struct fx *f, const char *name,
				    const char *text)
{
	struct sdrpd_config *c;
	char path[600], *err = NULL;

	fx_write(f, name, text, 0644);
	fx_path(f, name, path, sizeof(path));
	if (sdrpd_config_load(path, &c, &err))
		tap_bail("config %s: %s", name, err ? err : "?");
	return c;
}

#endif /* _SDRPD_TEST_TAP_H */
