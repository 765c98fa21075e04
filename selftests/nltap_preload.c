// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for sdrp_secrets_sdrpd.sh: every netlink message the
 * process sends (sendmsg() on an AF_NETLINK socket, which is how libnl
 * sends) is appended, as sent, to the file $SDRP_NLTAP_FILE, each
 * preceded by its length (u32, host order).  sdrp_hs_tool keyextract
 * reads the file.
 *
 * The test needs the secrets sdrpd hands the kernel (SEND's and DONE's
 * attributes), which only sdrpd ever knows; the kernel wipes them from
 * the netlink message in place once copied, so an nlmon device, whose
 * clone shares that buffer, reads zeros.  The shim sees them before the
 * kernel does, without any change to sdrpd.  Never install it anywhere
 * else: the file it writes holds keys.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);

static pthread_mutex_t tap_lock = PTHREAD_MUTEX_INITIALIZER;

static void tap_write(const struct msghdr *msg, size_t len)
{
	const char *path = getenv("SDRP_NLTAP_FILE");
	uint32_t len32 = (uint32_t)len;
	size_t i;
	int fd;

	if (!path)
		return;
	pthread_mutex_lock(&tap_lock);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write(fd, &len32, sizeof(len32)) == sizeof(len32))
			for (i = 0; i < msg->msg_iovlen && len; i++) {
				size_t n = msg->msg_iov[i].iov_len < len ?
					   msg->msg_iov[i].iov_len : len;

				if (write(fd, msg->msg_iov[i].iov_base, n) !=
				    (ssize_t)n)
					break;
				len -= n;
			}
		close(fd);
	}
	pthread_mutex_unlock(&tap_lock);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static sendmsg_fn real;
	int domain = 0;
	socklen_t dlen = sizeof(domain);
	ssize_t ret;

	if (!real)
		real = (sendmsg_fn)dlsym(RTLD_NEXT, "sendmsg");
	ret = real(fd, msg, flags);
	if (ret > 0 &&
	    !getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) &&
	    domain == AF_NETLINK)
		tap_write(msg, (size_t)ret);
	return ret;
}
