// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrpd: options and the init chain (log, configuration, crypto, instance
 * lock, handshake engine, netlink loop); teardown in reverse.  See
 * sdrpd(8).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdrpd.h"

#define SDRPD_VERSION	"0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sdrpd [-c FILE] [-s] [-d] [-t] [-h] [-V]\n"
		"  -c FILE  configuration file (default %s)\n"
		"  -s       log to syslog instead of stderr\n"
		"  -d       log debug messages too\n"
		"  -t       check the configuration and exit\n"
		"  -h       this help\n"
		"  -V       version\n",
		SDRPD_DEFAULT_CONFIG);
}

int main(int argc, char **argv)
{
	struct sdrpd_ctx ctx = { .config_path = SDRPD_DEFAULT_CONFIG };
	bool use_syslog = false, debug = false, check_only = false;
	char *errmsg = NULL;
	sigset_t mask;
	int opt, rc, lock_fd;

	while ((opt = getopt(argc, argv, "c:sdthV")) != -1) {
		switch (opt) {
		case 'c':
			ctx.config_path = optarg;
			break;
		case 's':
			use_syslog = true;
			break;
		case 'd':
			debug = true;
			break;
		case 't':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sdrpd %s\n", SDRPD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	/*
	 * Signals are read from a signalfd; block them before any thread
	 * exists so that every thread inherits the mask.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	sdrpd_log_init(use_syslog, debug);

	rc = sdrp_init();
	if (rc) {
		sdrpd_log(LOG_ERR, "crypto: %s", rc == -ENOSYS ?
			  "AES-256-GCM is not available on this CPU" :
			  "libsodium failed to initialise");
		goto err_log;
	}

	rc = sdrpd_config_load(ctx.config_path, &ctx.config, &errmsg);
	if (rc) {
		sdrpd_log(LOG_ERR, "%s", errmsg ? errmsg : strerror(-rc));
		free(errmsg);
		goto err_log;
	}
	if (check_only) {
		printf("%s: ok (identity \"%s\", %zu peers)\n",
		       ctx.config_path, ctx.config->identity,
		       ctx.config->n_peers);
		goto err_config;
	}

	lock_fd = sdrpd_instance_lock();
	if (lock_fd < 0) {
		rc = lock_fd;
		goto err_config;
	}

	rc = sdrpd_engine_new(&ctx.engine, ctx.config->replay_max);
	if (rc) {
		sdrpd_log(LOG_ERR, "handshake engine: %s", strerror(-rc));
		goto err_lock;
	}

	rc = sdrpd_netlink_run(&ctx);

	sdrpd_engine_free(ctx.engine);
err_lock:
	close(lock_fd);
err_config:
	sdrpd_config_put(ctx.config);
err_log:
	if (!rc && !check_only)
		sdrpd_log(LOG_INFO, "exited");
	sdrpd_log_close();
	return rc ? 1 : 0;
}
