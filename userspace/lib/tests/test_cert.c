// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Certificates: verification (good, expired, not yet valid, wrong CA,
 * tampered, wrong identity), every parse refusal, text armour, files,
 * private keys and s0 files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static struct test_creds cr;
static uint64_t now;

static void expect_verify(const struct sdrp_cert *c, const struct sdrp_cert *ca,
			  const char *id, uint64_t t, int want_rc,
			  enum sdrp_err want, const char *what)
{
	enum sdrp_err err = SDRP_ERR_NONE;
	int rc = sdrp_cert_verify(c, ca, id, t, &err);

	OK(rc == want_rc && err == want, "verify %s: %s (%s)", what,
	   sdrp_err_name(want), sdrp_err_name(err));
}

static void test_verify(void)
{
	struct sdrp_cert *c, *fake_ca, *t;
	uint8_t *raw;

	expect_verify(cr.client, cr.ca, "client.example", now, 0, SDRP_ERR_NONE,
		      "good certificate");
	expect_verify(cr.client, cr.ca, NULL, now, 0, SDRP_ERR_NONE,
		      "any identity");
	expect_verify(cr.ca, cr.ca, NULL, now, 0, SDRP_ERR_NONE,
		      "self-signed CA");
	expect_verify(cr.client, cr.ca, "server.example", now, -EKEYREJECTED,
		      SDRP_ERR_IDENTITY, "wrong identity");

	c = test_cert("client.example", cr.client_key, "sdrp-test-ca",
		      cr.ca_key, now - 100, now - 10);
	expect_verify(c, cr.ca, NULL, now, -EKEYEXPIRED, SDRP_ERR_CERT_EXPIRED,
		      "expired");
	expect_verify(c, cr.ca, NULL, now - 10, 0, SDRP_ERR_NONE,
		      "valid through not_after inclusive");
	sdrp_cert_free(c);
	c = test_cert("client.example", cr.client_key, "sdrp-test-ca",
		      cr.ca_key, now + 10, now + 100);
	expect_verify(c, cr.ca, NULL, now, -EKEYEXPIRED,
		      SDRP_ERR_CERT_NOT_YET_VALID, "not yet valid");
	expect_verify(c, cr.ca, NULL, now + 10, 0, SDRP_ERR_NONE,
		      "valid from not_before inclusive");
	sdrp_cert_free(c);
	fake_ca = test_cert("sdrp-test-ca", cr.ca_key, "sdrp-test-ca", cr.ca_key,
			    now - 100, now - 10);
	expect_verify(cr.client, fake_ca, NULL, now, -EKEYEXPIRED,
		      SDRP_ERR_CERT_EXPIRED, "CA expired");
	sdrp_cert_free(fake_ca);

	/* Wrong CA: another issuer name, or the right name, another key. */
	c = test_cert("client.example", cr.client_key, "rogue-ca", cr.rogue_key,
		      now - 100, now + 100);
	expect_verify(c, cr.ca, NULL, now, -EKEYREJECTED, SDRP_ERR_UNKNOWN_CA,
		      "issued by another CA");
	expect_verify(c, cr.rogue_ca, NULL, now, 0, SDRP_ERR_NONE,
		      "... valid under that CA");
	sdrp_cert_free(c);
	c = test_cert("client.example", cr.client_key, "sdrp-test-ca",
		      cr.rogue_key, now - 100, now + 100);
	expect_verify(c, cr.ca, NULL, now, -EKEYREJECTED,
		      SDRP_ERR_CERT_SIGNATURE, "CA's name, another key");
	sdrp_cert_free(c);
	expect_verify(cr.server, cr.client, NULL, now, -EKEYREJECTED,
		      SDRP_ERR_UNKNOWN_CA, "a leaf certificate as CA");

	/* Tampering with any signed field breaks the CA signature. */
	raw = malloc(cr.client->raw_len);
	{
		const struct {
			const char *what;
			size_t off;
			uint8_t x;
		} tamper[] = {
			{ "serial", 15, 1 },
			{ "not_after", 31, 0x10 },
			{ "subject", 33, 0x01 },		/* 'c' -> 'b' */
			{ "modulus", 0, 0x10 },
			{ "signature", 1, 0x01 },
		};
		size_t i;

		for (i = 0; i < sizeof(tamper) / sizeof(tamper[0]); i++) {
			size_t off = tamper[i].off;
			enum sdrp_err err;
			int rc;

			if (!strcmp(tamper[i].what, "modulus"))
				off = (size_t)(cr.client->n - cr.client->raw) + 100;
			if (!strcmp(tamper[i].what, "signature"))
				off = (size_t)(cr.client->sig - cr.client->raw) + 7;
			memcpy(raw, cr.client->raw, cr.client->raw_len);
			raw[off] ^= tamper[i].x;
			rc = sdrp_cert_parse(raw, cr.client->raw_len, &t, &err);
			if (!OK(!rc, "tampered %s: still parses", tamper[i].what))
				continue;
			expect_verify(t, cr.ca, NULL, now, -EKEYREJECTED,
				      SDRP_ERR_CERT_SIGNATURE, tamper[i].what);
			sdrp_cert_free(t);
		}
	}
	free(raw);
}

