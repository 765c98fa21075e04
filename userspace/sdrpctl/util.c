// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Command-line plumbing shared by every subcommand: dispatch, messages,
 * number and time parsing, and output files placed without accidental
 * overwrite.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sdrp/sdrp.h>

#include "sdrpctl.h"

#define SECONDS_PER_DAY		86400ULL
/* Tries at a fresh temporary name when another process took ours. */
#define STAGE_TRIES		16

static void vmsg(const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "sdrpctl: %s", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void sdrpctl_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void sdrpctl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int sdrpctl_usage(FILE *out, const char *argv0, const char *synopsis)
{
	fprintf(out, "Usage: %s %s\n", argv0, synopsis);
	return out == stdout ? SDRPCTL_EXIT_OK : SDRPCTL_EXIT_USAGE;
}

static void print_table(FILE *out, const char *prefix,
			const struct sdrpctl_cmd *cmds, size_t n)
{
	size_t i;

	fprintf(out, "Usage: %s <command> [<args>]\n\nCommands:\n", prefix);
	for (i = 0; i < n; i++)
		fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(out, "\nEvery command takes --help for its own usage.\n");
}

int sdrpctl_dispatch(const char *prefix, const struct sdrpctl_cmd *cmds,
		     size_t n, int argc, char *argv[])
{
	/*
	 * The full names outlive the call (argv[0] points at them); one
	 * buffer per nesting level: "sdrpctl cert", "sdrpctl cert issue".
	 */
	static char names[2][64];
	static unsigned int depth;
	const char *name = argc > 1 ? argv[1] : NULL;
	size_t i;

	if (!name) {
		print_table(stderr, prefix, cmds, n);
		return SDRPCTL_EXIT_USAGE;
	}
	if (!strcmp(name, "help") || !strcmp(name, "--help") ||
	    !strcmp(name, "-h")) {
		print_table(stdout, prefix, cmds, n);
		return SDRPCTL_EXIT_OK;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(name, cmds[i].name))
			continue;
		if (depth >= SDRPCTL_ARRAY_SIZE(names))
			return SDRPCTL_EXIT_FAIL;	/* tables nest twice */
		snprintf(names[depth], sizeof(names[depth]), "%s %s",
			 prefix, name);
		argv[1] = names[depth++];
		return cmds[i].run(argc - 1, argv + 1);
	}
	sdrpctl_err("'%s' is not a '%s' command", name, prefix);
	print_table(stderr, prefix, cmds, n);
	return SDRPCTL_EXIT_USAGE;
}

int sdrpctl_parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	/* strtoull accepts "-1" and leading blanks: refuse both. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno)
		return -errno;
	if (*end)
		return -EINVAL;
	*v = x;
	return 0;
}

int sdrpctl_parse_uint(const char *s, unsigned int min, unsigned int max,
		       unsigned int *v)
{
	uint64_t x;
	int rc;

	rc = sdrpctl_parse_u64(s, &x);
	if (rc)
		return rc;
	if (x < min || x > max)
		return -ERANGE;
	*v = (unsigned int)x;
	return 0;
}

int sdrpctl_parse_time(const char *s, uint64_t *t)
{
	static const char *const formats[] = {
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d",
	};
	const char *end;
	struct tm tm;
	time_t secs;
	size_t i;

	if (s[0] == '@')
		return sdrpctl_parse_u64(s + 1, t);
	for (i = 0; i < SDRPCTL_ARRAY_SIZE(formats); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, formats[i], &tm);
		if (!end)
			continue;
		if (*end == 'Z')
			end++;
		if (*end)
			continue;
		tm.tm_isdst = 0;
		secs = timegm(&tm);
		if (secs < 0)
			return -EINVAL;
		*t = (uint64_t)secs;
		return 0;
	}
	return -EINVAL;
}

void sdrpctl_format_time(uint64_t t, char buf[SDRPCTL_TIME_LEN])
{
	time_t secs = (time_t)t;
	struct tm tm;

	if ((uint64_t)secs != t || secs < 0 || !gmtime_r(&secs, &tm) ||
	    !strftime(buf, SDRPCTL_TIME_LEN, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, SDRPCTL_TIME_LEN, "@%llu",
			 (unsigned long long)t);
}

int sdrpctl_validity_resolve(const struct sdrpctl_validity *v,
			     unsigned int default_days, uint64_t *not_before,
			     uint64_t *not_after)
{
	unsigned int days = default_days;

	if (v->days && v->not_after) {
		sdrpctl_err("give either --days or --not-after, not both");
		return -EINVAL;
	}
	if (!v->not_before)
		*not_before = (uint64_t)time(NULL);
	else if (sdrpctl_parse_time(v->not_before, not_before)) {
		sdrpctl_err("invalid --not-before '%s' (YYYY-MM-DD[THH:MM:SS] UTC or @SECONDS)",
			    v->not_before);
		return -EINVAL;
	}
	if (v->not_after) {
		if (sdrpctl_parse_time(v->not_after, not_after)) {
			sdrpctl_err("invalid --not-after '%s' (YYYY-MM-DD[THH:MM:SS] UTC or @SECONDS)",
				    v->not_after);
			return -EINVAL;
		}
	} else {
		/* 100 years: far enough for any use, far from overflow. */
		if (v->days && sdrpctl_parse_uint(v->days, 1, 36500, &days)) {
			sdrpctl_err("invalid --days '%s' (1..36500)", v->days);
			return -EINVAL;
		}
		*not_after = *not_before + days * SECONDS_PER_DAY;
	}
	if (*not_after < *not_before) {
		sdrpctl_err("the validity ends before it starts");
		return -EINVAL;
	}
	return 0;
}

