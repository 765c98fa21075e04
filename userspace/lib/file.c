// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Small files: whole-file read/write, the private-file check, and s0
 * files (64 hex digits and a newline).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int sdrpi_read_file(const char *path, size_t max, char **out, size_t *len)
{
	size_t used = 0;
	char *buf;
	ssize_t n;
	int fd, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		n = read(fd, buf + used, max + 1 - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (!n)
			break;
		used += (size_t)n;
		if (used > max) {
			rc = -EFBIG;
			break;
		}
	}
	close(fd);
	if (rc) {
		sodium_memzero(buf, used);
		free(buf);
		return rc;
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}

int sdrpi_read_text(const char *path, size_t max, char **out, size_t *len)
{
	int rc = sdrpi_read_file(path, max, out, len);

	return rc == -EFBIG ? -EINVAL : rc;
}

int sdrpi_write_file(const char *path, const void *buf, size_t len,
		     mode_t mode, int excl)
{
	const uint8_t *p = buf;
	int fd, rc = 0;
	ssize_t n;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
		  (excl ? O_EXCL : O_TRUNC), mode);
	if (fd < 0)
		return -errno;
	/* An existing file keeps its mode with O_TRUNC: set ours. */
	if (fchmod(fd, mode))
		rc = -errno;
	while (!rc && len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) && !rc)
		rc = -errno;
	if (rc)
		unlink(path);
	return rc;
}

int sdrpi_write_secret(const char *path, void *buf, size_t len)
{
	int rc = sdrpi_write_file(path, buf, len, 0600, 1);

	sodium_memzero(buf, len);
	return rc;
}

int sdrp_file_is_private(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	return !(st.st_mode & (S_IRWXG | S_IRWXO));
}

int sdrp_s0_generate(uint8_t s0[SDRP_S0_LEN])
{
	if (sdrp_init() == -EIO)
		return -EIO;
	randombytes_buf(s0, SDRP_S0_LEN);
	return 0;
}

int sdrp_s0_parse(const char *text, size_t len, uint8_t s0[SDRP_S0_LEN])
{
	size_t bin_len;

	if (len == 2 * SDRP_S0_LEN + 1 && text[len - 1] == '\n')
		len--;
	if (len != 2 * SDRP_S0_LEN)
		return -EINVAL;
	sdrp_init();
	if (sodium_hex2bin(s0, SDRP_S0_LEN, text, len, NULL, &bin_len, NULL) ||
	    bin_len != SDRP_S0_LEN) {
		sodium_memzero(s0, SDRP_S0_LEN);
		return -EINVAL;
	}
	return 0;
}

int sdrp_s0_load(const char *path, uint8_t s0[SDRP_S0_LEN])
{
	char *text;
	size_t len;
	int rc;

	rc = sdrpi_read_text(path, 2 * SDRP_S0_LEN + 1, &text, &len);
	if (rc)
		return rc;
	rc = sdrp_s0_parse(text, len, s0);
	sodium_memzero(text, len);
	free(text);
	return rc;
}

int sdrp_s0_save(const char *path, const uint8_t s0[SDRP_S0_LEN])
{
	char text[2 * SDRP_S0_LEN + 2];

	sdrp_init();
	sodium_bin2hex(text, sizeof(text), s0, SDRP_S0_LEN);
	text[2 * SDRP_S0_LEN] = '\n';
	/* wipes the digits and newline; the byte left is bin2hex's NUL */
	return sdrpi_write_secret(path, text, 2 * SDRP_S0_LEN + 1);
}