/* A certificate encoding with chosen fields and a dummy signature. */
struct fields {
	const char *magic;
	uint8_t version, key_type, res6, res7;
	uint64_t nb, na;
	int subject_len;		/* -1: strlen */
	const char *subject, *issuer;
	size_t n_len, e_len, sig_len;
	uint8_t n0, n_last, e0, e_last;
	size_t cut_sig;			/* sig bytes left out */
	size_t extra;			/* trailing bytes */
};

static size_t build(const struct fields *f, uint8_t *p)
{
	size_t off = 0, sl = f->subject_len < 0 ? strlen(f->subject) :
			     (size_t)f->subject_len, il = strlen(f->issuer);

	memcpy(p, f->magic, 4);
	p[4] = f->version;
	p[5] = f->key_type;
	p[6] = f->res6;
	p[7] = f->res7;
	sdrp_put_be64(p + 8, 1);
	sdrp_put_be64(p + 16, f->nb);
	sdrp_put_be64(p + 24, f->na);
	off = 32;
	p[off++] = (uint8_t)sl;
	memcpy(p + off, f->subject, sl);
	off += sl;
	p[off++] = (uint8_t)il;
	memcpy(p + off, f->issuer, il);
	off += il;
	p[off++] = (uint8_t)(f->n_len >> 8);
	p[off++] = (uint8_t)f->n_len;
	memset(p + off, 0xc5, f->n_len);
	if (f->n_len) {
		p[off] = f->n0;
		p[off + f->n_len - 1] = f->n_last;
	}
	off += f->n_len;
	p[off++] = (uint8_t)(f->e_len >> 8);
	p[off++] = (uint8_t)f->e_len;
	memset(p + off, 0, f->e_len);
	if (f->e_len) {
		p[off] = f->e0;
		p[off + f->e_len - 1] |= f->e_last;
	}
	off += f->e_len;
	p[off++] = (uint8_t)(f->sig_len >> 8);
	p[off++] = (uint8_t)f->sig_len;
	memset(p + off, 0x77, f->sig_len);
	off += f->sig_len - f->cut_sig;
	memset(p + off, 0, f->extra);
	return off + f->extra;
}

static const struct fields good = {
	.magic = "SDRC", .version = 1, .key_type = 1, .nb = 10, .na = 20,
	.subject_len = -1, .subject = "a.example", .issuer = "ca",
	.n_len = 256, .e_len = 3, .sig_len = 256, .n0 = 0xc1, .n_last = 0x01,
	.e0 = 0x01, .e_last = 0x01,
};

static void expect_parse(const struct fields *f, enum sdrp_err want,
			 const char *what)
{
	uint8_t *buf = malloc(8192), *exact;
	size_t len = build(f, buf);
	enum sdrp_err err = SDRP_ERR_NONE;
	struct sdrp_cert *c = NULL;
	int rc;

	exact = malloc(len);
	memcpy(exact, buf, len);
	rc = sdrp_cert_parse(exact, len, &c, &err);
	OK(rc == (want ? -EPROTO : 0) && err == want && !c == !!want,
	   "parse %s: %s (%s)", what, sdrp_err_name(want), sdrp_err_name(err));
	sdrp_cert_free(c);
	free(exact);
	free(buf);
}

