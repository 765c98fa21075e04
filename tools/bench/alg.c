// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The crypto limit: the kernel's own gcm(aes) and hmac(sha512), driven
 * from userspace through AF_ALG, so that the figure comes from the same
 * kernel, the same implementations (the highest-priority driver of each
 * name, as crypto_alloc_aead() / crypto_alloc_shash() pick) and the same
 * VM run as the transports.  AF_ALG adds a copy in and out and two system
 * calls per operation, so the limit it shows is slightly pessimistic.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_alg.h>

#include "bench.h"

#ifndef SOL_ALG
#define SOL_ALG		279
#endif

#define GCM_IV_LEN	12
#define GCM_TAG_LEN	16
#define SDRP_AAD_LEN	12	/* the record header */
#define HMAC_KEY_LEN	64
#define HMAC_LEN	64
/* at least this many operations, whatever the window (1 MiB under TCG) */
#define ALG_MIN_OPS	8

/* Driver of the highest-priority instance of `name` in /proc/crypto. */
static void alg_driver(const char *name, char *driver, size_t len)
{
	char line[256], cur_name[128] = "", cur_drv[128] = "";
	long prio = -1, best = -1;
	FILE *f = fopen("/proc/crypto", "re");

	snprintf(driver, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char val[128];

		if (sscanf(line, "name : %127s", val) == 1)
			snprintf(cur_name, sizeof(cur_name), "%s", val);
		else if (sscanf(line, "driver : %127s", val) == 1)
			snprintf(cur_drv, sizeof(cur_drv), "%s", val);
		else if (sscanf(line, "priority : %ld", &prio) == 1 &&
			 !strcmp(cur_name, name) && prio > best) {
			best = prio;
			snprintf(driver, len, "%s", cur_drv);
		}
	}
	fclose(f);
}

static int alg_open(const char *type, const char *name, const void *key,
		    size_t key_len, size_t bufsize, struct bench_error *e)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int tfm, op, sz = (int)bufsize;

	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "%s", type);
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", name);
	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0) {
		bench_set_error(e, errno, "socket(AF_ALG): %s",
				strerror(errno));
		e->unsupported = true;
		return -e->err;
	}
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa))) {
		bench_set_error(e, errno, "AF_ALG %s %s: %s", type, name,
				strerror(errno));
		e->unsupported = errno == ENOENT;
		goto fail;
	}
	if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, (socklen_t)key_len) ||
	    (!strcmp(type, "aead") &&
	     setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL,
			GCM_TAG_LEN))) {
		bench_set_error(e, errno, "AF_ALG %s setkey: %s", name,
				strerror(errno));
		goto fail;
	}
	op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
	if (op < 0) {
		bench_set_error(e, errno, "AF_ALG accept: %s", strerror(errno));
		goto fail;
	}
	close(tfm);
	/* a whole 1 MiB record must fit into one operation's buffers */
	if (setsockopt(op, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) ||
	    setsockopt(op, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz))) {
		bench_set_error(e, errno, "AF_ALG buffer size: %s",
				strerror(errno));
		close(op);
		return -e->err;
	}
	return op;
fail:
	close(tfm);
	return -e->err;
}

/* One AES-256-GCM encryption of aad(12) | size bytes, as sdrp seals. */
static int gcm_encrypt(int op, uint8_t *in, size_t size, uint8_t *out,
		       struct bench_error *e)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + GCM_IV_LEN) +
		  CMSG_SPACE(sizeof(uint32_t))] = { 0 };
	struct iovec iov = { .iov_base = in, .iov_len = SDRP_AAD_LEN + size };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	size_t out_len = SDRP_AAD_LEN + size + GCM_TAG_LEN;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	struct af_alg_iv *iv;
	size_t got = 0;
	ssize_t n;

	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	*(uint32_t *)CMSG_DATA(c) = ALG_OP_ENCRYPT;
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*iv) + GCM_IV_LEN);
	iv = (struct af_alg_iv *)CMSG_DATA(c);
	iv->ivlen = GCM_IV_LEN;
	memset(iv->iv, 0x5a, GCM_IV_LEN);
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
	c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	*(uint32_t *)CMSG_DATA(c) = SDRP_AAD_LEN;

	n = sendmsg(op, &msg, 0);
	if (n < 0 || (size_t)n != iov.iov_len) {
		bench_set_error(e, n < 0 ? errno : EIO, "AF_ALG gcm send: %s",
				n < 0 ? strerror(errno) : "short");
		return -e->err;
	}
	while (got < out_len) {
		n = read(op, out + got, out_len - got);
		if (n <= 0) {
			bench_set_error(e, n < 0 ? errno : EIO,
					"AF_ALG gcm read: %s",
					n < 0 ? strerror(errno) : "short");
			return -e->err;
		}
		got += (size_t)n;
	}
	return 0;
}

static int hmac_once(int op, const uint8_t *in, size_t size, uint8_t *out,
		     struct bench_error *e)
{
	ssize_t n = send(op, in, size, 0);

	if (n < 0 || (size_t)n != size) {
		bench_set_error(e, n < 0 ? errno : EIO, "AF_ALG hmac send: %s",
				n < 0 ? strerror(errno) : "short");
		return -e->err;
	}
	n = read(op, out, HMAC_LEN);
	if (n != HMAC_LEN) {
		bench_set_error(e, n < 0 ? errno : EIO, "AF_ALG hmac read: %s",
				n < 0 ? strerror(errno) : "short");
		return -e->err;
	}
	return 0;
}

/* Run one kind of operation for window_s; bytes of payload per second. */
static int alg_measure(bool gcm, size_t size, double window_s,
		       double *bytes_per_s, char *driver, size_t driver_len,
		       struct bench_error *e)
{
	const char *name = gcm ? "gcm(aes)" : "hmac(sha512)";
	size_t buf_len = SDRP_AAD_LEN + size + GCM_TAG_LEN;
	uint8_t key[HMAC_KEY_LEN], *in, *out;
	uint64_t ops = 0;
	double t0, t1;
	int op, err = 0;

	in = calloc(1, buf_len);
	out = calloc(1, buf_len);
	if (!in || !out) {
		free(in);
		free(out);
		bench_set_error(e, ENOMEM, "out of memory");
		return -ENOMEM;
	}
	bench_fill_random(key, sizeof(key));
	bench_fill_random(in, buf_len);
	/* page-rounded twice over: the kernel counts buffer overhead too */
	op = alg_open(gcm ? "aead" : "hash", name, key, gcm ? 32 : HMAC_KEY_LEN,
		      4 * buf_len + (1 << 16), e);
	if (op < 0) {
		err = op;
		goto out;
	}
	alg_driver(name, driver, driver_len);
	t0 = bench_now();
	do {
		err = gcm ? gcm_encrypt(op, in, size, out, e) :
			    hmac_once(op, in, size, out, e);
		ops++;
		t1 = bench_now();
	} while (!err && (t1 - t0 < window_s || ops < ALG_MIN_OPS));
	close(op);
	if (!err)
		*bytes_per_s = (double)ops * (double)size / (t1 - t0);
out:
	free(in);
	free(out);
	return err;
}

int bench_alg_gcm(size_t size, double window_s, double *bytes_per_s,
		  char *driver, size_t driver_len, struct bench_error *e)
{
	return alg_measure(true, size, window_s, bytes_per_s, driver,
			   driver_len, e);
}

int bench_alg_hmac(size_t size, double window_s, double *bytes_per_s,
		   char *driver, size_t driver_len, struct bench_error *e)
{
	return alg_measure(false, size, window_s, bytes_per_s, driver,
			   driver_len, e);
}
