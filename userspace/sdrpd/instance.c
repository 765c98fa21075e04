// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * One sdrpd per network namespace.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "sdrpd.h"

/*
 * One instance per network namespace: an abstract unix socket is bound in
 * the namespace of the process that binds it, so two daemons in one
 * namespace collide and daemons in different namespaces do not.  Unlike a
 * pid file it needs no writable directory (ProtectSystem=strict) and
 * vanishes with the process, however it dies.  The namespace's inode is
 * in the name only for ss -x and the log.
 */
int sdrpd_instance_lock(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	unsigned long ino = 0;
	struct stat st;
	socklen_t len;
	int fd;

	if (!stat("/proc/self/ns/net", &st))
		ino = (unsigned long)st.st_ino;
	len = (socklen_t)snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
				  "sdrpd/netns/%lu", ino);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len))) {
		int rc = -errno;

		close(fd);
		if (rc == -EADDRINUSE)
			sdrpd_log(LOG_ERR, "another sdrpd runs in this network namespace (net:[%lu])",
				  ino);
		else
			sdrpd_log(LOG_ERR, "instance lock: %s", strerror(-rc));
		return rc;
	}
	sdrpd_log(LOG_DEBUG, "instance lock @sdrpd/netns/%lu", ino);
	return fd;
}