static void test_parse(void)
{
	struct fields f;
	char long_id[300];
	size_t l;
	int wrong = 0;

	expect_parse(&good, SDRP_ERR_NONE, "well-formed");
	f = good; f.magic = "SDRX";
	expect_parse(&f, SDRP_ERR_CERT_MAGIC, "magic");
	f = good; f.version = 2;
	expect_parse(&f, SDRP_ERR_CERT_VERSION, "version 2");
	f = good; f.key_type = 2;
	expect_parse(&f, SDRP_ERR_CERT_KEY_TYPE, "key type 2");
	f = good; f.res6 = 1;
	expect_parse(&f, SDRP_ERR_CERT_RESERVED, "reserved byte 6");
	f = good; f.res7 = 0x80;
	expect_parse(&f, SDRP_ERR_CERT_RESERVED, "reserved byte 7");
	f = good; f.subject = ""; f.subject_len = 0;
	expect_parse(&f, SDRP_ERR_CERT_IDENTITY, "empty subject");
	f = good; f.subject = "a b";
	expect_parse(&f, SDRP_ERR_CERT_IDENTITY, "space in subject");
	f = good; f.subject = "a\x7f";
	expect_parse(&f, SDRP_ERR_CERT_IDENTITY, "DEL in subject");
	f = good; f.subject = "caf\xc3\xa9";
	expect_parse(&f, SDRP_ERR_CERT_IDENTITY, "UTF-8 in subject");
	f = good; f.subject = "ab\0cd"; f.subject_len = 5;
	expect_parse(&f, SDRP_ERR_CERT_IDENTITY, "NUL in subject");
	f = good; f.issuer = "";
	expect_parse(&f, SDRP_ERR_CERT_IDENTITY, "empty issuer");
	memset(long_id, 'x', 255);
	long_id[255] = '\0';
	f = good; f.subject = long_id;
	expect_parse(&f, SDRP_ERR_NONE, "255-byte subject");
	f = good; f.n0 = 0;
	expect_parse(&f, SDRP_ERR_CERT_KEY, "modulus with a leading zero");
	f = good; f.n0 = 0x7f;
	expect_parse(&f, SDRP_ERR_CERT_KEY, "modulus top bit clear (2047 bits)");
	f = good; f.n_last = 0x02;
	expect_parse(&f, SDRP_ERR_CERT_KEY, "even modulus");
	f = good; f.n_len = 255;
	expect_parse(&f, SDRP_ERR_CERT_KEY, "2040-bit modulus");
	f = good; f.n_len = 1025;
	expect_parse(&f, SDRP_ERR_CERT_KEY, "8200-bit modulus");
	f = good; f.n_len = 1024;
	expect_parse(&f, SDRP_ERR_NONE, "8192-bit modulus");
	f = good; f.e_len = 0;
	expect_parse(&f, SDRP_ERR_CERT_KEY, "empty exponent");
	f = good; f.e_len = 1; f.e0 = 1;
	expect_parse(&f, SDRP_ERR_CERT_KEY, "exponent 1");
	f = good; f.e_len = 1; f.e0 = 4; f.e_last = 0;
	expect_parse(&f, SDRP_ERR_CERT_KEY, "even exponent");
	f = good; f.e_len = 9;
	expect_parse(&f, SDRP_ERR_CERT_KEY, "9-byte exponent");
	f = good; f.e0 = 0;
	expect_parse(&f, SDRP_ERR_CERT_KEY, "exponent with a leading zero");
	f = good; f.sig_len = 0;
	expect_parse(&f, SDRP_ERR_CERT_SIG_LEN, "sig_len 0");
	f = good; f.cut_sig = 1;
	expect_parse(&f, SDRP_ERR_CERT_SIG_LEN, "signature cut");
	f = good; f.extra = 1;
	expect_parse(&f, SDRP_ERR_CERT_TRAILING, "trailing byte");
	f = good; f.nb = 21;
	expect_parse(&f, SDRP_ERR_CERT_VALIDITY, "not_before after not_after");
	f = good; f.n_len = 1024; f.sig_len = 3000; f.subject = long_id;
	f.issuer = long_id;
	expect_parse(&f, SDRP_ERR_CERT_TRAILING, "longer than SDRP_CERT_MAX_LEN");

	/* Every prefix of a real certificate is refused, in bounds. */
	for (l = 0; l < cr.client->raw_len; l++) {
		uint8_t *p = malloc(l ? l : 1);
		struct sdrp_cert *c;
		enum sdrp_err err, want = l >= cr.client->signed_len - 2 ?
				     SDRP_ERR_CERT_SIG_LEN : SDRP_ERR_CERT_SHORT;

		memcpy(p, cr.client->raw, l);
		if (sdrp_cert_parse(p, l, &c, &err) != -EPROTO || err != want)
			wrong++;
		free(p);
	}
	OK(!wrong, "parse: each of %zu prefixes is CERT_SHORT or CERT_SIG_LEN",
	   cr.client->raw_len);
}

