// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Logging to stderr (default) or syslog (-s).  Callers pass the peer and
 * the reason of every failure; no caller ever passes a secret.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "sdrpd.h"

static bool log_syslog;
static bool log_debug;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void sdrpd_log_init(bool use_syslog, bool debug)
{
	log_syslog = use_syslog;
	log_debug = debug;
	if (use_syslog)
		openlog("sdrpd", LOG_PID, LOG_DAEMON);
}

void sdrpd_log_close(void)
{
	if (log_syslog)
		closelog();
}

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE: case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void sdrpd_log(int prio, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (prio == LOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		/* One lock so that lines of worker threads never interleave. */
		pthread_mutex_lock(&log_lock);
		fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ sdrpd %s: ",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec,
			ts.tv_nsec / 1000000, prio_name(prio));
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		pthread_mutex_unlock(&log_lock);
	}
	va_end(ap);
}