/* ---- output files ----------------------------------------------------- */

static int save_privkey(const void *obj, const char *path)
{
	return sdrp_privkey_save(obj, path);
}

static int save_s0(const void *obj, const char *path)
{
	return sdrp_s0_save(path, obj);
}

static int save_cert(const void *obj, const char *path)
{
	return sdrp_cert_save(obj, path);
}

const struct sdrpctl_saver sdrpctl_save_privkey = { save_privkey, true };
const struct sdrpctl_saver sdrpctl_save_s0 = { save_s0, true };
const struct sdrpctl_saver sdrpctl_save_cert = { save_cert, false };

static void exists_error(const char *path)
{
	sdrpctl_err("'%s' exists: not overwritten (use --force to replace it)",
		    path);
}

int sdrpctl_out_check(struct sdrpctl_out *o)
{
	struct stat st;

	if (!lstat(o->path, &st)) {
		if (o->force)
			return 0;
		exists_error(o->path);
		return -EEXIST;
	}
	if (errno == ENOENT)
		return 0;
	sdrpctl_err("cannot access '%s': %s", o->path, strerror(errno));
	return -errno;
}

/* "<dir>/.<base>.XXXXXX", the template of mkstemp(). */
static int tmp_template(const char *path, char tmp[PATH_MAX])
{
	char d[PATH_MAX], b[PATH_MAX];
	int len;

	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(d, path);
	strcpy(b, path);
	len = snprintf(tmp, PATH_MAX, "%s/.%s.XXXXXX", dirname(d),
		       basename(b));
	return len < 0 || len >= PATH_MAX ? -ENAMETOOLONG : 0;
}

int sdrpctl_out_stage(struct sdrpctl_out *o, const struct sdrpctl_saver *s,
		      const void *obj)
{
	unsigned int try;
	int fd, rc = 0;

	o->tmp[0] = '\0';
	for (try = 0; try < STAGE_TRIES; try++) {
		rc = tmp_template(o->path, o->tmp);
		if (rc)
			break;
		fd = mkstemp(o->tmp);
		if (fd < 0) {
			rc = -errno;
			break;
		}
		close(fd);
		/*
		 * An O_EXCL save needs the name free: give it back and let
		 * the save take it, exclusively, or try another name if
		 * someone else was faster.  A replacing save writes into
		 * the file mkstemp made for us.
		 */
		if (s->excl)
			unlink(o->tmp);
		rc = s->save(obj, o->tmp);
		if (rc != -EEXIST || !s->excl)
			break;
	}
	if (rc) {
		if (o->tmp[0])
			unlink(o->tmp);
		o->tmp[0] = '\0';
		sdrpctl_err("cannot write '%s': %s", o->path, strerror(-rc));
	}
	return rc;
}

int sdrpctl_out_place(struct sdrpctl_out *o)
{
	int rc = 0;

	if (o->force) {
		if (rename(o->tmp, o->path))
			rc = -errno;
	} else {
		/* link() never replaces: the atomic form of the check. */
		if (link(o->tmp, o->path))
			rc = -errno;
		else
			unlink(o->tmp);
	}
	if (rc == -EEXIST)
		exists_error(o->path);
	else if (rc)
		sdrpctl_err("cannot create '%s': %s", o->path, strerror(-rc));
	if (rc)
		return rc;
	o->tmp[0] = '\0';
	o->placed = true;
	return 0;
}

void sdrpctl_out_discard(struct sdrpctl_out *o, bool unplace)
{
	if (o->tmp[0])
		unlink(o->tmp);
	o->tmp[0] = '\0';
	/* With --force the file replaced is gone already; nothing to undo. */
	if (unplace && o->placed)
		unlink(o->path);
	o->placed = false;
}

void sdrpctl_warn_if_exposed(const char *path)
{
	char d[PATH_MAX];
	const char *dir;
	struct stat st;

	if (sdrp_file_is_private(path) == 0)
		sdrpctl_warn("'%s' is accessible by group or others (filesystem, mount options or ACL)",
			     path);
	if (strlen(path) >= sizeof(d))
		return;
	strcpy(d, path);
	dir = dirname(d);
	if (!stat(dir, &st) && (st.st_mode & (S_IWGRP | S_IWOTH)) &&
	    !(st.st_mode & S_ISVTX))
		sdrpctl_warn("directory '%s' is writable by group or others: they can replace '%s'",
			     dir, path);
}

int sdrpctl_serial_resolve(const char *s, uint64_t *serial)
{
	if (!s) {
		/* Random, so that no two issuers' serials need coordinating. */
		*serial = sdrp_cert_random_serial();
		return 0;
	}
	if (sdrpctl_parse_u64(s, serial)) {
		sdrpctl_err("invalid --serial '%s' (0..2^64-1)", s);
		return -EINVAL;
	}
	return 0;
}