static void test_armor(void)
{
	struct sdrp_cert *c;
	enum sdrp_err err;
	char *text, *p, *bad;
	size_t len, i;
	int long_line = 0;

	if (sdrp_cert_armor(cr.server, &text, &len))
		tap_bail("armor");
	OK(!strncmp(text, "-----BEGIN SDRP CERTIFICATE-----\n", 33) &&
	   strstr(text, "\n-----END SDRP CERTIFICATE-----\n") &&
	   len == strlen(text) && text[len - 1] == '\n', "armor: BEGIN / END lines");
	for (p = text; (p = strchr(p, '\n')); p++) {
		char *q = strchr(p + 1, '\n');

		if (q && q - p - 1 > 64)
			long_line = 1;
	}
	OK(!long_line, "armor: lines of at most 64 columns");
	OK(!sdrp_cert_dearmor(text, len, &c, &err) &&
	   c->raw_len == cr.server->raw_len &&
	   !memcmp(c->raw, cr.server->raw, c->raw_len), "armor: round trip");
	sdrp_cert_free(c);
	bad = malloc(len + 64);
	sprintf(bad, "garbage before\n%sgarbage after\n", text);
	OK(!sdrp_cert_dearmor(bad, strlen(bad), &c, &err),
	   "armor: text around it ignored");
	sdrp_cert_free(c);
	OK(sdrp_cert_dearmor(text, len - 20, &c, &err) == -EPROTO &&
	   err == SDRP_ERR_CERT_ARMOR, "armor: missing END refused");
	OK(sdrp_cert_dearmor(text + 1, len - 1, &c, &err) == -EPROTO &&
	   err == SDRP_ERR_CERT_ARMOR, "armor: missing BEGIN refused");
	memcpy(bad, text, len + 1);
	bad[40] = '*';
	OK(sdrp_cert_dearmor(bad, len, &c, &err) == -EPROTO &&
	   err == SDRP_ERR_CERT_ARMOR, "armor: bad base64 refused");
	sprintf(bad, "%s\n%s\n", SDRP_CERT_ARMOR_BEGIN, SDRP_CERT_ARMOR_END);
	OK(sdrp_cert_dearmor(bad, strlen(bad), &c, &err) == -EPROTO &&
	   err == SDRP_ERR_CERT_ARMOR, "armor: empty body refused");
	/* Whole-text scan: each cut is refused without reading past it. */
	for (i = 0, long_line = 0; i < len; i += 7) {
		char *cut = malloc(i ? i : 1);

		memcpy(cut, text, i);
		if (!sdrp_cert_dearmor(cut, i, &c, &err)) {
			long_line++;
			sdrp_cert_free(c);
		}
		free(cut);
	}
	OK(!long_line, "armor: cut texts refused");
	free(bad);
	free(text);
}

static void test_files(void)
{
	char path[512], kpath[512], spath[512];
	struct sdrp_privkey *k, *gen;
	struct sdrp_cert *c;
	uint8_t s0[32], s0b[32];
	enum sdrp_err err;
	char *pem;
	size_t len;
	struct stat st;

	snprintf(path, sizeof(path), "%s/test_cert.%d.crt", test_tmpdir(),
		 (int)getpid());
	snprintf(kpath, sizeof(kpath), "%s/test_cert.%d.key", test_tmpdir(),
		 (int)getpid());
	snprintf(spath, sizeof(spath), "%s/test_cert.%d.s0", test_tmpdir(),
		 (int)getpid());
	unlink(path);
	unlink(kpath);
	unlink(spath);
	OK(!sdrp_cert_save(cr.client, path) && !sdrp_cert_load(path, &c, &err) &&
	   c->raw_len == cr.client->raw_len &&
	   !memcmp(c->raw, cr.client->raw, c->raw_len),
	   "cert file: save and load");
	sdrp_cert_free(c);
	IS(sdrp_cert_load("/nonexistent/x.crt", &c, &err), -ENOENT,
	   "cert file: missing file is ENOENT");

	OK(!sdrp_privkey_to_pem(cr.server_key, &pem, &len) &&
	   !strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27) &&
	   !sdrp_privkey_from_pem(pem, len, &k) &&
	   sdrp_cert_matches_key(cr.server, k) &&
	   !sdrp_cert_matches_key(cr.client, k), "private key: PKCS#8 round trip");
	sdrp_wipe(pem, len);
	free(pem);
	IS(sdrp_privkey_bits(k), 2048, "private key: bits");
	OK(!sdrp_privkey_save(k, kpath) && !stat(kpath, &st) &&
	   (st.st_mode & 0777) == 0600, "private key: saved with mode 0600");
	IS(sdrp_file_is_private(kpath), 1, "private key: file is private");
	IS(sdrp_privkey_save(k, kpath), -EEXIST,
	   "private key: never overwrites");
	sdrp_privkey_free(k);
	OK(!sdrp_privkey_load(kpath, &k) && sdrp_cert_matches_key(cr.server, k),
	   "private key: load");
	sdrp_privkey_free(k);
	chmod(kpath, 0640);
	IS(sdrp_file_is_private(kpath), 0, "private key: group-readable is not");
	chmod(kpath, 0604);
	IS(sdrp_file_is_private(kpath), 0, "private key: other-readable is not");
	IS(sdrp_file_is_private("/nonexistent/key"), -ENOENT,
	   "private key: missing file is ENOENT");
	IS(sdrp_privkey_from_pem("not a key", 9, &k), -EINVAL,
	   "private key: garbage refused");
	IS(sdrp_privkey_generate(1024, &gen), -EINVAL,
	   "private key: 1024 bits refused");
	IS(sdrp_privkey_generate(2049, &gen), -EINVAL,
	   "private key: 2049 bits refused");
	IS(sdrp_privkey_generate(9000, &gen), -EINVAL,
	   "private key: 9000 bits refused");
	OK(!sdrp_privkey_generate(2048, &gen) && sdrp_privkey_bits(gen) == 2048,
	   "private key: generate 2048 bits");
	{
		struct sdrp_cert_template t = {
			.serial = 9, .not_before = now, .not_after = now + 1,
			.subject = "gen.example", .issuer = "sdrp-test-ca",
		};

		OK(!sdrp_cert_create(&t, gen, cr.ca_key, &c) &&
		   !sdrp_cert_verify(c, cr.ca, "gen.example", now, &err),
		   "private key: certified by the CA");
		sdrp_cert_free(c);
		t.subject = "bad id";
		IS(sdrp_cert_create(&t, gen, cr.ca_key, &c), -EINVAL,
		   "create: invalid subject refused");
		t.subject = "gen.example";
		t.not_before = now + 2;
		IS(sdrp_cert_create(&t, gen, cr.ca_key, &c), -EINVAL,
		   "create: validity order refused");
	}
	sdrp_privkey_free(gen);

	memset(s0, 0xa5, sizeof(s0));
	OK(!sdrp_s0_save(spath, s0) && !stat(spath, &st) &&
	   (st.st_mode & 0777) == 0600 && st.st_size == 65,
	   "s0 file: 64 hex digits and newline, mode 0600");
	OK(!sdrp_s0_load(spath, s0b) && !memcmp(s0, s0b, 32), "s0 file: load");
	IS(sdrp_s0_save(spath, s0), -EEXIST, "s0 file: never overwrites");
	IS(sdrp_s0_parse("00", 2, s0b), -EINVAL, "s0: short refused");
	{
		char text[70];

		memset(text, 'f', 64);
		IS(sdrp_s0_parse(text, 64, s0b), 0, "s0: without newline");
		text[64] = '\n';
		IS(sdrp_s0_parse(text, 65, s0b), 0, "s0: with newline");
		text[64] = 'x';
		IS(sdrp_s0_parse(text, 65, s0b), -EINVAL, "s0: other final byte");
		text[10] = 'g';
		IS(sdrp_s0_parse(text, 64, s0b), -EINVAL, "s0: non-hex refused");
	}
	unlink(path);
	unlink(kpath);
	unlink(spath);
}

static void test_pubkey(void)
{
	struct sdrp_pubkey *pub;
	struct sdrp_cert *c;
	struct sdrp_cert_template t = {
		.serial = sdrp_cert_random_serial(), .not_before = now - 1,
		.not_after = now + 100, .subject = "server.example",
		.issuer = "sdrp-test-ca",
	};
	uint8_t fp[SDRP_CERT_FINGERPRINT_LEN], fp2[SDRP_CERT_FINGERPRINT_LEN];
	uint8_t h[64], s0a[32], s0b[32];
	enum sdrp_err err;
	char *pem, *armor, path[512];
	size_t len;
	int i, bad = 0;

	OK(!sdrp_privkey_public_pem(cr.server_key, &pem, &len) &&
	   !strncmp(pem, "-----BEGIN PUBLIC KEY-----", 26) && len == strlen(pem),
	   "public key: PEM of the public half");
	OK(!sdrp_pubkey_from_pem(pem, len, &pub) && sdrp_pubkey_bits(pub) == 2048,
	   "public key: parsed back");
	OK(!sdrp_cert_create_pub(&t, pub, cr.ca_key, &c) &&
	   !sdrp_cert_verify(c, cr.ca, "server.example", now, &err) &&
	   sdrp_cert_matches_key(c, cr.server_key),
	   "create_pub: certifies the key without its private half");
	sdrp_cert_free(c);
	sdrp_pubkey_free(pub);
	snprintf(path, sizeof(path), "%s/test_cert.%d.pub", test_tmpdir(),
		 (int)getpid());
	unlink(path);
	OK(!sdrp_cert_save(cr.client, path) && !sdrp_pubkey_load(path, &pub) &&
	   !sdrp_cert_create_pub(&t, pub, cr.ca_key, &c) &&
	   sdrp_cert_matches_key(c, cr.client_key),
	   "public key: taken from an armoured certificate (re-certify)");
	sdrp_cert_free(c);
	sdrp_pubkey_free(pub);
	unlink(path);
	IS(sdrp_pubkey_from_pem("junk", 4, &pub), -EINVAL,
	   "public key: garbage refused");
	IS(sdrp_pubkey_load("/nonexistent/pub", &pub), -ENOENT,
	   "public key: missing file");
	free(pem);
	if (!sdrp_cert_armor(cr.server, &armor, &len)) {
		armor[40] = '*';
		IS(sdrp_pubkey_from_pem(armor, len, &pub), -EINVAL,
		   "public key: broken certificate refused");
		free(armor);
	}

	sdrp_cert_fingerprint(cr.client, fp);
	sdrp_cert_fingerprint(cr.server, fp2);
	ref_sha512(h, cr.client->raw, cr.client->raw_len, NULL, 0);
	OK(!memcmp(fp, h, sizeof(fp)) && memcmp(fp, fp2, sizeof(fp)),
	   "fingerprint: first 16 bytes of SHA-512(certificate)");
	IS(sdrp_cert_key_bits(cr.client), 2048, "certificate key bits");
	for (i = 0; i < 100; i++) {
		uint64_t v = sdrp_cert_random_serial();

		bad |= !v || v >> 63;
	}
	OK(!bad, "random serial: non-zero, 63 bits");
	OK(!sdrp_s0_generate(s0a) && !sdrp_s0_generate(s0b) &&
	   memcmp(s0a, s0b, 32), "s0: generated at random");
}

static void test_identity(void)
{
	char id[300];

	memset(id, 'a', sizeof(id));
	id[255] = '\0';
	OK(sdrp_identity_valid(id), "identity: 255 bytes");
	id[255] = 'a';
	id[256] = '\0';
	OK(!sdrp_identity_valid(id), "identity: 256 bytes refused");
	OK(!sdrp_identity_valid(""), "identity: empty refused");
	OK(sdrp_identity_valid("!~"), "identity: 0x21 and 0x7e allowed");
	OK(!sdrp_identity_valid("a b"), "identity: space refused");
	OK(!sdrp_identity_valid("\x7f"), "identity: DEL refused");
	OK(!sdrp_identity_valid("\xc3\xa9"), "identity: non-ASCII refused");
}

int main(void)
{
	if (sdrp_init())
		tap_bail("sdrp_init failed");
	now = sdrp_now_ms() / 1000;
	test_creds_init(&cr, now);
	test_verify();
	test_parse();
	test_armor();
	test_files();
	test_pubkey();
	test_identity();
	test_creds_free(&cr);
	return tap_done();
}
